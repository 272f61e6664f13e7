"""Everything `make gen` derives from schema/ (`files`): the dataclass module, docs/RULES.md, the
fixtures and the native engine's field specs."""
