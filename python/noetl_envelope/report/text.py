"""The `text` format: one line per finding in compiler style (`path:line: /pointer: message [rule]`,
`path:line: warning: ...` for a warning)."""

from __future__ import annotations

from noetl_envelope.core.violations import Violation
from noetl_envelope.report.base import LineReporter, Summary, line_pieces, one_line
from noetl_envelope.run.reader import Document


class TextReporter(LineReporter):
    @property
    def lists_valid(self) -> bool:
        return not self.quiet

    def pieces(self, doc: Document, violations: list[Violation]) -> list[str]:
        # `path:line`: a line number is never a control character, so one_line of the path is
        # one_line of the location.
        where = one_line(doc.source) + ":"
        if not violations:
            return [] if self.quiet else line_pieces([(where, ": ok\n")])
        # Violation.__str__ is the canonical `/pointer: message [rule]` form; a warning says so.
        return line_pieces(
            (where, f": {'warning: ' if v.severity == 'warning' else ''}{one_line(str(v))}\n") for v in violations
        )

    def finish(self, summary: Summary) -> None:
        self.stream.write(summary.headline() + "\n")
        for rule_id, count in summary.rule_counts():
            self.stream.write(f"  {rule_id}: {count}\n")
