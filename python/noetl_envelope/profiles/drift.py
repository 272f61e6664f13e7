"""Drift classes: *why* a producer's document is not what serde_json writes for the struct.

`conform` asks this module, for each document, which known way of drifting from the
canonical encoding it shows. Each class is a stable rule id `drift.<class>` (see rules.py),
and each finding carries the JSON pointer of the value it is about, so a report can say
"`/event_id` holds a string" rather than "byte 57 differs".

Two passes, each on the representation that can see its classes:

1. structural, on the lexer's lossless tree compared with what the codec would write for the
   struct (field list, Rust types and serde attributes from `schema.field_specs`, number and
   timestamp forms from `numbers` / `timestamp`): unknown-field, missing-field, alias-used,
   type-change, field-order, null-instead-of-absent, timestamp-form, number-form,
   float-roundtrip, key-order;
2. lexical, on the bytes (a tree has no whitespace and no escapes left): a token walk that
   tracks the pointer of every token and finds whitespace-form (serde_json writes compact
   JSON) and escape-form (a string or key not written as serde_json escapes it).

The classes are independent, so one document can show several; a document that lexes but is
otherwise broken still gets its classes (a producer whose struct changed usually produces
contract-invalid documents, and the class says how). Documents that do not lex have no tree
and get no drift findings: the contract profile reports those.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from noetl_envelope.core.rules import CANONICAL, Rule
from noetl_envelope.core.violations import JsonPath, Violation
from noetl_envelope.model.rusttypes import EncodeError, quote, written_pieces
from noetl_envelope.model.schema import FieldSpec, field_specs, float_roundtrip
from noetl_envelope.profiles.contract import (
    JSON_INTEGER_OVERFLOW,
    JSON_NEGATIVE_ZERO,
    SCHEMA_ADDITIONALPROPERTIES,
    SCHEMA_REQUIRED,
    SCHEMA_TYPE,
)
from noetl_envelope.wire.jsontree import BadStr, Num, Obj, a_type_name, clip, excerpt, type_name
from noetl_envelope.wire.lexer import LexError, deferred_string, scan
from noetl_envelope.wire.numbers import (
    I64_MIN,
    U64_MAX,
    NumberRangeError,
    f64_bits,
    format_float,
    number_reader,
    parse_number,
)
from noetl_envelope.wire.timestamp import Timestamp, TimestampError

DRIFT_UNKNOWN_FIELD = Rule(
    "drift.unknown-field",
    CANONICAL,
    "The producer writes a field the schema does not declare (the struct gained or renamed a field).",
    message="the producer writes field {key}, which the schema does not declare",
)

DRIFT_MISSING_FIELD = Rule(
    "drift.missing-field",
    CANONICAL,
    "A required field is absent (the struct lost or renamed it, or made it skippable).",
    message="required field {field!r} ({rust}) is absent",
)

DRIFT_ALIAS_USED = Rule(
    "drift.alias-used",
    CANONICAL,
    "A field is written under its serde alias (`payload`); serde writes the field name (`context`).",
    message="written under serde's alias {alias!r}; serde writes {field!r}",
)

DRIFT_TYPE_CHANGE = Rule(
    "drift.type-change",
    CANONICAL,
    "A field's JSON type differs from the schema's type / x-rust-type (e.g. a string event_id for Option<i64>).",
    message="{field} holds {kind} ({value}); the schema's {rust} is written as {expected}",
)

DRIFT_FIELD_ORDER = Rule(
    "drift.field-order",
    CANONICAL,
    "Declared fields are present but not in struct declaration order, which is the order serde writes.",
    message="field {field!r} comes after {before!r}; serde writes fields in struct declaration order ({order})",
)

DRIFT_NULL_INSTEAD_OF_ABSENT = Rule(
    "drift.null-instead-of-absent",
    CANONICAL,
    "An Option field is written as null where serde skips None (skip_serializing_if = Option::is_none).",
    message='{field} is written as null; serde skips None (skip_serializing_if = "Option::is_none")',
)

DRIFT_TIMESTAMP_FORM = Rule(
    "drift.timestamp-form",
    CANONICAL,
    "created_at is not in chrono's serialized form (UTC, 'T', 'Z', 0/3/6/9 fraction digits).",
    message={
        "unparsable": "{value} is not a chrono timestamp: {detail}",
        "form": "{value} is not chrono's serialized form; serde writes {written!r} "
        "(UTC, 'T', 'Z', 0/3/6/9 fraction digits)",
    },
)

DRIFT_NUMBER_FORM = Rule(
    "drift.number-form",
    CANONICAL,
    "A number not in serde_json's form: 1.0 for an i64, 1e16 for 1e+16, -0, trailing zeros, an integer beyond u64.",
    message={
        "integral-float": "{value} is an integer written as a float; serde writes an i64 as {integer}",
        "negative-zero-i64": "-0 is a float to serde_json; serde writes an i64 zero as 0",
        "float": "{value} is not serde_json's form of that f64; serde writes {written}",
        "negative-zero": "-0 is not an integer to serde_json; it writes 0 or -0.0",
        "beyond-u64": "{value} is outside i64/u64: serde_json holds it as an f64, writes {written}",
    },
)

DRIFT_FLOAT_ROUNDTRIP = Rule(
    "drift.float-roundtrip",
    CANONICAL,
    "A warning, not drift: a float in serde_json's form that serde_json's default parser reads back as a "
    "neighbouring f64 (see canonical.float-roundtrip; the fix is serde_json's `float_roundtrip` feature on "
    "the consumer).",
    severity="warning",
    message="serde_json reads {value} back as {reread} (its float parser is not correctly rounded without the "
    "float_roundtrip feature), so the bytes change on the next hop",
)

DRIFT_KEY_ORDER = Rule(
    "drift.key-order",
    CANONICAL,
    "Object keys inside a serde_json::Value not in sorted order (serde_json's Map is a BTreeMap).",
    message="key {key} follows {previous}; serde_json::Value writes object keys sorted (BTreeMap)",
)

DRIFT_WHITESPACE_FORM = Rule(
    "drift.whitespace-form",
    CANONICAL,
    "Whitespace between tokens: serde_json::to_string writes compact JSON.",
    message="whitespace {whitespace!r} at byte {offset}; serde_json::to_string writes compact JSON",
)

DRIFT_ESCAPE_FORM = Rule(
    "drift.escape-form",
    CANONICAL,
    "A string or key escaped differently from serde_json (which escapes only '\"', '\\\\' and control characters).",
    message={
        "string": "string written as {written} at byte {offset}; serde_json escapes only '\"', '\\\\' and controls: "
        "{expected}",
        "key": "key written as {written} at byte {offset}; serde_json escapes only '\"', '\\\\' and controls: "
        "{expected}",
    },
)


# The classes in the order a report lists them: the struct's shape first, then its values,
# then the bytes. Every id is declared in rules.py.
# One finding per cause in conform: a drift class naming why a schema rule fired replaces that
# finding. drift class -> the rules it may explain, each with whether it sits at the member's
# parent (`required` is reported at the object, the missing member at its own path); a finding
# explains the first of them found. A number's form explains the contract's type error (an
# integer written as a float), its negative zero and its integer overflow (beyond u64).
EXPLAINS: dict[str, tuple[tuple[str, bool], ...]] = {
    DRIFT_UNKNOWN_FIELD: ((SCHEMA_ADDITIONALPROPERTIES, False),),
    DRIFT_MISSING_FIELD: ((SCHEMA_REQUIRED, True),),
    DRIFT_TYPE_CHANGE: ((SCHEMA_TYPE, False),),
    DRIFT_NUMBER_FORM: ((SCHEMA_TYPE, False), (JSON_NEGATIVE_ZERO, False), (JSON_INTEGER_OVERFLOW, False)),
}


def explained(found: list[Violation], drift: list[Violation]) -> list[Violation]:
    """`found` without the schema findings that a drift finding in `drift` explains (each drift
    finding explains one)."""
    waiting: dict[tuple[str, JsonPath], list[int]] = {}  # the findings not yet explained, by rule and path
    for index, violation in enumerate(found):
        waiting.setdefault((violation.rule, violation.path), []).append(index)
    explained_ones: set[int] = set()
    for finding in drift:
        for rule, at_parent in EXPLAINS.get(finding.rule, ()):
            indices = waiting.get((rule, finding.path[:-1] if at_parent else finding.path))
            if indices:
                explained_ones.add(indices.pop(0))
                break
    return [violation for index, violation in enumerate(found) if index not in explained_ones]


CLASSES = (
    DRIFT_UNKNOWN_FIELD,
    DRIFT_MISSING_FIELD,
    DRIFT_ALIAS_USED,
    DRIFT_TYPE_CHANGE,
    DRIFT_FIELD_ORDER,
    DRIFT_NULL_INSTEAD_OF_ABSENT,
    DRIFT_TIMESTAMP_FORM,
    DRIFT_NUMBER_FORM,
    DRIFT_FLOAT_ROUNDTRIP,
    DRIFT_KEY_ORDER,
    DRIFT_WHITESPACE_FORM,
    DRIFT_ESCAPE_FORM,
)


def classify(data: bytes) -> list[Violation]:
    """Every drift finding for one document's bytes ([] = none found, or it does not lex)."""
    try:
        tree = scan(data, defer=True)  # the struct pass reads no string inside a field's value
    except LexError:
        return []
    return classify_tree(data, tree)


