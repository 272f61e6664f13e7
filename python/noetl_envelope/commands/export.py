"""`noetl-envelope export --dsn DSN [--execution-id ID]`: `noetl.event` rows as canonical NDJSON.

Each row is read back as an envelope (row.event_from_row: node_name -> step, TIMESTAMP -> UTC
with 'Z', JSONB -> JSON values) and written as `encode` writes it, one per line, ordered by
execution_id, created_at, event_id; a conformance run can start from the output. A row that is
not an envelope (a NULL where a field needs a value, a time chrono cannot hold) is named on
stderr and skipped; the exit code is then 1. Exit 2 when the database cannot be used.
"""

from __future__ import annotations

import argparse
import sys

from noetl_envelope.commands.options import EXIT_FINDINGS, EXIT_OK, add_dsn, dsn_of
from noetl_envelope.report.base import one_line


def configure(parser: argparse.ArgumentParser) -> None:
    add_dsn(parser)
    parser.add_argument("--execution-id", type=int, metavar="ID", help="only the rows of this execution")


def run(args: argparse.Namespace) -> int:
    from noetl_envelope.api import encode
    from noetl_envelope.model.rusttypes import EncodeError
    from noetl_envelope.projection import db
    from noetl_envelope.projection.row import RowError, event_from_row

    conn = db.connect(dsn_of(args))
    out = sys.stdout.buffer
    skipped = 0
    try:
        db.check_table(conn)
        for row in db.select_rows(conn, args.execution_id):
            try:
                line = encode(event_from_row(row), check=False)  # conform says what a row breaks
            except (RowError, EncodeError) as exc:
                skipped += 1
                out.flush()
                print(one_line(f"export: {exc}"), file=sys.stderr)
                continue
            out.write(line + b"\n")
    finally:
        conn.close()
    out.flush()
    return EXIT_FINDINGS if skipped else EXIT_OK
