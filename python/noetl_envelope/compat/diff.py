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
    COMPAT_DENY_UNKNOWN_FIELDS_ADDED,
    COMPAT_DENY_UNKNOWN_FIELDS_REMOVED,
    COMPAT_DESCRIPTION_CHANGED,
    COMPAT_ENUM_NARROWED,
    COMPAT_ENUM_WIDENED,
    COMPAT_FIELD_ADDED_OPTIONAL,
    COMPAT_FIELD_ADDED_REQUIRED,
    COMPAT_FIELD_ORDER_CHANGED,
    COMPAT_FIELD_REMOVED,
    COMPAT_FIELD_RENAMED,
    COMPAT_FIELD_RENAMED_ALIASED,
    COMPAT_FORMAT_CHANGED,
    COMPAT_FORMAT_NARROWED,
    COMPAT_FORMAT_WIDENED,
    COMPAT_KEYWORD_CHANGED,
    COMPAT_NULLABLE_ADDED,
    COMPAT_NULLABLE_REMOVED,
    COMPAT_OPTIONAL_TO_REQUIRED,
    COMPAT_PATTERN_CHANGED,
    COMPAT_PATTERN_NARROWED,
    COMPAT_PATTERN_WIDENED,
    COMPAT_REQUIRED_TO_OPTIONAL,
    COMPAT_SERDE_ATTRIBUTE_CHANGED,
    COMPAT_TYPE_CHANGED,
)
from noetl_envelope.compat.model import Change, Pair, Side
from noetl_envelope.core.rules import Rule
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
_TOP_HANDLED = {
    "$id",
    "properties",
    "required",
    "additionalProperties",
    "x-serde-container",
    *_TOP_DESCRIPTIVE,
    *_TOP_ANNOTATIONS,
}


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from `old` to `new`, each with its broken cells filled in."""
    pair = Pair(Side.of("old", old), Side.of("new", new))
    changes = _top_level(pair) + _fields(pair)
    if not changes and _without_id(old) != _without_id(new):
        # A safety net: a difference no walker above names is still a change the policy must see.
        changes.append(Change(COMPAT_KEYWORD_CHANGED, "", COMPAT_KEYWORD_CHANGED.message("unclassified"), ()))
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
        changes.append(
            Change(
                rule,
                "/additionalProperties",
                rule.message(),
                ("x-undeclared",),
                old.get("additionalProperties"),
                new.get("additionalProperties"),
            )
        )
    changes.extend(_container_changes(pair))
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
        what = rule.message("top-level", key=key, before=kinds.show(old.get(key)), after=kinds.show(new.get(key)))
        changes.append(Change(rule, render_pointer((key,)), clip(what, 160), (), old.get(key), new.get(key)))
    return changes


def _container_changes(pair: Pair) -> list[Change]:
    """`x-serde-container`: `deny_unknown_fields` is a kind of its own; `rename_all` changes wire
    names, and each field whose key changed is listed as renamed; the derives touch no wire."""
    old, new = pair.old.schema.get("x-serde-container", {}), pair.new.schema.get("x-serde-container", {})
    changes: list[Change] = []
    if pair.old.deny_unknown_fields != pair.new.deny_unknown_fields:
        denies = pair.new.deny_unknown_fields
        rule = COMPAT_DENY_UNKNOWN_FIELDS_ADDED if denies else COMPAT_DENY_UNKNOWN_FIELDS_REMOVED
        changes.append(
            Change(
                rule,
                "/x-serde-container/deny_unknown_fields",
                rule.message(),
                ("x-undeclared",),
                pair.old.deny_unknown_fields,
                denies,
            )
        )
    for key in ("rename_all", "derive"):
        if old.get(key) != new.get(key):
            form = "container-rename-all" if key == "rename_all" else "container"
            changes.append(
                Change(
                    COMPAT_ANNOTATION_CHANGED,
                    f"/x-serde-container/{key}",
                    COMPAT_ANNOTATION_CHANGED.message(
                        form, key=key, before=kinds.show(old.get(key)), after=kinds.show(new.get(key))
                    ),
                    (),
                    old.get(key),
                    new.get(key),
                )
            )
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
            rule = COMPAT_FIELD_RENAMED_ALIASED if aliased else COMPAT_FIELD_RENAMED
            changes.append(
                Change(
                    rule,
                    _prop_pointer(pair.new.specs[name].name),
                    rule.message(old=old_name, new=name),
                    (old_name, name),
                    old_name,
                    name,
                )
            )
    for name in added:
        spec = pair.new.specs[name]
        rule = COMPAT_FIELD_ADDED_REQUIRED if kinds.requires(pair.new, name) else COMPAT_FIELD_ADDED_OPTIONAL
        changes.append(
            Change(
                rule,
                _prop_pointer(spec.name),
                rule.message(field=name, rust=spec.rust_type),
                (name,),
                None,
                spec.schema,
            )
        )
    for name in removed:
        changes.append(
            Change(
                COMPAT_FIELD_REMOVED,
                _prop_pointer(pair.old.specs[name].name),
                COMPAT_FIELD_REMOVED.message(field=name, rust=pair.old.specs[name].rust_type),
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
                COMPAT_FIELD_ORDER_CHANGED.message(),
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
    # The same property under another wire name (`rename`, `rename_all`) is the same field.
    same_field = [old for old in removed if pair.old.specs[old].name == spec.name]
    if same_field:
        return same_field[0], False
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

    def add(
        rule: Rule, form: str, pointer: str, old: Any, new: Any, change_keys: tuple[str, ...] = keys, /, **fields: Any
    ) -> None:
        changes.append(Change(rule, pointer, rule.message(form, field=name, **fields), change_keys, old, new))

    old_types = kinds.json_types(op)
    new_types = kinds.json_types(np)
    type_changed = o.inner_rust_type != n.inner_rust_type or _without_null(old_types) != _without_null(new_types)
    if type_changed:
        add(
            COMPAT_TYPE_CHANGED,
            "",
            _prop_pointer(n.name, "type"),
            {"x-rust-type": o.rust_type, "type": op.get("type")},
            {"x-rust-type": n.rust_type, "type": np.get("type")},
            old_rust=o.rust_type,
            old_type=kinds.show(op.get("type")),
            new_rust=n.rust_type,
            new_type=kinds.show(np.get("type")),
        )
    was_required, is_required = kinds.requires(pair.old, name), kinds.requires(pair.new, name)
    if was_required != is_required:
        rule = COMPAT_OPTIONAL_TO_REQUIRED if is_required else COMPAT_REQUIRED_TO_OPTIONAL
        add(rule, "", _prop_pointer(n.name), was_required, is_required)
    elif o.required != n.required:
        # `required` changed but serde's need for the non-Option field keeps the contract as it was.
        add(COMPAT_ANNOTATION_CHANGED, "required", "/required", None, None, (), rust=n.rust_type)
    was_nullable, is_nullable = kinds.allows_null(pair.old, name), kinds.allows_null(pair.new, name)
    if was_nullable != is_nullable:
        rule = COMPAT_NULLABLE_ADDED if is_nullable else COMPAT_NULLABLE_REMOVED
        add(rule, "", _prop_pointer(n.name, "type"), was_nullable, is_nullable)
    if (
        not type_changed
        and was_nullable == is_nullable
        and (op.get("type"), o.rust_type) != (np.get("type"), n.rust_type)
    ):
        # Only the null half of `type` / Option<> moved, and the other half still decides.
        add(
            COMPAT_ANNOTATION_CHANGED,
            "null-half",
            _prop_pointer(n.name, "type"),
            None,
            None,
            (),
            old_rust=o.rust_type,
            old_type=kinds.show(op.get("type")),
            new_rust=n.rust_type,
            new_type=kinds.show(np.get("type")),
        )
    old_serde, new_serde = dict(op.get("x-serde", {})), dict(np.get("x-serde", {}))
    for alias in sorted(set(n.aliases) - set(o.aliases)):
        add(COMPAT_ALIAS_ADDED, "", _prop_pointer(n.name, "x-serde"), None, alias, (alias,), alias=alias)
    for alias in sorted(set(o.aliases) - set(n.aliases)):
        add(COMPAT_ALIAS_REMOVED, "", _prop_pointer(n.name, "x-serde"), alias, None, (alias,), alias=alias)
    # An alias or a wire name (`rename`) that changed is a change of keys, listed above.
    for attribute in ("alias", "rename"):
        old_serde.pop(attribute, None)
        new_serde.pop(attribute, None)
    if old_serde != new_serde:
        add(COMPAT_SERDE_ATTRIBUTE_CHANGED, "", _prop_pointer(n.name, "x-serde"), old_serde, new_serde)
    if not type_changed:
        changes.extend(_domain_changes(name, n.name, o.inner, op, np))
    for group, rule in ((DESCRIPTIVE, COMPAT_DESCRIPTION_CHANGED), (ANNOTATIONS, COMPAT_ANNOTATION_CHANGED)):
        for key in group:
            if op.get(key) != np.get(key):
                add(rule, "field", _prop_pointer(n.name, key), op.get(key), np.get(key), (), key=key)
    for key in sorted((set(op) | set(np)) - _FIELD_KEYS):
        if op.get(key) != np.get(key):
            add(COMPAT_KEYWORD_CHANGED, "field", _prop_pointer(n.name, key), op.get(key), np.get(key), key=key)
    return changes


def _domain_changes(
    name: str, prop_name: str, rust_type: RustType, op: dict[str, Any], np: dict[str, Any]
) -> list[Change]:
    """Bounds, enum, format and pattern of a field whose type did not change."""
    changes: list[Change] = []

    def add(rule: Rule, form: str, keyword: str, old: Any, new: Any, /, **fields: Any) -> None:
        message = rule.message(form, field=name, **fields)
        changes.append(Change(rule, _prop_pointer(prop_name, keyword), message, (name,), old, new))

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
                "implied-bound",
                key,
                old,
                new,
                key=key,
                before=kinds.show(old),
                after=kinds.show(new),
                rust=rust_type.name,
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
        add(rule, "", key, old, new, key=key, before=kinds.show(old), after=kinds.show(new))
    old_enum, new_enum = _values(op.get("enum")), _values(np.get("enum"))
    if old_enum != new_enum:
        if old_enum is None or (new_enum is not None and old_enum - new_enum):
            if old_enum is None:
                add(COMPAT_ENUM_NARROWED, "added", "enum", op.get("enum"), np.get("enum"))
            else:
                lost = ", ".join(sorted(old_enum - (new_enum or set())))
                add(COMPAT_ENUM_NARROWED, "lost", "enum", op.get("enum"), np.get("enum"), values=lost)
        if new_enum is None or (old_enum is not None and new_enum - old_enum):
            if new_enum is None:
                add(COMPAT_ENUM_WIDENED, "removed", "enum", op.get("enum"), np.get("enum"))
            else:
                gained = ", ".join(sorted(new_enum - (old_enum or set())))
                add(COMPAT_ENUM_WIDENED, "gained", "enum", op.get("enum"), np.get("enum"), values=gained)
    for key, (narrowed_rule, widened_rule, changed_rule) in _STRING_CONSTRAINTS.items():
        old, new = op.get(key), np.get(key)
        if old == new:
            continue
        rule = narrowed_rule if old is None else widened_rule if new is None else changed_rule
        add(rule, "", key, old, new, before=kinds.show(old), after=kinds.show(new))
    return changes


# A string constraint keyword -> its rules when added (narrowed), removed (widened), changed.
_STRING_CONSTRAINTS: dict[str, tuple[Rule, Rule, Rule]] = {
    "format": (COMPAT_FORMAT_NARROWED, COMPAT_FORMAT_WIDENED, COMPAT_FORMAT_CHANGED),
    "pattern": (COMPAT_PATTERN_NARROWED, COMPAT_PATTERN_WIDENED, COMPAT_PATTERN_CHANGED),
}


def _without_id(schema: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key != "$id"}


def _without_null(types: set[str] | None) -> set[str] | None:
    return None if types is None else types - {"null"}


def _values(values: Any) -> set[str] | None:
    return None if values is None else {json.dumps(v, sort_keys=True) for v in values}
