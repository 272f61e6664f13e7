"""Test documents from the schema: a typical envelope, and hand-written 0.3.1 documents completed.

Many tests spell a document out byte for byte because the bytes are the point (a number form, an
escape, a key order). They are written against the fields of 0.3.1
(schema/releases/0.3.1.schema.json). `complete` adds what the working schema requires beyond
that release (a typical value per added required field, in declaration order), so such a
document stays what the test means after a contributor adds a field: the drill
(scripts/drill.py) adds a required one and runs every test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from noetl_envelope.fixturegen.systematic import typical_value
from noetl_envelope.model.rusttypes import key
from noetl_envelope.model.schema import FieldSpec, field_specs

ROOT = Path(__file__).resolve().parents[1]
BASELINE_VERSION = "0.3.1"
BASELINE_FILE = ROOT / "schema" / "releases" / f"{BASELINE_VERSION}.schema.json"


def baseline_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(BASELINE_FILE.read_text(encoding="utf-8"))
    return loaded


BASELINE_FIELDS: tuple[str, ...] = tuple(baseline_schema()["properties"])
SPECS: tuple[FieldSpec, ...] = field_specs()
ADDED: tuple[FieldSpec, ...] = tuple(spec for spec in SPECS if spec.name not in BASELINE_FIELDS)
ADDED_REQUIRED: tuple[FieldSpec, ...] = tuple(spec for spec in ADDED if spec.required)


def _added_last() -> None:
    names = [spec.name for spec in SPECS]
    kept = [name for name in names if name in BASELINE_FIELDS]
    if names[: len(kept)] != kept:
        raise AssertionError(
            "tests/envelope.py completes 0.3.1 documents by appending the added fields, so they must be "
            f"declared after the 0.3.1 ones (schema order: {names})"
        )


_added_last()


def members(spec: FieldSpec) -> bytes:
    """`"name":value` for the field's typical value."""
    return f"{key(spec.name)}:{typical_value(spec)}".encode()


ADDED_MEMBERS: bytes = b"".join(b"," + members(spec) for spec in ADDED_REQUIRED)


def complete(doc: bytes) -> bytes:
    """`doc`, an object written against 0.3.1's fields (its last `}` closes it), with the fields the
    working schema requires beyond 0.3.1 appended before that brace; unchanged for 0.3.1 itself."""
    if not ADDED_MEMBERS:
        return doc
    end = doc.rindex(b"}")
    return doc[:end] + ADDED_MEMBERS + doc[end:]


def complete_seq(elements: list[bytes]) -> list[bytes]:
    """Serde's sequence form of a full 0.3.1 event (one raw value per 0.3.1 field) extended to every
    field of the working schema: typical values for the added ones."""
    assert len(elements) == len(BASELINE_FIELDS), elements
    return [*elements, *(typical_value(spec).encode() for spec in ADDED)]


def complete_seq_prefix(elements: list[bytes]) -> list[bytes]:
    """Serde's sequence form of a 0.3.1 event cut short (the values of its first fields; serde's
    derive fills the left-out `default` ones), extended as `complete_seq` does when the working
    schema requires a field beyond 0.3.1: the left-out 0.3.1 fields as null, which only an
    `Option` accepts (so they must be optional in 0.3.1). Unchanged otherwise."""
    if not ADDED_REQUIRED:
        return elements
    assert len(elements) <= len(BASELINE_FIELDS), elements
    left_out = BASELINE_FIELDS[len(elements) :]
    assert not set(left_out) & set(baseline_schema()["required"]), left_out
    return complete_seq([*elements, *(b"null" for _ in left_out)])


def bundled_samples() -> list[bytes]:
    """fixtures/samples/events.ndjson: emitted by the harness struct of the working schema (`make gen`),
    so every line already carries each field that schema requires."""
    data = (ROOT / "fixtures" / "samples" / "events.ndjson").read_bytes()
    return [line for line in data.split(b"\n") if line]


def typical_event() -> Any:
    """`typical_document()` decoded: an ExecutorEvent with a typical value in every field."""
    from noetl_envelope import decode

    return decode(typical_document())


def typical_document() -> bytes:
    """Every field of the working schema with its typical value, in declaration order."""
    return b"{" + b",".join(members(spec) for spec in SPECS) + b"}"
