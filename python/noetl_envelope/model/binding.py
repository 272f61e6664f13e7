"""Field binding: which document member serde's derived Deserialize hands to which struct field.

The derived visitor accepts the struct as a map (any key order, unknown keys skipped without
decoding their values, or an error under the container's `deny_unknown_fields`; each field under
its wire name, `rename` / `rename_all` applied, or an alias such as `payload` for `context`, never
under its Rust name once renamed; a repeated field an error) or as serde's sequence form (an
array of the fields in declaration order, whatever their names; `deny_unknown_fields` changes
nothing there). Field knowledge comes from the schema's annotations (`schema.field_specs`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from noetl_envelope.core.rules import ALL_PROFILES, Rule
from noetl_envelope.core.violations import JsonPath, Violation, render_pointer
from noetl_envelope.model.schema import FieldSpec, field_specs
from noetl_envelope.wire.jsontree import BadStr, Obj, a_type_name, excerpt

SERDE_NOT_A_STRUCT = Rule(
    "serde.not-a-struct",
    ALL_PROFILES,
    "The top-level value is neither an object nor serde's sequence form (an array).",
    message="the document is {kind} ({value}); expected struct ExecutorEvent (an object)",
)

SERDE_DUPLICATE_FIELD = Rule(
    "serde.duplicate-field",
    ALL_PROFILES,
    "A struct field appears twice (including `context` together with its alias `payload`).",
    message="duplicate field `{field}` (already given at {first})",
)

SERDE_INVALID_LENGTH = Rule(
    "serde.invalid-length",
    ALL_PROFILES,
    "Serde's sequence form with too few or too many elements.",
    message={
        "too-long": "sequence form has {length} elements; struct ExecutorEvent has {fields} fields",
        "too-short": "sequence form has {length} elements; field `{field}` (index {index}) is required",
    },
)


SERDE_UNKNOWN_FIELD = Rule(
    "serde.unknown-field",
    ALL_PROFILES,
    "A key the struct does not declare, under `#[serde(deny_unknown_fields)]` (otherwise serde skips it).",
    message="unknown field `{key}`, expected one of {expected}",
)


TOP_LEVEL = 1  # the struct itself is the first container serde_json's recursion limit counts


@dataclass(slots=True)
class Binding:
    """The tree values serde would hand to each field, and where they came from."""

    values: dict[str, Any] = field(default_factory=dict)
    pointers: dict[str, JsonPath] = field(default_factory=dict)  # where each field's value was
    alias_used: list[JsonPath] = field(default_factory=list)  # members written with an alias
    unknown: list[JsonPath] = field(default_factory=list)  # members serde skips (or refuses)
    sequence_form: bool = False
    violations: list[Violation] = field(default_factory=list)


def bind(tree: Any, specs: tuple[FieldSpec, ...] | None = None) -> Binding:
    """Match the document's members to struct fields the way serde's derived visitor does."""
    specs = specs if specs is not None else field_specs()
    binding = Binding()
    if isinstance(tree, Obj):
        by_wire_name = {name: spec for spec in specs for name in spec.wire_names}
        deny_unknown = getattr(specs, "deny_unknown_fields", False)
        for key, value in tree:
            pointer: JsonPath = (key,)
            if isinstance(key, BadStr):
                # serde_json decodes every key (deserialize_identifier), known or not.
                binding.violations.append(key.rule.at(pointer, "key", value=excerpt(key)))
                continue
            found = by_wire_name.get(key)
            if found is None:
                binding.unknown.append(pointer)
                if deny_unknown:
                    expected = ", ".join(f"`{name}`" for spec in specs for name in spec.wire_names)
                    binding.violations.append(SERDE_UNKNOWN_FIELD.at(pointer, key=key, expected=expected))
                continue
            spec = found
            if key != spec.wire:
                binding.alias_used.append(pointer)
            if spec.name in binding.values:
                first = binding.pointers[spec.name]
                binding.violations.append(
                    SERDE_DUPLICATE_FIELD.at(pointer, field=spec.wire, first=render_pointer(first))
                )
                continue
            binding.values[spec.name] = value
            binding.pointers[spec.name] = pointer
    elif isinstance(tree, list):
        binding.sequence_form = True
        for index, spec in enumerate(specs):
            if index < len(tree):
                binding.values[spec.name] = tree[index]
                binding.pointers[spec.name] = (index,)
        if len(tree) > len(specs):
            binding.violations.append(
                SERDE_INVALID_LENGTH.at((len(specs),), "too-long", length=len(tree), fields=len(specs))
            )
    else:
        binding.violations.append(SERDE_NOT_A_STRUCT.at((), kind=a_type_name(tree), value=excerpt(tree)))
    return binding
