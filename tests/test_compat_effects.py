"""The compat effect table (compat/kinds.py) cell by cell, before counterexamples are merged into it.

`compare` marks a cell broken when the table says so *or* when a counterexample document is
found, so a kind whose effect function returned nothing would still look right after the merge
(the documents fill the gap). Here the raw table -- `diff`, which fills `Change.breaks` from
`kinds.effects` and nothing else -- is checked against what the consumers' semantics say
(README "Schema compatibility gate", the kinds.py and compat/model.py docstrings):

- rust (serde derive, no deny_unknown_fields) reads any contract-valid document: it skips
  undeclared keys, needs every field that is not an `Option` (serde_derive's `missing_field`
  reads an absent `Option` as None, with or without `#[serde(default)]`), accepts `null` only for
  an `Option` or a `Value`, needs the value to fit the `x-rust-type`, binds a serde alias, and
  never looks at bounds, enums, formats, patterns or `const`;
- python (`decode`, contract profile) reads any contract-valid document: the whole JSON Schema,
  `additionalProperties: false` included; an alias on the wire is rejected;
- producer: the reader's contract on what a struct serializer writes: every field except a None
  it skips, `null` for a None it does not skip or for a `Value`, never an undeclared key.

backward = new reader, old data; forward = old reader, new data. Each row below gives the broken
cells and why every other cell holds; the edits are test_compat_kinds.py's, by test id.
"""

from __future__ import annotations

import copy

import pytest

from noetl_envelope.compat.diff import diff  # the raw table: diff fills Change.breaks from kinds.effects
from noetl_envelope.compat.kinds import KINDS
from noetl_envelope.compat.model import CELLS
from test_compat_kinds import CASES, UNCLASSIFIED, current

Cell = tuple[str, str]
RUST_BW, RUST_FW = ("rust", "backward"), ("rust", "forward")
PY_BW, PY_FW = ("python", "backward"), ("python", "forward")
PROD_BW, PROD_FW = ("producer", "backward"), ("producer", "forward")
CONTRACT_BW, CONTRACT_FW = {PY_BW, PROD_BW}, {PY_FW, PROD_FW}
ALL = set(CELLS)

