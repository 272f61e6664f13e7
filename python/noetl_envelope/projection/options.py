"""The `--dsn` option shared by `project` and `export`, and how a missing one is reported."""

from __future__ import annotations

import argparse
import os

from noetl_envelope.reader import InputError

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
