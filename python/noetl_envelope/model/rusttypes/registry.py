"""The registry: every Rust type an `x-rust-type` may name, and the one parse of that name."""

from __future__ import annotations

from functools import cache

from noetl_envelope.core.errors import SchemaAnnotationError
from noetl_envelope.model.rusttypes.base import FieldType, RustType
from noetl_envelope.model.rusttypes.datetime import DATETIME
from noetl_envelope.model.rusttypes.i64 import I64
from noetl_envelope.model.rusttypes.option import option_argument, option_of
from noetl_envelope.model.rusttypes.string import STRING
from noetl_envelope.model.rusttypes.value import VALUE

# A new Rust type is one module in this package and one entry here.
RUST_TYPES: dict[str, RustType] = {t.name: t for t in (I64, STRING, DATETIME, VALUE)}


class UnknownRustType(SchemaAnnotationError):
    """An `x-rust-type` no registered type covers. `where` (the property, e.g. the schema file
    and `/properties/x`) is filled in by whoever knows it (`schema.field_specs`)."""

    def __init__(self, name: str, where: str = "") -> None:
        self.name = name
        self.where = where
        supported = ", ".join([*RUST_TYPES, "Option<...>"])
        prefix = f"{where}: " if where else ""
        super().__init__(f'{prefix}x-rust-type "{name}" is not supported (write one of {supported})')

    def at(self, where: str) -> UnknownRustType:
        """The same error, located."""
        return UnknownRustType(self.name, where)


@cache
def resolve(name: str) -> FieldType:
    """The type an `x-rust-type` annotation names: a registered type, or `Option<T>` of one.
    The same name always gives the same object. UnknownRustType for anything else."""
    argument = option_argument(name)
    if argument is not None:
        inner = RUST_TYPES.get(argument)
        if inner is None:
            raise UnknownRustType(name)
        return option_of(inner)
    try:
        return RUST_TYPES[name]
    except KeyError:
        raise UnknownRustType(name) from None
