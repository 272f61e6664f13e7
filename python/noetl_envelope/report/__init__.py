"""Report formats: one module per `--format` value, all implementing `base.Reporter`.

`REPORTERS` maps the format name to its module and class; commands build one with
`make_reporter`.
"""

from __future__ import annotations

import importlib
from typing import TextIO

from noetl_envelope.report.base import Reporter, Summary

# Format name -> (module, class). Modules load when their format is asked for: every command
# start needs the names, few runs need more than one format (junit alone pulls in tempfile).
REPORTERS: dict[str, tuple[str, str]] = {
    "text": ("noetl_envelope.report.text", "TextReporter"),
    "json": ("noetl_envelope.report.json", "JsonReporter"),
    "junit": ("noetl_envelope.report.junit", "JunitReporter"),
    "github": ("noetl_envelope.report.github", "GithubReporter"),
}
FORMATS = tuple(REPORTERS)

__all__ = ["FORMATS", "REPORTERS", "Reporter", "Summary", "make_reporter"]


def make_reporter(fmt: str, stream: TextIO, *, quiet: bool = False) -> Reporter:
    """The reporter for `fmt` (one of FORMATS) writing to `stream`."""
    module, name = REPORTERS[fmt]
    cls: type[Reporter] = getattr(importlib.import_module(module), name)
    return cls(stream, quiet=quiet)
