"""One small function per kind of schema change: which role x direction cells it breaks, and why.

Buf-style: every kind has a stable rule id `compat.<kind>`, a category and a summary (declared
in `noetl_envelope.core.rules`), and its effect is derived from the two schemas' annotations, never
from a hard-coded list of fields. The consumer semantics encoded here:

- Rust (serde derive): unknown keys are skipped (refused under `deny_unknown_fields`); keys are
  wire names (`rename`, `rename_all`), so a changed wire name is a renamed field; a field that is not
  `Option` with `#[serde(default)]` must be present; `null` only for `Option` (or a `Value`);
  the value must fit the `x-rust-type`; a serde alias binds the old name. Bounds, enums,
  formats and patterns are not serde's business.
- Python (`decode` under the contract profile): the whole JSON Schema, `additionalProperties:
  false` included, and an alias on the wire is rejected (`contract.alias-used`).
- producer: what a struct serializer writes (every field but a skipped None, no undeclared keys)
  must pass the other side's contract.

`counterexample.py` checks these claims on concrete documents; the tests demand they agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from noetl_envelope.compat.model import DIRECTIONS, ROLES, Cell, Change, Pair, Side
from noetl_envelope.core.rules import COMPAT, Rule, lookup
from noetl_envelope.model.rusttypes import RustType
from noetl_envelope.model.schema import FieldSpec

COMPAT_FIELD_ADDED_OPTIONAL = Rule(
    "compat.field-added-optional",
    COMPAT,
    "A field was added that serde and the contract let documents omit (Option with serde default).",
    message="field `{field}` ({rust}) added as optional",
    category="FIELD",
)

COMPAT_FIELD_ADDED_REQUIRED = Rule(
    "compat.field-added-required",
    COMPAT,
    "A field was added that serde or the contract requires: old data lacks it.",
    message="field `{field}` ({rust}) added as required",
    category="FIELD",
)

COMPAT_FIELD_REMOVED = Rule(
    "compat.field-removed",
    COMPAT,
    "A field was removed: old data carrying it fails a closed contract; old readers needing it miss it.",
    message="field `{field}` ({rust}) removed",
    category="FIELD",
)

COMPAT_FIELD_RENAMED = Rule(
    "compat.field-renamed",
    COMPAT,
    "A field's key changed (a new property name, `rename` or `rename_all`; same x-db-column) without a serde "
    "alias for the old key.",
    message="field `{old}` renamed to `{new}` without an alias",
    category="FIELD",
)

COMPAT_FIELD_RENAMED_ALIASED = Rule(
    "compat.field-renamed-aliased",
    COMPAT,
    "A field was renamed keeping the old name as a serde alias (Rust reads old data; the contract rejects aliases).",
    message="field `{old}` renamed to `{new}` keeping the old name as a serde alias",
    category="FIELD",
)

COMPAT_TYPE_CHANGED = Rule(
    "compat.type-changed",
    COMPAT,
    "A field's x-rust-type or JSON type changed (e.g. execution_id String -> i64).",
    message="`{field}`: type {old_rust} ({old_type}) -> {new_rust} ({new_type})",
    category="TYPE",
)

COMPAT_BOUND_NARROWED = Rule(
    "compat.bound-narrowed",
    COMPAT,
    "minimum/maximum/minLength/... became stricter (beyond the Rust type's own range): old data may fall outside.",
    message="`{field}`: `{key}` {before} -> {after}",
    category="DOMAIN",
)

COMPAT_BOUND_WIDENED = Rule(
    "compat.bound-widened",
    COMPAT,
    "A bound became looser: new data may fall outside what old validators accept.",
    message="`{field}`: `{key}` {before} -> {after}",
    category="DOMAIN",
)

COMPAT_ENUM_NARROWED = Rule(
    "compat.enum-narrowed",
    COMPAT,
    "Enum values were removed (or an enum added): old data may hold them.",
    message={"added": "`{field}`: enum added", "lost": "`{field}`: enum lost {values}"},
    category="DOMAIN",
)

COMPAT_ENUM_WIDENED = Rule(
    "compat.enum-widened",
    COMPAT,
    "Enum values were added (or the enum removed): old validators reject the new values.",
    message={"removed": "`{field}`: enum removed", "gained": "`{field}`: enum gained {values}"},
    category="DOMAIN",
)

COMPAT_FORMAT_NARROWED = Rule(
    "compat.format-narrowed",
    COMPAT,
    "A checked `format` was added (only formats the contract checks, e.g. date-time, have an effect).",
    message="`{field}`: `format` {before} -> {after}",
    category="DOMAIN",
)

COMPAT_FORMAT_WIDENED = Rule(
    "compat.format-widened",
    COMPAT,
    "A checked `format` was removed.",
    message="`{field}`: `format` {before} -> {after}",
    category="DOMAIN",
)

COMPAT_FORMAT_CHANGED = Rule(
    "compat.format-changed",
    COMPAT,
    "A `format` was replaced by another.",
    message="`{field}`: `format` {before} -> {after}",
    category="DOMAIN",
)

COMPAT_PATTERN_NARROWED = Rule(
    "compat.pattern-narrowed",
    COMPAT,
    "A `pattern` was added.",
    message="`{field}`: `pattern` {before} -> {after}",
    category="DOMAIN",
)

COMPAT_PATTERN_WIDENED = Rule(
    "compat.pattern-widened",
    COMPAT,
    "A `pattern` was removed.",
    message="`{field}`: `pattern` {before} -> {after}",
    category="DOMAIN",
)

COMPAT_PATTERN_CHANGED = Rule(
    "compat.pattern-changed",
    COMPAT,
    "A `pattern` was replaced by another (both directions may break).",
    message="`{field}`: `pattern` {before} -> {after}",
    category="DOMAIN",
)

COMPAT_REQUIRED_TO_OPTIONAL = Rule(
    "compat.required-to-optional",
    COMPAT,
    "A field may now be absent (left `required`, or became Option with serde default): old readers needing it break.",
    message="`{field}`: now optional",
    category="PRESENCE",
)

COMPAT_OPTIONAL_TO_REQUIRED = Rule(
    "compat.optional-to-required",
    COMPAT,
    "A field must now be present: old data and old producers may omit it.",
    message="`{field}`: now required",
    category="PRESENCE",
)

COMPAT_NULLABLE_ADDED = Rule(
    "compat.nullable-added",
    COMPAT,
    "null is now accepted (JSON type and Rust type both): old readers reject it.",
    message="`{field}`: null now accepted",
    category="PRESENCE",
)

COMPAT_NULLABLE_REMOVED = Rule(
    "compat.nullable-removed",
    COMPAT,
    "null is no longer accepted: old data may hold it.",
    message="`{field}`: null no longer accepted",
    category="PRESENCE",
)

COMPAT_SERDE_ATTRIBUTE_CHANGED = Rule(
    "compat.serde-attribute-changed",
    COMPAT,
    "x-serde `default` / `skip_serializing_if` changed: what producers write and serde requires may change.",
    message="`{field}`: serde attributes changed",
    category="PRESENCE",
)

COMPAT_ADDITIONAL_PROPERTIES_ALLOWED = Rule(
    "compat.additional-properties-allowed",
    COMPAT,
    "additionalProperties is no longer false: old contract validators reject new data's extra keys (serde skips them).",
    message="the envelope now lets undeclared keys through",
    category="CONTAINER",
)

COMPAT_ADDITIONAL_PROPERTIES_DENIED = Rule(
    "compat.additional-properties-denied",
    COMPAT,
    "additionalProperties became false: old data with extra keys fails the new contract.",
    message="the envelope now rejects undeclared keys",
    category="CONTAINER",
)

COMPAT_DENY_UNKNOWN_FIELDS_ADDED = Rule(
    "compat.deny-unknown-fields-added",
    COMPAT,
    "The container gained #[serde(deny_unknown_fields)]: serde refuses undeclared keys (contract data has none "
    "unless the old schema was open).",
    message="serde now refuses undeclared keys",
    category="CONTAINER",
)

COMPAT_DENY_UNKNOWN_FIELDS_REMOVED = Rule(
    "compat.deny-unknown-fields-removed",
    COMPAT,
    "The container lost #[serde(deny_unknown_fields)]: serde skips undeclared keys again (no reader rejects more).",
    message="serde skips again undeclared keys",
    category="CONTAINER",
)

COMPAT_ALIAS_ADDED = Rule(
    "compat.alias-added",
    COMPAT,
    "A serde alias was added (contract data never uses aliases; no effect unless the old schema was open).",
    message="`{field}`: serde alias `{alias}` added",
    category="SERDE",
)

COMPAT_ALIAS_REMOVED = Rule(
    "compat.alias-removed",
    COMPAT,
    "A serde alias was removed (contract data never uses aliases: no effect on contract-valid data).",
    message="`{field}`: serde alias `{alias}` removed",
    category="SERDE",
)

COMPAT_FIELD_ORDER_CHANGED = Rule(
    "compat.field-order-changed",
    COMPAT,
    "Declaration order changed: serde's sequence form and canonical bytes change; contract data (objects) does not.",
    message="declaration order changed: serde's sequence form and canonical bytes follow it; contract data "
    "(objects) is unaffected",
    category="SERDE",
)

COMPAT_DESCRIPTION_CHANGED = Rule(
    "compat.description-changed",
    COMPAT,
    "Only a description, title, example or comment changed: no effect.",
    message={"top-level": "`{key}` {before} -> {after}", "field": "`{field}`: `{key}` changed (no effect on the wire)"},
    category="DOC",
)

COMPAT_ANNOTATION_CHANGED = Rule(
    "compat.annotation-changed",
    COMPAT,
    "Only an annotation with no wire effect changed (x-db-column, customTypePath, x-rust-crate, a "
    "bound the Rust type already implies, x-serde-json-features: float_roundtrip changes only which "
    "double a Rust consumer holds, a warning).",
    message={
        "top-level": "`{key}` {before} -> {after}",
        "field": "`{field}`: `{key}` changed (no effect on the wire)",
        "required": "`{field}`: `required` changed; serde still needs {rust}",
        "null-half": "`{field}`: {old_rust} ({old_type}) -> {new_rust} ({new_type}): same values",
        "implied-bound": "`{field}`: `{key}` {before} -> {after}: the Rust type {rust} keeps the same range",
        "container": "`{key}` {before} -> {after} (no effect on the wire)",
        "container-rename-all": "`{key}` {before} -> {after} (each field whose wire name changed is listed)",
    },
    category="DOC",
)

COMPAT_KEYWORD_CHANGED = Rule(
    "compat.keyword-changed",
    COMPAT,
    "A keyword the gate does not classify changed: assumed breaking for contract readers; review by hand.",
    message={
        "top-level": "`{key}` {before} -> {after}",
        "field": "`{field}`: `{key}` changed",
        "unclassified": "the schemas differ in a way the gate does not classify",
    },
    category="OTHER",
)


CONTRACT_ROLES = ("python", "producer")

Effects = dict[Cell, str]
EffectFn = Callable[[Change, Pair], Effects]


# --- what the annotations say about one field -------------------------------------------------


def rust_needs(spec: FieldSpec) -> bool:
    """serde rejects an object without the field (profiles/serde.py: an Option, or a field with
    serde's default, may be missing)."""
    return not (spec.optional or spec.serde_default)


def requires(side: Side, name: str) -> bool:
    """The contract needs the key: JSON Schema `required`, or serde does (contract ⊂ serde)."""
    spec = side.specs.get(name)
    return spec is not None and (spec.required or rust_needs(spec))


def json_types(prop: dict[str, Any]) -> set[str] | None:
    """The JSON types the property allows (None: any)."""
    if "type" not in prop:
        return None
    declared = prop["type"]
    return set(declared) if isinstance(declared, list) else {declared}


def rust_accepts_null(spec: FieldSpec) -> bool:
    return spec.optional or spec.inner.free_form


def allows_null(side: Side, name: str) -> bool:
    """Contract-valid data of this side may hold `null` at the key."""
    spec = side.specs.get(name)
    if spec is None:
        return side.open
    types = json_types(spec.schema)
    return (types is None or "null" in types) and rust_accepts_null(spec)


def may_omit(role: str, side: Side, name: str) -> bool:
    spec = side.specs.get(name)
    if spec is None:
        return True
    if role == "producer":  # serde writes every field except a None it is told to skip
        return spec.optional and spec.skip_if_none
    return not requires(side, name)


def may_write_null(role: str, side: Side, name: str) -> bool:
    spec = side.specs.get(name)
    if spec is None or not allows_null(side, name):
        return False
    if role == "producer":
        # None is written as null unless skipped; a Value (even Some(Value::Null)) writes null.
        return (spec.optional and not spec.skip_if_none) or spec.inner.free_form
    return True


def rejects_absent(role: str, side: Side, name: str) -> bool:
    spec = side.specs.get(name)
    if spec is None:
        return False
    return rust_needs(spec) if role == "rust" else requires(side, name)


def rejects_null(role: str, side: Side, name: str) -> bool:
    spec = side.specs.get(name)
    if role == "rust":
        return spec is not None and not rust_accepts_null(spec)
    return not allows_null(side, name)


def rust_accepts(reader: RustType, writer: RustType) -> bool:
    """A Rust field of type `reader` reads every value written for type `writer`."""
    return reader.reads_values_of(writer)


def types_subset(writer: set[str] | None, reader: set[str] | None) -> bool:
    """Every JSON type the writer allows is allowed by the reader ('integer' ⊂ 'number')."""
    if reader is None:
        return True
    if writer is None:
        return False
    return all(t in reader or (t == "integer" and "number" in reader) for t in writer - {"null"})


def checked_formats() -> frozenset[str]:
    """The formats the contract really checks (python-jsonschema only annotates the others)."""
    from noetl_envelope.profiles.contract import validator_for

    checker = validator_for().format_checker
    return frozenset(checker.checkers) if checker is not None else frozenset()


# --- shared effect computations --------------------------------------------------------------


def presence_effects(change: Change, pair: Pair) -> Effects:
    """Keys declared on one side only (added, removed, renamed fields): who rejects what."""
    out: Effects = {}
    for direction in DIRECTIONS:
        writer, reader = pair.sides(direction)
        for key in change.keys:
            if key in writer.specs and key not in reader.specs:
                owner = reader.alias_owner(key)
                if owner is not None:
                    if not rust_accepts(owner.inner, writer.specs[key].inner):
                        out[("rust", direction)] = f"`{key}` binds to `{owner.name}` ({owner.rust_type}) by alias"
                    for role in CONTRACT_ROLES:
                        out[(role, direction)] = (
                            f"`{key}` is only an alias of `{owner.name}` there: contract.alias-used"
                        )
                else:
                    if not reader.open:
                        for role in CONTRACT_ROLES:
                            out[(role, direction)] = f"`{key}` is undeclared there (additionalProperties: false)"
                    if reader.deny_unknown_fields:
                        out[("rust", direction)] = f"`{key}` is undeclared there and serde denies unknown fields"
            if key in reader.specs and key not in writer.specs:
                spec = reader.specs[key]
                carried_by_alias = [a for a in spec.aliases if a in writer.specs]
                if rust_needs(spec) and all(may_omit("rust", writer, a) for a in carried_by_alias):
                    out[("rust", direction)] = f"the data never carries `{key}`, a non-Option field there"
                if requires(reader, key):
                    for role in CONTRACT_ROLES:
                        out[(role, direction)] = f"the data never carries `{key}`, which is required there"
                if writer.open:
                    if not spec.inner.free_form or reader.deny_unknown_fields:
                        out.setdefault(("rust", direction), f"undeclared `{key}` may hold any value in the data")
                    out.setdefault(("python", direction), f"undeclared `{key}` may hold any value in the data")
    return out


SidePredicate = Callable[[str, Side, str], bool]


def _writer_reader_effects(
    change: Change, pair: Pair, writes: SidePredicate, rejects: SidePredicate, say: Callable[[str, str], str]
) -> Effects:
    """Each (role, direction) where the writer side `writes` something about the changed key
    that the reader side `rejects`; `say(role, key)` is the effect's text."""
    out: Effects = {}
    key = change.keys[0]
    for direction in DIRECTIONS:
        writer, reader = pair.sides(direction)
        for role in ROLES:
            if writes(role, writer, key) and rejects(role, reader, key):
                out[(role, direction)] = say(role, key)
    return out


def absence_effects(change: Change, pair: Pair) -> Effects:
    """The writer may leave the key out where the reader needs it."""

    def say(role: str, key: str) -> str:
        what = "serde needs the non-Option field" if role == "rust" else "the contract requires it"
        return f"the data may omit `{key}`; {what}"

    return _writer_reader_effects(change, pair, may_omit, rejects_absent, say)


def null_effects(change: Change, pair: Pair) -> Effects:
    """The writer may write `null` where the reader rejects it."""
    return _writer_reader_effects(
        change,
        pair,
        may_write_null,
        rejects_null,
        lambda role, key: f"the data may hold `{key}: null`, which the reader rejects",
    )


def contract_domain(directions: tuple[str, ...], why: str) -> Effects:
    """A value domain the contract checks (serde does not) shrank in the given directions."""
    return {(role, direction): why for role in CONTRACT_ROLES for direction in directions}


def _narrowing(change: Change) -> tuple[str, ...]:
    # narrowed: old data may not fit the new schema; widened: new data may not fit the old one.
    if change.rule.endswith("-narrowed"):
        return ("backward",)
    if change.rule.endswith("-widened"):
        return ("forward",)
    return DIRECTIONS


# --- the kinds -------------------------------------------------------------------------------


def _field_presence(change: Change, pair: Pair) -> Effects:
    return presence_effects(change, pair)


def _type_changed(change: Change, pair: Pair) -> Effects:
    out: Effects = {}
    key = change.keys[0]
    for direction in DIRECTIONS:
        writer, reader = pair.sides(direction)
        w, r = writer.specs[key], reader.specs[key]
        if not rust_accepts(r.inner, w.inner):
            out[("rust", direction)] = f"Rust {r.rust_type} rejects values written as {w.rust_type}"
        if not types_subset(json_types(w.schema), json_types(r.schema)):
            for role in CONTRACT_ROLES:
                out[(role, direction)] = (
                    f"JSON type {show(w.schema.get('type'))} is not within {show(r.schema.get('type'))}"
                )
    return out


def _domain(change: Change, pair: Pair) -> Effects:
    return contract_domain(_narrowing(change), f"{change.pointer}: {show(change.old)} -> {show(change.new)}")


def _format(change: Change, pair: Pair) -> Effects:
    # A format python-jsonschema does not check is an annotation: only checked ones constrain.
    checked = checked_formats()
    old = change.old if change.old in checked else None
    new = change.new if change.new in checked else None
    directions = tuple(
        direction
        for direction, stricter in (("backward", new), ("forward", old))
        if stricter is not None and old != new
    )
    return contract_domain(directions, f"format {show(change.old)} -> {show(change.new)}")


def _absence(change: Change, pair: Pair) -> Effects:
    return absence_effects(change, pair)


def _nullability(change: Change, pair: Pair) -> Effects:
    return null_effects(change, pair)


def _serde_attribute(change: Change, pair: Pair) -> Effects:
    return {**absence_effects(change, pair), **null_effects(change, pair)}


def _additional_properties(change: Change, pair: Pair) -> Effects:
    # Serde skips undeclared keys and producers never write them: only the Python reader cares.
    writer_open = pair.old.open if change.rule.endswith("-denied") else pair.new.open
    direction = "backward" if change.rule.endswith("-denied") else "forward"
    if writer_open:
        return {("python", direction): "the data may carry undeclared keys; the reader's contract forbids them"}
    return {}


def _deny_unknown_fields(change: Change, pair: Pair) -> Effects:
    # Contract data carries undeclared keys only where its schema is open; the denying side's
    # contract then refuses them too (contract.serde-rejected: the contract never accepts what
    # serde rejects). Producers never write undeclared keys.
    added = change.rule == COMPAT_DENY_UNKNOWN_FIELDS_ADDED
    direction, writer = ("backward", pair.old) if added else ("forward", pair.new)
    if not writer.open:
        return {}
    why = f"the {writer.label} data may carry undeclared keys, which serde on the other side refuses"
    return {("rust", direction): why, ("python", direction): why}


def _alias_added(change: Change, pair: Pair) -> Effects:
    # Contract data never uses an alias; only undeclared keys of an open old schema can collide.
    if pair.old.open:
        return {("rust", "backward"): f"old data may carry `{change.keys[0]}` freely; serde now binds it"}
    return {}


def _no_effect(change: Change, pair: Pair) -> Effects:
    return {}


def _unclassified(change: Change, pair: Pair) -> Effects:
    return contract_domain(DIRECTIONS, "unclassified keyword change: assumed breaking, review it by hand")


def show(value: Any) -> str:
    """A schema value as messages print it (None: the keyword is absent)."""
    return "absent" if value is None else json.dumps(value, ensure_ascii=False)


# kind -> its effect function; each kind's category and doc are its Rule's (declared above).
KINDS: dict[str, EffectFn] = {
    COMPAT_FIELD_ADDED_OPTIONAL: _field_presence,
    COMPAT_FIELD_ADDED_REQUIRED: _field_presence,
    COMPAT_FIELD_REMOVED: _field_presence,
    COMPAT_FIELD_RENAMED: _field_presence,
    COMPAT_FIELD_RENAMED_ALIASED: _field_presence,
    COMPAT_TYPE_CHANGED: _type_changed,
    COMPAT_BOUND_NARROWED: _domain,
    COMPAT_BOUND_WIDENED: _domain,
    COMPAT_ENUM_NARROWED: _domain,
    COMPAT_ENUM_WIDENED: _domain,
    COMPAT_FORMAT_NARROWED: _format,
    COMPAT_FORMAT_WIDENED: _format,
    COMPAT_FORMAT_CHANGED: _format,
    COMPAT_PATTERN_NARROWED: _domain,
    COMPAT_PATTERN_WIDENED: _domain,
    COMPAT_PATTERN_CHANGED: _domain,
    COMPAT_REQUIRED_TO_OPTIONAL: _absence,
    COMPAT_OPTIONAL_TO_REQUIRED: _absence,
    COMPAT_NULLABLE_ADDED: _nullability,
    COMPAT_NULLABLE_REMOVED: _nullability,
    COMPAT_SERDE_ATTRIBUTE_CHANGED: _serde_attribute,
    COMPAT_ADDITIONAL_PROPERTIES_ALLOWED: _additional_properties,
    COMPAT_ADDITIONAL_PROPERTIES_DENIED: _additional_properties,
    COMPAT_DENY_UNKNOWN_FIELDS_ADDED: _deny_unknown_fields,
    COMPAT_DENY_UNKNOWN_FIELDS_REMOVED: _deny_unknown_fields,
    COMPAT_ALIAS_ADDED: _alias_added,
    COMPAT_ALIAS_REMOVED: _no_effect,
    COMPAT_FIELD_ORDER_CHANGED: _no_effect,
    COMPAT_DESCRIPTION_CHANGED: _no_effect,
    COMPAT_ANNOTATION_CHANGED: _no_effect,
    COMPAT_KEYWORD_CHANGED: _unclassified,
}


# Which variations of a document can prove a kind (see counterexample.documents): a nullability
# change is shown with a null, a presence change with the key left out, a domain change with a
# value; so a document proving one change is not credited to another change of the same field.
_VARIANTS: dict[str, frozenset[str]] = {
    "TYPE": frozenset({"value"}),
    "DOMAIN": frozenset({"value"}),
}
_PRESENCE_VARIANTS: dict[str, frozenset[str]] = {
    COMPAT_REQUIRED_TO_OPTIONAL: frozenset({"absent"}),
    COMPAT_OPTIONAL_TO_REQUIRED: frozenset({"absent"}),
    COMPAT_NULLABLE_ADDED: frozenset({"null"}),
    COMPAT_NULLABLE_REMOVED: frozenset({"null"}),
    COMPAT_SERDE_ATTRIBUTE_CHANGED: frozenset({"absent", "null"}),
}
ALL_VARIANTS = frozenset({"absent", "null", "value"})


def variants(rule: str) -> frozenset[str]:
    """The document variations ('absent', 'null', 'value') that can prove a change of this kind."""
    category = lookup(rule).category
    return _PRESENCE_VARIANTS.get(rule) or _VARIANTS.get(category, ALL_VARIANTS)


def effects(change: Change, pair: Pair) -> Effects:
    """The broken cells of one change, in the table's order."""
    found = KINDS[change.rule](change, pair)
    return {cell: found[cell] for cell in sorted(found, key=_cell_order)}


def _cell_order(cell: Cell) -> tuple[int, int]:
    return ROLES.index(cell[0]), DIRECTIONS.index(cell[1])
