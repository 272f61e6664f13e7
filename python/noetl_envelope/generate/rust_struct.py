"""The Rust side of `make gen`: the harness's struct and its per-field tables, from the schema.

`render_rust(schema)` is a pure function from the loaded schema (a dict) to
`{repository-relative path: file text}`:

- `rust/src/event.rs`: `pub struct <x-rust-struct>` with the derives of `x-serde-container`
  (plus `Debug, Clone`, which the seed struct also derives and which do not touch the wire) and
  its `deny_unknown_fields` / `rename_all` as a container `#[serde(...)]`, one field per
  property in the schema's order with the type of its `x-rust-type` and the `#[serde(...)]`
  attributes of its `x-serde` (`rename` first), and doc comments from the descriptions. For
  schema/releases/0.3.1.schema.json this is the seed struct (tests/test_rust_struct.py).
- `rust/src/fields.rs`: one `Field` table per property (name, JSON key, Rust type, aliases, the
  schema's enum / examples / bounds / JSON types, which `emit --contract` honours), `FIELDS`
  in declaration order, and `build`, which calls the value generator of each field's Rust
  type (`rust/src/emit.rs`, `Gen`); emit.rs itself names no field.

`render_manifest(schema)` renders the crate's `rust/Cargo.toml`: the pinned dependencies, with
serde_json built with the cargo features of the schema's `x-serde-json-features` (the features
the consumers build it with, e.g. `float_roundtrip`), so the harness reads what they read. No
modelled feature pulls in a crate, so the pinned Cargo.lock holds either way (`--locked`).

The schema is linted first (`model.schema_lint`: the same check every command runs), so a
schema the harness or the codec cannot model raises `schema_lint.SchemaLintError` with one line naming the
JSON pointer and the fix, and nothing is rendered. Nothing rendered carries a timestamp, so a
clean tree regenerates to identical bytes.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

from noetl_envelope.model.rusttypes.base import RustType
from noetl_envelope.model.rusttypes.option import PREFIX as OPTION_PREFIX
from noetl_envelope.model.rusttypes.option import SUFFIX as OPTION_SUFFIX
from noetl_envelope.model.schema import FieldSpec, field_specs
from noetl_envelope.model.schema_lint import SERDE_JSON_FEATURES_KEY, declared_json_types, lint
from noetl_envelope.wire.numbers import I64_MAX, I64_MIN

SCHEMA_PATH = "schema/executor_event.schema.json"
EVENT_RS = "rust/src/event.rs"
FIELDS_RS = "rust/src/fields.rs"
CARGO_TOML = "rust/Cargo.toml"
SERDE_JSON_VERSION = "=1.0.150"

# Derives the seed struct carries besides the container's serde ones; they do not touch the wire.
HARNESS_DERIVES = ("Debug", "Clone")
_DOC_WIDTH = 92


def render_rust(schema: dict[str, Any], *, schema_path: str = SCHEMA_PATH) -> dict[str, str]:
    """`{relative path: text}` for the generated Rust files (see the module docstring)."""
    lint(schema, schema_path)
    struct = str(schema["x-rust-struct"])
    derive = schema.get("x-serde-container", {}).get("derive", ["Serialize", "Deserialize"])
    derives = tuple(dict.fromkeys((*HARNESS_DERIVES, *derive)))
    required = set(schema.get("required", ()))
    fields = [_Field(spec, schema["properties"][spec.name]) for spec in field_specs(schema)]
    for field in fields:
        field.required = field.name in required
    return {
        EVENT_RS: _render_event(schema, schema_path, struct, derives, fields),
        FIELDS_RS: _render_fields(schema, schema_path, struct, fields),
    }


_DESCRIPTION = (
    "Reference harness: what serde_json + chrono (pinned like noetl-executor) accept and write for ExecutorEvent"
)
_MANIFEST = """\
# Generated from {path} by `make gen`; do not edit by hand.
# The generator is python/noetl_envelope/generate/rust_struct.py (render_manifest).
[package]
name = "noetl-envelope-harness"
version = "0.1.0"
edition = "2021"
# io::Error::other needs 1.74; the pinned serde_json/zmij need 1.71.
rust-version = "1.74"
description = "{description}"
license = "MIT"
publish = false

[lib]
name = "noetl_envelope_harness"
path = "src/lib.rs"

[[bin]]
name = "envelope-harness"
path = "src/main.rs"

