"""Bulk checking: an input in, (document, violations) out, in input order, in constant memory.

Role in the pipeline: between the reader and the reporters of `validate` and `conform`.
`check_stream` takes a `DocumentReader` and a `checker` (bytes -> violations) and yields each
document to report with its violations, in exactly the reader's order, so reports and counts
do not depend on `jobs`.

Work is done per unit (`DocumentReader.units`): a span of a file, about `SPAN_BYTES` cut at a
line end, or a batch of documents read from standard input. With `jobs > 1` units go to forked
worker processes (`forkpool.py`; they inherit the checker) that read their span themselves
and send back only the counts and the documents to report; the main process reads no file
and handles no valid document a reporter does not list (`list_valid=False`), so it does not
bound the speedup. At most `WINDOW_PER_JOB * jobs` units (and the rests of spans sent in
pieces, `REPORT_LIMIT`) are in flight: memory stays bounded whatever the input size (a 1 GB
file is never held). With `jobs == 1` the same units are checked in this process.

A document the reader already reports (`input_violations`, e.g. too large) is not checked.

Where the checker has a native bulk loop (`pipeline.DocumentChecker.lines`: the fast engine
with the native module, no `--project`), a span's complete lines are read with one `pread`
and cut, checked and counted in Rust in one call; Python makes documents only of the lines it
lists (not proved valid, or every one for a reporter that lists valid documents) and judges
them from the native verdict, or by the checker itself where the native engine declined. What
follows the span's last line end (a last line without one, what a file grew by) and a span
longer than `NATIVE_SPAN_BYTES` are read by the reader as before, so documents, line numbers
and counts are the reader's either way.

`Progress` is the optional stderr progress line (documents, rate), drawn only on a terminal.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TextIO, TypeVar, cast

from noetl_envelope.core.violations import Violation
from noetl_envelope.pipeline import Checker, DocumentChecker
from noetl_envelope.run.reader import (
    MIN_SPAN_BYTES,
    Document,
    DocumentReader,
    Span,
    read_span,
    reopen_span,
    split_span,
    too_large_document,
    with_line_offset,
)

if TYPE_CHECKING:
    from noetl_envelope.run.forkpool import Answer


Reported = tuple[Document, list[Violation]]
T = TypeVar("T")
Unit = Span | list[Document]
# The text a report quotes from a document's bytes for one violation (conform's examples).
Quote = Callable[[bytes, Violation], str]

SPAN_BYTES = 2 * 2**20  # per file span: fewer round trips, yet enough spans to keep workers evenly loaded
SPANS_PER_JOB = 4  # a smaller file is cut into this many spans per job (see reader.MIN_SPAN_BYTES)
BATCH_DOCUMENTS = 2000  # standard input: documents per batch sent to a worker
BATCH_BYTES = 4 * 2**20  # ... or this many bytes, whichever comes first
# A standard-input document this large is a batch of its own, checked in the main process:
# sending it to a worker would copy it (pickled, into the pipe's buffer) beside itself.
LOCAL_DOCUMENT_BYTES = BATCH_BYTES
WINDOW_PER_JOB = 3  # units in flight per worker: keeps workers busy, memory bounded
# Documents one unit reports at most; a span holding more (a megabyte of tiny invalid lines can
# hold 500,000, each with its violations) sends them in pieces, so memory stays bounded.
REPORT_LIMIT = 2000
# The smallest part a rest of a span is split into for idle workers (`_pooled`).
MIN_PIECE_BYTES = MIN_SPAN_BYTES // 4
# A longer span (a file's lines longer than that) is read by the reader, a line at a time: the
# native loop holds its whole span at once.
NATIVE_SPAN_BYTES = 4 * SPAN_BYTES


@dataclass(slots=True)
class UnitResult:
    """What checking one unit gives back: its counts and the documents to report (line
    numbers counted from the unit's start for a span); `rest` is the part of the span still
    to check when `REPORT_LIMIT` documents were reported before its end."""

    documents: int
    blank_lines: int
    reported: list[Reported]
    rest: Span | None = None
    consumed: int = 0  # bytes of the span read (only the native loop sets it)
    digest: object = None  # `digest_stream`'s digest of `reported` (which it then empties)


def _check_unit(
    checker: Checker,
    unit: Unit,
    *,
    list_valid: bool,
    report_limit: int,
    max_document_bytes: int,
    chunk_size: int,
    keep_data: bool = True,
    quote: Quote | None = None,
) -> UnitResult:
    quoted: set[str] = set()  # rules quoted in this unit: a later document cannot be their first
    report = functools.partial(_report, keep_data=keep_data, quote=quote, quoted=quoted)
    read = functools.partial(
        _check_read,
        checker,
        report=report,
        list_valid=list_valid,
        max_document_bytes=max_document_bytes,
        chunk_size=chunk_size,
    )
    if not (isinstance(unit, Span) and isinstance(checker, DocumentChecker)):
        return read(unit, report_limit=report_limit)
    native = _check_span_natively(
        checker,
        unit,
        report,
        list_valid=list_valid,
        report_limit=report_limit,
        max_document_bytes=max_document_bytes,
        keep_data=keep_data or quote is not None,
    )
    if native is None:
        return read(unit, report_limit=report_limit)
    assert unit.end is not None  # a span the native loop took is bounded
    if native.rest is not None or (unit.start + native.consumed == unit.end and not unit.to_end):
        return native
    # What follows the last line end is the reader's: a last line without one, what the file
    # grew by (the file's last span), and the check that the snapshot did not change.
    tail = read(
        replace(unit, start=unit.start + native.consumed), report_limit=max(1, report_limit - len(native.reported))
    )
    lines = native.documents + native.blank_lines
    native.reported.extend((with_line_offset(doc, lines), violations) for doc, violations in tail.reported)
    return UnitResult(
        native.documents + tail.documents, native.blank_lines + tail.blank_lines, native.reported, tail.rest
    )


def _check_read(
    checker: Checker,
    unit: Unit,
    *,
    report: Callable[[Document, list[Violation]], Reported],
    list_valid: bool,
    report_limit: int,
    max_document_bytes: int,
    chunk_size: int,
) -> UnitResult:
    """A unit's documents as the reader produces them, each checked by `checker`."""
    documents: Iterable[Document]
    if isinstance(unit, Span):
        documents = span = read_span(unit, max_document_bytes=max_document_bytes, chunk_size=chunk_size)
    else:
        documents, span = unit, None
    reported: list[Reported] = []
    count = 0
    for doc in documents:
        count += 1
        violations = list(doc.input_violations) if doc.input_violations else checker(doc.data)
        if violations or list_valid:
            reported.append(report(doc, violations))
            if len(reported) >= report_limit and isinstance(unit, Span) and unit.lines and span is not None:
                resume = unit.start + span.position
                if unit.end is None or resume < unit.end:
                    rest = replace(unit, start=resume)
                    return UnitResult(count, span.blank_lines, reported, rest)
        # Let go of the document before the next one is read: a worker holds one at a time.
        del doc
    return UnitResult(count, span.blank_lines if span is not None else 0, reported)


def _report(
    doc: Document, violations: list[Violation], *, keep_data: bool, quote: Quote | None, quoted: set[str]
) -> Reported:
    """`doc` as the report receives it: without its bytes when they are not shown (then, with
    `quote`, with the excerpts of rules not yet `quoted` in the unit instead)."""
    if quote is not None and violations:
        doc = replace(doc, data=b"", excerpts=_excerpts(quote, doc.data, violations, quoted))
    elif not keep_data and doc.data:
        doc = replace(doc, data=b"")
    return doc, violations


def _check_span_natively(
    checker: DocumentChecker,
    unit: Span,
    report: Callable[[Document, list[Violation]], Reported],
    *,
    list_valid: bool,
    report_limit: int,
    max_document_bytes: int,
    keep_data: bool,
) -> UnitResult | None:
    """The span's complete lines (up to its last b"\\n") checked in one native call, only the
    lines it lists going through Python; None when there is no native loop for this span (then
    the reader reads it). `consumed` in the result: the bytes of the span it took. `keep_data`:
    whether `report` looks at a document's bytes."""
    if not unit.lines or unit.fd is None or unit.end is None or unit.end - unit.start > NATIVE_SPAN_BYTES:
        return None
    if not checker.has_lines:
        return None
    size = unit.end - unit.start
    fd, opened = reopen_span(unit)
    try:
        data = os.pread(fd, size, unit.start)
    finally:
        if opened:
            os.close(fd)
    if len(data) < size:
        return None  # truncated under the run: the reader says so
    lines = checker.lines(data, max_document_bytes=max_document_bytes, list_valid=list_valid, limit=report_limit)
    if lines is None:
        return None
    consumed, documents, blank_lines, listed = lines
    reported: list[Reported] = []
    for index, start, end, verdict in listed:
        if end - start > max_document_bytes:
            reported.append(report(*_too_large_reported(unit.source, index + 1, end - start, max_document_bytes)))
            continue
        line = data[start:end]
        violations = checker.listed(line, verdict)
        if violations or list_valid:
            # Made without its bytes when the report does not take them (one object, not two).
            kept = line if keep_data else b""
            reported.append(report(Document(unit.source, index + 1, kept), violations))
    # Stopped at the report limit before the span's last line: the rest is a piece of its own.
    stopped = len(listed) >= report_limit and data.find(b"\n", consumed) >= 0
    rest = replace(unit, start=unit.start + consumed) if stopped else None
    return UnitResult(documents, blank_lines, reported, rest, consumed)


def _too_large_reported(source: str, line: int, size: int, limit: int) -> Reported:
    doc = too_large_document(source, line, size, limit)
    return doc, list(doc.input_violations)


def _excerpts(quote: Quote, data: bytes, violations: list[Violation], quoted: set[str]) -> tuple[tuple[str, str], ...]:
    """`quote` of each rule's first violation here, for rules not yet `quoted` in the unit."""
    excerpts: list[tuple[str, str]] = []
    for violation in violations:
        if violation.rule not in quoted:
            quoted.add(violation.rule)
            excerpts.append((violation.rule, quote(data, violation)))
    return tuple(excerpts)


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


def _units(reader: DocumentReader, jobs: int) -> Iterator[Unit]:
    """The reader's units, with standard input's documents gathered into batches for workers
    (a document of `LOCAL_DOCUMENT_BYTES` or more is a batch alone, see `_checked_here`); with
    one job each document is its own unit, so it is reported as soon as it is read."""
    batch: list[Document] = []
    size = 0
    for unit in reader.units(SPAN_BYTES, spans_per_file=SPANS_PER_JOB * jobs):
        if isinstance(unit, Span):
            if batch:
                yield batch
                batch, size = [], 0
            yield unit
            continue
        alone = len(unit.data) >= LOCAL_DOCUMENT_BYTES
        if alone and batch:
            yield batch
            batch, size = [], 0
        batch.append(unit)
        size += len(unit.data)
        if jobs == 1 or alone or len(batch) >= BATCH_DOCUMENTS or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def check_stream(
    reader: DocumentReader,
    checker: Checker,
    *,
    jobs: int = 1,
    progress: Progress | None = None,
    list_valid: bool = True,
    keep_data: bool = True,
    quote: Quote | None = None,
) -> Iterator[Reported]:
    """Each document with its violations (input violations as is, else `checker`'s), in order;
    with `list_valid=False` only the invalid ones, with `keep_data=False` without their bytes
    (`data` empty: a reporter that does not show them need not receive a 200 MB document).
    With `quote`, a document with violations comes back without its bytes but with
    `Document.excerpts`: `quote` of the first violation of each rule not quoted before in its
    unit (so of every rule's first violation in the input), computed where the bytes are.
    When the iterator is exhausted the reader's `documents` and `blank_lines` count the whole
    input (valid documents not listed included), and `InputError` has been raised if it held
    no document."""
    work = _unit_work(reader, checker, list_valid=list_valid, keep_data=keep_data, quote=quote)
    # Closed with this generator, not when collected: the reader's files are closed at once.
    with contextlib.closing(_placed(reader, work, jobs, progress)) as placed:
        for offset, result in placed:
            for doc, violations in result.reported:
                yield with_line_offset(doc, offset), violations


def digest_stream(
    reader: DocumentReader,
    checker: Checker,
    digest: Callable[[list[Reported]], T],
    *,
    jobs: int = 1,
    progress: Progress | None = None,
    list_valid: bool = True,
    quote: Quote | None = None,
) -> Iterator[tuple[int, T]]:
    """`check_stream` (without documents' bytes) with each unit's reported documents given to
    `digest` where they were checked, so a worker sends back the digest (a report's text)
    instead of the documents: `(offset, digest)` per unit in order, where the documents' line
    numbers are `offset` lines short of their place in the file."""

    check = _unit_work(reader, checker, list_valid=list_valid, keep_data=False, quote=quote)

    def work(unit: Unit) -> UnitResult:
        result = check(unit)
        result.digest = digest(result.reported)
        result.reported = []
        return result

    with contextlib.closing(_placed(reader, work, jobs, progress)) as placed:
        for offset, result in placed:
            yield offset, cast(T, result.digest)


def _unit_work(
    reader: DocumentReader, checker: Checker, *, list_valid: bool, keep_data: bool, quote: Quote | None
) -> Callable[[Unit], UnitResult]:
    """`_check_unit` of `checker` with the reader's limits, as the stream's units are checked."""
    return functools.partial(
        _check_unit,
        checker,
        list_valid=list_valid,
        report_limit=REPORT_LIMIT,
        max_document_bytes=reader.max_document_bytes,
        chunk_size=reader.chunk_size,
        keep_data=keep_data,
        quote=quote,
    )


def _placed(
    reader: DocumentReader, work: Callable[[Unit], UnitResult], jobs: int, progress: Progress | None
) -> Generator[tuple[int, UnitResult], None, None]:
    """Each unit's result in order, with the lines of its file before it (0 for a standard
    input batch, whose documents know their lines), counted into the reader."""
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    try:
        offset = 0  # lines of the current file before the span at hand
        for unit, result in _results(work, _units(reader, jobs), jobs):
            reader.account(result.documents, result.blank_lines)
            if isinstance(unit, Span):
                if unit.start == 0:
                    offset = 0
                yield offset, result
                offset += result.documents + result.blank_lines  # every line is one or the other
                if unit.to_end and result.rest is None:  # the file's last piece: its snapshot is done
                    reader.release(unit)
            else:
                yield 0, result
            if progress is not None:
                progress.advance(result.documents)
    finally:
        reader.close()
        if progress is not None:
            progress.close()


def _results(work: Callable[[Unit], UnitResult], units: Iterator[Unit], jobs: int) -> Iterator[tuple[Unit, UnitResult]]:
    """Each unit with its result, in order: here for one job, else from a pool of `jobs`. A
    result with a `rest` is followed by the rest's own results before the next unit."""
    if jobs == 1:
        for unit in units:
            piece: Unit | None = unit
            while piece is not None:
                result = work(piece)
                yield piece, result
                piece = result.rest
        return
    yield from _pooled(work, units, jobs)


def _pooled(work: Callable[[Unit], UnitResult], units: Iterator[Unit], jobs: int) -> Iterator[tuple[Unit, UnitResult]]:
    # Units are yielded in order. A rest is given to the pool as soon as its piece is answered
    # while at most `window` answered pieces wait here (or when that piece is next in the
    # report order); past that it waits until its piece is yielded: otherwise every span of
    # the window could go on answering pieces of REPORT_LIMIT documents that all wait here (10
    # MiB of tiny invalid lines held 583 MiB). Holding every rest until its piece is next left
    # a worker idle while another checked a span's last piece.
    from noetl_envelope.run.forkpool import Answer, ForkPool

    order: deque[int] = deque()  # tickets in report order
    unit_of: dict[int, Unit] = {}
    answered: dict[int, Answer[UnitResult]] = {}
    waiting: dict[int, Span] = {}  # rests of answered pieces not yet yielded, by the piece's ticket
    window = WINDOW_PER_JOB * jobs
    here = -1  # tickets of the units checked in this process count down, the pool's up from 0

    def give(ticket: int, rest: Span) -> None:  # right after its piece in the report order
        place = order.index(ticket) + 1 if ticket in order else 0
        # A span reported in pieces is a chain, each piece's rest known when it is answered:
        # shared out, the rest keeps workers that have nothing else to do busy.
        for piece in split_span(rest, jobs - pool.in_flight(), min_bytes=MIN_PIECE_BYTES):
            follow = pool.submit(piece)
            order.insert(place, follow)
            place += 1
            unit_of[follow] = piece

    with ForkPool(work, jobs) as pool:
        more = True
        while True:
            while more and len(order) < window:  # answered but not yet yielded counts too
                unit = next(units, None)
                if unit is None:
                    more = False
                    continue
                if _checked_here(unit):
                    ticket, here = here, here - 1
                    try:
                        answered[ticket] = Answer(ticket, True, work(unit))
                    except Exception as exc:  # raised in report order, as a worker's would be
                        answered[ticket] = Answer(ticket, False, exc)
                else:
                    ticket = pool.submit(unit)
                order.append(ticket)
                unit_of[ticket] = unit
            if not order:
                return
            if order[0] in answered:
                ticket = order.popleft()
                answer = answered.pop(ticket)
                if not answer.ok:
                    raise cast(BaseException, answer.value)
                if ticket in waiting:
                    give(ticket, waiting.pop(ticket))
                yield unit_of.pop(ticket), cast(UnitResult, answer.value)
                continue
            for answer in pool.wait():
                answered[answer.ticket] = answer
                rest = cast(UnitResult, answer.value).rest if answer.ok else None
                if rest is None:
                    continue
                if order[0] == answer.ticket or len(answered) <= window:
                    give(answer.ticket, rest)
                else:
                    waiting[answer.ticket] = rest


def _checked_here(unit: Unit) -> bool:
    """Whether the main process checks `unit` itself: one standard-input document of at least
    `LOCAL_DOCUMENT_BYTES` (see `_units`)."""
    return isinstance(unit, list) and len(unit) == 1 and len(unit[0].data) >= LOCAL_DOCUMENT_BYTES


def work_units(reader: DocumentReader, *, enough: int) -> int:
    """How many units the input can be cut into at most (a file: one per `MIN_SPAN_BYTES`, at
    least one), counted only up to `enough`: standard input, whose end is unknown, is `enough`."""
    if reader.reads_stdin:
        return enough
    total = 0
    for path in reader.files():
        try:
            size = os.stat(path).st_size
        except OSError:
            size = 0  # reading it will say why
        total += max(1, -(-size // MIN_SPAN_BYTES))
        if total >= enough:
            break
    return total


def default_jobs() -> int:
    """The number of CPUs this process may use (for `--jobs 0`); 1 where os.fork is missing."""
    if not hasattr(os, "fork"):
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
