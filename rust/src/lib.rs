//! Reference harness for the NoETL executor event envelope.
//!
//! It answers two questions for the Python package's tests, exactly as the pinned
//! Rust stack (serde 1.0.228, serde_json 1.0.150, chrono 0.4.44) would:
//! does `serde_json::from_slice::<ExecutorEvent>` accept these bytes, and what does
//! `serde_json::to_string` write back. Modules, one job each:
//! [`event`] the struct and [`fields`] its per-field tables (both generated from the schema
//! by `make gen`; for 0.3.1 the struct is the seed struct), [`spec`] the shape of those
//! tables, [`emit`] generated samples (one value generator per Rust type), [`check`] the
//! oracle, [`b64`] and [`rng`] small helpers that keep the dependency list at three crates.

pub mod b64;
pub mod check;
pub mod emit;
#[rustfmt::skip]
pub mod event;
#[rustfmt::skip]
pub mod fields;
pub mod rng;
pub mod spec;

pub use event::ExecutorEvent;
pub use spec::Field;