def classify_tree(data: bytes, tree: Any) -> list[Violation]:
    """`classify` for a document already scanned into `tree` (saves a second scan)."""
    found: list[Violation] = []
    if isinstance(tree, Obj):
        found.extend(_struct_findings(tree))
    found.extend(_lexical_findings(data))
    return found


# --- pass 1: the tree against the struct ---------------------------------------------------


def _struct_findings(tree: Obj) -> list[Violation]:
    return _members_findings(tree, _field_findings)


def beside_faults(
    keys: Iterable[str], faulty: dict[str, Any], misreads: Iterable[tuple[JsonPath, str, float]]
) -> list[Violation]:
    """`classify` for a document whose bytes are serde_json's own but for the faults the native
    engine names: `keys`, its top-level keys in order; `faulty`, the value (as the lexer reads
    it) of each declared field failing its checks; `misreads`, the floats serde_json's parser
    misreads, as for `float_roundtrip_findings`. Only the struct pass can find anything there,
    and in a field not in `faulty` only those floats."""
    misread = list(misreads)

    def findings(spec: FieldSpec, value: Any, pointer: JsonPath) -> list[Violation]:
        if spec.wire in faulty:
            return _field_findings(spec, faulty[spec.wire], pointer)
        return float_roundtrip_findings(m for m in misread if m[0][:1] == pointer)

    return _members_findings(((key, None) for key in keys), findings)


