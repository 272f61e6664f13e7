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
  and hidden entries, whose name starts with '.', are ignored; symlinked directories are not
  followed, so a link loop cannot hang the walk);
- `-` is standard input, read as NDJSON.

Every path is checked when `iter_documents` is called, before the first document is produced,
so a typo in the last argument fails fast instead of after a long run. Problems with the input
itself (missing path, unreadable file, wrong extension, no documents at all, an I/O error while
reading) raise `InputError`, which the CLI turns into one line and exit code 2.

Files are read in chunks and lines are split incrementally, so memory is bounded by the largest
document, never by the number of documents. A document larger than `max_document_bytes` is not
kept in memory: it is still produced (so counts stay exact and the report names it) with empty
`data` and an `input.too-large` violation in `Document.input_violations`; the caller reports
that violation instead of validating.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from noetl_envelope.violations import Violation

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


@dataclass(frozen=True, slots=True)
class Document:
    """One document and where it came from.

    `source` is the path as given on the command line (joined with the relative path for files
    found in a directory; '<stdin>' for '-'), `line` the 1-based line the document starts on
    (always 1 for a `.json` file). `input_violations` is empty for an ordinary document; when
    the reader could not take the document in full (today: `input.too-large`) it holds the
    reason, `data` is empty and the document must be reported, not validated.
    """

    source: str
    line: int
    data: bytes
    input_violations: tuple[Violation, ...] = ()


class InputError(Exception):
    """The input cannot be read as documents at all: a one-line message, exit code 2 in the CLI."""


def _too_large(source: str, line: int, size: int, limit: int) -> Document:
    message = f"document is {size} bytes, above the limit of {limit} bytes; not validated"
    return Document(source, line, b"", (Violation("input.too-large", "", message),))


def _os_reason(exc: OSError) -> str:
    # strerror is the short human text ("No such file or directory"); str(exc) repeats the path.
    return exc.strerror or type(exc).__name__


@dataclass(frozen=True, slots=True)
class _Input:
    source: str  # the name reports use
    path: str | None  # None for standard input
    lines: bool  # NDJSON (one document per line) or a single-document .json file


class DocumentReader(Iterator[Document]):
    """The iterator `iter_documents` returns; after (or during) iteration it tells what it saw.

    `documents` counts the documents produced so far (too-large ones included) and
    `blank_lines` the empty or whitespace-only NDJSON lines skipped.
    """

    def __init__(
        self,
        paths: Sequence[str],
        *,
        stdin: BinaryIO | None,
        max_document_bytes: int,
        chunk_size: int,
    ) -> None:
        if not paths:
            raise InputError("no input paths given")
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        self.documents = 0
        self.blank_lines = 0
        self._paths = tuple(paths)
        self._stdin = stdin
        self._max = max_document_bytes
        self._chunk = chunk_size
        # Resolved up front: every path problem surfaces before the first document.
        self._inputs = [item for path in self._paths for item in _resolve(path)]
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
        if self.documents == 0:
            raise InputError(f"no documents in {_describe(self._paths)}")

    def _read(self, item: _Input) -> Iterator[Document]:
        if item.path is None:
            stream = self._stdin if self._stdin is not None else sys.stdin.buffer
            yield from self._guard(item.source, self._split_lines(item.source, stream))
            return
        try:
            handle = open(item.path, "rb")  # noqa: SIM115 - closed below, also on early exit
        except OSError as exc:
            raise InputError(f"{item.source}: cannot read: {_os_reason(exc)}") from exc
        with handle:
            if item.lines:
                yield from self._guard(item.source, self._split_lines(item.source, handle))
            else:
                yield from self._guard(item.source, self._whole(item.source, handle))

    @staticmethod
    def _guard(source: str, documents: Iterator[Document]) -> Iterator[Document]:
        # An OSError raised by read() in the middle of a file (EIO, a vanished network mount)
        # is a problem with the input, not an internal error: it gets the one-line treatment.
        try:
            yield from documents
        except OSError as exc:
            raise InputError(f"{source}: read error: {_os_reason(exc)}") from exc

    def _whole(self, source: str, handle: BinaryIO) -> Iterator[Document]:
        parts: list[bytes] = []
        size = 0
        while chunk := handle.read(self._chunk):
            size += len(chunk)
            if size <= self._max:
                parts.append(chunk)
            else:
                parts.clear()  # keep counting, stop keeping: memory stays bounded
        if size > self._max:
            yield _too_large(source, 1, size, self._max)
        else:
            yield Document(source, 1, b"".join(parts))

    def _split_lines(self, source: str, handle: BinaryIO) -> Iterator[Document]:
        line_no = 1  # the line the current (partial) line started on
        pending = bytearray()  # bytes of the current line seen so far, unless it is too large
        size = 0  # bytes of the current line seen so far
        blank = True  # the current line holds only JSON whitespace so far
        started = False  # the current line has at least one byte (distinguishes EOF after "\n")

        def finish() -> Iterator[Document]:
            if blank:
                self.blank_lines += 1
            elif size > self._max:
                yield _too_large(source, line_no, size, self._max)
            else:
                yield Document(source, line_no, bytes(pending))

        while chunk := handle.read(self._chunk):
            start = 0
            last = chunk.rfind(b"\n")
            while start < len(chunk):
                if not started and start <= last:
                    # No partial line pending: the complete lines up to the chunk's last "\n"
                    # are split in one C call (the code below does the same line by line; this
                    # keeps the reader, which runs in the main process, from bounding --jobs N).
                    for segment in chunk[start:last].split(b"\n"):
                        if not segment.strip(_BLANK):
                            self.blank_lines += 1
                        elif len(segment) > self._max:
                            yield _too_large(source, line_no, len(segment), self._max)
                        else:
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
                    if size <= self._max:
                        pending += segment
                    else:
                        pending.clear()
                if end < 0:
                    break
                yield from finish()
                line_no += 1
                pending.clear()
                size, blank, started = 0, True, False
                start = end + 1
        if started:  # a last line without a final "\n"
            yield from finish()


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


def _check_readable(source: str, path: str) -> None:
    # Opening is the only reliable test (os.access ignores ACLs and answers for root).
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {_os_reason(exc)}") from exc


def _resolve(path: str) -> list[_Input]:
    if path == STDIN:
        return [_Input(STDIN_SOURCE, None, True)]
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise InputError(f"{path}: {_os_reason(exc)}") from exc
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
    return [_Input(path, path, kind)]


def _walk(directory: str) -> Iterator[_Input]:
    try:
        with os.scandir(directory) as entries:
            listing = sorted(entries, key=lambda entry: entry.name)
    except OSError as exc:
        raise InputError(f"{directory}: cannot list: {_os_reason(exc)}") from exc
    for entry in listing:
        if entry.name.startswith("."):
            continue
        source = os.path.join(directory, entry.name)
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            is_file = entry.is_file(follow_symlinks=True)
        except OSError as exc:
            raise InputError(f"{source}: {_os_reason(exc)}") from exc
        if is_dir:
            yield from _walk(source)
        elif is_file:
            kind = _suffix_kind(entry.name)
            if kind is not None:
                _check_readable(source, source)
                yield _Input(source, source, kind)


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