# test id -> (broken cells, why: the broken cells first, then why the others hold)
ROWS: dict[str, tuple[set[Cell], str]] = {
    "added-optional": (
        CONTRACT_FW,
        "new data may carry trace_id (a producer writes it when Some): the old closed contract rejects it; "
        "serde skips an unknown key; old data lacks an Option field, which every new reader allows",
    ),
    "added-required": (
        {RUST_BW, *CONTRACT_BW, *CONTRACT_FW},
        "old data never carries tenant: new serde needs the String field, the new contract requires it; "
        "new data carries it: the old closed contract rejects it, old serde skips it",
    ),
    "removed-optional": (
        CONTRACT_BW,
        "old data may carry worker_id: the new closed contract rejects it, new serde skips it; "
        "new data lacks a field that was optional for every old reader",
    ),
    "removed-required": (
        {RUST_FW, *CONTRACT_BW, *CONTRACT_FW},
        "new data never carries step: old serde needs the String, the old contract requires it; "
        "old data carries it: the new closed contract rejects it, new serde skips it",
    ),
    "renamed": (
        ALL,
        "each side's data lacks the other side's non-Option field (step / node_name): every reader both ways",
    ),
    "renamed-aliased": (
        {RUST_FW, *CONTRACT_BW, *CONTRACT_FW},
        "old data's `step` is only an alias for the new contract (contract.alias-used) and lacks node_name; "
        "new data lacks step for old serde and old contract; new serde binds old `step` by alias: rust backward holds",
    ),
    "type-i64-to-string": (
        ALL,
        "i64 and String read none of each other's values, in serde and in the JSON types, both ways",
    ),
    "type-widened-to-value": (
        {RUST_FW, *CONTRACT_FW},
        "new data may hold a string event_id: old Option<i64> and old type [integer, null] reject it; "
        "old integers and nulls fit the new Value and the new types",
    ),
    "bound-narrowed": (
        CONTRACT_BW,
        "old data may hold a 1- or 2-character event_type, below the new minLength; serde checks no bound; "
        "new data meets the stricter bound",
    ),
    "bound-narrowed-minimum": (
        CONTRACT_BW,
        "old data may hold a negative execution_id, below the new minimum; serde checks no bound beyond i64",
    ),
    "bound-widened": (
        CONTRACT_FW,
        "new data may hold an empty event_type, which the old minLength rejects; serde checks no bound; "
        "old data meets the old, stricter bound",
    ),
    "bound-implied-by-i64": (
        set(),
        "dropping a maximum equal to i64::MAX changes nothing: the Rust type still bounds every side",
    ),
    "enum-narrowed": (CONTRACT_BW, "old data may hold a status the new enum dropped; serde's String has no enum"),
    "enum-widened": (CONTRACT_FW, "new data may hold QUEUED, outside the old enum; serde's String has no enum"),
    "format-narrowed": (
        CONTRACT_BW,
        "step gains the checked format date-time: old data's free text fails the new contract; serde ignores formats",
    ),
    "format-widened": (
        CONTRACT_FW,
        "created_at loses date-time: new data may hold a string chrono reads but RFC 3339 refuses (a space "
        "separator), which the old contract rejects; the Rust type is unchanged",
    ),
    "format-changed": (
        CONTRACT_FW,
        "date-time -> email, and email is not a checked format (an annotation): a widening, forward only",
    ),
    "format-unchecked": (set(), "email on worker_id is an annotation the contract does not check"),
    "pattern-narrowed": (CONTRACT_BW, "old data may not match the new pattern; serde ignores patterns"),
    "pattern-widened": (CONTRACT_FW, "new data may not match the old pattern; serde ignores patterns"),
    "pattern-changed": (
        {*CONTRACT_BW, *CONTRACT_FW},
        "neither pattern contains the other: contract readers both ways; serde ignores patterns",
    ),
    "required-to-optional": (
        {RUST_FW, *CONTRACT_FW},
        "new data may omit step (a producer skips None): old serde needs the String, the old contract "
        "requires it; old data always carries a string step, which the new Option reads",
    ),
    "optional-to-required": (
        CONTRACT_BW,
        "old data may omit worker_id (an old producer skips None): the new contract requires it; new serde "
        "still reads an absent Option as None; new data always carries it",
    ),
    "nullable-added": (
        CONTRACT_FW,
        "new data may hold context: null (a Value writes null): the old contract rejects it; old serde's "
        "Value reads null",
    ),
    "nullable-added-rust": (
        {RUST_FW, PY_FW},
        "new contract data may hold step: null: old serde's String and the old contract reject it; a producer "
        "skips None, so it never writes that null",
    ),
    "nullable-removed": (
        {PY_BW},
        "old contract data may hold worker_id: null: the new contract rejects it; new serde's Option reads "
        "null; an old producer skips None, so it never writes that null",
    ),
    "additional-allowed": (
        {PY_FW},
        "new data may carry undeclared keys: the old contract rejects them; serde skips them; producers "
        "write no undeclared key",
    ),
    "additional-denied": (
        {PY_BW},
        "old data may carry undeclared keys: the new contract rejects them; serde skips them; producers "
        "write no undeclared key",
    ),
    "alias-added": (
        set(),
        "the old schema is closed: no old contract document carries `type`, so the new alias binds nothing",
    ),
    "alias-added-open": (
        {RUST_BW, PY_BW},
        "the old schema is open: old contract data may carry `type` as an undeclared key; new serde binds "
        "it to event_type (a duplicate field), the new contract rejects it as an alias on the wire; a "
        "producer writes no undeclared key",
    ),
    "alias-removed": (set(), "contract data never uses the alias (contract.alias-used): nothing relied on it"),
    "serde-skip-removed": (
        set(),
        "the producer now writes worker_id: null for None; the old contract allows null and old serde's "
        "Option reads it",
    ),
    "serde-skip-removed-null-written": (
        {PY_FW, PROD_FW},
        "new producers write worker_id: null for None (no skip_serializing_if); the old contract's worker_id is "
        "a plain string and rejects it; serde's Option reads null either way",
    ),
    "serde-default-removed": (
        set(),
        "an absent Option is None for serde with or without #[serde(default)]; skip_serializing_if stays, "
        "worker_id stays out of `required`: no reader sees a difference",
    ),
    "field-order": (
        set(),
        "serde's sequence form depends on field order, but contract data is always an object: no reader sees it",
    ),
    "serde-rename": (
        ALL,
        "`rename` moves step to the key node: each side's data lacks the other side's key for a non-Option "
        "field, and carries a key the other closed contract does not declare",
    ),
    "serde-rename-aliased": (
        {RUST_FW, *CONTRACT_BW, *CONTRACT_FW},
        "as renamed-aliased: new serde binds old `step` by alias, the new contract calls it an alias; "
        "old readers never see `step` in new data",
    ),
    "rename-all": (ALL, "camelCase moves execution_id to executionId: a renamed non-Option field, both ways"),
    "rename-all-annotation": (set(), "the container's own entry: each field whose key changed has its own row"),
    "rust-name-changed-wire-kept": (set(), "`rename` keeps the key step: nothing on the wire changes"),
    "deny-unknown-fields-added": (set(), "a closed contract's data carries no undeclared key to refuse"),
    "deny-unknown-fields-added-open": (
        {RUST_BW, PY_BW},
        "old data of an open schema may carry undeclared keys, which new serde now refuses, and so does the "
        "new contract (contract.serde-rejected); producers never write undeclared keys",
    ),
    "deny-unknown-fields-removed-open": (
        {RUST_FW, PY_FW},
        "new data of an open schema may carry undeclared keys, which old serde refuses, and so does the old "
        "contract; old data is read by a serde that skips them",
    ),
    "deny-unknown-fields-removed": (set(), "serde skips undeclared keys again: no reader rejects more"),
    "serde-default-on-required": (
        set(),
        "step stays required in the contract and is always written; only serde's own reading of an absent step changes",
    ),
    "description": (set(), "documentation only"),
    "top-description": (set(), "documentation only"),
    "db-column": (set(), "a database column annotation: nothing on the wire"),
    "unclassified": (
        {*CONTRACT_BW, *CONTRACT_FW},
        "a keyword the gate does not know (const) is assumed to break contract readers both ways "
        "(conservative, review by hand); serde never reads JSON Schema keywords",
    ),
}

