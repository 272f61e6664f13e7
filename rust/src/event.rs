//! Generated from schema/executor_event.schema.json (0.3.1) by `make gen`; do not edit by hand.
//! The generator is python/noetl_envelope/generate/rust_struct.py.
//!
//! The struct the harness is an oracle for: field order, types and serde attributes are the
//! schema's, and for schema/releases/0.3.1.schema.json they are the seed struct of
//! noetl-executor 0.3.1 token for token (tests/test_rust_struct.py). Field order decides
//! both the serialized key order and the sequence form serde accepts for a struct.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One event the executor emits. Keep field naming aligned with the Python side
/// (noetl.event table columns) so envelopes can be projected by either stack.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExecutorEvent {
    /// Execution this event belongs to. Matches the noetl.event.execution_id bigint column.
    pub execution_id: i64,
    /// Event type (e.g. "step.enter", "call.done", "step.exit", "command.completed",
    /// "command.failed"). Python side uses an EventType enum but Rust accepts the raw
    /// string; the server validates against the enum when projecting.
    pub event_type: String,
    /// Step name (node_id / node_name in the Python projector).
    pub step: String,
    /// Lifecycle status (e.g. "STARTED", "COMPLETED", "FAILED"). The closed set is the
    /// union of the Python EventStatus enum and the Rust server's enum.
    pub status: String,
    /// Wall-clock when the event was produced. Stamped at emit time so the event log
    /// preserves per-component ordering even across server-clock skew.
    pub created_at: DateTime<Utc>,
    /// Free-form payload; the projector reads typed fields out of this. Renamed from the
    /// worker's payload field to match the Python EventEmitRequest.context field; serde
    /// alias accepts either name on the wire.
    #[serde(alias = "payload")]
    pub context: Value,
    /// Application-side snowflake id for this event. The emitting process generates this
    /// before the row hits the database so spans, metrics and cross-component correlation
    /// can use it immediately. None falls back to the DB-side default (gen_snowflake()).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<i64>,
    /// Worker that emitted the event (worker pod's id, or "cli-local" for CLI mode). Used
    /// for shard-aware queries and diagnostic correlation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<String>,
    /// Free-form metadata that doesn't belong in context: retry counts, parent-event refs,
    /// catalog ids. Matches the Python EventEmitRequest.meta field 1:1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
}
