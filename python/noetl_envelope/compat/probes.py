"""Raw value texts worth trying for one schema property, derived from its annotations.

The counterexample search needs, for a field, values that one version of the schema accepts and
the other does not. In order (so that the counterexample shown is a plausible one): the enum
members and examples of both versions, a typical value of the Rust type, each bound and its
neighbours, strings of the bounding lengths, date-time-like strings where a format or pattern
is involved, then the fixture generator's per-type boundary cases (each Rust type's `variants`,
e.g. `1.0` or i64::MAX + 1 for an i64) and one value of every JSON type (to expose type
changes). Values are raw JSON texts, as the fixture generator's are, so a spelling such as
`1.0` survives into the document.
"""

from __future__ import annotations

import json
from typing import Any

from noetl_envelope.model.rusttypes import DATETIME, STRING, RustType, UnknownRustType, resolve

# One value of every JSON type: what a type change is exposed by.
_EVERY_TYPE: list[Any] = [None, 1, "x", 1.5, True, {}, [], "1"]


def inner_type(prop: dict[str, Any]) -> RustType | None:
    """The entry of the property's `x-rust-type` (T for `Option<T>`), None when it names none."""
    try:
        return resolve(str(prop.get("x-rust-type", ""))).inner
    except UnknownRustType:
        return None


def probes(*props: dict[str, Any] | None) -> list[str]:
    """Candidate raw values for a key described by any of `props` (None entries are skipped)."""
    values: list[Any] = []
    known = [p for p in props if p is not None]
    for prop in known:
        values.extend(prop.get("enum", ()))
        values.extend(prop.get("examples", ())[:2])
    types = [inner_type(prop) for prop in known]
    for rust in types:
        values.extend(rust.probes if rust is not None else ())
    for prop in known:
        values.extend(_bounds(prop))
        if "format" in prop or "pattern" in prop:
            values.extend(DATETIME.probes + STRING.probes)  # date-time-like strings, then plain ones
    if any("enum" in p for p in known):
        values.append("NOT-IN-ENUM")
    raws = [json.dumps(value, ensure_ascii=False) for value in values]
    for rust in types:
        raws.extend(variant.raw for variant in (rust.variants if rust is not None else ()))
    raws.extend(json.dumps(value) for value in _EVERY_TYPE)
    return list(dict.fromkeys(raws))


def _bounds(prop: dict[str, Any]) -> list[Any]:
    values: list[Any] = []
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = prop.get(key)
        if isinstance(bound, int) and not isinstance(bound, bool):
            values.extend((bound, bound - 1, bound + 1))
    for key in ("minLength", "maxLength"):
        length = prop.get(key)
        if isinstance(length, int) and not isinstance(length, bool):
            values.extend("x" * n for n in (length, length - 1, length + 1) if n >= 0)
    return values
