"""What the subcommands share: exit codes, the common arguments, the report stream, the `--dsn` option.

Exit codes (DESIGN.md): 0 all good; 1 findings; 2 usage or I/O error, reported as one line on
stderr (`noetl-envelope: <path>: <what>`) and never a traceback; 130 on Ctrl-C; 141 (the
shell's code for SIGPIPE) when stdout is closed early, e.g. by `| head`, without a message.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Iterator
from typing import TextIO

from noetl_envelope.core.errors import InputError
from noetl_envelope.core.rules import PROFILES
from noetl_envelope.core.violations import Violation
from noetl_envelope.report import FORMATS
from noetl_envelope.report.base import one_line
from noetl_envelope.run.reader import Document

PROG = "noetl-envelope"
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what `yes | head` reports under `set -o pipefail`


def add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        metavar="PATH",
        nargs="+",
        help="a .json file (one document), a .ndjson/.jsonl file (one per line), "
        "a directory (walked for those) or '-' (stdin as NDJSON)",
    )


def add_profile(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="contract",
        help="serde: what Rust's serde_json accepts; contract (default): valid for every consumer; "
        "canonical: byte-for-byte serde_json output",
    )


def add_verdicts(parser: argparse.ArgumentParser) -> None:
    """--strict and --ignore: what a warning and an ignored rule do to the exit code."""
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too (default: only on errors)")
    parser.add_argument(
        "--ignore",
        metavar="RULE",
        action="append",
        type=_rule_id,
        default=[],
        help="do not let RULE decide anything (repeatable); its violations are still counted, as ignored",
    )


def _rule_id(text: str) -> str:
    from noetl_envelope.core.rules import lookup

    try:
        return str(lookup(text))
    except KeyError:
        raise argparse.ArgumentTypeError(f"unknown rule {text!r} (see docs/RULES.md)") from None


def add_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    parser.add_argument("--quiet", "-q", action="store_true", help="text format: do not list valid documents")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")


@contextlib.contextmanager
def report_stream(output: str | None) -> Iterator[TextIO]:
    """The text stream a report goes to: FILE (UTF-8), or stdout."""
    if output is not None:
        try:
            handle = open(output, "w", encoding="utf-8", newline="\n", errors="backslashreplace")  # noqa: SIM115
        except OSError as exc:
            raise InputError(f"{output}: cannot write: {exc.strerror or type(exc).__name__}") from exc
        try:
            with handle:
                yield handle
        except OSError as exc:  # a failed write or close: disk full, quota, a vanished mount
            raise InputError(f"{output}: cannot write: {exc.strerror or type(exc).__name__}") from exc
        return
    # Keep the locale's encoding (a terminal expects it) but never fail on a character it
    # lacks: a report line must not become an internal error. json and junit are ASCII anyway.
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    yield sys.stdout
    sys.stdout.flush()  # inside main's guard, so a closed pipe is handled there


def error_line(doc: Document, violation: Violation) -> str:
    return one_line(f"{doc.source}:{doc.line}: {violation}")


def add_engine(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=("fast", "reference"),
        default="fast",
        help="fast (default): prove canonical-looking valid documents cheaply, else fall back to the reference "
        "engine; reference: the lexer and python-jsonschema on every document (same verdicts, slower)",
    )


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid job count {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("--jobs must be 0 (one per CPU) or more")
    if value > 1 and not hasattr(os, "fork"):  # worker processes are forked (forkpool.py)
        raise argparse.ArgumentTypeError("--jobs above 1 needs os.fork, which this platform lacks")
    return value


def add_jobs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=1,
        metavar="N",
        help="check documents in N worker processes (0: one per CPU); report order and counts are unchanged",
    )


DSN_ENV = "NOETL_ENVELOPE_DSN"


def add_dsn(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dsn",
        metavar="DSN",
        default=None,
        help="libpq connection string or URI of the NoETL database, e.g. "
        f"postgresql://noetl@db:5432/noetl (default: ${DSN_ENV})",
    )


def dsn_of(args: argparse.Namespace) -> str:
    dsn = args.dsn if args.dsn is not None else os.environ.get(DSN_ENV)
    if not dsn:
        raise InputError(f"no database given: pass --dsn DSN or set {DSN_ENV}")
    return str(dsn)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value
