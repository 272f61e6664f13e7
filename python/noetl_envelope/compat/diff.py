"""Walk two versions of the envelope schema property by property and list every `Change`.

Field knowledge comes from `schema.field_specs` (the `x-rust-type` and `x-serde` annotations),
so what counts as required, nullable or renamed is what serde and the contract make of the
schema, not what one keyword says in isolation. Each change is then given its effects by
`kinds.effects`.
"""

from __future__ import annotations

import json
from typing import Any

from noetl_envelope.compat import kinds
from noetl_envelope.compat.kinds import (
    COMPAT_ADDITIONAL_PROPERTIES_ALLOWED,
    COMPAT_ADDITIONAL_PROPERTIES_DENIED,
    COMPAT_ALIAS_ADDED,
    COMPAT_ALIAS_REMOVED,
    COMPAT_ANNOTATION_CHANGED,
    COMPAT_BOUND_NARROWED,
    COMPAT_BOUND_WIDENED,
    COMPAT_DESCRIPTION_CHANGED,
    COMPAT_ENUM_NARROWED,
    COMPAT_ENUM_WIDENED,
    COMPAT_FIELD_ADDED_OPTIONAL,
    COMPAT_FIELD_ADDED_REQUIRED,
    COMPAT_FIELD_ORDER_CHANGED,
    COMPAT_FIELD_REMOVED,
    COMPAT_FIELD_RENAMED,
    COMPAT_FIELD_RENAMED_ALIASED,
    COMPAT_KEYWORD_CHANGED,
    COMPAT_NULLABLE_ADDED,
    COMPAT_NULLABLE_REMOVED,
    COMPAT_OPTIONAL_TO_REQUIRED,
    COMPAT_REQUIRED_TO_OPTIONAL,
    COMPAT_SERDE_ATTRIBUTE_CHANGED,
    COMPAT_TYPE_CHANGED,
)
from noetl_envelope.compat.model import Change, Pair, Side
from noetl_envelope.core.violations import render_pointer
from noetl_envelope.model.rusttypes import RustType
from noetl_envelope.wire.jsontree import clip

