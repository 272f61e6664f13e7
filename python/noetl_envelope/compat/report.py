"""The compat report in the four `--format`s: text, json (one record per line), junit, github.

Each change is shown with its rule id, JSON pointer, the role x direction table and, for every
broken cell, the counterexample document. The escaping helpers are the ones the document
reports use (report.base, report.github, report.junit), so every format stays as robust.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, TextIO

from noetl_envelope.compat.model import DIRECTION_TITLES, DIRECTIONS, ROLES, Change, Counterexample
from noetl_envelope.core.violations import Violation
from noetl_envelope.report.base import one_line
from noetl_envelope.report.github import escape_data, escape_property
from noetl_envelope.report.junit import xml_attr, xml_text


@dataclass(slots=True)
class CompatReport:
    old_label: str
    old_version: str
    new_label: str
    new_version: str
    mode: str
    changes: list[Change]
    failing: list[Change]  # the changes that fail the gate in this mode (classify-only runs)
    policy: bool  # whether the version policy was applied
    findings: list[Violation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {"changes": len(self.changes), "backward": 0, "forward": 0, "none": 0}
        for change in self.changes:
            counts[change.severity] += 1
        return counts

    def ok(self) -> bool:
        return not self.findings if self.policy else not self.failing

    def headline(self) -> str:
        c = self.counts()
        text = (
            f"{c['changes']} change{'s' if c['changes'] != 1 else ''} from {self.old_version} to {self.new_version}: "
            f"{c['backward']} backward-incompatible, {c['forward']} forward-incompatible, {c['none']} without effect"
        )
        if self.policy:
            return text + f"; version policy: {len(self.findings)} violation{'s' if len(self.findings) != 1 else ''}"
        return text + f"; mode {self.mode}: {'compatible' if not self.failing else 'BREAKING'}"


def grouped_evidence(change: Change) -> list[tuple[list[Counterexample], bytes]]:
    """Counterexamples grouped by document, so one document proving several cells is shown once."""
    groups: dict[bytes, list[Counterexample]] = {}
    for example in change.evidence.values():
        groups.setdefault(example.document, []).append(example)
    return [(examples, document) for document, examples in groups.items()]


def write(report: CompatReport, fmt: str, stream: TextIO, *, quiet: bool = False) -> None:
    {"text": _text, "json": _json, "junit": _junit, "github": _github}[fmt](report, stream, quiet)


def _cell_text(change: Change, role: str, direction: str) -> str:
    why = change.breaks.get((role, direction))
    if why is None:
        return "ok"
    proof = "" if (role, direction) in change.evidence else " (no counterexample among the generated documents)"
    return f"BREAKS: {why}{proof}"


def _text(report: CompatReport, out: TextIO, quiet: bool) -> None:
    out.write(
        one_line(f"compare {report.old_version} ({report.old_label}) -> {report.new_version} ({report.new_label})")
        + "\n"
    )
    for note in report.notes:
        out.write(one_line(f"note: {note}") + "\n")
    legend = "; ".join(f"{d} = {DIRECTION_TITLES[d]}" for d in DIRECTIONS)
    out.write(f"({legend})\n")
    for change in report.changes:
        if quiet and not change.breaks:
            continue
        out.write("\n" + one_line(f"{change.rule} {change.pointer}: {change.message}") + "\n")
        if not change.breaks:
            out.write("  no effect on any consumer or producer\n")
            continue
        for role in ROLES:
            cells = "; ".join(f"{d}: {_cell_text(change, role, d)}" for d in DIRECTIONS)
            out.write(one_line(f"  {role:<9} {cells}") + "\n")
        for examples, document in grouped_evidence(change):
            cells = ", ".join(f"{e.cell[0]} {e.cell[1]}" for e in examples)
            out.write(f"  counterexample ({cells}):\n")
            out.write("    " + one_line(document.decode("utf-8", "replace")) + "\n")
            for example in examples:
                out.write("      " + one_line(f"{example.cell[0]}: {example.describe()}") + "\n")
    if report.findings:
        out.write("\n")
    for finding in report.findings:
        out.write(one_line(f"policy: {finding.rule}: {finding.message}") + "\n")
    out.write("\n" + report.headline() + "\n")


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)


def change_record(change: Change) -> dict[str, Any]:
    return {
        "rule": change.rule,
        "pointer": change.pointer,
        "message": change.message,
        "severity": change.severity,
        "effects": {
            role: {d: ("breaking" if (role, d) in change.breaks else "ok") for d in DIRECTIONS} for role in ROLES
        },
        "why": {f"{role}.{d}": why for (role, d), why in change.breaks.items()},
        "counterexamples": [
            {
                "role": e.cell[0],
                "direction": e.cell[1],
                "document": e.document.decode("utf-8", "replace"),
                "writer": e.writer,
                "reader": e.reader,
                "violation": {"rule": e.violation.rule, "pointer": e.violation.pointer, "message": e.violation.message},
            }
            for e in change.evidence.values()
        ],
    }


def _json(report: CompatReport, out: TextIO, quiet: bool) -> None:
    for change in report.changes:
        if not (quiet and not change.breaks):
            out.write(_dumps({"change": change_record(change)}) + "\n")
    for finding in report.findings:
        out.write(
            _dumps({"policy": {"rule": finding.rule, "pointer": finding.pointer, "message": finding.message}}) + "\n"
        )
    summary = {
        "command": "compat",
        "old": {"source": report.old_label, "version": report.old_version},
        "new": {"source": report.new_label, "version": report.new_version},
        "mode": report.mode,
        "policy": report.policy,
        **report.counts(),
        "policy_violations": len(report.findings),
        "ok": report.ok(),
        "notes": report.notes,
    }
    out.write(_dumps({"summary": summary}) + "\n")


def _junit(report: CompatReport, out: TextIO, quiet: bool) -> None:
    cases: list[str] = []
    for change in report.changes:
        head = f'  <testcase classname="{xml_attr(change.rule)}" name="{xml_attr(change.pointer)}" time="0"'
        if change not in report.failing and not change.breaks:
            cases.append(head + "/>\n")
            continue
        body = "\n".join(
            [f"{role} {d}: {why}" for (role, d), why in change.breaks.items()]
            + [
                f"counterexample ({e.cell[0]} {e.cell[1]}): {e.document.decode('utf-8', 'replace')}"
                for e in change.evidence.values()
            ]
        )
        tag = "failure" if (report.policy is False and change in report.failing) else "system-out"
        if tag == "failure":
            cases.append(
                f'{head}>\n    <failure type="{xml_attr(change.rule)}" message="{xml_attr(change.message)}">'
                f"{xml_text(body)}</failure>\n  </testcase>\n"
            )
        else:
            cases.append(
                f"{head}>\n    <system-out>{xml_text(change.message + chr(10) + body)}</system-out>\n  </testcase>\n"
            )
    for finding in report.findings:
        cases.append(
            f'  <testcase classname="{xml_attr(finding.rule)}" name="{xml_attr(finding.pointer or "/")}" time="0">\n'
            f'    <failure type="{xml_attr(finding.rule)}" message="{xml_attr(finding.message)}">'
            f"{xml_text(finding.message)}</failure>\n  </testcase>\n"
        )
    failures = len(report.findings) + (0 if report.policy else len(report.failing))
    name = xml_attr(f"noetl-envelope compat {report.old_version} -> {report.new_version}")
    counts = f'tests="{len(cases)}" failures="{failures}" errors="0" skipped="0"'
    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    out.write(f'<testsuites name="{name}" {counts}>\n<testsuite name="{name}" {counts}>\n')
    out.writelines(cases)
    out.write("</testsuite>\n</testsuites>\n")


def _github(report: CompatReport, out: TextIO, quiet: bool) -> None:
    file = escape_property(report.new_label)
    for change in report.changes:
        if not change.breaks:
            continue
        level = "error" if (not report.policy and change in report.failing) else "warning"
        cells = ", ".join(f"{role} {d}" for role, d in change.breaks)
        example = next(iter(change.evidence.values()), None)
        proof = (
            f"\ncounterexample: {example.document.decode('utf-8', 'replace')}\n{example.describe()}" if example else ""
        )
        text = f"{change.pointer}: {change.message}; breaks {cells}{proof}"
        out.write(f"::{level} file={file},title={escape_property(change.rule)}::{escape_data(text)}\n")
    for finding in report.findings:
        out.write(f"::error file={file},title={escape_property(finding.rule)}::{escape_data(finding.message)}\n")
    out.write(f"::notice::{escape_data(report.headline())}\n")
