"""The action's job summary: a Markdown table of drift classes from a `conform --format json` report.

Reads the report's last record (the summary: counts and `classes`, each with the number of
documents it affects and its first example) and prints Markdown for $GITHUB_STEP_SUMMARY.
Standard library only: it runs under the tool's own interpreter, whatever engine is installed.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _cell(text: object) -> str:
    """One table cell: pipes escaped, line breaks flattened."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _code(text: object) -> str:
    """Inline code that survives backticks inside it."""
    body = _cell(text).replace("`", "'")
    return f"`{body}`"


def render(summary: dict[str, Any]) -> str:
    producer = summary.get("producer", "?")
    lines = [
        f"### noetl-envelope conform --producer {producer}",
        "",
        f"{summary['documents']} documents checked (profile {summary.get('profile', '?')}): "
        f"{summary['valid']} valid, {summary['invalid']} invalid.",
        "",
    ]
    classes: dict[str, dict[str, Any]] = summary.get("classes") or {}
    if not classes:
        lines.append("No drift: every document is what the Rust struct writes.")
        return "\n".join(lines) + "\n"
    lines += ["| class | documents | first example |", "|---|---:|---|"]
    for rule, info in sorted(classes.items(), key=lambda item: (-item[1]["documents"], item[0])):
        example = info.get("example") or {}
        where = f"{example.get('source', '?')}:{example.get('line', '?')} {example.get('pointer', '')}".strip()
        detail = f"{_cell(where)}: {_cell(example.get('message', ''))}"
        if example.get("bytes"):
            detail += f"<br>{_code(example['bytes'])}"
        lines.append(f"| {_code(rule)} | {info['documents']} | {detail} |")
    lines += ["", "`noetl-envelope rules ID` explains a class and what to change."]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: job_summary.py REPORT.json", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as handle:
            records = [line for line in handle if line.strip()]
        summary = json.loads(records[-1])["summary"]
    except (OSError, IndexError, KeyError, ValueError) as exc:
        print(f"{argv[1]}: not a conform --format json report ({exc})", file=sys.stderr)
        return 2
    sys.stdout.write(render(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
