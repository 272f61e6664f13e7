//! Generated from schema/executor_event.schema.json (0.3.1) by `make gen`; do not edit by hand.
//! The generator is python/noetl_envelope/generate/rust_struct.py.
//!
//! What the harness knows per field: one `Field` table each (the schema's enum, examples,
//! bounds and JSON types, which `emit --contract` honours), `FIELDS` in declaration order,
//! and `build`, which draws each field with the generator of its Rust type (`Gen` in
//! emit.rs).

use crate::emit::Gen;
use crate::event::ExecutorEvent;
use crate::spec::Field;

/// The schema version these tables were generated from (the semver in `$id`).
pub const SCHEMA_VERSION: &str = "0.3.1";

/// `execution_id: i64`.
pub const EXECUTION_ID: Field = Field {
    name: "execution_id",
    key: "execution_id",
    rust_type: "i64",
    required: true,
    aliases: &[],
    skip_if_none: false,
    serde_default: false,
    json_types: &["integer"],
    enum_values: None,
    examples: None,
    min_length: None,
    max_length: None,
    minimum: Some(i64::MIN),
    maximum: Some(i64::MAX),
};

/// `event_type: String`.
pub const EVENT_TYPE: Field = Field {
    name: "event_type",
    key: "event_type",
    rust_type: "String",
    required: true,
    aliases: &[],
    skip_if_none: false,
    serde_default: false,
    json_types: &["string"],
    enum_values: None,
    examples: Some(&["step.enter", "step.exit", "call.done", "call.error", "loop.item", "loop.done", "command.issued", "command.claimed", "command.started", "command.completed", "command.failed", "playbook_initialized", "playbook_completed", "playbook_failed", "workflow_initialized", "workflow_completed", "workflow_failed"]),
    min_length: Some(1),
    max_length: None,
    minimum: None,
    maximum: None,
};

/// `step: String`.
pub const STEP: Field = Field {
    name: "step",
    key: "step",
    rust_type: "String",
    required: true,
    aliases: &[],
    skip_if_none: false,
    serde_default: false,
    json_types: &["string"],
    enum_values: None,
    examples: None,
    min_length: None,
    max_length: None,
    minimum: None,
    maximum: None,
};

/// `status: String`.
pub const STATUS: Field = Field {
    name: "status",
    key: "status",
    rust_type: "String",
    required: true,
    aliases: &[],
    skip_if_none: false,
    serde_default: false,
    json_types: &["string"],
    enum_values: Some(&["PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "SKIPPED", "STARTED", "PAUSED", "CLAIMED"]),
    examples: None,
    min_length: None,
    max_length: None,
    minimum: None,
    maximum: None,
};

/// `created_at: DateTime<Utc>`.
pub const CREATED_AT: Field = Field {
    name: "created_at",
    key: "created_at",
    rust_type: "DateTime<Utc>",
    required: true,
    aliases: &[],
    skip_if_none: false,
    serde_default: false,
    json_types: &["string"],
    enum_values: None,
    examples: None,
    min_length: None,
    max_length: None,
    minimum: None,
    maximum: None,
};

/// `context: Value`.
pub const CONTEXT: Field = Field {
    name: "context",
    key: "context",
    rust_type: "serde_json::Value",
    required: true,
    aliases: &["payload"],
    skip_if_none: false,
    serde_default: false,
    json_types: &["object"],
    enum_values: None,
    examples: None,
    min_length: None,
    max_length: None,
    minimum: None,
    maximum: None,
};

/// `event_id: Option<i64>`.
pub const EVENT_ID: Field = Field {
    name: "event_id",
    key: "event_id",
    rust_type: "Option<i64>",
    required: false,
    aliases: &[],
    skip_if_none: true,
    serde_default: true,
    json_types: &["integer"],
    enum_values: None,
    examples: None,
    min_length: None,
    max_length: None,
    minimum: Some(i64::MIN),
    maximum: Some(i64::MAX),
};

/// `worker_id: Option<String>`.
pub const WORKER_ID: Field = Field {
    name: "worker_id",
    key: "worker_id",
    rust_type: "Option<String>",
    required: false,
    aliases: &[],
    skip_if_none: true,
    serde_default: true,
    json_types: &["string"],
    enum_values: None,
    examples: None,
    min_length: None,
    max_length: None,
    minimum: None,
    maximum: None,
};

/// `meta: Option<Value>`.
pub const META: Field = Field {
    name: "meta",
    key: "meta",
    rust_type: "Option<serde_json::Value>",
    required: false,
    aliases: &[],
    skip_if_none: true,
    serde_default: true,
    json_types: &["object"],
    enum_values: None,
    examples: None,
    min_length: None,
    max_length: None,
    minimum: None,
    maximum: None,
};

/// Every field, in declaration order.
pub const FIELDS: &[Field] = &[EXECUTION_ID, EVENT_TYPE, STEP, STATUS, CREATED_AT, CONTEXT, EVENT_ID, WORKER_ID, META];

/// One event, each field drawn by the generator of its Rust type.
pub fn build(g: &mut Gen) -> ExecutorEvent {
    ExecutorEvent {
        execution_id: g.i64(&EXECUTION_ID),
        event_type: g.string(&EVENT_TYPE),
        step: g.string(&STEP),
        status: g.string(&STATUS),
        created_at: g.datetime(&CREATED_AT),
        context: g.value(&CONTEXT),
        event_id: g.option(&EVENT_ID, Gen::i64),
        worker_id: g.option(&WORKER_ID, Gen::string),
        meta: g.option(&META, Gen::value),
    }
}
