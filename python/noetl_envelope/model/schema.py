"""Which schema a run uses, and what its annotations say about each field.

The schema is the packaged one unless `use_schema` chose another for this process (the CLI
does, from `core.config.discover`: `--schema`, a config file, `schema/` found from the working
directory) before anything loads it; `schema_origin` says which, for `--version` and reports.

The codec, the fixture generator and the compatibility gate read field knowledge (Rust type,
serde attributes, required-ness, declaration order) from here, never from hard-coded lists,
so that one schema change plus `make gen` flows through everything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from noetl_envelope.core.config import PACKAGED
from noetl_envelope.core.config import SCHEMA_FILE as SCHEMA_FILE  # re-exported: callers import it from here
from noetl_envelope.core.errors import label_of
from noetl_envelope.core.violations import render_pointer
from noetl_envelope.model import schema_lint
from noetl_envelope.model.rusttypes import FieldType, RustType, UnknownRustType, resolve
from noetl_envelope.model.serde_names import wire_name

if TYPE_CHECKING:
    from pathlib import Path

# The schema this process uses instead of the packaged one (`use_schema`), and how it was chosen.
_chosen: str | None = None
_origin: str = PACKAGED


def use_schema(path: str | None, origin: str) -> None:
    """Make `path` (None: the packaged schema) the schema every default `load_schema()` and
    `field_specs()` of this process reads; `origin` says how it was chosen (`schema_origin`).
    Called before the first load: values derived from the schema are cached."""
    global _chosen, _origin
    _chosen = os.path.abspath(path) if path is not None else None
    _origin = origin
    load_schema.cache_clear()


def schema_origin() -> str:
    """How this process's schema was chosen: `--schema`, a config file, the working directory's schema/, the package."""
    return _origin


def chosen_schema() -> str | None:
    """The schema file `use_schema` chose for this process, or None when it uses the packaged one."""
    return _chosen


def schema_path() -> Path:
    """The schema this process uses (`use_schema`), by default the one shipped inside the
    installed package, else the source tree's schema/."""
    from pathlib import Path

    return Path(_schema_file())


def _schema_file() -> str:
    return _chosen if _chosen is not None else _packaged_file()


def _packaged_file() -> str:
    # The package is a directory on disk (wheels install unpacked), so its data is a plain path.
    # os.path, not importlib.resources or pathlib: every command start reads the schema, and
    # those imports would cost it about 10 ms.
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # noetl_envelope/
    packaged = os.path.join(package, "schema", SCHEMA_FILE)
    if os.path.isfile(packaged):
        # In a source checkout the packaged copy is a symlink to schema/: name the file itself,
        # the one a contributor edits and messages should point at.
        return os.path.realpath(packaged)
    # A source checkout (editable install or PYTHONPATH=python): the wheel's packaged copy is
    # made by the build from this same file, so both paths name the same bytes.
    return os.path.join(os.path.dirname(os.path.dirname(package)), "schema", SCHEMA_FILE)


