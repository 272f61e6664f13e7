"""Consumers built with serde_json's `float_roundtrip` feature, declared by the schema.

`"x-serde-json-features": ["float_roundtrip"]` on the schema's root says every Rust consumer
builds serde_json with that feature. Proved against a harness built so (rust/ with
`serde_json = { features = ["float_roundtrip"] }`, the same Cargo.lock): on floats the default
parser reads as a neighbour, that harness reads and writes back what Python's correctly rounded
reader (`numbers.parse_number_roundtrip`) says. In a checkout whose schema declares it, the
float read-back warnings (`canonical.float-roundtrip`, `drift.float-roundtrip`) are gone and
the serde profile decodes the correctly rounded double; the schema lint accepts the annotation
and refuses an unknown or unmodelled feature with one line; compat calls adding or removing it
an annotation change that breaks no one. `make gen` in such a checkout renders rust/Cargo.toml
with the feature (the pinned Cargo.lock unchanged), so its own harness reads floats so; the
fixtures' manifest holds that harness's outputs; and the f64 overflow boundary near f64::MAX is
that harness's in every profile and engine.
"""

from __future__ import annotations

import base64
import copy
import json
import random
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness import HARNESS, ROOT, build_crate, build_feature_variant, rust_check
from noetl_envelope.compat.diff import diff
from noetl_envelope.model import schema_lint
from noetl_envelope.model.codec import encode_values, field_values
from noetl_envelope.model.schema import load_schema
from noetl_envelope.profiles import serde
from noetl_envelope.wire.lexer import scan
from noetl_envelope.wire.numbers import f64_bits, format_float, parse_number, parse_number_roundtrip
from repo_copy import copy_env, copy_harness_crate, copy_repo, run_gen
from test_regressions import doc, with_id

pytestmark = [pytest.mark.rust, pytest.mark.slow]

FEATURES = {schema_lint.SERDE_JSON_FEATURES_KEY: ["float_roundtrip"]}


def _random_floats(seed: int, count: int) -> list[float]:
    rng = random.Random(seed)
    values: list[float] = []
    while len(values) < count:
        (x,) = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))
        if x == x and abs(x) != float("inf"):
            values.append(x)
    return values


def _tokens() -> list[str]:
    """Shortest forms of random doubles, and long decimals: 30 to 5,000 digits, halfway cases."""
    rng = random.Random(5)
    tokens = [format_float(x) for x in _random_floats(3, 1500)]
    for _ in range(200):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.choice([30, 100, 800, 5000])))
        tokens.append(f"{rng.randint(1, 9)}.{digits}e{rng.randint(-320, 300)}")
    # halfway between two doubles, and just off it, written out in full
    tokens += ["9007199254740993.0", "9007199254740993.00000000000000000001", "2.2250738585072011e-308"]
    tokens += ["0." + "0" * 4000 + "1", "1" + "0" * 300 + ".5", "4.9406564584124654e-324", "2.4703282292062328e-324"]
    return tokens


@pytest.fixture(scope="module")
def cargo_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One target directory for every crate here: they share serde_json with the feature."""
    return tmp_path_factory.mktemp("float_roundtrip_target")


@pytest.fixture(scope="module")
def roundtrip_harness(tmp_path_factory: pytest.TempPathFactory, harness: Path, cargo_target: Path) -> Path:
    base = tmp_path_factory.mktemp("float_roundtrip")
    return build_feature_variant(base / "crate", ["float_roundtrip"], cargo_target)


@pytest.fixture(scope="module")
def generated_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkout with the harness crate whose schema declares the feature, after `make gen`."""
    copy = copy_harness_crate(copy_repo(tmp_path_factory.mktemp("declaring") / "repo"))
    _declare(copy)
    proc = run_gen(copy)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return copy


@pytest.fixture(scope="module")
def copy_harness(generated_copy: Path, cargo_target: Path) -> Path:
    """The copy's own harness, built (`--locked`) from the rust/ files its `make gen` wrote."""
    return build_crate(generated_copy / "rust", cargo_target)


