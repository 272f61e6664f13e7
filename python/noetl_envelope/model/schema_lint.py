"""Schema lint: the one check a schema passes before any command uses it.

Every command that loads a schema (the packaged one through `schema.load_schema`, a file or a
git revision through `compat`, the checkout's through `gen`) goes through `parse` and `lint`
first, so a malformed edit is one line naming the file, the JSON pointer and the fix, and exit
code 2 in the CLI, before anything is read, written or compared. In order:

1. JSON syntax (`file:line:column`), nesting depth (`MAX_DEPTH`), a top-level object;
2. the JSON Schema 2020-12 metaschema;
3. every `$ref` resolves inside the file;
4. the envelope's annotations, as both stacks model them: `x-rust-struct`, `x-serde-container`,
   `properties` (snake_case names), `required` (a property, and not an `Option`); per property a
   supported `x-rust-type` (the list is named), a JSON `type` its Rust type can be written as,
   only the keywords the Rust harness and the codec honour (with well-formed values: i64
   bounds, lengths, string enums), known `x-serde` keys with well-formed values, `x-db-column`;
   across properties, no two fields answering to one wire name (`rename`, `rename_all`, `alias`).

`generate.rust_struct` renders from a linted schema only; the constraint knowledge per Rust type
is the type's (`rusttypes`: `constraints`, `json_types`).
"""

from __future__ import annotations

import json
import keyword
import os
import re
from collections.abc import Iterator
from typing import Any

from noetl_envelope.core.errors import SchemaAnnotationError, label_of
from noetl_envelope.model.rusttypes.base import FieldType
from noetl_envelope.model.rusttypes.option import option_of
from noetl_envelope.model.rusttypes.registry import RUST_TYPES, UnknownRustType, resolve
from noetl_envelope.model.serde_names import RENAME_ALL, wire_name
from noetl_envelope.wire.numbers import I64_MAX, I64_MIN

# Every x-rust-type a property may name: the registered types and Option<T> of each.
SUPPORTED_TYPES: tuple[str, ...] = (*RUST_TYPES, *(option_of(t).name for t in RUST_TYPES.values()))
FIELD_SERDE_KEYS = ("rename", "alias", "default", "skip_serializing_if")
CONTAINER_KEYS = ("derive", "deny_unknown_fields", "rename_all")
# Property keywords both stacks honour: annotations, and the constraints `emit --contract` draws
# values for. Anything else (pattern, const, $ref, nested properties, ...) is refused, because
# the Rust harness could not promise contract-valid events for it.
ANNOTATIONS = frozenset(
    {"description", "title", "examples", "$comment", "deprecated", "customTypePath", "x-rust-type", "x-serde"}
)
CONSTRAINTS = frozenset({"type", "minimum", "maximum", "minLength", "maxLength", "enum", "format"})
KNOWN_X = frozenset({"x-db-column"})
# A schema nested deeper than this is not an envelope schema (the real one is 4 levels deep);
# the check is iterative, so even a 100,000-level document gets its one line.
MAX_DEPTH = 32
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class SchemaLintError(SchemaAnnotationError):
    """The schema fails the lint: `str()` is one line, `label: pointer: message (fix)`."""

    def __init__(self, label: str, pointer: str, message: str) -> None:
        self.label = label
        self.pointer = pointer
        self.message = message
        where = f"{pointer}: " if pointer else ""
        super().__init__(f"{label}: {where}{message}" if label else f"{where}{message}")


def escape(token: str) -> str:
    """A JSON pointer token."""
    return token.replace("~", "~0").replace("/", "~1")


