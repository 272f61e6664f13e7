"""Generated from schema/executor_event.schema.json by `make gen`; do not edit by hand.

The dataclass mirrors the Rust struct field for field; the hand-written codec in
noetl_envelope reads and writes it. SCHEMA_SHA256 is the digest of the schema bytes `make gen`
linted and generated from (noetl_envelope.model.schema.load_schema trusts their metaschema check).
"""

SCHEMA_SHA256 = "3d7021d11662a23ee0763b1a4f7cc48089fa2f589e1cec6afda3541e5ec59af3"

from noetl_envelope_generated.executor_event import ExecutorEvent  # noqa: E402

__all__ = ["SCHEMA_SHA256", "ExecutorEvent"]