def test_the_feature_harness_reads_floats_as_python_does(roundtrip_harness: Path) -> None:
    tokens = _tokens()
    docs = [doc(b'{"x":' + token.encode() + b"}") for token in tokens]
    featured = rust_check(docs, roundtrip_harness)
    default = rust_check(docs, HARNESS)
    neighbours = 0
    for token, data, verdict, plain in zip(tokens, docs, featured, default, strict=True):
        tree = scan(data)
        violations, binding = serde.check(tree)
        assert verdict.accepted and not violations, (token[:60], verdict.error, violations)
        ours = encode_values(field_values(binding, parse_number_roundtrip))
        assert ours == verdict.output, token[:60]
        assert f64_bits(parse_number_roundtrip(token)) == f64_bits(float(token)), token[:60]
        if f64_bits(parse_number(token)) != f64_bits(float(token)):
            neighbours += 1
            assert plain.output != verdict.output, token[:60]  # the default build really reads another double
    assert neighbours > len(tokens) // 5, neighbours


def test_schema_lint_accepts_the_annotation_and_refuses_unknown_features() -> None:
    schema = copy.deepcopy(load_schema())
    schema.update(FEATURES)
    assert list(schema_lint.problems(schema, metaschema=False)) == []
    for features, pointer, says in (
        (["arbitrary_precision"], "/x-serde-json-features/0", "not modelled yet"),
        (["float_roundtrip", "float-roundtrip"], "/x-serde-json-features/1", "write float_roundtrip"),
        (["float_roundtrip", "float_roundtrip"], "/x-serde-json-features/1", "listed twice"),
        ("float_roundtrip", "/x-serde-json-features", "not a list"),
    ):
        schema[schema_lint.SERDE_JSON_FEATURES_KEY] = features
        found = list(schema_lint.problems(schema, metaschema=False))
        assert len(found) == 1 and found[0][0] == pointer and says in found[0][1], found
        assert "\n" not in found[0][1]


def test_adding_or_removing_the_feature_breaks_no_one() -> None:
    old = load_schema()
    new = copy.deepcopy(old)
    new.update(FEATURES)
    for a, b in ((old, new), (new, old)):
        (change,) = diff(a, b)
        assert change.rule == "compat.annotation-changed" and change.pointer == "/x-serde-json-features"
        assert not change.breaks, change.breaks


def _declare(copy: Path) -> None:
    path = copy / "schema" / "executor_event.schema.json"
    schema: dict[str, Any] = json.loads(path.read_bytes())
    schema.update(FEATURES)
    path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")


def _declaring_checkout(dest: Path) -> dict[str, str]:
    copy_repo(dest)
    _declare(dest)
    return copy_env(dest)


def test_a_schema_declaring_the_feature_drops_the_float_warnings(tmp_path: Path) -> None:
    misread = [x for x in _random_floats(11, 400) if f64_bits(float(parse_number(format_float(x)))) != f64_bits(x)]
    assert len(misread) > 50
    events = tmp_path / "events.ndjson"
    events.write_bytes(b"".join(doc(b'{"x":' + format_float(x).encode() + b"}") + b"\n" for x in misread))
    checkout = tmp_path / "checkout"
    env = _declaring_checkout(checkout)

    def summary(command: list[str], declared: bool) -> dict[str, Any]:
        proc = subprocess.run(
            [sys.executable, "-m", "noetl_envelope", *command, "--format", "json", str(events)],
            capture_output=True,
            text=True,
            env=env if declared else None,
            # the CLI takes the schema/ of its working directory: the copy's, or the checkout's
            cwd=checkout if declared else None,
        )
        assert proc.returncode == 0, proc.stderr
        result: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1])["summary"]
        return result

    for command, rule in (
        (["validate", "--profile", "serde"], "canonical.float-roundtrip"),
        (["validate", "--profile", "canonical"], "canonical.float-roundtrip"),
        (["conform", "--producer", "rust"], "drift.float-roundtrip"),
    ):
        for engine in ("fast", "reference"):
            run = [*command, "--engine", engine]
            assert summary(run, declared=False)["rules"] == {rule: len(misread)}, run
            declared = summary(run, declared=True)
            assert (declared["rules"], declared["valid"]) == ({}, len(misread)), run
    # ...and the serde profile decodes the double the producer wrote
    token = format_float(misread[0])
    probe = (
        "import sys; from noetl_envelope import decode; "
        "print(repr(decode(sys.stdin.buffer.read(), profile='serde').context['x']))"
    )
    data = doc(b'{"x":' + token.encode() + b"}")
    for declared, expected in ((True, misread[0]), (False, parse_number(token))):
        proc = subprocess.run(
            [sys.executable, "-c", probe],
            input=data,
            capture_output=True,
            env=env if declared else None,
            cwd=checkout if declared else None,
            check=True,
        )
        assert float(proc.stdout) == expected and repr(expected) == proc.stdout.decode().strip(), declared


