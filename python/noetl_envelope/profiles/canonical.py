"""The `canonical` profile: contract-valid, and byte-for-byte what serde_json::to_string writes.

The document must equal `encode(decode(doc))` (one trailing newline allowed, as fixture files
end with one). A document that is canonical as written but whose floats serde_json reads back
as neighbouring doubles (its default parser is not correctly rounded) changes bytes on the
next Rust hop; that is not drift (serde_json wrote those bytes) but a fact about Rust
consumers, so it gets its own rule, `canonical.float-roundtrip`, a warning, which every profile
reports for a document that is otherwise valid (`float_readback`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from noetl_envelope.core.rules import ALL_PROFILES, CANONICAL, Rule
from noetl_envelope.core.violations import JsonPath, Violation
from noetl_envelope.model.binding import Binding
from noetl_envelope.model.codec import exact_reader, field_values, write_values
from noetl_envelope.model.rusttypes import EncodeError
from noetl_envelope.model.schema import float_roundtrip
from noetl_envelope.wire.jsontree import Num, Obj, excerpt
from noetl_envelope.wire.numbers import NumberRangeError, f64_bits, format_float, parse_number

CANONICAL_FLOAT_ROUNDTRIP = Rule(
    "canonical.float-roundtrip",
    ALL_PROFILES,
    "A warning, not an error: a float that serde_json's default parser (not correctly rounded, an "
    "intended trade-off) reads back as a neighbouring f64, so a Rust consumer holds a different double "
    "than a Python one, and a Rust hop rewrites the bytes. serde_json itself may have written it, so it "
    "is not drift. The fix is on the consumer: enable serde_json's `float_roundtrip` feature.",
    message="{value} is read by serde_json's default parser as {rust}, by a correctly rounding reader (Python) as "
    "{python}: enable serde_json's float_roundtrip feature on Rust consumers",
    severity="warning",
)

CANONICAL_DIFFERS = Rule(
    "canonical.differs",
    CANONICAL,
    "The bytes differ from what serde_json::to_string writes for the decoded event.",
    message={
        "unwritable": "serde_json cannot write the value back unchanged: {detail}",
        "bytes": "byte {offset}: found {found!r} where serde_json writes {expected!r}",
    },
)


def check(data: bytes, binding: Binding) -> list[Violation]:
    """Findings for a contract-valid document whose serde binding is `binding`."""
    view = memoryview(data)
    comparison = _Comparison(view[:-1] if data.endswith(b"\n") else view)
    try:
        values = field_values(binding, exact_reader, verbatim=True)
        if len(data) < _WHOLE_BYTES:
            out: list[str] = []
            write_values(values, out)
            comparison.append("".join(out))
        else:
            write_values(values, comparison)
    except EncodeError as exc:
        return [CANONICAL_DIFFERS.at((), "unwritable", detail=exc)]
    if comparison.finish() is not None:
        return [comparison.difference()]
    return float_readback(binding)  # serde_json wrote these bytes, but may read a float back as a neighbour


def difference_from(data: bytes, offset: int, written: Iterable[bytes | memoryview]) -> Violation | None:
    """`check`'s finding for a contract-valid document whose bytes are serde_json's own up to
    `offset`, from where serde_json writes the pieces `written` (the engines know it from the
    native reading: a value written otherwise, a member left out, then the document's own bytes).
    None when those agree with the document (then the difference is not there)."""
    view = memoryview(data)
    comparison = _Comparison(view[:-1] if data.endswith(b"\n") else view)
    comparison.offset = offset
    for piece in written:
        comparison.append_bytes(piece)
        if len(comparison.tail) >= _AFTER:
            break
    return None if comparison.differs_at is None else comparison.difference()


_BEFORE, _AFTER = 12, 24  # bytes shown either side of the first difference
# A smaller document is compared with serde_json's output made whole, in one step (a step per
# piece costs more than the copy); a larger one as the output is written.
_WHOLE_BYTES = 2**20


class _Comparison(list[str]):
    """A writer's output (`write_values` appends str pieces) compared with the document as it is
    written, holding neither whole: serde_json's output of a large document would be a second
    copy of it. `differs_at` is the first byte where they differ (None while they agree)."""

    def __init__(self, body: memoryview) -> None:
        super().__init__()
        self.body = body
        self.offset = 0  # bytes written so far, all equal to the document's
        self.differs_at: int | None = None
        self.tail = b""  # what serde_json writes from `differs_at` on, as much as a message shows

    def append(self, piece: str) -> None:
        self.append_bytes(piece.encode("utf-8"))

    def append_bytes(self, written: bytes | memoryview) -> None:
        """`append` of output already encoded."""
        if self.differs_at is not None:
            if len(self.tail) < _AFTER:
                self.tail += bytes(written[: _AFTER - len(self.tail)])
            return
        end = self.offset + len(written)
        found = self.body[self.offset : end]
        if found == written:
            self.offset = end
            return
        at = next((i for i, (a, b) in enumerate(zip(found, written, strict=False)) if a != b), len(found))
        self.differs_at = self.offset + at
        self.tail = bytes(written[at : at + _AFTER])

    def finish(self) -> int | None:
        """The first byte where the document and the whole output differ, or None."""
        if self.differs_at is None and self.offset != len(self.body):
            self.differs_at = self.offset  # the document goes on after serde_json's output ends
        return self.differs_at

    def difference(self) -> Violation:
        """The finding at `differs_at`, with the bytes around it on both sides."""
        assert self.differs_at is not None
        start = max(0, self.differs_at - _BEFORE)
        got = bytes(self.body[start : self.differs_at + _AFTER]).decode("utf-8", "replace")
        want = (bytes(self.body[start : self.differs_at]) + self.tail).decode("utf-8", "replace")
        return CANONICAL_DIFFERS.at((), "bytes", offset=self.differs_at, found=got, expected=want)


def float_readback(binding: Binding) -> list[Violation]:
    """One warning per float token that serde_json's default parser reads as another double
    than the correctly rounded one a Python consumer reads, for a document serde accepts (the
    serde and contract profiles, and canonical once the bytes are serde_json's own). None when
    the schema declares consumers built with `float_roundtrip`: they read what Python reads."""
    found: list[Violation] = []
    if float_roundtrip():
        return found
    # One iterator per open container, making its members' paths one at a time (as the value walk).
    fields = [(binding.values[name], binding.pointers[name]) for name in binding.values]
    stack: list[Iterator[tuple[Any, JsonPath]]] = [iter(fields)]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        item, path = entry
        if isinstance(item, Num):
            if item.is_float_literal:
                finding = _misread(item, path)
                if finding is not None:
                    found.append(finding)
        elif isinstance(item, list):
            stack.append(_read_members(item, path))
    return found


def _read_members(container: list[Any], path: JsonPath) -> Iterator[tuple[Any, JsonPath]]:
    """The members serde's Value reads, with their paths: of repeated keys only the last (the
    earlier ones are never read)."""
    if isinstance(container, Obj):
        last = {key: index for index, (key, _) in enumerate(container)}
        for index, (key, member) in enumerate(container):
            if last[key] == index:
                yield member, (*path, key)
    else:
        for index, member in enumerate(container):
            yield member, (*path, index)


def _misread(token: Num, path: JsonPath) -> Violation | None:
    try:
        rust = parse_number(token)
    except NumberRangeError:
        return None  # json.number-out-of-range reports it
    python = token.exact_value()
    if not isinstance(rust, float) or not isinstance(python, float) or f64_bits(rust) == f64_bits(python):
        return None
    return float_roundtrip_warning(path, token, rust, python)


def float_roundtrip_warning(path: JsonPath, token: str, rust: float, python: float) -> Violation:
    """The warning for a float token serde_json reads as `rust` where Python reads `python`."""
    return CANONICAL_FLOAT_ROUNDTRIP.at(
        path, value=excerpt(Num(token)), rust=format_float(rust), python=format_float(python)
    )
