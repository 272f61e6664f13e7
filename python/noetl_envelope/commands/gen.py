"""`noetl-envelope gen [--check]`: regenerate every file derived from schema/ (as `make gen` does)."""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check", action="store_true", help="do not write: exit 1 with diffs if generated files are stale"
    )


def run(args: argparse.Namespace) -> int:
    from noetl_envelope.generate import files

    return files.run(check_only=args.check)
