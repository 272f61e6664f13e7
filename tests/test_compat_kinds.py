"""Every kind of schema change the compat gate names, each from a small edit of the current schema.

For each edit the test pins the rule id, the JSON pointer and the exact set of broken
role x direction cells, and demands a counterexample document for every broken cell and none
for the others: the table in compat/kinds.py and the documents agree.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from noetl_envelope import validate
from noetl_envelope.compat import compare
from noetl_envelope.compat.judge import Judge
from noetl_envelope.compat.kinds import KINDS
from noetl_envelope.compat.model import CELLS, Change, Side
from noetl_envelope.core.rules import all_rules
from noetl_envelope.model.schema import load_schema

RULES = all_rules()

Schema = dict[str, Any]
RUST_BW, RUST_FW = ("rust", "backward"), ("rust", "forward")
PY_BW, PY_FW = ("python", "backward"), ("python", "forward")
PROD_BW, PROD_FW = ("producer", "backward"), ("producer", "forward")
ALL = set(CELLS)
OPTIONAL_SERDE = {"default": True, "skip_serializing_if": "Option::is_none"}


def current() -> Schema:
    return copy.deepcopy(load_schema())


def props(schema: Schema) -> dict[str, Any]:
    result: dict[str, Any] = schema["properties"]
    return result


def add_field(name: str, prop: Schema, *, required: bool = False) -> Callable[[Schema], None]:
    def edit(schema: Schema) -> None:
        props(schema)[name] = prop
        if required:
            schema["required"].append(name)

    return edit


def remove_field(name: str) -> Callable[[Schema], None]:
    def edit(schema: Schema) -> None:
        del props(schema)[name]
        if name in schema["required"]:
            schema["required"].remove(name)

    return edit


def rename_step(*, alias: bool) -> Callable[[Schema], None]:
    def edit(schema: Schema) -> None:
        fields = props(schema)
        step = fields.pop("step")
        if alias:
            step = {**step, "x-serde": {"alias": ["step"]}}
        fields["node_name"] = step
        schema["required"] = ["node_name" if r == "step" else r for r in schema["required"]]

    return edit


def set_key(field: str, key: str, value: Any) -> Callable[[Schema], None]:
    def edit(schema: Schema) -> None:
        props(schema)[field][key] = value

    return edit


def drop_key(field: str, key: str) -> Callable[[Schema], None]:
    def edit(schema: Schema) -> None:
        del props(schema)[field][key]

    return edit


def edits(*steps: Callable[[Schema], None]) -> Callable[[Schema], None]:
    def edit(schema: Schema) -> None:
        for step in steps:
            step(schema)

    return edit


def top(key: str, value: Any) -> Callable[[Schema], None]:
    def edit(schema: Schema) -> None:
        if value is None:
            del schema[key]
        else:
            schema[key] = value

    return edit


def swap_step_status(schema: Schema) -> None:
    fields = props(schema)
    order = list(fields)
    i, j = order.index("step"), order.index("status")
    order[i], order[j] = order[j], order[i]
    schema["properties"] = {name: fields[name] for name in order}


def worker_required(schema: Schema) -> None:
    schema["required"].append("worker_id")


def step_optional(schema: Schema) -> None:
    fields = props(schema)
    fields["step"] = {
        **fields["step"],
        "type": ["string", "null"],
        "x-rust-type": "Option<String>",
        "x-serde": OPTIONAL_SERDE,
    }
    schema["required"].remove("step")


def container(**attrs: Any) -> Callable[[Schema], None]:
    def edit(schema: Schema) -> None:
        schema["x-serde-container"] = {**schema.get("x-serde-container", {}), **attrs}

    return edit


def rename_property(old: str, new: str, serde: Schema) -> Callable[[Schema], None]:
    """The property (the Rust field) renamed in place, with `serde` as its attributes."""

    def edit(schema: Schema) -> None:
        schema["properties"] = {
            (new if name == old else name): ({**prop, "x-serde": serde, "x-db-column": new} if name == old else prop)
            for name, prop in props(schema).items()
        }
        schema["required"] = [new if r == old else r for r in schema["required"]]

    return edit


def open_old(schema: Schema) -> None:
    del schema["additionalProperties"]


OPTIONAL_TRACE = {
    "description": "A trace id.",
    "type": ["string", "null"],
    "x-rust-type": "Option<String>",
    "x-serde": OPTIONAL_SERDE,
}
REQUIRED_TENANT = {"description": "The tenant.", "type": "string", "x-rust-type": "String", "x-serde": {}}

# (test id, edit of the old schema or None, edit giving the new schema, rule, pointer, broken cells)
CASES: list[tuple[str, Callable[[Schema], None] | None, Callable[[Schema], None], str, str, set[tuple[str, str]]]] = [
    (
        "added-optional",
        None,
        add_field("trace_id", OPTIONAL_TRACE),
        "compat.field-added-optional",
        "/properties/trace_id",
        {PY_FW, PROD_FW},
    ),
    (
        "added-required",
        None,
        add_field("tenant", REQUIRED_TENANT, required=True),
        "compat.field-added-required",
        "/properties/tenant",
        {RUST_BW, PY_BW, PROD_BW, PY_FW, PROD_FW},
    ),
    (
        "removed-optional",
        None,
        remove_field("worker_id"),
        "compat.field-removed",
        "/properties/worker_id",
        {PY_BW, PROD_BW},
    ),
    (
        "removed-required",
        None,
        edits(remove_field("step")),
        "compat.field-removed",
        "/properties/step",
        {PY_BW, PROD_BW, RUST_FW, PY_FW, PROD_FW},
    ),
    ("renamed", None, rename_step(alias=False), "compat.field-renamed", "/properties/node_name", ALL),
    (
        "renamed-aliased",
        None,
        rename_step(alias=True),
        "compat.field-renamed-aliased",
        "/properties/node_name",
        {RUST_FW, PY_BW, PY_FW, PROD_BW, PROD_FW},
    ),
    (
        "type-i64-to-string",
        None,
        edits(
            set_key("execution_id", "type", "string"),
            set_key("execution_id", "x-rust-type", "String"),
            drop_key("execution_id", "minimum"),
            drop_key("execution_id", "maximum"),
        ),
        "compat.type-changed",
        "/properties/execution_id/type",
        ALL,
    ),
    (
        "type-widened-to-value",
        None,
        edits(
            set_key("event_id", "type", ["integer", "string", "null"]),
            set_key("event_id", "x-rust-type", "Option<serde_json::Value>"),
        ),
        "compat.type-changed",
        "/properties/event_id/type",
        {RUST_FW, PY_FW, PROD_FW},
    ),
    (
        "bound-narrowed",
        None,
        set_key("event_type", "minLength", 3),
        "compat.bound-narrowed",
        "/properties/event_type/minLength",
        {PY_BW, PROD_BW},
    ),
    (
        "bound-narrowed-minimum",
        None,
        set_key("execution_id", "minimum", 0),
        "compat.bound-narrowed",
        "/properties/execution_id/minimum",
        {PY_BW, PROD_BW},
    ),
    (
        "bound-widened",
        None,
        drop_key("event_type", "minLength"),
        "compat.bound-widened",
        "/properties/event_type/minLength",
        {PY_FW, PROD_FW},
    ),
    (
        "bound-implied-by-i64",
        None,
        drop_key("execution_id", "maximum"),
        "compat.annotation-changed",
        "/properties/execution_id/maximum",
        set(),
    ),
    (
        "enum-narrowed",
        None,
        set_key("status", "enum", ["PENDING", "RUNNING", "COMPLETED", "FAILED"]),
        "compat.enum-narrowed",
        "/properties/status/enum",
        {PY_BW, PROD_BW},
    ),
    (
        "enum-widened",
        None,
        lambda s: props(s)["status"]["enum"].append("QUEUED"),
        "compat.enum-widened",
        "/properties/status/enum",
        {PY_FW, PROD_FW},
    ),
    (
        "format-narrowed",
        None,
        set_key("step", "format", "date-time"),
        "compat.format-narrowed",
        "/properties/step/format",
        {PY_BW, PROD_BW},
    ),
    (
        "format-widened",
        None,
        drop_key("created_at", "format"),
        "compat.format-widened",
        "/properties/created_at/format",
        {PY_FW, PROD_FW},
    ),
    (
        "format-changed",
        None,
        set_key("created_at", "format", "email"),
        "compat.format-changed",
        "/properties/created_at/format",
        {PY_FW, PROD_FW},
    ),
    (
        "format-unchecked",
        None,
        set_key("worker_id", "format", "email"),
        "compat.format-narrowed",
        "/properties/worker_id/format",
        set(),
    ),
    (
        "pattern-narrowed",
        None,
        set_key("event_type", "pattern", "^[a-z_.]+$"),
        "compat.pattern-narrowed",
        "/properties/event_type/pattern",
        {PY_BW, PROD_BW},
    ),
    (
        "pattern-widened",
        set_key("event_type", "pattern", "^[a-z_.]+$"),
        drop_key("event_type", "pattern"),
        "compat.pattern-widened",
        "/properties/event_type/pattern",
        {PY_FW, PROD_FW},
    ),
    (
        "pattern-changed",
        set_key("event_type", "pattern", "^[a-z_.]+$"),
        set_key("event_type", "pattern", "^[A-Z_]+$"),
        "compat.pattern-changed",
        "/properties/event_type/pattern",
        {PY_BW, PROD_BW, PY_FW, PROD_FW},
    ),
    (
        "required-to-optional",
        None,
        step_optional,
        "compat.required-to-optional",
        "/properties/step",
        {RUST_FW, PY_FW, PROD_FW},
    ),
    (
        "optional-to-required",
        None,
        worker_required,
        "compat.optional-to-required",
        "/properties/worker_id",
        {PY_BW, PROD_BW},
    ),
    (
        "nullable-added",
        None,
        set_key("context", "type", ["object", "null"]),
        "compat.nullable-added",
        "/properties/context/type",
        {PY_FW, PROD_FW},
    ),
    ("nullable-added-rust", None, step_optional, "compat.nullable-added", "/properties/step/type", {RUST_FW, PY_FW}),
    (
        "nullable-removed",
        None,
        set_key("worker_id", "type", "string"),
        "compat.nullable-removed",
        "/properties/worker_id/type",
        {PY_BW},
    ),
    (
        "additional-allowed",
        None,
        top("additionalProperties", None),
        "compat.additional-properties-allowed",
        "/additionalProperties",
        {PY_FW},
    ),
    (
        "additional-denied",
        open_old,
        top("additionalProperties", False),
        "compat.additional-properties-denied",
        "/additionalProperties",
        {PY_BW},
    ),
    (
        "alias-added",
        None,
        set_key("event_type", "x-serde", {"alias": ["type"]}),
        "compat.alias-added",
        "/properties/event_type/x-serde",
        set(),
    ),
    (
        # An open old schema lets old data carry `type` as an undeclared key: new serde binds it
        # (a duplicate of event_type) and the new contract calls it an alias on the wire.
        "alias-added-open",
        open_old,
        set_key("event_type", "x-serde", {"alias": ["type"]}),
        "compat.alias-added",
        "/properties/event_type/x-serde",
        {RUST_BW, PY_BW},
    ),
    (
        "alias-removed",
        None,
        set_key("context", "x-serde", {}),
        "compat.alias-removed",
        "/properties/context/x-serde",
        set(),
    ),
    (
        "serde-skip-removed",
        None,
        set_key("worker_id", "x-serde", {"default": True}),
        "compat.serde-attribute-changed",
        "/properties/worker_id/x-serde",
        set(),
    ),
    # Without skip_serializing_if the producer writes None as null, which an old contract whose
    # worker_id is a plain string rejects (the type change widening to null is its own finding).
    (
        "serde-skip-removed-null-written",
        set_key("worker_id", "type", "string"),
        lambda schema: (
            set_key("worker_id", "x-serde", {"default": True})(schema),
            set_key("worker_id", "type", ["string", "null"])(schema),
        ),
        "compat.serde-attribute-changed",
        "/properties/worker_id/x-serde",
        {PY_FW, PROD_FW},
    ),
    # serde's derive reads a missing Option<T> as None with or without `default` (in an object;
    # tests/test_serde_variants.py checks it against compiled serde), so nothing breaks.
    (
        "serde-default-removed",
        None,
        set_key("worker_id", "x-serde", {"skip_serializing_if": "Option::is_none"}),
        "compat.serde-attribute-changed",
        "/properties/worker_id/x-serde",
        set(),
    ),
    ("field-order", None, swap_step_status, "compat.field-order-changed", "/properties", set()),
    (
        "description",
        None,
        set_key("step", "description", "Another text."),
        "compat.description-changed",
        "/properties/step/description",
        set(),
    ),
    ("top-description", None, top("description", "Another text."), "compat.description-changed", "/description", set()),
    (
        "db-column",
        None,
        set_key("step", "x-db-column", "step_name"),
        "compat.annotation-changed",
        "/properties/step/x-db-column",
        set(),
    ),
    # serde attributes that change the wire name: the key on the wire changes, so the field is
    # renamed there (Side keys fields by wire name), exactly like a renamed property.
    (
        "serde-rename",
        None,
        set_key("step", "x-serde", {"rename": "node"}),
        "compat.field-renamed",
        "/properties/step",
        ALL,
    ),
    (
        "serde-rename-aliased",
        None,
        set_key("step", "x-serde", {"rename": "node", "alias": ["step"]}),
        "compat.field-renamed-aliased",
        "/properties/step",
        {RUST_FW, PY_BW, PROD_BW, PY_FW, PROD_FW},
    ),
    (
        "rename-all",
        None,
        container(rename_all="camelCase"),
        "compat.field-renamed",
        "/properties/execution_id",
        ALL,
    ),
    (
        "rename-all-annotation",
        None,
        container(rename_all="camelCase"),
        "compat.annotation-changed",
        "/x-serde-container/rename_all",
        set(),
    ),
    # A Rust field renamed while `rename` keeps its key: nothing changes on the wire.
    (
        "rust-name-changed-wire-kept",
        None,
        rename_property("step", "node", {"rename": "step"}),
        "compat.annotation-changed",
        "/properties/node/x-db-column",
        set(),
    ),
    # Contract data carries no undeclared key under a closed schema: deny_unknown_fields changes
    # nothing for it; under an open schema it may, and the denying side's serde refuses it (and so
    # does that side's contract, which never accepts what its serde rejects).
    (
        "deny-unknown-fields-added",
        None,
        container(deny_unknown_fields=True),
        "compat.deny-unknown-fields-added",
        "/x-serde-container/deny_unknown_fields",
        set(),
    ),
    (
        "deny-unknown-fields-added-open",
        open_old,
        container(deny_unknown_fields=True),
        "compat.deny-unknown-fields-added",
        "/x-serde-container/deny_unknown_fields",
        {RUST_BW, PY_BW},
    ),
    (
        "deny-unknown-fields-removed-open",
        edits(open_old, container(deny_unknown_fields=True)),
        container(deny_unknown_fields=False),
        "compat.deny-unknown-fields-removed",
        "/x-serde-container/deny_unknown_fields",
        {RUST_FW, PY_FW},
    ),
    (
        "deny-unknown-fields-removed",
        container(deny_unknown_fields=True),
        container(deny_unknown_fields=False),
        "compat.deny-unknown-fields-removed",
        "/x-serde-container/deny_unknown_fields",
        set(),
    ),
    # `default` on a required non-Option field: serde reads its absence as Default::default(), but
    # the field stays in `required` and every serializer writes it, so no reader sees a change.
    (
        "serde-default-on-required",
        None,
        set_key("step", "x-serde", {"default": True}),
        "compat.serde-attribute-changed",
        "/properties/step/x-serde",
        set(),
    ),
]
# A keyword the gate does not know is assumed to break contract readers both ways (conservative);
# the documents prove what they can, and the report marks the unproven cells.
UNCLASSIFIED = (
    "unclassified",
    None,
    set_key("step", "const", "x"),
    "compat.keyword-changed",
    "/properties/step/const",
    {PY_BW, PY_FW, PROD_BW, PROD_FW},
)


@pytest.mark.parametrize(
    ("old_edit", "new_edit", "rule", "pointer", "broken"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_change_kind_is_classified_and_proven(
    old_edit: Callable[[Schema], None] | None,
    new_edit: Callable[[Schema], None],
    rule: str,
    pointer: str,
    broken: set[tuple[str, str]],
) -> None:
    old = current()
    if old_edit is not None:
        old_edit(old)
    new = copy.deepcopy(old)
    new_edit(new)
    changes = compare(old, new)
    matching = [c for c in changes if c.rule == rule and c.pointer == pointer]
    assert matching, [(c.rule, c.pointer) for c in changes]
    change = matching[0]
    assert set(change.breaks) == broken, change.breaks
    # Show, don't assert: every broken cell has a document, and no compatible cell has one.
    assert set(change.evidence) == broken
    assert_evidence_holds(old, new, change)


def assert_evidence_holds(old: Schema, new: Schema, change: Change) -> None:
    """Each counterexample really is written by its writer side and rejected by its reader side."""
    judge = Judge()
    sides = {"old": Side.of("old", old), "new": Side.of("new", new)}
    for (role, _direction), example in change.evidence.items():
        assert judge.writer_may_write(role, sides[example.writer], example.document)
        assert judge.reader_violations(role, sides[example.reader], example.document)
        # Where a side is the packaged schema, the public API (no schema threading) must agree.
        profile = "serde" if role == "rust" else "contract"
        if sides[example.reader].schema == load_schema():
            assert validate(example.document, profile=profile), example.document
        if sides[example.writer].schema == load_schema():
            assert validate(example.document, profile="contract") == [], example.document


def test_unclassified_keyword_is_assumed_breaking_and_proven_where_possible() -> None:
    _name, _old_edit, new_edit, rule, pointer, broken = UNCLASSIFIED
    old, new = current(), current()
    new_edit(new)
    change = next(c for c in compare(old, new) if c.rule == rule and c.pointer == pointer)
    assert set(change.breaks) == broken
    # const "x": old data "y" fails the new schema; new data ("x") is still valid under the old one.
    assert set(change.evidence) == {PY_BW, PROD_BW}
    assert_evidence_holds(old, new, change)


def test_every_change_kind_is_covered_and_registered() -> None:
    covered = {case[3] for case in [*CASES, UNCLASSIFIED]}
    assert covered == set(KINDS)
    for kind in KINDS:
        assert RULES[kind].category in ("FIELD", "TYPE", "DOMAIN", "PRESENCE", "SERDE", "CONTAINER", "DOC", "OTHER"), (
            kind
        )


def test_identical_schemas_have_no_changes() -> None:
    assert compare(current(), current()) == []


def test_version_only_change_is_not_a_change() -> None:
    new = current()
    new["$id"] = new["$id"].rsplit(":", 1)[0] + ":9.9.9"
    assert compare(current(), new) == []
