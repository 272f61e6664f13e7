"""bulk.py and the CLI's --jobs / --engine / progress: order, counts and output do not change.

`--jobs 2` must print exactly what `--jobs 1` prints (byte for byte, text format; json apart
from the elapsed time), `--engine reference` exactly what the fast engine prints, and the
progress line must appear only on a terminal.
"""

from __future__ import annotations

import functools
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from envelope import complete
from noetl_envelope.core.violations import Violation
from noetl_envelope.pipeline import Checks, checker_for
from noetl_envelope.run import bulk
from noetl_envelope.run.bulk import Progress, check_stream, digest_stream
from noetl_envelope.run.reader import MIN_SPAN_BYTES, DocumentReader, Span, iter_documents

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from bench_data import mixed_events, realistic_events, with_two_violations

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "python"), str(ROOT / "generated")])}


@pytest.fixture(scope="module")
def mixed_file(harness: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 5,000 events over several batches: valid, two violations, broken JSON, blank lines."""
    lines = realistic_events(5000, seed=21, harness=harness)
    out = []
    for index, line in enumerate(lines):
        if index % 97 == 0:
            out.append(with_two_violations(line))
        elif index % 389 == 0:
            out.append(line[:-5])  # truncated: a lexical error
        elif index % 500 == 0:
            out.append(b"   ")  # blank: counted, not a document
        else:
            out.append(line)
    path = tmp_path_factory.mktemp("bulk") / "mixed.ndjson"
    path.write_bytes(b"\n".join(out) + b"\n")
    return path


def _cli(*args: str, accel: bool = True) -> subprocess.CompletedProcess[bytes]:
    env = ENV if accel else {**ENV, "NOETL_ENVELOPE_ACCEL": "0"}
    return subprocess.run([sys.executable, "-m", "noetl_envelope", *args], capture_output=True, env=env, check=False)


def test_jobs_two_prints_exactly_what_jobs_one_prints(mixed_file: Path) -> None:
    one = _cli("validate", "--jobs", "1", str(mixed_file))
    two = _cli("validate", "--jobs", "2", str(mixed_file))
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    assert b"invalid" in one.stdout and one.stdout.count(b"\n") > 100
    assert one.stderr == two.stderr == b""  # not a terminal: no progress line


def _without_elapsed(output: bytes) -> list[dict[str, object]]:
    records = [json.loads(line) for line in output.splitlines()]
    records[-1]["summary"].pop("elapsed_seconds")
    return records


def test_json_report_is_the_same_with_two_jobs_and_with_the_reference_engine(mixed_file: Path) -> None:
    base = _cli("validate", "--format", "json", "--profile", "canonical", str(mixed_file))
    two = _cli("validate", "--format", "json", "--profile", "canonical", "--jobs", "2", str(mixed_file))
    reference = _cli("validate", "--format", "json", "--profile", "canonical", "--engine", "reference", str(mixed_file))
    python = _cli("validate", "--format", "json", "--profile", "canonical", str(mixed_file), accel=False)
    expected = _without_elapsed(base.stdout)
    assert _without_elapsed(two.stdout) == expected
    assert _without_elapsed(reference.stdout) == expected
    assert _without_elapsed(python.stdout) == expected  # the fast engine without the native module
    summary = expected[-1]["summary"]
    assert isinstance(summary, dict)
    assert summary["documents"] == len(expected) - 1 and summary["blank_lines"] == 9  # every 500th line but the first
    assert summary["invalid"] > 50 and summary["valid"] > 4000


def test_bad_jobs_and_engine_are_usage_errors(mixed_file: Path) -> None:
    for args in (("--jobs", "-1"), ("--jobs", "two"), ("--engine", "turbo")):
        proc = _cli("validate", *args, str(mixed_file))
        assert proc.returncode == 2, args
        assert proc.stderr.count(b"\n") == 1


def test_jobs_above_one_is_refused_where_there_is_no_fork(
    mixed_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from noetl_envelope import cli

    monkeypatch.delattr(os, "fork")
    assert cli.main(["validate", "--jobs", "2", str(mixed_file)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--jobs above 1 needs os.fork" in err
    assert bulk.default_jobs() == 1


def _expected(reader: DocumentReader, checker: bulk.Checker) -> list[bulk.Reported]:
    """What check_stream must give: each document the plain reader reads, checked here."""
    return [(doc, list(doc.input_violations) or checker(doc.data)) for doc in reader]


_EVENT = complete(
    b'{"execution_id":%d,"event_type":"e","step":"s","status":"STARTED",'
    b'"created_at":"2024-01-01T00:00:00Z","context":{}}'
)


def _tricky_file(folder: Path) -> Path:
    """Valid events, invalid documents, blank lines, too-large lines (limit 200) and a .json
    file beside."""
    lines = []
    for index in range(300):
        if index % 50 == 3:
            lines.append(b'{"pad":"' + b"x" * 200 + b'"}')  # too large: not checked, reported
        elif index % 17 == 0:
            lines.append(b" \t")
        elif index % 5 == 0:
            lines.append(b'{"n":%d}' % index)
        else:
            lines.append(_EVENT % index)
    path = folder / "a.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    (folder / "b.json").write_bytes(b'{"one":1}')
    return folder


@pytest.mark.parametrize("jobs", [1, 2])
def test_check_stream_gives_the_readers_documents_in_order_across_many_spans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(bulk, "SPAN_BYTES", 64)  # many small spans, more than the window
    folder = str(_tricky_file(tmp_path))
    checker = checker_for(Checks(profile="contract", engine="fast"))
    plain = iter_documents([folder], max_document_bytes=200)
    expected = _expected(plain, checker)
    reader = iter_documents([folder], max_document_bytes=200)
    assert list(check_stream(reader, checker, jobs=jobs)) == expected
    assert (reader.documents, reader.blank_lines) == (plain.documents, plain.blank_lines) == (284, 17)
    assert sum(1 for _, found in expected if found and found[0].rule == "input.too-large") == 6


@pytest.mark.parametrize("jobs", [1, 2])
def test_check_stream_without_valid_documents_keeps_only_the_invalid_and_exact_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(bulk, "SPAN_BYTES", 100)
    folder = str(_tricky_file(tmp_path))
    checker = checker_for(Checks(profile="contract", engine="fast"))
    expected = [item for item in _expected(iter_documents([folder], max_document_bytes=200), checker) if item[1]]
    reader = iter_documents([folder], max_document_bytes=200)
    assert list(check_stream(reader, checker, jobs=jobs, list_valid=False)) == expected
    assert reader.documents == 284 and 50 < len(expected) < 100


def first_quotes(reported: list[bulk.Reported], quote: bulk.Quote) -> dict[str, str]:
    """`quote` of each rule's first violation among `reported` (documents with their bytes)."""
    firsts: dict[str, str] = {}
    for doc, found in reported:
        for violation in found:
            firsts.setdefault(violation.rule, quote(doc.data, violation))
    return firsts


@pytest.mark.parametrize("jobs", [1, 2])
def test_with_quote_documents_come_back_without_bytes_and_every_rules_first_is_quoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    # conform's examples: the main process receives the worker's quotes, never a document's bytes.
    monkeypatch.setattr(bulk, "SPAN_BYTES", 64)  # many spans: a rule's first document is in some unit
    folder = str(_tricky_file(tmp_path))
    checker = checker_for(Checks(profile="contract", engine="fast"))
    expected = _expected(iter_documents([folder], max_document_bytes=200), checker)

    def quote(data: bytes, violation: Violation) -> str:
        return f"{violation.rule}@{violation.pointer} in {data[:30]!r}"

    reader = iter_documents([folder], max_document_bytes=200)
    got = list(check_stream(reader, checker, jobs=jobs, keep_data=False, quote=quote))
    assert [(doc.source, doc.line, found) for doc, found in got] == [
        (doc.source, doc.line, found) for doc, found in expected
    ]
    assert all(doc.data == b"" for doc, _ in got)
    firsts = first_quotes(expected, quote)
    quoted: dict[str, str] = {}
    for doc, found in got:
        for violation in found:
            if violation.rule not in quoted:
                quoted[violation.rule] = dict(doc.excerpts)[violation.rule]
    assert quoted == firsts and len(firsts) >= 3


@pytest.mark.parametrize(("jobs", "list_valid"), [(1, True), (2, True), (1, False), (2, False)])
def test_a_span_reporting_many_documents_is_sent_in_pieces_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int, list_valid: bool
) -> None:
    # Every reported document ends a piece: many rests, sent while later spans are in flight.
    # Whether a piece finishes just before or after the pool loop looks is a matter of timing,
    # so the run is repeated (a rest lost that way made about 4 runs in 5 fail).
    monkeypatch.setattr(bulk, "REPORT_LIMIT", 1)
    monkeypatch.setattr(bulk, "SPAN_BYTES", 4000)
    folder = str(_tricky_file(tmp_path))
    checker = checker_for(Checks(profile="contract", engine="fast"))
    expected = _expected(iter_documents([folder], max_document_bytes=200), checker)
    if not list_valid:
        expected = [item for item in expected if item[1]]
    for _ in range(5 if jobs > 1 else 1):
        reader = iter_documents([folder], max_document_bytes=200)
        assert list(check_stream(reader, checker, jobs=jobs, list_valid=list_valid)) == expected
        assert (reader.documents, reader.blank_lines) == (284, 17)


