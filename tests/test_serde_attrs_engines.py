"""The fast engine and the native accelerator under serde attributes that change the wire.

With `rename`, `rename_all`, `deny_unknown_fields` or `default` on a non-Option field, either
engine may only answer what the reference engine answers: a document under the wire names is
proved, one under the Rust field names, with an unknown key or missing a defaulted field is left
to the reference engine. The projection's prediction keeps the column names and stores an absent
defaulted field as its `Default::default()`. Each variant schema replaces the schema of a throwaway copy of the
checkout (tests/repo_copy.py), whose package then loads it as its own; the check runs there in a
fresh interpreter, over the copy's systematic fixtures, in every profile.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from repo_copy import copy_repo, run_python

SCHEMA = "schema/executor_event.schema.json"

_SCRIPT = """
import json
from noetl_envelope.core.rules import PROFILES
from noetl_envelope.engines import fast
from noetl_envelope.engines.reference import run
from noetl_envelope.fixturegen.systematic import systematic_cases
from noetl_envelope.model.schema import field_specs
from noetl_envelope.projection.predict import binding_of, predict
from noetl_envelope.projection.row import columns, insert_params

specs = field_specs()
cases = systematic_cases()
docs = [case.document for case in cases]
# The base envelope under the Rust field names: never valid once a field is renamed.
docs.append(("{" + ",".join(f'"{s.name}":{s.inner.typical(s.schema, s.name)}' for s in specs) + "}").encode())
prove = fast.native_checker()
result = {"native": prove is not None, "wrong": [], "proved": {}, "native_proved": {}}
for profile in PROFILES:
    proved = native = 0
    for doc in docs:
        expected = [str(v) for v in run(doc, profile).violations]
        answer = fast.violations(doc, profile)
        if answer is not None:
            if [str(v) for v in answer] != expected:
                result["wrong"].append(["fast", profile, doc.decode("utf-8", "replace")[:200]])
            proved += not answer
        if prove is not None:
            # The accelerator's whole answer (proved, misread floats, field faults), as fast uses it.
            answer = fast.violations(doc, profile, prove)
            if answer is not None and [str(v) for v in answer] != expected:
                result["wrong"].append(["native", profile, doc.decode("utf-8", "replace")[:200]])
            verdict = prove(doc, profile)
            native += verdict is not None and not any(verdict[:5])
    result["proved"][profile] = proved
    result["native_proved"][profile] = native
# The projection's columns keep the field names; an absent defaulted field is stored as its default.
result["absent_rows"] = {}
for case in cases:
    prediction = predict(case.document)
    if prediction is not None and case.name.endswith(".absent") and prediction.row is not None:
        result["absent_rows"][case.name] = prediction.row.values
        params = dict(zip([c.name for c in columns()], insert_params(binding_of(case.document)), strict=True))
        result.setdefault("absent_params", {})[case.name] = {k: str(v) for k, v in params.items()}
print(json.dumps(result))
"""


def _rename(schema: dict[str, Any]) -> None:
    schema["properties"]["event_type"]["x-serde"] = {"rename": "eventKind"}


def _camel_case_denying(schema: dict[str, Any]) -> None:
    schema["x-serde-container"].update({"rename_all": "camelCase", "deny_unknown_fields": True})


def _default_on_required(schema: dict[str, Any]) -> None:
    for name in schema["required"]:
        schema["properties"][name]["x-serde"] = {**schema["properties"][name]["x-serde"], "default": True}


VARIANTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "rename": _rename,
    "rename-all-camel-case-deny-unknown-fields": _camel_case_denying,
    "default-on-required": _default_on_required,
}


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_repo(tmp_path_factory.mktemp("engines"))


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_fast_and_native_engines_answer_only_what_the_reference_answers(copy: Path, name: str) -> None:
    schema_file = copy / SCHEMA
    original = schema_file.read_text(encoding="utf-8")
    schema = json.loads(original)
    VARIANTS[name](schema)
    schema_file.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    try:
        proc = run_python(copy, "-c", _SCRIPT, timeout=600)
    finally:
        schema_file.write_text(original, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    assert not result["wrong"], result["wrong"][:5]
    # Not vacuous: documents under the wire names are proved, in every profile.
    assert all(count > 0 for count in result["proved"].values()), result["proved"]
    if result["native"]:
        assert all(count > 0 for count in result["native_proved"].values()), result["native_proved"]
    rows = result["absent_rows"]
    if name == "default-on-required":
        # Default::default() of each type, in the column the field projects to.
        row = rows["execution_id.absent"]
        assert row["execution_id"] == 0 and rows["step.absent"]["node_name"] == "", rows
        assert rows["created_at.absent"]["created_at"] == 0  # the Unix epoch, in microseconds
        params = result["absent_params"]
        assert params["execution_id.absent"]["execution_id"] == "0" and params["step.absent"]["node_name"] == ""
    else:
        assert "execution_id.absent" not in rows  # serde rejects it: nothing to project
    assert all(set(row) == set(rows[next(iter(rows))]) for row in rows.values())
    assert "node_name" in next(iter(rows.values()))  # column names, not wire names
