"""The `junit` format: one <testsuite>, one <testcase> per document, a <failure> for an invalid one.

With `--quiet` only the documents with findings are test cases (the invalid ones, and those with
warnings, which `--strict` fails), plus one summary case named `summary` whose output is the
run's headline (every document counted): 100,000 valid events are one case, not 100,000.

CI systems (GitLab, Jenkins, GitHub test reporters) render this as a test list. The suite's
header carries the counts, which are known only at the end, so test cases are streamed to a
temporary file and copied after the header: memory stays constant in the number of documents.

The output is pure ASCII (everything else as character references) so it is well-formed
whatever encoding the stream uses. XML 1.0 cannot carry most control characters even as
references, so those (and lone surrogates) are shown as visible `\\xNN` escapes instead.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from typing import TextIO

from noetl_envelope.core.errors import InputError
from noetl_envelope.core.violations import Violation
from noetl_envelope.report.base import Reporter, Summary, is_valid, location
from noetl_envelope.run.reader import Document

# Characters not allowed in XML 1.0 at all: C0 controls except TAB/LF/CR, surrogates, U+FFFE/F.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}
_NEEDS_ESCAPE = re.compile(r"[&<>\"'\t\n\r\x7f-\U0010ffff]")


def _illegal(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _text(value: str, *, attribute: bool) -> str:
    value = _ILLEGAL.sub(_illegal, value)

    def ref(match: re.Match[str]) -> str:
        char = match.group()
        if char in _ENTITIES:
            return _ENTITIES[char]
        if char in "\t\n\r" and not attribute:
            # Literal in element content; in an attribute, a parser would normalise it to a space.
            return "&#13;" if char == "\r" else char
        return f"&#{ord(char)};"

    return _NEEDS_ESCAPE.sub(ref, value)


def xml_text(value: str) -> str:
    """`value` escaped for element content."""
    return _text(value, attribute=False)


def xml_attr(value: str) -> str:
    """`value` escaped for a double-quoted attribute."""
    return _text(value, attribute=True)


class JunitReporter(Reporter):
    def __init__(self, stream: TextIO, *, quiet: bool = False) -> None:
        super().__init__(stream, quiet=quiet)
        self._listed = 0  # test cases written for documents
        # Only ASCII is written to it (see module docstring), so the encoding is immaterial.
        try:
            self._cases = tempfile.TemporaryFile("w+", encoding="ascii", newline="\n")  # noqa: SIM115 - closed in finish
        except OSError as exc:
            raise self._buffer_error(exc) from exc

    @staticmethod
    def _buffer_error(exc: OSError) -> InputError:
        # The test cases wait in an unnamed temporary file: say where it is, since the message
        # alone ("No space left on device") names no file.
        where = f"junit report's temporary file in {tempfile.gettempdir()}"
        return InputError(f"{where}: cannot write: {exc.strerror or type(exc).__name__}")

    def _buffer(self, text: str) -> None:
        try:
            self._cases.write(text)
        except OSError as exc:
            raise self._buffer_error(exc) from exc

    @property
    def lists_valid(self) -> bool:
        return not self.quiet

    def document(self, doc: Document, violations: list[Violation]) -> None:
        if not violations and self.quiet:
            return
        self._listed += 1
        name = xml_attr(location(doc))
        head = f'  <testcase classname="{xml_attr(doc.source)}" name="{name}" time="0"'
        if not violations:
            self._buffer(head + "/>\n")
            return
        if is_valid(violations):  # warnings only: a passing test case that shows them
            body = "\n".join(f"warning: {v}" for v in violations)
            self._buffer(f"{head}>\n    <system-out>{xml_text(body)}</system-out>\n  </testcase>\n")
            return
        first = next(v for v in violations if v.severity == "error")
        summary = f"{len(violations)} violation{'s' if len(violations) != 1 else ''}: {first}"
        body = "\n".join(("warning: " if v.severity == "warning" else "") + str(v) for v in violations)
        self._buffer(
            f'{head}>\n    <failure type="{xml_attr(first.rule)}" message="{xml_attr(summary)}">'
            f"{xml_text(body)}</failure>\n  </testcase>\n"
        )

    def finish(self, summary: Summary) -> None:
        name = xml_attr(f"noetl-envelope {summary.command} (profile {summary.profile})")
        if self.quiet:
            self._buffer(
                f'  <testcase classname="noetl-envelope" name="summary" time="{summary.elapsed:.3f}">\n'
                f"    <system-out>{xml_text(summary.headline())}</system-out>\n  </testcase>\n"
            )
        tests = self._listed + 1 if self.quiet else summary.documents
        counts = f'tests="{tests}" failures="{summary.invalid}" errors="0" skipped="0"'
        time = f'time="{summary.elapsed:.3f}"'
        out = self.stream
        out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        out.write(f'<testsuites name="{name}" {counts} {time}>\n')
        out.write(f'<testsuite name="{name}" {counts} {time}>\n')
        out.write("  <properties>\n")
        for key, value in (
            ("command", summary.command),
            ("profile", summary.profile),
            ("documents", str(summary.documents)),
            ("blank_lines", str(summary.blank_lines)),
            ("warned", str(summary.warned)),
            *((f"rule.{rule_id}", str(count)) for rule_id, count in summary.rule_counts()),
        ):
            out.write(f'    <property name="{xml_attr(key)}" value="{xml_attr(value)}"/>\n')
        out.write("  </properties>\n")
        try:
            self._cases.flush()
            self._cases.seek(0)
        except OSError as exc:
            raise self._buffer_error(exc) from exc
        shutil.copyfileobj(self._cases, out)
        self._cases.close()
        out.write("</testsuite>\n</testsuites>\n")
