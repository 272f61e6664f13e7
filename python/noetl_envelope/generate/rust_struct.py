"""The Rust side of `make gen`: the harness's struct and its per-field tables, from the schema.

`render_rust(schema)` is a pure function from the loaded schema (a dict) to
`{repository-relative path: file text}`:

- `rust/src/event.rs`: `pub struct <x-rust-struct>` with the derives of `x-serde-container`
  (plus `Debug, Clone`, which the seed struct also derives and which do not touch the wire),
  one field per property in the schema's order with the type of its `x-rust-type` and the
  `#[serde(...)]` attributes of its `x-serde`, and doc comments from the descriptions. For
  schema/releases/0.3.1.schema.json this is the seed struct (tests/test_rust_struct.py).
- `rust/src/fields.rs`: one `Field` table per property (name, Rust type, aliases, the
  schema's enum / examples / bounds / JSON types, which `emit --contract` honours), `FIELDS`
  in declaration order, and `build`, which calls the value generator of each field's Rust
  type (`rust/src/emit.rs`, `Gen`); emit.rs itself names no field.

Only what the harness and the Python codec both model is accepted; anything else raises
`RustGenError` with one line naming the JSON pointer and the fix. Nothing rendered carries a
timestamp, so a clean tree regenerates to identical bytes.
"""

from __future__ import annotations

import json
import keyword
import re
import textwrap
from typing import Any

from noetl_envelope.model.rusttypes.base import RustType
from noetl_envelope.model.rusttypes.option import PREFIX as OPTION_PREFIX
from noetl_envelope.model.rusttypes.option import SUFFIX as OPTION_SUFFIX
from noetl_envelope.model.rusttypes.option import option_of
from noetl_envelope.model.rusttypes.registry import RUST_TYPES, UnknownRustType, resolve
from noetl_envelope.wire.numbers import I64_MAX, I64_MIN

SCHEMA_PATH = "schema/executor_event.schema.json"
EVENT_RS = "rust/src/event.rs"
FIELDS_RS = "rust/src/fields.rs"

# x-rust-type -> (the type as written in event.rs, the `Gen` method in emit.rs that draws it), and
# the JSON Schema `type` each base Rust type allows: facets of the type registry.
SUPPORTED_TYPES: tuple[str, ...] = (*RUST_TYPES, *(option_of(t).name for t in RUST_TYPES.values()))
# Derives the seed struct carries besides the container's serde ones; they do not touch the wire.
HARNESS_DERIVES = ("Debug", "Clone")
FIELD_SERDE_KEYS = ("alias", "default", "skip_serializing_if")
CONTAINER_KEYS = ("derive", "deny_unknown_fields", "rename_all")
# Property keywords the harness understands: annotations, and the constraints `emit --contract`
# draws values for. Anything else (pattern, const, $ref, nested properties, ...) is refused,
# because emit could not promise contract-valid events for it.
_ANNOTATIONS = frozenset(
    {"description", "title", "examples", "$comment", "deprecated", "customTypePath", "x-rust-type", "x-serde"}
)
_CONSTRAINTS = frozenset({"type", "minimum", "maximum", "minLength", "maxLength", "enum", "format"})
_KNOWN_X = ("x-db-column",)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_DOC_WIDTH = 92


class RustGenError(ValueError):
    """The schema asks for a Rust struct the harness cannot generate; str() is one line."""


def render_rust(schema: dict[str, Any], *, schema_path: str = SCHEMA_PATH) -> dict[str, str]:
    """`{relative path: text}` for the generated Rust files (see the module docstring)."""
    struct = _struct_name(schema, schema_path)
    container = _container(schema, schema_path)
    fields = _fields(schema, schema_path)
    return {
        EVENT_RS: _render_event(schema, schema_path, struct, container, fields),
        FIELDS_RS: _render_fields(schema, schema_path, struct, fields),
    }


