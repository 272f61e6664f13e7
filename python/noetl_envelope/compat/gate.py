"""The comparison itself: diff two schemas, then find a counterexample for every broken cell.

A cell the table in `kinds` calls compatible but for which a document proves otherwise is
marked broken too: the evidence wins over the table (and the tests demand they agree).
"""

from __future__ import annotations

from typing import Any

from noetl_envelope.compat.counterexample import find
from noetl_envelope.compat.diff import diff
from noetl_envelope.compat.judge import Judge
from noetl_envelope.compat.model import CELLS, MODES, Change, Pair, Side


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from `old` to `new`, with broken cells and their counterexamples."""
    pair = Pair(Side.of("old", old), Side.of("new", new))
    judge = Judge()
    changes = diff(old, new)
    for change in changes:
        change.evidence = find(change, pair, judge)
        for cell, example in change.evidence.items():
            change.breaks.setdefault(cell, f"counterexample: {example.violation.message}")
        change.breaks = {cell: change.breaks[cell] for cell in CELLS if cell in change.breaks}
    return changes


def failing(changes: list[Change], mode: str) -> list[Change]:
    """The changes that break a direction the mode guards (Confluent's BACKWARD / FORWARD / FULL)."""
    directions = MODES[mode]
    return [c for c in changes if any(direction in directions for _role, direction in c.breaks)]
