"""Show, don't assert: for each cell a change breaks, a concrete document that proves it.

A counterexample for (role, direction) is a document the writer side may write (see `judge`)
that the reader side rejects at one of the change's keys, with the reader's finding as the
evidence (findings about other keys belong to other changes of the same diff). Documents are
built from the schema annotations with the fixture generator's pieces (its typical value per
field, its per-type boundary cases, its raw document builder): a base envelope holding, for
every field either side needs, the first value both sides accept; then the change's keys are left out or set to each
probe value of both versions of the property (`probes`). The base is kept valid on both sides
where possible so that the document isolates this change from the others in the same diff.
"""

from __future__ import annotations

from collections.abc import Iterator

from noetl_envelope.compat.judge import Judge
from noetl_envelope.compat.kinds import ALL_VARIANTS, requires, variants
from noetl_envelope.compat.model import CELLS, DIRECTIONS, Cell, Change, Counterexample, Pair, Side
from noetl_envelope.compat.probes import probes
from noetl_envelope.core.violations import Violation
from noetl_envelope.fixturegen.cases import Member, render_object, replace, to_bytes
from noetl_envelope.fixturegen.systematic import typical_value
from noetl_envelope.model.rusttypes import key
from noetl_envelope.model.schema import FieldSpec
from noetl_envelope.profiles.contract import to_instance, validator_for_schema
from noetl_envelope.wire.lexer import LexError, scan
from noetl_envelope.wire.numbers import parse_number

UNDECLARED_PROBES = ["1", '"x"']


def find(change: Change, pair: Pair, judge: Judge) -> dict[Cell, Counterexample]:
    """A counterexample for every cell where one exists among the generated documents."""
    found: dict[Cell, Counterexample] = {}
    if not change.keys:
        return found  # nothing on the wire changes
    for direction in DIRECTIONS:
        writer, reader = pair.sides(direction)
        cells = [cell for cell in CELLS if cell[1] == direction]
        for data in documents(change, writer, reader):
            for cell in cells:
                if cell in found or not judge.writer_may_write(cell[0], writer, data):
                    continue
                violations = [v for v in judge.reader_violations(cell[0], reader, data) if concerns(v, change.keys)]
                if violations:
                    found[cell] = Counterexample(cell, data, writer.label, reader.label, violations[0])
            if len(found) == len(CELLS) or all(cell in found for cell in cells):
                break
    return {cell: found[cell] for cell in CELLS if cell in found}


def concerns(violation: Violation, keys: tuple[str, ...]) -> bool:
    """The finding is about one of the change's keys, not about another change in the same diff."""
    if violation.pointer:
        return violation.pointer.split("/")[1].replace("~1", "/").replace("~0", "~") in keys
    # Document-level findings (a missing field) name the field in the message.
    return any(f"`{key}`" in violation.message or f"'{key}'" in violation.message for key in keys)


def documents(change: Change, writer: Side, reader: Side) -> Iterator[bytes]:
    """The base envelope, then one variation per change key: left out, or set to each probe."""
    allowed = variants(change.rule)
    base = base_document(writer, reader)
    if allowed == ALL_VARIANTS:
        yield render_object(base)
    for name in change.keys:
        without = [(k, v) for k, v in base if k != key(name)]
        if "absent" in allowed:
            yield render_object(without)
        props = [side.prop(name) for side in (writer, reader)]
        owners = [side.alias_owner(name) for side in (writer, reader)]
        props.extend(owner.schema for owner in owners if owner is not None)
        values = probes(*props) if any(p is not None for p in props) else UNDECLARED_PROBES
        present = any(k == key(name) for k, _v in base)
        for raw in values:
            if ("null" if raw == "null" else "value") in allowed:
                # In place when the base has the key, so the document reads like the base.
                yield render_object(replace(base, key(name), raw) if present else [*base, (key(name), raw)])


def base_document(writer: Side, reader: Side) -> list[Member]:
    """Every writer field that either side needs (or serde always writes), with a value both accept.

    The fixture generator's typical value comes first, so bases look like its fixtures."""
    document: list[Member] = []
    for name, spec in writer.specs.items():
        needed = requires(writer, name) or requires(reader, name) or (spec.optional and not spec.skip_if_none)
        if not needed:
            continue
        other = reader.specs.get(name)
        candidates = [typical_value(spec), *probes(spec.schema, other.schema if other else None)]
        both = [raw for raw in candidates if _fits(spec, raw) and (other is None or _fits(other, raw))]
        mine = both or [raw for raw in candidates if _fits(spec, raw)]
        if mine:
            document.append((key(name), mine[0]))
    return document


def _fits(spec: FieldSpec, raw: str) -> bool:
    """The raw value passes the property's JSON Schema and its Rust type (so the contract's serde guard)."""
    try:
        tree = scan(to_bytes('{"v":' + raw + "}"))
    except LexError:
        return False
    member = next(member for _key, member in tree)
    # serde_json's default reader: probes are typical values, none near f64::MAX.
    if spec.rust.check(member, ("v",), 1, parse_number):
        return False
    return bool(validator_for_schema(spec.schema).is_valid(to_instance(member, parse_number)))