def parse(data: bytes, label: str) -> dict[str, Any]:
    """The schema in `data` (lint step 1); SchemaLintError with `label:line:column` otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaLintError(label, "", f"not UTF-8 at byte {exc.start} (save the file as UTF-8)") from None
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaLintError(f"{label}:{exc.lineno}:{exc.colno}", "", f"not JSON: {exc.msg}") from None
    except RecursionError:
        raise SchemaLintError(
            label, "", f"nested too deep to read (an envelope schema is at most {MAX_DEPTH} deep)"
        ) from None
    if not isinstance(loaded, dict):
        raise SchemaLintError(label, "", "not a JSON object (the schema is an object with $id and properties)")
    return loaded


def load(path: str | os.PathLike[str], label: str | None = None) -> dict[str, Any]:
    """Read, parse and lint the schema file at `path`."""
    name = label or label_of(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise SchemaLintError(name, "", f"cannot read: {exc.strerror or type(exc).__name__}") from None
    schema = parse(data, name)
    lint(schema, name)
    return schema


def lint(schema: dict[str, Any], label: str, *, metaschema: bool = True) -> None:
    """Steps 1 (depth) to 4 on a parsed schema; the first problem as SchemaLintError.
    `metaschema=False` skips step 2 (see `schema.load_schema`: a schema the last `make gen` linted)."""
    for problem in problems(schema, metaschema=metaschema):
        raise SchemaLintError(label, *problem)


def problems(schema: Any, *, metaschema: bool = True) -> Iterator[tuple[str, str]]:
    """(pointer, message) for each problem, most basic first; lint raises the first."""
    deep = _too_deep(schema)
    if deep is not None:
        yield deep, f"nested deeper than {MAX_DEPTH} levels (an envelope schema is at most {MAX_DEPTH} deep)"
        return
    if not isinstance(schema, dict):
        yield "", "not a JSON object (the schema is an object with $id and properties)"
        return
    if metaschema:
        found = _metaschema_problem(schema)
        if found is not None:
            yield found
            return
    for found in _ref_problems(schema):
        yield found
        return
    yield from _envelope_problems(schema)


def _too_deep(root: Any) -> str | None:
    stack: list[tuple[Any, str, int]] = [(root, "", 0)]
    while stack:
        value, pointer, depth = stack.pop()
        if depth > MAX_DEPTH:
            return pointer
        if isinstance(value, dict):
            stack.extend((v, f"{pointer}/{escape(str(k))}", depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{pointer}/{i}", depth + 1) for i, v in enumerate(value))
    return None


def _metaschema_problem(schema: dict[str, Any]) -> tuple[str, str] | None:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema))
    if error is None:
        return None
    pointer = "".join(f"/{escape(str(part))}" for part in error.absolute_path)
    message = " ".join(error.message.split())
    if len(message) > 160:
        message = message[:157] + "..."
    return pointer, f"not valid JSON Schema 2020-12: {message} (fix it as the 2020-12 metaschema says)"


def _ref_problems(schema: dict[str, Any]) -> Iterator[tuple[str, str]]:
    stack: list[tuple[Any, str]] = [(schema, "")]
    while stack:
        value, pointer = stack.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and not _resolves(schema, ref):
                where = f"{pointer}/$ref"
                if not ref.startswith("#"):
                    yield (
                        where,
                        f"{json.dumps(ref)} points outside this file (only refs within the file, #/..., are read)",
                    )
                else:
                    yield (
                        where,
                        f"{json.dumps(ref)} does not resolve in this file (point it at a definition that exists)",
                    )
            stack.extend((v, f"{pointer}/{escape(str(k))}") for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{pointer}/{i}") for i, v in enumerate(value))


def _resolves(schema: dict[str, Any], ref: str) -> bool:
    if not ref.startswith("#"):
        return False
    target: Any = schema
    fragment = ref[1:]
    if fragment and not fragment.startswith("/"):
        return False  # an anchor: the envelope schema has none
    for raw in fragment.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and token in target:
            target = target[token]
        elif isinstance(target, list) and token.isdigit() and int(token) < len(target):
            target = target[int(token)]
        else:
            return False
    return True


# --- step 4: the envelope's annotations ---------------------------------------------------------


def _envelope_problems(schema: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if not isinstance(schema.get("$id"), str) or ":" not in schema["$id"]:
        yield "/$id", "missing or not a string (write urn:noetl:schema:executor-event:<version>)"
        return
    name = schema.get("x-rust-struct")
    if not isinstance(name, str) or not _IDENT.match(name) or keyword.iskeyword(name):
        yield "/x-rust-struct", "not a Rust type name (write the struct's name, ExecutorEvent)"
        return
    yield from _container_problems(schema.get("x-serde-container", {}))
    yield from serde_json_feature_problems(schema)
    props = schema.get("properties")
    if not isinstance(props, dict) or not props:
        yield "/properties", "no fields (the struct needs at least one)"
        return
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(n, str) for n in required):
        yield "/required", "not a list of property names"
        return
    for index, name in enumerate(required):
        if name not in props:
            yield f"/required/{index}", f"{json.dumps(name)} is not a property (remove it, or add the property)"
    seen: dict[str, str] = {}
    for name, prop in props.items():
        where = f"/properties/{escape(name)}"
        if not _IDENT.match(name) or keyword.iskeyword(name) or name != name.lower():
            yield where, "not a snake_case Rust field name (rename the property)"
            continue
        if name.upper() in seen:
            yield where, f"differs from {seen[name.upper()]} only in case (rename one)"
        seen[name.upper()] = name
        if not isinstance(prop, dict):
            yield where, "not an object (write the property's schema)"
            continue
        yield from field_problems(name, prop, name in required, where)
    yield from _wire_name_problems(schema)


def _unknown_keys(obj: dict[str, Any], where: str, known: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    for key in obj:
        if key not in known:
            yield f"{where}/{escape(key)}", f"unknown key (write one of {', '.join(known)})"


def _container_problems(container: Any) -> Iterator[tuple[str, str]]:
    where = "/x-serde-container"
    if not isinstance(container, dict):
        yield where, 'not an object (write {"derive": ["Serialize", "Deserialize"]})'
        return
    yield from _unknown_keys(container, where, CONTAINER_KEYS)
    derive = container.get("derive", ["Serialize", "Deserialize"])
    if not isinstance(derive, list) or not {"Serialize", "Deserialize"} <= set(derive):
        yield f"{where}/derive", 'must list Serialize and Deserialize (write ["Serialize", "Deserialize"])'
    elif not all(isinstance(d, str) and _IDENT.match(d) for d in derive):
        yield f"{where}/derive", "every entry must be a trait name"
    yield from _container_serde_problems(container, where)


def _container_serde_problems(container: dict[str, Any], where: str) -> Iterator[tuple[str, str]]:
    """`deny_unknown_fields` and `rename_all`, serde's container attributes the model follows."""
    if not isinstance(container.get("deny_unknown_fields", False), bool):
        yield f"{where}/deny_unknown_fields", "write true or false"
    rename_all = container.get("rename_all")
    if rename_all is not None and not _is_case(rename_all):
        yield (
            f"{where}/rename_all",
            f"{json.dumps(rename_all)} is not one of serde's cases (write null or one of {', '.join(RENAME_ALL)})",
        )