def _members_findings(
    members: Iterable[tuple[str, Any]], field_findings: Callable[[FieldSpec, Any, JsonPath], list[Violation]]
) -> list[Violation]:
    """The struct pass over the top-level (key, value) pairs, each declared field's value judged
    by `field_findings`."""
    specs = field_specs()
    by_wire = {name: spec for spec in specs for name in spec.wire_names}
    order = {spec.name: index for index, spec in enumerate(specs)}
    found: list[Violation] = []
    seen: dict[str, Any] = {}  # field name -> the first value serde binds to it
    last_index = -1
    order_reported = False
    for key, value in members:
        pointer: JsonPath = (key,)
        found_spec = by_wire.get(key) if not isinstance(key, BadStr) else None
        if found_spec is None:
            found.append(DRIFT_UNKNOWN_FIELD.at(pointer, key=excerpt(key)))
            continue
        spec = found_spec
        if key != spec.wire:
            found.append(DRIFT_ALIAS_USED.at(pointer, alias=key, field=spec.wire))
        if spec.name in seen:
            continue  # a duplicate field: the contract reports it, no drift class says more
        index = order[spec.name]
        if index < last_index and not order_reported:
            before = specs[last_index].wire
            order_text = ", ".join(s.wire for s in specs)
            found.append(DRIFT_FIELD_ORDER.at(pointer, field=spec.wire, before=before, order=order_text))
            order_reported = True  # one finding per document: the rest follows from it
        last_index = max(last_index, index)
        seen[spec.name] = value
        found.extend(field_findings(spec, value, pointer))
    for spec in specs:
        if spec.name not in seen and not spec.optional:
            found.append(DRIFT_MISSING_FIELD.at((spec.wire,), field=spec.wire, rust=spec.rust_type))
    return found