class _Field:
    """One property as the Rust files need it."""

    def __init__(self, name: str, prop: dict[str, Any], required: bool, where: str) -> None:
        self.name = name
        self.prop = prop
        self.where = where
        rust = prop.get("x-rust-type")
        if rust is None:
            raise RustGenError(f"{where}: no x-rust-type (write one of {', '.join(SUPPORTED_TYPES)})")
        try:
            field_type = resolve(rust) if isinstance(rust, str) else None
        except UnknownRustType:
            field_type = None
        if field_type is None:
            raise RustGenError(
                f"{where}/x-rust-type: {json.dumps(rust)} is not supported (write one of {', '.join(SUPPORTED_TYPES)})"
            )
        self.rust: str = rust
        self.type: RustType = field_type.inner
        self.optional = field_type.optional
        self.base = self.type.name
        self.required = required
        if self.required and self.optional:
            raise RustGenError(f"{where}: required but x-rust-type is {rust} (drop it from required, or drop Option)")
        if not self.required and not self.optional:
            raise RustGenError(
                f"{where}: not in required but x-rust-type {rust} has no None "
                f"(add it to required, or use Option<{rust}>)"
            )
        self.serde = _field_serde(prop, where, self.optional)
        self._check_keywords()
        self.json_types = self._json_types()

    @property
    def rust_decl(self) -> str:
        written = self.type.rust_source
        return f"{OPTION_PREFIX}{written}{OPTION_SUFFIX}" if self.optional else written

    @property
    def method(self) -> str:
        return self.type.harness_gen

    @property
    def const(self) -> str:
        return self.name.upper()

    def _check_keywords(self) -> None:
        for key in self.prop:
            if key in _ANNOTATIONS or key in _CONSTRAINTS or key in _KNOWN_X:
                continue
            raise RustGenError(
                f"{self.where}/{_escape(key)}: the Rust harness cannot honour {key!r} "
                f"(use only {', '.join(sorted(_CONSTRAINTS))} as constraints)"
            )
        for key in sorted(_CONSTRAINTS - {"type"} - self.type.constraints):
            if key in self.prop:
                takers = [t.name for t in RUST_TYPES.values() if key in t.constraints]
                raise RustGenError(
                    f"{self.where}/{key}: {key} on {self.rust} (only {' or '.join(takers)} fields take it)"
                )
        fmt = self.prop.get("format")
        if fmt is not None and fmt != "date-time":
            raise RustGenError(f"{self.where}/format: {json.dumps(fmt)} on {self.rust} (only date-time is supported)")

    def _json_types(self) -> tuple[str, ...]:
        declared = self.prop.get("type")
        if declared is None:
            return tuple(sorted(self.type.json_types))
        names = [declared] if isinstance(declared, str) else declared
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise RustGenError(f"{self.where}/type: not a type name or a list of them")
        allowed = set(self.type.json_types) | ({"null"} if self.optional else set())
        wrong = [n for n in names if n not in allowed]
        if wrong:
            raise RustGenError(
                f"{self.where}/type: {json.dumps(wrong[0])} contradicts x-rust-type {self.rust} "
                f"(use {' or '.join(json.dumps(t) for t in sorted(allowed))})"
            )
        return tuple(n for n in names if n != "null")

    def int_bound(self, key: str) -> int | None:
        value = self.prop.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not I64_MIN <= value <= I64_MAX:
            raise RustGenError(f"{self.where}/{key}: {json.dumps(value)} is not an i64 (write an integer in i64 range)")
        return value

    def length(self, key: str) -> int | None:
        value = self.prop.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RustGenError(f"{self.where}/{key}: {json.dumps(value)} is not a non-negative integer")
        return value

    def strings(self, key: str) -> tuple[str, ...] | None:
        value = self.prop.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RustGenError(f"{self.where}/{key}: only a list of strings is supported on {self.rust}")
        return tuple(value)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _struct_name(schema: dict[str, Any], path: str) -> str:
    name = schema.get("x-rust-struct")
    if not isinstance(name, str) or not _IDENT.match(name) or keyword.iskeyword(name):
        raise RustGenError(f"{path}: /x-rust-struct: not a Rust type name (write the struct's name, ExecutorEvent)")
    return name


def _container(schema: dict[str, Any], path: str) -> tuple[str, ...]:
    """The container's derives; the attributes the codec does not model are refused."""
    container = schema.get("x-serde-container", {})
    where = f"{path}: /x-serde-container"
    if not isinstance(container, dict):
        raise RustGenError(f'{where}: not an object (write {{"derive": ["Serialize", "Deserialize"]}})')
    for key in container:
        if key not in CONTAINER_KEYS:
            raise RustGenError(f"{where}/{_escape(key)}: unknown key (write one of {', '.join(CONTAINER_KEYS)})")
    derive = container.get("derive", ["Serialize", "Deserialize"])
    if not isinstance(derive, list) or not {"Serialize", "Deserialize"} <= set(derive):
        raise RustGenError(f"{where}/derive: must list Serialize and Deserialize")
    if not all(isinstance(d, str) and _IDENT.match(d) for d in derive):
        raise RustGenError(f"{where}/derive: every entry must be a trait name")
    if container.get("deny_unknown_fields", False) is not False:
        raise RustGenError(f"{where}/deny_unknown_fields: not modelled by the Python codec yet (write false)")
    if container.get("rename_all") is not None:
        raise RustGenError(f"{where}/rename_all: not modelled by the Python codec yet (write null)")
    return tuple(dict.fromkeys((*HARNESS_DERIVES, *derive)))


