"""The `json` format: one compact JSON record per document per line, then one summary record.

ASCII-only output (`ensure_ascii`) so that any message or path comes out as valid JSON whatever
the stream's encoding. A file name's undecodable bytes (Python holds them as the lone surrogates
U+DC80..U+DCFF, which strict parsers such as orjson and serde_json refuse even as `\\u`
escapes) are written as the text `\\xNN` in every `source`; messages keep what they quote from
a document as JSON escapes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from noetl_envelope.core.violations import Violation
from noetl_envelope.report.base import LineReporter, Summary, is_valid, line_pieces
from noetl_envelope.run.reader import Document

_UNDECODABLE = re.compile(r"[\udc80-\udcff]")


def _byte(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()) - 0xDC00:02x}"


def file_name(source: str) -> str:
    """`source` with each undecodable byte of a file name as the text `\\xNN`."""
    return _UNDECODABLE.sub(_byte, source) if _UNDECODABLE.search(source) else source


def _sources_shown(value: Any) -> Any:
    # The summary's examples (conform's classes) name sources too.
    if isinstance(value, dict):
        return {
            key: file_name(item) if key == "source" and isinstance(item, str) else _sources_shown(item)
            for key, item in value.items()
        }
    return value


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)


class JsonReporter(LineReporter):
    def pieces(self, doc: Document, violations: list[Violation]) -> list[str]:
        # The record `{"source":...,"line":N,"valid":...,"violations":[...]}`, cut at N.
        rest = {
            "valid": is_valid(violations),
            "violations": [
                {"rule": v.rule, "severity": v.severity, "pointer": v.pointer, "message": v.message} for v in violations
            ],
        }
        return line_pieces([('{"source":' + _dumps(file_name(doc.source)) + ',"line":', "," + _dumps(rest)[1:] + "\n")])

    def finish(self, summary: Summary) -> None:
        self.stream.write(_dumps({"summary": _sources_shown(summary.as_dict())}) + "\n")
