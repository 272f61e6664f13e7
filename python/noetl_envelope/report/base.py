"""The shared part of every report format: the `Summary` of a run and the `Reporter` interface.

A command feeds each document and its violations to one reporter, in input order, then calls
`finish` once with the summary. Reporters write as they go (JUnit buffers in a temporary file)
so memory stays constant in the number of documents.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from noetl_envelope.core.violations import Violation
from noetl_envelope.run.reader import Document


def is_valid(violations: list[Violation]) -> bool:
    """A document is valid exactly when none of its violations is an error (warnings allowed)."""
    return all(v.severity != "error" for v in violations)


@dataclass(slots=True)
class Summary:
    """Totals of one run; `rules` counts violations (not documents) per rule id, errors and
    warnings alike; `warned` counts documents with at least one warning; `ignored` counts the
    violations of rules the user asked to ignore, per rule id (they decide nothing)."""

    command: str
    profile: str
    documents: int = 0
    valid: int = 0
    invalid: int = 0
    warned: int = 0
    blank_lines: int = 0
    rules: Counter[str] = field(default_factory=Counter)
    ignored: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0

    def record(self, violations: list[Violation]) -> None:
        """Count one document with its violations ([] = valid)."""
        self.documents += 1
        if not violations:
            self.valid += 1
            return
        if is_valid(violations):
            self.valid += 1
        else:
            self.invalid += 1
        if any(v.severity == "warning" for v in violations):
            self.warned += 1
        self.rules.update(v.rule for v in violations)

    def note(self, doc: Document, violations: list[Violation]) -> None:
        """Keep what this summary shows of a reported document beyond its counts (conform's
        classes); called after `record`, with the violations the report shows. Nothing here."""

    def fresh(self) -> Summary:
        """An empty summary of the same kind, to count a part of the input in (a worker's unit)."""
        return type(self)(self.command, self.profile)

    def add(self, other: Summary, offset: int = 0) -> None:
        """Count in the documents `other` recorded (a part of the input counted elsewhere, its
        line numbers `offset` lines short of their place in the file)."""
        self.documents += other.documents
        self.valid += other.valid
        self.invalid += other.invalid
        self.warned += other.warned
        self.rules.update(other.rules)
        self.ignored.update(other.ignored)

    def failed(self, *, strict: bool = False) -> bool:
        """Whether the run has findings (exit 1): an invalid document, or under `strict` a warning."""
        return bool(self.invalid or (strict and self.warned))

    def settle(self, documents: int, blank_lines: int) -> None:
        """Close the counts with the reader's totals: documents never recorded one by one (a
        reporter that does not list valid documents is not sent them) were valid."""
        self.valid += documents - self.documents
        self.documents = documents
        self.blank_lines = blank_lines

    def headline(self) -> str:
        """`checked 12 documents (profile contract): 10 valid, 2 invalid`, plus blank lines if any."""
        noun = "document" if self.documents == 1 else "documents"
        text = f"checked {self.documents} {noun} (profile {self.profile}): {self.valid} valid, {self.invalid} invalid"
        if self.warned:
            text += f", {self.warned} with warnings"
        if self.ignored:
            total = sum(self.ignored.values())
            text += f", {total} ignored violation{'s' if total != 1 else ''}"
        if self.blank_lines:
            text += f", {self.blank_lines} blank line{'s' if self.blank_lines != 1 else ''} skipped"
        return text

    def rule_counts(self) -> list[tuple[str, int]]:
        """Per-rule violation counts, most frequent first, then by id (a stable order)."""
        return sorted(self.rules.items(), key=lambda item: (-item[1], item[0]))

    def as_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "profile": self.profile,
            "documents": self.documents,
            "valid": self.valid,
            "invalid": self.invalid,
            "warned": self.warned,
            "blank_lines": self.blank_lines,
            "rules": dict(self.rule_counts()),
            "ignored": dict(sorted(self.ignored.items())),
            "schema": schema_record(),
            "elapsed_seconds": round(self.elapsed, 6),
        }


def schema_record() -> dict[str, str]:
    """The schema the run used and how it was chosen (`core.config`), for a user debugging discovery."""
    from noetl_envelope.model.schema import schema_origin, schema_path, schema_version

    return {"file": str(schema_path()), "version": schema_version(), "from": schema_origin()}


