"""`noetl-envelope canonicalize`: decode documents and write serde_json's canonical bytes, one per line."""

from __future__ import annotations

import argparse
import sys

from noetl_envelope.api import decode, encode
from noetl_envelope.commands.options import EXIT_FINDINGS, EXIT_OK, add_paths, add_profile, error_line
from noetl_envelope.core.violations import EnvelopeError
from noetl_envelope.run.reader import iter_documents


def configure(parser: argparse.ArgumentParser) -> None:
    add_profile(parser)
    add_paths(parser)


def run(args: argparse.Namespace) -> int:
    out = sys.stdout.buffer
    invalid = 0
    for doc in iter_documents(args.paths):
        violations = list(doc.input_violations)
        if not violations:
            try:
                event = decode(doc.data, profile=args.profile)
            except EnvelopeError as exc:
                violations = exc.violations
            else:
                out.write(encode(event, check=False) + b"\n")  # `--profile` has judged it
                continue
        invalid += 1
        # Flush first so that, on a terminal, stdout and stderr lines appear in input order.
        out.flush()
        for violation in violations:
            print(error_line(doc, violation), file=sys.stderr)
    out.flush()
    return EXIT_FINDINGS if invalid else EXIT_OK