def _field_serde(prop: dict[str, Any], where: str, optional: bool) -> list[str]:
    """The arguments of the field's `#[serde(...)]`, in serde's usual order."""
    serde = prop.get("x-serde", {})
    if not isinstance(serde, dict):
        raise RustGenError(f"{where}/x-serde: not an object (write {{}} for no attributes)")
    for key in serde:
        if key not in FIELD_SERDE_KEYS:
            raise RustGenError(
                f"{where}/x-serde/{_escape(key)}: unknown key (write one of {', '.join(FIELD_SERDE_KEYS)})"
            )
    args: list[str] = []
    aliases = serde.get("alias", [])
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise RustGenError(f"{where}/x-serde/alias: write a list of non-empty names")
    args += [f"alias = {json.dumps(a)}" for a in aliases]
    default = serde.get("default", False)
    if default is not False:
        if default is not True:
            raise RustGenError(f"{where}/x-serde/default: write true or false")
        if not optional:
            raise RustGenError(f"{where}/x-serde/default: default on a non-Option field is not modelled yet")
        args.append("default")
    skip = serde.get("skip_serializing_if")
    if skip is not None:
        if skip != "Option::is_none" or not optional:
            raise RustGenError(f'{where}/x-serde/skip_serializing_if: only "Option::is_none" on an Option field')
        args.append(f"skip_serializing_if = {json.dumps(skip)}")
    return args


def _fields(schema: dict[str, Any], path: str) -> list[_Field]:
    props = schema.get("properties")
    if not isinstance(props, dict) or not props:
        raise RustGenError(f"{path}: /properties: no fields (the struct needs at least one)")
    required = schema.get("required", [])
    if not isinstance(required, list):
        raise RustGenError(f"{path}: /required: not a list of property names")
    for name in required:
        if name not in props:
            raise RustGenError(f"{path}: /required: {json.dumps(name)} is not a property (remove it, or add it)")
    fields = []
    for name, prop in props.items():
        where = f"{path}: /properties/{_escape(name)}"
        if not _IDENT.match(name) or keyword.iskeyword(name) or name != name.lower():
            raise RustGenError(f"{where}: not a snake_case Rust field name (rename the property)")
        if not isinstance(prop, dict):
            raise RustGenError(f"{where}: not an object")
        fields.append(_Field(name, prop, name in required, where))
    consts = [f.const for f in fields]
    if len(set(consts)) != len(consts):
        raise RustGenError(f"{path}: /properties: two names differ only in case")
    return fields


def _doc(text: str | None, indent: str) -> list[str]:
    if not text:
        return []
    lines: list[str] = []
    for paragraph in str(text).split("\n\n"):
        if lines:
            lines.append(f"{indent}///")
        wrapped = textwrap.wrap(" ".join(paragraph.split()), width=_DOC_WIDTH - len(indent) - 4, break_on_hyphens=False)
        lines += [f"{indent}/// {line}" for line in wrapped]
    return lines


def _header(schema: dict[str, Any], path: str, what: str) -> list[str]:
    version = str(schema.get("$id", "")).rsplit(":", 1)[-1]
    return [
        f"//! Generated from {path} ({version}) by `make gen`; do not edit by hand.",
        "//! The generator is python/noetl_envelope/generate/rust_struct.py.",
        "//!",
        *(f"//! {line}" for line in textwrap.wrap(what, width=_DOC_WIDTH - 4, break_on_hyphens=False)),
    ]


