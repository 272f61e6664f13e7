"""`noetl-envelope conform`: does a producer emit exactly what the schema's struct serializes to?

For each document: is it contract-valid, is it canonical (byte for byte what serde_json writes,
which includes decode -> encode giving the same bytes and serde_json reading its floats back
unchanged), and if not, why (the drift classes of `drift.py`). A Rust producer (`--producer
rust`) that is not canonical means its struct and schema/ drifted apart; a Python producer
(`--producer python`) must emit canonical bytes too, so the checks are the same and only the
wording differs.

Every document is reported through the usual reporters (its violations are the contract
violations plus the drift findings), then a table of classes: how many documents show each
rule or drift class, with the first example (file:line, pointer, the bytes there, truncated).
Text prints the table at the end, json puts it in the summary record (`classes`). Memory is
constant: documents stream through and only the first example per class is kept.

This module is imported when the CLI parser is built, so it imports nothing heavy at the top.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

from noetl_envelope.commands.options import (
    EXIT_FINDINGS,
    EXIT_OK,
    add_engine,
    add_jobs,
    add_paths,
    add_report,
    add_verdicts,
    jobs_for,
    report_checked,
    report_stream,
)
from noetl_envelope.core.violations import Violation
from noetl_envelope.report import Summary, make_reporter
from noetl_envelope.report.base import one_line
from noetl_envelope.run.reader import Document, iter_documents

PRODUCERS = ("rust", "python")
EXAMPLE_BYTES = 120  # how much of a document an example shows
_EXAMPLE_LEAD = 24  # of which this many come before the offending value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--producer",
        choices=PRODUCERS,
        default="rust",
        help="who wrote the documents (default rust): for both, anything non-canonical is drift",
    )
    add_engine(parser)
    add_jobs(parser)
    add_verdicts(parser)
    add_report(parser)
    add_paths(parser)


@dataclass(slots=True)
class Example:
    """The first document showing a class, and where."""

    source: str
    line: int
    pointer: str
    message: str
    excerpt: str
    severity: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "source": self.source,
            "line": self.line,
            "pointer": self.pointer,
            "message": self.message,
            "bytes": self.excerpt,
        }


@dataclass(slots=True)
class ConformSummary(Summary):
    """`Summary` plus the producer and, per rule / drift class, documents affected and a first example."""

    producer: str = "rust"
    class_documents: dict[str, int] = field(default_factory=dict)
    examples: dict[str, Example] = field(default_factory=dict)

    def fresh(self) -> ConformSummary:
        return ConformSummary(self.command, self.profile, producer=self.producer)

    def add(self, other: Summary, offset: int = 0) -> None:
        Summary.add(self, other, offset)
        assert isinstance(other, ConformSummary)
        for rule, count in other.class_documents.items():
            self.class_documents[rule] = self.class_documents.get(rule, 0) + count
        for rule, example in other.examples.items():
            if rule not in self.examples:  # the first in the input: `other` counted a later part
                self.examples[rule] = replace(example, line=example.line + offset)

    def note(self, doc: Document, violations: list[Violation]) -> None:
        for violation in violations:
            rule = violation.rule
            if rule in self.examples:
                continue
            self.examples[rule] = Example(
                doc.source,
                doc.line,
                violation.pointer,
                violation.message,
                dict(doc.excerpts).get(rule, ""),  # quoted by the worker: the bytes stayed there
                violation.severity,
            )
        for rule in {v.rule for v in violations}:
            self.class_documents[rule] = self.class_documents.get(rule, 0) + 1

    def classes(self) -> list[tuple[str, int, Example]]:
        """(rule id, documents, first example), most documents first, then by id."""
        ordered = sorted(self.class_documents.items(), key=lambda item: (-item[1], item[0]))
        return [(rule, count, self.examples[rule]) for rule, count in ordered]

    def headline(self) -> str:
        # Explicit base call: zero-argument super() does not work in a slots dataclass on 3.11.
        return f"conform --producer {self.producer}: " + Summary.headline(self)

    def as_dict(self) -> dict[str, Any]:
        record = Summary.as_dict(self)
        record["producer"] = self.producer
        record["classes"] = {
            rule: {"documents": count, "example": example.as_dict()} for rule, count, example in self.classes()
        }
        return record


def _excerpt(data: bytes, violation: Violation) -> str:
    """The document's bytes around the value `violation` is about, as readable one-line text
    (computed in the worker that holds the bytes: `check_stream`'s `quote`)."""
    from noetl_envelope.profiles.drift import path_offset

    offset = path_offset(data, violation.path) or 0
    start = max(0, offset - _EXAMPLE_LEAD)
    chunk = data[start : start + EXAMPLE_BYTES]
    text = chunk.decode("utf-8", "backslashreplace")
    return ("..." if start else "") + text + ("..." if start + EXAMPLE_BYTES < len(data) else "")


def write_class_table(summary: ConformSummary, stream: TextIO) -> None:
    """The text format's closing table: per class, documents affected and the first example."""
    table = summary.classes()
    if not table:
        return
    stream.write("classes (documents affected, first example):\n")
    for rule, count, example in table:
        where = one_line(f"{example.source}:{example.line}")
        mark = " (warning)" if example.severity == "warning" else ""
        pointer, message = one_line(example.pointer or "/"), one_line(example.message)
        stream.write(f"  {rule}{mark}: {count} at {where}: {pointer}: {message}\n")
        stream.write(f"    bytes: {one_line(example.excerpt)}\n")
    drifted = [rule for rule, _, example in table if example.severity == "error"]
    if any(rule.startswith("drift.") or rule.startswith("canonical.") for rule in drifted):
        if summary.producer == "rust":
            stream.write("drift: the Rust struct and schema/ disagree; `noetl-envelope rules ID` explains each class\n")
        else:
            stream.write("drift: this Python producer does not write canonical bytes; use noetl_envelope.encode\n")
    if any(example.severity == "warning" for _, _, example in table):
        stream.write(
            "warnings: not drift, facts about consumers (exit 0 unless --strict); e.g. a float serde_json's "
            "default parser reads back as a neighbour: enable serde_json's float_roundtrip feature on the consumer\n"
        )


def run(args: argparse.Namespace) -> int:
    from noetl_envelope.pipeline import Checks, checker_for

    started = time.monotonic()
    documents = iter_documents(args.paths)
    summary = ConformSummary(command="conform", profile="canonical", producer=args.producer)
    with report_stream(args.output, documents) as stream:
        documents.before_wait = stream.flush  # standard input: what is reported shows before a wait
        reporter = make_reporter(args.format, stream, quiet=args.quiet)
        check = checker_for(Checks(profile="canonical", engine=args.engine, drift=True))
        jobs = jobs_for(args.jobs, documents)
        report_checked(documents, check, summary, reporter, jobs=jobs, ignore=frozenset(args.ignore), quote=_excerpt)
        summary.elapsed = time.monotonic() - started
        reporter.finish(summary)
        if args.format == "text":
            write_class_table(summary, stream)
    return EXIT_FINDINGS if summary.failed(strict=args.strict) else EXIT_OK


__all__ = ["PRODUCERS", "ConformSummary", "configure", "run"]
