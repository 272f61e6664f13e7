"""report/: every format on one small mixed set; each document appears once and the counts add up."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest

from noetl_envelope.core.violations import Violation
from noetl_envelope.report import FORMATS, Summary, make_reporter
from noetl_envelope.report.base import one_line
from noetl_envelope.report.github import escape_data, escape_property
from noetl_envelope.report.junit import xml_attr, xml_text
from noetl_envelope.run.reader import Document

TOO_LARGE = Violation("input.too-large", (), "document is 9 bytes, above the limit of 8 bytes; not validated")
# Messages quote document content, so they can hold anything: control characters, markup, '%'.
NASTY = Violation("schema.enum", ("status",), 'got "A\x00B\x1b[31m\n<x>&\'%,:" \ud800 é')

MIXED: list[tuple[Document, list[Violation]]] = [
    (Document("a.ndjson", 1, b"{}"), []),
    (
        Document("a.ndjson", 3, b"{}"),
        [Violation("schema.type", ("execution_id",), "expected an integer, got 1.0"), NASTY],
    ),
    (Document("dir/b,c:d.json", 1, b"{}"), []),
    (Document("big.ndjson", 7, b""), [TOO_LARGE]),
    (Document("e.json", 1, b""), [Violation("json.eof", (), "empty document")]),
]


def run(fmt: str, *, quiet: bool = False) -> tuple[str, Summary]:
    stream = io.StringIO()
    reporter = make_reporter(fmt, stream, quiet=quiet)
    summary = Summary(command="validate", profile="contract", blank_lines=2)
    for doc, violations in MIXED:
        summary.record(violations)
        reporter.document(doc, violations)
    summary.elapsed = 0.25
    reporter.finish(summary)
    return stream.getvalue(), summary


def test_summary_counts() -> None:
    _, summary = run("text")
    assert (summary.documents, summary.valid, summary.invalid) == (5, 2, 3)
    assert summary.rules == {"schema.type": 1, "schema.enum": 1, "input.too-large": 1, "json.eof": 1}
    assert summary.headline() == ("checked 5 documents (profile contract): 2 valid, 3 invalid, 2 blank lines skipped")


def test_text() -> None:
    out, _ = run("text")
    lines = out.splitlines()
    assert lines[:7] == [
        "a.ndjson:1: ok",
        "a.ndjson:3: /execution_id: expected an integer, got 1.0 [schema.type]",
        "a.ndjson:3: /status: " + one_line(NASTY.message) + " [schema.enum]",
        "dir/b,c:d.json:1: ok",
        "big.ndjson:7: /: " + TOO_LARGE.message + " [input.too-large]",
        "e.json:1: /: empty document [json.eof]",
        "checked 5 documents (profile contract): 2 valid, 3 invalid, 2 blank lines skipped",
    ]
    assert sorted(lines[7:]) == sorted(
        f"  {rule}: 1" for rule in ("schema.type", "schema.enum", "input.too-large", "json.eof")
    )
    # The raw newline and escape in the message did not split the line nor reach the terminal.
    assert "\x1b" not in out and "\x00" not in out and "\\n<x>" in out


def test_text_quiet_drops_only_ok_lines() -> None:
    loud, _ = run("text")
    quiet, _ = run("text", quiet=True)
    assert [line for line in loud.splitlines() if not line.endswith(": ok")] == quiet.splitlines()


def test_json_records_parse_and_counts_add_up() -> None:
    out, _ = run("json")
    assert out.isascii()
    records = [json.loads(line) for line in out.splitlines()]
    *docs, last = records
    assert [(r["source"], r["line"], r["valid"]) for r in docs] == [(d.source, d.line, not v) for d, v in MIXED]
    expected = {"rule": "schema.enum", "severity": "error", "pointer": "/status", "message": NASTY.message}
    assert docs[1]["violations"][1] == expected
    assert docs[0]["violations"] == []
    summary = last["summary"]
    assert summary["documents"] == len(docs) == summary["valid"] + summary["invalid"]
    assert summary["invalid"] == sum(not r["valid"] for r in docs)
    assert sum(summary["rules"].values()) == sum(len(r["violations"]) for r in docs)
    assert summary["blank_lines"] == 2 and summary["profile"] == "contract"
    assert summary["command"] == "validate" and summary["elapsed_seconds"] == 0.25


def test_junit_parses_with_the_right_cases_and_failures() -> None:
    out, _ = run("junit")
    assert out.isascii()
    root = ET.fromstring(out.encode())
    (suite,) = root.iter("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [f"{d.source}:{d.line}" for d, _ in MIXED]
    assert suite.get("tests") == "5" and suite.get("failures") == "3" and suite.get("errors") == "0"
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["a.ndjson:3", "big.ndjson:7", "e.json:1"]
    failure = failed[0].find("failure")
    assert failure is not None and failure.get("type") == "schema.type"
    assert failure.text is not None
    body = failure.text.splitlines()
    assert body[0] == "/execution_id: expected an integer, got 1.0 [schema.type]"
    # Markup and non-ASCII survive the round trip; characters XML cannot carry become escapes.
    assert "<x>&'%,:" in body[2] and "é" in body[2] and "\\x00" in body[1] and "\\ud800" in body[2]
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["profile"] == "contract" and props["blank_lines"] == "2" and props["rule.json.eof"] == "1"


def test_xml_escaping() -> None:
    assert xml_text("a<b>&\"'\n\r\t\x01é") == "a&lt;b&gt;&amp;&quot;&apos;\n&#13;\t\\x01&#233;"
    # Whitespace in attributes must be references, or a parser normalises it to spaces.
    assert xml_attr("a\nb\tc") == "a&#10;b&#9;c"
    value = "line1\nline2\t<&>\x7f\U0001f600"
    parsed = ET.fromstring(f'<e a="{xml_attr(value)}">{xml_text(value)}</e>')
    assert parsed.get("a") == value and parsed.text == value


def test_github_workflow_commands() -> None:
    out, _ = run("github")
    lines = out.splitlines()
    assert lines[0] == ("::error file=a.ndjson,line=3,title=schema.type::/execution_id: expected an integer, got 1.0")
    assert lines[1].startswith("::error file=a.ndjson,line=3,title=schema.enum::/status: ")
    # The message's newline, CR and '%' are escaped: the annotation stays on one line.
    assert "%0A<x>&'%25,:" in lines[1]
    assert "\x1b" not in out and "\\x1b" in lines[1] and "\\ud800" in lines[1]
    assert lines[2] == ("::error file=big.ndjson,line=7,title=input.too-large::/: " + TOO_LARGE.message)
    assert lines[3] == "::error file=e.json,line=1,title=json.eof::/: empty document"
    assert lines[4].startswith("::notice::checked 5 documents (profile contract): 2 valid, 3 invalid")
    assert len(lines) == 5  # valid documents make no annotation


def test_github_escaping_rules() -> None:
    assert escape_data("100%\r\nx: y, z") == "100%25%0D%0Ax: y, z"
    assert escape_property("dir/b,c:d.json") == "dir/b%2Cc%3Ad.json"
    assert escape_property("%\n") == "%25%0A"
    assert escape_data("a\x00\tb") == "a\\x00\\tb"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_mentions_every_document(fmt: str) -> None:
    out, _ = run(fmt)
    for doc, violations in MIXED:
        if violations or fmt in ("text", "json", "junit"):
            # github escapes ',' and ':' in the file property.
            name = escape_property(doc.source) if fmt == "github" else doc.source
            assert name in out, (fmt, doc)


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_run_is_still_a_valid_report(fmt: str) -> None:
    stream = io.StringIO()
    reporter = make_reporter(fmt, stream)
    reporter.finish(Summary(command="validate", profile="serde"))
    out = stream.getvalue()
    assert "0 documents" in out or '"documents":0' in out or 'tests="0"' in out
    if fmt == "junit":
        ET.fromstring(out.encode())


# --- warnings: printed, counted and carried in every format; they do not make a document invalid

FLOAT = Violation("canonical.float-roundtrip", ("context", "x"), "2.77e-163 is read by serde_json as its neighbour")
WARNED: list[tuple[Document, list[Violation]]] = [
    (Document("w.ndjson", 1, b"{}"), [FLOAT]),
    (Document("w.ndjson", 2, b"{}"), [Violation("json.eof", (), "empty document"), FLOAT]),
    (Document("w.ndjson", 3, b"{}"), []),
]


def run_warned(fmt: str) -> tuple[str, Summary]:
    stream = io.StringIO()
    reporter = make_reporter(fmt, stream)
    summary = Summary(command="validate", profile="contract")
    for doc, violations in WARNED:
        summary.record(violations)
        reporter.document(doc, violations)
    reporter.finish(summary)
    return stream.getvalue(), summary


def test_a_warning_is_valid_counted_and_fails_only_under_strict() -> None:
    assert FLOAT.severity == "warning"  # the rule's default severity
    _, summary = run_warned("text")
    assert (summary.valid, summary.invalid, summary.warned) == (2, 1, 2)
    assert summary.headline().endswith(": 2 valid, 1 invalid, 2 with warnings")
    assert summary.failed() and summary.failed(strict=True)
    only_warnings = Summary(command="validate", profile="contract")
    only_warnings.record([FLOAT])
    assert not only_warnings.failed() and only_warnings.failed(strict=True)


def test_warnings_in_every_format() -> None:
    text, _ = run_warned("text")
    assert "w.ndjson:1: warning: /context/x: 2.77e-163 is read by serde_json as its neighbour" in text
    assert "w.ndjson:2: /: empty document [json.eof]" in text
    records = [json.loads(line) for line in run_warned("json")[0].splitlines()]
    assert [r["valid"] for r in records[:3]] == [True, False, True]
    assert records[0]["violations"][0]["severity"] == "warning"
    assert records[-1]["summary"]["warned"] == 2
    root = ET.fromstring(run_warned("junit")[0].encode())
    first, second, _ = root.iter("testcase")
    assert first.find("failure") is None and "warning: /context/x" in (first.findtext("system-out") or "")
    failure = second.find("failure")
    assert failure is not None and failure.get("type") == "json.eof"
    github = run_warned("github")[0].splitlines()
    assert github[0].startswith("::warning file=w.ndjson,line=1,title=canonical.float-roundtrip::")
    assert github[1].startswith("::error file=w.ndjson,line=2,title=json.eof::")
