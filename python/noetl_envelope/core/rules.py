"""The registry of stable rule ids: every `Violation.rule` the package can emit is declared here.

An id is `<stage>.<name>`; the stage says which module owns the rule, so a newcomer can go
from an id in a report straight to the code:

| stage      | module                                   |
|------------|------------------------------------------|
| input      | reader.py (how bytes become documents)   |
| json       | lexer.py + jsontree.py (lexical scan, serde_json's grammar and limits) |
| serde      | profiles/serde.py (what `from_slice::<ExecutorEvent>` rejects) |
| schema     | profiles/contract.py (a JSON Schema keyword of schema/) |
| contract   | profiles/contract.py (rules a JSON Schema cannot express) |
| canonical  | profiles/canonical.py (bytes differ from serde_json's output) |
| drift      | drift.py (why a producer's bytes are not canonical; reported by `conform`) |
| project    | projection/predict.py (what projecting into the noetl.event table loses; `validate --project`) |
| fixturegen | fixturegen/catalogue.py (a malformed fixtures/catalogue.yaml stops `make gen`) |
| compat     | compat/kinds.py (a kind of schema change, `compat`), compat/policy.py (the version policy) |

docs/RULES.md is generated from this table by `make gen`; never edit it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

PROFILES = ("serde", "contract", "canonical")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    profiles: tuple[str, ...]
    summary: str


_ALL = ("serde", "contract", "canonical")
_STRICT = ("contract", "canonical")
_COMPAT = ("compat",)  # reported by the compat command, not by a document profile
# Projection rules come with any profile when `validate --project` asks for them.
_PROJECT = ("--project",)

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("input.too-large", _ALL, "A single document is larger than the configured limit."),
        Rule("json.eof", _ALL, "The document ends before the JSON value is complete (an empty document too)."),
        Rule("json.syntax", _ALL, "Not JSON per RFC 8259 as serde_json reads it: an unexpected character."),
        Rule("json.bom", _ALL, "The document starts with a UTF-8 byte order mark, which serde_json rejects."),
        Rule("json.trailing-characters", _ALL, "Something other than whitespace follows the JSON value."),
        Rule(
            "json.invalid-number",
            _ALL,
            "A number that is not in RFC 8259 form (leading zero, lone '-', '1.', '+1', ...).",
        ),
        Rule("json.invalid-escape", _ALL, "A backslash escape that JSON does not define."),
        Rule("json.control-character", _ALL, "A raw control character (U+0000..U+001F) inside a string."),
        Rule("json.invalid-utf8", _ALL, "Bytes that are not UTF-8 inside a string serde_json decodes."),
        Rule("json.lone-surrogate", _ALL, "A \\uD800-\\uDFFF escape that is not part of a surrogate pair."),
        Rule(
            "json.number-out-of-range",
            _ALL,
            "A number serde_json cannot hold (an f64 overflow such as 1e400).",
        ),
        Rule("json.depth", _ALL, "Arrays and objects nested deeper than serde_json's recursion limit of 128."),
        Rule(
            "json.duplicate-key",
            _STRICT,
            "The same key twice in one object (serde keeps the last value inside a Value).",
        ),
        Rule(
            "json.integer-overflow",
            _STRICT,
            "An integer outside i64/u64 inside a Value: serde_json reads it as a rounded f64, Python as an exact int.",
        ),
        Rule(
            "json.negative-zero",
            _STRICT,
            "The literal -0: serde_json reads it as the float -0.0, not the integer 0.",
        ),
        Rule(
            "serde.not-a-struct",
            _ALL,
            "The top-level value is neither an object nor serde's sequence form (an array).",
        ),
        Rule("serde.missing-field", _ALL, "A required (non-Option) field is absent."),
        Rule(
            "serde.duplicate-field",
            _ALL,
            "A struct field appears twice (including `context` together with its alias `payload`).",
        ),
        Rule(
            "serde.invalid-type",
            _ALL,
            "A field holds a JSON type its Rust type does not accept (e.g. 1.0 for i64).",
        ),
        Rule(
            "serde.integer-out-of-range",
            _ALL,
            "An integer outside the range of the field's Rust integer type.",
        ),
        Rule("serde.invalid-timestamp", _ALL, "chrono's DateTime<Utc> rejects the string."),
        Rule("serde.invalid-length", _ALL, "Serde's sequence form with too few or too many elements."),
        Rule("schema.type", _STRICT, "JSON Schema `type`: the value has the wrong JSON type."),
        Rule("schema.required", _STRICT, "JSON Schema `required`: a required property is missing."),
        Rule(
            "schema.additionalProperties",
            _STRICT,
            "JSON Schema `additionalProperties`: a property the schema does not declare.",
        ),
        Rule("schema.enum", _STRICT, "JSON Schema `enum`: a value outside the closed set."),
        Rule("schema.minLength", _STRICT, "JSON Schema `minLength`: a string that is too short."),
        Rule("schema.minimum", _STRICT, "JSON Schema `minimum`: a number below the bound."),
        Rule("schema.maximum", _STRICT, "JSON Schema `maximum`: a number above the bound."),
        Rule(
            "schema.format",
            _STRICT,
            "JSON Schema `format` (checked, not just annotated): e.g. not an RFC 3339 date-time.",
        ),
        Rule("schema.other", _STRICT, "Any other JSON Schema keyword of schema/ that the value violates."),
        Rule(
            "contract.alias-used",
            _STRICT,
            "The serde alias `payload` is used instead of the field name `context`.",
        ),
        Rule(
            "contract.sequence-form",
            _STRICT,
            "The envelope is serde's sequence form (an array), which only Rust reads.",
        ),
        Rule(
            "contract.fraction-digits",
            _STRICT,
            "More than 9 fractional second digits: chrono truncates them, Python cannot hold them.",
        ),
        Rule(
            "contract.serde-rejected",
            _STRICT,
            "serde would reject the document for a reason no more specific rule names.",
        ),
        Rule(
            "canonical.float-roundtrip",
            ("canonical",),
            "A float serde_json writes but reads back as a neighbouring f64 (its parser is not correctly rounded without the float_roundtrip feature), so the bytes change on the next hop.",
        ),
        Rule(
            "canonical.differs",
            ("canonical",),
            "The bytes differ from what serde_json::to_string writes for the decoded event.",
        ),
        # Drift classes (`conform`): each names one way a producer's bytes differ from
        # serde_json's output for the struct, with the pointer of the value concerned.
        Rule(
            "drift.unknown-field",
            ("canonical",),
            "The producer writes a field the schema does not declare (the struct gained or renamed a field).",
        ),
        Rule(
            "drift.missing-field",
            ("canonical",),
            "A required field is absent (the struct lost or renamed it, or made it skippable).",
        ),
        Rule(
            "drift.alias-used",
            ("canonical",),
            "A field is written under its serde alias (`payload`); serde writes the field name (`context`).",
        ),
        Rule(
            "drift.type-change",
            ("canonical",),
            "A field's JSON type differs from the schema's type / x-rust-type (e.g. a string event_id for Option<i64>).",
        ),
        Rule(
            "drift.field-order",
            ("canonical",),
            "Declared fields are present but not in struct declaration order, which is the order serde writes.",
        ),
        Rule(
            "drift.null-instead-of-absent",
            ("canonical",),
            "An Option field is written as null where serde skips None (skip_serializing_if = Option::is_none).",
        ),
        Rule(
            "drift.timestamp-form",
            ("canonical",),
            "created_at is not in chrono's serialized form (UTC, 'T', 'Z', 0/3/6/9 fraction digits).",
        ),
        Rule(
            "drift.number-form",
            ("canonical",),
            "A number not in serde_json's form: 1.0 for an i64, 1e16 for 1e+16, -0, trailing zeros, an integer beyond u64.",
        ),
        Rule(
            "drift.float-roundtrip",
            ("canonical",),
            "A float in serde_json's form that serde_json reads back as a neighbouring f64 (see canonical.float-roundtrip).",
        ),
        Rule(
            "drift.key-order",
            ("canonical",),
            "Object keys inside a serde_json::Value not in sorted order (serde_json's Map is a BTreeMap).",
        ),
        Rule(
            "drift.whitespace-form",
            ("canonical",),
            "Whitespace between tokens: serde_json::to_string writes compact JSON.",
        ),
        Rule(
            "drift.escape-form",
            ("canonical",),
            "A string or key escaped differently from serde_json (which escapes only '\"', '\\\\' and control characters).",
        ),
        # Projection into PostgreSQL's noetl.event (`validate --project`, `project`): what the
        # row loses or refuses, each prediction checked against a real server by the tests.
        Rule(
            "project.nul-character",
            _PROJECT,
            "Refused: a string or key holds U+0000; VARCHAR refuses NUL bytes and JSONB refuses the \\u0000 escape.",
        ),
        Rule(
            "project.year-range",
            _PROJECT,
            "Refused: created_at is before 4714-11-24 BC, TIMESTAMP's first day (or rounds past chrono's last year, so the row cannot be read back).",
        ),
        Rule(
            "project.number-range",
            _PROJECT,
            "Refused: a number needs more than 16383 digits after the point (e.g. 1e-16384), more than JSONB's numeric holds (or its stored digits are beyond what serde_json reads back, so the row cannot be exported).",
        ),
        Rule(
            "project.sub-microsecond",
            _PROJECT,
            "Envelope changes: created_at has digits below a microsecond; TIMESTAMP rounds them (half to even), possibly into the next second.",
        ),
        Rule(
            "project.leap-second",
            _PROJECT,
            "Envelope changes: a leap second (second 60) is stored as the first second of the next minute; with a fraction at 23:59:60 it is refused.",
        ),
        Rule(
            "project.number-normalized",
            _PROJECT,
            "Envelope changes: JSONB stores numbers as numeric, so 1e2 comes back as the integer 100 and -0.0 as 0.0.",
        ),
        Rule(
            "project.offset",
            _PROJECT,
            "Written form lost: created_at was written with a non-zero offset; TIMESTAMP keeps the UTC wall clock without a zone.",
        ),
        Rule(
            "project.key-order",
            _PROJECT,
            "Written form lost: JSONB stores object keys by length, then bytes; a reader of the table does not see the written order.",
        ),
        Rule(
            "project.duplicate-key",
            _PROJECT,
            "Written form lost: a key repeated in one object; JSONB keeps only the last value.",
        ),
        # Fixture generation: not a document rule, the input is fixtures/catalogue.yaml.
        Rule(
            "fixturegen.catalogue",
            ("make gen",),
            "fixtures/catalogue.yaml is malformed (YAML syntax, an unknown key, a missing or repeated case name); the message names the line.",
        ),
        # Schema compatibility gate (`compat`): one id per kind of schema change (buf-style,
        # the category in brackets) and per version-policy violation.
        Rule(
            "compat.field-added-optional",
            _COMPAT,
            "[FIELD] A field was added that serde and the contract let documents omit (Option with serde default).",
        ),
        Rule(
            "compat.field-added-required",
            _COMPAT,
            "[FIELD] A field was added that serde or the contract requires: old data lacks it.",
        ),
        Rule(
            "compat.field-removed",
            _COMPAT,
            "[FIELD] A field was removed: old data carrying it fails a closed contract; old readers needing it miss it.",
        ),
        Rule(
            "compat.field-renamed",
            _COMPAT,
            "[FIELD] A field was renamed (same x-db-column) without a serde alias for the old name.",
        ),
        Rule(
            "compat.field-renamed-aliased",
            _COMPAT,
            "[FIELD] A field was renamed keeping the old name as a serde alias (Rust reads old data; the contract rejects aliases).",
        ),
        Rule(
            "compat.type-changed",
            _COMPAT,
            "[TYPE] A field's x-rust-type or JSON type changed (e.g. execution_id String -> i64).",
        ),
        Rule(
            "compat.bound-narrowed",
            _COMPAT,
            "[DOMAIN] minimum/maximum/minLength/... became stricter (beyond the Rust type's own range): old data may fall outside.",
        ),
        Rule(
            "compat.bound-widened",
            _COMPAT,
            "[DOMAIN] A bound became looser: new data may fall outside what old validators accept.",
        ),
        Rule(
            "compat.enum-narrowed",
            _COMPAT,
            "[DOMAIN] Enum values were removed (or an enum added): old data may hold them.",
        ),
        Rule(
            "compat.enum-widened",
            _COMPAT,
            "[DOMAIN] Enum values were added (or the enum removed): old validators reject the new values.",
        ),
        Rule(
            "compat.format-narrowed",
            _COMPAT,
            "[DOMAIN] A checked `format` was added (only formats the contract checks, e.g. date-time, have an effect).",
        ),
        Rule("compat.format-widened", _COMPAT, "[DOMAIN] A checked `format` was removed."),
        Rule("compat.format-changed", _COMPAT, "[DOMAIN] A `format` was replaced by another."),
        Rule("compat.pattern-narrowed", _COMPAT, "[DOMAIN] A `pattern` was added."),
        Rule("compat.pattern-widened", _COMPAT, "[DOMAIN] A `pattern` was removed."),
        Rule(
            "compat.pattern-changed",
            _COMPAT,
            "[DOMAIN] A `pattern` was replaced by another (both directions may break).",
        ),
        Rule(
            "compat.required-to-optional",
            _COMPAT,
            "[PRESENCE] A field may now be absent (left `required`, or became Option with serde default): old readers needing it break.",
        ),
        Rule(
            "compat.optional-to-required",
            _COMPAT,
            "[PRESENCE] A field must now be present: old data and old producers may omit it.",
        ),
        Rule(
            "compat.nullable-added",
            _COMPAT,
            "[PRESENCE] null is now accepted (JSON type and Rust type both): old readers reject it.",
        ),
        Rule("compat.nullable-removed", _COMPAT, "[PRESENCE] null is no longer accepted: old data may hold it."),
        Rule(
            "compat.serde-attribute-changed",
            _COMPAT,
            "[PRESENCE] x-serde `default` / `skip_serializing_if` changed: what producers write and serde requires may change.",
        ),
        Rule(
            "compat.additional-properties-allowed",
            _COMPAT,
            "[CONTAINER] additionalProperties is no longer false: old contract validators reject new data's extra keys (serde skips them).",
        ),
        Rule(
            "compat.additional-properties-denied",
            _COMPAT,
            "[CONTAINER] additionalProperties became false: old data with extra keys fails the new contract.",
        ),
        Rule(
            "compat.alias-added",
            _COMPAT,
            "[SERDE] A serde alias was added (contract data never uses aliases; no effect unless the old schema was open).",
        ),
        Rule(
            "compat.alias-removed",
            _COMPAT,
            "[SERDE] A serde alias was removed (contract data never uses aliases: no effect on contract-valid data).",
        ),
        Rule(
            "compat.field-order-changed",
            _COMPAT,
            "[SERDE] Declaration order changed: serde's sequence form and canonical bytes change; contract data (objects) does not.",
        ),
        Rule(
            "compat.description-changed",
            _COMPAT,
            "[DOC] Only a description, title, example or comment changed: no effect.",
        ),
        Rule(
            "compat.annotation-changed",
            _COMPAT,
            "[DOC] Only an annotation with no wire effect changed (x-db-column, customTypePath, x-rust-crate, a bound the Rust type already implies).",
        ),
        Rule(
            "compat.keyword-changed",
            _COMPAT,
            "[OTHER] A keyword the gate does not classify changed: assumed breaking for contract readers; review by hand.",
        ),
        Rule("compat.version-not-bumped", _COMPAT, "[POLICY] The schema changed but the `$id` version did not go up."),
        Rule(
            "compat.bump-too-small",
            _COMPAT,
            "[POLICY] The version bump is smaller than the worst change needs (>= 1.0: backward-incompatible = major, forward-incompatible = minor; 0.x: backward-incompatible = minor).",
        ),
        Rule(
            "compat.changelog-missing",
            _COMPAT,
            "[POLICY] schema/CHANGELOG.md has no `## <version>` entry for the schema's version.",
        ),
        Rule(
            "compat.release-modified",
            _COMPAT,
            "[POLICY] A file in schema/releases/ present at the baseline ref was modified or deleted (releases are immutable).",
        ),
        Rule(
            "compat.release-differs",
            _COMPAT,
            "[POLICY] The schema's version is released in schema/releases/ but the schema differs from that file.",
        ),
        Rule(
            "compat.release-mismatch",
            _COMPAT,
            "[POLICY] A file in schema/releases/ is not named after the version in its `$id`.",
        ),
    )
}


def rule(rule_id: str) -> Rule:
    """The rule with this id; a KeyError here is a programming error (an undeclared id)."""
    return RULES[rule_id]
