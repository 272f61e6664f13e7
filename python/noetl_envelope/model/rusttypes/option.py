"""`Option<T>`: a wrapper around T's entry, not an entry of its own."""

from __future__ import annotations

from typing import Any

from noetl_envelope.core.violations import JsonPath, Violation
from noetl_envelope.model.rusttypes.base import NumberReader, OptionType, RustType

PREFIX, SUFFIX = "Option<", ">"


def option_of(inner: RustType) -> OptionType:
    def check(value: Any, pointer: JsonPath, level: int, read_number: NumberReader) -> list[Violation]:
        return [] if value is None else inner.check(value, pointer, level, read_number)

    def to_python(value: Any, read_number: NumberReader) -> Any:
        return None if value is None else inner.to_python(value, read_number)

    def write(value: Any, out: list[str]) -> None:
        if value is None:
            out.append("null")
        else:
            inner.write(value, out)

    return OptionType(inner, f"{PREFIX}{inner.name}{SUFFIX}", check, to_python, write)


def option_argument(name: str) -> str | None:
    """T for the text `Option<T>`, else None."""
    if name.startswith(PREFIX) and name.endswith(SUFFIX):
        return name[len(PREFIX) : -len(SUFFIX)]
    return None