def test_a_unit_reports_at_most_the_limit_and_says_where_the_rest_starts(tmp_path: Path) -> None:
    path = tmp_path / "tiny.ndjson"
    path.write_bytes(b"1\n\n22\n333\n4444\n")
    span = Span(str(path), str(path), True, 0, 15)
    options = {"list_valid": False, "max_document_bytes": 100, "chunk_size": 4}
    checker = checker_for(Checks(profile="serde", engine="fast"))
    first = bulk._check_unit(checker, span, report_limit=2, **options)
    assert [doc.line for doc, _ in first.reported] == [1, 3]
    assert (first.documents, first.blank_lines) == (2, 1)
    assert first.rest == Span(str(path), str(path), True, 6, 15)  # just past "22\n"
    second = bulk._check_unit(checker, first.rest, report_limit=2, **options)
    assert [doc.data for doc, _ in second.reported] == [b"333", b"4444"] and second.rest is None


@pytest.mark.parametrize("jobs", [1, 2])
def test_check_stream_batches_standard_input(monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    monkeypatch.setattr(bulk, "BATCH_DOCUMENTS", 7)
    data = b"".join(b'{"n":%d}\n' % i if i % 9 else b"\n" for i in range(200))
    checker = checker_for(Checks(profile="serde", engine="fast"))
    expected = _expected(iter_documents(["-"], stdin=io.BytesIO(data)), checker)
    reader = iter_documents(["-"], stdin=io.BytesIO(data))
    assert list(check_stream(reader, checker, jobs=jobs)) == expected
    assert (reader.documents, reader.blank_lines) == (177, 23)


def test_a_long_standard_input_document_is_checked_in_the_main_process_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Sent to a worker, a long document would be copied (pickled) beside itself in the main process.
    monkeypatch.setattr(bulk, "BATCH_DOCUMENTS", 5)
    monkeypatch.setattr(bulk, "LOCAL_DOCUMENT_BYTES", 40)
    long = b'{"n":%d,"s":"' + b"x" * 40 + b'"}\n'
    data = b"".join((long if i % 7 == 3 else b'{"n":%d}\n') % i if i % 11 else b"[\n" for i in range(120))
    checker = checker_for(Checks(profile="serde", engine="fast"))
    expected = _expected(iter_documents(["-"], stdin=io.BytesIO(data)), checker)
    main, here = os.getpid(), []
    check_unit = bulk._check_unit

    def recording(checker: bulk.Checker, unit: bulk.Unit, **options: object) -> bulk.UnitResult:
        if os.getpid() == main:  # a worker's list is its own copy
            here.append([doc.line for doc in unit] if isinstance(unit, list) else unit)
        return check_unit(checker, unit, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "_check_unit", recording)
    reader = iter_documents(["-"], stdin=io.BytesIO(data))
    assert list(check_stream(reader, checker, jobs=2)) == expected
    assert here == [[i + 1] for i in range(120) if i % 7 == 3 and i % 11]
    assert len(expected) == 120 and all(found for _, found in expected)  # each reported, in order


def test_check_stream_counts_a_file_of_blank_lines_as_no_document(tmp_path: Path) -> None:
    (tmp_path / "blank.ndjson").write_bytes(b"\n\n")
    for jobs in (1, 2):
        reader = iter_documents([str(tmp_path)])
        assert list(check_stream(reader, checker_for(Checks(profile="serde", engine="fast")), jobs=jobs)) == []
        assert (reader.documents, reader.blank_lines) == (0, 2)


def test_check_stream_stops_cleanly_when_the_consumer_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "SPAN_BYTES", 16)
    folder = _tricky_file(tmp_path)
    stream = check_stream(iter_documents([str(folder)]), checker_for(Checks(profile="serde", engine="fast")), jobs=2)
    first = [next(stream) for _ in range(5)]
    stream.close()  # the pool shuts down; pending spans are cancelled
    assert [doc.line for doc, _ in first] == [2, 3, 4, 5, 6]


