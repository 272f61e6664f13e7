"""The canonical schema: valid 2020-12, shaped like the seed struct, annotations the codec reads."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from noetl_envelope.model.rusttypes import resolve
from noetl_envelope.model.schema import field_specs, load_schema, schema_version
from noetl_envelope.profiles.contract import validator_for

SEED_ORDER = [
    ("execution_id", "i64"),
    ("event_type", "String"),
    ("step", "String"),
    ("status", "String"),
    ("created_at", "DateTime<Utc>"),
    ("context", "serde_json::Value"),
    ("event_id", "Option<i64>"),
    ("worker_id", "Option<String>"),
    ("meta", "Option<serde_json::Value>"),
]


def test_schema_passes_the_2020_12_metaschema() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_nine_properties_in_seed_order_with_rust_types() -> None:
    assert [(s.name, s.rust_type) for s in field_specs()] == SEED_ORDER


def test_required_are_the_six_non_option_fields() -> None:
    specs = field_specs()
    assert sorted(load_schema()["required"]) == sorted(s.name for s in specs if not s.optional)
    assert len(load_schema()["required"]) == 6
    assert load_schema()["additionalProperties"] is False


def test_version_title_and_descriptions() -> None:
    schema = load_schema()
    assert schema_version() == "0.3.1"
    assert schema["title"] == "ExecutorEvent"
    assert all(spec.schema["description"].strip() for spec in field_specs())


def test_serde_annotations_match_the_struct() -> None:
    by_name = {s.name: s for s in field_specs()}
    assert by_name["context"].aliases == ("payload",)
    for name in ("event_id", "worker_id", "meta"):
        assert by_name[name].serde_default and by_name[name].skip_if_none
    for name in ("execution_id", "event_type", "step", "status", "created_at", "context"):
        assert not by_name[name].serde_default and not by_name[name].skip_if_none
    assert [s.name for s in field_specs() if s.aliases] == ["context"]


def test_every_rust_type_has_a_codec_entry() -> None:
    for spec in field_specs():
        assert resolve(spec.rust_type).name == spec.rust_type


def test_int64_bounds_and_status_union() -> None:
    props = load_schema()["properties"]
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