def report_all(
    checked: Iterable[tuple[Document, list[Violation]]],
    summary: Summary,
    reporter: Reporter,
    *,
    ignore: frozenset[str] = frozenset(),
) -> None:
    """Count and report every checked document, in order; violations of an `ignore`d rule are
    counted as ignored and decide nothing. The summary's `note` sees what the reporter sees."""
    for doc, found in checked:
        reporter.document(doc, _counted(doc, found, summary, ignore))


def _counted(doc: Document, found: list[Violation], summary: Summary, ignore: frozenset[str]) -> list[Violation]:
    """`found` without the violations of `ignore`d rules, recorded and noted in `summary`
    (those as ignored)."""
    violations = found
    if ignore:
        violations = [v for v in found if v.rule not in ignore]
        summary.ignored.update(v.rule for v in found if v.rule in ignore)
    summary.record(violations)
    summary.note(doc, violations)
    return violations


@dataclass(slots=True)
class Rendered:
    """Some documents' report, made where they were checked (a --jobs worker): what they add
    to the summary, and per document its line number and the pieces of its report text the
    line number goes between (`LineReporter.pieces`)."""

    summary: Summary
    texts: list[tuple[int, list[str]]]


def render(
    checked: Iterable[tuple[Document, list[Violation]]],
    reporter: LineReporter,
    summary: Summary,
    *,
    ignore: frozenset[str] = frozenset(),
) -> Rendered:
    """`checked` counted (in a `fresh` copy of `summary`) and reported as `report_all` would,
    as text still without line numbers."""
    rendered = Rendered(summary.fresh(), [])
    for doc, found in checked:
        pieces = reporter.pieces(doc, _counted(doc, found, rendered.summary, ignore))
        if pieces:
            rendered.texts.append((doc.line, pieces))
    return rendered


def report_rendered(parts: Iterable[tuple[int, Rendered]], summary: Summary, reporter: LineReporter) -> None:
    """Each `Rendered` part, its line numbers placed `offset` lines on, counted and written in order."""
    for offset, part in parts:
        summary.add(part.summary, offset)
        if part.texts:
            reporter.stream.write("".join(str(line + offset).join(pieces) for line, pieces in part.texts))


class Reporter(ABC):
    """One output format. `quiet` asks formats that list valid documents to leave them out."""

    def __init__(self, stream: TextIO, *, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet

    @property
    def lists_valid(self) -> bool:
        """Whether `document` writes anything for a valid document; when not, a command may
        skip sending valid documents (and only count them, see `Summary.settle`)."""
        return True

    @abstractmethod
    def document(self, doc: Document, violations: list[Violation]) -> None:
        """Report one document ([] = valid)."""

    @abstractmethod
    def finish(self, summary: Summary) -> None:
        """Write whatever closes the report; called exactly once, after the last document."""


class LineReporter(Reporter):
    """A format whose report of a document is text in which only the line number depends on
    where the document is in its file: it can be rendered where the document was checked
    and the number filled in later (`render`, `report_rendered`)."""

    @abstractmethod
    def pieces(self, doc: Document, violations: list[Violation]) -> list[str]:
        """The report of `doc` ([] = valid) cut where its line number goes (`line_pieces`);
        [] when it writes nothing. `doc.line` is not looked at."""

    def document(self, doc: Document, violations: list[Violation]) -> None:
        self.stream.write(str(doc.line).join(self.pieces(doc, violations)))


def line_pieces(lines: Iterable[tuple[str, str]]) -> list[str]:
    """Report lines, each `before` + line number + `after`, as the pieces one line number joins."""
    pieces: list[str] = []
    after = None
    for before, next_after in lines:
        pieces.append(before if after is None else after + before)
        after = next_after
    if after is not None:
        pieces.append(after)
    return pieces


def location(doc: Document) -> str:
    """`path:line`, the way compilers and editors point at a place in a file."""
    return f"{doc.source}:{doc.line}"


_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_CONTROL_BUT_LINE_BREAKS = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def one_line(text: str) -> str:
    """`text` with control characters (and lone surrogates) shown as escapes.

    Messages may quote document content and paths may hold anything: a raw newline would split a
    line-oriented report and a raw escape sequence could drive the user's terminal. Lone
    surrogates cannot be encoded at all.
    """
    # Control characters and surrogates are never printable: most texts need no search.
    return text if text.isprintable() else _CONTROL.sub(_escape_char, text)


def visible(text: str) -> str:
    """Like `one_line` but leaves CR and LF alone, for formats that escape those their own way."""
    return text if text.isprintable() else _CONTROL_BUT_LINE_BREAKS.sub(_escape_char, text)


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    special = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
    if special:
        return special
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
