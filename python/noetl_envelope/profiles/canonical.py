"""The `canonical` profile: contract-valid, and byte-for-byte what serde_json::to_string writes.

The document must equal `encode(decode(doc))` (one trailing newline allowed, as fixture files
end with one). A document that is canonical as written but whose floats serde_json reads back
as neighbouring doubles (its default parser is not correctly rounded) changes bytes on the
next Rust hop; that gets its own rule, `canonical.float-roundtrip`, so it can be named and
ignored separately from real drift.
"""

from __future__ import annotations

from noetl_envelope.core.violations import Violation
from noetl_envelope.model.binding import Binding
from noetl_envelope.model.codec import encode_values, exact_reader, field_values
from noetl_envelope.model.rusttypes import EncodeError
from noetl_envelope.wire.numbers import parse_number


def check(data: bytes, binding: Binding) -> list[Violation]:
    """Findings for a contract-valid document whose serde binding is `binding`."""
    body = data[:-1] if data.endswith(b"\n") else data
    try:
        expected = encode_values(field_values(binding, exact_reader))
    except EncodeError as exc:
        return [Violation("canonical.differs", "", f"serde_json cannot write the value back unchanged: {exc}")]
    if body != expected:
        return [Violation("canonical.differs", "", _first_difference(body, expected))]
    reread = encode_values(field_values(binding, parse_number))
    if reread != expected:
        return [Violation("canonical.float-roundtrip", "", _first_difference(expected, reread, reread_note=True))]
    return []


def _first_difference(found: bytes, expected: bytes, *, reread_note: bool = False) -> str:
    index = next((i for i, (a, b) in enumerate(zip(found, expected, strict=False)) if a != b), None)
    if index is None:
        index = min(len(found), len(expected))
    start = max(0, index - 12)
    got = found[start : index + 24].decode("utf-8", "replace")
    want = expected[start : index + 24].decode("utf-8", "replace")
    if reread_note:
        return (
            f"byte {index}: serde_json reads {got!r} back and writes {want!r}"
            " (its float parser is not correctly rounded; enable serde_json's float_roundtrip feature)"
        )
    return f"byte {index}: found {got!r} where serde_json writes {want!r}"
