"""Named regression cases: behaviours of serde_json 1.0.150 + chrono 0.4.44 that differ from naive
expectations, each pinned BOTH against the Rust harness (verdict and bytes written back) AND
against our profile verdicts and `encode(decode(doc, profile="serde"), check=False)`.

All documents go through `envelope-harness check` in one process (module fixture).
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass, field

import pytest

from envelope import SPECS, complete, complete_seq
from harness import RustVerdict, rust_check
from noetl_envelope import EnvelopeError, decode, encode, validate
from noetl_envelope.model.rusttypes import key
from noetl_envelope.projection import pgtypes
from noetl_envelope.projection.predict import projection_violations
from noetl_envelope.wire.numbers import format_float

pytestmark = pytest.mark.rust

HEAD = b'"execution_id":1,"event_type":"step.enter","step":"s","status":"STARTED"'
TS = b'"2024-05-01T12:00:00Z"'


def doc(context: bytes = b"{}", extra: bytes = b"", *, ts: bytes = TS, head: bytes = HEAD) -> bytes:
    """An envelope in serde_json's field order; `extra` members come after context (the fields the
    working schema requires beyond 0.3.1 after them, see tests/envelope.py)."""
    return complete(b"{" + head + b',"created_at":' + ts + b',"context":' + context + extra + b"}")


def with_id(execution_id: bytes) -> bytes:
    return HEAD.replace(b'"execution_id":1', b'"execution_id":' + execution_id)


def nested(levels: int) -> bytes:
    """`levels` objects nested in each other (the innermost holds 1)."""
    return b'{"a":' * levels + b"1" + b"}" * levels


@dataclass(frozen=True)
class Case:
    data: bytes
    output: bytes | None  # what serde_json writes back; None = serde_json rejects the document
    serde: list[tuple[str, str]] = field(default_factory=list)  # (rule, pointer), exactly
    contract: set[str] = field(default_factory=set)  # rule ids, exactly
    canonical: set[str] | None = None  # rule ids; None = same as contract
    rust_error: str | None = None  # substring of serde_json's error message
    output_canonical: bool = True  # serde_json's output passes our canonical profile


CANON = {"canonical.differs"}
LEAP = b'"2016-12-31T23:59:60Z"'
# serde's sequence form: one element per field in declaration order (0.3.1's, then typical values
# for the fields added since); it may stop after the last field without a default.
SEQ = complete_seq([b"1", b'"step.enter"', b'"s"', b'"STARTED"', TS, b'{"a":1}', b"7", b'"w"', b'{"m":1}'])
N_FIELDS = len(SPECS)
REQUIRED_PREFIX = max(i for i, spec in enumerate(SPECS) if not spec.serde_default) + 1


def seq(n: int, extra: bytes = b"") -> bytes:
    return b"[" + b",".join(SEQ[:n]) + extra + b"]"


def seq_output(n: int) -> bytes:
    """What serde_json writes for the first n elements: those fields, none of them None."""
    return (
        b"{"
        + b",".join(key(spec.name).encode() + b":" + raw for spec, raw in zip(SPECS[:n], SEQ[:n], strict=True))
        + b"}"
    )


def _sequence_cases() -> dict[str, Case]:
    cases = {
        "sequence-form-all-fields-accepted": Case(
            seq(N_FIELDS), seq_output(N_FIELDS), contract={"contract.sequence-form"}
        ),
        "sequence-form-one-short-of-the-required-rejected": Case(
            seq(REQUIRED_PREFIX - 1),
            None,
            [("serde.invalid-length", "")],
            {"contract.sequence-form"},
            rust_error=f"invalid length {REQUIRED_PREFIX - 1}, expected struct ExecutorEvent with {N_FIELDS} elements",
        ),
        "sequence-form-one-extra-rejected": Case(
            seq(N_FIELDS, b",null"),
            None,
            [("serde.invalid-length", f"/{N_FIELDS}")],
            {"contract.sequence-form"},
            rust_error="trailing characters",
        ),
    }
    if REQUIRED_PREFIX < N_FIELDS:  # the fields with a default may be left off the end
        cases["sequence-form-required-prefix-accepted"] = Case(
            seq(REQUIRED_PREFIX), seq_output(REQUIRED_PREFIX), contract={"contract.sequence-form"}
        )
    return cases


CASES: dict[str, Case] = {
    # zmij float forms (serde_json 1.0.150 writes floats with zmij, not ryu)
    "float-1e16-is-1e+16": Case(doc(b'{"x":1e16}'), doc(b'{"x":1e+16}'), canonical=CANON),
    "float-1e+16-is-canonical": Case(doc(b'{"x":1e+16}'), doc(b'{"x":1e+16}'), canonical=set()),
    "float-1e-5-is-0.00001": Case(doc(b'{"x":1e-5}'), doc(b'{"x":0.00001}'), canonical=CANON),
    "float-1.5e-5-is-fixed": Case(doc(b'{"x":1.5e-5}'), doc(b'{"x":0.000015}'), canonical=CANON),
    "float-1e-6-is-1e-6": Case(doc(b'{"x":0.000001}'), doc(b'{"x":1e-6}'), canonical=CANON),
    "float-1e15-is-fixed": Case(doc(b'{"x":1e15}'), doc(b'{"x":1000000000000000.0}'), canonical=CANON),
    "float-100.0-is-canonical": Case(doc(b'{"x":100.0}'), doc(b'{"x":100.0}'), canonical=set()),
    "float-100-stays-integer": Case(doc(b'{"x":100}'), doc(b'{"x":100}'), canonical=set()),
    "float-1e-7-is-canonical": Case(doc(b'{"x":1e-7}'), doc(b'{"x":1e-7}'), canonical=set()),
    "float-minus-0.0-is-canonical": Case(doc(b'{"x":-0.0}'), doc(b'{"x":-0.0}'), canonical=set()),
    # -0 is a float to serde_json
    "minus-0-in-context-becomes-minus-0.0": Case(doc(b'{"x":-0}'), doc(b'{"x":-0.0}'), contract={"json.negative-zero"}),
    "minus-0-rejected-for-i64": Case(
        doc(head=with_id(b"-0")),
        None,
        [("serde.invalid-type", "/execution_id")],
        {"json.negative-zero"},
        rust_error="invalid type: floating point `-0.0`, expected i64",
    ),
    # f64 underflow is accepted (signed zero), overflow rejected
    "1e-400-is-0.0": Case(doc(b'{"x":1e-400}'), doc(b'{"x":0.0}'), canonical=CANON),
    "minus-1e-400-is-minus-0.0": Case(doc(b'{"x":-1e-400}'), doc(b'{"x":-0.0}'), canonical=CANON),
    "zero-with-1000-digit-exponent-is-0.0": Case(
        doc(b'{"x":0e' + b"9" * 1000 + b"}"), doc(b'{"x":0.0}'), canonical=CANON
    ),
    "1e400-rejected": Case(
        doc(b'{"x":1e400}'),
        None,
        [("json.number-out-of-range", "/context/x")],
        {"json.number-out-of-range"},
        rust_error="number out of range",
    ),
    # i64 bounds; i64::MIN-1 is read as a float by serde_json, i64::MAX+1 as a u64
    "i64-max-accepted": Case(doc(head=with_id(b"9223372036854775807")), doc(head=with_id(b"9223372036854775807"))),
    "i64-min-accepted": Case(doc(head=with_id(b"-9223372036854775808")), doc(head=with_id(b"-9223372036854775808"))),
    "i64-max-plus-1-rejected": Case(
        doc(head=with_id(b"9223372036854775808")),
        None,
        [("serde.integer-out-of-range", "/execution_id")],
        {"schema.maximum"},
        rust_error="invalid value: integer `9223372036854775808`, expected i64",
    ),
    "i64-min-minus-1-rejected": Case(
        doc(head=with_id(b"-9223372036854775809")),
        None,
        [("serde.invalid-type", "/execution_id")],
        {"json.integer-overflow", "schema.minimum"},
        rust_error="invalid type: floating point",
    ),
    "u64-max-in-context-stays-integer": Case(
        doc(b'{"x":18446744073709551615}'), doc(b'{"x":18446744073709551615}'), canonical=set()
    ),
    "2-pow-64-in-context-becomes-float": Case(
        doc(b'{"x":18446744073709551616}'),
        doc(b'{"x":1.8446744073709552e+19}'),
        contract={"json.integer-overflow"},
    ),
    "i64-min-minus-1-in-context-becomes-float": Case(
        doc(b'{"x":-9223372036854775809}'),
        doc(b'{"x":-9.223372036854776e+18}'),
        contract={"json.integer-overflow"},
    ),
    # the `payload` alias
    "payload-alias-written-as-context": Case(
        complete(b"{" + HEAD + b',"created_at":' + TS + b',"payload":{"a":1}}'),
        doc(b'{"a":1}'),
        contract={"contract.alias-used"},
    ),
    "context-and-payload-rejected": Case(
        doc(b"{}", b',"payload":{}'),
        None,
        [("serde.duplicate-field", "/payload")],
        {"contract.alias-used", "serde.duplicate-field", "schema.additionalProperties"},
        rust_error="duplicate field `context`",
    ),
    # duplicates: null then a value is still a duplicate struct field
    "event-id-null-then-1-rejected": Case(
        doc(b"{}", b',"event_id":null,"event_id":1'),
        None,
        [("serde.duplicate-field", "/event_id")],
        {"json.duplicate-key", "serde.duplicate-field"},
        rust_error="duplicate field `event_id`",
    ),
    "duplicate-key-in-context-last-wins": Case(doc(b'{"a":1,"a":2}'), doc(b'{"a":2}'), contract={"json.duplicate-key"}),
    # keys are compared after unescaping
    "escaped-key-matches-event-id": Case(
        doc(b"{}", b',"event\\u005fid":7'), doc(b"{}", b',"event_id":7'), canonical=CANON
    ),
    "escaped-key-duplicates-event-id": Case(
        doc(b"{}", b',"event_id":6,"event\\u005fid":7'),
        None,
        [("serde.duplicate-field", "/event_id")],
        {"json.duplicate-key", "serde.duplicate-field"},
        rust_error="duplicate field `event_id`",
    ),
    # undecodable strings: skipped unread in an unknown value, decoded in context and in every key
    "lone-surrogate-in-unknown-value-accepted": Case(
        doc(b"{}", b',"u":"\\ud800"'), doc(), contract={"json.lone-surrogate", "schema.additionalProperties"}
    ),
    "lone-surrogate-in-context-rejected": Case(
        doc(b'{"x":"\\ud800"}'),
        None,
        [("json.lone-surrogate", "/context/x")],
        {"json.lone-surrogate"},
        rust_error="unexpected end of hex escape",
    ),
    "lone-surrogate-in-unknown-key-rejected": Case(
        doc(b"{}", b',"\\udc00":1'),
        None,
        [("json.lone-surrogate", "/\udc00")],
        {"json.lone-surrogate", "schema.additionalProperties"},
    ),
    "invalid-utf8-in-unknown-value-accepted": Case(
        doc(b"{}", b',"u":"\xff\xfe"'), doc(), contract={"json.invalid-utf8", "schema.additionalProperties"}
    ),
    "invalid-utf8-in-context-rejected": Case(
        doc(b'{"x":"\xff"}'),
        None,
        [("json.invalid-utf8", "/context/x")],
        {"json.invalid-utf8"},
        rust_error="invalid unicode code point",
    ),
    "invalid-utf8-in-unknown-key-rejected": Case(
        doc(b"{}", b',"\xc3":1'),
        None,
        [("json.invalid-utf8", "/\ufffd")],
        {"json.invalid-utf8", "schema.additionalProperties"},
    ),
    # recursion limit: 127 containers in all (the envelope counts) pass, the 128th fails
    "nesting-127-containers-accepted": Case(doc(nested(126)), doc(nested(126)), canonical=set()),
    "nesting-128-containers-rejected": Case(
        doc(nested(127)),
        None,
        [("json.depth", "/context" + "/a" * 126)],
        {"json.depth"},
        rust_error="recursion limit exceeded",
    ),
    "nesting-127-containers-in-meta-accepted": Case(
        doc(b"{}", b',"meta":' + nested(126)), doc(b"{}", b',"meta":' + nested(126)), canonical=set()
    ),
    "nesting-128-containers-in-meta-rejected": Case(
        doc(b"{}", b',"meta":' + nested(127)),
        None,
        [("json.depth", "/meta" + "/a" * 126)],
        {"json.depth"},
        rust_error="recursion limit exceeded",
    ),
    "nesting-127-arrays-in-context-accepted": Case(
        doc(b"[" * 126 + b"]" * 126),
        doc(b"[" * 126 + b"]" * 126),
        contract={"schema.type"},
        output_canonical=False,
    ),
    "nesting-128-arrays-in-context-rejected": Case(
        doc(b"[" * 127 + b"]" * 127),
        None,
        [("json.depth", "/context" + "/0" * 126)],
        {"json.depth"},
        rust_error="recursion limit exceeded",
    ),
    "nesting-in-unknown-value-not-limited": Case(
        doc(b"{}", b',"u":' + b"[" * 300 + b"]" * 300), doc(), contract={"json.depth"}
    ),
    # serde's sequence form: see _sequence_cases
    **_sequence_cases(),
    # Option fields: null means None, None is not written
    "meta-null-omitted-on-output": Case(doc(b"{}", b',"meta":null'), doc(), canonical=CANON),
    "worker-id-null-omitted-on-output": Case(doc(b"{}", b',"worker_id":null'), doc(), canonical=CANON),
    # bytes around the value
    "bom-rejected": Case(
        b"\xef\xbb\xbf" + doc(), None, [("json.bom", "")], {"json.bom"}, rust_error="expected value at line 1 column 1"
    ),
    "trailing-whitespace-accepted": Case(doc() + b" \n\t\r\n", doc(), canonical=CANON),
    "one-trailing-newline-is-canonical": Case(doc() + b"\n", doc(), canonical=set()),
    # strings: \u0000 is fine, DEL and U+2028 are written raw
    "escaped-nul-accepted": Case(doc(b'{"x":"\\u0000"}'), doc(b'{"x":"\\u0000"}'), canonical=set()),
    "raw-del-and-u2028-written-raw": Case(
        doc('{"x":"\x7f\u2028\u2029"}'.encode()), doc('{"x":"\x7f\u2028\u2029"}'.encode()), canonical=set()
    ),
    "escaped-del-and-u2028-written-raw": Case(
        doc(b'{"x":"\\u007f\\u2028\\/"}'), doc('{"x":"\x7f\u2028/"}'.encode()), canonical=CANON
    ),
    "control-characters-short-and-u00xx": Case(
        doc(b'{"x":"\\u0008\\u000c\\u000a\\u000d\\u0009\\u0001\\u001f"}'),
        doc(b'{"x":"\\b\\f\\n\\r\\t\\u0001\\u001f"}'),
        canonical=CANON,
    ),
    # chrono's timestamp forms
    "seven-fraction-digits-padded-to-nine": Case(
        doc(ts=b'"2024-05-01T12:00:00.1234567Z"'), doc(ts=b'"2024-05-01T12:00:00.123456700Z"'), canonical=CANON
    ),
    "ten-fraction-digits-truncated": Case(
        doc(ts=b'"2024-05-01T12:00:00.1234567899Z"'),
        doc(ts=b'"2024-05-01T12:00:00.123456789Z"'),
        contract={"contract.fraction-digits"},
    ),
    "leap-second-through-offset": Case(doc(ts=b'"2016-12-31T18:29:60-05:30"'), doc(ts=LEAP), canonical=CANON),
    "leap-second-utc-canonical": Case(doc(ts=LEAP), doc(ts=LEAP), canonical=set()),
    "leap-second-not-at-23-59-serde-only": Case(
        doc(ts=b'"2024-05-01T12:34:60Z"'),
        doc(ts=b'"2024-05-01T12:34:60Z"'),
        contract={"schema.format"},
        output_canonical=False,
    ),
    "utc-suffix-accepted-by-serde": Case(doc(ts=b'"2024-05-01T12:00:00 UTC"'), doc(), contract={"schema.format"}),
    "offset-hours-only-rejected": Case(
        doc(ts=b'"2024-05-01T12:00:00+05"'),
        None,
        [("serde.invalid-timestamp", "/created_at")],
        {"schema.format"},
        rust_error="premature end of input",
    ),
    "offset-converted-to-utc": Case(
        doc(ts=b'"2024-05-01T00:30:00.5+05:30"'), doc(ts=b'"2024-04-30T19:00:00.500Z"'), canonical=CANON
    ),
}


@pytest.fixture(scope="module")
def rust(harness: object) -> dict[str, RustVerdict]:
    names = list(CASES)
    return dict(zip(names, rust_check([CASES[n].data for n in names]), strict=True))


def _rules(data: bytes, profile: str) -> list[tuple[str, str]]:
    return [(v.rule, v.pointer) for v in validate(data, profile=profile)]


@pytest.mark.parametrize("name", list(CASES))
def test_regression(name: str, rust: dict[str, RustVerdict]) -> None:
    case = CASES[name]
    verdict = rust[name]
    # the Rust reference
    assert verdict.accepted == (case.output is not None), verdict.error
    if case.output is not None:
        assert verdict.output == case.output
    elif case.rust_error is not None:
        assert case.rust_error in (verdict.error or ""), verdict.error
    # our profiles
    serde = _rules(case.data, "serde")
    assert serde == case.serde
    assert {rule for rule, _ in _rules(case.data, "contract")} == case.contract
    canonical = case.contract if case.canonical is None else case.canonical
    assert {rule for rule, _ in _rules(case.data, "canonical")} == canonical
    # our bytes
    if case.output is not None:
        assert encode(decode(case.data, profile="serde"), check=False) == case.output
        # what serde_json writes is canonical
        assert (_rules(case.output, "canonical") == []) == case.output_canonical
    else:
        with pytest.raises(EnvelopeError):
            decode(case.data, profile="serde")
    # what the contract accepts, it decodes to an event that encodes to serde_json's bytes
    if not case.contract:
        assert encode(decode(case.data, profile="contract")) == case.output


# Found by these tests: the contract once accepted integers beyond i64/u64 inside a Value,
# which serde_json reads as a rounded f64 while Python keeps the exact int (encode then failed).
@pytest.mark.parametrize("name", ["2-pow-64-in-context-becomes-float", "i64-min-minus-1-in-context-becomes-float"])
def test_integers_beyond_64_bits_in_values_break_the_contract(name: str) -> None:
    assert {v.rule for v in validate(CASES[name].data, profile="contract")} == {"json.integer-overflow"}


def _bits(x: float) -> bytes:
    return struct.pack(">d", x)


def test_signed_zeros_decode_by_bits(rust: dict[str, RustVerdict]) -> None:
    assert _bits(decode(CASES["1e-400-is-0.0"].data).context["x"]) == _bits(0.0)
    assert _bits(decode(CASES["minus-1e-400-is-minus-0.0"].data).context["x"]) == _bits(-0.0)
    assert _bits(decode(CASES["minus-0-in-context-becomes-minus-0.0"].data, profile="serde").context["x"]) == _bits(
        -0.0
    )
    assert type(decode(CASES["u64-max-in-context-stays-integer"].data).context["x"]) is int
    assert type(decode(CASES["2-pow-64-in-context-becomes-float"].data, profile="serde").context["x"]) is float


# serde_json's default float parser is not correctly rounded: Python writes repr(x), serde_json
# reads the neighbouring double (found with the seeded search below).
NOT_ROUND_TRIPPING = "2.7715077941825975e-163"
SERDE_READS = "2.7715077941825978e-163"


def test_float_serde_parses_differently_from_python(harness: object) -> None:
    data = doc(b'{"x":' + NOT_ROUND_TRIPPING.encode() + b"}")
    (verdict,) = rust_check([data])
    assert verdict.accepted
    assert verdict.output == doc(b'{"x":' + SERDE_READS.encode() + b"}")
    assert float(NOT_ROUND_TRIPPING) != float(SERDE_READS)
    assert format_float(float(NOT_ROUND_TRIPPING)) == NOT_ROUND_TRIPPING  # the document is canonical as written
    serde_value = decode(data, profile="serde").context["x"]
    contract_value = decode(data, profile="contract").context["x"]
    assert _bits(serde_value) == _bits(float(SERDE_READS))
    assert _bits(contract_value) == _bits(float(NOT_ROUND_TRIPPING))
    assert encode(decode(data, profile="serde"), check=False) == verdict.output
    assert encode(decode(data, profile="contract")) == data
    # Valid everywhere: serde_json wrote these bytes; every profile warns about the read-back.
    for profile in ("serde", "contract", "canonical"):
        found = validate(data, profile=profile)
        assert [(v.rule, v.severity, v.pointer) for v in found] == [
            ("canonical.float-roundtrip", "warning", "/context/x")
        ], profile


def test_seeded_search_for_floats_serde_reads_differently(harness: object) -> None:
    rng = random.Random(1)
    values: list[float] = []
    while len(values) < 200:
        (x,) = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))
        if x == x and abs(x) != float("inf"):
            values.append(x)
    docs = [doc(b'{"x":' + format_float(x).encode() + b"}") for x in values]
    differing = 0
    for x, data, verdict in zip(values, docs, rust_check(docs), strict=True):
        assert verdict.accepted
        assert encode(decode(data, profile="serde"), check=False) == verdict.output
        assert _bits(decode(data, profile="contract").context["x"]) == _bits(x)
        canonical = [v.rule for v in validate(data, profile="canonical")]
        if verdict.output != data:
            differing += 1
            assert canonical == ["canonical.float-roundtrip"], repr(x)
        else:
            assert canonical == [], repr(x)
    assert differing >= 20  # about 30% of random doubles


# Found by these tests: int()'s 4300-digit limit made the contract profile raise.
def test_integer_beyond_python_digit_limit_in_unknown_value(harness: object) -> None:
    data = doc(b"{}", b',"u":1' + b"0" * 4300)
    (verdict,) = rust_check([data])
    assert verdict.accepted and verdict.output == doc()  # serde_json skips the unknown member unread
    assert validate(data, profile="serde") == []
    assert encode(decode(data, profile="serde"), check=False) == doc()
    assert {v.rule for v in validate(data, profile="contract")} >= {"schema.additionalProperties"}


# Found by the differential fuzz (test_differential.py): `validate --project` was an internal error
# on a number of more than 4,300 digits that serde_json reads as a float (numeric's digits went
# through int()), and would have built a 10**exponent integer for a huge exponent.
LONG_NUMBERS: dict[str, tuple[bytes, set[str]]] = {
    "fraction-of-7000-digits-is-stored": (b"0." + b"0" * 6999 + b"1", set()),
    "exponent-form-of-5000-digits-is-stored": (b"1" + b"0" * 4999 + b"e-5000", set()),
    "fraction-beyond-numeric-scale-refused": (b"0." + b"0" * 20_000 + b"1", {"project.number-range"}),
    "exponent-of-5000-digits-refused": (b"1e-" + b"9" * 5000, {"project.number-range"}),
}


@pytest.mark.parametrize("name", list(LONG_NUMBERS))
def test_project_prediction_of_long_numbers(name: str, harness: object) -> None:
    token, project = LONG_NUMBERS[name]
    data = doc(b'{"x":' + token + b"}")
    (verdict,) = rust_check([data])
    assert verdict.accepted, verdict.error
    assert {v.rule for v in projection_violations(data)} == project


def test_numeric_weight_and_scale_bounds() -> None:
    assert pgtypes.numeric_text("1e" + str(pgtypes.NUMERIC_INTEGER_DIGITS_MAX - 1)) == "1" + "0" * (
        pgtypes.NUMERIC_INTEGER_DIGITS_MAX - 1
    )
    assert pgtypes.numeric_text("-0.00e5") == "0"
    assert pgtypes.numeric_text("-1.50e-3") == "-0.00150"
    for refused in ("1e" + str(pgtypes.NUMERIC_INTEGER_DIGITS_MAX), "1e-16384", "1e" + "9" * 11, "1e1073741823"):
        with pytest.raises(pgtypes.Refused):
            pgtypes.numeric_text(refused)
