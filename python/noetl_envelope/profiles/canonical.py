"""The `canonical` profile: contract-valid, and byte-for-byte what serde_json::to_string writes.

The document must equal `encode(decode(doc))` (one trailing newline allowed, as fixture files
end with one). A document that is canonical as written but whose floats serde_json reads back
as neighbouring doubles (its default parser is not correctly rounded) changes bytes on the
next Rust hop; that gets its own rule, `canonical.float-roundtrip`, so it can be named and
ignored separately from real drift.
"""

from __future__ import annotations

from noetl_envelope.core.rules import CANONICAL, Rule
from noetl_envelope.core.violations import Violation
from noetl_envelope.model.binding import Binding
from noetl_envelope.model.codec import encode_values, exact_reader, field_values
from noetl_envelope.model.rusttypes import EncodeError
from noetl_envelope.wire.numbers import parse_number

CANONICAL_FLOAT_ROUNDTRIP = Rule(
    "canonical.float-roundtrip",
    CANONICAL,
    "A float serde_json writes but reads back as a neighbouring f64 (its parser is not correctly "
    "rounded without the float_roundtrip feature), so the bytes change on the next hop.",
)

CANONICAL_DIFFERS = Rule(
    "canonical.differs",
    CANONICAL,
    "The bytes differ from what serde_json::to_string writes for the decoded event.",
)


def check(data: bytes, binding: Binding) -> list[Violation]:
    """Findings for a contract-valid document whose serde binding is `binding`."""
    body = data[:-1] if data.endswith(b"\n") else data
    try:
        expected = encode_values(field_values(binding, exact_reader))
    except EncodeError as exc:
        return [Violation(CANONICAL_DIFFERS, (), f"serde_json cannot write the value back unchanged: {exc}")]
    if body != expected:
        return [Violation(CANONICAL_DIFFERS, (), _first_difference(body, expected))]
    reread = encode_values(field_values(binding, parse_number))
    if reread != expected:
        return [Violation(CANONICAL_FLOAT_ROUNDTRIP, (), _first_difference(expected, reread, reread_note=True))]
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