def test_jobs_must_be_positive(tmp_path: Path) -> None:
    folder = _tricky_file(tmp_path)
    with pytest.raises(ValueError, match="jobs"):
        list(check_stream(iter_documents([str(folder)]), checker_for(Checks(profile="serde", engine="fast")), jobs=0))


def test_conform_checker_finds_drift() -> None:
    doc = complete(
        b'{"execution_id":1,"event_type":"e","step":"s","status":"STARTED",'
        b'"created_at":"2024-01-01T00:00:00Z","context":{"b":1,"a":2}}'
    )
    assert (
        checker_for(Checks(profile="canonical", engine="fast", drift=True))(doc)
        == checker_for(Checks(profile="canonical", engine="reference", drift=True))(doc)
        != []
    )


def test_cli_draws_progress_only_when_stderr_is_a_terminal(mixed_file: Path) -> None:
    import pty

    # The reference engine keeps the run long enough (> Progress.INTERVAL) to draw a line.
    args = [sys.executable, "-m", "noetl_envelope", "validate", "--quiet", "--engine", "reference", str(mixed_file)]
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=follower, env=ENV, check=False, timeout=600)
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the writer side is closed and everything was read
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert proc.returncode == 1
    assert b" documents " in drawn and b"/s" in drawn
    assert drawn.endswith(b"\r\x1b[K")  # erased before exiting
    piped = subprocess.run(args, capture_output=True, env=ENV, check=False, timeout=600)
    assert piped.stderr == b""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_silent_when_stderr_is_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream)
    progress.INTERVAL = 0
    progress.CHECK_EVERY = 1
    for _ in range(1000):
        progress.advance()
    progress.close()
    assert not progress.enabled
    assert stream.getvalue() == ""