@cache
def load_schema(path: Path | None = None) -> dict[str, Any]:
    """The schema at `path` (default: the package's), linted (`schema_lint`): a malformed one is
    a one-line SchemaLintError naming the file, the pointer and the fix. The metaschema step
    (python-jsonschema, the costly one) is skipped for the package's schema when its bytes are
    the ones the last `make gen` linted and recorded (`noetl_envelope_generated.SCHEMA_SHA256`)."""
    file = os.fspath(path) if path is not None else _schema_file()
    label = label_of(file)
    try:
        with open(file, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise schema_lint.SchemaLintError(label, "", f"cannot read: {exc.strerror or type(exc).__name__}") from None
    loaded = schema_lint.parse(data, label)
    schema_lint.lint(loaded, label, metaschema=path is not None or not _linted_by_gen(data))
    return loaded


def schema_digest(data: bytes) -> str:
    """What `make gen` records of the schema it linted and generated from."""
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _linted_by_gen(data: bytes) -> bool:
    try:
        import noetl_envelope_generated as generated

        recorded = generated.SCHEMA_SHA256
    except Exception:  # missing or stale generated module (`gen` must still run): lint in full
        return False
    return bool(recorded == schema_digest(data))


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One struct field as the schema's annotations describe it; `rust` is its parsed
    `x-rust-type` (the one place `Option<T>` is taken apart). `name` is the Rust field name (the
    dataclass attribute, the projection's key); `wire` is the JSON key serde writes and reads
    (`rename`, else the container's `rename_all` applied; default: the name)."""

    name: str
    rust_type: str
    required: bool
    aliases: tuple[str, ...]
    skip_if_none: bool
    serde_default: bool
    schema: dict[str, Any]
    wire: str = ""
    rust: FieldType = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rust", resolve(self.rust_type))
        if not self.wire:
            object.__setattr__(self, "wire", self.name)

    @property
    def wire_names(self) -> tuple[str, ...]:
        """Every key serde binds to the field: its wire name, then its aliases."""
        return (self.wire, *self.aliases)

    @property
    def absent_value(self) -> Any:
        """What serde's derive puts in the field when an object lacks it (None for an `Option`,
        `Default::default()` of the type under `#[serde(default)]`)."""
        return None if self.optional else self.rust.default

    @property
    def absent_tree(self) -> Any:
        """`absent_value` as the lexer's tree holds a value (what serde_json would have read had
        the document written it), for readers of the tree such as the projection."""
        from noetl_envelope.wire.lexer import scan

        out: list[str] = ['{"v":']
        self.rust.write(self.absent_value, out)
        out.append("}")
        return next(value for _key, value in scan("".join(out).encode("utf-8")))

    @property
    def optional(self) -> bool:
        """`Option<T>`: null and absent both mean None."""
        return self.rust.optional

    @property
    def inner(self) -> RustType:
        """T's entry for `Option<T>`, else the type's own."""
        return self.rust.inner

    @property
    def db_column(self) -> str:
        """The `noetl.event` column the field projects to: its `x-db-column`, else its name."""
        return str(self.schema.get("x-db-column", self.name))

    @property
    def inner_rust_type(self) -> str:
        """T for `Option<T>`, else the type itself."""
        return self.rust.inner.name


class Fields(tuple[FieldSpec, ...]):
    """The struct's fields in declaration order, with the container's serde attributes:
    `deny_unknown_fields` (an unknown key is an error instead of skipped)."""

    deny_unknown_fields: bool = False


def field_specs(schema: dict[str, Any] | None = None) -> Fields:
    """The struct's fields in declaration order (the schema's property order). Those of this
    process's schema are made once per `load_schema()` result: the reference engine asks for
    them for every document."""
    global _own_fields
    if schema is not None:
        return _fields_of(schema, own=False)
    loaded = load_schema()
    if _own_fields is None or _own_fields[0] is not loaded:
        _own_fields = (loaded, _fields_of(loaded, own=True))
    return _own_fields[1]


_own_fields: tuple[dict[str, Any], Fields] | None = None


def _fields_of(schema: dict[str, Any], *, own: bool) -> Fields:
    required = set(schema.get("required", ()))
    container = schema.get("x-serde-container", {})
    rename_all = container.get("rename_all")
    specs = []
    for name, prop in schema["properties"].items():
        serde = prop.get("x-serde", {})
        try:
            spec = FieldSpec(
                name=name,
                rust_type=prop["x-rust-type"],
                required=name in required,
                aliases=_aliases(serde.get("alias", ())),
                skip_if_none=serde.get("skip_serializing_if") == "Option::is_none",
                serde_default=bool(serde.get("default", False)),
                schema=prop,
                wire=wire_name(name, serde.get("rename"), rename_all),
            )
        except UnknownRustType as exc:
            where = render_pointer(("properties", name))
            raise exc.at(f"{_schema_label()}: {where}" if own else where) from None
        specs.append(spec)
    fields = Fields(specs)
    fields.deny_unknown_fields = bool(container.get("deny_unknown_fields", False))
    return fields


def _aliases(written: str | list[str]) -> tuple[str, ...]:
    # One alias may be written as a string (schema_lint accepts both forms).
    return (written,) if isinstance(written, str) else tuple(written)


def _schema_label() -> str:
    """The package's schema file as a message names it (relative to the working directory when inside it)."""
    return label_of(_schema_file())


def float_roundtrip(schema: dict[str, Any] | None = None) -> bool:
    """Whether the schema declares consumers whose serde_json has the `float_roundtrip` feature
    (`x-serde-json-features`, linted by `schema_lint.serde_json_feature_problems`)."""
    schema = schema if schema is not None else load_schema()
    return "float_roundtrip" in schema.get(schema_lint.SERDE_JSON_FEATURES_KEY, ())


def schema_version(schema: dict[str, Any] | None = None) -> str:
    """The semver carried by `$id` (its last ':'-separated part)."""
    schema = schema if schema is not None else load_schema()
    return str(schema["$id"]).rsplit(":", 1)[-1]
