"""`noetl-envelope project --dsn DSN [--create-table] PATH...`: load envelopes into `noetl.event`.

Each document serde accepts becomes one row (row.insert_params); documents serde rejects are
refused before the database with their first violation. Rows go in batches, a transaction per
batch (db.insert_batch); a row the server refuses is named on stderr with the server's message
(`PATH:LINE: refused by the server: ...`) and the rest of its batch is still written. The last
line on stdout counts rows written and refused. Exit 0 when every document was written, 1 when
any was refused, 2 when the database cannot be used (one line, no traceback).

What the server will do to each document is what `noetl-envelope validate --project` predicts.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

from noetl_envelope.commands.options import EXIT_FINDINGS, EXIT_OK, add_dsn, add_paths, dsn_of, positive_int
from noetl_envelope.report.base import one_line
from noetl_envelope.run.reader import Document, iter_documents

DEFAULT_BATCH = 500


def configure(parser: argparse.ArgumentParser) -> None:
    add_dsn(parser)
    parser.add_argument(
        "--create-table", action="store_true", help="create schema noetl and table noetl.event if they do not exist"
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=DEFAULT_BATCH,
        metavar="N",
        help=f"rows per transaction (default {DEFAULT_BATCH})",
    )
    add_paths(parser)


@dataclass(slots=True)
class Tally:
    written: int = 0
    refused_by_server: int = 0
    not_envelopes: int = 0

    @property
    def refused(self) -> int:
        return self.refused_by_server + self.not_envelopes


def _refuse(doc: Document, why: str) -> None:
    print(one_line(f"{doc.source}:{doc.line}: {why}"), file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from noetl_envelope.api import validate
    from noetl_envelope.projection import db
    from noetl_envelope.projection.predict import binding_of
    from noetl_envelope.projection.row import insert_params

    documents = iter_documents(args.paths)  # bad paths fail here, before connecting
    conn = db.connect(dsn_of(args))
    tally = Tally()
    try:
        if args.create_table:
            db.create_table(conn)
        db.check_table(conn)
        pending: list[tuple[Document, tuple[Any, ...]]] = []

        def flush() -> None:
            outcomes = db.insert_batch(conn, [params for _, params in pending])
            for (doc, _), refusal in zip(pending, outcomes, strict=True):
                if refusal is None:
                    tally.written += 1
                else:
                    tally.refused_by_server += 1
                    _refuse(doc, f"refused by the server: {refusal}")
            pending.clear()

        for doc in documents:
            binding = binding_of(doc.data) if not doc.input_violations else None
            if binding is None:
                violations = list(doc.input_violations) or validate(doc.data, profile="serde")
                tally.not_envelopes += 1
                _refuse(doc, f"not an envelope: {violations[0]}")
                continue
            pending.append((doc, insert_params(binding)))
            if len(pending) >= args.batch_size:
                flush()
        if pending:
            flush()
    finally:
        conn.close()
    sys.stderr.flush()
    print(
        f"project: {tally.written} row(s) written, {tally.refused} refused "
        f"({tally.refused_by_server} by the server, {tally.not_envelopes} not envelopes)"
    )
    return EXIT_FINDINGS if tally.refused else EXIT_OK
