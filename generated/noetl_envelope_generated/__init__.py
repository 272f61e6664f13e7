"""Generated from schema/executor_event.schema.json by `make gen`; do not edit by hand.

The dataclass mirrors the Rust struct field for field; the hand-written codec in
noetl_envelope reads and writes it.
"""

from noetl_envelope_generated.executor_event import ExecutorEvent

__all__ = ["ExecutorEvent"]
