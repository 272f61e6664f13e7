"""The envelope's model: the schema and its field annotations (`schema`), what each Rust type
accepts and writes (`rusttypes`), serde's field binding (`binding`) and decode/encode (`codec`)."""
