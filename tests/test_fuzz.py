"""Fuzzing: no input makes `validate` raise, and `decode` raises nothing but EnvelopeError.

Inputs: hypothesis `st.binary()`, seeded random bytes, random byte-level mutations of valid
envelopes (corpus.mutations), random structure-aware JSON soups, invalid UTF-8 at every offset
of a valid document, 1e5-level nesting and 1 MB strings and numbers. On every one, each profile's
violations must be well-formed (a rule id from rules.RULES that the profile may emit, a JSON
pointer '' or '/...', a one-line message); `decode` must fail exactly when `validate` reports
something; and the profiles must nest (canonical-valid => contract-valid => serde-valid).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus import BASE, mutations, render
from corpus import FULL as FULL_MEMBERS
from envelope import bundled_samples, complete, complete_seq
from noetl_envelope import EnvelopeError, Violation, decode, validate
from noetl_envelope.core.rules import all_rules

RULES = all_rules()

PROFILES = ("serde", "contract", "canonical")
ROOT = Path(__file__).resolve().parents[1]
FULL = render(FULL_MEMBERS)
SAMPLES = bundled_samples()
_SEQ_0_3_1 = [b"1", b'"step.enter"', b'"s"', b'"STARTED"', b'"2024-05-01T12:00:00Z"', b'{"a":[1,2.5,null]}']
SEQUENCE = b"[" + b",".join(complete_seq([*_SEQ_0_3_1, b"7", b'"w"', b'{"m":true}'])) + b"]"

N_BINARY = 1500
N_EMBEDDED = 500
N_RANDOM = 9000
N_MUTATIONS = 6500
N_SOUP = 2000


def check_violation(v: object, profile: str, data: bytes) -> None:
    assert isinstance(v, Violation), (v, data[:200])
    assert v.rule in RULES, (v, data[:200])
    assert profile in RULES[v.rule].profiles, f"{v.rule} is not declared for profile {profile}: {data[:200]!r}"
    assert isinstance(v.path, tuple) and all(isinstance(t, (str, int)) for t in v.path), (v, data[:200])
    assert v.severity in ("error", "warning"), (v, data[:200])
    assert isinstance(v.message, str) and v.message, (v, data[:200])
    assert len(v.message.splitlines()) == 1, (v, data[:200])  # no \n, \r, U+2028, ...: one line


def check_input(data: bytes) -> dict[str, bool]:
    """The whole contract for one input; returns which profiles accept it."""
    ok: dict[str, bool] = {}
    for profile in PROFILES:
        violations = validate(data, profile=profile)  # must never raise
        assert isinstance(violations, list)
        for v in violations:
            check_violation(v, profile, data)
        ok[profile] = all(v.severity == "warning" for v in violations)
        try:
            decode(data, profile=profile)
        except EnvelopeError as exc:
            assert not ok[profile], f"decode({profile}) raised although validate found no error: {data[:200]!r}"
            assert exc.violations == [v for v in violations if v.severity == "error"], data[:200]
        else:
            assert ok[profile], f"decode({profile}) succeeded despite {violations[:2]}: {data[:200]!r}"
    assert not ok["canonical"] or ok["contract"], data[:200]
    assert not ok["contract"] or ok["serde"], data[:200]
    # str input is the same document as its UTF-8 bytes
    return ok


def check_all(inputs: Iterable[bytes]) -> tuple[int, dict[str, int]]:
    count = 0
    accepted = dict.fromkeys(PROFILES, 0)
    for data in inputs:
        count += 1
        for profile, good in check_input(data).items():
            accepted[profile] += good
    return count, accepted


def test_checker_rejects_malformed_violations() -> None:
    for bad in (
        Violation("no.such-rule", (), "x"),
        Violation("json.syntax", "context", "x"),  # type: ignore[arg-type]  # a str, not a path
        Violation("json.syntax", ("context", 1.5), "x"),  # type: ignore[arg-type]  # a float token
        Violation("json.syntax", (), "two\nlines"),
        Violation("canonical.differs", (), "x"),  # a canonical rule reported under contract
    ):
        with pytest.raises(AssertionError):
            check_violation(bad, "contract", b"")


def test_input_counts_reach_twenty_thousand() -> None:
    fixed = len(list(_utf8_everywhere()))
    assert N_BINARY + N_EMBEDDED + N_RANDOM + N_MUTATIONS + N_SOUP + fixed >= 20_000


# --- hypothesis ---------------------------------------------------------------------------


@settings(max_examples=N_BINARY, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=400))
def test_random_binary(data: bytes) -> None:
    check_input(data)


@settings(max_examples=N_EMBEDDED, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from([FULL, SEQUENCE, *SAMPLES[:5]]), st.integers(0, 10_000), st.binary(max_size=16), st.integers(0, 3)
)
def test_binary_embedded_in_valid_envelopes(base: bytes, where: int, junk: bytes, cut: int) -> None:
    pos = where % (len(base) + 1)
    check_input(base[:pos] + junk + base[pos + cut :])


# --- seeded random generation ----------------------------------------------------------------

_ALPHABET = b'{}[]",:0123456789.eE+-\\/ \t\n\runlrtfabu\x00\x1f\x7f\x80\xbf\xc3\xa9\xed\xa0\xef\xbb\xbf\xff'


def test_seeded_random_bytes() -> None:
    rng = random.Random(20261129)

    def gen() -> Iterable[bytes]:
        for i in range(N_RANDOM):
            n = rng.randrange(0, 120)
            if i % 2:
                yield bytes(rng.getrandbits(8) for _ in range(n))
            else:
                yield bytes(rng.choice(_ALPHABET) for _ in range(n))

    count, _ = check_all(gen())
    assert count == N_RANDOM


def test_seeded_mutations_of_valid_envelopes() -> None:
    bases = [FULL, SEQUENCE, render(BASE), *SAMPLES[:40]]
    for base in bases[:3]:
        assert validate(base, profile="serde") == []
    count, accepted = check_all(mutations(4242, N_MUTATIONS, bases))
    assert count == N_MUTATIONS
    # the mutations stay close enough to valid that every profile still accepts some
    assert accepted["serde"] > 100 and accepted["contract"] > 50, accepted


_KEYS = [
    b"execution_id",
    b"event_type",
    b"step",
    b"status",
    b"created_at",
    b"context",
    b"payload",
    b"event_id",
    b"worker_id",
    b"meta",
    b"event\\u005fid",
    b"Context",
    b"",
    b"\\ud800",
    b"\xff",
    b"x\\u0000",
]
_SCALARS = [
    b"null",
    b"true",
    b"false",
    b"0",
    b"-0",
    b"1",
    b"-1",
    b"1.0",
    b"1e3",
    b"-0.0",
    b"1e400",
    b"1e-400",
    b"9223372036854775807",
    b"9223372036854775808",
    b"-9223372036854775809",
    b"18446744073709551616",
    b'""',
    b'"x"',
    b'"STARTED"',
    b'"step.enter"',
    b'"2024-05-01T12:00:00Z"',
    b'"2016-12-31T23:59:60Z"',
    b'"2024-05-01T12:00:00.1234567891Z"',
    b'"2024-05-01T12:00:00 UTC"',
    b'"\\ud800"',
    b'"\xff"',
    b'"\\u0000\x7f\xe2\x80\xa8"',
    b"2.7715077941825975e-163",
    b"5e-324",
    b"1.7976931348623157e308",
]


def _soup_value(rng: random.Random, depth: int) -> bytes:
    roll = rng.random()
    if depth > 4 or roll < 0.55:
        return rng.choice(_SCALARS)
    if roll < 0.75:
        return b"[" + b",".join(_soup_value(rng, depth + 1) for _ in range(rng.randrange(4))) + b"]"
    members = [b'"' + rng.choice(_KEYS) + b'":' + _soup_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return b"{" + b",".join(members) + b"}"


def test_seeded_structure_aware_soup() -> None:
    rng = random.Random(7)

    def gen() -> Iterable[bytes]:
        for _ in range(N_SOUP):
            members = [(k, v) for k, v in FULL_MEMBERS if rng.random() < 0.85]
            for _ in range(rng.randrange(3)):
                members.append((b'"' + rng.choice(_KEYS) + b'"', _soup_value(rng, 1)))
            for index in range(len(members)):
                if rng.random() < 0.2:
                    members[index] = (members[index][0], _soup_value(rng, 1))
            rng.shuffle(members)
            if rng.random() < 0.1:
                yield b"[" + b",".join(v for _, v in members) + b"]"
            else:
                yield render(members)

    count, accepted = check_all(gen())
    assert count == N_SOUP
    assert accepted["serde"] > accepted["contract"] > 0, accepted


_BAD_UTF8 = [b"\xff", b"\xc3", b"\x80", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xe2\x80"]


def _utf8_everywhere() -> Iterable[bytes]:
    for base in (FULL, SEQUENCE):
        for pos in range(len(base) + 1):
            for bad in _BAD_UTF8:
                yield base[:pos] + bad + base[pos:]
            if pos < len(base):
                yield base[:pos] + b"\xff" + base[pos + 1 :]


def test_invalid_utf8_at_every_offset() -> None:
    count, accepted = check_all(_utf8_everywhere())
    assert count > 2000
    # invalid UTF-8 inside a string value is only ever accepted by serde (in an ignored member: none here)
    assert accepted["contract"] == 0, accepted


# --- deep nesting and huge inputs ------------------------------------------------------------

_HEAD = b'{"execution_id":1,"event_type":"step.enter","step":"s","status":"STARTED","created_at":"2024-05-01T12:00:00Z"'
DEEP = 100_000
MB = 1_000_000


def _env(context: bytes = b"{}", extra: bytes = b"", head: bytes = _HEAD) -> bytes:
    return complete(head + b',"context":' + context + extra + b"}")


NESTED = {
    "arrays": b"[" * DEEP + b"]" * DEEP,
    "objects": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "unclosed": b"[" * DEEP,
    "unclosed-objects": b'{"a":' * DEEP,
    "context-arrays": _env(b"[" * DEEP + b"]" * DEEP),
    "context-objects": _env(b'{"a":' * DEEP + b"{}" + b"}" * DEEP),
    "meta-mixed": _env(extra=b',"meta":' + b'{"a":[' * (DEEP // 2) + b"null" + b"]}" * (DEEP // 2)),
    "unknown-member": _env(extra=b',"u":' + b"[" * DEEP + b"]" * DEEP),
    "sequence-form": b'[1,"e","s","STARTED","2024-05-01T12:00:00Z",' + b"[" * DEEP + b"]" * DEEP + b"]",
}


@pytest.mark.parametrize("name", list(NESTED))
def test_deep_nesting(name: str) -> None:
    ok = check_input(NESTED[name])
    if name == "unknown-member":
        assert ok == {"serde": True, "contract": False, "canonical": False}
    else:
        assert not any(ok.values())
    if name in ("context-arrays", "context-objects", "meta-mixed", "unknown-member"):
        assert "json.depth" in {v.rule for v in validate(NESTED[name], profile="contract")}


HUGE = {
    "string-in-context": _env(b'{"s":"' + b"a" * MB + b'"}'),
    "escaped-string": _env(b'{"s":"' + b"\\n\\u00e9\\ud83d\\ude00" * (MB // 20) + b'"}'),
    "string-event-type": _HEAD.replace(b'"step.enter"', b'"' + b"x" * MB + b'"') + b',"context":{}}',
    "string-key": _env(b'{"' + b"k" * MB + b'":1}'),
    "string-unknown": _env(extra=b',"u":"' + b"\xff" * MB + b'"'),
    "invalid-utf8-string": _env(b'{"s":"' + b"\xc3" * MB + b'"}'),
    "timestamp-fraction": _env(head=_HEAD.replace(b"12:00:00Z", b"12:00:00." + b"1" * MB + b"Z")),
    "fraction-number": _env(b'{"n":0.' + b"0" * MB + b"1}"),
    "negative-exponent": _env(b'{"n":1e-' + b"9" * MB + b"}"),
    "positive-exponent": _env(b'{"n":1e' + b"9" * MB + b"}"),
    "integer-part-float": _env(b'{"n":' + b"1" * MB + b".5}"),
    "unclosed-string": _env(b'{"s":"' + b"a" * MB),
    "many-members": _env(b"{" + b",".join(b'"k%d":%d' % (i, i) for i in range(20_000)) + b"}"),
    # Longer than Python's 4300-digit int() limit: found by this test (ValueError escaped validate).
    "integer-in-context": _env(b'{"n":' + b"1" * MB + b"}"),
    "integer-execution-id": _env(head=_HEAD.replace(b'"execution_id":1', b'"execution_id":' + b"9" * MB)),
    "integer-unknown-4301-digits": _env(extra=b',"u":1' + b"0" * 4300),
    "integer-event-id-4301-digits": _env(extra=b',"event_id":1' + b"0" * 4300),
}


@pytest.mark.parametrize("data", list(HUGE.values()), ids=list(HUGE))
def test_huge_strings_and_numbers(data: bytes) -> None:
    assert len(data) > 4000
    check_input(data)
