"""Cases derived from the schema alone: for every field, the boundaries of its Rust type.

Each field starts from a canonical base envelope (a typical value per field, in declaration
order) and is varied alone: the boundary cases of its Rust type (the `variants` of the inner
`x-rust-type`'s entry in `model.rusttypes`), the wrong JSON types, absent / null / duplicated, an
escaped or differently cased key, its position, its serde aliases, its Rust name where `rename` /
`rename_all` give it another wire name, and its schema `enum`. Keys are wire names. A field
added to the schema therefore gets its fixtures with no hand work; a new Rust type brings its
variants in its own entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from noetl_envelope.fixturegen.cases import Case, Member, render_object, replace
from noetl_envelope.model.rusttypes import key
from noetl_envelope.model.schema import FieldSpec, field_specs

# What each systematic category holds; the manifest lists these next to the catalogue's.
CATEGORIES = {
    "numbers": "Integers at and beyond the bounds of a Rust integer type, and numbers serde_json reads as floats.",
    "strings": "Escapes, Unicode, control characters, surrogates and invalid UTF-8 in a Rust String.",
    "timestamps": "chrono's DateTime<Utc> grammar: fraction digits, offsets, leap seconds, calendar limits.",
    "values": "serde_json::Value: float forms, big integers, key order and duplicate keys.",
    "nesting": "Nesting at and beyond serde_json's recursion limit.",
    "types": "A JSON type the field's Rust type or schema type does not take.",
    "presence": "A field absent or null: required vs Option (null and absent both mean None).",
    "duplicates-and-aliases": "A field twice, under an escaped key, or under its serde alias.",
    "structure": "Key spelling and position: unknown keys are skipped, order decides canonical bytes.",
    "enums": "Each value of a closed `enum`, and one outside it.",
}

# One sample of each JSON type, for the wrong-type cases.
_JSON_TYPES = {
    "boolean": "true",
    "integer": "7",
    "float": "1.5",
    "string": '"text"',
    "array": "[]",
    "object": "{}",
}


def typical_value(spec: FieldSpec) -> str:
    """A raw value the field accepts under every profile, for the base envelope."""
    return spec.inner.typical(spec.schema, spec.name)


def _json_type(raw: str) -> str:
    """The JSON type of a raw value, named as in `_JSON_TYPES`."""
    first = raw[:1]
    named = {'"': "string", "{": "object", "[": "array", "t": "boolean", "f": "boolean", "n": "null"}
    if first in named:
        return named[first]
    return "float" if any(c in raw for c in ".eE") else "integer"


def systematic_cases(schema: dict[str, Any] | None = None) -> list[Case]:
    """Every derived case for every field of `schema` (default: the package's schema)."""
    specs = field_specs(schema)
    base: list[Member] = [(key(spec.wire), typical_value(spec)) for spec in specs]
    cases: list[Case] = []
    for index, spec in enumerate(specs):
        for suffix, members, description, category in _field_variants(spec, index, base, specs.deny_unknown_fields):
            cases.append(
                Case(
                    name=f"{spec.name}.{suffix}",
                    category=category,
                    description=f"{spec.name} ({spec.rust_type}): {description}",
                    source="systematic",
                    document=render_object(members),
                    field=spec.name,
                )
            )
    return cases


def _field_variants(
    spec: FieldSpec, index: int, base: list[Member], deny_unknown: bool
) -> Iterator[tuple[str, list[Member], str, str]]:
    name = key(spec.wire)
    for variant in spec.inner.variants:
        yield variant.suffix, replace(base, name, variant.raw), variant.description, variant.category
    for value in spec.schema.get("enum") or ():
        text = str(value)
        yield f"enum-{text.lower()}", replace(base, name, key(text)), f"{text!r}, one of the enum", "enums"
    if spec.schema.get("enum"):
        outside = str(spec.schema["enum"][0]).lower()
        if outside not in spec.schema["enum"]:
            yield "enum-outside", replace(base, name, key(outside)), f"{outside!r}: not in the enum", "enums"

    own_type = _json_type(base[index][1])
    for type_name, sample in _JSON_TYPES.items():
        if type_name != own_type:
            yield f"type-{type_name}", replace(base, name, sample), f"a JSON {type_name}", "types"

    without = base[:index] + base[index + 1 :]
    if spec.optional:
        written = "omitted when written" if spec.skip_if_none else "written back as null (no skip_serializing_if)"
        yield "absent", without, f"absent: None, and {written}", "presence"
        yield "null", replace(base, name, "null"), f"null: None like absent, so {written}", "presence"
    elif spec.serde_default:
        yield "absent", without, "absent: serde's default fills Default::default() of its type", "presence"
    else:
        yield "absent", without, "absent: a required field is missing", "presence"
        yield "null", replace(base, name, "null"), "null for a required field", "presence"

    yield "duplicate", [*base, base[index]], "the field twice: a duplicate struct field", "duplicates-and-aliases"
    escaped = '"\\u' + f"{ord(spec.wire[0]):04x}" + name[2:]
    yield (
        "key-escaped",
        [(escaped if k == name else k, v) for k, v in base],
        f"the key written {escaped}: serde decodes it to the field name",
        "duplicates-and-aliases",
    )
    for alias in spec.aliases:
        renamed = [(key(alias) if k == name else k, v) for k, v in base]
        yield f"alias-{alias}", renamed, f"under its serde alias {alias!r}", "duplicates-and-aliases"
        yield (
            f"alias-{alias}-and-name",
            [*base, (key(alias), base[index][1])],
            f"under its name and its alias {alias!r}: a duplicate field",
            "duplicates-and-aliases",
        )
    unknown = "refused under deny_unknown_fields" if deny_unknown else "skipped by serde"
    if spec.wire != spec.name:
        rust_name = [(key(spec.name) if k == name else k, v) for k, v in base]
        yield (
            "rust-name",
            rust_name,
            f"under its Rust name, not its wire name {spec.wire!r}: an unknown key, {unknown}",
            "structure",
        )
    if spec.wire.upper() != spec.wire:
        upper = [(key(spec.wire.upper()) if k == name else k, v) for k, v in base]
        yield "key-uppercase", upper, f"the key in upper case: an unknown key, {unknown}", "structure"
    else:
        lower = [(key(spec.wire.lower()) if k == name else k, v) for k, v in base]
        yield "key-lowercase", lower, f"the key in lower case: an unknown key, {unknown}", "structure"
    moved = [*without, base[index]] if index == 0 else [base[index], *without]
    where = "last" if index == 0 else "first"
    yield f"moved-{where}", moved, f"the field moved {where}: same event, different bytes", "structure"