def _field_findings(spec: FieldSpec, value: Any, pointer: JsonPath) -> list[Violation]:
    if value is None and spec.optional:
        if spec.skip_if_none:
            return [DRIFT_NULL_INSTEAD_OF_ABSENT.at(pointer, field=spec.name)]
        return []
    rust = spec.inner
    expected = _expected_json_types(spec)
    actual = type_name(value)
    if rust.integer_range is not None and actual == "float" and _integral(value, rust.integer_range):
        return [DRIFT_NUMBER_FORM.at(pointer, "integral-float", value=excerpt(value), integer=_integer_text(value))]
    if not _type_allowed(actual, expected):
        return [
            DRIFT_TYPE_CHANGE.at(
                pointer,
                field=spec.name,
                kind=a_type_name(value),
                value=excerpt(value),
                rust=spec.rust_type,
                expected=" or ".join(expected),
            )
        ]
    if rust.integer_range is not None and value == "-0":
        return [DRIFT_NUMBER_FORM.at(pointer, "negative-zero-i64")]
    if rust.timestamp and isinstance(value, str):
        return _timestamp_findings(value, pointer)
    if rust.free_form:
        return list(_value_findings(value, pointer))
    return []


def _expected_json_types(spec: FieldSpec) -> tuple[str, ...]:
    declared = spec.schema.get("type")
    if declared is None:
        return spec.inner.json_types
    types = declared if isinstance(declared, list) else [declared]
    return tuple(t for t in types if t != "null")


def _type_allowed(actual: str, expected: tuple[str, ...]) -> bool:
    if not expected:
        return True  # the schema's `type` names only null: nothing to compare against
    if actual == "float":
        return "number" in expected
    if actual == "integer":
        return "integer" in expected or "number" in expected
    return actual in expected


def _integral(value: Num, bounds: tuple[int, int]) -> bool:
    """An integer (i64) written as a float (1.0, 1e3): integral, finite and within the type's range."""
    number = float(value)  # a JSON token never raises; a huge one is inf
    return math.isfinite(number) and number.is_integer() and bounds[0] <= number <= bounds[1]


def _integer_text(value: Num) -> str:
    return str(int(float(value)))


def _timestamp_findings(text: str, pointer: JsonPath) -> list[Violation]:
    if isinstance(text, BadStr):
        return []  # undecodable: the contract reports it
    try:
        written = Timestamp.parse(text).format()
    except TimestampError as exc:
        return [DRIFT_TIMESTAMP_FORM.at(pointer, "unparsable", value=excerpt(text), detail=exc)]
    if written == text:
        return []
    return [DRIFT_TIMESTAMP_FORM.at(pointer, "form", value=excerpt(text, 60), written=written)]


# A path while walking a document: nested (parent, key) pairs from the root, (), so one step
# down costs the same at any depth (a tuple per value made a document nested 100,000 levels
# quadratic in time and memory); `_spelled` turns one into a JsonPath for a finding.
_Step = tuple[Any, ...]


def _step_of(path: JsonPath) -> _Step:
    step: _Step = ()
    for key in path:
        step = (step, key)
    return step


def _spelled(step: _Step) -> JsonPath:
    keys: list[Any] = []
    while step:
        step, key = step
        keys.append(key)
    keys.reverse()
    return tuple(keys)


def _is_path(step: _Step, path: JsonPath) -> bool:
    """`_spelled(step) == path`, compared from the innermost key out (a mismatch shows early)."""
    for key in reversed(path):
        if not step or step[1] != key:
            return False
        step = step[0]
    return not step


