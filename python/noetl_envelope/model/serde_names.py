"""The names serde's derive puts on the wire for a struct field: `rename`, the container's
`rename_all`, and `alias`.

Checked against serde_derive 1.0.228 (tests/test_serde_variants.py builds harness variants):
`rename` wins over `rename_all`; `rename_all` changes the serialized and deserialized name but
never an alias; the struct's Rust field name is then not accepted on the wire at all.
"""

from __future__ import annotations

from collections.abc import Callable


def _pascal(field: str) -> str:
    # serde_derive's case.rs: capitalize the first letter and each letter after '_', drop the '_'.
    out: list[str] = []
    capitalize = True
    for char in field:
        if char == "_":
            capitalize = True
        elif capitalize:
            out.append(char.upper())
            capitalize = False
        else:
            out.append(char)
    return "".join(out)


def _camel(field: str) -> str:
    pascal = _pascal(field)
    return pascal[:1].lower() + pascal[1:]


# serde's eight `rename_all` rules, as they apply to a (snake_case) struct field name.
RENAME_ALL: dict[str, Callable[[str], str]] = {
    "lowercase": lambda field: field,
    "UPPERCASE": str.upper,
    "PascalCase": _pascal,
    "camelCase": _camel,
    "snake_case": lambda field: field,
    "SCREAMING_SNAKE_CASE": str.upper,
    "kebab-case": lambda field: field.replace("_", "-"),
    "SCREAMING-KEBAB-CASE": lambda field: field.upper().replace("_", "-"),
}


def wire_name(field: str, rename: str | None, rename_all: str | None) -> str:
    """The key serde writes and reads for `field` (its aliases are read too, unchanged)."""
    if rename is not None:
        return rename
    if rename_all is not None:
        return RENAME_ALL[rename_all](field)
    return field
