"""reader.py: how bytes become documents (splitting, blank lines, walking, limits, input errors)."""

from __future__ import annotations

import io
import os
import pwd
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from noetl_envelope.core.errors import InputError
from noetl_envelope.run.reader import (
    INPUT_TOO_LARGE,
    Document,
    DocumentReader,
    Span,
    iter_documents,
    read_span,
    split_span,
    with_line_offset,
)


def docs_of(data: bytes, **kwargs: int) -> tuple[list[tuple[int, bytes]], int]:
    """(line, data) of each document read from `data` as NDJSON on stdin, and the blank-line count."""
    reader = iter_documents(["-"], stdin=io.BytesIO(data), **kwargs)
    found = [(doc.line, doc.data) for doc in reader]
    return found, reader.blank_lines


# --- splitting ---------------------------------------------------------------------------------


def test_splits_on_newline_bytes_only() -> None:
    ls, ps = "\u2028".encode(), "\u2029".encode()
    data = b'{"a":"x' + ls + b'y"}\n{"b":"' + ps + b'"}\n' + b"a\rb\x0bc\x0cd\x85e\n"
    found, blank = docs_of(data)
    assert found == [
        (1, b'{"a":"x' + ls + b'y"}'),
        (2, b'{"b":"' + ps + b'"}'),
        (3, b"a\rb\x0bc\x0cd\x85e"),
    ]
    assert blank == 0


def test_crlf_keeps_the_carriage_return() -> None:
    found, _ = docs_of(b"{}\r\n[]\r\n")
    assert found == [(1, b"{}\r"), (2, b"[]\r")]


def test_final_newline_is_not_an_extra_document() -> None:
    assert docs_of(b"1\n2\n") == ([(1, b"1"), (2, b"2")], 0)
    assert docs_of(b"1\n2") == ([(1, b"1"), (2, b"2")], 0)


def test_blank_lines_are_counted_not_yielded_and_line_numbers_stay_true() -> None:
    found, blank = docs_of(b"\n1\n \t\r\n\r\n2\n\n")
    assert found == [(2, b"1"), (5, b"2")]
    assert blank == 4
    # A whitespace-only last line without a newline is a blank line too.
    assert docs_of(b"1\n  ") == ([(1, b"1")], 1)


def test_other_whitespace_is_a_document() -> None:
    # Form feed and vertical tab are not JSON whitespace: the validator must see them.
    found, blank = docs_of(b"\x0c\n\x0b\n")
    assert found == [(1, b"\x0c"), (2, b"\x0b")]
    assert blank == 0


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 7, 64])
def test_chunk_boundaries_do_not_matter(chunk_size: int) -> None:
    data = b'{"k":"v\xe2\x80\xa8"}\r\n\n  \n[1,2,3]\n\n"long line here"\nlast'
    expected = docs_of(data)
    assert expected == (
        [(1, b'{"k":"v\xe2\x80\xa8"}\r'), (4, b"[1,2,3]"), (6, b'"long line here"'), (7, b"last")],
        3,
    )
    assert docs_of(data, chunk_size=chunk_size) == expected


def test_a_ten_megabyte_line_is_one_document() -> None:
    big = b'{"x":"' + b"a" * (10 * 2**20) + b'"}'
    found, _ = docs_of(b"1\n" + big + b"\n2\n", chunk_size=4096)
    assert [line for line, _ in found] == [1, 2, 3]
    assert found[1][1] == big


# --- too large ---------------------------------------------------------------------------------


def test_too_large_line_is_yielded_as_a_marker_with_exact_counts() -> None:
    reader = iter_documents(["-"], stdin=io.BytesIO(b"12345\n123456\n\n1234\n"), max_document_bytes=5, chunk_size=2)
    docs = list(reader)
    assert [(d.line, d.data) for d in docs] == [(1, b"12345"), (2, b""), (4, b"1234")]
    assert docs[0].input_violations == () and docs[2].input_violations == ()
    (violation,) = docs[1].input_violations
    assert violation.rule == "input.too-large"
    assert violation.pointer == ""
    assert "6 bytes" in violation.message and "5" in violation.message
    assert reader.documents == 3
    assert reader.blank_lines == 1


