"""The `contract` profile: a valid envelope under schema/, accepted alike by every consumer.

Three layers, each reporting every finding with its pointer:
1. lexical rules a JSON Schema cannot see (duplicate keys, `-0`, strings serde cannot decode,
   numbers out of range or read differently by serde_json and Python, nesting depth);
2. the canonical schema, checked by python-jsonschema (the reference implementation) with
   `integer` excluding floats (Rust's i64 rejects 1.0) and a real `date-time` format checker
   (RFC 3339 and chrono must both accept, at most 9 fractional digits); its properties are keyed
   by the fields' wire names (`contract_schema`: `rename` / `rename_all` applied), the keys a
   document carries;
3. a guard that the contract never accepts what serde rejects: any serde rejection that no
   more specific rule explained is reported as `contract.serde-rejected`.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from noetl_envelope.core.violations import JsonPath, Violation
from noetl_envelope.model.binding import Binding
from noetl_envelope.model.codec import serde_reader
from noetl_envelope.model.rusttypes import NumberReader, NumberRule, walk_problems
from noetl_envelope.model.schema import FieldSpec, field_specs, load_schema
from noetl_envelope.profiles import serde
from noetl_envelope.wire.jsontree import BadStr, DeferredStr, Num, Obj, ends, excerpt
from noetl_envelope.wire.numbers import I64_MAX, I64_MIN, NumberRangeError
from noetl_envelope.wire.timestamp import Timestamp, TimestampError, rfc3339_problem

# python-jsonschema (about 50 ms to import) loads when the first validator is built: a run the
# fast engine answers alone never needs it, and every CLI start would pay for it otherwise.
if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, FormatChecker
    from jsonschema.exceptions import ValidationError
from noetl_envelope.core.rules import STRICT_PROFILES, Rule
from noetl_envelope.model.binding import SERDE_DUPLICATE_FIELD
from noetl_envelope.model.rusttypes.base import JSON_DEPTH, JSON_NUMBER_OUT_OF_RANGE

JSON_DUPLICATE_KEY = Rule(
    "json.duplicate-key",
    STRICT_PROFILES,
    "The same key twice in one object (serde keeps the last value inside a Value).",
    message="duplicate key {key}: consumers disagree on which value wins",
)

JSON_INTEGER_OVERFLOW = Rule(
    "json.integer-overflow",
    STRICT_PROFILES,
    "An integer outside i64/u64 inside a Value: serde_json reads it as a rounded f64, Python as an exact int.",
    message="integer {value} is outside i64/u64: serde_json reads it as the float {float!r}, Python as an exact int",
)

JSON_NEGATIVE_ZERO = Rule(
    "json.negative-zero",
    STRICT_PROFILES,
    "The literal -0: serde_json reads it as the float -0.0, not the integer 0.",
    message="-0 is read by serde_json as the float -0.0 (write 0)",
)

SCHEMA_TYPE = Rule(
    "schema.type",
    STRICT_PROFILES,
    "JSON Schema `type`: the value has the wrong JSON type.",
    message={
        "keyword": "{detail}",
        "float": "{value!r} is a float; Rust i64 rejects it",
        "integral-float": "{value!r} is a float; Rust i64 rejects it (write {integer})",
    },
)

SCHEMA_REQUIRED = Rule(
    "schema.required",
    STRICT_PROFILES,
    "JSON Schema `required`: a required property is missing.",
    message={"keyword": "{detail}"},
)

SCHEMA_ADDITIONALPROPERTIES = Rule(
    "schema.additionalProperties",
    STRICT_PROFILES,
    "JSON Schema `additionalProperties`: a property the schema does not declare.",
    message={"keyword": "{detail}", "unknown": "unknown field {key!r}: the schema does not declare it"},
)

SCHEMA_ENUM = Rule(
    "schema.enum",
    STRICT_PROFILES,
    "JSON Schema `enum`: a value outside the closed set.",
    message={"keyword": "{detail}"},
)

SCHEMA_MINLENGTH = Rule(
    "schema.minLength",
    STRICT_PROFILES,
    "JSON Schema `minLength`: a string that is too short.",
    message={"keyword": "{detail}"},
)

SCHEMA_MINIMUM = Rule(
    "schema.minimum",
    STRICT_PROFILES,
    "JSON Schema `minimum`: a number below the bound.",
    message={"keyword": "{detail}"},
)

SCHEMA_MAXIMUM = Rule(
    "schema.maximum",
    STRICT_PROFILES,
    "JSON Schema `maximum`: a number above the bound.",
    message={"keyword": "{detail}"},
)

SCHEMA_FORMAT = Rule(
    "schema.format",
    STRICT_PROFILES,
    "JSON Schema `format` (checked, not just annotated): e.g. not an RFC 3339 date-time.",
    message={"keyword": "{detail}", "format": "{value!r} is not a {format}: {detail}"},
)

SCHEMA_OTHER = Rule(
    "schema.other",
    STRICT_PROFILES,
    "Any other JSON Schema keyword of schema/ that the value violates.",
    message={"keyword": "{detail}"},
)

# The JSON Schema keyword a python-jsonschema error names -> its rule (others: schema.other).
_SCHEMA_RULES: dict[str, Rule] = {
    "type": SCHEMA_TYPE,
    "required": SCHEMA_REQUIRED,
    "additionalProperties": SCHEMA_ADDITIONALPROPERTIES,
    "enum": SCHEMA_ENUM,
    "minLength": SCHEMA_MINLENGTH,
    "minimum": SCHEMA_MINIMUM,
    "maximum": SCHEMA_MAXIMUM,
    "format": SCHEMA_FORMAT,
}


CONTRACT_ALIAS_USED = Rule(
    "contract.alias-used",
    STRICT_PROFILES,
    "The serde alias `payload` is used instead of the field name `context`.",
    message="uses serde's alias `{alias}`; write `{field}`",
)

CONTRACT_SEQUENCE_FORM = Rule(
    "contract.sequence-form",
    STRICT_PROFILES,
    "The envelope is serde's sequence form (an array), which only Rust reads.",
    message="the envelope is an array (serde's sequence form); write it as a JSON object",
)

CONTRACT_FRACTION_DIGITS = Rule(
    "contract.fraction-digits",
    STRICT_PROFILES,
    "More than 9 fractional second digits: chrono truncates them, Python cannot hold them.",
    message="{digits} fractional second digits; chrono keeps 9 and Python's datetime 6",
)

CONTRACT_SERDE_REJECTED = Rule(
    "contract.serde-rejected",
    STRICT_PROFILES,
    "serde would reject the document for a reason no more specific rule names.",
    message="serde_json rejects it: {message} [{rule}]",
)


_LONG_INTEGER_DIGITS = 40  # longer than any 64-bit integer, short of int()'s digit limit
_FRACTION = re.compile(r"[.,](\d+)")


def date_time_problem(text: str) -> str | None:
    """Why `text` is not a contract date-time (RFC 3339, accepted by chrono, <= 9 fraction digits)."""
    problem = rfc3339_problem(text)
    if problem is not None:
        return problem
    try:
        Timestamp.parse(text)
    except TimestampError as exc:
        return f"chrono rejects it: {exc}"
    return None


def _build_format_checker() -> FormatChecker:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())

    @checker.checks("date-time", raises=ValueError)
    def _date_time(instance: object) -> bool:
        if not isinstance(instance, str):
            return True  # `format` applies to strings only; `type` reports the rest
        problem = date_time_problem(instance)
        if problem is not None:
            raise ValueError(problem)
        return True

    return checker


def _is_integer(_checker: object, instance: object) -> bool:
    # Rust's i64 rejects 1.0 although JSON Schema 2020-12 calls it an integer.
    return isinstance(instance, int) and not isinstance(instance, bool)


@lru_cache(maxsize=1)
def validator_for() -> Draft202012Validator:
    """The reference validator for the canonical schema (cached: building it is not free)."""
    return build_validator(load_schema())


# The compatibility gate checks documents against other versions of the schema (a release, a
# git revision); they are cached by content, since the same two schemas are asked many times.
@lru_cache(maxsize=16)
def _validator_for_text(text: str) -> Draft202012Validator:
    return build_validator(json.loads(text))


def validator_for_schema(schema: dict[str, Any] | None) -> Draft202012Validator:
    """The validator for `schema` (None: the canonical schema)."""
    if schema is None:
        return validator_for()
    return _validator_for_text(json.dumps(schema, sort_keys=True))


def build_validator(schema: dict[str, Any]) -> Draft202012Validator:
    """A contract validator for any version of the envelope schema (raises SchemaError if malformed)."""
    import jsonschema.validators
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema)
    type_checker = Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer)
    cls = jsonschema.validators.extend(Draft202012Validator, type_checker=type_checker)  # type: ignore[no-untyped-call]
    return cls(contract_schema(schema), format_checker=_build_format_checker())  # type: ignore[no-any-return]


def contract_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema documents are checked against: `schema` with its properties (and
    `required`) under the wire names serde writes. The schema file keys them by Rust field name,
    the name the dataclass and the projection keep. `additionalProperties: false` stays as the
    schema says: the contract closes the envelope whether or not serde denies unknown fields.
    A property's own schema (the compat gate checks values with it) is returned as it is."""
    if "x-rust-struct" not in schema:
        return schema
    specs = field_specs(schema)
    if all(spec.wire == spec.name for spec in specs):
        return schema
    wire = {spec.name: spec.wire for spec in specs}
    renamed = dict(schema)
    renamed["properties"] = {wire[name]: prop for name, prop in schema["properties"].items()}
    if "required" in schema:
        renamed["required"] = [wire.get(name, name) for name in schema["required"]]
    return renamed


