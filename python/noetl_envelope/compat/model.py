"""The vocabulary of the compatibility gate: roles, directions, a schema `Side` and a `Change`.

A change is judged per cell of a role x direction table. Each role has a reader and a set of
documents it must read:

- rust: serde (`from_slice::<ExecutorEvent>`) reading any contract-valid document;
- python: the generated dataclass via `decode` (contract profile) reading any contract-valid
  document;
- producer: the contract gate reading what a struct serializer writes: contract-valid, every
  non-skipped field present, no `null` where serde skips None, no undeclared keys.

`backward` = new reader, old data; `forward` = old reader, new data (Confluent's terms).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from noetl_envelope.core.violations import Violation
from noetl_envelope.model.schema import FieldSpec, field_specs

ROLES = ("rust", "python", "producer")
DIRECTIONS = ("backward", "forward")
ROLE_TITLES = {
    "rust": "Rust consumer (serde)",
    "python": "Python consumer (dataclass + decode)",
    "producer": "producer (contract gate)",
}
DIRECTION_TITLES = {"backward": "new reader, old data", "forward": "old reader, new data"}

# Confluent's compatibility modes: the directions a classify-only run (`--old`) guards.
MODES = {
    "backward": ("backward",),
    "forward": ("forward",),
    "full": ("backward", "forward"),
}

Cell = tuple[str, str]  # (role, direction)
CELLS: tuple[Cell, ...] = tuple((role, direction) for role in ROLES for direction in DIRECTIONS)


@dataclass(frozen=True, slots=True)
class Side:
    """One version of the schema with its field annotations indexed by wire name: the key a
    document carries (`rename` / `rename_all` applied), so a change of wire name is a rename on the
    wire, and a changed Rust field name that keeps its wire name changes nothing there."""

    label: str  # "old" or "new"
    schema: dict[str, Any]
    specs: dict[str, FieldSpec]
    deny_unknown_fields: bool = False  # serde refuses undeclared keys instead of skipping them

    @classmethod
    def of(cls, label: str, schema: dict[str, Any]) -> Side:
        fields = field_specs(schema)
        return cls(label, schema, {spec.wire: spec for spec in fields}, fields.deny_unknown_fields)

    @property
    def open(self) -> bool:
        """Whether the contract lets undeclared keys through (`additionalProperties` not false)."""
        return self.schema.get("additionalProperties", True) is not False

    def prop(self, name: str) -> dict[str, Any] | None:
        spec = self.specs.get(name)
        return spec.schema if spec is not None else None

    def alias_owner(self, name: str) -> FieldSpec | None:
        """The field that accepts `name` as a serde alias, if any."""
        return next((spec for spec in self.specs.values() if name in spec.aliases), None)


@dataclass(frozen=True, slots=True)
class Pair:
    old: Side
    new: Side

    def sides(self, direction: str) -> tuple[Side, Side]:
        """(writer, reader) for a direction: backward = old data read by the new schema."""
        return (self.old, self.new) if direction == "backward" else (self.new, self.old)


@dataclass(frozen=True, slots=True)
class Counterexample:
    """A document the writer side may write and the reader side rejects, with the reader's finding."""

    cell: Cell
    document: bytes
    writer: str  # "old" / "new": whose data it is
    reader: str
    violation: Violation  # the reader's first finding

    def describe(self) -> str:
        role, _direction = self.cell
        reader = "serde" if role == "rust" else "contract"
        data = "producer writes" if role == "producer" else "contract accepts"
        return f"the {self.writer} {data} it; the {self.reader} {reader} reader rejects it: {self.violation}"


@dataclass(slots=True)
class Change:
    """One difference between the schemas, with a stable rule id `compat.<kind>`.

    `keys` are the document keys a counterexample varies (the field, its old name, an undeclared
    key); `breaks` maps each broken cell to why, filled by `kinds.effects`; `evidence` holds the
    counterexample found for a broken cell (`counterexample.find`).
    """

    rule: str
    pointer: str
    message: str
    keys: tuple[str, ...] = ()
    old: Any = None
    new: Any = None
    breaks: dict[Cell, str] = field(default_factory=dict)
    evidence: dict[Cell, Counterexample] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        """'backward' if any new reader rejects old data, else 'forward' if any old reader rejects
        new data, else 'none'. Semver: backward-breaking needs a major bump."""
        directions = {direction for _role, direction in self.breaks}
        if "backward" in directions:
            return "backward"
        return "forward" if "forward" in directions else "none"
