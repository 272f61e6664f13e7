"""The `json` format: one compact JSON record per document per line, then one summary record.

ASCII-only output (`ensure_ascii`) so that any message or path comes out as valid JSON whatever
the stream's encoding. A lone surrogate, which strict parsers (orjson, serde_json) refuse even
as a `\\u` escape, never reaches the output: a file name's undecodable byte (Python holds it as
U+DC80..U+DCFF) is written as the text `\\xNN`, any other lone surrogate as the text `\\uXXXX`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from noetl_envelope.core.violations import Violation
from noetl_envelope.report.base import Reporter, Summary, is_valid
from noetl_envelope.run.reader import Document

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub(_shown, value) if _SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {_without_surrogates(key): _without_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    return value


def _dumps(value: Any) -> str:
    return json.dumps(_without_surrogates(value), separators=(",", ":"), ensure_ascii=True)


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
