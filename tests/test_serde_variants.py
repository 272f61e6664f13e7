"""Serde attributes against compiled serde: one harness variant per attribute the schema can express.

Each variant is the schema with one field's (or the container's) serde attributes changed. The
Rust harness is rendered from that schema by the generator `make gen` uses (event.rs, fields.rs)
and built; the fixtures are the ones `make gen` derives per field from that schema
(`fixturegen.systematic`); then, document by document, serde_json's verdict and the bytes it
writes back must be what the Python side says for the same schema: the serde profile's verdict
and `encode_values(field_values(...))` under serde's number reading.

The variants: the schema as it is; an `Option` without `default` (absent = None, null = None, in
an object; the sequence form needs it), with `default` but no `skip_serializing_if` (None written
as null), with `skip_serializing_if` but no `default`; several aliases; no alias.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness import build_variant, rust_check
from noetl_envelope.fixturegen.systematic import systematic_cases, typical_value
from noetl_envelope.model.codec import encode_values, field_values
from noetl_envelope.model.schema import FieldSpec, field_specs, load_schema
from noetl_envelope.profiles import serde
from noetl_envelope.wire.lexer import LexError, scan
from noetl_envelope.wire.numbers import parse_number

pytestmark = [pytest.mark.slow, pytest.mark.rust]

ROOT = Path(__file__).resolve().parents[1]
SPECS = field_specs()


def _first(pred: Callable[[FieldSpec], bool]) -> str:
    return next(spec.name for spec in SPECS if pred(spec))


def _set_serde(pick: Callable[[FieldSpec], bool], serde_attrs: dict[str, Any]) -> Callable[[dict[str, Any]], str]:
    def edit(schema: dict[str, Any]) -> str:
        name = _first(pick)
        schema["properties"][name]["x-serde"] = serde_attrs
        return name

    return edit


def _is_option(spec: FieldSpec) -> bool:
    return spec.optional


def _is_required_value(spec: FieldSpec) -> bool:
    return spec.required and spec.inner.free_form


# name -> the edit (returns the field it changed, "" for none)
VARIANTS: dict[str, Callable[[dict[str, Any]], str]] = {
    "as-is": lambda schema: "",
    "option-without-default": _set_serde(_is_option, {}),
    "option-default-without-skip": _set_serde(_is_option, {"default": True}),
    "option-skip-without-default": _set_serde(_is_option, {"skip_serializing_if": "Option::is_none"}),
    "several-aliases": _set_serde(_is_required_value, {"alias": ["payload", "body", "data"]}),
    "no-alias": _set_serde(_is_required_value, {}),
}


def _variant_schema(name: str) -> tuple[dict[str, Any], str]:
    schema = copy.deepcopy(load_schema())
    changed = VARIANTS[name](schema)
    return schema, changed


@pytest.fixture(scope="module")
def binaries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("variants")
    target = base / "target"
    return {name: build_variant(base / name, _variant_schema(name)[0], target) for name in VARIANTS}


def python_verdict(doc: bytes, specs: tuple[FieldSpec, ...]) -> bytes | None:
    """What the Python serde profile says serde_json writes back for `doc`, None if it rejects it."""
    try:
        tree = scan(doc)
    except LexError:
        return None
    violations, binding = serde.check(tree, specs)
    if violations:
        return None
    return encode_values(field_values(binding, parse_number, specs), specs)


def _documents(schema: dict[str, Any], changed: str) -> list[tuple[str, bytes]]:
    docs = [(case.name, case.document) for case in systematic_cases(schema)]
    if changed:
        # The sequence form with the changed field left off the end (and every later one).
        specs = field_specs(schema)
        index = [spec.name for spec in specs].index(changed)
        values = [typical_value(spec) for spec in specs]
        docs.append((f"sequence-without-{changed}", ("[" + ",".join(values[:index]) + "]").encode()))
        docs.append((f"sequence-with-{changed}-null", ("[" + ",".join([*values[:index], "null"]) + "]").encode()))
    return docs


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_verdicts_and_bytes_agree_with_python(binaries: dict[str, Path], name: str) -> None:
    schema, changed = _variant_schema(name)
    specs = field_specs(schema)
    docs = _documents(schema, changed)
    verdicts = rust_check([doc for _, doc in docs], harness=binaries[name])
    disagreements = []
    for (case, doc), rust in zip(docs, verdicts, strict=True):
        python = python_verdict(doc, specs)
        if python != rust.output:
            disagreements.append((case, doc[:200], python, rust.output, rust.error))
    assert not disagreements, disagreements[:5]
    # Not vacuous: the changed field's presence cases are among them, and serde accepts some.
    assert sum(rust.accepted for rust in verdicts) > 10
    if changed:
        assert any(case.startswith(f"{changed}.") for case, _ in docs)


def test_option_without_default_reads_absent_and_null_as_none() -> None:
    schema, changed = _variant_schema("option-without-default")
    specs = field_specs(schema)
    base = [(spec.name, typical_value(spec)) for spec in specs]
    without = "{" + ",".join(f'"{k}":{v}' for k, v in base if k != changed) + "}"
    null = "{" + ",".join(f'"{k}":{"null" if k == changed else v}' for k, v in base) + "}"
    for doc in (without, null):
        written = python_verdict(doc.encode(), specs)
        assert written is not None, doc
        assert f'"{changed}":null'.encode() in written  # no skip_serializing_if: None is written as null
