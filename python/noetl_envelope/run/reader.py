"""How bytes become documents: the first stage of the pipeline, before any JSON is looked at.

The rules (DESIGN.md, "Interfaces"):

- a `.json` file is exactly one document: its whole bytes, even when empty or not JSON;
- a `.ndjson` / `.jsonl` file is one document per line, split on the byte b"\\n" and nothing
  else. U+2028, U+2029 and a lone b"\\r" are not line breaks (serde_json writes the first two
  raw inside strings), and the b"\\r" of a CRLF line stays in the document's bytes: serde_json
  treats it as trailing whitespace, so the validator decides, not the reader;
- the empty segment after a final b"\\n" is not a line; a line that is empty or holds only JSON
  whitespace (space, tab, CR) is not a document either, but it is counted (`blank_lines`) so a
  report can say what was skipped;
- a directory is walked recursively in sorted order for those three extensions (other files
  and hidden entries, whose name starts with '.', are ignored, links among them unread;
  symlinked directories are not followed, so a link loop cannot hang or stop the walk);
- a symbolic link with one of those names that leads nowhere (dangling, or a loop) is an input
  error, whether it is named or found in a directory: it stands for input that cannot be read;
- `-` is standard input, read as NDJSON, as it comes (a line is produced as soon as it is in;
  `before_wait` is called before each read that may block, so a caller can flush its output).

One snapshot per input: a file is opened once, when its turn comes, and read to its end through
that handle (spans read it with `os.pread`; a worker process reopens the same open file through
/proc/PID/fd, or its path where there is no /proc, and checks it is the same file). A file
replaced (its path now names another file) or truncated during the run is an input error naming
it; a file that grows, and a /proc file (whose size says 0), is read to its end.

Every path is checked when `iter_documents` is called, before the first document is produced,
so a typo in the last argument fails fast instead of after a long run. Problems with the input
itself (missing path, unreadable file, wrong extension, no documents at all, an I/O error while
reading) raise `InputError`, which the CLI turns into one line and exit code 2.

Files are read in chunks and lines are split incrementally, so memory is bounded by the largest
document, never by the number of documents. A document larger than `max_document_bytes` is not
kept in memory: it is still produced (so counts stay exact and the report names it) with empty
`data` and an `input.too-large` violation in `Document.input_violations`; the caller reports
that violation instead of validating.

For work spread over processes (`bulk`), `DocumentReader.units` cuts the same input into
`Span`s: byte ranges of a file that end just after a b"\\n", so each can be read on its own
with `read_span` (standard input, which cannot be re-read, is produced as documents instead).
Reading every span in order yields exactly the documents `iter_documents` yields, with line
numbers counted from the span's start; `account` brings the counts back to the reader.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, BinaryIO, Protocol, TypeVar

from noetl_envelope.core.errors import InputError
from noetl_envelope.core.rules import ALL_PROFILES, Rule
from noetl_envelope.core.violations import Violation

INPUT_TOO_LARGE = Rule(
    "input.too-large",
    ALL_PROFILES,
    "A single document is larger than the configured limit.",
    message="document is {size} bytes, above the limit of {limit} bytes; not validated",
)


SINGLE_DOCUMENT_SUFFIXES = (".json",)
LINE_DOCUMENT_SUFFIXES = (".ndjson", ".jsonl")
SUFFIXES = SINGLE_DOCUMENT_SUFFIXES + LINE_DOCUMENT_SUFFIXES
_SUFFIX_TEXT = ".json, .ndjson or .jsonl"
STDIN = "-"
STDIN_SOURCE = "<stdin>"
DEFAULT_MAX_DOCUMENT_BYTES = 256 * 2**20
DEFAULT_CHUNK_SIZE = 2**20
# JSON whitespace per RFC 8259 minus the line feed, which already ended the line.
_BLANK = b" \t\r"
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Document:
    """One document and where it came from.

    `source` is the path as given on the command line (joined with the relative path for files
    found in a directory; '<stdin>' for '-'), `line` the 1-based line the document starts on
    (always 1 for a `.json` file). `input_violations` is empty for an ordinary document; when
    the reader could not take the document in full (today: `input.too-large`) it holds the
    reason, `data` is empty and the document must be reported, not validated. `excerpts` holds,
    per rule, the bytes a report quotes for its first violation, taken where the bytes were (a
    worker) when the document comes back without them (`bulk.check_stream`'s `quote`).
    """

    source: str
    line: int
    data: bytes
    input_violations: tuple[Violation, ...] = ()
    excerpts: tuple[tuple[str, str], ...] = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Reported documents cross the --jobs pipes by pickle: the constructor rebuilds one
        # faster than the dataclass's field-by-field state.
        return (Document, (self.source, self.line, self.data, self.input_violations, self.excerpts))


def too_large_document(source: str, line: int, size: int, limit: int) -> Document:
    """The document standing for a line of `size` bytes over `limit`: no bytes, one violation."""
    return Document(source, line, b"", (INPUT_TOO_LARGE.at((), size=size, limit=limit),))


def _os_reason(exc: OSError) -> str:
    # strerror is the short human text ("No such file or directory"); str(exc) repeats the path.
    return exc.strerror or type(exc).__name__


@dataclass(frozen=True, slots=True)
class Span:
    """One input, or a part of one that can be read on its own (`read_span`).

    `source` is the name reports use, `path` None for standard input, `lines` True for NDJSON
    (one document per line) and False for a single-document .json file. `start`/`end` bound
    the bytes read (`end` None: to the end of the file); a span cut by `units` starts at the
    beginning of a line and ends just after a b"\\n" (or at the end of the file), and the last
    span of a file (`to_end`) goes on past `end` to wherever the file ends by then.

    A span cut by `units` carries the snapshot it belongs to: `fd`, open in process `owner`
    (the reader's, which keeps it open until `release`), and the file's `device`, `inode` and
    `size` when it was opened. A span without `fd` (made by hand) opens `path`.
    """

    source: str
    path: str | None
    lines: bool
    start: int = 0
    end: int | None = None
    to_end: bool = False
    fd: int | None = None
    owner: int = 0
    device: int = 0
    inode: int = 0
    size: int = 0


# The smallest span `units` cuts to give a file more spans: below it, the cost per span
# (opening the file, a round trip to a worker) would outweigh the work in it.
MIN_SPAN_BYTES = 64 * 2**10
# How far `units` looks past a cut point for the b"\\n" that ends the span.
_SCAN_BYTES = 8 * 2**10


class _Readable(Protocol):
    @property
    def consumed(self) -> int:
        """Bytes returned by `read` so far (or passed over by `line_at`)."""
        ...

    def read(self, size: int) -> bytes: ...


class _Positioned:
    """`read` of an open file from `start` on, through `os.pread` (the handle's own offset is
    left alone, so spans of one snapshot can share it); stops after `limit` bytes, if given. A
    read that ends before `limit` means the file was truncated under the run."""

    def __init__(self, source: str, fd: int, start: int, limit: int | None) -> None:
        self._source = source
        self._fd = fd
        self._start = start
        self.offset = start
        self._stop = None if limit is None else start + limit

    @property
    def consumed(self) -> int:
        return self.offset - self._start

    def read(self, size: int) -> bytes:
        if self._stop is not None:
            size = min(size, self._stop - self.offset)
            if size <= 0:
                return b""
        data = os.pread(self._fd, size, self.offset)
        if not data and self._stop is not None:
            raise InputError(f"{self._source}: truncated during the run (it ends at byte {self.offset})")
        self.offset += len(data)
        return data

    def line_at(self, begin: int, blank: bool, block: int, limit: int) -> tuple[bytes | None, int, bool]:
        """The line that starts at offset `begin` (before where `read` is: its start was read
        already, and was `blank` so far), read to its end: (its bytes without the b"\\n", None
        when longer than `limit` or blank; its size; whether it is blank). Reading goes on just
        past its b"\\n". The end is found first, without keeping what is scanned, then the line
        is read with one `pread` into one buffer: a long line is never held twice (as pieces
        and joined)."""
        stop = None  # where the line's b"\\n" is, once found
        while stop is None and (chunk := self.read(block)):
            end = chunk.find(b"\n")
            if end >= 0:
                stop = self.offset - len(chunk) + end
                self.offset = stop + 1  # resume just past the b"\\n"
                chunk = chunk[:end]
            blank = blank and not chunk.strip(_BLANK)
        size = (self.offset if stop is None else stop) - begin
        if blank or size > limit:
            return None, size, blank
        return self._pread_exactly(begin, size), size, False

    def _pread_exactly(self, offset: int, size: int) -> bytes:
        data = os.pread(self._fd, size, offset)
        if len(data) < size:  # a short read (above 2 GiB on Linux, or truncated meanwhile): rare
            parts = [data]
            got = len(data)
            while got < size:
                more = os.pread(self._fd, size - got, offset + got)
                if not more:
                    raise InputError(f"{self._source}: truncated during the run (it ends at byte {offset + got})")
                parts.append(more)
                got += len(more)
            data = b"".join(parts)
        return data


class _Streaming:
    """`read` of a stream as bytes come in (read1: what is there, at most `size`), calling
    `before_wait` first: a line is produced as soon as it is read, not when a chunk is full."""

    def __init__(self, stream: BinaryIO, before_wait: Callable[[], None] | None) -> None:
        self._read = getattr(stream, "read1", stream.read)
        self._before_wait = before_wait
        self.consumed = 0

    def read(self, size: int) -> bytes:
        if self._before_wait is not None:
            self._before_wait()
        data = bytes(self._read(size))
        self.consumed += len(data)
        return data


class DocumentReader(Iterator[Document]):
    """The iterator `iter_documents` returns; after (or during) iteration it tells what it saw.

    `documents` counts the documents produced so far (too-large ones included) and
    `blank_lines` the empty or whitespace-only NDJSON lines skipped. While NDJSON is read,
    `position` is the byte offset in the current input (in a span: from its start) just past
    the line of the last document produced, its b"\\n" included: where reading can resume.
    """

    def __init__(
        self,
        paths: Sequence[str],
        *,
        stdin: BinaryIO | None,
        max_document_bytes: int,
        chunk_size: int,
        spans: Sequence[Span] | None = None,
    ) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        self.documents = 0
        self.blank_lines = 0
        self.position = 0
        self.max_document_bytes = max_document_bytes
        self.chunk_size = chunk_size
        self.before_wait: Callable[[], None] | None = None
        self._held: dict[int, BinaryIO] = {}  # snapshots whose spans are out (units), by fd
        self._paths = tuple(paths)
        self._stdin = stdin
        # Resolved up front: every path problem surfaces before the first document.
        self._inputs = [item for path in self._paths for item in _resolve(path)] if spans is None else list(spans)
        if not self._inputs and spans is None:
            raise InputError("no input paths given")
        self._iter = self._generate()

    def __iter__(self) -> DocumentReader:
        return self

    def __next__(self) -> Document:
        return next(self._iter)

    def _generate(self) -> Iterator[Document]:
        for item in self._inputs:
            for doc in self._read(item):
                self.documents += 1
                yield doc

    @property
    def paths(self) -> tuple[str, ...]:
        """The paths as given (files, directories, '-')."""
        return self._paths

    @property
    def reads_stdin(self) -> bool:
        return any(item.path is None for item in self._inputs)

    @property
    def sources(self) -> list[str]:
        """The name of every input, in order, as documents carry it (`Document.source`)."""
        return [item.source for item in self._inputs]

    def files(self) -> list[str]:
        """The path of every input file (directories walked), in order; not standard input."""
        return [item.path for item in self._inputs if item.path is not None]

    def release(self, span: Span) -> None:
        """The last span of a file (`to_end`) was read: close the snapshot its spans shared."""
        if span.fd is not None and span.owner == os.getpid():
            handle = self._held.pop(span.fd, None)
            if handle is not None:
                handle.close()

    def close(self) -> None:
        """Close every snapshot still held (an early stop)."""
        for handle in self._held.values():
            handle.close()
        self._held.clear()

    def units(self, span_bytes: int, *, spans_per_file: int = 1) -> Iterator[Span | Document]:
        """The input as units of work, in order: spans of at most about `span_bytes` bytes cut
        at line ends for files (smaller, down to `MIN_SPAN_BYTES`, when that gives a file at
        least `spans_per_file` spans), and the documents themselves for standard input (read
        here, counted in `blank_lines` but not in `documents`). Nothing is counted for spans:
        whoever reads them reports their counts with `account`."""
        if span_bytes < 1 or spans_per_file < 1:
            raise ValueError("span_bytes and spans_per_file must be positive")
        for item in self._inputs:
            if item.path is None:
                yield from self._read(item)
                continue
            handle = _open(item.source, item.path)
            try:
                info = os.fstat(handle.fileno())
            except OSError as exc:
                handle.close()
                raise InputError(f"{item.source}: cannot read: {_os_reason(exc)}") from exc
            snapshot = replace(
                item, fd=handle.fileno(), owner=os.getpid(), device=info.st_dev, inode=info.st_ino, size=info.st_size
            )
            self._held[handle.fileno()] = handle
            if not item.lines:
                yield replace(snapshot, to_end=True)
            else:
                yield from self._guard(item.source, _cut(snapshot, span_bytes, spans_per_file))

    def account(self, documents: int, blank_lines: int) -> None:
        """Add the counts of documents produced outside this reader (spans read by `read_span`)."""
        self.documents += documents
        self.blank_lines += blank_lines

    def _read(self, item: Span) -> Iterator[Document]:
        if item.path is None:
            stream = self._stdin if self._stdin is not None else sys.stdin.buffer
            yield from self._guard(item.source, self._split_lines(item.source, _Streaming(stream, self.before_wait)))
            return
        if item.fd is None:  # a whole file, read here: its own snapshot
            with _open(item.source, item.path) as handle:
                info = os.fstat(handle.fileno())
                whole = replace(item, device=info.st_dev, inode=info.st_ino, size=info.st_size)
                yield from self._read_snapshot(whole, handle.fileno())
            return
        fd, opened = reopen_span(item)
        try:
            yield from self._read_snapshot(item, fd)
        finally:
            if opened:
                os.close(fd)

    def _read_snapshot(self, item: Span, fd: int) -> Iterator[Document]:
        limit = None if item.end is None or item.to_end else item.end - item.start
        source = _Positioned(item.source, fd, item.start, limit)
        if item.lines:
            documents = self._split_lines(item.source, source)
        else:
            documents = self._whole(item.source, source, min(item.size, self.max_document_bytes + 1))
        yield from self._guard(item.source, documents)
        if item.end is None or item.to_end:
            _check_unchanged(item, source.offset)

    @staticmethod
    def _guard(source: str, documents: Iterator[_T]) -> Iterator[_T]:
        # An OSError raised by read() in the middle of a file (EIO, a vanished network mount)
        # is a problem with the input, not an internal error: it gets the one-line treatment.
        try:
            yield from documents
        except OSError as exc:
            raise InputError(f"{source}: read error: {_os_reason(exc)}") from exc

    def _whole(self, source: str, handle: _Readable, size_hint: int = 0) -> Iterator[Document]:
        """The one document of a .json file; the first read takes `size_hint` bytes (the size
        the file had), so the document is read into one buffer, not gathered and joined."""
        parts: list[bytes] = []
        size = 0
        while chunk := handle.read(max(self.chunk_size, size_hint) if not size else self.chunk_size):
            size += len(chunk)
            if size <= self.max_document_bytes:
                parts.append(chunk)
            else:
                parts.clear()  # keep counting, stop keeping: memory stays bounded
        if size > self.max_document_bytes:
            yield too_large_document(source, 1, size, self.max_document_bytes)
        else:
            yield Document(source, 1, parts[0] if len(parts) == 1 else b"".join(parts))

    def _split_lines(self, source: str, handle: _Readable) -> Iterator[Document]:
        line_no = 1  # the line the current (partial) line started on
        # The bytes of the current line seen so far, unless it is too large. A BytesIO, not a
        # bytearray: its `getvalue()` hands over its own buffer, so a long line read from a stream
        # is held once, where `bytes(bytearray)` copies it.
        pending = io.BytesIO()
        size = 0  # bytes of the current line seen so far
        blank = True  # the current line holds only JSON whitespace so far
        started = False  # the current line has at least one byte (distinguishes EOF after "\n")
        base = 0  # bytes read before `chunk`
        self.position = 0

        def finish() -> Iterator[Document]:
            if blank:
                self.blank_lines += 1
            elif size > self.max_document_bytes:
                yield too_large_document(source, line_no, size, self.max_document_bytes)
            else:
                data = pending.getvalue()
                _clear(pending)  # before any write: a write to the shared buffer would copy it
                yield Document(source, line_no, data)
                del data

        while chunk := handle.read(self.chunk_size):
            start = 0
            last = chunk.rfind(b"\n")
            while start < len(chunk):
                if not started and start <= last:
                    # No partial line pending: the complete lines up to the chunk's last "\n"
                    # are split in one C call (the code below does the same line by line): the
                    # reader runs for every document, in each worker under --jobs N.
                    position = base + start
                    for segment in chunk[start:last].split(b"\n"):
                        position += len(segment) + 1
                        if not segment.strip(_BLANK):
                            self.blank_lines += 1
                        elif len(segment) > self.max_document_bytes:
                            self.position = position
                            yield too_large_document(source, line_no, len(segment), self.max_document_bytes)
                        else:
                            self.position = position
                            yield Document(source, line_no, segment)
                        line_no += 1
                    start = last + 1
                    continue
                end = chunk.find(b"\n", start)
                stop = len(chunk) if end < 0 else end
                segment = chunk[start:stop]
                if segment:
                    started = True
                    size += len(segment)
                    if blank and segment.strip(_BLANK):
                        blank = False
                    if size <= self.max_document_bytes:
                        pending.write(segment)
                    else:
                        _clear(pending)
                if end < 0 and size > self.chunk_size and isinstance(handle, _Positioned):
                    # A line longer than a chunk, in a file: found to its end and read in one
                    # buffer (`line_at`), instead of gathered here and then copied out.
                    _clear(pending)
                    begin = handle.offset - size
                    data, size, blank = handle.line_at(begin, blank, self.chunk_size, self.max_document_bytes)
                    self.position = handle.consumed
                    if blank:
                        self.blank_lines += 1
                    elif data is None:
                        yield too_large_document(source, line_no, size, self.max_document_bytes)
                    else:
                        yield Document(source, line_no, data)
                    del data
                    line_no += 1
                    size, blank, started = 0, True, False
                    break
                if end < 0:
                    break
                self.position = base + end + 1
                yield from finish()
                line_no += 1
                _clear(pending)
                size, blank, started = 0, True, False
                start = end + 1
            base = handle.consumed
        if started:  # a last line without a final "\n"
            self.position = base
            yield from finish()


def _clear(pending: io.BytesIO) -> None:
    """Empty `pending`, letting go of a buffer `getvalue()` handed over."""
    pending.seek(0)
    pending.truncate()


def _cut(item: Span, span_bytes: int, spans_per_file: int) -> Iterator[Span]:
    """`item` (a whole NDJSON file's snapshot) as consecutive spans, each ending just after a
    b"\\n" at or past `step` bytes from its start (a line longer than that makes a longer span);
    the last one goes on to wherever the file ends when it is read (`to_end`)."""
    step = min(span_bytes, max(-(-item.size // spans_per_file), MIN_SPAN_BYTES))
    yield from _cut_range(replace(item, start=0, end=item.size, to_end=True), step)


def split_span(span: Span, parts: int, *, min_bytes: int) -> list[Span]:
    """`span` (cut by `DocumentReader.units`, or a rest of one) as up to `parts` consecutive
    spans of about equal size, at least `min_bytes` each, cut just after a b"\\n": read one
    after the other, they read what `span` reads (the last one keeps its `end` and `to_end`)."""
    if span.fd is None or span.end is None or parts < 2:
        return [span]
    size = span.end - span.start
    step = max(-(-size // parts), min_bytes, 1)
    return [span] if step >= size else list(_cut_range(span, step))


def _cut_range(item: Span, step: int) -> Iterator[Span]:
    """`item`'s bytes from `start` to `end` as spans ending just after the first b"\\n" at or
    past `step` bytes from their start, the last one ending where `item` does."""
    assert item.fd is not None and item.end is not None
    size = item.end
    start = item.start
    while True:
        end = start + step
        while end < size:
            block = os.pread(item.fd, _SCAN_BYTES, end - 1)
            found = block.find(b"\n")
            if found >= 0:
                end += found
                break
            if not block:  # the file is shorter than it was: the last span finds out
                end = size
                break
            end += len(block)
        if end >= size:
            yield replace(item, start=start)
            return
        yield replace(item, start=start, end=end, to_end=False)
        start = end


def _same_file(item: Span, info: os.stat_result) -> bool:
    return (info.st_dev, info.st_ino) == (item.device, item.inode)


def reopen_span(item: Span) -> tuple[int, bool]:
    """A file descriptor reading `item`'s snapshot, and whether it was opened here (to close):
    the snapshot's own in the process that holds it; elsewhere the same open file through
    /proc/OWNER/fd/FD, else the path, which must still name the same file."""
    assert item.fd is not None and item.path is not None
    if item.owner == os.getpid():
        return item.fd, False
    for name in (f"/proc/{item.owner}/fd/{item.fd}", item.path):
        try:
            fd = os.open(name, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            if name == item.path:
                raise InputError(f"{item.source}: cannot read: {_os_reason(exc)}") from exc
            continue
        if _same_file(item, os.fstat(fd)):
            return fd, True
        os.close(fd)
    raise InputError(f"{item.source}: replaced during the run (the path now names another file)")


def _check_unchanged(item: Span, end: int) -> None:
    """At the end of a file's snapshot: an error if it was truncated (it ends before its size
    at the start) or its path now names another file. A file removed meanwhile is fine: what
    was read is one consistent snapshot."""
    if end < item.size:
        raise InputError(f"{item.source}: truncated during the run (it was {item.size} bytes, it ends at {end})")
    if item.path is None:
        return
    try:
        info = os.stat(item.path)
    except OSError:
        return
    if not _same_file(item, info):
        raise InputError(f"{item.source}: replaced during the run (the path now names another file)")


def read_span(span: Span, *, max_document_bytes: int, chunk_size: int) -> DocumentReader:
    """The documents of one span (from `DocumentReader.units`), line numbers counted from 1 at
    the span's start; the returned reader's `documents` and `blank_lines` count what it read.
    No "no documents" error: a span of blank lines is fine, the whole input is judged by the
    reader that cut it."""
    return DocumentReader((), stdin=None, max_document_bytes=max_document_bytes, chunk_size=chunk_size, spans=[span])


def with_line_offset(doc: Document, offset: int) -> Document:
    """`doc` with `offset` lines added to its line number (a span's documents, placed in their file)."""
    if not offset:
        return doc
    # The constructor, not dataclasses.replace: this runs for every reported line, and replace
    # looks up the fields each time.
    return Document(doc.source, doc.line + offset, doc.data, doc.input_violations, doc.excerpts)


def _describe(paths: Sequence[str]) -> str:
    names = [STDIN_SOURCE if p == STDIN else p for p in paths]
    shown = ", ".join(names[:3])
    return shown + (f" (and {len(names) - 3} more)" if len(names) > 3 else "")


def _suffix_kind(path: str) -> bool | None:
    """True for a line-per-document file, False for a single-document file, None otherwise."""
    if path.endswith(LINE_DOCUMENT_SUFFIXES):
        return True
    if path.endswith(SINGLE_DOCUMENT_SUFFIXES):
        return False
    return None


def _open(source: str, path: str) -> BinaryIO:
    """`path` opened for reading, or `InputError` naming `source` and the reason."""
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {_os_reason(exc)}") from exc


def _check_readable(source: str, path: str) -> None:
    # Opening is the only reliable test (os.access ignores ACLs and answers for root).
    with _open(source, path):
        pass


def _resolve(path: str) -> list[Span]:
    if path == STDIN:
        return [Span(STDIN_SOURCE, None, True)]
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise InputError(f"{path}: {_unresolvable(path, exc)}") from exc
    if stat.S_ISDIR(mode):
        found = list(_walk(path))
        if not found:
            raise InputError(f"{path}: directory holds no {_SUFFIX_TEXT} files")
        return found
    if not stat.S_ISREG(mode):
        # A FIFO or device would block or never end; `-` is the way to stream.
        raise InputError(f"{path}: not a regular file or directory")
    kind = _suffix_kind(path)
    if kind is None:
        raise InputError(f"{path}: not a {_SUFFIX_TEXT} file")
    _check_readable(path, path)
    return [Span(path, path, kind)]


def _unresolvable(path: str, exc: OSError) -> str:
    """Why `path` cannot be followed; a link that leads nowhere is named as such."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return f"dangling symbolic link (to {os.readlink(path)}, which does not exist)"
    return _os_reason(exc)


def _walk(directory: str) -> Iterator[Span]:
    try:
        with os.scandir(directory) as entries:
            listing = sorted(entries, key=lambda entry: entry.name)
    except OSError as exc:
        raise InputError(f"{directory}: cannot list: {_os_reason(exc)}") from exc
    for entry in listing:
        if entry.name.startswith("."):
            continue
        source = os.path.join(directory, entry.name)
        kind = _suffix_kind(entry.name)
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(source)
                continue
            if kind is None:  # not an input name: not even looked at (a link loop is fine here)
                continue
            if entry.is_symlink():
                # Followed, as a named path is: a link that leads nowhere is the same error
                # here as on the command line; a link to a directory is not walked.
                mode = os.stat(source).st_mode
                is_file = stat.S_ISREG(mode)
            else:
                is_file = entry.is_file(follow_symlinks=False)
        except OSError as exc:
            raise InputError(f"{source}: {_unresolvable(source, exc)}") from exc
        if is_file:
            _check_readable(source, source)
            yield Span(source, source, kind)


def iter_documents(
    paths: Sequence[str],
    *,
    stdin: BinaryIO | None = None,
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> DocumentReader:
    """The documents of `paths` in order; paths are checked now, files are read lazily.

    Raises `InputError` at once for a bad path, and at the end of iteration if no path held a
    document. `stdin` (default `sys.stdin.buffer`) is what `-` reads.
    """
    return DocumentReader(paths, stdin=stdin, max_document_bytes=max_document_bytes, chunk_size=chunk_size)
