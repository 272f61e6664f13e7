"""Consumers built with serde_json's `float_roundtrip` feature, declared by the schema.

`"x-serde-json-features": ["float_roundtrip"]` on the schema's root says every Rust consumer
builds serde_json with that feature. Proved against a harness built so (rust/ with
`serde_json = { features = ["float_roundtrip"] }`, the same Cargo.lock): on floats the default
parser reads as a neighbour, that harness reads and writes back what Python's correctly rounded
reader (`numbers.parse_number_roundtrip`) says. In a checkout whose schema declares it, the
float read-back warnings (`canonical.float-roundtrip`, `drift.float-roundtrip`) are gone and
the serde profile decodes the correctly rounded double; the schema lint accepts the annotation
and refuses an unknown or unmodelled feature with one line; compat calls adding or removing it
an annotation change that breaks no one.
"""

from __future__ import annotations

import copy
import json
import random
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness import HARNESS, build_feature_variant, rust_check
from noetl_envelope.compat.diff import diff
from noetl_envelope.model import schema_lint
from noetl_envelope.model.codec import encode_values, field_values
from noetl_envelope.model.schema import load_schema
from noetl_envelope.profiles import serde
from noetl_envelope.wire.lexer import scan
from noetl_envelope.wire.numbers import f64_bits, format_float, parse_number, parse_number_roundtrip
from repo_copy import copy_env, copy_repo
from test_regressions import doc

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
def roundtrip_harness(tmp_path_factory: pytest.TempPathFactory, harness: Path) -> Path:
    base = tmp_path_factory.mktemp("float_roundtrip")
    return build_feature_variant(base / "crate", ["float_roundtrip"], base / "target")


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


def _declaring_checkout(dest: Path) -> dict[str, str]:
    copy_repo(dest)
    path = dest / "schema" / "executor_event.schema.json"
    schema: dict[str, Any] = json.loads(path.read_bytes())
    schema.update(FEATURES)
    path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
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
