"""The public import path of `Timestamp`, the lossless `DateTime<Utc>` of the generated dataclass.

The released schemas (schema/releases/) name `noetl_envelope.timestamp.Timestamp` in
`customTypePath`, and a released schema never changes, so this path stays importable; the type
itself lives with the rest of chrono's semantics in `wire.timestamp`.
"""

from __future__ import annotations

from noetl_envelope.wire.timestamp import Timestamp, TimestampError

__all__ = ["Timestamp", "TimestampError"]
