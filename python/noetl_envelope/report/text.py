"""The `text` format: one line per finding in compiler style (`path:line: /pointer: message [rule]`,
`path:line: warning: ...` for a warning)."""

from __future__ import annotations

from noetl_envelope.core.violations import Violation
from noetl_envelope.report.base import Reporter, Summary, location, one_line
from noetl_envelope.run.reader import Document


class TextReporter(Reporter):
    @property
    def lists_valid(self) -> bool:
        return not self.quiet

    def document(self, doc: Document, violations: list[Violation]) -> None:
        if not violations:
            if not self.quiet:
                self.stream.write(f"{one_line(location(doc))}: ok\n")
            return
        where = one_line(location(doc))
        for violation in violations:
            # Violation.__str__ is the canonical `/pointer: message [rule]` form; a warning says so.
            mark = "warning: " if violation.severity == "warning" else ""
            self.stream.write(f"{where}: {mark}{one_line(str(violation))}\n")

    def finish(self, summary: Summary) -> None:
        self.stream.write(summary.headline() + "\n")
        for rule_id, count in summary.rule_counts():
            self.stream.write(f"  {rule_id}: {count}\n")
