"""One owner per Rust type: every registered type has every facet, and nothing else knows type names.

`model.rusttypes.RUST_TYPES` holds one `RustType` per `x-rust-type`; the consumers (the fast
engine and the accelerator spec, drift, projection, compat, fixturegen) ask it. A new type is
one entry: these tests say what the entry must provide, and that a schema naming a type no
entry covers gets one line naming the property, not a traceback.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from noetl_envelope.fixturegen.systematic import CATEGORIES
from noetl_envelope.model.codec import exact_reader
from noetl_envelope.model.rusttypes import RUST_TYPES, RustType, UnknownRustType, Variant, resolve
from noetl_envelope.model.schema import field_specs, load_schema
from noetl_envelope.model.schema_lint import SUPPORTED_TYPES
from noetl_envelope.projection import predict, row
from noetl_envelope.wire.lexer import scan
from noetl_envelope.wire.numbers import parse_number
from repo_copy import copy_env, copy_repo

JSON_SCHEMA_TYPES = {"object", "array", "string", "integer", "number", "boolean", "null"}
ACCEL_KEYS = {"minimum", "maximum", "min_length", "max_length", "types"}  # rust/accel/src/lib.rs FieldSpec
SUPPORTED = "write one of i64, String, DateTime<Utc>, serde_json::Value, Option<...>"


def _typical_raw(t: RustType) -> str:
    return t.typical({}, "some_field")


def _json_type(raw: str) -> str:
    value = orjson.loads(raw)
    kinds = {dict: "object", list: "array", str: "string", int: "integer", float: "number", bool: "boolean"}
    return "null" if value is None else kinds[type(value)]


def _codec(t: RustType) -> None:
    raw = _typical_raw(t)
    tree = scan(raw.encode())
    assert t.check(tree, "/f", 1, parse_number) == []
    out: list[str] = []
    t.write(t.to_python(tree, exact_reader), out)
    assert "".join(out) == raw  # the typical value is canonical


def _fast(t: RustType) -> None:
    prop = {"type": _json_type(_typical_raw(t))}
    names: dict[str, Any] = {}
    parts = t.fast.condition(prop, (prop["type"],), "v", names, False)
    assert parts, "the plain property of the type's own JSON type must compile"
    assert eval(" and ".join(f"({p})" for p in parts), names, {"v": orjson.loads(_typical_raw(t))}) is True
    filled = t.fast.accel(prop)
    assert filled is not None and set(filled) <= ACCEL_KEYS
    assert isinstance(t.fast.formats, frozenset)


def _variants(t: RustType) -> None:
    assert t.variants and all(isinstance(v, Variant) for v in t.variants)
    assert all(v.category in CATEGORIES for v in t.variants)
    assert len({v.suffix for v in t.variants}) == len(t.variants)


def _name(t: RustType) -> None:
    assert RUST_TYPES[t.name] is t and resolve(t.name) is t


def _json_types(t: RustType) -> None:
    assert t.json_types and set(t.json_types) <= JSON_SCHEMA_TYPES
    assert _json_type(_typical_raw(t)) in t.json_types


def _integer_range(t: RustType) -> None:
    if t.integer_range is not None:
        low, high = t.integer_range
        assert type(low) is int and type(high) is int and low < high
        assert "integer" in t.json_types
        assert t.implied_bounds == {"minimum": low, "maximum": high}


def _timestamp(t: RustType) -> None:
    assert isinstance(t.timestamp, bool)
    assert not t.timestamp or "string" in t.json_types


def _free_form(t: RustType) -> None:
    assert isinstance(t.free_form, bool)
    assert not t.free_form or "null" in t.json_types


def _sql_type(t: RustType) -> None:
    # projection owns what each SQL column type does: insert, read back, predict
    assert t.sql_type in row.INSERT_VALUE and t.sql_type in row.READ_VALUE and t.sql_type in predict.STORE_VALUE


def _reads(t: RustType) -> None:
    assert isinstance(t.reads, frozenset) and t.reads <= set(RUST_TYPES) - {t.name}


def _probes(t: RustType) -> None:
    assert t.probes


def _rust_source(t: RustType) -> None:
    # What the generated struct writes: the type itself, or its last path segment (imported).
    assert t.rust_source in (t.name, t.name.rsplit("::", 1)[-1]), t.rust_source


def _rust_use(t: RustType) -> None:
    # The import the generated struct needs for the type, naming what rust_source writes.
    assert t.rust_use == "" or (t.rust_use.startswith("use ") and t.rust_source.split("<")[0] in t.rust_use), t


def _constraints(t: RustType) -> None:
    # Constraint keywords the harness draws values for; each keyword belongs to one type family.
    assert t.constraints <= {"minimum", "maximum", "minLength", "maxLength", "enum", "format"}
    others = [o for o in RUST_TYPES.values() if o is not t]
    assert not any(t.constraints & o.constraints for o in others), t.name


def _harness_gen(t: RustType) -> None:
    # The emit.rs `Gen` method drawing its values, returning the struct's type.
    emit = (Path(__file__).resolve().parents[1] / "rust" / "src" / "emit.rs").read_text()
    assert f"pub fn {t.harness_gen}(&mut self, " in emit and f") -> {t.rust_source} {{" in emit, t.harness_gen


def _default(t: RustType) -> None:
    # Default::default() is a value of the type: serde_json writes it, and reads it back as itself
    # (tests/test_serde_variants.py compares it with compiled serde's).
    out: list[str] = []
    t.write(t.default, out)
    member = next(value for _key, value in scan(('{"v":' + "".join(out) + "}").encode()))
    assert t.check(member, ("v",), 1, parse_number) == [], out
    assert t.to_python(member, exact_reader) == t.default, out


# One check per facet of RustType. A facet added to the class without a check here fails
# `test_every_facet_has_a_check`; a type missing what a facet needs fails the facet's check.
FACET_CHECKS: dict[str, Callable[[RustType], None]] = {
    "name": _name,
    "check": _codec,
    "to_python": _codec,
    "write": _codec,
    "json_types": _json_types,
    "integer_range": _integer_range,
    "timestamp": _timestamp,
    "free_form": _free_form,
    "sql_type": _sql_type,
    "reads": _reads,
    "variants": _variants,
    "typical": _codec,
    "rust_source": _rust_source,
    "harness_gen": _harness_gen,
    "rust_use": _rust_use,
    "constraints": _constraints,
    "probes": _probes,
    "fast": _fast,
    "default": _default,
}


def test_every_facet_has_a_check() -> None:
    assert set(FACET_CHECKS) == {f.name for f in dataclasses.fields(RustType)}


@pytest.mark.parametrize("facet", sorted(FACET_CHECKS))
@pytest.mark.parametrize("name", sorted(RUST_TYPES))
def test_every_registered_type_implements_every_facet(name: str, facet: str) -> None:
    FACET_CHECKS[facet](RUST_TYPES[name])


@pytest.mark.parametrize("name", sorted(RUST_TYPES))
def test_option_wraps_the_entry_and_is_parsed_once(name: str) -> None:
    option = resolve(f"Option<{name}>")
    assert option is resolve(f"Option<{name}>")
    assert option.optional and option.inner is RUST_TYPES[name] and option.name == f"Option<{name}>"
    assert option.check(None, "/f", 1, parse_number) == []
    out: list[str] = []
    option.write(None, out)
    assert out == ["null"]


def test_the_schema_fields_use_registered_types() -> None:
    for spec in field_specs():
        assert spec.rust is resolve(spec.rust_type)
        assert spec.inner is RUST_TYPES[spec.inner_rust_type]


def test_no_module_outside_the_registry_names_a_rust_type(repo_root: Path) -> None:
    # Prose (docstrings, messages) may mention a type; code may not switch on its name.
    package = repo_root / "python" / "noetl_envelope"
    found = []
    for path in package.rglob("*.py"):
        if "rusttypes" in path.relative_to(package).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            named = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if named and (node.value in RUST_TYPES or node.value.startswith("Option<")):
                found.append(f"{path.relative_to(package)}:{node.lineno}: {node.value!r}")
    assert not found, found


# --- a type no entry covers -------------------------------------------------------------


def _schema_with(rust_type: str) -> dict[str, Any]:
    schema = copy.deepcopy(load_schema())
    schema["properties"]["step"]["x-rust-type"] = rust_type
    return schema


@pytest.mark.parametrize("rust_type", ["u32", "Option<u32>", "Option<Option<i64>>", "option<i64>"])
def test_an_unknown_type_is_one_line_naming_the_property(rust_type: str) -> None:
    with pytest.raises(UnknownRustType) as caught:
        field_specs(_schema_with(rust_type))
    assert str(caught.value) == f'/properties/step: x-rust-type "{rust_type}" is not supported ({SUPPORTED})'


def test_the_commands_turn_an_unknown_type_into_exit_2(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    schema_file = repo / "schema" / "executor_event.schema.json"
    schema_file.write_text(schema_file.read_text().replace('"x-rust-type": "i64"', '"x-rust-type": "u32"', 1))
    # The schema lint (model.schema_lint) runs first in every command and says it.
    expected = (
        'noetl-envelope: schema/executor_event.schema.json: /properties/execution_id/x-rust-type: "u32" '
        f"is not supported (write one of {', '.join(SUPPORTED_TYPES)})\n"
    )
    for argv in (["-m", "noetl_envelope", "validate", "fixtures/valid"], ["scripts/gen.py", "--check"]):
        done = subprocess.run(
            [sys.executable, *argv], cwd=repo, env=copy_env(repo), capture_output=True, text=True, check=False
        )
        assert (done.returncode, done.stderr) == (2, expected), argv