def _misread_tokens(seed: int, count: int) -> list[str]:
    """Shortest forms of random doubles that serde_json's default parser reads as a neighbour."""
    tokens = [format_float(x) for x in _random_floats(seed, count)]
    return [token for token in tokens if f64_bits(float(parse_number(token))) != f64_bits(float(token))]


def test_make_gen_builds_the_harness_with_the_declared_features(generated_copy: Path, copy_harness: Path) -> None:
    manifest = (generated_copy / "rust" / "Cargo.toml").read_text(encoding="utf-8")
    serde_json = [line for line in manifest.splitlines() if line.startswith("serde_json")]
    assert serde_json == ['serde_json = { version = "=1.0.150", features = ["float_roundtrip"] }'], serde_json
    # The feature pulls in no crate: the pinned lock holds (copy_harness built with --locked).
    assert (generated_copy / "rust" / "Cargo.lock").read_bytes() == (ROOT / "rust" / "Cargo.lock").read_bytes()
    check = run_gen(generated_copy, "--check")
    assert check.returncode == 0, check.stdout[-2000:]
    tokens = _misread_tokens(13, 300)
    assert len(tokens) > 30
    docs = [doc(b'{"x":' + token.encode() + b"}") for token in tokens]
    for token, built, plain in zip(tokens, rust_check(docs, copy_harness), rust_check(docs, HARNESS), strict=True):
        assert built.output is not None and plain.output is not None
        # the copy's harness writes back the double the producer wrote; the default one a neighbour
        assert b'"x":' + token.encode() + b"}" in built.output, (token, built.output)
        assert b'"x":' + token.encode() + b"}" not in plain.output, token


def test_the_manifest_holds_what_the_feature_harness_writes(generated_copy: Path, copy_harness: Path) -> None:
    entries = json.loads((generated_copy / "fixtures" / "manifest.json").read_bytes())["fixtures"]
    docs = []
    for entry in entries:
        data = (generated_copy / "fixtures" / entry["file"]).read_bytes()
        docs.append(data[:-1] if entry["newline_appended"] else data)
    disagreements, misread = [], 0
    for entry, built, plain in zip(entries, rust_check(docs, copy_harness), rust_check(docs, HARNESS), strict=True):
        if built.accepted != (entry["expected"]["serde"] == "accept"):
            disagreements.append((entry["name"], "verdict", built.error))
        elif built.accepted and built.output != entry["serde_output"].encode():
            disagreements.append((entry["name"], "output", built.output))
        misread += built.output != plain.output
    assert not disagreements, disagreements[:10]
    assert misread, "no fixture tells the feature build from the default one"