# Cells where the code's table disagrees with the semantics above, each with why. These cells
# are pinned to the code's current (wrong) answer, so a fix fails here until its entry is removed;
# the other cells of the row are checked as usual.
KNOWN_WRONG: dict[tuple[str, Cell], str] = {
    ("alias-added-open", PY_BW): (
        "kinds._alias_added names only rust/backward; the counterexample search finds the python cell "
        "(contract.alias-used), so the merged gate is right"
    ),
}

ALL_CASES = [*CASES, UNCLASSIFIED]


def raw_effects(case_id: str) -> tuple[str, dict[Cell, str]]:
    """(rule, the broken cells with their reasons) of the case's change, before any counterexample."""
    _name, old_edit, new_edit, rule, pointer, _broken = next(c for c in ALL_CASES if c[0] == case_id)
    old = current()
    if old_edit is not None:
        old_edit(old)
    new = copy.deepcopy(old)
    new_edit(new)
    matching = [c for c in diff(old, new) if c.rule == rule and c.pointer == pointer]
    assert matching, f"{case_id}: no {rule} at {pointer}"
    assert all(not c.evidence for c in matching), "diff must not look for counterexamples"
    return rule, dict(matching[0].breaks)


@pytest.mark.parametrize("case_id", [c[0] for c in ALL_CASES])
def test_effect_table_cell_by_cell(case_id: str) -> None:
    expected, why = ROWS[case_id]
    rule, table = raw_effects(case_id)
    wrong = []
    for cell in CELLS:
        role, direction = cell
        should_break, breaks = cell in expected, cell in table
        known = KNOWN_WRONG.get((case_id, cell))
        if known is not None:
            if should_break == breaks:
                wrong.append(f"{role}/{direction}: now as the semantics say; remove it from KNOWN_WRONG ({known})")
        elif should_break and not breaks:
            wrong.append(f"{role}/{direction}: should break, the table of {rule} says compatible")
        elif breaks and not should_break:
            wrong.append(f"{role}/{direction}: should hold, the table of {rule} says {table[cell]!r}")
    assert not wrong, f"{case_id} ({why}):\n" + "\n".join(wrong)
    for cell, reason in table.items():
        assert reason.strip(), f"{case_id}: {cell} broken without a reason"


def test_every_kind_has_a_row() -> None:
    assert set(ROWS) == {c[0] for c in ALL_CASES}
    assert {c[3] for c in ALL_CASES} == set(KINDS)
    # A kind whose effect function can break something has a row where the table must name a
    # broken cell (or a known-wrong cell it names today): emptying that function fails that row.
    named = {case for case, _cell in KNOWN_WRONG}
    proving = {c[3] for c in ALL_CASES if ROWS[c[0]][0] or c[0] in named}
    effectful = {kind for kind, fn in KINDS.items() if fn.__name__ != "_no_effect"}
    assert effectful <= proving, effectful - proving
