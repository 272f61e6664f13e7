"""Schema discovery and the config file (core/config.py), as a user meets them: the installed
command run in scratch directories under tmp_path, outside this checkout.

Discovery order: --schema, a [tool.noetl-envelope] table in pyproject.toml, .noetl-envelope.toml,
schema/executor_event.schema.json from the working directory up to the project root (.git),
else the packaged schema. A config file also carries `ignore` and `strict`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from envelope import complete
from noetl_envelope.compat.policy import Version
from noetl_envelope.compat.sources import newest_release, tree_releases
from noetl_envelope.model.schema import schema_version

ROOT = Path(__file__).resolve().parents[1]
# The working schema's version, read rather than restated (a schema edit bumps it).
VERSION = schema_version(json.loads((ROOT / "schema" / "executor_event.schema.json").read_bytes()))
SCHEMA = ROOT / "schema" / "executor_event.schema.json"
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join([str(ROOT / "python"), str(ROOT / "generated")]),
    "PYTHONIOENCODING": "utf-8",
}
ENV.pop("NOETL_ENVELOPE_DEBUG", None)

STARTED = complete(
    b'{"execution_id":1,"event_type":"step.enter","step":"s","status":"STARTED",'
    b'"created_at":"2024-01-01T00:00:00Z","context":{}}'
)
# A float serde_json's default parser reads back as its neighbour: a warning, never an error.
WARNED = STARTED.replace(b'"context":{}', b'"context":{"x":2.7715077941825975e-163}')
PACKAGED = "the package (no --schema"


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "noetl_envelope", *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def narrowed_schema(version: str = "0.4.0") -> str:
    """The schema with STARTED dropped from the status enum: a STARTED document tells which schema ran."""
    schema = json.loads(SCHEMA.read_text())
    schema["properties"]["status"]["enum"].remove("STARTED")
    schema["$id"] = schema["$id"].rsplit(":", 1)[0] + ":" + version
    return json.dumps(schema, indent=2)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch project root (it has .git, so discovery stops here) with one event dump."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "events.ndjson").write_bytes(STARTED + b"\n")
    return root


def schema_line(cwd: Path, *args: str) -> str:
    proc = cli(cwd, "--version", *args)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("noetl-envelope ") and lines[1].startswith("schema: "), lines
    return lines[1]


def verdict(cwd: Path, path: Path, *args: str) -> tuple[int, dict[str, object]]:
    """validate's exit code and its json summary record."""
    proc = cli(cwd, "validate", "--format", "json", *args, str(path))
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout.splitlines()[-1])["summary"]


def test_packaged_schema_when_nothing_is_found(project: Path) -> None:
    assert PACKAGED in schema_line(project)
    code, summary = verdict(project / "sub", project / "events.ndjson")
    assert code == 0
    schema = summary["schema"]
    assert isinstance(schema, dict) and schema["version"] == VERSION and PACKAGED in schema["from"]


def test_the_working_directorys_schema_here_or_above(project: Path) -> None:
    (project / "schema").mkdir()
    (project / "schema" / "executor_event.schema.json").write_text(narrowed_schema())
    for cwd in (project, project / "sub" / "deeper"):
        assert "(version 0.4.0), from the working directory" in schema_line(cwd)
        code, summary = verdict(cwd, project / "events.ndjson")
        assert code == 1 and summary["rules"] == {"schema.enum": 1}
        assert summary["schema"]["file"] == str(project / "schema" / "executor_event.schema.json")  # type: ignore[index]


def test_the_search_stops_at_the_project_root(project: Path) -> None:
    # Above the project root (.git): a schema and a broken config file that must not be read.
    (project.parent / "schema").mkdir()
    (project.parent / "schema" / "executor_event.schema.json").write_text(narrowed_schema())
    (project.parent / ".noetl-envelope.toml").write_text("this is not TOML\n")
    assert PACKAGED in schema_line(project / "sub")
    assert verdict(project / "sub", project / "events.ndjson")[0] == 0


