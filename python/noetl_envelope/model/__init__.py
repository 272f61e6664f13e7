"""The envelope's model: the schema and its field annotations (`schema`), the Rust types (one
object per `x-rust-type` holding everything about it, `rusttypes`), serde's field binding
(`binding`) and decode/encode (`codec`)."""
