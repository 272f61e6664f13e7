"""Lexical scan: document bytes -> lossless JSON tree, with serde_json 1.0.150's grammar.

What serde_json rejects wherever it occurs (RFC 8259 syntax, bad escapes, raw control
characters in strings, trailing characters, a BOM) raises `LexError` here: every profile
rejects such a document. What serde_json rejects only where it decodes a value, and skips in
an ignored unknown field (bytes that are not UTF-8, lone surrogate escapes, numbers out of
range, nesting beyond its recursion limit), is kept in the tree (`BadStr`, `Num`) for the
profiles to judge, since that depends on where it sits.

The scan is iterative (an explicit stack), so no input can exhaust Python's recursion limit.
A large document is first scanned for its syntax alone, building nothing (`SYNTAX_FIRST_BYTES`):
a lexical error found that way costs no tree, so a 200 MB document with a stray comma at its
end is rejected holding only its bytes. With `defer`, a long string nested two containers deep
(inside a field's value: no typed field is a string there) is kept as its place in the bytes
(`DeferredStr`), so the tree of a document holding one stays small beside it.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from noetl_envelope.core.rules import ALL_PROFILES, Rule
from noetl_envelope.core.violations import Violation
from noetl_envelope.wire.jsontree import DeferredStr, InvalidUtf8Str, LoneSurrogateStr, Num, Obj, decode_escaped

# serde_json's style of position, which every lexical message ends with (1-based).
_AT = " at line {line} column {column}"

JSON_EOF = Rule(
    "json.eof",
    ALL_PROFILES,
    "The document ends before the JSON value is complete (an empty document too).",
    message={
        "value": "EOF while parsing a value" + _AT,
        "string": "EOF while parsing a string" + _AT,
        "object": "EOF while parsing an object" + _AT,
        "list": "EOF while parsing a list" + _AT,
    },
)

JSON_SYNTAX = Rule(
    "json.syntax",
    ALL_PROFILES,
    "Not JSON per RFC 8259 as serde_json reads it: an unexpected character.",
    message={
        "value": "expected value, found {found}" + _AT,
        "object-separator": "expected ',' or '}}', found {found}" + _AT,
        "list-separator": "expected ',' or ']', found {found}" + _AT,
        "object-trailing-comma": "trailing comma before '}}'" + _AT,
        "list-trailing-comma": "trailing comma before ']'" + _AT,
        "key": "key must be a string, found {found}" + _AT,
        "colon": "expected ':', found {found}" + _AT,
        "ident": "expected ident '{word}', found {found}" + _AT,
    },
)

JSON_BOM = Rule(
    "json.bom",
    ALL_PROFILES,
    "The document starts with a UTF-8 byte order mark, which serde_json rejects.",
    message="UTF-8 byte order mark before the value (serde_json expects a value)" + _AT,
)

JSON_TRAILING_CHARACTERS = Rule(
    "json.trailing-characters",
    ALL_PROFILES,
    "Something other than whitespace follows the JSON value.",
    message="trailing characters after the value ({found})" + _AT,
)

JSON_INVALID_NUMBER = Rule(
    "json.invalid-number",
    ALL_PROFILES,
    "A number that is not in RFC 8259 form (leading zero, lone '-', '1.', '+1', ...).",
    message={
        "after-minus": "invalid number (found {found} after '-')" + _AT,
        "continued": "invalid number {token}{next}..." + _AT,
    },
)

JSON_INVALID_ESCAPE = Rule(
    "json.invalid-escape",
    ALL_PROFILES,
    "A backslash escape that JSON does not define.",
    message={
        "escape": "invalid escape \\{character}" + _AT,
        "unicode": "invalid \\u escape (expected four hex digits)" + _AT,
    },
)

JSON_CONTROL_CHARACTER = Rule(
    "json.control-character",
    ALL_PROFILES,
    "A raw control character (U+0000..U+001F) inside a string.",
    message="raw control character U+{code:04X} while parsing a string (escape it as \\u{code:04x})" + _AT,
)


_WS = re.compile(rb"[ \t\n\r]*")
_NUMBER = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_PLAIN = re.compile(rb'[^"\\\x00-\x1f]*')
_HEX4 = re.compile(rb"[0-9A-Fa-f]{4}")
# The rest of a string (after its opening quote) whose escapes are all valid and none is a
# surrogate's (those pair, or not, as serde_json does: the loop in `_scan_string` judges them).
_ESCAPED_STRING = re.compile(rb'(?:[^"\\\x00-\x1f]++|\\(?:["\\/bfnrt]|u(?![dD][89a-fA-F])[0-9A-Fa-f]{4}))*+"')
_SIMPLE_ESCAPES = {
    ord('"'): '"',
    ord("\\"): "\\",
    ord("/"): "/",
    ord("b"): "\b",
    ord("f"): "\f",
    ord("n"): "\n",
    ord("r"): "\r",
    ord("t"): "\t",
}
_BOM = b"\xef\xbb\xbf"
# Above this size a document is scanned twice, once for syntax only: a tree (and each long
# string decoded from a slice of the bytes) would hold several times the document.
SYNTAX_FIRST_BYTES = 2**20
_LONG_PIECE = 2**16
# A string at least this long is deferred where `defer` allows; it is validated in pieces this
# long, so that no decoded copy of it is made whole.
DEFERRED_STRING_BYTES = _LONG_PIECE
_UTF8_PIECE = 2**20


class LexError(Exception):
    """A lexical error serde_json reports wherever it occurs: its rule, the message form and
    fields, and `offset`, a byte offset (the message's line and column come from it)."""

    def __init__(self, rule: Rule, offset: int, form: str = "", **fields: object) -> None:
        super().__init__(rule, offset)
        self.rule = rule
        self.offset = offset
        self.form = form
        self.fields = fields

    def violation(self, data: bytes) -> Violation:
        """The finding in `data` (the scanned bytes), located as serde_json locates it."""
        line = data.count(b"\n", 0, self.offset) + 1
        column = self.offset - (data.rfind(b"\n", 0, self.offset) + 1) + 1
        return self.rule.at((), self.form, **self.fields, line=line, column=column)


def _plain_end(data: bytes, i: int) -> int:
    """End of the run of string bytes that need no attention (no quote, backslash or control)."""
    return _PLAIN.match(data, i).end()  # type: ignore[union-attr]  # `*` always matches


def _skip_ws(data: bytes, i: int) -> int:
    """Index of the first non-whitespace byte at or after i (serde_json: space, \\t, \\n, \\r)."""
    return _WS.match(data, i).end()  # type: ignore[union-attr]  # `*` always matches


def _describe(data: bytes, i: int) -> str:
    if i >= len(data):
        return "end of input"
    ch = data[i : i + 1]
    if 0x20 <= ch[0] < 0x7F:
        return f"'{ch.decode()}'"
    return f"byte 0x{ch[0]:02x}"


def _scan_string(data: bytes, i: int, build: bool = True, defer: bool = False) -> tuple[Any, int]:
    """Scan the string whose opening quote is at i-1; returns (value, index after the quote);
    without `build`, the value is "" (only the syntax is checked: nothing is decoded); with
    `defer`, a long one is a `DeferredStr` when it is UTF-8 and escapes no surrogate."""
    n = len(data)
    j = _plain_end(data, i)
    if j < n and data[j] == 0x22:
        if not build:
            return "", j + 1
        if defer and j - i >= DEFERRED_STRING_BYTES and _is_utf8(data, i, j):
            return DeferredStr(data, i, j), j + 1
        # Fast path: no escapes. Rust's and Python's strict UTF-8 decoders reject the same
        # sequences (overlongs, encoded surrogates, > U+10FFFF).
        raw = data[i:j] if j - i < _LONG_PIECE else memoryview(data)[i:j]  # `_piece`, inlined: every string
        try:
            return str(raw, "utf-8"), j + 1
        except UnicodeDecodeError:
            return InvalidUtf8Str(str(raw, "utf-8", "replace")), j + 1
    # Escapes, but none of a surrogate, and UTF-8 throughout: the string's end is found in one
    # match and it is decoded by the json module's C scanner, which reads these escapes as serde
    # does (a string of ten million escapes in seconds, not pieces kept one by one).
    whole = _ESCAPED_STRING.match(data, i)
    if whole is not None:
        if not build:
            return "", whole.end()
        end = whole.end() - 1  # the closing quote
        if defer and end - i >= DEFERRED_STRING_BYTES and _is_utf8(data, i, end):
            return DeferredStr(data, i, end, escaped=True), whole.end()
        try:
            return decode_escaped(str(_piece(data, i, whole.end()), "utf-8")), whole.end()
        except UnicodeDecodeError:
            pass  # the loop below marks it (InvalidUtf8Str)
    parts: list[str] = []
    add = parts.append if build else _drop
    bad: type[str] | None = None
    while True:
        j = _plain_end(data, i)
        if j > i and build:
            raw = _piece(data, i, j)
            try:
                add(str(raw, "utf-8"))
            except UnicodeDecodeError:
                add(str(raw, "utf-8", "replace"))
                bad = bad or InvalidUtf8Str
        if j >= n:
            raise LexError(JSON_EOF, n, "string")
        c = data[j]
        if c == 0x22:
            text = "".join(parts)
            return (bad(text) if bad else text), j + 1
        if c != 0x5C:
            raise LexError(JSON_CONTROL_CHARACTER, j, code=c)
        if j + 1 >= n:
            raise LexError(JSON_EOF, n, "string")
        e = data[j + 1]
        simple = _SIMPLE_ESCAPES.get(e)
        if simple is not None:
            add(simple)
            i = j + 2
            continue
        if e != ord("u"):
            raise LexError(JSON_INVALID_ESCAPE, j + 1, "escape", character=chr(e) if 0x20 <= e < 0x7F else "?")
        code = _hex4(data, j + 2)
        i = j + 6
        if 0xD800 <= code <= 0xDBFF and data[i : i + 2] == b"\\u":
            low = _hex4(data, i + 2)
            if 0xDC00 <= low <= 0xDFFF:
                add(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                i += 6
                continue
            # serde_json consumed the second escape while looking for the low half.
            add(chr(code))
            add(chr(low))
            bad = bad or LoneSurrogateStr
            i += 6
            continue
        if 0xD800 <= code <= 0xDFFF:
            bad = bad or LoneSurrogateStr
        add(chr(code))


def deferred_string(data: bytes, start: int, end: int) -> DeferredStr | None:
    """The string token `data[start:end]` (its quotes included) as the `DeferredStr` a deferring
    scan makes of it, whatever its length; None if the scan would decode it (a surrogate's
    escape, bytes that are not UTF-8) or reject it."""
    whole = _ESCAPED_STRING.match(data, start + 1)
    if whole is None or whole.end() != end or not _is_utf8(data, start + 1, end - 1):
        return None
    return DeferredStr(data, start + 1, end - 1, escaped=data.find(b"\\", start, end) >= 0)


def _is_utf8(data: bytes, i: int, j: int) -> bool:
    """`data[i:j]` is strict UTF-8 (as `str(..., "utf-8")` judges), checked a piece at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    view = memoryview(data)
    try:
        for start in range(i, j, _UTF8_PIECE):
            decoder.decode(view[start : min(j, start + _UTF8_PIECE)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _drop(_part: str) -> None:
    """Where a syntax-only scan puts the pieces of a string: nowhere."""


def _piece(data: bytes, i: int, j: int) -> bytes | memoryview:
    """`data[i:j]` to decode; a long one as a view, so the bytes are not copied before decoding."""
    return data[i:j] if j - i < _LONG_PIECE else memoryview(data)[i:j]


def _hex4(data: bytes, i: int) -> int:
    if i + 4 > len(data):
        raise LexError(JSON_EOF, len(data), "string")
    if not _HEX4.match(data, i):
        raise LexError(JSON_INVALID_ESCAPE, i, "unicode")
    return int(data[i : i + 4], 16)


def _scan_number(data: bytes, i: int) -> tuple[Num, int]:
    m = _NUMBER.match(data, i)
    if m is None:
        raise LexError(JSON_INVALID_NUMBER, i, "after-minus", found=_describe(data, i + 1))
    j = m.end()
    token = m.group()
    nxt = data[j : j + 1]
    if nxt and (
        nxt in b"0123456789"
        or (nxt == b"." and b"." not in token and b"e" not in token.lower())
        or (nxt in b"eE" and b"e" not in token.lower())
    ):
        raise LexError(JSON_INVALID_NUMBER, j, "continued", token=token.decode(), next=nxt.decode())
    return Num(token.decode("ascii")), j


def scan(data: bytes, *, defer: bool = False) -> Any:
    """Parse one JSON document into the lossless tree, or raise `LexError`. With `defer`, long
    strings nested two containers deep or more are `DeferredStr`s (for readers that judge no
    string contents there, or ask `str()` for them)."""
    if len(data) > SYNTAX_FIRST_BYTES:
        _scan(data, build=False)
    return _scan(data, build=True, defer=defer)


def _scan(data: bytes, *, build: bool, defer: bool = False) -> Any:
    """`scan`; without `build` only the syntax is checked (the same `LexError`s, nothing kept)."""
    n = len(data)
    if data.startswith(_BOM):
        raise LexError(JSON_BOM, 0)
    # Each frame: [container, pending key or None]. Objects collect (key, value) pairs.
    stack: list[list[Any]] = []
    i = _skip_ws(data, 0)
    root: Any = None
    while True:
        # --- read one value starting at i ---
        if i >= n:
            raise LexError(JSON_EOF, n, "value")
        c = data[i]
        value: Any
        if c == 0x7B:  # {
            i = _skip_ws(data, i + 1)
            if i < n and data[i] == 0x7D:
                value = Obj()
                i += 1
            else:
                obj = Obj()
                key, i = _expect_key(data, i, build)
                stack.append([obj, key])
                continue
        elif c == 0x5B:  # [
            i = _skip_ws(data, i + 1)
            if i < n and data[i] == 0x5D:
                value = []
                i += 1
            else:
                stack.append([[], None])
                continue
        elif c == 0x22:
            value, i = _scan_string(data, i + 1, build, defer and len(stack) >= 2)
        elif c == 0x2D or 0x30 <= c <= 0x39:
            value, i = _scan_number(data, i)
        elif c == 0x74:
            i = _literal(data, i, b"true")
            value = True
        elif c == 0x66:
            i = _literal(data, i, b"false")
            value = False
        elif c == 0x6E:
            i = _literal(data, i, b"null")
            value = None
        else:
            raise LexError(JSON_SYNTAX, i, "value", found=_describe(data, i))
        # --- attach the value to its container, closing containers as they end ---
        while True:
            if not stack:
                i = _skip_ws(data, i)
                if i != n:
                    raise LexError(JSON_TRAILING_CHARACTERS, i, found=_describe(data, i))
                root = value
                return root
            frame = stack[-1]
            container = frame[0]
            if not build:
                pass
            elif isinstance(container, Obj):
                container.append((frame[1], value))
            else:
                container.append(value)
            i = _skip_ws(data, i)
            if i >= n:
                raise LexError(JSON_EOF, n, "object" if isinstance(container, Obj) else "list")
            c = data[i]
            if c == 0x2C:  # ,
                i = _skip_ws(data, i + 1)
                if isinstance(container, Obj):
                    frame[1], i = _expect_key(data, i, build)
                elif i < n and data[i] == 0x5D:
                    raise LexError(JSON_SYNTAX, i, "list-trailing-comma")
                break
            closer = 0x7D if isinstance(container, Obj) else 0x5D
            if c != closer:
                form = "object-separator" if closer == 0x7D else "list-separator"
                raise LexError(JSON_SYNTAX, i, form, found=_describe(data, i))
            stack.pop()
            value = container
            i += 1


def _expect_key(data: bytes, i: int, build: bool = True) -> tuple[str, int]:
    """At i (whitespace skipped) expect `"key" :`; returns the key and the index of its value."""
    n = len(data)
    if i >= n:
        raise LexError(JSON_EOF, n, "object")
    c = data[i]
    if c != 0x22:
        if c == 0x7D:
            raise LexError(JSON_SYNTAX, i, "object-trailing-comma")
        raise LexError(JSON_SYNTAX, i, "key", found=_describe(data, i))
    key, i = _scan_string(data, i + 1, build)
    i = _skip_ws(data, i)
    if i >= n:
        raise LexError(JSON_EOF, n, "object")
    if data[i] != 0x3A:
        raise LexError(JSON_SYNTAX, i, "colon", found=_describe(data, i))
    return key, _skip_ws(data, i + 1)


def _literal(data: bytes, i: int, word: bytes) -> int:
    end = i + len(word)
    if data[i:end] == word:
        return end
    for k in range(len(word)):
        if i + k >= len(data):
            raise LexError(JSON_EOF, len(data), "value")
        if data[i + k] != word[k]:
            raise LexError(JSON_SYNTAX, i + k, "ident", word=word.decode(), found=_describe(data, i + k))
    return end  # pragma: no cover - unreachable: the slice compared equal above