def test_too_large_json_file(tmp_path: Path) -> None:
    (tmp_path / "big.json").write_bytes(b"x" * 100)
    (doc,) = iter_documents([str(tmp_path / "big.json")], max_document_bytes=99, chunk_size=7)
    assert doc.data == b""
    assert [v.rule for v in doc.input_violations] == ["input.too-large"]
    (ok,) = iter_documents([str(tmp_path / "big.json")], max_document_bytes=100, chunk_size=7)
    assert ok == Document(str(tmp_path / "big.json"), 1, b"x" * 100)


# --- files and directories ---------------------------------------------------------------------


def test_json_file_is_one_document_whatever_it_holds(tmp_path: Path) -> None:
    raw = b'{"a":1}\n{"b":2}\n\n'
    (tmp_path / "two.json").write_bytes(raw)
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "blank.json").write_bytes(b"  \n")
    paths = [str(tmp_path / n) for n in ("two.json", "empty.json", "blank.json")]
    reader = iter_documents(paths)
    assert [(d.source, d.line, d.data) for d in reader] == [
        (paths[0], 1, raw),
        (paths[1], 1, b""),
        (paths[2], 1, b"  \n"),
    ]
    assert reader.blank_lines == 0


def test_jsonl_is_line_delimited(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(b"1\n2\n")
    assert [d.data for d in iter_documents([str(tmp_path / "a.jsonl")])] == [b"1", b"2"]


def test_directory_walk_is_recursive_sorted_and_filtered(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.json").write_bytes(b"bz")
    (tmp_path / "b" / "a.ndjson").write_bytes(b"ba1\nba2\n")
    (tmp_path / "a.jsonl").write_bytes(b"a\n")
    (tmp_path / "c.json").write_bytes(b"c")
    (tmp_path / "notes.txt").write_bytes(b"ignored")
    (tmp_path / "data.json.bak").write_bytes(b"ignored")
    (tmp_path / ".hidden.json").write_bytes(b"ignored")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.json").write_bytes(b"ignored")
    (tmp_path / "empty-dir").mkdir()
    reader = iter_documents([str(tmp_path)])
    got = [(os.path.relpath(d.source, tmp_path), d.line, d.data) for d in reader]
    assert got == [
        ("a.jsonl", 1, b"a"),
        (os.path.join("b", "a.ndjson"), 1, b"ba1"),
        (os.path.join("b", "a.ndjson"), 2, b"ba2"),
        (os.path.join("b", "z.json"), 1, b"bz"),
        ("c.json", 1, b"c"),
    ]


def test_sources_keep_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.json").write_bytes(b"1")
    monkeypatch.chdir(tmp_path)
    assert [d.source for d in iter_documents(["d"])] == [os.path.join("d", "x.json")]
    assert [d.source for d in iter_documents(["./d/x.json"])] == ["./d/x.json"]


def test_stdin_is_ndjson_named_stdin(tmp_path: Path) -> None:
    (tmp_path / "f.json").write_bytes(b"f")
    reader = iter_documents([str(tmp_path / "f.json"), "-"], stdin=io.BytesIO(b"s1\ns2"))
    assert [(d.source, d.line, d.data) for d in reader] == [
        (str(tmp_path / "f.json"), 1, b"f"),
        ("<stdin>", 1, b"s1"),
        ("<stdin>", 2, b"s2"),
    ]


# --- input errors --------------------------------------------------------------------------------


def test_bad_paths_fail_up_front_naming_the_path(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_bytes(b"{}")
    (tmp_path / "notes.txt").write_bytes(b"x")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.md").write_bytes(b"x")
    cases = {
        str(tmp_path / "missing.json"): "No such file",
        str(tmp_path / "notes.txt"): "not a .json, .ndjson or .jsonl file",
        str(tmp_path / "empty"): "holds no .json, .ndjson or .jsonl files",
    }
    for bad, reason in cases.items():
        # The bad path comes last: the error must still come before any document is read.
        with pytest.raises(InputError) as info:
            iter_documents([str(good), bad])
        message = str(info.value)
        assert message.startswith(bad + ": ") and reason in message
        assert "\n" not in message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_special_files_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.ndjson"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        iter_documents([str(fifo)])


def _unprivileged(run: Callable[[], str]) -> str:
    """`run()` in a forked child that dropped root to `nobody` (root opens any file, so a locked
    file is only locked for someone else); its result, or the repr of what it raised."""
    try:
        user = pwd.getpwnam("nobody")
        uid, gid = user.pw_uid, user.pw_gid
    except KeyError:
        uid = gid = 65534
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            try:
                answer = run()
            except BaseException as exc:
                answer = f"raised {exc!r}"
            os.write(write_end, answer.encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answers:
        answer = answers.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, f"the unprivileged child failed: {answer!r}"
    return answer


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_unreadable_file() -> None:
    # Not tmp_path: an unprivileged child must be able to reach the file (pytest's base is 0700).
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o755)
        locked = Path(folder) / "locked.json"
        locked.write_bytes(b"{}")
        locked.chmod(0)

        def attempt() -> str:
            assert not os.access(locked, os.R_OK)  # really locked out, whoever runs this
            with pytest.raises(InputError) as info:
                iter_documents([str(locked)])
            return str(info.value)

        try:
            message = _unprivileged(attempt) if os.geteuid() == 0 else attempt()
        finally:
            locked.chmod(0o600)
        assert message == f"{locked}: cannot read: Permission denied", message


def test_files_of_blank_lines_hold_no_documents(tmp_path: Path) -> None:
    (tmp_path / "a.ndjson").write_bytes(b"")
    (tmp_path / "b.ndjson").write_bytes(b"\n \n\r\n")
    reader = iter_documents([str(tmp_path / "a.ndjson"), str(tmp_path / "b.ndjson")])
    assert isinstance(reader, DocumentReader)
    assert list(reader) == []
    assert (reader.documents, reader.blank_lines) == (0, 3)
    empty = iter_documents(["-"], stdin=io.BytesIO(b""))
    assert list(empty) == [] and empty.documents == 0


def test_no_paths_is_an_error() -> None:
    with pytest.raises(InputError):
        iter_documents([])


class _FailingStream(io.RawIOBase):
    """Gives one line, then fails like a disk or a network mount going away."""

    def __init__(self) -> None:
        self.calls = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls == 1:
            return b"1\n"
        raise OSError(5, "Input/output error")


def test_io_error_while_reading_is_an_input_error() -> None:
    reader = iter_documents(["-"], stdin=_FailingStream())  # type: ignore[arg-type]
    assert next(reader).data == b"1"
    with pytest.raises(InputError, match=r"^<stdin>: read error: Input/output error$"):
        next(reader)


def test_memory_is_not_kept_per_document() -> None:
    # The reader holds no list of documents: iterating a large stream keeps nothing behind.
    reader = iter_documents(["-"], stdin=io.BytesIO(b"{}\n" * 100_000), chunk_size=1000)
    count = sum(1 for _ in reader)
    assert count == reader.documents == 100_000
    assert not any(isinstance(v, list) and len(v) > 1000 for v in vars(reader).values())


# --- spans (the units bulk hands to worker processes) ------------------------------------------


def _read_by_spans(reader: DocumentReader, span_bytes: int, parts: int = 1, min_bytes: int = 1) -> list[Document]:
    """Every document of `reader`, read span by span as bulk's workers do (each span split in
    up to `parts`, as bulk shares a rest out), placed in its file."""
    found: list[Document] = []
    offset = 0
    for unit in reader.units(span_bytes):
        if isinstance(unit, Document):  # standard input: the reader produced it already
            reader.account(1, 0)
            found.append(unit)
            continue
        if unit.start == 0:
            offset = 0
        for span in split_span(unit, parts, min_bytes=min_bytes):
            part = read_span(span, max_document_bytes=reader.max_document_bytes, chunk_size=reader.chunk_size)
            found.extend(with_line_offset(doc, offset) for doc in part)
            reader.account(part.documents, part.blank_lines)
            offset += part.documents + part.blank_lines
    return found


_LINE = st.one_of(
    st.sampled_from([b"", b" ", b"\t\r", b"{}", b"[1]", b"\r", b'"\xe2\x80\xa8"', b"12345678"]),
    st.binary(max_size=12).map(lambda raw: raw.replace(b"\n", b"")),
    st.integers(9, 30).map(lambda n: b" \t" * n),  # blank, and longer than most chunks
)


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(_LINE, max_size=40),
    final_newline=st.booleans(),
    span_bytes=st.integers(1, 64),
    chunk_size=st.integers(1, 16),
    max_document_bytes=st.integers(1, 20),
    parts=st.integers(1, 5),
    min_bytes=st.integers(1, 12),
)
def test_spans_read_exactly_what_the_reader_reads(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[bytes],
    final_newline: bool,
    span_bytes: int,
    chunk_size: int,
    max_document_bytes: int,
    parts: int,
    min_bytes: int,
) -> None:
    folder = tmp_path_factory.mktemp("spans")
    (folder / "a.ndjson").write_bytes(b"\n".join(lines) + (b"\n" if final_newline else b""))
    (folder / "b.json").write_bytes(b"\n".join(lines))
    (folder / "c.ndjson").write_bytes(b"{}\n\n[]")
    options = {"max_document_bytes": max_document_bytes, "chunk_size": chunk_size}
    whole = iter_documents([str(folder)], **options)
    expected = list(whole)
    spans = iter_documents([str(folder)], **options)
    assert _read_by_spans(spans, span_bytes) == expected
    assert (spans.documents, spans.blank_lines) == (whole.documents, whole.blank_lines)
    shared = iter_documents([str(folder)], **options)
    assert _read_by_spans(shared, span_bytes, parts, min_bytes) == expected
    assert (shared.documents, shared.blank_lines) == (whole.documents, whole.blank_lines)
    # A file's line longer than a chunk is found to its end and read in one buffer
    # (`_Positioned.line_at`), standard input's gathered piece by piece: two ways, one answer.
    by_file = iter_documents([str(folder / "a.ndjson")], **options)
    by_stdin = iter_documents(["-"], stdin=io.BytesIO((folder / "a.ndjson").read_bytes()), **options)
    assert [(d.line, d.data, d.input_violations) for d in by_stdin] == [
        (d.line, d.data, d.input_violations) for d in by_file
    ]
    assert by_stdin.blank_lines == by_file.blank_lines


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(_LINE, max_size=30), final_newline=st.booleans(), chunk_size=st.integers(1, 16))
def test_position_is_just_past_the_line_of_the_last_document(
    lines: list[bytes], final_newline: bool, chunk_size: int
) -> None:
    data = b"\n".join([*lines, b"{}"]) + (b"\n" if final_newline else b"")  # at least one document
    reader = iter_documents(["-"], stdin=io.BytesIO(data), chunk_size=chunk_size, max_document_bytes=6)
    for doc in reader:
        through = data[: reader.position]
        if through.endswith(b"\n"):
            assert through.count(b"\n") == doc.line
        else:  # the last line, with no b"\n" after it
            assert reader.position == len(data) and through.count(b"\n") == doc.line - 1


def test_spans_end_just_after_a_line_end(tmp_path: Path) -> None:
    path = tmp_path / "a.ndjson"
    path.write_bytes(b"aaaa\nbb\n\ncccccccccc\nd")
    reader = iter_documents([str(path)])
    cuts = [(u.start, u.end) for u in reader.units(3) if isinstance(u, Span)]
    # Each span reaches the first line end at or past 3 bytes from its start; a line longer
    # than that makes a longer span, and the last one ends with the file.
    assert cuts == [(0, 5), (5, 8), (8, 20), (20, 21)]


def test_a_file_is_cut_into_more_spans_when_asked_but_not_below_the_smallest_span(tmp_path: Path) -> None:
    path = tmp_path / "a.ndjson"
    path.write_bytes(b"x" * 99 + b"\n")  # 100-byte lines
    path.write_bytes(path.read_bytes() * 4000)  # 400,000 bytes
    reader = iter_documents([str(path)])

    def sizes(**options: int) -> list[int]:
        return [u.end - u.start for u in reader.units(2**20, **options) if isinstance(u, Span) and u.end]

    assert sizes() == [400_000]
    assert sizes(spans_per_file=4) == [100_000] * 4
    # 40 spans of 10,000 bytes would be below MIN_SPAN_BYTES: spans stay at 65,536 (+ line end).
    assert sizes(spans_per_file=40) == [65_600] * 6 + [6_400]


def test_stdin_units_are_documents_and_a_span_of_blank_lines_is_no_error(tmp_path: Path) -> None:
    reader = iter_documents(["-"], stdin=io.BytesIO(b"1\n\n2\n"))
    assert [(d.line, d.data) for d in _read_by_spans(reader, 1)] == [(1, b"1"), (3, b"2")]
    assert reader.blank_lines == 1
    path = tmp_path / "blank.ndjson"
    path.write_bytes(b"\n \n")
    part = read_span(Span(str(path), str(path), True, 0, 3), max_document_bytes=10, chunk_size=2)
    assert list(part) == [] and part.blank_lines == 2
    assert _read_by_spans(iter_documents([str(path)]), 1) == []


def test_a_span_of_a_vanished_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "gone.ndjson"
    with pytest.raises(InputError, match=r"gone\.ndjson: cannot read: No such file or directory$"):
        list(read_span(Span(str(path), str(path), True, 0, 10), max_document_bytes=10, chunk_size=2))


def test_a_document_keeps_every_field_across_a_pipe_and_a_line_offset() -> None:
    """`Document.__reduce__` and `with_line_offset` name the fields by hand (speed): a field
    added to the dataclass and forgotten by either is lost on the --jobs pipes or placed in
    the file without it."""
    import dataclasses
    import pickle

    # Every field away from its default, so a forgotten one comes back different.
    values = {
        "source": "dir/events.ndjson",
        "line": 7,
        "data": b'{"a":1}',
        "input_violations": (INPUT_TOO_LARGE.at((), size=9, limit=3),),
        "excerpts": (("rule.id", "quoted"),),
    }
    assert set(values) == {f.name for f in dataclasses.fields(Document)}
    doc = Document(**values)  # type: ignore[arg-type]
    assert pickle.loads(pickle.dumps(doc)) == doc
    assert with_line_offset(doc, 5) == dataclasses.replace(doc, line=12)


def test_a_span_is_split_after_line_ends_into_parts_of_at_least_the_smallest_size(tmp_path: Path) -> None:
    path = tmp_path / "a.ndjson"
    path.write_bytes(b"aaaa\nbb\n\ncccccccccc\nd\n" * 3)  # 22 bytes, three times
    (span,) = (u for u in iter_documents([str(path)]).units(2**20) if isinstance(u, Span))
    cuts = [(part.start, part.end, part.to_end) for part in split_span(span, 4, min_bytes=10)]
    # 66 bytes in 4 is 17 a part; each part runs on to the first line end from there, the
    # last one to the span's end, reading on as the span would.
    assert cuts == [(0, 20, False), (20, 42, False), (42, 64, False), (64, 66, True)]
    assert [(p.start, p.end) for p in split_span(span, 4, min_bytes=30)] == [(0, 30), (30, 64), (64, 66)]
    assert split_span(span, 1, min_bytes=1) == [span] == split_span(span, 8, min_bytes=66)
