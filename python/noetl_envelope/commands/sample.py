"""`noetl-envelope sample -n N --seed S`: N deterministic Python-produced canonical events, as NDJSON
(the events are built by fixturegen.samples)."""

from __future__ import annotations

import argparse
import sys

from noetl_envelope.commands.options import EXIT_OK
from noetl_envelope.core.errors import InputError

MAX_COUNT = 10**8  # a typo guard, not a resource limit: output is streamed


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", "--count", type=int, default=100, metavar="N", help="number of events (default 100)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.count <= MAX_COUNT:
        raise InputError(f"-n must be between 0 and {MAX_COUNT}, got {args.count}")
    from noetl_envelope.api import encode
    from noetl_envelope.fixturegen.samples import events

    out = sys.stdout.buffer
    for event in events(args.count, args.seed):
        out.write(encode(event) + b"\n")
    out.flush()
    return EXIT_OK
