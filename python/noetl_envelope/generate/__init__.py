"""Everything `make gen` derives from schema/ (`files`): the dataclass module, docs/RULES.md, the
Rust harness's struct and field tables (`rust_struct`), the fixtures, the native engine's field
specs and the bundled samples the harness emits (`samples`)."""
