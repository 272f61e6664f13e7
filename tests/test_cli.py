"""cli.py: exit codes, one-line errors (never a traceback) and the reports, through a real process.

Tests marked `needs_api` need real verdicts from noetl_envelope.api; they are skipped (not
failed) while that module cannot be imported, so a failure here is a CLI failure.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from envelope import complete
from noetl_envelope import cli, pipeline

ROOT = Path(__file__).resolve().parents[1]
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join([str(ROOT / "python"), str(ROOT / "generated")]),
    "PYTHONIOENCODING": "utf-8",
}
ENV.pop("NOETL_ENVELOPE_DEBUG", None)

VALID = complete(
    b'{"execution_id":1,"event_type":"step.enter","step":"s","status":"STARTED",'
    b'"created_at":"2024-01-01T00:00:00Z","context":{}}'
)
INVALID = VALID.replace(b'"execution_id":1,', b'"execution_id":1.0,')


def _api_ready() -> bool:
    try:
        importlib.import_module("noetl_envelope.api")
    except Exception:
        return False
    return True


needs_api = pytest.mark.skipif(not _api_ready(), reason="noetl_envelope.api is not importable yet")


def cli_run(*args: str, stdin: bytes = b"", cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run(
        [sys.executable, "-m", "noetl_envelope", *args],
        input=stdin,
        capture_output=True,
        env=ENV,
        cwd=cwd or ROOT,
        timeout=300,
        check=False,
    )
    assert b"Traceback" not in proc.stderr, proc.stderr.decode("utf-8", "replace")
    return proc


def one_error_line(proc: subprocess.CompletedProcess[bytes]) -> str:
    """The single stderr line of a failed run (exit 2)."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("noetl-envelope")
    return lines[0]


# --- usage and input errors: exit 2, one line -----------------------------------------------------


def test_version_and_help() -> None:
    proc = cli_run("--version")
    assert proc.returncode == 0 and proc.stdout.decode().startswith("noetl-envelope ")
    proc = cli_run("--help")
    assert proc.returncode == 0
    for name in ("validate", "canonicalize", "gen"):
        assert name in proc.stdout.decode()


def test_version_names_the_engine() -> None:
    from noetl_envelope.engines import native

    expected = "(engine: native)" if native.available() else f"(engine: pure Python ({native.MODULE} is not installed))"
    assert cli_run("--version").stdout.decode().splitlines()[0].endswith(expected)
    off = subprocess.run(
        [sys.executable, "-m", "noetl_envelope", "--version"],
        capture_output=True,
        text=True,
        env={**ENV, "NOETL_ENVELOPE_ACCEL": "0"},
        check=True,
    )
    assert off.stdout.splitlines()[0].endswith("(engine: pure Python (NOETL_ENVELOPE_ACCEL=0))")


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("validate",),
        ("frobnicate",),
        ("validate", "--format", "xml", "x.json"),
        ("validate", "--profile", "strict", "x.json"),
        ("canonicalize",),
    ],
)
def test_usage_errors_are_one_line_exit_2(args: tuple[str, ...]) -> None:
    assert "--help" in one_error_line(cli_run(*args))


