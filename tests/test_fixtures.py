"""The generated fixtures (fixtures/valid, fixtures/invalid, fixtures/manifest.json) are fresh,
agree with the Python profiles and with the Rust harness, and follow from the schema alone."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from harness import rust_check
from noetl_envelope import decode, encode
from noetl_envelope.core.rules import PROFILES, Rule, all_rules
from noetl_envelope.engines.reference import run
from noetl_envelope.fixturegen import FixtureError, load_catalogue, systematic_cases
from noetl_envelope.fixturegen.render import CATALOGUE, MANIFEST, judge
from noetl_envelope.fixturegen.systematic import CATEGORIES
from noetl_envelope.generate import files as gen
from noetl_envelope.model.schema import load_schema
from repo_copy import copy_repo, run_gen

RULES = all_rules()


@pytest.fixture(scope="module")
def manifest(repo_root: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((repo_root / MANIFEST).read_bytes())
    return loaded


def _document(repo_root: Path, entry: dict[str, Any]) -> bytes:
    data = (repo_root / "fixtures" / entry["file"]).read_bytes()
    if entry["newline_appended"]:
        assert data.endswith(b"\n"), entry["file"]
        return data[:-1]
    return data


def test_generated_fixtures_are_fresh(repo_root: Path) -> None:
    stale = [diff for diff in gen.check(repo_root) if "fixtures/" in diff.split("\n", 1)[0]]
    assert stale == [], "".join(stale)[:2000]


def test_files_on_disk_are_exactly_the_manifest(repo_root: Path, manifest: dict[str, Any]) -> None:
    listed = [entry["file"] for entry in manifest["fixtures"]]
    assert len(listed) == len(set(listed))
    assert listed == sorted(listed)
    on_disk = {
        p.relative_to(repo_root / "fixtures").as_posix()
        for sub in ("valid", "invalid")
        for p in (repo_root / "fixtures" / sub).rglob("*")
        if p.is_file()
    }
    assert on_disk == set(listed)


def test_manifest_agrees_with_the_python_profiles(repo_root: Path, manifest: dict[str, Any]) -> None:
    assert manifest["profiles"] == list(PROFILES)
    assert manifest["schema"] == load_schema()["$id"]
    mismatches = []
    for entry in manifest["fixtures"]:
        doc = _document(repo_root, entry)
        for profile in PROFILES:
            found = run(doc, profile).violations
            rules = sorted({v.rule for v in found if v.severity == "error"})
            warnings = sorted({v.rule for v in found if v.severity == "warning"})
            verdict = "reject" if rules else "accept"
            expected = (entry["rules"][profile], entry["warnings"][profile], entry["expected"][profile])
            if (rules, warnings, verdict) != expected:
                mismatches.append((entry["name"], profile, rules, warnings, expected))
        assert set(entry["rules"]["serde"]) | set(entry["rules"]["contract"]) <= set(RULES)
        if entry["expected"]["serde"] == "accept":
            # The manifest's output is what the public API writes back for the serde decoding.
            assert encode(decode(doc, profile="serde"), check=False).decode() == entry["serde_output"], entry["name"]
        else:
            assert "serde_output" not in entry, entry["name"]
    assert not mismatches, mismatches[:10]


@pytest.mark.rust
def test_manifest_agrees_with_the_rust_harness(repo_root: Path, manifest: dict[str, Any], harness: Path) -> None:
    entries = manifest["fixtures"]
    verdicts = rust_check([_document(repo_root, entry) for entry in entries])
    disagreements = []
    for entry, rust in zip(entries, verdicts, strict=True):
        expected_accept = entry["expected"]["serde"] == "accept"
        if rust.accepted != expected_accept:
            disagreements.append((entry["name"], "verdict", rust.error))
        elif rust.accepted and rust.output != entry["serde_output"].encode():
            disagreements.append((entry["name"], "output", rust.output))
    assert not disagreements, disagreements[:10]
    assert {v.accepted for v in verdicts} == {True, False}


def test_every_category_has_fixtures_of_both_sources(repo_root: Path, manifest: dict[str, Any]) -> None:
    catalogue = load_catalogue(repo_root / CATALOGUE)
    counts: dict[str, int] = {}
    for entry in manifest["fixtures"]:
        counts[entry["category"]] = counts.get(entry["category"], 0) + 1
    assert set(counts) == set(manifest["categories"])
    assert set(catalogue.categories) <= set(counts)
    assert set(CATEGORIES) <= set(counts), set(CATEGORIES) - set(counts)
    assert all(count > 0 for count in counts.values())
    assert {entry["source"] for entry in manifest["fixtures"]} == {"catalogue", "systematic"}


def test_valid_fixtures_are_canonical_bytes_with_exactly_one_newline(repo_root: Path, manifest: dict[str, Any]) -> None:
    valid = [entry for entry in manifest["fixtures"] if entry["file"].startswith("valid/")]
    assert len(valid) >= 50
    for entry in manifest["fixtures"]:
        data = (repo_root / "fixtures" / entry["file"]).read_bytes()
        if entry in valid:
            assert entry["newline_appended"] and entry["expected"] == dict.fromkeys(PROFILES, "accept")
            assert data.endswith(b"\n") and not data.endswith(b"\n\n") and not data.endswith(b"\r\n")
            assert data[:-1] == entry["serde_output"].encode(), entry["name"]
        else:
            assert not entry["newline_appended"]
            assert entry["file"] == f"invalid/{entry['category']}/{entry['name']}.json"


def test_catalogue_spellings_reach_the_documents(repo_root: Path) -> None:
    cases = {case.name: case for case in load_catalogue(repo_root / CATALOGUE).cases}
    assert b'"note":"\xff"' in cases["unknown-field-invalid-utf8"].document  # \uDCFF is the byte 0xFF
    assert b'"execution_id":1.0,' in cases["execution-id-float-one"].document  # a plain scalar keeps its spelling
    assert cases["bom"].document.startswith(b"\xef\xbb\xbf{")
    assert cases["sequence-6"].document.startswith(b'[1,"step.enter",')
    assert _max_depth(cases["context-depth-127"].document) == 127
    assert _max_depth(cases["meta-array-depth-128"].document) == 128
    assert (
        b'"payload":{"a":1}' in cases["payload-alias"].document and b'"context"' not in cases["payload-alias"].document
    )


def _max_depth(doc: bytes) -> int:
    depth = deepest = 0
    for byte in doc:
        if byte in b"{[":
            depth += 1
            deepest = max(deepest, depth)
        elif byte in b"}]":
            depth -= 1
    return deepest


# --- a new field gets its fixtures with no hand work --------------------------------------------


def _with_new_fields(schema: dict[str, Any]) -> dict[str, Any]:
    extended = copy.deepcopy(schema)
    extended["properties"]["retry_count"] = {
        "type": ["integer", "null"],
        "x-rust-type": "Option<i64>",
        "x-serde": {"default": True, "skip_serializing_if": "Option::is_none"},
    }
    extended["properties"]["finished_at"] = {
        "type": "string",
        "format": "date-time",
        "x-rust-type": "DateTime<Utc>",
        "x-serde": {"alias": ["ended_at"]},
    }
    extended["required"].append("finished_at")
    return extended


def test_a_new_field_gets_systematic_cases_from_its_rust_type() -> None:
    before = {case.name for case in systematic_cases(load_schema())}
    cases = systematic_cases(_with_new_fields(load_schema()))
    retry = {case.name.split(".", 1)[1]: case for case in cases if case.field == "retry_count"}
    finished = {case.name.split(".", 1)[1]: case for case in cases if case.field == "finished_at"}
    for suffix in ("i64-max", "i64-min-minus-1", "float-integral", "absent", "null", "duplicate", "type-string"):
        assert suffix in retry, suffix
    for suffix in ("fraction-7", "leap-second-offset", "no-offset", "absent", "alias-ended_at-and-name"):
        assert suffix in finished, suffix
    assert b'"retry_count":9223372036854775807' in retry["i64-max"].document
    assert b'"retry_count"' not in retry["absent"].document
    assert b'"ended_at":' in finished["alias-ended_at"].document
    # Every other field's cases now start from a base that carries the new fields too.
    assert all(b'"retry_count":' in case.document for case in cases if case.name.endswith(".i64-max"))
    assert before < {case.name for case in cases}


def test_make_gen_writes_fixtures_for_a_new_field(repo_root: Path, tmp_path: Path) -> None:
    repo = copy_repo(tmp_path)
    schema_file = repo / "schema" / "executor_event.schema.json"
    schema_file.write_text(json.dumps(_with_new_fields(json.loads(schema_file.read_text())), indent=2))
    result = run_gen(repo)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((repo / MANIFEST).read_bytes())
    by_name = {entry["name"]: entry for entry in manifest["fixtures"]}
    assert by_name["retry_count.i64-max"]["expected"] == dict.fromkeys(PROFILES, "accept")
    assert by_name["retry_count.i64-max-plus-1"]["expected"]["serde"] == "reject"
    assert by_name["finished_at.absent"]["rules"]["serde"] == ["serde.missing-field"]
    assert (repo / "fixtures" / by_name["retry_count.i64-max"]["file"]).is_file()


# --- a malformed catalogue stops `make gen` with one located line ------------------------------


_GOOD_CASE = "      - name: ok\n        description: fine\n"
_HEADER = "base:\n  execution_id: 1\n  context: '{}'\ncategories:\n  things:\n    description: d\n    cases:\n"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (_HEADER + _GOOD_CASE + "      - name: [x\n", 10, "not valid YAML"),
        (_HEADER + "      - name: a: b\n        description: d\n", 8, "not valid YAML"),
        (_HEADER + _GOOD_CASE + _GOOD_CASE, 10, "'ok' is used twice"),
        (_HEADER + _GOOD_CASE + "      - name: two\n        description: d\n        colour: red\n", 10, "'colour'"),
        (_HEADER + "      - name: two\n        description: d\n        set: {worker: '1'}\n", 10, "not a base member"),
        (_HEADER + "      - name: Bad Name\n        description: d\n", 8, "must match"),
        (
            _HEADER + "      - name: two\n        description: d\n        raw: '{}'\n        set: {}\n",
            8,
            "whole document",
        ),
        (
            _HEADER + "      - name: two\n        description: d\n        nest: {field: context, depth: x}\n",
            10,
            "integer",
        ),
        ("base:\n  a: 1\n  a: 2\ncategories: {}\n", 3, "appears twice"),
        ("base:\n  a: 1\ncategories:\n  empty:\n    description: d\n    cases: []\n", 6, "has no cases"),
        ("base: {}\n", 1, "'categories'"),
    ],
)
def test_malformed_catalogue_is_one_located_line(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(text)
    with pytest.raises(FixtureError) as caught:
        load_catalogue(path, display="fixtures/catalogue.yaml")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"fixtures/catalogue.yaml:{line}: "), message
    assert fragment in message and message.endswith("[fixturegen.catalogue]")


_CASE = _HEADER + "      - name: two\n        description: d\n"
_ONE_CATEGORY = "base:\n  a: 1\ncategories:\n  good: "

# One malformed catalogue per message form of fixturegen.catalogue that the loader raises, in the
# order the rule declares them, with the exact line `make gen` prints for it after
# `fixtures/catalogue.yaml:` (the forms fixturegen.render raises are tested below).
_EVERY_LOADER_FORM = [
    (
        b"base: \xff\n",
        "cannot read the catalogue: 'utf-8' codec can't decode byte 0xff in position 6: invalid start byte",
    ),
    (_HEADER + "      - name: a: b\n", "8: not valid YAML: mapping values are not allowed here"),
    (b"# only a comment\n", "the catalogue is empty"),
    ("- a\n", "1: the catalogue must be a mapping"),
    (_ONE_CATEGORY + "{description: d, cases: {}}\n", "4: category 'good' cases must be a list"),
    ("base:\n  a: [1]\ncategories: {}\n", "2: base member 'a' must be a single value, not a list"),
    (_CASE + "        nest: {field: context, depth: x}\n", "10: two: nest depth must be an integer, not 'x'"),
    ("base:\n  a: 1\n  a: 2\ncategories: {}\n", "3: base: key 'a' appears twice"),
    ("base: {}\n", "1: the catalogue needs a top-level 'categories'"),
    ("base:\n  a: 1\ncategories: {}\nextra: 1\n", "1: unknown top-level key 'extra' (expected base, categories)"),
    ("base: {}\ncategories: {}\n", "1: base must name at least one member"),
    ("base:\n  a: 1\ncategories:\n  Bad: {}\n", "4: category name 'Bad' must match [a-z0-9][a-z0-9-]*"),
    (_ONE_CATEGORY + "{description: d}\n", "4: category 'good' needs exactly 'description' and 'cases'"),
    (_ONE_CATEGORY + "{description: d, cases: []}\n", "4: category 'good' has no cases"),
    (_HEADER + _GOOD_CASE + _GOOD_CASE, "10: case name 'ok' is used twice"),
    (
        _CASE + "        colour: red\n",
        "8: unknown case key 'colour' (expected one of name, description, set, nest, rename, remove, append, "
        "separator, colon, raw, sequence, prefix, suffix)",
    ),
    (_ONE_CATEGORY + "{description: d, cases: [{name: x}]}\n", "4: a case needs a 'description'"),
    (
        _HEADER + "      - name: Bad Name\n        description: d\n",
        "8: case name 'Bad Name' must match [a-z0-9][a-z0-9._-]*",
    ),
    (
        _CASE + "        raw: '{}'\n        sequence: []\n",
        "8: two: 'raw' and 'sequence' replace the whole document; use one and no member edits",
    ),
    (_CASE + "        remove: [nope]\n", "10: two: 'nope' is not a base member (use 'append' for other keys)"),
    (_CASE + "        append: [[a]]\n", "10: two: an append entry is [raw key, raw value]"),
    (
        _CASE + "        nest: {field: context}\n",
        "10: two: nest needs 'field' and 'depth' (and optionally 'container')",
    ),
    (
        _CASE + "        nest: {field: context, depth: 3, container: set}\n",
        "10: two: nest container must be 'object' or 'array'",
    ),
    (
        _CASE + "        nest: {field: context, depth: 1}\n",
        "10: two: nest depth counts the envelope, so it is at least 2",
    ),
]


def test_every_loader_message_form_prints_its_exact_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue_rule = RULES["fixturegen.catalogue"]
    used: list[str] = []
    message = Rule.message

    def recording(rule: Rule, form: str = "", /, **fields: object) -> str:
        if rule is catalogue_rule:
            used.append(form)
        return message(rule, form, **fields)

    monkeypatch.setattr(Rule, "message", recording)
    path = tmp_path / "catalogue.yaml"
    for text, expected in _EVERY_LOADER_FORM:
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        with pytest.raises(FixtureError) as caught:
            load_catalogue(path, display="fixtures/catalogue.yaml")
        separator = " " if expected[0].isalpha() else ""  # no line: the whole file is at fault
        assert str(caught.value) == f"fixtures/catalogue.yaml:{separator}{expected} [fixturegen.catalogue]", text
    # Each case is worded by one form, and every form the loader has is one of the cases.
    assert used == [form for form in catalogue_rule.messages if form not in ("name-clash", "codec-cannot-write")]


def test_gen_exits_2_with_one_line_on_a_malformed_catalogue(repo_root: Path, tmp_path: Path) -> None:
    repo = copy_repo(tmp_path)
    catalogue = repo / CATALOGUE
    catalogue.write_text(catalogue.read_text().replace("name: full-envelope", "name: Full Envelope", 1))
    result = run_gen(repo, "--check")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "fixtures/catalogue.yaml:" in lines[0] and "[fixturegen.catalogue]" in lines[0]


def test_a_catalogue_name_clashing_with_a_systematic_case_is_refused(repo_root: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "fixtures").mkdir(parents=True)
    text = (repo_root / CATALOGUE).read_text().replace("name: full-envelope", "name: step.empty", 1)
    (repo / CATALOGUE).write_text(text)
    from noetl_envelope.fixturegen.render import all_cases

    with pytest.raises(FixtureError) as caught:
        all_cases(repo)
    expected = "fixtures/catalogue.yaml: fixture name 'step.empty' is both a catalogue and a systematic case"
    assert str(caught.value) == f"{expected} [fixturegen.catalogue]"


def test_judging_is_deterministic(repo_root: Path) -> None:
    cases = load_catalogue(repo_root / CATALOGUE).cases[:20]
    assert [judge(case) for case in cases] == [judge(case) for case in cases]
