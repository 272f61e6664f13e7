"""Verdicts users can act on: severities, --strict, --ignore, one finding per cause, a producer that
cannot write an invalid envelope unknowingly, and API arguments of the wrong type."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from envelope import complete
from noetl_envelope import EnvelopeError, ExecutorEvent, decode, encode, validate
from noetl_envelope.model.rusttypes import EncodeError

ROOT = Path(__file__).resolve().parents[1]
# serde_json's default parser reads this shortest-form double as its neighbour ...978e-163.
MISREAD = "2.7715077941825975e-163"
WARNED = complete(
    b'{"execution_id":1,"event_type":"step.enter","step":"s","status":"STARTED",'
    b'"created_at":"2024-01-01T00:00:00Z","context":{"x":' + MISREAD.encode() + b"}}"
)
CLEAN = WARNED.replace(MISREAD.encode(), b"0.5")


def cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "noetl_envelope", *args], input=stdin.decode(), capture_output=True, text=True, cwd=ROOT
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


# --- the float read-back is a warning in every profile and in conform ------------------------


@pytest.mark.parametrize("profile", ["serde", "contract", "canonical"])
def test_float_readback_is_a_warning_in_every_profile(profile: str) -> None:
    found = validate(WARNED, profile=profile)
    assert [(v.rule, v.severity, v.pointer) for v in found] == [("canonical.float-roundtrip", "warning", "/context/x")]
    assert "float_roundtrip" in found[0].message  # it names the consumer-side fix
    assert decode(WARNED, profile=profile).context["x"]  # a warning does not reject
    assert validate(CLEAN, profile=profile) == []


def test_warnings_exit_0_unless_strict(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    path.write_bytes(WARNED + b"\n" + CLEAN + b"\n")
    for command in (["validate", "--profile", "canonical"], ["conform", "--producer", "rust"]):
        plain = cli(*command, str(path))
        assert plain.returncode == 0, plain.stdout + plain.stderr
        assert f"{path}:1: warning: /context/x:" in plain.stdout
        assert "2 valid, 0 invalid, 1 with warnings" in plain.stdout
        assert cli(*command, "--strict", str(path)).returncode == 1
        record = json.loads(cli(*command, "--format", "json", str(path)).stdout.splitlines()[-1])["summary"]
        assert (record["valid"], record["invalid"], record["warned"]) == (2, 0, 1)


def test_ignore_counts_the_rule_as_ignored(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    bad_status = CLEAN.replace(b"STARTED", b"started")
    path.write_bytes(WARNED + b"\n" + bad_status + b"\n")
    out = cli("validate", "--ignore", "canonical.float-roundtrip", "--ignore", "schema.enum", str(path))
    assert out.returncode == 0, out.stdout
    assert "warning" not in out.stdout and "schema.enum]" not in out.stdout
    assert "2 valid, 0 invalid, 2 ignored violations" in out.stdout
    summary = json.loads(
        cli("validate", "--ignore", "schema.enum", "--format", "json", str(path)).stdout.splitlines()[-1]
    )
    assert summary["summary"]["ignored"] == {"schema.enum": 1}
    typo = cli("validate", "--ignore", "schema.enum5", str(path))
    assert (
        typo.returncode == 2
        and "unknown rule 'schema.enum5' (see `noetl-envelope rules`)" in typo.stderr
        and len(typo.stderr.splitlines()) == 1
    )


# --- one finding per cause in conform --------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "drift"),
    [
        (CLEAN.replace(b'"context":{"x":0.5}', b'"context":{},"extra":1'), "drift.unknown-field"),
        (CLEAN.replace(b'"status":"STARTED",', b""), "drift.missing-field"),
        (CLEAN.replace(b'"execution_id":1', b'"execution_id":"1"'), "drift.type-change"),
        # A number's form explains the contract's type error, negative zero and integer overflow.
        (CLEAN.replace(b'"execution_id":1', b'"execution_id":1.0'), "drift.number-form"),
        (CLEAN.replace(b'"execution_id":1', b'"execution_id":-0'), "drift.number-form"),
        (CLEAN.replace(b'"x":0.5', b'"x":-0'), "drift.number-form"),
        (CLEAN.replace(b'"x":0.5', b'"x":18446744073709551616'), "drift.number-form"),
    ],
)
def test_conform_reports_one_finding_per_cause(tmp_path: Path, document: bytes, drift: str) -> None:
    path = tmp_path / "d.ndjson"
    path.write_bytes(document + b"\n")
    out = cli("conform", "--format", "json", str(path))
    record, summary = (json.loads(line) for line in out.stdout.splitlines())
    assert [v["rule"] for v in record["violations"]] == [drift]
    assert summary["summary"]["rules"] == {drift: 1} and list(summary["summary"]["classes"]) == [drift]


# --- encode refuses what consumers reject ----------------------------------------------------


def _event(**changes: object) -> ExecutorEvent:
    """The valid event `CLEAN` with an empty context, then `changes`: every field the working schema
    requires is there, so only the change can make encode refuse it."""
    base = decode(CLEAN.replace(b'"context":{"x":0.5}', b'"context":{}'))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _nested(depth: int) -> dict[str, object]:
    value: dict[str, object] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"status": "started"}, "schema.enum"),
        ({"event_type": ""}, "schema.minLength"),
        ({"context": [1, 2]}, "schema.type"),
        ({"context": _nested(200)}, None),  # serde refuses it: nesting beyond its limit
    ],
)
def test_encode_refuses_what_consumers_reject(changes: dict[str, object], rule: str | None) -> None:
    event = _event(**changes)
    with pytest.raises((EnvelopeError, EncodeError)) as caught:
        encode(event)
    if rule is not None:
        assert isinstance(caught.value, EnvelopeError)
        assert rule in {v.rule for v in caught.value.violations}
    if rule is not None:
        assert encode(event, check=False)  # the explicit opt-out writes it anyway


def test_encode_refuses_a_cyclic_context_with_one_clear_error() -> None:
    cyclic: dict[str, object] = {}
    cyclic["self"] = cyclic
    with pytest.raises(EncodeError, match="recursion limit"):
        encode(_event(context=cyclic), check=False)


def test_encode_depth_limit_is_serde_json_s() -> None:
    assert validate(encode(_event(context=_nested(126)))) == []  # 127 levels with the struct
    with pytest.raises(EnvelopeError) as caught:
        encode(_event(context=_nested(127)))
    assert [v.rule for v in caught.value.violations] == ["json.depth"]


# --- API arguments of the wrong type ---------------------------------------------------------


@pytest.mark.parametrize("function", [validate, decode])
@pytest.mark.parametrize("argument", [5, {}, None, 2**36, ["{}"]])
def test_wrong_argument_types_are_a_clear_type_error(function: object, argument: object) -> None:
    with pytest.raises(TypeError, match=r"takes a JSON document as bytes or str, not "):
        function(argument)  # type: ignore[operator]


def test_encode_takes_an_event() -> None:
    with pytest.raises(TypeError, match="encode\\(\\) takes an ExecutorEvent, not NoneType"):
        encode(None)  # type: ignore[arg-type]
    assert validate(bytearray(CLEAN)) == validate(memoryview(CLEAN)) == validate(CLEAN.decode()) == []


# --- crash classes found by the differential fuzz run, kept as named regressions -------------


def _with(context: bytes = b"{}", created_at: bytes = b'"2024-01-01T00:00:00Z"', extra: bytes = b"") -> bytes:
    return complete(
        b'{"execution_id":1,"event_type":"step.enter","step":"s","status":"STARTED","created_at":'
        + created_at
        + b',"context":'
        + context
        + extra
        + b"}"
    )


@pytest.mark.parametrize("depth", [254, 300, 1023, 1100])
def test_regression_context_nested_past_orjson_s_limit_is_json_depth(depth: int) -> None:
    # orjson's dumps stops at 254 levels, its loads at 1024: the fast engine used to raise.
    data = _with(context=b"[" * depth + b"1" + b"]" * depth)
    for profile in ("serde", "contract", "canonical"):
        assert {v.rule for v in validate(data, profile=profile)} == {"json.depth"}, profile
    assert {v.rule for v in validate(data, profile="contract", engine="reference")} == {"json.depth"}


def test_regression_a_year_with_thousands_of_leading_zeros_is_chrono_s() -> None:
    # chrono accepts any number of leading zeros in a signed year; int() refuses 4,300 digits.
    data = _with(created_at=b'"+' + b"0" * 5000 + b'2026-01-01T00:00:00Z"')
    assert validate(data, profile="serde") == []
    assert str(decode(data, profile="serde").created_at) == "2026-01-01T00:00:00Z"
    too_big = _with(created_at=b'"+' + b"0" * 5000 + b'99999999999999999999-01-01T00:00:00Z"')
    (violation,) = validate(too_big, profile="serde")
    assert violation.rule == "serde.invalid-timestamp" and "(20 characters)" not in violation.message
    assert len(violation.message) < 400, violation.message  # the digits are clipped, not quoted whole


@pytest.mark.parametrize("where", ["context", "event_id"])
def test_regression_numbers_of_thousands_of_digits_in_every_command(tmp_path: Path, where: str) -> None:
    number = b"1" + b"0" * 5000
    data = _with(context=b'{"n":' + number + b"}") if where == "context" else _with(extra=b',"event_id":' + number)
    path = tmp_path / "long.ndjson"
    path.write_bytes(data + b"\n")
    for command in (["validate"], ["validate", "--project"], ["validate", "--profile", "canonical"], ["conform"]):
        out = cli(*command, str(path))
        assert out.returncode == 1, (command, out.stderr)
        assert "json.number-out-of-range" in out.stdout and "(5001 characters)" in out.stdout, (command, out.stdout)
        assert "1267650600228229401496703205376" not in out.stdout  # the old stand-in for long integers
        assert max(len(line) for line in out.stdout.splitlines()) < 400
