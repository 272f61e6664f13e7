"""The `github` format: GitHub Actions workflow commands, which annotate the file in the PR view.

Escaping follows @actions/core (`escapeData` / `escapeProperty` in command.ts): data escapes
'%', CR and LF; a property value additionally escapes ':' and ','. Other control
characters are shown as `\\xNN` escapes.
"""

from __future__ import annotations

from noetl_envelope.core.violations import Violation
from noetl_envelope.report.base import LineReporter, Summary, line_pieces, visible
from noetl_envelope.run.reader import Document


def escape_data(text: str) -> str:
    # Other control characters (and lone surrogates) become visible escapes first: the log
    # viewer is a terminal emulator, and a surrogate cannot be written at all.
    text = visible(text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter(LineReporter):
    @property
    def lists_valid(self) -> bool:
        return False

    def pieces(self, doc: Document, violations: list[Violation]) -> list[str]:
        # Valid documents produce no annotation: only findings belong in the PR view.
        file = escape_property(doc.source)
        return line_pieces(
            (
                f"::{'warning' if v.severity == 'warning' else 'error'} file={file},line=",
                f",title={escape_property(v.rule)}::{escape_data((v.pointer or '/') + ': ' + v.message)}\n",
            )
            for v in violations
        )

    def finish(self, summary: Summary) -> None:
        text = summary.headline()
        if summary.rules:
            text += "; " + ", ".join(f"{rule_id}: {count}" for rule_id, count in summary.rule_counts())
        self.stream.write(f"::notice::{escape_data(text)}\n")