def test_missing_path(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_bytes(VALID)
    missing = tmp_path / "missing.ndjson"
    line = one_error_line(cli_run("validate", str(tmp_path / "ok.json"), str(missing)))
    assert line == f"noetl-envelope: {missing}: No such file or directory"


def test_wrong_extension(tmp_path: Path) -> None:
    (tmp_path / "events.txt").write_bytes(VALID)
    line = one_error_line(cli_run("validate", str(tmp_path / "events.txt")))
    assert line == f"noetl-envelope: {tmp_path / 'events.txt'}: not a .json, .ndjson or .jsonl file"


def test_directory_without_documents(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_bytes(b"# nothing here")
    line = one_error_line(cli_run("validate", str(tmp_path)))
    assert line.startswith(f"noetl-envelope: {tmp_path}: directory holds no .json")


@pytest.mark.parametrize("content", [b"", b"\n", b"  \r\n\n\t\n"])
@pytest.mark.parametrize("suffix", [".ndjson", ".jsonl"])
def test_empty_ndjson_file_holds_no_documents(tmp_path: Path, content: bytes, suffix: str) -> None:
    # An empty event dump is not an error: 0 documents, exit 0 (the pre-commit hook must pass).
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(content)
    out = cli_run("validate", str(path))
    assert out.returncode == 0 and out.stderr == b"", out
    assert out.stdout.startswith(b"checked 0 documents (profile contract): 0 valid, 0 invalid"), out.stdout
    canonical = cli_run("canonicalize", str(path))
    assert (canonical.returncode, canonical.stdout, canonical.stderr) == (0, b"", b"")


def test_empty_stdin_holds_no_documents() -> None:
    out = cli_run("validate", "-")
    assert out.returncode == 0 and out.stdout.startswith(b"checked 0 documents"), out


def test_unwritable_output(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_bytes(VALID)
    target = tmp_path / "no-such-dir" / "report.xml"
    line = one_error_line(cli_run("validate", "-o", str(target), str(tmp_path / "ok.json")))
    assert line.startswith(f"noetl-envelope: {target}: cannot write")


@needs_api
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_output_write_failure(tmp_path: Path) -> None:
    (tmp_path / "in.ndjson").write_bytes(b"{}\n" * 10)
    # Validation runs in-process before anything is written; the failure comes at flush time.
    line = one_error_line(cli_run("validate", "-o", "/dev/full", str(tmp_path / "in.ndjson")))
    assert line == "noetl-envelope: /dev/full: cannot write: No space left on device"


# --- validate: real verdicts ----------------------------------------------------------------------


@needs_api
def test_validate_all_valid_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    path.write_bytes(VALID + b"\n\n" + VALID + b"\r\n")
    proc = cli_run("validate", str(path))
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.decode().splitlines() == [
        f"{path}:1: ok",
        f"{path}:3: ok",
        "checked 2 documents (profile contract): 2 valid, 0 invalid, 1 blank line skipped",
    ]
    assert proc.stderr == b""


@needs_api
def test_validate_mixed_exits_1_with_text_report(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    path.write_bytes(VALID + b"\n" + INVALID + b"\n")
    proc = cli_run("validate", "--quiet", str(path))
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert lines[0].startswith(f"{path}:2: /execution_id: ") and lines[0].endswith("]")
    assert "checked 2 documents (profile contract): 1 valid, 1 invalid" in lines
    assert not any(line.endswith(": ok") for line in lines)


@needs_api
def test_validate_stdin(tmp_path: Path) -> None:
    proc = cli_run("validate", "-", stdin=INVALID + b"\n" + VALID)
    assert proc.returncode == 1
    assert proc.stdout.decode().splitlines()[:2][1] == "<stdin>:2: ok"
    assert proc.stdout.decode().startswith("<stdin>:1: /execution_id")


@needs_api
def test_binary_file_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(bytes(range(256)) + os.urandom(4096) + b"\x00\x00\xff")
    proc = cli_run("validate", str(path))
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert lines[0].startswith(f"{path}:1: /: ") and lines[0].endswith("]")
    assert "checked 1 document (profile contract): 0 valid, 1 invalid" in lines


@needs_api
def test_empty_json_file_is_one_invalid_document(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_bytes(b"")
    proc = cli_run("validate", str(path))
    assert proc.returncode == 1
    assert proc.stdout.decode().splitlines()[0] == f"{path}:1: /: {_first_message(b'')} [json.eof]"


def _first_message(data: bytes) -> str:
    from noetl_envelope.api import validate

    return validate(data)[0].message


@needs_api
def test_ten_megabyte_single_line_document(tmp_path: Path) -> None:
    big = VALID.replace(b'"context":{}', b'"context":{"blob":"' + b"a" * (10 * 2**20) + b'"}')
    path = tmp_path / "big.ndjson"
    path.write_bytes(big + b"\n" + INVALID + b"\n")
    proc = cli_run("validate", "--format", "json", str(path))
    assert proc.returncode == 1
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r.get("valid") for r in records[:2]] == [True, False]
    assert records[2]["summary"]["documents"] == 2


@needs_api
@pytest.mark.parametrize("profile", ["serde", "contract", "canonical"])
def test_profiles_are_passed_through(tmp_path: Path, profile: str) -> None:
    # Leading whitespace is fine for serde and contract, not byte-for-byte canonical.
    path = tmp_path / "e.json"
    path.write_bytes(b" " + VALID)
    proc = cli_run("validate", "--profile", profile, "--format", "json", str(path))
    summary = json.loads(proc.stdout.splitlines()[-1])["summary"]
    assert summary["profile"] == profile
    assert proc.returncode == (1 if profile == "canonical" else 0)


def _mixed_dir(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.ndjson").write_bytes(VALID + b"\n" + INVALID + b"\n\n" + VALID + b"\n")
    (tmp_path / "in" / "b.json").write_bytes(INVALID)
    (tmp_path / "in" / "c.txt").write_bytes(b"ignored")
    return tmp_path / "in"


@needs_api
def test_json_format_counts_add_up(tmp_path: Path) -> None:
    proc = cli_run("validate", "--format", "json", str(_mixed_dir(tmp_path)))
    assert proc.returncode == 1
    *docs, last = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(Path(d["source"]).name, d["line"], d["valid"]) for d in docs] == [
        ("a.ndjson", 1, True),
        ("a.ndjson", 2, False),
        ("a.ndjson", 4, True),
        ("b.json", 1, False),
    ]
    summary: dict[str, Any] = last["summary"]
    assert (summary["documents"], summary["valid"], summary["invalid"], summary["blank_lines"]) == (4, 2, 2, 1)
    assert sum(summary["rules"].values()) == sum(len(d["violations"]) for d in docs)


@needs_api
def test_junit_format_to_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.xml"
    proc = cli_run("validate", "--format", "junit", "--output", str(out), str(_mixed_dir(tmp_path)))
    assert proc.returncode == 1
    assert proc.stdout == b""
    suite = next(ET.parse(out).getroot().iter("testsuite"))
    cases = suite.findall("testcase")
    assert len(cases) == 4 == int(suite.get("tests", "-1"))
    assert sum(c.find("failure") is not None for c in cases) == 2 == int(suite.get("failures", "-1"))


@needs_api
def test_github_format(tmp_path: Path) -> None:
    proc = cli_run("validate", "--format", "github", str(_mixed_dir(tmp_path)))
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    errors = [line for line in lines if line.startswith("::error file=")]
    assert len(errors) >= 2 and all(",title=" in line for line in errors)
    assert any(",line=2," in line and "a.ndjson" in line for line in errors)
    assert lines[-1].startswith("::notice::checked 4 documents")


@needs_api
def test_closed_stdout_exits_quietly(tmp_path: Path) -> None:
    path = tmp_path / "many.ndjson"
    path.write_bytes((VALID + b"\n") * 5000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "noetl_envelope", "validate", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read()
    assert proc.wait(timeout=300) == cli.EXIT_BROKEN_PIPE
    assert err == b""


# --- canonicalize -----------------------------------------------------------------------------------


@needs_api
def test_canonicalize(tmp_path: Path) -> None:
    path = tmp_path / "e.ndjson"
    spaced = complete(
        b'{ "context": {"b": 1, "a": 2}, "execution_id": 1, "event_type": "step.enter", "step": "s",'
        b' "status": "STARTED", "created_at": "2024-01-01T00:00:00Z" }'
    )
    path.write_bytes(spaced + b"\n" + INVALID + b"\n" + VALID + b"\n")
    proc = cli_run("canonicalize", str(path))
    assert proc.returncode == 1
    out = proc.stdout.splitlines()
    assert len(out) == 2 and out[1] == VALID
    assert out[0] == VALID.replace(b'"context":{}', b'"context":{"a":2,"b":1}')
    err = proc.stderr.decode().splitlines()
    assert err and all(line.startswith(f"{path}:2: /") for line in err)
    # Canonical output is canonical.
    (tmp_path / "canon.ndjson").write_bytes(proc.stdout)
    assert cli_run("validate", "--profile", "canonical", str(tmp_path / "canon.ndjson")).returncode == 0


@needs_api
def test_canonicalize_all_valid_exits_0(tmp_path: Path) -> None:
    proc = cli_run("canonicalize", "-", stdin=VALID + b"\n")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, VALID + b"\n", b"")


# --- in-process: the guard and the command table -------------------------------------------------


def _write_valid(tmp_path: Path) -> str:
    path = tmp_path / "ok.json"
    path.write_bytes(VALID)
    return str(path)


def test_unexpected_exception_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(data: bytes, **_: Any) -> list[Any]:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(pipeline, "check", boom)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    assert cli.main(["validate", _write_valid(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == "noetl-envelope: internal error: RuntimeError: boom second line (please report)\n"
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(RuntimeError):
        cli.main(["validate", _write_valid(tmp_path)])


def test_keyboard_interrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(data: bytes, **_: Any) -> list[Any]:
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "check", interrupted)
    assert cli.main(["validate", _write_valid(tmp_path)]) == 130
    assert capsys.readouterr().err == "noetl-envelope: interrupted\n"


def test_gen_passes_check_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    from noetl_envelope.generate import files as gen

    calls: list[bool] = []

    def fake_run(*, check_only: bool, root: Path | None = None) -> int:
        calls.append(check_only)
        return 1 if check_only else 0

    monkeypatch.setattr(gen, "run", fake_run)
    assert cli.main(["gen", "--check"]) == 1
    assert cli.main(["gen"]) == 0
    assert calls == [True, False]


def test_too_large_documents_are_reported_not_validated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import noetl_envelope.run.reader as reader

    seen: list[bytes] = []

    def record(data: bytes, **_: Any) -> list[Any]:
        seen.append(data)
        return []

    monkeypatch.setattr(pipeline, "check", record)
    from noetl_envelope.commands import validate

    monkeypatch.setattr(
        validate,
        "iter_documents",
        lambda paths: reader.iter_documents(paths, max_document_bytes=10),
    )
    path = tmp_path / "e.ndjson"
    path.write_bytes(b"0123456789\n0123456789A\n")
    assert cli.main(["validate", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert seen == [b"0123456789"]
    assert out[0] == f"{path}:1: ok"
    assert out[1].startswith(f"{path}:2: /: document is 11 bytes") and out[1].endswith("[input.too-large]")
    assert out[2] == "checked 2 documents (profile contract): 1 valid, 1 invalid"


def test_command_table() -> None:
    assert list(cli.COMMANDS)[:3] == ["validate", "canonicalize", "gen"]
    parser = cli.build_parser()
    args = parser.parse_args(["validate", "a.json"])
    assert (
        args.run == cli.COMMANDS["validate"].run
        and cli.COMMANDS["validate"].module.endswith(".validate")
        and args.profile == "contract"
        and args.format == "text"
    )


def test_validate_starts_without_the_modules_other_commands_need(tmp_path: Path) -> None:
    # Start-up time bounds `--jobs N` speedups and every CI step: a valid canonical document,
    # which the fast engine answers alone, needs neither python-jsonschema, nor the compat
    # gate, nor multiprocessing with one job.
    event = (
        complete(
            b'{"execution_id":7,"event_type":"e","step":"s","status":"STARTED",'
            b'"created_at":"2024-01-01T00:00:00Z","context":{}}'
        )
        + b"\n"
    )
    path = tmp_path / "one.ndjson"
    path.write_bytes(event)
    probe = (
        "import sys\nfrom noetl_envelope.cli import main\n"
        f"code = main(['validate', '--quiet', '--output', {os.devnull!r}, {str(path)!r}])\n"
        "heavy = ('jsonschema', 'noetl_envelope.compat.gate', 'concurrent.futures',\n"
        "         'noetl_envelope.report.junit')\n"
        "print(code, [name for name in heavy if name in sys.modules])\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=ENV, check=False)
    assert proc.stdout.strip() == "0 []", proc.stderr