def _render_event(
    schema: dict[str, Any], path: str, struct: str, derives: tuple[str, ...], fields: list[_Field]
) -> str:
    uses = sorted({"use serde::{Deserialize, Serialize};", *(f.type.rust_use for f in fields if f.type.rust_use)})
    lines = _header(
        schema,
        path,
        "The struct the harness is an oracle for: field order, types and serde attributes are the "
        "schema's, and for schema/releases/0.3.1.schema.json they are the seed struct of noetl-executor "
        "0.3.1 token for token (tests/test_rust_struct.py). Field order decides both the serialized key "
        "order and the sequence form serde accepts for a struct.",
    )
    lines += ["", *uses, ""]
    lines += _doc(schema.get("description"), "")
    lines.append(f"#[derive({', '.join(derives)})]")
    lines.append(f"pub struct {struct} {{")
    for field in fields:
        lines += _doc(field.prop.get("description"), "    ")
        if field.serde:
            lines.append(f"    #[serde({', '.join(field.serde)})]")
        lines.append(f"    pub {field.name}: {field.rust_decl},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _rs_str(text: str) -> str:
    # JSON string escapes are valid Rust string escapes except \u: Rust wants \u{XXXX}.
    body = json.dumps(text, ensure_ascii=False)[1:-1]
    body = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: "\\u{" + m.group(1) + "}", body)
    return f'"{body}"'


def _rs_strs(values: tuple[str, ...] | None) -> str:
    if values is None:
        return "None"
    return "Some(&[" + ", ".join(_rs_str(v) for v in values) + "])"


def _rs_opt_int(value: int | None) -> str:
    if value is None:
        return "None"
    if value == I64_MIN:
        return "Some(i64::MIN)"
    if value == I64_MAX:
        return "Some(i64::MAX)"
    return f"Some({value})"


def _render_fields(schema: dict[str, Any], path: str, struct: str, fields: list[_Field]) -> str:
    version = str(schema.get("$id", "")).rsplit(":", 1)[-1]
    lines = _header(
        schema,
        path,
        "What the harness knows per field: one `Field` table each (the schema's enum, examples, bounds "
        "and JSON types, which `emit --contract` honours), `FIELDS` in declaration order, and `build`, "
        "which draws each field with the generator of its Rust type (`Gen` in emit.rs).",
    )
    lines += [
        "",
        "use crate::emit::Gen;",
        f"use crate::event::{struct};",
        "use crate::spec::Field;",
        "",
        "/// The schema version these tables were generated from (the semver in `$id`).",
        f"pub const SCHEMA_VERSION: &str = {_rs_str(version)};",
    ]
    for field in fields:
        takes = field.type.constraints
        min_length = field.length("minLength") if "minLength" in takes else None
        max_length = field.length("maxLength") if "maxLength" in takes else None
        lines += [
            "",
            f"/// `{field.name}: {field.rust_decl}`.",
            f"pub const {field.const}: Field = Field {{",
            f"    name: {_rs_str(field.name)},",
            f"    rust_type: {_rs_str(field.rust)},",
            f"    required: {str(field.required).lower()},",
            f"    aliases: &[{', '.join(_rs_str(a) for a in _aliases(field))}],",
            f"    skip_if_none: {str(any(a.startswith('skip_serializing_if') for a in field.serde)).lower()},",
            f"    serde_default: {str('default' in field.serde).lower()},",
            f"    json_types: &[{', '.join(_rs_str(t) for t in field.json_types)}],",
            f"    enum_values: {_rs_strs(field.strings('enum'))},",
            f"    examples: {_rs_strs(field.strings('examples') if 'enum' in takes else None)},",
            f"    min_length: {'None' if min_length is None else f'Some({min_length})'},",
            f"    max_length: {'None' if max_length is None else f'Some({max_length})'},",
            f"    minimum: {_rs_opt_int(field.int_bound('minimum'))},",
            f"    maximum: {_rs_opt_int(field.int_bound('maximum'))},",
            "};",
        ]
    lines += [
        "",
        "/// Every field, in declaration order.",
        f"pub const FIELDS: &[Field] = &[{', '.join(f.const for f in fields)}];",
        "",
        "/// One event, each field drawn by the generator of its Rust type.",
        f"pub fn build(g: &mut Gen) -> {struct} {{",
        f"    {struct} {{",
    ]
    for field in fields:
        if field.optional:
            lines.append(f"        {field.name}: g.option(&{field.const}, Gen::{field.method}),")
        else:
            lines.append(f"        {field.name}: g.{field.method}(&{field.const}),")
    lines += ["    }", "}"]
    return "\n".join(lines) + "\n"


def _aliases(field: _Field) -> list[str]:
    return [json.loads(a[len("alias = ") :]) for a in field.serde if a.startswith("alias = ")]
