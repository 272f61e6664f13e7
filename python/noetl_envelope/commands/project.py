"""`noetl-envelope project --dsn DSN [--create-table] PATH...`: load envelopes into `noetl.event`.

Each document serde accepts becomes one row (row.insert_params); documents serde rejects are
refused before the database with their first violation. Rows go in batches, a transaction per
batch (db.insert_batch); a row the server refuses is named on stderr with the server's message
(`PATH:LINE: refused by the server: ...`) and the rest of its batch is still written. The last
line on stdout counts rows written and refused. Exit 0 when every document was written, 1 when
any was refused, 2 when the database cannot be used (one line, no traceback).

Re-running over the same input leaves each event once (db: the key and ON CONFLICT DO NOTHING).
A run stopped by the server, the input or a signal ends with one line saying how many rows were
committed and the `--resume-from PATH:LINE` that continues it (exit 2, or 130 when interrupted);
re-running from the start is just as correct, only slower.

What the server will do to each document is what `noetl-envelope validate --project` predicts.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from noetl_envelope.commands.options import EXIT_FINDINGS, EXIT_OK, add_dsn, add_paths, dsn_of, positive_int
from noetl_envelope.core.errors import InputError
from noetl_envelope.report.base import one_line
from noetl_envelope.run.reader import Document, iter_documents

DEFAULT_BATCH = 500


def configure(parser: argparse.ArgumentParser) -> None:
    add_dsn(parser)
    parser.add_argument(
        "--create-table",
        action="store_true",
        help="create schema noetl, table noetl.event and its keys if they do not exist",
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=DEFAULT_BATCH,
        metavar="N",
        help=f"rows per transaction (default {DEFAULT_BATCH})",
    )
    parser.add_argument(
        "--resume-from",
        metavar="[PATH:]LINE",
        help="skip the documents before LINE of PATH (and every input before PATH), as the line of a stopped "
        "run says; PATH may be left out when there is one input",
    )
    add_paths(parser)


@dataclass(slots=True)
class Tally:
    written: int = 0  # new rows committed
    present: int = 0  # rows committed that were in the table already (a re-run)
    refused_by_server: int = 0
    not_envelopes: int = 0
    skipped: int = 0  # documents before --resume-from

    @property
    def refused(self) -> int:
        return self.refused_by_server + self.not_envelopes


@dataclass(frozen=True, slots=True)
class Place:
    """A place in the input, `PATH:LINE`: where a stopped run can resume."""

    source: str
    line: int

    def __str__(self) -> str:
        return f"{self.source}:{self.line}"


def _resume_place(text: str, sources: list[str]) -> Place:
    path, colon, line = text.rpartition(":")
    if not colon:
        if len(set(sources)) != 1:
            raise InputError(f"--resume-from {text}: name the input too (PATH:LINE), there are several")
        path = sources[0]
    if not line.isdigit() or int(line) < 1:
        raise InputError(f"--resume-from {text}: LINE must be a line number (1 or more)")
    if path not in sources:
        raise InputError(f"--resume-from {text}: {path} is not one of the inputs")
    return Place(path, int(line))


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """SIGINT / SIGTERM raise KeyboardInterrupt only when the block is done (or at once on a
    second signal); outside the main thread, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    numbers = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.getsignal(number) for number in numbers}

    def record(signum: int, frame: object) -> None:
        if received:
            raise KeyboardInterrupt("interrupted")
        received.append(signum)

    for number in numbers:
        signal.signal(number, record)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if received:
        raise KeyboardInterrupt("interrupted" if received[0] == signal.SIGINT else "stopped by SIGTERM")


def _refuse(doc: Document, why: str) -> None:
    print(one_line(f"{doc.source}:{doc.line}: {why}"), file=sys.stderr)


def _stopped(tally: Tally, resume: Place | None) -> str:
    """What a stopped run tells: what is committed, and where the next run can start."""
    where = f"resume with --resume-from {resume}" if resume is not None else "every document was handled"
    return (
        f"{tally.written + tally.present} row(s) committed ({tally.written} new, {tally.present} already there), "
        f"{where}"
    )


def run(args: argparse.Namespace) -> int:
    from noetl_envelope.api import validate
    from noetl_envelope.projection import db
    from noetl_envelope.projection.predict import binding_of
    from noetl_envelope.projection.row import insert_params

    documents = iter_documents(args.paths)  # bad paths fail here, before connecting
    start = _resume_place(args.resume_from, documents.sources) if args.resume_from else None
    conn = db.connect(dsn_of(args))
    tally = Tally()
    pending: list[tuple[Document, tuple[Any, ...]]] = []
    # Everything before `resume` is committed or refused for good: the first pending document,
    # else just past the last document handled.
    resume: Place | None = start or Place(documents.sources[0], 1)
    try:
        # Before the first row, found once: one line, nothing to resume.
        if args.create_table:
            db.create_table(conn)
        db.check_table(conn, insert=True)
    except BaseException:
        conn.close()
        raise
    try:

        def flush() -> None:
            nonlocal resume
            # A signal waits for the batch's commit, its count and the place to resume (a second
            # one does not wait): interrupted mid-commit, the batch would be in the table but
            # neither in the count nor behind the resume place.
            with _signals_deferred():
                outcome = db.insert_batch(conn, [params for _, params in pending])
                tally.written += outcome.inserted
                tally.present += outcome.refusals.count(None) - outcome.inserted
                for (doc, _), refusal in zip(pending, outcome.refusals, strict=True):
                    if refusal is not None:
                        tally.refused_by_server += 1
                        _refuse(doc, f"refused by the server: {refusal}")
                last = pending[-1][0]
                pending.clear()
                resume = Place(last.source, last.line + 1)  # set before a deferred signal is raised

        seeking = start
        for doc in documents:
            if seeking is not None:
                if doc.source != seeking.source or doc.line < seeking.line:
                    tally.skipped += 1
                    continue
                seeking = None
            if not pending:
                resume = Place(doc.source, doc.line)
            binding = binding_of(doc.data) if not doc.input_violations else None
            if binding is None:
                violations = list(doc.input_violations) or validate(doc.data, profile="serde")
                tally.not_envelopes += 1
                _refuse(doc, f"not an envelope: {violations[0]}")
            else:
                pending.append((doc, insert_params(binding)))
                if len(pending) >= args.batch_size:
                    flush()
            if not pending:
                resume = Place(doc.source, doc.line + 1)
        if pending:
            flush()
    except InputError as exc:
        raise InputError(f"{exc}; {_stopped(tally, resume)}") from exc
    except KeyboardInterrupt as exc:
        raise KeyboardInterrupt(f"{exc.args[0] if exc.args else 'interrupted'}; {_stopped(tally, resume)}") from exc
    finally:
        conn.close()
    sys.stderr.flush()
    line = (
        f"project: {tally.written} row(s) written, {tally.refused} refused "
        f"({tally.refused_by_server} by the server, {tally.not_envelopes} not envelopes)"
    )
    if tally.present:
        line += f", {tally.present} already in the table"
    if tally.skipped:
        line += f", {tally.skipped} skipped before --resume-from {start}"
    print(line)
    return EXIT_FINDINGS if tally.refused else EXIT_OK
