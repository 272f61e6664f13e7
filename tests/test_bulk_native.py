"""The native bulk loop (`Prover.check_lines`, one call per span) against the reference engine.

`bulk.check_stream` cuts a file's spans at b"\\n", checks and counts their lines in Rust and
hands Python only the lines the report lists. What it gives must be exactly what the reader's
documents, each checked by the reference engine, give: the same documents (line numbers,
bytes), the same violations, the same counts, whatever the span size, the report limit, the
number of jobs and whether the native module is on. Checked on issue 15's benchmark mix and
the differential corpus, with blank, whitespace-only and CR lines, too-large lines and a last
line without its b"\\n", for every profile, conform and `--project`.

Skipped only where the module is not built and CI is not set; under CI it must be there.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import BASE, corpus
from harness import rust_emit
from native_module import require_native_module
from noetl_envelope import pipeline
from noetl_envelope.core.errors import InputError
from noetl_envelope.core.rules import PROFILES
from noetl_envelope.core.violations import Violation
from noetl_envelope.pipeline import Checks, checker_for
from noetl_envelope.run import bulk
from noetl_envelope.run.bulk import check_stream
from noetl_envelope.run.reader import iter_documents
from test_bulk import first_quotes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from bench_data import mixed_events

require_native_module()

LIMIT = 20000  # max_document_bytes here: a few of the corpus's documents are larger


@pytest.fixture(scope="module")
def input_file(harness: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mix and the corpus as NDJSON (a document holding a b"\\n" becomes several lines),
    with blank, whitespace-only and CRLF lines, too-large lines, and no final b"\\n"."""
    lines = mixed_events(2500, seed=21, harness=harness)
    lines += corpus(rust_emit(300, seed=22))[::2]
    extra = [b"", b" \t ", b"\r", lines[0] + b"\r", b'{"pad":"' + b"x" * LIMIT + b'"}', b"  " + lines[1]]
    mixed = []
    for index, line in enumerate(lines):
        mixed.append(line)
        if index % 97 == 0:
            mixed.append(extra[index // 97 % len(extra)])
    path = tmp_path_factory.mktemp("native") / "input.ndjson"
    path.write_bytes(b"\n".join(mixed))  # no final line end
    return path


def _oracle(path: Path, checks: Checks) -> tuple[list[bulk.Reported], int, int]:
    """The reader's documents, each checked by the reference engine, and the reader's counts."""
    reader = iter_documents([str(path)], max_document_bytes=LIMIT)
    reference = checker_for(replace(checks, engine="reference"))
    found = [(doc, list(doc.input_violations) or reference(doc.data)) for doc in reader]
    return found, reader.documents, reader.blank_lines


def _run(path: Path, checks: Checks, **options: object) -> tuple[list[bulk.Reported], int, int]:
    reader = iter_documents([str(path)], max_document_bytes=LIMIT)
    found = list(check_stream(reader, checker_for(checks), **options))  # type: ignore[arg-type]
    return found, reader.documents, reader.blank_lines


CHECKS = [Checks(profile=profile) for profile in PROFILES] + [
    Checks(profile="canonical", drift=True),  # conform
    Checks(profile="contract", project=True),  # --project
]


@pytest.fixture(scope="module")
def oracles(input_file: Path) -> dict[Checks, tuple[list[bulk.Reported], int, int]]:
    return {checks: _oracle(input_file, checks) for checks in CHECKS}


@pytest.mark.parametrize(
    "checks", CHECKS, ids=lambda c: f"{c.profile}{'-drift' if c.drift else ''}{'-project' if c.project else ''}"
)
@pytest.mark.parametrize("native", [True, False])
def test_bulk_native_path_reports_exactly_the_reference(
    input_file: Path,
    oracles: dict[Checks, tuple[list[bulk.Reported], int, int]],
    monkeypatch: pytest.MonkeyPatch,
    checks: Checks,
    native: bool,
) -> None:
    expected, documents, blank_lines = oracles[checks]
    invalid = [item for item in expected if item[1]]
    # Every line the reader produces is the reader's own document: bytes, line, too-large.
    assert documents > 3000 and blank_lines > 10 and 5 < sum(not doc.data for doc, _ in expected) < documents / 10
    assert 100 < len(invalid) < documents
    checks = replace(checks, native=native)
    calls = []
    real = pipeline.check
    monkeypatch.setattr(pipeline, "check", lambda data, **options: calls.append(data) or real(data, **options))
    # Spans of a few lines and small report pieces: every cut, rest and tail is exercised.
    for span_bytes, limit in ((bulk.SPAN_BYTES, bulk.REPORT_LIMIT), (5000, 7)):
        monkeypatch.setattr(bulk, "SPAN_BYTES", span_bytes)
        monkeypatch.setattr(bulk, "REPORT_LIMIT", limit)
        calls.clear()
        assert _run(input_file, checks, list_valid=False) == (invalid, documents, blank_lines)
        # The native loop answers most lines without Python's per-document check (`--project`
        # words the projection's findings from what the native engine found).
        if native:
            assert len(calls) < documents - 2000, (len(calls), documents)  # the mix's 2,500 lines
        else:
            assert len(calls) == documents - sum(not doc.data for doc, _ in expected)
        assert _run(input_file, checks, list_valid=True) == (expected, documents, blank_lines)


def test_bulk_native_path_with_two_jobs_and_quotes(
    input_file: Path, oracles: dict[Checks, tuple[list[bulk.Reported], int, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "SPAN_BYTES", 20000)
    monkeypatch.setattr(bulk, "REPORT_LIMIT", 11)
    expected, documents, blank_lines = oracles[Checks(profile="contract")]

    def quote(data: bytes, violation: Violation) -> str:
        return f"{violation.rule} in {data[:20]!r}"

    found, *counts = _run(
        input_file, Checks(profile="contract"), jobs=2, list_valid=False, keep_data=False, quote=quote
    )
    assert counts == [documents, blank_lines]
    invalid = [(doc.line, found) for doc, found in expected if found]
    assert [(doc.line, violations) for doc, violations in found] == invalid
    firsts = first_quotes(expected, quote)
    quoted: dict[str, str] = {}
    for doc, _ in found:
        for rule, text in doc.excerpts:
            quoted.setdefault(rule, text)
    assert quoted == firsts and len(firsts) > 5


def test_check_lines_cuts_counts_and_lists(input_file: Path) -> None:
    engine = checker_for(Checks(profile="contract")).engine
    data = b'{"a":1}\n\n \r\n' + b"x" * 9 + b"\n" + b"zz\nnot a line"
    lines = engine.lines(data, "contract", max_document_bytes=8, list_valid=False, limit=10)
    assert lines is not None
    consumed, documents, blank_lines, listed = lines
    assert (consumed, documents, blank_lines) == (len(data) - len(b"not a line"), 3, 2)
    assert [(index, data[start:end]) for index, start, end, _ in listed] == [(0, b'{"a":1}'), (3, b"x" * 9), (4, b"zz")]
    assert [verdict is None for *_, verdict in listed] == [False, True, True]  # too large: not read
    stopped = engine.lines(data, "contract", max_document_bytes=8, list_valid=False, limit=1)
    assert stopped is not None and stopped[:3] == (8, 1, 0) and len(stopped[3]) == 1
    assert (
        checker_for(Checks(profile="contract", native=False)).engine.lines(
            data, "contract", max_document_bytes=8, list_valid=False, limit=1
        )
        is None
    )


_EVENT = b"{" + b",".join(key + b":" + value for key, value in BASE) + b"}"
_LINES = [
    _EVENT,
    _EVENT.replace(b'"STARTED"', b'"started"'),  # a field fault the native engine names
    _EVENT.replace(b'"context"', b'"payload"'),  # an alias: declined, the Python path judges
    _EVENT + b"\r",
    b"",
    b" ",
    b"\t\r",
    b"{",
    b'{"pad":"' + b"x" * 300 + b'"}',  # too large at the limit below
    b"\xff",
]


@settings(max_examples=60, deadline=None)
@given(
    picks=st.lists(st.integers(0, len(_LINES) - 1), max_size=60),
    final_line_end=st.booleans(),
    span_bytes=st.integers(1, 3000),
    limit=st.integers(1, 5),
    list_valid=st.booleans(),
    profile=st.sampled_from(PROFILES),
)
def test_any_lines_give_the_same_report_natively_and_in_python(
    tmp_path_factory: pytest.TempPathFactory,
    picks: list[int],
    final_line_end: bool,
    span_bytes: int,
    limit: int,
    list_valid: bool,
    profile: str,
) -> None:
    path = tmp_path_factory.mktemp("lines") / "any.ndjson"
    path.write_bytes(b"\n".join(_LINES[pick] for pick in picks) + (b"\n" if final_line_end and picks else b""))
    saved = bulk.SPAN_BYTES, bulk.REPORT_LIMIT
    bulk.SPAN_BYTES, bulk.REPORT_LIMIT = span_bytes, limit
    try:
        answers = []
        for native in (True, False):
            reader = iter_documents([str(path)], max_document_bytes=200)
            checker = checker_for(Checks(profile=profile, native=native))
            try:
                found = list(check_stream(reader, checker, list_valid=list_valid))
            except InputError as exc:  # no document at all: the same error both ways
                answers.append(str(exc))
                continue
            answers.append((found, reader.documents, reader.blank_lines))
    finally:
        bulk.SPAN_BYTES, bulk.REPORT_LIMIT = saved
    assert answers[0] == answers[1]
