"""The Rust struct `make gen` writes (python/noetl_envelope/generate/rust_struct.py).

The seed is the Rust truth: the struct generated from schema/releases/0.3.1.schema.json must be
the seed struct in ../shared/seed (beside the repository, as in CI) token for token, and carry
the serde attributes ../shared/DESIGN.md documents for it (read from DESIGN.md, not restated
here). The generated files in rust/src must be what the working schema renders to, and malformed
annotations must stop generation with one line that names the pointer and the fix.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from noetl_envelope.generate.rust_struct import EVENT_RS, FIELDS_RS, render_rust
from noetl_envelope.model.schema_lint import SUPPORTED_TYPES, SchemaLintError

ROOT = Path(__file__).resolve().parents[1]
RELEASE_031 = ROOT / "schema" / "releases" / "0.3.1.schema.json"
WORKING = ROOT / "schema" / "executor_event.schema.json"
SHARED = Path(os.environ.get("NOETL_ENVELOPE_SHARED", ROOT.parent / "shared"))
TOKEN = re.compile(r"::|[A-Za-z_][A-Za-z0-9_]*|\"(?:[^\"\\]|\\.)*\"|[<>{}()\[\],:;=#]|\S")


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def seed_text() -> str:
    seed_dir = SHARED / "seed"
    texts = [p.read_text(encoding="utf-8") for p in sorted(seed_dir.glob("*.txt"))] if seed_dir.is_dir() else []
    found = [t for t in texts if "pub struct ExecutorEvent {" in t]
    assert found, f"no seed with `pub struct ExecutorEvent {{` under {seed_dir} (CI puts shared/ beside the repo)"
    return found[0]


def struct_block(text: str, name: str = "ExecutorEvent") -> str:
    """`pub struct NAME { ... }` up to its closing brace (fields hold no braces)."""
    start = text.index(f"pub struct {name} {{")
    return text[start : text.index("}", start) + 1]


def tokens(block: str) -> list[str]:
    return TOKEN.findall(block)


def without_docs_and_attributes(block: str) -> str:
    kept = [line for line in block.splitlines() if not line.strip().startswith(("///", "#["))]
    return "\n".join(kept)


def field_attributes(event_rs: str) -> dict[str, list[str]]:
    """For each field of the generated struct, the attribute lines right above it."""
    attrs: dict[str, list[str]] = {}
    pending: list[str] = []
    for line in struct_block(event_rs).splitlines()[1:]:
        stripped = line.strip()
        if stripped.startswith("#["):
            pending.append(stripped)
        elif stripped.startswith("pub "):
            attrs[stripped.split()[1].rstrip(":")] = pending
            pending = []
    return attrs


def container_attributes(event_rs: str) -> list[str]:
    before = event_rs[: event_rs.index("pub struct ExecutorEvent {")].splitlines()
    attrs = []
    for line in reversed(before):
        if not line.startswith("#["):
            break
        attrs.append(line)
    return attrs


def design_attributes() -> tuple[str, dict[str, str], str]:
    """What DESIGN.md documents for the 0.3.1 struct: the container's derive, a field's own
    attribute (`context`), and the attribute of every Option field."""
    text = " ".join((SHARED / "DESIGN.md").read_text(encoding="utf-8").split())
    derive = re.search(r"Only `(#\[derive\([^`]*\)\])` on the container", text)
    named = dict(re.findall(r"`(\w+)` has `(#\[serde\([^`]*\)\])`", text))
    option = re.search(r"The \w+ `Option` fields have `(#\[serde\([^`]*\)\])`", text)
    assert derive and named and option, "DESIGN.md no longer documents the 0.3.1 serde attributes"
    return derive.group(1), named, option.group(1)


def test_generated_0_3_1_struct_is_the_seed_struct_token_for_token() -> None:
    seed = tokens(struct_block(seed_text()))
    generated = tokens(without_docs_and_attributes(struct_block(render_rust(load(RELEASE_031))[EVENT_RS])))
    assert generated == seed
    # Not vacuous: the seed has the release's fields, in its order, with types.
    names = [seed[i - 1] for i, tok in enumerate(seed) if tok == ":" and seed[i - 2] == "pub"]
    assert names == list(load(RELEASE_031)["properties"])


def test_generated_0_3_1_struct_has_the_serde_attributes_design_documents() -> None:
    derive, named, option = design_attributes()
    event_rs = render_rust(load(RELEASE_031))[EVENT_RS]
    container = container_attributes(event_rs)
    assert [a for a in container if a.startswith("#[serde")] == [], "no rename_all, no deny_unknown_fields"
    (derives,) = [a for a in container if a.startswith("#[derive(")]
    wanted = set(re.findall(r"\w+", derive)) - {"derive"}
    assert wanted <= set(re.findall(r"\w+", derives))
    seed = tokens(struct_block(seed_text()))
    seed_types = {seed[i - 1]: seed[i + 1] for i, tok in enumerate(seed) if tok == ":" and seed[i - 2] == "pub"}
    expected = {
        name: [named[name]] if name in named else [option] if rust == "Option" else []
        for name, rust in seed_types.items()
    }
    assert field_attributes(event_rs) == expected
    assert sum(1 for attrs in expected.values() if attrs == [option]) == 3


def test_doc_comments_come_from_the_descriptions() -> None:
    schema = load(RELEASE_031)
    event_rs = render_rust(schema)[EVENT_RS]
    docs: dict[str, str] = {}
    pending: list[str] = []
    for line in event_rs.splitlines():
        stripped = line.strip()
        if stripped.startswith("///"):
            pending.append(stripped[3:].strip())
        elif stripped.startswith(("pub struct", "pub ")):
            key = "" if stripped.startswith("pub struct") else stripped.split()[1].rstrip(":")
            docs[key] = " ".join(pending)
            pending = []
        elif not stripped.startswith("#["):
            pending = []
    assert docs[""] == schema["description"]
    for name, prop in schema["properties"].items():
        assert docs[name] == " ".join(prop["description"].split())
    assert event_rs.startswith("//! Generated from schema/executor_event.schema.json")
    assert "do not edit by hand" in event_rs.splitlines()[0]


def test_the_tree_holds_what_the_working_schema_renders() -> None:
    for rel, text in render_rust(load(WORKING)).items():
        assert (ROOT / rel).read_text(encoding="utf-8") == text, f"{rel} is stale: run `make gen`"


def test_rendering_is_deterministic_and_follows_a_new_field() -> None:
    schema = load(RELEASE_031)
    assert render_rust(schema) == render_rust(copy.deepcopy(schema))
    schema["properties"]["span_id"] = {
        "description": "Span id.",
        "type": ["string", "null"],
        "x-rust-type": "Option<String>",
        "x-serde": {},
    }
    schema["properties"]["tenant"] = {"description": "Tenant.", "type": "string", "x-rust-type": "String"}
    schema["required"].append("tenant")
    files = render_rust(schema)
    fields = tokens(without_docs_and_attributes(struct_block(files[EVENT_RS])))
    tail = ["pub", "span_id", ":", "Option", "<", "String", ">", ",", "pub", "tenant", ":", "String", ",", "}"]
    assert fields[-14:] == tail
    attrs = field_attributes(files[EVENT_RS])
    assert attrs["span_id"] == [] and attrs["tenant"] == []
    fields_rs = files[FIELDS_RS]
    assert "span_id: g.option(&SPAN_ID, Gen::string)," in fields_rs
    assert "tenant: g.string(&TENANT)," in fields_rs
    assert "pub const FIELDS: &[Field] = &[EXECUTION_ID, " in fields_rs and ", META, SPAN_ID, TENANT];" in fields_rs


def test_tables_carry_the_schema_constraints() -> None:
    schema = load(RELEASE_031)
    fields_rs = render_rust(schema)[FIELDS_RS]
    for name, prop in schema["properties"].items():
        block = fields_rs[fields_rs.index(f"pub const {name.upper()}: Field") :]
        block = block[: block.index("};")]
        assert f'name: "{name}",' in block
        assert f'rust_type: "{prop["x-rust-type"]}",' in block
        if "enum" in prop:
            assert "enum_values: Some(&[" + ", ".join(json.dumps(v) for v in prop["enum"]) + "])," in block
        else:
            assert "enum_values: None," in block
        if "minLength" in prop:
            assert f"min_length: Some({prop['minLength']})," in block
    assert f'SCHEMA_VERSION: &str = "{schema["$id"].rsplit(":", 1)[-1]}";' in fields_rs


def _broken(edit: dict[str, Any], *, field: str = "worker_id", required: bool | None = None) -> dict[str, Any]:
    schema = load(RELEASE_031)
    prop = schema["properties"][field]
    for key, value in edit.items():
        if value is None:
            prop.pop(key, None)
        else:
            prop[key] = value
    if required:
        schema["required"].append(field)
    return schema


@pytest.mark.parametrize(
    ("edit", "required", "pointer", "hint"),
    [
        ({"x-rust-type": None}, None, "/properties/worker_id", "no x-rust-type (write one of i64, String"),
        ({"x-rust-type": "u32"}, None, "/properties/worker_id/x-rust-type", '"u32" is not supported'),
        ({"type": "integer"}, None, "/properties/worker_id/type", "contradicts x-rust-type Option<String>"),
        ({}, True, "/properties/worker_id", "required but x-rust-type is Option<String>"),
        ({"x-serde": {"defualt": True}}, None, "/properties/worker_id/x-serde/defualt", "unknown key"),
        ({"pattern": "^w"}, None, "/properties/worker_id/pattern", "cannot honour"),
    ],
)
def test_unsupported_input_is_one_line_naming_pointer_and_fix(
    edit: dict[str, Any], required: bool | None, pointer: str, hint: str
) -> None:
    with pytest.raises(SchemaLintError) as info:
        render_rust(_broken(edit, required=required))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"schema/executor_event.schema.json: {pointer}:"), message
    assert hint in message, message


def test_the_supported_types_are_listed_in_the_message() -> None:
    with pytest.raises(SchemaLintError) as info:
        render_rust(_broken({"x-rust-type": "Vec<u8>"}))
    assert all(t in str(info.value) for t in SUPPORTED_TYPES)