_F64_MAX_INT = 2**1024 - 2**971
_OVERFLOW_INT = 2**1024 - 2**970  # f64::MAX plus half an ulp: the tie rounds to even, infinity
_BOUNDARY = [
    "1.7976931348623157e308",
    "1.7976931348623158e308",
    "1.7976931348623159e308",
    "1.797693134862315807937289714053e308",
    "1.7976931348623158079372897140530341507993413271003782693617377898044496829276475094664736e308",
    "1.79769313486231580e308",
    "17976931348623158e292",
    "0.17976931348623158e309",
    str(_F64_MAX_INT),
    str(_OVERFLOW_INT - 1),
    str(_OVERFLOW_INT),
    str(_OVERFLOW_INT - 1) + ".0",
    str(_OVERFLOW_INT) + ".0",
    str(_OVERFLOW_INT - 1) + "e0",
]
_VERDICTS = """
import base64, json, sys
from noetl_envelope import validate
def errors(data, profile, engine):
    return sorted({v.rule for v in validate(data, profile=profile, engine=engine) if v.severity == "error"})
for line in sys.stdin.buffer.read().split():
    data = base64.b64decode(line)
    runs = [(profile, engine) for profile in ("serde", "contract", "canonical") for engine in ("fast", "reference")]
    print(json.dumps({f"{profile}/{engine}": errors(data, profile, engine) for profile, engine in runs}))
"""


def test_the_f64_overflow_boundary_is_the_feature_harness_s(generated_copy: Path, roundtrip_harness: Path) -> None:
    tokens = [sign + token for token in _BOUNDARY for sign in ("", "-")]
    docs = [doc(b'{"x":' + token.encode() + b"}") for token in tokens]
    docs += [doc(head=with_id(token.encode())) for token in tokens]  # an i64 field: out of range or a float
    payload = "".join(base64.b64encode(data).decode() + "\n" for data in docs)
    proc = subprocess.run(
        [sys.executable, "-c", _VERDICTS],
        input=payload,
        capture_output=True,
        text=True,
        env=copy_env(generated_copy),
        cwd=generated_copy,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    verdicts = [json.loads(line) for line in proc.stdout.splitlines()]
    featured_verdicts, plain_verdicts = rust_check(docs, roundtrip_harness), rust_check(docs, HARNESS)
    disagreements = []
    for data, ours, featured in zip(docs, verdicts, featured_verdicts, strict=True):
        overflow = not featured.accepted and "out of range" in (featured.error or "")
        for run, rules in ours.items():
            if run.startswith("serde/") and (rules == []) != featured.accepted:
                disagreements.append((data[:90], run, rules, featured.error))
            if ("json.number-out-of-range" in rules) != overflow:
                disagreements.append((data[:90], run, rules, featured.error))
    assert not disagreements, disagreements[:6]
    # the tokens tell the builds apart: the default parser overflows where the feature's does not
    pairs = zip(plain_verdicts, featured_verdicts, strict=True)
    apart = sum(plain.accepted != featured.accepted for plain, featured in pairs)
    assert apart >= 8, apart


def test_conform_names_what_the_feature_harness_writes_for_integers_beyond_u64(
    generated_copy: Path, copy_harness: Path, tmp_path: Path
) -> None:
    """An integer beyond u64 becomes an f64 in serde_json, read with the consumers' parser: the
    drift finding names the double the feature-built harness writes, not the default parser's."""
    rng = random.Random(17)
    tokens = [str(rng.randrange(10**20, 10**26)) for _ in range(400)]
    tokens = [t for t in tokens if f64_bits(float(parse_number(t))) != f64_bits(float(parse_number_roundtrip(t)))]
    assert len(tokens) > 30
    docs = [doc(b'{"x":' + token.encode() + b"}") for token in tokens]
    events = tmp_path / "events.ndjson"
    events.write_bytes(b"".join(data + b"\n" for data in docs))
    proc = subprocess.run(
        [sys.executable, "-m", "noetl_envelope", "conform", "--producer", "rust", "--format", "json", str(events)],
        capture_output=True,
        text=True,
        env=copy_env(generated_copy),
        cwd=generated_copy,
    )
    assert proc.returncode == 1, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()[:-1]]
    assert len(records) == len(tokens)
    for token, record, built in zip(tokens, records, rust_check(docs, copy_harness), strict=True):
        assert built.output is not None
        written = json.loads(built.output)["context"]["x"]
        messages = [v["message"] for v in record["violations"] if v["rule"] == "drift.number-form"]
        assert len(messages) == 1, (token, record)
        named = float(messages[0].rsplit("writes ", 1)[1])
        assert f64_bits(named) == f64_bits(written), (token, messages[0], built.output)
