"""The `serde` profile: would `serde_json::from_slice::<ExecutorEvent>` (pinned versions) accept it?

`binding.bind` matches members to fields as serde's derived visitor does; this module adds
what the visitor then rejects: a missing field, a sequence form of the wrong length, and each
value its Rust type (`rusttypes`) rejects. A field may be missing from an object when it has
`#[serde(default)]` (then it holds `Default::default()` of its type, an `Option`'s None included)
or is an `Option` (serde's derive reads a missing `Option<T>` as None even without `default`);
from the end of the sequence form only when it has `#[serde(default)]`.
"""

from __future__ import annotations

from typing import Any

from noetl_envelope.core.rules import ALL_PROFILES, Rule
from noetl_envelope.core.violations import Violation
from noetl_envelope.model.binding import SERDE_INVALID_LENGTH, TOP_LEVEL, Binding, bind
from noetl_envelope.model.codec import serde_reader
from noetl_envelope.model.rusttypes import NumberReader
from noetl_envelope.model.schema import FieldSpec, field_specs
from noetl_envelope.wire.jsontree import Obj

SERDE_MISSING_FIELD = Rule(
    "serde.missing-field",
    ALL_PROFILES,
    "A required (non-Option) field is absent.",
    message="missing field `{field}`",
)


def check(
    tree: Any, specs: tuple[FieldSpec, ...] | None = None, read_number: NumberReader | None = None
) -> tuple[list[Violation], Binding]:
    """Every reason serde would reject the tree ([] = accepted), and the field binding.
    `read_number`: how the consumers' serde_json reads numbers (default: what the schema
    declares of them, `codec.serde_reader`); pass it with `specs` of another schema."""
    specs = specs if specs is not None else field_specs()
    read_number = read_number if read_number is not None else serde_reader()
    binding = bind(tree, specs)
    violations = list(binding.violations)
    if not isinstance(tree, (Obj, list)):
        return violations, binding
    for index, spec in enumerate(specs):
        if spec.name not in binding.values:
            if spec.serde_default or (spec.optional and not binding.sequence_form):
                continue
            if binding.sequence_form:
                violations.append(
                    SERDE_INVALID_LENGTH.at((), "too-short", length=len(tree), field=spec.name, index=index)
                )
            else:
                violations.append(SERDE_MISSING_FIELD.at((), field=spec.wire))
            continue
        violations.extend(
            spec.rust.check(binding.values[spec.name], binding.pointers[spec.name], TOP_LEVEL, read_number)
        )
    return violations, binding