def test_progress_draws_documents_and_rate_on_a_terminal_then_erases() -> None:
    stream = _Terminal()
    progress = Progress(stream)
    progress.INTERVAL = 0
    progress.CHECK_EVERY = 1
    for _ in range(3):
        progress.advance(500)
    text = stream.getvalue()
    assert "1,500 documents" in text and "/s" in text
    progress.close()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_conform_report_is_the_same_with_two_jobs_and_with_the_reference_engine(mixed_file: Path) -> None:
    base = _cli("conform", "--format", "json", str(mixed_file))
    two = _cli("conform", "--format", "json", "--jobs", "2", str(mixed_file))
    reference = _cli("conform", "--format", "json", "--engine", "reference", str(mixed_file))
    python = _cli("conform", "--format", "json", str(mixed_file), accel=False)
    assert base.returncode == two.returncode == reference.returncode == python.returncode == 1
    expected = _without_elapsed(base.stdout)
    assert _without_elapsed(two.stdout) == expected
    assert _without_elapsed(reference.stdout) == expected
    assert _without_elapsed(python.stdout) == expected  # the fast engine without the native module
    summary = expected[-1]["summary"]
    assert isinstance(summary, dict)
    assert summary["invalid"] > 50 and summary["valid"] > 4000 and summary["classes"]


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("command", ["validate", "conform"])
def test_a_report_rendered_where_checked_is_the_report_made_from_the_documents(
    mixed_file: Path, harness: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, jobs: int, command: str
) -> None:
    """validate's and conform's path (`digest_stream` with `report.render`: workers send text
    without line numbers) writes and counts exactly what reporting each checked document
    writes and counts, conform's classes and first examples included: over several files of
    several spans each, spans sent in pieces, warnings, ignored rules, listed valid documents
    or not."""
    from noetl_envelope.commands.conform import ConformSummary, _excerpt
    from noetl_envelope.report import Summary, make_reporter
    from noetl_envelope.report.base import LineReporter, render, report_all, report_rendered

    monkeypatch.setattr(bulk, "SPAN_BYTES", MIN_SPAN_BYTES)  # many spans per file
    monkeypatch.setattr(bulk, "REPORT_LIMIT", 7)  # and each span's reports in pieces
    second = tmp_path / "second.ndjson"
    # The bench's mix: random f64 bit patterns (warnings) and broken lines; a last line without b"\n".
    second.write_bytes(b"[1]\n\n" + b"\n".join(mixed_events(1500, seed=5, harness=harness)) + b'\n{"tail": 1}')
    paths = [str(mixed_file), str(second), str(mixed_file)]
    conform = command == "conform"
    checker = checker_for(Checks(profile="canonical", engine="fast", drift=conform))
    quote = _excerpt if conform else None

    def report(rendered: bool, quiet: bool, ignore: frozenset[str]) -> tuple[str, dict[str, object]]:
        out = io.StringIO()
        reporter, reader = make_reporter(fmt, out, quiet=quiet), iter_documents(paths)
        summary = ConformSummary(command, "canonical") if conform else Summary(command, "canonical")
        assert isinstance(reporter, LineReporter)
        if rendered:
            digest = functools.partial(render, reporter=reporter, summary=summary, ignore=ignore)
            parts = digest_stream(reader, checker, digest, jobs=jobs, list_valid=reporter.lists_valid, quote=quote)
            report_rendered(parts, summary, reporter)
        else:
            checked = check_stream(reader, checker, list_valid=reporter.lists_valid, keep_data=False, quote=quote)
            report_all(checked, summary, reporter, ignore=ignore)
        summary.settle(reader.documents, reader.blank_lines)
        reporter.finish(summary)
        counts = summary.as_dict()
        counts.pop("elapsed_seconds")
        return out.getvalue().replace(json.dumps(round(summary.elapsed, 6)), ""), counts

    warnings = frozenset({"canonical.float-roundtrip", "drift.float-roundtrip"})
    for quiet, ignore in ((False, frozenset()), (True, frozenset()), (False, warnings)):
        expected = report(False, quiet, ignore)
        assert report(True, quiet, ignore) == expected, (quiet, ignore)
    text, counts = expected
    assert counts["warned"] == 0 and counts["ignored"] and counts["invalid"] and text.count("\n") > 100
    assert report(False, False, frozenset())[1]["warned"]  # the run had warnings to ignore
    if conform:  # first examples from the later files too, placed in them
        examples = [c["example"] for c in counts["classes"].values()]  # type: ignore[attr-defined]
        assert {e["source"] for e in examples} >= {str(mixed_file), str(second)}
        assert max(e["line"] for e in examples) > 1000


