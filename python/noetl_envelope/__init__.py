"""noetl_envelope: the reference contract for the NoETL executor event envelope.

One canonical JSON Schema (schema/) generates the `ExecutorEvent` dataclass; this package reads
bytes exactly as the Rust side (serde_json + chrono) does, checks them under three profiles
(`serde`, `contract`, `canonical`) and writes the bytes serde_json would write.

The public names are loaded on first use so that `noetl_envelope.generate.files` can run (and regenerate
the dataclass module) even when the generated module is missing or stale.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from noetl_envelope.api import decode, encode, validate
    from noetl_envelope.core.errors import InputError, SchemaAnnotationError
    from noetl_envelope.core.violations import EnvelopeError, Violation
    from noetl_envelope.model.rusttypes import EncodeError
    from noetl_envelope.timestamp import Timestamp
    from noetl_envelope.wire.timestamp import TimestampError
    from noetl_envelope_generated import ExecutorEvent

_EXPORTS = {
    "decode": "noetl_envelope.api",
    "encode": "noetl_envelope.api",
    "validate": "noetl_envelope.api",
    "Timestamp": "noetl_envelope.timestamp",
    "EnvelopeError": "noetl_envelope.core.violations",
    # Every exception a caller of the API can meet: decode's, encode's, a timestamp's, a
    # schema's annotations, an unreadable input.
    "EncodeError": "noetl_envelope.model.rusttypes",
    "TimestampError": "noetl_envelope.wire.timestamp",
    "SchemaAnnotationError": "noetl_envelope.core.errors",
    "InputError": "noetl_envelope.core.errors",
    "Violation": "noetl_envelope.core.violations",
    "ExecutorEvent": "noetl_envelope_generated",
}

__all__ = [
    "EncodeError",
    "EnvelopeError",
    "ExecutorEvent",
    "InputError",
    "SchemaAnnotationError",
    "Timestamp",
    "TimestampError",
    "Violation",
    "decode",
    "encode",
    "validate",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'noetl_envelope' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