def lexical_violations(tree: Any, read_number: NumberReader) -> list[Violation]:
    """The lexical rules, anywhere in the document (unknown members included), for consumers
    whose serde_json reads numbers as `read_number` does (where f64 overflows)."""
    found = walk_problems(tree, (), 0, _number_rules(read_number), _duplicate_keys)
    found.sort(key=lambda v: v.pointer)
    return found


def _duplicate_keys(obj: Obj, where: JsonPath, found: list[Violation]) -> None:
    seen: set[str] = set()
    for key, _member in obj:
        if key in seen:
            found.append(JSON_DUPLICATE_KEY.at((*where, key), key=excerpt(key)))
        seen.add(key)


def _number_rules(read_number: NumberReader) -> NumberRule:
    def rule(item: Num, where: JsonPath, found: list[Violation]) -> None:
        if item == "-0":
            found.append(JSON_NEGATIVE_ZERO.at(where))
            return
        try:
            value = read_number(item)
        except NumberRangeError:
            found.append(JSON_NUMBER_OUT_OF_RANGE.at(where, value=excerpt(item)))
            return
        if isinstance(value, float) and not item.is_float_literal:
            found.append(JSON_INTEGER_OVERFLOW.at(where, value=excerpt(item), float=value))

    return rule


class _LongInteger(int):
    """An integer token too long for int() (4,300 digits), as python-jsonschema sees it: a value
    past every 64-bit bound, so the schema's verdict is the real one (json.integer-overflow has
    reported it already), that messages show as written (its ends, when long)."""

    text: str

    def __new__(cls, text: str) -> _LongInteger:
        value = super().__new__(cls, -(2**100) if text.startswith("-") else 2**100)
        value.text = text
        return value

    def __repr__(self) -> str:
        return ends(self.text)

    __str__ = __repr__


