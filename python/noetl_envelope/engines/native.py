"""Typed access to the optional native accelerator `noetl_envelope_accel` (rust/accel).

The compiled module ships in the platform wheel and is built by every source install where cargo
is (`make setup`, `pip install` of the sdist or a git URL: maturin is the build backend); where no
binary can be had everything works without it (slower). `load(spec)` returns its
`Prover(spec)`, typed (`prove`, `check` and `check_lines`, the bulk loop), or None when the
module is not installed.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Protocol, cast

from noetl_envelope.core.violations import JsonPath
from noetl_envelope.projection.findings import Projection

# The float tokens serde_json's default parser reads as a neighbouring double, as (path, token,
# the double serde_json reads) in document order.
Misreads = list[tuple[JsonPath, str, float]]
# `Prover.check`'s answer when it knows: what a document holds besides serde_json's own bytes,
# (misreads, undeclared top-level keys, absent required fields, fields failing the schema's
# string or i64 checks as (name, start, end): where the value's JSON text is, top-level keys
# that are serde aliases, where each top-level key's JSON string is: its start and end packed as
# native-endian u64, in order, read by `key_spans`); all but the last empty = valid.
Verdict = tuple[Misreads, list[str], list[str], list[tuple[str, int, int]], list[str], bytes]

# `Prover.check_lines`'s answer for one buffer of NDJSON lines: (bytes consumed, documents,
# blank lines, listed lines as (0-based line number in the buffer, start, end, verdict)); the
# verdict is None for a line the native engine declined or did not read (above a limit).
Lines = tuple[int, int, int, list[tuple[int, int, int, Verdict | None]]]
LinesCheck = Callable[[bytes, str, int, bool, int, bool], Lines]


def key_spans(packed: bytes) -> list[tuple[int, int]]:
    """A verdict's packed key spans as (start, end) pairs, in document order."""
    offsets = memoryview(packed).cast("Q")
    return list(zip(offsets[::2], offsets[1::2], strict=True))


MODULE = "noetl_envelope_accel"
SWITCH = "NOETL_ENVELOPE_ACCEL"  # "0" keeps the fast engine from using the module


def wanted() -> bool:
    """Whether the environment lets the fast engine use the module (read when an engine is made)."""
    return os.environ.get(SWITCH, "1") != "0"


class Prover(Protocol):
    """`noetl_envelope_accel.Prover`: built from the compiled field specs (JSON)."""

    def __init__(self, spec: str) -> None: ...

    def prove(self, data: bytes, profile: str) -> bool:
        """True only if the reference engine reports nothing for `data` under `profile`."""
        ...

    def project(self, data: bytes, profile: str) -> Projection | None:
        """None ("don't know": not read to the end, a fault beside misread floats, or U+0000),
        or what projecting `data` into `noetl.event` may change (`findings.Projection`)."""
        ...

    def check(self, data: bytes, profile: str) -> Verdict | None:
        """None ("don't know"), or what `data` holds besides serde_json's own bytes."""
        ...

    def check_lines(
        self,
        data: bytes,
        profile: str,
        max_document_bytes: int,
        list_valid: bool,
        report_limit: int,
        project: bool = False,
    ) -> Lines:
        """`check` of every line of `data` (cut at b"\n"; bytes after the last one are left),
        with the GIL released: counts, and the lines not proved valid (every line with
        `list_valid`; with `project`, also the valid lines `project` finds changes in);
        lines above `max_document_bytes` are listed unread; it stops after `report_limit` listed
        lines."""
        ...


def available() -> bool:
    """Whether the compiled module can be imported."""
    try:
        importlib.import_module(MODULE)
    except ImportError:
        return False
    return True


def load(spec: str) -> Prover | None:
    """`Prover(spec)`, or None when the compiled module is not installed."""
    try:
        module = importlib.import_module(MODULE)
    except ImportError:
        return None
    prover_class = cast(type[Prover], module.Prover)
    return prover_class(spec)