def test_dot_config_file_paths_are_relative_to_it(project: Path) -> None:
    (project / "contracts").mkdir()
    (project / "contracts" / "envelope.json").write_text(narrowed_schema("0.5.0"))
    (project / "schema").mkdir()  # the config file wins over a schema/ beside it
    (project / "schema" / "executor_event.schema.json").write_text(SCHEMA.read_text())
    (project / ".noetl-envelope.toml").write_text('schema = "contracts/envelope.json"\n')
    line = schema_line(project / "sub" / "deeper")
    assert "contracts/envelope.json (version 0.5.0), from " in line and ".noetl-envelope.toml" in line
    assert verdict(project / "sub" / "deeper", project / "events.ndjson")[0] == 1


def test_pyproject_table_and_a_pyproject_without_one(project: Path) -> None:
    (project / "envelope.json").write_text(narrowed_schema("0.6.0"))
    # A pyproject.toml without the table (say, ruff's `ignore`) is not a config file: the search goes on.
    (project / "sub" / "pyproject.toml").write_text('[tool.ruff]\nignore = ["E501"]\n')
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.ruff.lint]\nignore = ["E1"]\n\n'
        '[tool.noetl-envelope]\nschema = "envelope.json"\nignore = ["schema.enum"]\n'
    )
    line = schema_line(project / "sub")
    assert "envelope.json (version 0.6.0), from [tool.noetl-envelope] in " in line
    code, summary = verdict(project / "sub", project / "events.ndjson")
    assert code == 0 and summary["ignored"] == {"schema.enum": 1}  # the config's ignore applies


def test_schema_option_overrides_the_config_file(project: Path) -> None:
    (project / "narrow.json").write_text(narrowed_schema())
    (project / ".noetl-envelope.toml").write_text('schema = "narrow.json"\n')
    code, summary = verdict(project, project / "events.ndjson", "--schema", str(SCHEMA))
    assert code == 0 and summary["schema"]["from"] == "--schema"  # type: ignore[index]
    # on the other commands that load a schema too
    assert cli(project, "conform", "--schema", str(project / "narrow.json"), "events.ndjson").returncode == 1
    assert cli(project, "conform", "--schema", str(SCHEMA), "events.ndjson").returncode == 0
    sampled = cli(project, "sample", "-n", "50", "--schema", str(project / "narrow.json"))
    assert sampled.returncode == 0 and b'"status":"STARTED"' not in sampled.stdout.encode()
    missing = one_line_error(cli(project, "validate", "--schema", "no-such.json", "events.ndjson"))
    assert "no-such.json" in missing and "cannot read" in missing


def test_a_schema_with_a_field_the_package_never_generated(project: Path) -> None:
    schema = json.loads(SCHEMA.read_text())
    schema["properties"]["trace_id"] = {
        "type": ["string", "null"],
        "x-rust-type": "Option<String>",
        "x-serde": {"default": True, "skip_serializing_if": "Option::is_none"},
        "description": "Trace id.",
    }
    (project / "schema").mkdir()
    (project / "schema" / "executor_event.schema.json").write_text(json.dumps(schema, indent=2))
    sampled = cli(project, "sample", "-n", "40")
    assert sampled.returncode == 0, sampled.stderr
    (project / "sampled.ndjson").write_text(sampled.stdout)
    assert '"trace_id":' in sampled.stdout
    back = cli(project, "canonicalize", "sampled.ndjson")
    assert back.returncode == 0 and back.stdout == sampled.stdout
    assert cli(project, "conform", "--quiet", "sampled.ndjson").returncode == 0


DOT, PYPROJECT = ".noetl-envelope.toml", "pyproject.toml"
RUFF = '[tool.ruff]\nignore = ["E1"]\n\n[tool.noetl-envelope]\n'  # another tool's `ignore` comes first