# Keywords of a property's schema that judge the member's value itself (its type, size or bounds)
# and apply no schema to anything inside it: python-jsonschema reads no string nested in it.
_SHALLOW_KEYWORDS = frozenset(
    {
        *("type", "format", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"),
        *("multipleOf", "minItems", "maxItems", "minProperties", "maxProperties", "required"),
        *("title", "description", "examples", "default", "deprecated", "readOnly", "writeOnly", "$comment"),
    }
)


def opaque_members(schema: dict[str, Any]) -> frozenset[str]:
    """The envelope members (wire names) whose schema reads nothing inside their value, where a
    `DeferredStr` may stay as it is in `to_instance`'s result."""
    properties = contract_schema(schema).get("properties", {})
    return frozenset(
        name
        for name, prop in properties.items()
        if isinstance(prop, dict) and all(key in _SHALLOW_KEYWORDS or key.startswith("x-") for key in prop)
    )


def to_instance(value: Any, read_number: NumberReader, opaque: frozenset[str] = frozenset()) -> Any:
    """The tree as the plain Python value python-jsonschema checks (duplicates: last wins), its
    floats as `read_number` (the consumers' serde_json) reads them. A `DeferredStr` (always inside
    a member) is decoded, except inside the members named in `opaque` (`opaque_members`), whose
    schema never reads it; messages that show it (`repr`) show its text."""
    if isinstance(value, Obj):
        return {str(key): _plain(member, read_number, str(key) not in opaque) for key, member in value}
    return _plain(value, read_number, True)


def _plain(value: Any, read_number: NumberReader, decode: bool) -> Any:
    """`to_instance` of a value below the top level; `decode`: whether a `DeferredStr` is decoded."""
    if isinstance(value, Num):
        if value.is_float_literal:
            try:
                return read_number(value)
            except NumberRangeError:
                return float(value)
        if len(value) > _LONG_INTEGER_DIGITS:
            return _LongInteger(value)
        return int(value)
    if isinstance(value, Obj):
        return {str(key): _plain(member, read_number, decode) for key, member in value}
    if isinstance(value, list):
        return [_plain(item, read_number, decode) for item in value]
    if isinstance(value, BadStr) or (decode and isinstance(value, DeferredStr)):
        return str(value)
    return value


@lru_cache(maxsize=1)
def _canonical_opaque_members() -> frozenset[str]:
    return opaque_members(load_schema())


def _opaque_members(schema: dict[str, Any] | None) -> frozenset[str]:
    """`opaque_members` of `schema` (None: the canonical schema, worked out once)."""
    return _canonical_opaque_members() if schema is None else opaque_members(schema)


def schema_violations(instance: Any, schema: dict[str, Any] | None = None) -> list[Violation]:
    """python-jsonschema's findings, one Violation per error, with a rule id per keyword."""
    found: list[Violation] = []
    for error in validator_for_schema(schema).iter_errors(instance):
        found.extend(_from_error(error))
    found.sort(key=lambda v: (v.pointer, v.rule))
    return found


def _from_error(error: ValidationError) -> list[Violation]:
    pointer: JsonPath = tuple(error.absolute_path)
    keyword = str(error.validator)
    rule = _SCHEMA_RULES.get(keyword, SCHEMA_OTHER)
    instance = error.instance
    if rule is SCHEMA_ADDITIONALPROPERTIES and isinstance(instance, dict):
        declared = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        return [rule.at((*pointer, key), "unknown", key=key) for key in instance if key not in declared]
    if rule is SCHEMA_TYPE and isinstance(instance, float) and "integer" in _as_list(error.validator_value):
        if instance.is_integer() and I64_MIN <= instance <= I64_MAX:
            return [rule.at(pointer, "integral-float", value=instance, integer=int(instance))]
        return [rule.at(pointer, "float", value=instance)]
    if rule is SCHEMA_FORMAT:
        return [
            rule.at(
                pointer, "format", value=instance, format=error.validator_value, detail=error.cause or error.message
            )
        ]
    # python-jsonschema's own wording, for every other finding (each schema rule has this form).
    return [rule.at(pointer, "keyword", detail=error.message)]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _fraction_violations(instance: dict[str, Any], specs: tuple[FieldSpec, ...]) -> list[Violation]:
    found = []
    for spec in specs:
        value = instance.get(spec.wire)
        if spec.inner.timestamp and isinstance(value, str):
            match = _FRACTION.search(value)
            if match and len(match.group(1)) > 9:
                found.append(CONTRACT_FRACTION_DIGITS.at((spec.wire,), digits=len(match.group(1))))
    return found


def alias_violation(key: str, specs: tuple[FieldSpec, ...]) -> tuple[Violation, FieldSpec]:
    """`contract.alias-used` for the top-level `key`, one of serde's aliases in `specs`, and the
    field it binds."""
    spec = next(s for s in specs if key in s.aliases)
    return CONTRACT_ALIAS_USED.at((key,), alias=key, field=spec.wire), spec


def check(tree: Any, schema: dict[str, Any] | None = None) -> tuple[list[Violation], Binding]:
    """Every contract finding for the tree ([] = valid), and serde's field binding.

    `schema` is the envelope schema to check against (default: the canonical one); the
    compatibility gate passes other versions of it.
    """
    specs = field_specs(schema)
    read_number = serde_reader(schema)
    found = lexical_violations(tree, read_number)
    serde_found, binding = serde.check(tree, specs, read_number)
    if binding.sequence_form:
        found.append(CONTRACT_SEQUENCE_FORM.at(()))
    elif not any(v.rule == JSON_DEPTH for v in found):
        instance = to_instance(tree, read_number, _opaque_members(schema))
        if isinstance(instance, dict):
            for pointer in binding.alias_used:
                key = str(pointer[0])
                violation, spec = alias_violation(key, specs)
                found.append(violation)
                # Check the value under its real name so it is judged once, not twice.
                if spec.wire not in instance:
                    instance[spec.wire] = instance.pop(key)
            found.extend(v for v in binding.violations if v.rule == SERDE_DUPLICATE_FIELD)
            found.extend(_fraction_violations(instance, specs))
        found.extend(schema_violations(instance, schema))
    if serde_found and not found:
        first = serde_found[0]
        found.append(CONTRACT_SERDE_REJECTED.at(first.path, message=first.message, rule=first.rule))
    return found, binding
