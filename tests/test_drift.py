"""Drift detection: each drift class on hand-made documents, then end to end on real drifted Rust.

The unit part mutates one canonical document per class and checks the class (and its pointer)
is named, and that the canonical document has no finding at all. The slow part copies rust/
into temporary crates, patches the struct the way a Rust service drifts (a field added, one
renamed, one retyped, two reordered, an Option written as null), builds each variant, and runs
`conform --producer rust` on what it emits: exit 1 and the expected class for each variant,
exit 0 for the unpatched copy.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from envelope import complete
from harness import build_variant
from noetl_envelope import encode
from noetl_envelope.core.rules import all_rules
from noetl_envelope.engines.reference import run
from noetl_envelope.fixturegen.samples import events
from noetl_envelope.generate.rust_struct import render_rust
from noetl_envelope.model.schema import FieldSpec, field_specs, load_schema
from noetl_envelope.profiles.drift import CLASSES, classify, path_offset

RULES = all_rules()

BASE = complete(
    b'{"execution_id":1,"event_type":"step.enter","step":"s","status":"PENDING",'
    b'"created_at":"2024-01-01T00:00:00.100Z","context":{"a":1,"b":[1.5,"x"]},"event_id":7}'
)


def _rules(doc: bytes) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for violation in classify(doc):
        found.setdefault(violation.rule, []).append(violation.pointer)
    return found


def test_the_canonical_base_has_no_drift() -> None:
    assert run(BASE, "canonical").violations == []
    assert classify(BASE) == []
    assert classify(BASE + b"\n") == []  # one trailing newline is allowed, as for canonical


@pytest.mark.parametrize(
    ("old", "new", "rule", "pointer"),
    [
        (b'"event_id":7', b'"event_id":7,"trace":1', "drift.unknown-field", "/trace"),
        (b'"step":"s",', b"", "drift.missing-field", "/step"),
        (b'"context":', b'"payload":', "drift.alias-used", "/payload"),
        (b'"event_id":7', b'"event_id":"7"', "drift.type-change", "/event_id"),
        (b'"execution_id":1', b'"execution_id":"1"', "drift.type-change", "/execution_id"),
        (b'"context":{"a":1,', b'"context":{"a":"1",', None, None),  # inside a Value anything goes
        (b'"step":"s","status":"PENDING"', b'"status":"PENDING","step":"s"', "drift.field-order", "/step"),
        (b'"event_id":7', b'"event_id":null', "drift.null-instead-of-absent", "/event_id"),
        (b"00:00:00.100Z", b"00:00:00.1Z", "drift.timestamp-form", "/created_at"),
        (b"00:00:00.100Z", b"00:00:00.100+00:00", "drift.timestamp-form", "/created_at"),
        (b"2024-01-01T00", b"2024-01-01 00", "drift.timestamp-form", "/created_at"),
        (b'"execution_id":1', b'"execution_id":1.0', "drift.number-form", "/execution_id"),
        (b'"execution_id":1', b'"execution_id":1e3', "drift.number-form", "/execution_id"),
        (b'"execution_id":1', b'"execution_id":1.5', "drift.type-change", "/execution_id"),  # an f64 now
        (b'"a":1', b'"a":1E0', "drift.number-form", "/context/a"),
        (b"[1.5,", b"[1.50,", "drift.number-form", "/context/b/0"),
        (b"[1.5,", b"[15e-1,", "drift.number-form", "/context/b/0"),
        (b"[1.5,", b"[-0,", "drift.number-form", "/context/b/0"),
        (b"[1.5,", b"[18446744073709551616,", "drift.number-form", "/context/b/0"),
        # Written in serde_json's form, but its parser reads it back as the neighbouring f64.
        (b"[1.5,", b"[6.600983877804657e+286,", "drift.float-roundtrip", "/context/b/0"),
        (b'{"a":1,"b":', b'{"b":', None, None),
        (b'{"a":1,"b":[1.5,"x"]}', b'{"b":[1.5,"x"],"a":1}', "drift.key-order", "/context/a"),
        (b'"step":"s"', b'"step": "s"', "drift.whitespace-form", "/step"),
        (b'"x"]', b'"x"]\r', "drift.whitespace-form", "/context/b"),
        (b'"step":"s"', b'"step":"\\u0073"', "drift.escape-form", "/step"),
        (b'"step":"s"', b'"step":"a\\/b"', "drift.escape-form", "/step"),
        (b'"step":"s"', b'"step":"\\u001F"', "drift.escape-form", "/step"),  # serde writes \u001f
        (b'"step":"s"', b'"step":"\\u00e9"', "drift.escape-form", "/step"),
        (b'{"a":1', b'{"\\u0061":1', "drift.escape-form", "/context/a"),
    ],
)
def test_each_class_is_named_with_its_pointer(old: bytes, new: bytes, rule: str | None, pointer: str | None) -> None:
    assert BASE.count(old) == 1, old
    doc = BASE.replace(old, new)
    found = _rules(doc)
    if rule is None:  # a still-canonical variation: no class, and canonical agrees
        assert found == {}, found
        assert run(doc, "canonical").violations == []
        return
    assert rule in found, found
    assert pointer in found[rule], found
    # Every class names a non-canonical document.
    assert run(doc, "canonical").violations != []


def test_classes_are_registered_rules() -> None:
    assert set(CLASSES) <= set(RULES)
    assert {rule for rule in RULES if rule.startswith("drift.")} == set(CLASSES)


def test_a_pretty_printed_document_gets_one_whitespace_finding() -> None:
    pretty = json.dumps(json.loads(BASE), indent=2).encode()
    found = classify(pretty)
    assert [v.rule for v in found].count("drift.whitespace-form") == 1


def test_documents_that_do_not_lex_have_no_drift() -> None:
    assert classify(b'{"execution_id":') == []
    assert classify(b"") == []


def test_path_offset_finds_members_and_nested_values() -> None:
    # A member's offset is its key's: the excerpt shows the name and the value.
    assert BASE[path_offset(BASE, ("step",)) or 0 :].startswith(b'"step":"s"')
    assert BASE[path_offset(BASE, ("context", "b", 1)) or 0 :].startswith(b'"x"]')
    assert path_offset(BASE, ()) == 0
    assert path_offset(BASE, ("nope",)) is None


def test_drift_agrees_with_canonical_on_valid_documents() -> None:
    # For contract-valid documents: no drift finding exactly when the bytes are canonical.
    variants = [encode(e) for e in events(150, seed=11)]
    variants += [doc.replace(b'":', b'": ', 1) for doc in variants[:30]]
    variants += [doc.replace(b',"context":', b',"payload":') for doc in variants[:30]]
    for doc in variants:
        if run(doc, "contract").violations:
            continue
        canonical = run(doc, "canonical").violations
        assert (classify(doc) == []) == (canonical == []), (doc[:200], canonical)


# --- end to end: drifted Rust structs ------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
SPECS = field_specs()


def _first(pred: Callable[[FieldSpec], bool]) -> str:
    return next(spec.name for spec in SPECS if pred(spec))


def _add_field(schema: dict[str, Any]) -> None:
    # A field the service added to its struct, not (yet) to the schema: a required String.
    schema["properties"]["drift_added"] = {"type": "string", "x-rust-type": "String", "x-serde": {}}
    schema["required"].append("drift_added")


def _rename_field(schema: dict[str, Any]) -> None:
    # The Rust field (so its wire name) renamed: the first required String field gets a new name.
    name = _first(lambda s: s.required and s.rust_type == "String")
    props = schema["properties"]
    schema["properties"] = {("drift_renamed" if k == name else k): v for k, v in props.items()}
    schema["required"] = [("drift_renamed" if k == name else k) for k in schema["required"]]


def _retype_field(schema: dict[str, Any]) -> None:
    # An integer field turned into a String.
    name = _first(lambda s: s.required and s.inner.integer_range is not None)
    prop = schema["properties"][name]
    for key in ("minimum", "maximum"):
        prop.pop(key, None)
    prop.update({"type": "string", "x-rust-type": "String"})


def _reorder_fields(schema: dict[str, Any]) -> None:
    # The first two required fields swapped in the struct.
    first, second = [s.name for s in SPECS if s.required][:2]
    items = list(schema["properties"].items())
    i, j = [k for k, _ in items].index(first), [k for k, _ in items].index(second)
    items[i], items[j] = items[j], items[i]
    schema["properties"] = dict(items)


def _option_as_null(schema: dict[str, Any]) -> None:
    # An Option field that lost `skip_serializing_if`: None is written as null.
    name = _first(lambda s: s.optional and s.skip_if_none)
    schema["properties"][name]["x-serde"].pop("skip_serializing_if")


# name -> (the drift applied to a copy of the schema, the class the variant must show). The
# drifted crate is rust/ with event.rs and fields.rs rendered from the drifted schema by the
# generator `make gen` uses, so the variants follow the schema, whatever fields it has.
VARIANTS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "field-added": (_add_field, "drift.unknown-field"),
    "field-renamed": (_rename_field, "drift.missing-field"),
    "field-retyped": (_retype_field, "drift.type-change"),
    "fields-reordered": (_reorder_fields, "drift.field-order"),
    "option-as-null": (_option_as_null, "drift.null-instead-of-absent"),
}
SECOND_CLASS = {"field-renamed": "drift.unknown-field"}  # a rename is an unknown plus a missing field


def _drifted_schema(drift: Callable[[dict[str, Any]], None] | None) -> dict[str, Any]:
    schema = copy.deepcopy(load_schema())
    if drift is not None:
        drift(schema)
    else:  # the unpatched copy is the committed harness
        assert all((ROOT / rel).read_text(encoding="utf-8") == text for rel, text in render_rust(schema).items())
    return schema


def _conform(binary: Path, work: Path) -> tuple[int, dict[str, object]]:
    emitted = subprocess.run(
        [str(binary), "emit", "--contract", "--count", "200", "--seed", "3"], capture_output=True, check=True
    ).stdout
    sample = work / f"{binary.parent.name}.ndjson"
    sample.write_bytes(emitted)
    proc = subprocess.run(
        [sys.executable, "-m", "noetl_envelope", "conform", "--producer", "rust", "--format", "json", str(sample)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode in (0, 1), proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 201, proc.stderr
    summary = json.loads(lines[-1])["summary"]
    return proc.returncode, summary


@pytest.fixture(scope="module")
def built_variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("drift")
    target = base / "target"
    binaries = {"unpatched": build_variant(base / "unpatched", _drifted_schema(None), target)}
    for name, (drift, _rule) in VARIANTS.items():
        binaries[name] = build_variant(base / name, _drifted_schema(drift), target)
    return binaries


@pytest.mark.slow
@pytest.mark.rust
def test_unpatched_copy_conforms(built_variants: dict[str, Path], tmp_path: Path) -> None:
    code, summary = _conform(built_variants["unpatched"], tmp_path)
    assert code == 0, summary
    assert summary["invalid"] == 0 and summary["classes"] == {}


@pytest.mark.slow
@pytest.mark.rust
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_drifted_struct_is_caught_with_its_class(built_variants: dict[str, Path], tmp_path: Path, name: str) -> None:
    code, summary = _conform(built_variants[name], tmp_path)
    assert code == 1
    classes = summary["classes"]
    assert isinstance(classes, dict)
    expected = VARIANTS[name][1]
    assert expected in classes, sorted(classes)
    if name in SECOND_CLASS:
        assert SECOND_CLASS[name] in classes, sorted(classes)
    example = classes[expected]["example"]
    assert example["line"] >= 1 and example["bytes"], example
