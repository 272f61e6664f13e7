"""Serde attributes against compiled serde: one harness variant per attribute the schema can express.

Each variant is the schema with one field's (or the container's) serde attributes changed. The
Rust harness is rendered from that schema by the generator `make gen` uses (event.rs, fields.rs)
and built; the fixtures are the ones `make gen` derives per field from that schema
(`fixturegen.systematic`); then, document by document, serde_json's verdict and the bytes it
writes back must be what the Python side says for the same schema: the serde profile's verdict
and `encode_values(field_values(...))` under serde's number reading.

The variants: the schema as it is; an `Option` without `default` (absent = None, null = None, in
an object; the sequence form needs it), with `default` but no `skip_serializing_if` (None written
as null), with `skip_serializing_if` but no `default`; several aliases; no alias; `rename` of a
field, and `rename` together with an alias; `default` on every non-Option field (each Rust type's
`Default::default()`, in an object and at the end of the sequence form); `deny_unknown_fields`;
`rename_all` with each of serde's eight cases, and camelCase together with `rename` (which wins),
an alias (which `rename_all` leaves alone) and `deny_unknown_fields`.
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
from noetl_envelope.model.serde_names import RENAME_ALL
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


def _add_serde(pick: Callable[[FieldSpec], bool], serde_attrs: dict[str, Any]) -> Callable[[dict[str, Any]], str]:
    """Like `_set_serde`, keeping the field's other attributes."""

    def edit(schema: dict[str, Any]) -> str:
        name = _first(pick)
        schema["properties"][name]["x-serde"] = {**schema["properties"][name].get("x-serde", {}), **serde_attrs}
        return name

    return edit


def _container(**attrs: Any) -> Callable[[dict[str, Any]], str]:
    def edit(schema: dict[str, Any]) -> str:
        schema["x-serde-container"] = {**schema.get("x-serde-container", {}), **attrs}
        return ""

    return edit


def _default_on_every_required(schema: dict[str, Any]) -> str:
    for spec in SPECS:
        if not spec.optional:
            prop = schema["properties"][spec.name]
            prop["x-serde"] = {**prop.get("x-serde", {}), "default": True}
    return ""


def _camel_case_with_rename_alias_and_deny(schema: dict[str, Any]) -> str:
    _container(rename_all="camelCase", deny_unknown_fields=True)(schema)
    # Two-word names, so that camelCase changes them.
    _add_serde(lambda s: "_" in s.name and s.required and not s.aliases, {"rename": "renamed_one"})(schema)
    _add_serde(lambda s: "_" in s.name and s.optional, {"alias": ["old_name"]})(schema)
    return ""


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
    "rename": _add_serde(lambda s: s.required and s.inner.name == "String", {"rename": "renamedKey"}),
    "rename-and-alias": _add_serde(_is_required_value, {"rename": "body"}),
    "default-on-every-required-field": _default_on_every_required,
    "deny-unknown-fields": _container(deny_unknown_fields=True),
    "rename-all-camel-case-with-rename-alias-and-deny": _camel_case_with_rename_alias_and_deny,
    **{f"rename-all-{case}": _container(rename_all=case) for case in RENAME_ALL},
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
    # The schema as it is has cases the variant lacks (an alias it dropped, the old key names).
    docs += [(f"as-is:{case.name}", case.document) for case in systematic_cases(load_schema())]
    specs = field_specs(schema)
    values = [typical_value(spec) for spec in specs]
    # The sequence form cut after each field, and with one element too many.
    for end in range(len(values) + 1):
        docs.append((f"sequence-of-{end}", ("[" + ",".join(values[:end]) + "]").encode()))
    docs.append(("sequence-too-long", ("[" + ",".join([*values, "1"]) + "]").encode()))
    # Every field under its Rust name, and an undeclared key first (deny_unknown_fields fails early).
    members = [f'"{spec.name}":{value}' for spec, value in zip(specs, values, strict=True)]
    docs.append(("rust-names", ("{" + ",".join(members) + "}").encode()))
    wire = [f'"{spec.wire}":{value}' for spec, value in zip(specs, values, strict=True)]
    docs.append(("undeclared-first", ("{" + ",".join(['"zz":1', *wire]) + "}").encode()))
    if changed:
        # The sequence form with the changed field left off the end (and every later one).
        index = [spec.name for spec in specs].index(changed)
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
    if _observable(name, specs, changed):
        # The attribute shows: serde answers some document otherwise than for the schema as it is.
        plain = field_specs(load_schema())
        assert any(python_verdict(doc, plain) != rust.output for (_, doc), rust in zip(docs, verdicts, strict=True))
    elif name == "option-skip-without-default":
        # Where no document can show it, the variant's struct still carries it as the schema says.
        (attribute,) = [line for line in _struct_lines(schema, changed) if line.startswith("#[serde(")]
        assert attribute == '#[serde(skip_serializing_if = "Option::is_none")]', attribute


def _observable(name: str, specs: tuple[FieldSpec, ...], changed: str) -> bool:
    """Whether some document tells the variant's serde from the schema as it is's serde.

    Not for the schema as it is, nor for lowercase and snake_case `rename_all` (they leave snake_case
    names as they are). A `default` dropped from an `Option` (`option-skip-without-default`, which
    keeps `skip_serializing_if`) shows only in the sequence form, as a sequence ending before the
    field: serde reads a missing Option as None in an object either way. Such a sequence exists
    only when every later field has a default (a later required field, such as the drill's, must
    come after it in the sequence, and so the field before it)."""
    if name in ("as-is", "rename-all-lowercase", "rename-all-snake_case"):
        return False
    if name == "option-skip-without-default":
        names = [spec.name for spec in specs]
        return all(spec.serde_default for spec in specs[names.index(changed) + 1 :])
    return True


def _struct_lines(schema: dict[str, Any], field: str) -> list[str]:
    """The lines of the variant's generated struct that declare `field`: its attributes and itself."""
    from noetl_envelope.generate.rust_struct import render_rust

    (source,) = [text for rel, text in render_rust(schema).items() if rel.endswith("event.rs")]
    lines = [line.strip() for line in source.splitlines() if not line.strip().startswith("//")]
    end = next(i for i, line in enumerate(lines) if line.startswith(f"pub {field}: "))
    start = end
    while lines[start - 1].startswith("#["):
        start -= 1
    return lines[start : end + 1]


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