def _value_findings(value: Any, pointer: JsonPath) -> Iterator[Violation]:
    """Number forms, float round trips and key order anywhere inside a serde_json::Value."""
    stack: list[tuple[Any, _Step]] = [(value, _step_of(pointer))]
    while stack:
        item, where = stack.pop()
        if isinstance(item, Num):
            finding = _number_finding(item, ())
            if finding is not None:  # the path spelled out only for a finding
                yield dataclasses.replace(finding, path=_spelled(where))
        elif isinstance(item, Obj):
            keys = [key for key, _ in item]
            for index in range(1, len(keys)):
                if keys[index] < keys[index - 1]:
                    yield DRIFT_KEY_ORDER.at(
                        (*_spelled(where), keys[index]), key=excerpt(keys[index]), previous=excerpt(keys[index - 1])
                    )
                    break  # one finding per object
            for key, member in reversed(item):
                stack.append((member, (where, key)))
        elif isinstance(item, list):
            for index in range(len(item) - 1, -1, -1):
                stack.append((item[index], (where, index)))


def _number_finding(token: Num, where: JsonPath) -> Violation | None:
    if token.is_float_literal:
        try:
            intended = float(token)
            written = format_float(intended)
        except (OverflowError, ValueError):
            return None  # 1e400 and friends: out of range, the contract reports it
        if written != token:
            return DRIFT_NUMBER_FORM.at(where, "float", value=excerpt(token), written=written)
        if float_roundtrip():  # the consumers read every float correctly rounded
            return None
        try:
            reread = parse_number(token)
        except NumberRangeError:
            return None
        if isinstance(reread, float) and f64_bits(reread) != f64_bits(intended):
            return _float_roundtrip(where, token, reread)
        return None
    # 21 digits and more are past u64 either way (and int() refuses 4,300 and more).
    number = int(token) if len(token.lstrip("-")) <= 20 else U64_MAX + 1
    if I64_MIN <= number <= U64_MAX:
        if token == "-0":
            return DRIFT_NUMBER_FORM.at(where, "negative-zero")
        return None
    try:
        as_float = number_reader(float_roundtrip())(token)  # what the consumers' serde_json holds
    except NumberRangeError:
        return None
    return DRIFT_NUMBER_FORM.at(where, "beyond-u64", value=excerpt(token), written=format_float(float(as_float)))


def _float_roundtrip(where: JsonPath, token: str, reread: float) -> Violation:
    return DRIFT_FLOAT_ROUNDTRIP.at(where, value=token, reread=format_float(reread))


def float_roundtrip_findings(misreads: Iterable[tuple[JsonPath, str, float]]) -> list[Violation]:
    """What conform finds in a document whose bytes are serde_json's own but for float tokens its
    default parser misreads, given as (path, token, the double it reads) in document order: one
    warning each, none when the consumers read floats correctly rounded (`float_roundtrip`)."""
    if float_roundtrip():
        return []
    return [_float_roundtrip(path, token, reread) for path, token, reread in misreads]


# --- pass 2: the bytes -----------------------------------------------------------------------

# The tokens of a document that lexes (so no error handling is needed): strings with their
# raw escapes, numbers, literals, punctuation, and runs of JSON whitespace. The string's
# repeats are possessive: a backtracking repeat keeps a state per step, gigabytes for a string of
# ten million escapes.
_TOKEN = re.compile(
    rb'(?P<ws>[ \t\n\r]+)|(?P<str>"(?:[^"\\]++|\\.)*+")|(?P<punct>[{}\[\]:,])|(?P<atom>[^ \t\n\r{}\[\]:,"]+)',
    re.DOTALL,
)


def _lexical_findings(data: bytes) -> list[Violation]:
    # One trailing newline is not drift: files end with one and canonical allows it. The tokens
    # stop before it (a copy of the document without it would be a second one).
    found: list[Violation] = []
    whitespace_reported = False
    for kind, start, end, step in _tokens(data, len(data) - 1 if data.endswith(b"\n") else len(data)):
        if kind == "ws" and not whitespace_reported:
            shown = data[start:end].decode("ascii")
            found.append(DRIFT_WHITESPACE_FORM.at(_spelled(step), whitespace=shown, offset=start))
            whitespace_reported = True  # one finding per document: pretty-printing repeats it
        elif kind in ("key", "str") and data.find(b"\\", start, end) >= 0:  # no escape: serde's form
            finding = _escape_finding(data, start, end, (), is_key=kind == "key")
            if finding is not None:  # the path spelled out only for a finding
                found.append(dataclasses.replace(finding, path=_spelled(step)))
    return found