def _is_case(rename_all: Any) -> bool:
    return isinstance(rename_all, str) and rename_all in RENAME_ALL


def _wire_name_problems(schema: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Two fields answering to one key (a wire name or an alias): a document could not say
    which field it fills. Malformed attributes are the other checks' to report; they are left out here."""
    container = schema.get("x-serde-container", {})
    rename_all = container.get("rename_all") if isinstance(container, dict) else None
    owners: dict[str, str] = {}
    for name, prop in schema["properties"].items():
        serde = prop.get("x-serde", {}) if isinstance(prop, dict) else {}
        if not isinstance(serde, dict):
            continue
        rename = serde.get("rename") if isinstance(serde.get("rename"), str) else None
        aliases = serde.get("alias", [])
        aliases = [aliases] if isinstance(aliases, str) else aliases if isinstance(aliases, list) else []
        own = wire_name(name, rename, rename_all if _is_case(rename_all) else None)
        names = [own, *(a for a in aliases if isinstance(a, str))]
        for index, key in enumerate(names):
            if key in owners:
                at = f"/properties/{escape(name)}/x-serde" + ("" if index == 0 else "/alias")
                yield at, f"`{key}` already names field `{owners[key]}` on the wire (rename or drop one)"
            owners.setdefault(key, name)


# `x-serde-json-features` on the root: the cargo features the consumers' serde_json is built
# with. Only float_roundtrip is modelled (the serde profile then reads floats correctly rounded).
SERDE_JSON_FEATURES_KEY = "x-serde-json-features"
SERDE_JSON_FEATURES = ("float_roundtrip",)
_UNMODELLED_FEATURES = ("arbitrary_precision", "preserve_order", "raw_value", "unbounded_depth")


def serde_json_feature_problems(schema: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The root's `x-serde-json-features`: a list of distinct feature names this package models."""
    where = "/" + SERDE_JSON_FEATURES_KEY
    features = schema.get(SERDE_JSON_FEATURES_KEY, [])
    if not isinstance(features, list):
        yield where, 'not a list (write ["float_roundtrip"], or leave it out for serde_json\'s defaults)'
        return
    for index, feature in enumerate(features):
        if feature in SERDE_JSON_FEATURES and features.index(feature) < index:
            yield f"{where}/{index}", f"{json.dumps(feature)} is listed twice (remove one)"
        elif feature in _UNMODELLED_FEATURES:
            yield f"{where}/{index}", f"serde_json feature {json.dumps(feature)} is not modelled yet (remove it)"
        elif feature not in SERDE_JSON_FEATURES:
            known = ", ".join(SERDE_JSON_FEATURES)
            yield f"{where}/{index}", f"{json.dumps(feature)} is no serde_json feature modelled here (write {known})"


def field_type(prop: dict[str, Any]) -> FieldType | None:
    """The property's parsed x-rust-type, or None when it names none the registry has."""
    rust = prop.get("x-rust-type")
    if not isinstance(rust, str):
        return None
    try:
        return resolve(rust)
    except UnknownRustType:
        return None


def field_problems(name: str, prop: dict[str, Any], required: bool, where: str) -> Iterator[tuple[str, str]]:
    """What is wrong with one property (`where` is its pointer)."""
    supported = ", ".join(SUPPORTED_TYPES)
    rust = prop.get("x-rust-type")
    if rust is None:
        yield where, f"no x-rust-type (write one of {supported})"
        return
    resolved = field_type(prop)
    if resolved is None:
        yield f"{where}/x-rust-type", f"{json.dumps(rust)} is not supported (write one of {supported})"
        return
    inner, optional = resolved.inner, resolved.optional
    if required and optional:
        yield where, f"required but x-rust-type is {rust} (drop it from required, or drop Option)"
    if not required and not optional:
        yield where, f"not in required but x-rust-type {rust} has no None (add it to required, or use Option<{rust}>)"
    for key in prop:
        if key not in ANNOTATIONS and key not in CONSTRAINTS and key not in KNOWN_X:
            yield (
                f"{where}/{escape(key)}",
                f"the Rust harness cannot honour {key!r} (use only {', '.join(sorted(CONSTRAINTS))} as constraints)",
            )
    for key in sorted(CONSTRAINTS - {"type"} - inner.constraints):
        if key in prop:
            takers = [t.name for t in RUST_TYPES.values() if key in t.constraints]
            yield f"{where}/{key}", f"{key} on {rust} (only {' or '.join(takers) or 'no'} fields take it)"
    fmt = prop.get("format")
    if fmt is not None and "format" in inner.constraints and fmt != "date-time":
        yield f"{where}/format", f"{json.dumps(fmt)} on {rust} (only date-time is supported)"
    yield from _type_problems(prop, resolved, where)
    for key in ("minimum", "maximum"):
        value = prop.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not I64_MIN <= value <= I64_MAX
        ):
            yield f"{where}/{key}", f"{json.dumps(value)} is not an i64 (write an integer in i64 range)"
    for key in ("minLength", "maxLength"):
        value = prop.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            yield f"{where}/{key}", f"{json.dumps(value)} is not a non-negative integer"
    for key in ("enum", "examples"):
        value = prop.get(key)
        if (key in inner.constraints and value is not None) and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            yield f"{where}/{key}", f"only a list of strings is supported on {rust}"
    column = prop.get("x-db-column", name)
    if not isinstance(column, str) or not _IDENT.match(column):
        yield f"{where}/x-db-column", "not a column name (write the noetl.event column, e.g. the field's name)"
    yield from _serde_problems(prop, optional, where)


def declared_json_types(prop: dict[str, Any], resolved: FieldType) -> tuple[str, ...]:
    """The JSON types (null left out) a linted property allows: its `type`, else its Rust type's."""
    declared = prop.get("type")
    if declared is None:
        return tuple(sorted(resolved.inner.json_types))
    names = [declared] if isinstance(declared, str) else declared
    return tuple(n for n in names if n != "null")


def _type_problems(prop: dict[str, Any], resolved: FieldType, where: str) -> Iterator[tuple[str, str]]:
    declared = prop.get("type")
    if declared is None:
        return
    names = [declared] if isinstance(declared, str) else declared
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        yield f"{where}/type", "not a type name or a list of them"
        return
    allowed = set(resolved.inner.json_types) | ({"null"} if resolved.optional else set())
    for name in names:
        if name not in allowed:
            yield (
                f"{where}/type",
                f"{json.dumps(name)} contradicts x-rust-type {resolved.name} "
                f"(use {' or '.join(json.dumps(t) for t in sorted(allowed))})",
            )
            return


def _rename_problems(serde: dict[str, Any], at: str) -> Iterator[tuple[str, str]]:
    rename = serde.get("rename")
    if rename is not None and (not isinstance(rename, str) or not rename):
        yield f"{at}/rename", "write the field's JSON key, a non-empty string (serde's rename)"


def _serde_problems(prop: dict[str, Any], optional: bool, where: str) -> Iterator[tuple[str, str]]:
    serde = prop.get("x-serde", {})
    at = f"{where}/x-serde"
    if not isinstance(serde, dict):
        yield at, "not an object (write {} for no attributes)"
        return
    yield from _unknown_keys(serde, at, FIELD_SERDE_KEYS)
    aliases = serde.get("alias", [])
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        yield f"{at}/alias", "write a list of non-empty names"
    if not isinstance(serde.get("default", False), bool):
        yield f"{at}/default", "write true or false"
    yield from _rename_problems(serde, at)
    skip = serde.get("skip_serializing_if")
    if skip is not None and (skip != "Option::is_none" or not optional):
        yield f"{at}/skip_serializing_if", 'only "Option::is_none" on an Option field'
