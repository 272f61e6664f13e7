"""Report formats: one module per `--format` value, all implementing `base.Reporter`.

`REPORTERS` maps the format name to its class; commands build one with `make_reporter`.
"""

from __future__ import annotations

from typing import TextIO

from noetl_envelope.report.base import Reporter, Summary
from noetl_envelope.report.github import GithubReporter
from noetl_envelope.report.json import JsonReporter
from noetl_envelope.report.junit import JunitReporter
from noetl_envelope.report.text import TextReporter

REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "junit": JunitReporter,
    "github": GithubReporter,
}
FORMATS = tuple(REPORTERS)

__all__ = ["FORMATS", "REPORTERS", "Reporter", "Summary", "make_reporter"]


def make_reporter(fmt: str, stream: TextIO, *, quiet: bool = False) -> Reporter:
    """The reporter for `fmt` (one of FORMATS) writing to `stream`."""
    return REPORTERS[fmt](stream, quiet=quiet)