def _escape_finding(data: bytes, start: int, end: int, pointer: JsonPath, *, is_key: bool) -> Violation | None:
    """The escape-form finding for the string token `data[start:end]`, if serde_json writes it otherwise."""
    raw = memoryview(data)[start:end]  # a view: a 60 MB string is read from the document's bytes, not a copy
    deferred = deferred_string(data, start, end) if end - start > _LONG_STRING_BYTES else None
    if deferred is not None:
        # Compared a piece at a time: the decoded string and serde_json's form of it would be two
        # more copies of it. Only the start of serde_json's form is kept, for the message.
        head = b'"'
        differs = False
        for piece, text in written_pieces(deferred):
            written = text.encode("utf-8")
            differs = differs or written != piece
            if len(head) < _SHOWN_BYTES:
                head += written
            elif differs:
                break  # the rest of serde_json's form is past what the message shows
        else:
            head += b'"'
        if not differs:
            return None
        expected: bytes | memoryview = head
    else:
        try:
            decoded = json.loads(str(raw, "utf-8"))
            expected = quote(decoded).encode("utf-8")
        except (ValueError, EncodeError):
            return None  # invalid UTF-8 or a lone surrogate: the contract reports it
        if raw == expected:
            return None
    form = "key" if is_key else "string"
    return DRIFT_ESCAPE_FORM.at(pointer, form, written=_clip(raw), offset=start, expected=_clip(expected))


_LONG_STRING_BYTES = 2**20  # a longer string token is compared with serde_json's form in pieces


_SHOWN = 40  # characters of a string a message shows
_SHOWN_BYTES = 4 * _SHOWN + 8  # the bytes `_clip` reads for them


def _clip(raw: bytes | memoryview) -> str:
    return repr(clip(str(raw[:_SHOWN_BYTES], "utf-8", "backslashreplace"), _SHOWN))


def _tokens(data: bytes, stop: int | None = None) -> Iterator[tuple[str, int, int, _Step]]:
    """(kind, start, end, path) for each token of `data[:stop]`; kind is ws, key, str, open ('{'
    '['), punct or atom.

    The path (a `_Step`) is that of the value the token belongs to (a key's path is its
    member's); whitespace gets the path of the container or member it sits in.
    """
    # Each frame: [path of the container, is_object, current array index].
    stack: list[list[Any]] = []
    expect_key = False
    here: _Step = ()
    for match in _TOKEN.finditer(data, 0, len(data) if stop is None else stop):
        kind = match.lastgroup or "atom"
        start, end = match.span()
        if kind == "ws":
            yield "ws", start, end, here
            continue
        if kind == "punct":
            char = data[start : start + 1]
            if char in b"{[":
                yield "open", start, end, here
                stack.append([here, char == b"{", 0])
                expect_key = char == b"{"
                if not expect_key:
                    here = (stack[-1][0], 0)
                continue
            if char in b"}]":
                frame = stack.pop()
                here = frame[0]
            elif char == b",":
                frame = stack[-1]
                if frame[1]:
                    expect_key = True
                    here = frame[0]
                else:
                    frame[2] += 1
                    here = (frame[0], frame[2])
            yield "punct", start, end, here
            continue
        if kind == "str" and expect_key:
            try:
                key = json.loads(data[start:end].decode("utf-8", "surrogateescape"))
            except ValueError:
                key = data[start + 1 : end - 1].decode("utf-8", "replace")
            here = (stack[-1][0], key)
            expect_key = False
            yield "key", start, end, here
            continue
        yield kind, start, end, here


def path_offset(data: bytes, path: JsonPath) -> int | None:
    """Byte offset where the value (or member key) at `path` starts, for excerpts in reports."""
    if not path:
        return 0
    for kind, start, _end, where in _tokens(data):
        if kind in ("open", "key", "str", "atom") and _is_path(where, path):
            return start
    return None