# name -> (file, its text, the start of the message after `file:`)
BROKEN: dict[str, tuple[str, str, str]] = {
    "syntax": (DOT, 'schema = "a.json"\nignore = [\n', "2: not TOML: "),
    "unknown-key": (DOT, 'strict = true\nignored = ["schema.enum"]\n', "2: unknown key 'ignored'"),
    "strict-type": (DOT, 'strict = "yes"\n', "1: strict must be true or false, not a string"),
    "ignore-type": (DOT, 'ignore = "schema.enum"\n', "1: ignore must be a list of rule ids"),
    "schema-type": (DOT, "schema = 5\n", "1: schema must be a path (a string), not an integer"),
    "schema-missing": (DOT, '\n\nschema = "gone.json"\n', "3: schema 'gone.json' names no file"),
    "unknown-rule": (DOT, 'ignore = ["schema.enum", "schema.enum5"]\n', "1: ignore: unknown rule 'schema.enum5'"),
    "pyproject-unknown-rule": (PYPROJECT, RUFF + 'strict = true\nignore = ["nope.x"]\n', "6: ignore: unknown rule"),
    "pyproject-syntax": (PYPROJECT, "[tool.noetl-envelope]\nschema = [1\n", "2: not TOML: "),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_config_file_is_one_line_naming_it(project: Path, case: str) -> None:
    name, text, message = BROKEN[case]
    expected = f"{name}:{message}"
    (project / name).write_text(text)
    for args in (("validate", "events.ndjson"), ("conform", "events.ndjson"), ("sample", "-n", "1"), ("compat",)):
        line = one_line_error(cli(project, *args))
        assert line.startswith(f"noetl-envelope: {expected}"), line
    # from a subdirectory, outside the working directory: its full path
    line = one_line_error(cli(project / "sub", "validate", "../events.ndjson"))
    assert line.startswith(f"noetl-envelope: {project / expected}"), line
    assert "cannot be chosen" in cli(project, "--version").stdout


def test_a_broken_pyproject_of_the_project_itself_is_not_ours(project: Path) -> None:
    (project / "pyproject.toml").write_text("[project\nname = 1\n")  # no noetl-envelope table in it
    assert cli(project, "validate", "events.ndjson").returncode == 0


def test_two_config_files_in_one_directory_are_refused(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.noetl-envelope]\nstrict = true\n")
    (project / ".noetl-envelope.toml").write_text("strict = false\n")
    line = one_line_error(cli(project, "validate", "events.ndjson"))
    assert ".noetl-envelope.toml" in line and "pyproject.toml" in line and "keep one" in line


def test_strict_and_ignore_from_the_config_file(project: Path) -> None:
    (project / "warned.ndjson").write_bytes(WARNED + b"\n" + STARTED.replace(b"STARTED", b"started") + b"\n")
    dump = project / "warned.ndjson"
    assert verdict(project, dump, "--ignore", "schema.enum")[0] == 0  # a warning alone: exit 0
    (project / ".noetl-envelope.toml").write_text("strict = true\n")
    assert verdict(project, dump, "--ignore", "schema.enum")[0] == 1  # the config's strict
    assert verdict(project, dump, "--ignore", "schema.enum", "--no-strict")[0] == 0  # the command line overrides
    (project / ".noetl-envelope.toml").write_text('strict = true\nignore = ["canonical.float-roundtrip"]\n')
    code, summary = verdict(project, dump, "--ignore", "schema.enum")  # the command line adds to the config's
    assert code == 0, summary
    assert summary["ignored"] == {"canonical.float-roundtrip": 1, "schema.enum": 1}
    assert (summary["valid"], summary["invalid"], summary["warned"]) == (2, 0, 0)
    text = cli(project, "validate", "warned.ndjson")
    assert text.returncode == 1 and "2 ignored violation" not in text.stdout  # without --ignore schema.enum
    conform = cli(project, "conform", "--ignore", "schema.enum", "--ignore", "drift.type-change", "warned.ndjson")
    assert "ignored violation" in conform.stdout


# --- junit --quiet -----------------------------------------------------------------------------


def test_junit_quiet_lists_only_documents_with_findings_plus_a_summary(project: Path) -> None:
    invalid = STARTED.replace(b'"execution_id":1', b'"execution_id":1.0')
    lines = [STARTED, invalid, STARTED, WARNED, STARTED]
    (project / "mixed.ndjson").write_bytes(b"".join(line + b"\n" for line in lines))
    for command in ("validate", "conform"):
        quiet = cli(project, command, "--format", "junit", "--quiet", "mixed.ndjson")
        assert quiet.returncode == 1
        suite = ET.fromstring(quiet.stdout).find("testsuite")
        assert suite is not None
        cases = list(suite.iter("testcase"))
        assert [case.get("name") for case in cases] == ["mixed.ndjson:2", "mixed.ndjson:4", "summary"]
        assert cases[0].find("failure") is not None and cases[1].find("failure") is None  # a warning passes
        assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
        summary_out = cases[2].findtext("system-out") or ""
        assert "checked 5 documents" in summary_out and "4 valid, 1 invalid" in summary_out
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert props["documents"] == "5"
        loud = ET.fromstring(cli(project, command, "--format", "junit", "mixed.ndjson").stdout).find("testsuite")
        assert loud is not None and len(list(loud.iter("testcase"))) == 5 and loud.get("tests") == "5"


# --- gen and compat in a schema repository without pyproject.toml -------------------------------


def _schema_repo(root: Path) -> Path:
    (root / "schema").mkdir(parents=True)
    for name in ("executor_event.schema.json", "CHANGELOG.md"):
        (root / "schema" / name).write_bytes((ROOT / "schema" / name).read_bytes())
    (root / "schema" / "releases").mkdir()
    for release in (ROOT / "schema" / "releases").iterdir():
        (root / "schema" / "releases" / release.name).write_bytes(release.read_bytes())
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    return root


def _patch_above_newest_release() -> str:
    """The newest release's version with its patch bumped: too small a bump for a breaking change."""
    found = newest_release(tree_releases(ROOT), VERSION)
    assert found is not None
    old = Version.parse(found[0].removesuffix(".schema.json"))
    return str(Version(old.major, old.minor, old.patch + 1))


def test_gen_in_a_schema_repository_writes_the_fixtures_only(tmp_path: Path) -> None:
    repo = _schema_repo(tmp_path / "schemas")
    assert not (repo / "pyproject.toml").exists()
    assert cli(repo, "gen", "--check").returncode == 1  # nothing generated yet
    written = cli(repo, "gen")
    assert written.returncode == 0, written.stderr
    top = sorted(p.name for p in repo.iterdir() if p.name != ".git")
    assert top == ["fixtures", "schema"]  # no generated/, docs/ or rust/ in someone else's repository
    manifest = json.loads((repo / "fixtures" / "manifest.json").read_text())
    assert manifest["schema_version"] == VERSION
    assert {entry["file"].split("/")[0] for entry in manifest["fixtures"]} == {"valid", "invalid"}
    assert (repo / "fixtures" / "valid" / "status.enum-started.json").is_file()
    assert cli(repo / "schema", "gen", "--check").returncode == 0  # from a subdirectory too
    # a schema edit makes them stale, naming the fixture; regenerating repairs it
    schema = repo / "schema" / "executor_event.schema.json"
    schema.write_text(narrowed_schema(_patch_above_newest_release()))
    stale = cli(repo, "gen", "--check")
    assert stale.returncode == 1 and "status.enum-started.json" in stale.stdout
    assert "noetl-envelope gen" in stale.stderr
    assert cli(repo, "gen").returncode == 0
    assert not (repo / "fixtures" / "valid" / "status.enum-started.json").exists()
    assert cli(repo, "gen", "--check").returncode == 0
    # compat sees the same schema: a narrowed enum is backward-incompatible, so a patch bump is too small
    compat = cli(repo, "compat", "--format", "json")
    assert compat.returncode == 1, compat.stdout
    records = [json.loads(line) for line in compat.stdout.splitlines()]
    (narrowed,) = [r["change"] for r in records if "change" in r and r["change"]["rule"] == "compat.enum-narrowed"]
    assert narrowed["pointer"] == "/properties/status/enum" and narrowed["effects"]["python"]["backward"] == "breaking"
    assert "compat.bump-too-small" in {r["policy"]["rule"] for r in records if "policy" in r}


def test_gen_and_compat_need_a_schema_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    for args in (("gen",), ("compat",)):
        assert "no schema/executor_event.schema.json here or" in one_line_error(cli(tmp_path, *args))
    (tmp_path / "envelope.json").write_text(SCHEMA.read_text())
    (tmp_path / ".noetl-envelope.toml").write_text('schema = "envelope.json"\n')
    assert "needs the schema at schema/executor_event.schema.json" in one_line_error(cli(tmp_path, "gen"))
    assert "use --old FILE" in one_line_error(cli(tmp_path, "compat"))
    assert cli(tmp_path, "compat", "--old", str(SCHEMA)).returncode == 0  # classify only: no repository needed
