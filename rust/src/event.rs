//! The seed struct, verbatim from `noetl-executor` 0.3.1 (`executor/src/events.rs`).
//!
//! This is the single thing the harness is an oracle for: do not "improve" it.
//! Field order, types and serde attributes are exactly the upstream ones, because
//! field order decides both the serialized key order and the sequence form
//! (`[execution_id, event_type, ...]`) that serde accepts for a struct.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One event the executor emits. Keep field naming aligned with the
/// Python side (`noetl.event` table columns) so envelopes can be
/// projected by either stack.
///
/// PR-2a: `execution_id` is now `i64` (matching the Python
/// `noetl.event.execution_id` bigint column, the CLI's
/// `BridgeContext.execution_id`, the worker's
/// `CommandNotification.execution_id`, and
/// `noetl_tools::context::ExecutionContext.execution_id`).
///
/// PR-EE-1 (0.3.1): adds the optional fields the Python
/// `EventEmitRequest` (and the Rust noetl-server `EventRequest`)
/// already expect — `event_id`, `worker_id`, `meta`. All are
/// `Option` + `#[serde(default, skip_serializing_if = "Option::is_none")]`
/// so older wire-format consumers deserialize
/// cleanly and producers that don't populate them omit them from
/// the JSON entirely. This step is the additive prerequisite for
/// the cross-repo event envelope reconciliation tracked on
/// noetl/ai-meta#30.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExecutorEvent {
    /// Execution this event belongs to. Matches the
    /// `noetl.event.execution_id` bigint column.
    pub execution_id: i64,
    /// Event type (e.g. `"step.enter"`, `"call.done"`,
    /// `"step.exit"`, `"command.completed"`, `"command.failed"`).
    /// Python side uses an `EventType` enum but Rust accepts the
    /// raw string; the server validates against the enum when
    /// projecting.
    pub event_type: String,
    /// Step name (`node_id` / `node_name` in the Python projector).
    pub step: String,
    /// Lifecycle status (e.g. `"STARTED"`, `"COMPLETED"`,
    /// `"FAILED"`).
    pub status: String,
    /// Wall-clock when the event was produced. Stamped at emit time so the event log
    /// preserves per-component ordering even across server-clock skew.
    pub created_at: DateTime<Utc>,
    /// Free-form payload; the projector reads typed fields out
    /// of this. Renamed from the worker's `payload` field to
    /// match the Python `EventEmitRequest.context` field; serde
    /// alias accepts either name on the wire.
    #[serde(alias = "payload")]
    pub context: Value,
    /// Application-side snowflake id for this event. Per
    /// `agents/rules/observability.md` Principle 3,
    /// the emitting process generates this BEFORE the row hits
    /// the database so spans / metrics / cross-component
    /// correlation can use it immediately. `None` falls back to
    /// the DB-side default (existing `gen_snowflake()` function).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<i64>,
    /// Worker that emitted the event (worker pod's id, or
    /// `"cli-local"` for CLI mode). Used for shard-aware queries
    /// + diagnostic correlation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<String>,
    /// Free-form metadata that doesn't belong in `context` —
    /// retry counts, parent-event refs, catalog ids. Matches the
    /// Python `EventEmitRequest.meta` field 1:1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
}
