"""The canonical schema: valid 2020-12, shaped like the seed struct, annotations the codec reads."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from noetl_envelope.model.rusttypes import resolve
from noetl_envelope.model.schema import field_specs, load_schema, schema_version
from noetl_envelope.profiles.contract import validator_for
from test_rust_struct import seed_text, struct_block, tokens

ROOT = Path(__file__).resolve().parents[1]
# Facts about 0.3.1 are read from its release file; the working schema may have moved on.
RELEASE_031 = ROOT / "schema" / "releases" / "0.3.1.schema.json"


def release_031() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(RELEASE_031.read_text(encoding="utf-8"))
    return loaded


def test_schema_passes_the_2020_12_metaschema() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_0_3_1_fields_are_the_seed_struct_in_order_with_rust_types() -> None:
    seed = tokens(struct_block(seed_text()))
    seed_fields = [
        (seed[i - 1], seed[i + 1 : seed.index(",", i)]) for i, t in enumerate(seed) if t == ":" and seed[i - 2] == "pub"
    ]
    spelled = {"Value": "serde_json::Value"}
    expected = [(name, "".join(spelled.get(t, t) for t in rust)) for name, rust in seed_fields]
    assert [(s.name, s.rust_type) for s in field_specs(release_031())] == expected


@pytest.mark.parametrize("which", ["working", "0.3.1"])
def test_required_are_the_non_option_fields(which: str) -> None:
    schema = load_schema() if which == "working" else release_031()
    specs = field_specs(schema)
    assert sorted(schema["required"]) == sorted(s.name for s in specs if not s.optional)
    assert schema["additionalProperties"] is False


def test_version_title_and_descriptions() -> None:
    schema = load_schema()
    assert re.fullmatch(r"\d+\.\d+\.\d+", schema_version())
    assert schema_version(release_031()) == RELEASE_031.name.removesuffix(".schema.json")
    assert schema["title"] == schema["x-rust-struct"] == "ExecutorEvent"
    assert all(spec.schema["description"].strip() for spec in field_specs())


def test_serde_annotations_match_the_0_3_1_struct() -> None:
    by_name = {s.name: s for s in field_specs(release_031())}
    assert by_name["context"].aliases == ("payload",)
    for spec in by_name.values():
        assert spec.serde_default == spec.skip_if_none == spec.optional, spec.name
    assert [s.name for s in by_name.values() if s.aliases] == ["context"]


def test_every_rust_type_has_a_codec_entry() -> None:
    for spec in field_specs():
        assert resolve(spec.rust_type).name == spec.rust_type


def test_int64_bounds_and_status_union() -> None:
    props = release_031()["properties"]
    for name in ("execution_id", "event_id"):
        assert props[name]["minimum"] == -(2**63) and props[name]["maximum"] == 2**63 - 1
    assert set(props["status"]["enum"]) == {
        "PENDING",
        "RUNNING",
        "COMPLETED",
        "FAILED",
        "CANCELLED",
        "SKIPPED",
        "STARTED",
        "PAUSED",
        "CLAIMED",
    }


@pytest.mark.parametrize(
    ("text", "ok"),
    [("2024-05-01T12:00:00Z", True), ("2024-05-01T12:00:00", False), ("2024-02-30T00:00:00Z", False), ("x", False)],
)
def test_format_checking_is_on(text: str, ok: bool) -> None:
    validator = validator_for()
    assert validator.format_checker is not None
    assert validator.evolve(schema={"type": "string", "format": "date-time"}).is_valid(text) is ok


def test_integer_excludes_floats() -> None:
    validator = validator_for()
    assert validator.is_type(1, "integer")
    assert not validator.is_type(1.0, "integer")
    assert not validator.is_type(True, "integer")


def test_a_property_without_x_db_column_projects_to_its_own_name() -> None:
    schema = copy.deepcopy(load_schema())
    del schema["properties"]["worker_id"]["x-db-column"]
    schema["properties"]["step"]["x-db-column"] = "node_name"
    columns = {spec.name: spec.db_column for spec in field_specs(schema)}
    assert columns["worker_id"] == "worker_id" and columns["step"] == "node_name"
