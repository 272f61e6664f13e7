"""The `json` format: one compact JSON record per document per line, then one summary record.

ASCII-only output (`ensure_ascii`) so that any message or path, lone surrogates included,
comes out as valid JSON whatever the stream's encoding.
"""

from __future__ import annotations

import json
from typing import Any

from noetl_envelope.core.violations import Violation
from noetl_envelope.report.base import Reporter, Summary, is_valid
from noetl_envelope.run.reader import Document


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)


class JsonReporter(Reporter):
    def document(self, doc: Document, violations: list[Violation]) -> None:
        record = {
            "source": doc.source,
            "line": doc.line,
            "valid": is_valid(violations),
            "violations": [
                {"rule": v.rule, "severity": v.severity, "pointer": v.pointer, "message": v.message} for v in violations
            ],
        }
        self.stream.write(_dumps(record) + "\n")

    def finish(self, summary: Summary) -> None:
        self.stream.write(_dumps({"summary": summary.as_dict()}) + "\n")