def test_a_span_reported_in_pieces_is_shared_by_the_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One span of invalid lines, reported in pieces: each piece's rest is known only when it
    is answered, so checked as one chain it would keep one worker busy and the other idle.
    Its rests are split for idle workers, and the report is still the one job's."""
    monkeypatch.setattr(bulk, "REPORT_LIMIT", 50)
    monkeypatch.setattr(bulk, "MIN_PIECE_BYTES", 256)
    path = tmp_path / "invalid.ndjson"
    path.write_bytes(b"".join(b'{"n":%d}\n' % i for i in range(3000)))  # under MIN_SPAN_BYTES: one span
    checker = checker_for(Checks(profile="serde", engine="fast"))
    pids = tmp_path / "pids"
    check_unit = bulk._check_unit

    def recording(checker: bulk.Checker, unit: bulk.Unit, **options: object) -> bulk.UnitResult:
        with open(pids, "a") as out:
            out.write(f"{os.getpid()}\n")
        return check_unit(checker, unit, **options)  # type: ignore[arg-type]

    expected = _expected(iter_documents([str(path)]), checker)
    monkeypatch.setattr(bulk, "_check_unit", recording)
    assert list(check_stream(iter_documents([str(path)]), checker, jobs=2)) == expected
    assert len(expected) == 3000
    assert len(set(pids.read_text().split())) == 2  # both workers checked pieces of it