# Pinned exactly to the versions in noetl-executor's Cargo.lock (see DESIGN.md).
# serde_json's features are the schema's x-serde-json-features, the ones its consumers build
# with (none: serde_json's defaults). float_roundtrip changes how floats are read;
# arbitrary_precision and preserve_order (not modelled) would change what is accepted or written.
[dependencies]
serde = {{ version = "=1.0.228", features = ["derive"] }}
{serde_json}
chrono = {{ version = "=0.4.44", features = ["serde"] }}
"""


def render_manifest(schema: dict[str, Any], *, schema_path: str = SCHEMA_PATH) -> dict[str, str]:
    """`{CARGO_TOML: text}`: the harness crate's manifest (see the module docstring)."""
    lint(schema, schema_path)
    features = list(schema.get(SERDE_JSON_FEATURES_KEY, []))
    serde_json = f'serde_json = "{SERDE_JSON_VERSION}"'
    if features:
        serde_json = f'serde_json = {{ version = "{SERDE_JSON_VERSION}", features = {json.dumps(features)} }}'
    return {CARGO_TOML: _MANIFEST.format(path=schema_path, description=_DESCRIPTION, serde_json=serde_json)}


def _container_args(container: dict[str, Any]) -> list[str]:
    """The arguments of the struct's own `#[serde(...)]` (none for the seed struct)."""
    args = ["deny_unknown_fields"] if container.get("deny_unknown_fields", False) else []
    if container.get("rename_all") is not None:
        args.append(f"rename_all = {json.dumps(container['rename_all'])}")
    return args


class _Field:
    """One linted property as the Rust files need it."""

    def __init__(self, spec: FieldSpec, prop: dict[str, Any]) -> None:
        self.name = spec.name
        self.key = spec.wire
        self.aliases = spec.aliases
        self.prop = prop
        self.rust: str = spec.rust.name
        self.type: RustType = spec.inner
        self.optional = spec.optional
        self.required = False
        self.serde = _serde_args(prop.get("x-serde", {}))
        self.json_types = declared_json_types(prop, spec.rust)

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

    def value(self, key: str) -> Any:
        """A constraint the field's Rust type takes (linted), else None."""
        return self.prop.get(key) if key in self.type.constraints else None


def _serde_args(serde: dict[str, Any]) -> list[str]:
    """The arguments of the field's `#[serde(...)]`, in serde's usual order."""
    aliases = serde.get("alias", [])
    args = [f"rename = {_rs_str(serde['rename'])}"] if serde.get("rename") is not None else []
    args += [f"alias = {_rs_str(a)}" for a in ([aliases] if isinstance(aliases, str) else aliases)]
    if serde.get("default", False):
        args.append("default")
    skip = serde.get("skip_serializing_if")
    if skip is not None:
        args.append(f"skip_serializing_if = {json.dumps(skip)}")
    return args


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
    container = _container_args(schema.get("x-serde-container", {}))
    if container:
        lines.append(f"#[serde({', '.join(container)})]")
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


def _rs_strs(values: list[str] | None) -> str:
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
        min_length, max_length = field.value("minLength"), field.value("maxLength")
        lines += [
            "",
            f"/// `{field.name}: {field.rust_decl}`.",
            f"pub const {field.const}: Field = Field {{",
            f"    name: {_rs_str(field.name)},",
            f"    key: {_rs_str(field.key)},",
            f"    rust_type: {_rs_str(field.rust)},",
            f"    required: {str(field.required).lower()},",
            f"    aliases: &[{', '.join(_rs_str(a) for a in field.aliases)}],",
            f"    skip_if_none: {str(any(a.startswith('skip_serializing_if') for a in field.serde)).lower()},",
            f"    serde_default: {str('default' in field.serde).lower()},",
            f"    json_types: &[{', '.join(_rs_str(t) for t in field.json_types)}],",
            f"    enum_values: {_rs_strs(field.value('enum'))},",
            f"    examples: {_rs_strs(field.prop.get('examples') if 'enum' in field.type.constraints else None)},",
            f"    min_length: {'None' if min_length is None else f'Some({min_length})'},",
            f"    max_length: {'None' if max_length is None else f'Some({max_length})'},",
            f"    minimum: {_rs_opt_int(field.value('minimum'))},",
            f"    maximum: {_rs_opt_int(field.value('maximum'))},",
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
