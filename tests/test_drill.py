"""The schema-first drill: one schema edit plus `make gen` is enough for a new optional field.

A copy of the repository gets an optional `trace_id` (Option<String>, serde default, skipped
when None) after the schema's last field; `make gen` regenerates the dataclass; then, in a fresh interpreter
importing only the copy, the field flows through decode, encode (in declaration order), the
contract and canonical profiles and serde's type check, with no hand edit anywhere. The original
tree must reject `trace_id` under the contract, so the drill is not vacuous.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from envelope import SPECS, typical_document
from noetl_envelope import decode, validate
from repo_copy import copy_env, copy_repo

ROOT = Path(__file__).resolve().parents[1]
MODEL = Path("generated/noetl_envelope_generated/executor_event.py")
LAST = SPECS[-1]  # trace_id goes after it
BASE = typical_document()[:-1]  # every field, the closing brace left off
WITH_TRACE = BASE + b',"trace_id":"abc"}'
TRACE_INT = BASE + b',"trace_id":5}'
TRACE_NULL = BASE + b',"trace_id":null}'
WITHOUT = BASE + b"}"

TRACE_ID = {
    "description": "Distributed trace id propagated from the caller (drill field).",
    "type": ["string", "null"],
    "x-rust-type": "Option<String>",
    "x-serde": {"default": True, "skip_serializing_if": "Option::is_none"},
}

PROBE = textwrap.dedent(
    """
    import dataclasses, json, sys
    from noetl_envelope import decode, encode, validate, ExecutorEvent
    import noetl_envelope, noetl_envelope_generated
    docs = {k: v.encode() for k, v in json.loads(sys.argv[1]).items()}
    def rules(doc, profile):
        return [[v.rule, v.pointer] for v in validate(doc, profile=profile)]
    out = {"files": [noetl_envelope.__file__, noetl_envelope_generated.__file__]}
    event = decode(docs["with"])
    out["trace_id"] = event.trace_id
    out["reencoded"] = encode(event).decode()
    out["fields"] = list(ExecutorEvent.__dataclass_fields__)
    for name, doc in docs.items():
        out[name] = {p: rules(doc, p) for p in ("serde", "contract", "canonical")}
    for name in ("without", "null"):
        e = decode(docs[name])
        out[name]["trace_id"] = e.trace_id
        out[name]["reencoded"] = encode(e).decode()
    built = dataclasses.replace(decode(docs["without"]), trace_id="t\\u2028")  # through __init__
    out["built"] = encode(built).decode()
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def drilled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    copy = tmp_path_factory.mktemp("drill")
    copy_repo(copy)
    main_model_before = (ROOT / MODEL).read_bytes()

    schema_file = copy / "schema" / "executor_event.schema.json"
    schema = json.loads(schema_file.read_text())
    assert list(schema["properties"])[-1] == LAST.name
    schema["properties"]["trace_id"] = TRACE_ID
    schema_file.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")

    # `make gen` depends on `setup` (a fresh .venv + pip install): mark it done, newer than
    # pyproject.toml, and pass this interpreter, so the real target runs with no network.
    stamp = copy / ".venv" / ".installed"
    stamp.parent.mkdir()
    stamp.touch()
    later = time.time() + 5
    os.utime(stamp, (later, later))
    env = copy_env(copy)
    gen = subprocess.run(
        ["make", "gen", f"PYTHON={sys.executable}"], cwd=copy, env=env, capture_output=True, text=True, timeout=300
    )
    assert gen.returncode == 0, gen.stdout + gen.stderr
    assert "pip install" not in gen.stdout, "make tried to rebuild the venv"
    check = subprocess.run(
        ["make", "check-gen", f"PYTHON={sys.executable}"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    docs = {"with": WITH_TRACE, "int": TRACE_INT, "null": TRACE_NULL, "without": WITHOUT}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps({k: v.decode() for k, v in docs.items()})],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    return {
        "copy": copy,
        "gen": gen,
        "check": check,
        "model": (copy / MODEL).read_text(),
        "main_model_unchanged": (ROOT / MODEL).read_bytes() == main_model_before,
        "probe": json.loads(probe.stdout),
    }


def test_original_tree_rejects_trace_id() -> None:
    """Without the drill, trace_id is an unknown field: the contract refuses it, serde skips it."""
    assert [(v.rule, v.pointer) for v in validate(WITH_TRACE, profile="contract")] == [
        ("schema.additionalProperties", "/trace_id")
    ]
    assert validate(WITH_TRACE, profile="serde") == []
    assert not hasattr(decode(WITH_TRACE, profile="serde"), "trace_id")
    assert "trace_id" not in (ROOT / MODEL).read_text()


def test_make_gen_regenerates_the_dataclass(drilled: dict[str, Any]) -> None:
    gen = drilled["gen"]
    assert "scripts/gen.py" in gen.stdout, gen.stdout  # the real Makefile recipe ran
    assert "wrote generated/noetl_envelope_generated/executor_event.py" in gen.stderr, gen.stderr
    model = drilled["model"]
    assert "    trace_id: str | None = None\n" in model
    assert model.index(f"    {LAST.name}: ") < model.index("    trace_id: str | None = None")
    assert "Distributed trace id propagated from the caller" in model
    assert drilled["main_model_unchanged"], "the drill must not touch the original tree"
    # the regenerated tree is up to date for `make check-gen`
    assert drilled["check"].returncode == 0, drilled["check"].stdout + drilled["check"].stderr


def test_probe_imported_the_copy(drilled: dict[str, Any]) -> None:
    copy = str(drilled["copy"])
    assert all(path.startswith(copy) for path in drilled["probe"]["files"]), drilled["probe"]["files"]
    # The dataclass lists fields without a default first; the set is the schema's plus trace_id.
    assert set(drilled["probe"]["fields"]) == {*(spec.name for spec in SPECS), "trace_id"}
    assert drilled["probe"]["fields"][-1] == "trace_id"


def test_trace_id_round_trips(drilled: dict[str, Any]) -> None:
    probe = drilled["probe"]
    assert probe["trace_id"] == "abc"
    assert probe["reencoded"].encode() == WITH_TRACE  # byte-identical: trace_id written last
    assert probe["with"]["contract"] == []
    assert probe["with"]["canonical"] == []
    assert probe["with"]["serde"] == []
    assert probe["built"].endswith(',"trace_id":"t\u2028"}')


def test_trace_id_wrong_type(drilled: dict[str, Any]) -> None:
    probe = drilled["probe"]
    assert probe["int"]["contract"] == [["schema.type", "/trace_id"]]
    assert probe["int"]["serde"] == [["serde.invalid-type", "/trace_id"]]
    assert probe["int"]["canonical"] == [["schema.type", "/trace_id"]]


def test_trace_id_stays_optional(drilled: dict[str, Any]) -> None:
    probe = drilled["probe"]
    for name in ("without", "null"):
        assert probe[name]["serde"] == []
        assert probe[name]["contract"] == []
        assert probe[name]["trace_id"] is None
        assert probe[name]["reencoded"].encode() == WITHOUT  # None is skipped on output
    assert probe["without"]["canonical"] == []
    assert [r for r, _ in probe["null"]["canonical"]] == ["canonical.differs"]  # null is not what serde writes
