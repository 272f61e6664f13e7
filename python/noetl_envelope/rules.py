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
    )
}


def rule(rule_id: str) -> Rule:
    """The rule with this id; a KeyError here is a programming error (an undeclared id)."""
    return RULES[rule_id]