# Lower bounds (a bigger value narrows) and upper bounds (a smaller value narrows).
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength")
DESCRIPTIVE = ("description", "title", "examples", "$comment")
ANNOTATIONS = ("x-db-column", "customTypePath")
_FIELD_KEYS = {
    "type",
    "x-rust-type",
    "x-serde",
    "enum",
    "format",
    "pattern",
    *LOWER_BOUNDS,
    *UPPER_BOUNDS,
    *DESCRIPTIVE,
    *ANNOTATIONS,
}
_TOP_DESCRIPTIVE = ("title", "description", "$comment")
# x-serde-json-features (float_roundtrip): what the Rust consumers hold for a float, not what any
# side accepts; the read-back it declares away is a warning, so adding or removing it breaks no one.
_TOP_ANNOTATIONS = ("$schema", "x-rust-struct", "x-rust-crate", "x-serde-json-features")
_TOP_HANDLED = {"$id", "properties", "required", "additionalProperties", *_TOP_DESCRIPTIVE, *_TOP_ANNOTATIONS}


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from `old` to `new`, each with its broken cells filled in."""
    pair = Pair(Side.of("old", old), Side.of("new", new))
    changes = _top_level(pair) + _fields(pair)
    if not changes and _without_id(old) != _without_id(new):
        # A safety net: a difference no walker above names is still a change the policy must see.
        changes.append(Change(COMPAT_KEYWORD_CHANGED, "", "the schemas differ in a way the gate does not classify", ()))
    for change in changes:
        change.breaks = kinds.effects(change, pair)
    return changes


def _prop_pointer(name: str, *rest: str) -> str:
    return render_pointer(("properties", name, *rest))


def _top_level(pair: Pair) -> list[Change]:
    old, new = pair.old.schema, pair.new.schema
    changes: list[Change] = []
    if pair.old.open != pair.new.open:
        rule = COMPAT_ADDITIONAL_PROPERTIES_ALLOWED if pair.new.open else COMPAT_ADDITIONAL_PROPERTIES_DENIED
        what = "now lets undeclared keys through" if pair.new.open else "now rejects undeclared keys"
        changes.append(
            Change(
                rule,
                "/additionalProperties",
                f"the envelope {what}",
                ("x-undeclared",),
                old.get("additionalProperties"),
                new.get("additionalProperties"),
            )
        )
    for key in sorted(set(old) | set(new)):
        if key in _TOP_HANDLED and key not in _TOP_DESCRIPTIVE + _TOP_ANNOTATIONS:
            continue
        if old.get(key) == new.get(key):
            continue
        rule = (
            COMPAT_DESCRIPTION_CHANGED
            if key in _TOP_DESCRIPTIVE
            else COMPAT_ANNOTATION_CHANGED
            if key in _TOP_ANNOTATIONS
            else COMPAT_KEYWORD_CHANGED
        )
        what = f"`{key}` {kinds.show(old.get(key))} -> {kinds.show(new.get(key))}"
        changes.append(Change(rule, render_pointer((key,)), clip(what, 160), (), old.get(key), new.get(key)))
    return changes


def _fields(pair: Pair) -> list[Change]:
    old_names = list(pair.old.specs)
    new_names = list(pair.new.specs)
    removed = [name for name in old_names if name not in pair.new.specs]
    added = [name for name in new_names if name not in pair.old.specs]
    changes: list[Change] = []
    for name in list(added):
        renamed = _rename_of(name, removed, pair)
        if renamed is not None:
            old_name, aliased = renamed
            removed.remove(old_name)
            added.remove(name)
            how = "keeping the old name as a serde alias" if aliased else "without an alias"
            changes.append(
                Change(
                    COMPAT_FIELD_RENAMED_ALIASED if aliased else COMPAT_FIELD_RENAMED,
                    _prop_pointer(name),
                    f"field `{old_name}` renamed to `{name}` {how}",
                    (old_name, name),
                    old_name,
                    name,
                )
            )
    for name in added:
        spec = pair.new.specs[name]
        required = kinds.requires(pair.new, name)
        changes.append(
            Change(
                COMPAT_FIELD_ADDED_REQUIRED if required else COMPAT_FIELD_ADDED_OPTIONAL,
                _prop_pointer(name),
                f"field `{name}` ({spec.rust_type}) added as {'required' if required else 'optional'}",
                (name,),
                None,
                spec.schema,
            )
        )
    for name in removed:
        changes.append(
            Change(
                COMPAT_FIELD_REMOVED,
                _prop_pointer(name),
                f"field `{name}` ({pair.old.specs[name].rust_type}) removed",
                (name,),
                pair.old.specs[name].schema,
                None,
            )
        )
    for name in new_names:
        if name in pair.old.specs:
            changes.extend(_field_changes(name, pair))
    common_old = [name for name in old_names if name in pair.new.specs]
    common_new = [name for name in new_names if name in pair.old.specs]
    if common_old != common_new:
        changes.append(
            Change(
                COMPAT_FIELD_ORDER_CHANGED,
                "/properties",
                "declaration order changed: serde's sequence form and canonical bytes follow it; "
                "contract data (objects) is unaffected",
                (),
                common_old,
                common_new,
            )
        )
    return changes


def _rename_of(name: str, removed: list[str], pair: Pair) -> tuple[str, bool] | None:
    """(old name, aliased) when the added field `name` replaces a removed one."""
    spec = pair.new.specs[name]
    for alias in spec.aliases:
        if alias in removed:
            return alias, True
    column = spec.schema.get("x-db-column")
    if column is None:
        return None
    # Without an alias, the same database column is what identifies the field across a rename.
    matches = [old for old in removed if pair.old.specs[old].schema.get("x-db-column") == column]
    return (matches[0], False) if len(matches) == 1 else None


def _field_changes(name: str, pair: Pair) -> list[Change]:
    o, n = pair.old.specs[name], pair.new.specs[name]
    op, np = o.schema, n.schema
    keys = (name,)
    changes: list[Change] = []

    def add(rule: str, pointer: str, message: str, old: Any, new: Any, change_keys: tuple[str, ...] = keys) -> None:
        changes.append(Change(rule, pointer, f"`{name}`: {message}", change_keys, old, new))

    old_types = kinds.json_types(op)
    new_types = kinds.json_types(np)
    type_changed = o.inner_rust_type != n.inner_rust_type or _without_null(old_types) != _without_null(new_types)
    if type_changed:
        add(
            COMPAT_TYPE_CHANGED,
            _prop_pointer(name, "type"),
            f"type {o.rust_type} ({kinds.show(op.get('type'))}) -> {n.rust_type} ({kinds.show(np.get('type'))})",
            {"x-rust-type": o.rust_type, "type": op.get("type")},
            {"x-rust-type": n.rust_type, "type": np.get("type")},
        )
    was_required, is_required = kinds.requires(pair.old, name), kinds.requires(pair.new, name)
    if was_required != is_required:
        rule = COMPAT_OPTIONAL_TO_REQUIRED if is_required else COMPAT_REQUIRED_TO_OPTIONAL
        add(
            rule, _prop_pointer(name), f"{'now required' if is_required else 'now optional'}", was_required, is_required
        )
    elif (name in pair.old.schema.get("required", ())) != (name in pair.new.schema.get("required", ())):
        # `required` changed but serde's need for the non-Option field keeps the contract as it was.
        add(
            COMPAT_ANNOTATION_CHANGED,
            "/required",
            f"`required` changed; serde still needs {n.rust_type}",
            None,
            None,
            (),
        )
    was_nullable, is_nullable = kinds.allows_null(pair.old, name), kinds.allows_null(pair.new, name)
    if was_nullable != is_nullable:
        rule = COMPAT_NULLABLE_ADDED if is_nullable else COMPAT_NULLABLE_REMOVED
        add(
            rule,
            _prop_pointer(name, "type"),
            f"null {'now' if is_nullable else 'no longer'} accepted",
            was_nullable,
            is_nullable,
        )
    if (
        not type_changed
        and was_nullable == is_nullable
        and (op.get("type"), o.rust_type) != (np.get("type"), n.rust_type)
    ):
        # Only the null half of `type` / Option<> moved, and the other half still decides.
        add(
            COMPAT_ANNOTATION_CHANGED,
            _prop_pointer(name, "type"),
            f"{o.rust_type} ({kinds.show(op.get('type'))}) -> {n.rust_type} ({kinds.show(np.get('type'))}):"
            " same values",
            None,
            None,
            (),
        )
    old_serde, new_serde = dict(op.get("x-serde", {})), dict(np.get("x-serde", {}))
    for alias in sorted(set(n.aliases) - set(o.aliases)):
        add(COMPAT_ALIAS_ADDED, _prop_pointer(name, "x-serde"), f"serde alias `{alias}` added", None, alias, (alias,))
    for alias in sorted(set(o.aliases) - set(n.aliases)):
        add(
            COMPAT_ALIAS_REMOVED,
            _prop_pointer(name, "x-serde"),
            f"serde alias `{alias}` removed",
            alias,
            None,
            (alias,),
        )
    old_serde.pop("alias", None)
    new_serde.pop("alias", None)
    if old_serde != new_serde:
        add(
            COMPAT_SERDE_ATTRIBUTE_CHANGED,
            _prop_pointer(name, "x-serde"),
            "serde attributes changed",
            old_serde,
            new_serde,
        )
    if not type_changed:
        changes.extend(_domain_changes(name, o.inner, op, np))
    for group, rule in ((DESCRIPTIVE, COMPAT_DESCRIPTION_CHANGED), (ANNOTATIONS, COMPAT_ANNOTATION_CHANGED)):
        for key in group:
            if op.get(key) != np.get(key):
                add(
                    rule,
                    _prop_pointer(name, key),
                    f"`{key}` changed (no effect on the wire)",
                    op.get(key),
                    np.get(key),
                    (),
                )
    for key in sorted((set(op) | set(np)) - _FIELD_KEYS):
        if op.get(key) != np.get(key):
            add(COMPAT_KEYWORD_CHANGED, _prop_pointer(name, key), f"`{key}` changed", op.get(key), np.get(key))
    return changes


def _domain_changes(name: str, rust_type: RustType, op: dict[str, Any], np: dict[str, Any]) -> list[Change]:
    """Bounds, enum, format and pattern of a field whose type did not change."""
    changes: list[Change] = []

    def add(rule: str, key: str, message: str, old: Any, new: Any) -> None:
        changes.append(Change(rule, _prop_pointer(name, key), f"`{name}`: {message}", (name,), old, new))

    # An integer type's range is a bound the Rust type enforces whether or not the schema spells it out.
    implied = rust_type.implied_bounds
    for key in LOWER_BOUNDS + UPPER_BOUNDS:
        old, new = op.get(key), np.get(key)
        if old == new:
            continue
        effective_old, effective_new = (
            old if old is not None else implied.get(key),
            new if new is not None else implied.get(key),
        )
        if effective_old == effective_new:
            add(
                COMPAT_ANNOTATION_CHANGED,
                key,
                f"`{key}` {kinds.show(old)} -> {kinds.show(new)}: the Rust type {rust_type.name} keeps the same range",
                old,
                new,
            )
            continue
        lower = key in LOWER_BOUNDS
        if effective_old is None:
            narrowed = True
        elif effective_new is None:
            narrowed = False
        else:
            narrowed = effective_new > effective_old if lower else effective_new < effective_old
        rule = COMPAT_BOUND_NARROWED if narrowed else COMPAT_BOUND_WIDENED
        add(rule, key, f"`{key}` {kinds.show(old)} -> {kinds.show(new)}", old, new)
    old_enum, new_enum = _values(op.get("enum")), _values(np.get("enum"))
    if old_enum != new_enum:
        if old_enum is None or (new_enum is not None and old_enum - new_enum):
            lost = "added" if old_enum is None else f"lost {', '.join(sorted(old_enum - (new_enum or set())))}"
            add(COMPAT_ENUM_NARROWED, "enum", f"enum {lost}", op.get("enum"), np.get("enum"))
        if new_enum is None or (old_enum is not None and new_enum - old_enum):
            gained = "removed" if new_enum is None else f"gained {', '.join(sorted(new_enum - (old_enum or set())))}"
            add(COMPAT_ENUM_WIDENED, "enum", f"enum {gained}", op.get("enum"), np.get("enum"))
    for key in ("format", "pattern"):
        old, new = op.get(key), np.get(key)
        if old == new:
            continue
        kind = "narrowed" if old is None else "widened" if new is None else "changed"
        add(f"compat.{key}-{kind}", key, f"`{key}` {kinds.show(old)} -> {kinds.show(new)}", old, new)
    return changes


def _without_id(schema: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key != "$id"}


def _without_null(types: set[str] | None) -> set[str] | None:
    return None if types is None else types - {"null"}


def _values(values: Any) -> set[str] | None:
    return None if values is None else {json.dumps(v, sort_keys=True) for v in values}
