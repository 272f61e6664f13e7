"""The lexer's two shortcuts give exactly what its plain scan gives.

A large document is scanned for syntax alone first (`SYNTAX_FIRST_BYTES`, so an invalid one costs
no tree), and a string with escapes is decoded in one match by the json module's scanner
(`_ESCAPED_STRING`). Each is compared here with the plain path on random JSON-like bytes: the same
tree (value types included: `InvalidUtf8Str`, `LoneSurrogateStr`) or the same `LexError` (rule,
offset, message form and fields). tests/test_differential.py holds the plain path to serde_json itself.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from noetl_envelope.wire import lexer
from noetl_envelope.wire.jsontree import Obj

_PIECES = [
    b'"', b"\\", b"u", b"00e9", b"d83d", b"\\ude00", b"\\ud800", b"dc00", b"\\n", b"\\/", b"\\x", b"\\u12",
    b"{", b"}", b"[", b"]", b":", b",", b"1", b"-0", b"1.5e3", b" ", b"\t", b"true", b"nul", b"a",
    b"\xff", b"\xc3\xa9", b"\xed\xa0\x80", b"\x01", b"\xef\xbb\xbf",
]  # fmt: skip
_DOCUMENT = st.lists(st.sampled_from(_PIECES), max_size=24).map(b"".join)
# Mostly well-formed: a string with escapes inside an object, broken only sometimes.
_STRINGY = st.tuples(st.lists(st.sampled_from([*_PIECES[1:11], b"a", b"\xc3\xa9"]), max_size=12), _DOCUMENT).map(
    lambda parts: b'{"k":"' + b"".join(parts[0]) + b'"' + parts[1]
)


def _outcome(data: bytes) -> Any:
    """The tree with each value's type, or the error's (rule, offset, message form and fields)."""
    try:
        return _typed(lexer.scan(data))
    except lexer.LexError as exc:
        return (exc.rule, exc.offset, exc.form, sorted(exc.fields.items()))


def _typed(value: Any) -> Any:
    if isinstance(value, Obj):
        return ("obj", [(_typed(key), _typed(member)) for key, member in value])
    if isinstance(value, list):
        return ("list", [_typed(member) for member in value])
    return (type(value).__name__, value)


@settings(max_examples=1500, deadline=None)
@given(data=st.one_of(_DOCUMENT, _STRINGY))
def test_the_syntax_first_scan_reports_what_the_plain_scan_reports(data: bytes) -> None:
    plain = _outcome(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lexer, "SYNTAX_FIRST_BYTES", -1)  # every document scanned for syntax first
        assert _outcome(data) == plain


@settings(max_examples=1500, deadline=None)
@given(data=st.one_of(_STRINGY, _DOCUMENT))
def test_escaped_strings_decode_as_the_escape_loop_decodes_them(data: bytes) -> None:
    fast = _outcome(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lexer, "_ESCAPED_STRING", re.compile(rb"(?!)"))  # never matches: the loop for all
        assert _outcome(data) == fast


@pytest.mark.parametrize(
    ("data", "value"),
    [
        (b'"a\\u00e9\\n\\/b"', ("str", "aé\n/b")),
        (b'"\\ud83d\\ude00"', ("str", "\U0001f600")),
        (b'"\\ud800x"', ("LoneSurrogateStr", "\ud800x")),
        (b'"\\u00e9\xff"', ("InvalidUtf8Str", "é\ufffd")),
    ],
)
def test_escaped_strings(data: bytes, value: tuple[str, str]) -> None:
    assert _outcome(data) == value
