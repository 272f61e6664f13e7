"""Bulk checking: documents in, (document, violations) out, in input order, in constant memory.

Role in the pipeline: between the reader and the reporters of `validate` (and any command that
checks one document at a time, e.g. `conform`). `check_stream` takes the reader's documents
and a picklable `checker` (bytes -> violations) and yields each document with its violations
in exactly the reader's order, so reports and counts do not depend on `jobs`.

With `jobs > 1` documents are cut into batches checked by a pool of worker processes. At most
`WINDOW_PER_JOB * jobs` batches are in flight: the reader is only asked for more when the
oldest batch has been handed back, so memory stays bounded whatever the input size (a 1 GB
file is never held). A document the reader already reports (`input_violations`, e.g. too
large) is not sent to a worker.

`Progress` is the optional stderr progress line (documents, rate), drawn only on a terminal.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TextIO

from noetl_envelope import fastpath
from noetl_envelope.profiles import check
from noetl_envelope.reader import Document
from noetl_envelope.violations import Violation

Checker = Callable[[bytes], list[Violation]]

BATCH_DOCUMENTS = 2000  # per batch sent to a worker: large enough to amortise pickling
BATCH_BYTES = 4 * 2**20  # ... or this many bytes, whichever comes first
WINDOW_PER_JOB = 3  # batches in flight per worker: keeps workers busy, memory bounded


def validate_checker(profile: str, engine: str, *, project: bool = False) -> Checker:
    """The picklable checker `validate` uses: `profiles.check` under `profile` and `engine`,
    plus the projection rules when `project` is set."""
    return functools.partial(_validate_one, profile=profile, engine=engine, project=project)


def _validate_one(data: bytes, *, profile: str, engine: str, project: bool) -> list[Violation]:
    violations = check(data, profile, engine)
    if project:
        from noetl_envelope.projection.predict import projection_violations

        violations = violations + projection_violations(data)
    return violations


def conform_checker(engine: str = "fast") -> Checker:
    """The picklable checker for `conform` (contract violations plus drift findings): the fast
    engine answers [] for a document it proves canonical, the rest go to
    `conform.check_document` (a canonical document has no finding there either)."""
    return functools.partial(_conform_one, engine=engine)


def _conform_one(data: bytes, *, engine: str) -> list[Violation]:
    if engine == "fast" and fastpath.decide(data, "canonical"):
        return []
    from noetl_envelope.conform import check_document  # imports the CLI: only when needed

    return check_document(data)


def _check_batch(checker: Checker, batch: list[bytes]) -> list[list[Violation]]:
    return [checker(data) for data in batch]


class Progress:
    """A one-line progress display on `stream` (default stderr), only when it is a terminal.

    `advance(n)` is cheap: the clock is read once per `CHECK_EVERY` documents and the line
    redrawn at most every `INTERVAL` seconds; `close()` erases the line.
    """

    INTERVAL = 0.25
    CHECK_EVERY = 512

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            try:
                enabled = self.stream.isatty()
            except (AttributeError, ValueError):  # a closed or odd stream: no progress
                enabled = False
        self.enabled = enabled
        self.count = 0
        self._started = time.monotonic()
        self._next_check = self.CHECK_EVERY
        self._last_draw = self._started
        self._drawn = False

    def advance(self, documents: int = 1) -> None:
        self.count += documents
        if not self.enabled or self.count < self._next_check:
            return
        self._next_check = self.count + self.CHECK_EVERY
        now = time.monotonic()
        if now - self._last_draw >= self.INTERVAL:
            self._last_draw = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self._started, 1e-9)
        rate = self.count / elapsed
        self.stream.write(f"\r{self.count:,} documents  {rate:,.0f}/s  {elapsed:.0f}s ")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self.enabled and self._drawn:
            self.stream.write("\r\x1b[K")  # back to the line start, erase it
            self.stream.flush()


def _batches(documents: Iterable[Document]) -> Iterator[list[Document]]:
    batch: list[Document] = []
    size = 0
    for doc in documents:
        batch.append(doc)
        size += len(doc.data)
        if len(batch) >= BATCH_DOCUMENTS or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def check_stream(
    documents: Iterable[Document],
    checker: Checker,
    *,
    jobs: int = 1,
    progress: Progress | None = None,
) -> Iterator[tuple[Document, list[Violation]]]:
    """Each document with its violations (input violations as is, else `checker`'s), in order."""
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    try:
        if jobs == 1:
            for doc in documents:
                violations = list(doc.input_violations) if doc.input_violations else checker(doc.data)
                if progress is not None:
                    progress.advance()
                yield doc, violations
        else:
            yield from _parallel(documents, checker, jobs, progress)
    finally:
        if progress is not None:
            progress.close()


def _parallel(
    documents: Iterable[Document], checker: Checker, jobs: int, progress: Progress | None
) -> Iterator[tuple[Document, list[Violation]]]:
    pending: deque[tuple[list[Document], Future[list[list[Violation]]]]] = deque()
    window = WINDOW_PER_JOB * jobs
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        try:
            for batch in _batches(documents):
                todo = [doc.data for doc in batch if not doc.input_violations]
                pending.append((batch, pool.submit(_check_batch, checker, todo)))
                if len(pending) >= window:
                    yield from _drain(pending.popleft(), progress)
            while pending:
                yield from _drain(pending.popleft(), progress)
        finally:
            # An early stop (an error, a closed pipe): do not wait for work nobody reads.
            for _, future in pending:
                future.cancel()


def _drain(
    item: tuple[list[Document], Future[list[list[Violation]]]], progress: Progress | None
) -> Iterator[tuple[Document, list[Violation]]]:
    batch, future = item
    results = iter(future.result())
    for doc in batch:
        yield doc, (list(doc.input_violations) if doc.input_violations else next(results))
    if progress is not None:
        progress.advance(len(batch))


def default_jobs() -> int:
    """The number of CPUs this process may use (for `--jobs 0`)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
