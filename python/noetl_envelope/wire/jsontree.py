"""The lossless JSON tree the lexical scan produces and every profile reads.

Plain Python values would lose exactly what this package exists to see, so three node types
keep it: `Obj` keeps an object's members in document order with duplicates, `Num` keeps a
number's source text (its value depends on who parses it: serde_json is not correctly
rounded), and `BadStr` marks a string serde_json cannot decode while still holding a
readable rendering. Everything else is the natural Python value: list, str, True, False, None,
except a long string deep inside a document when the scan defers it (`DeferredStr`): a decoded
copy would hold the string a second time beside the document's bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from json.decoder import scanstring  # type: ignore[attr-defined]  # in the module, not in its stubs
from typing import Any, ClassVar

from noetl_envelope.core.rules import ALL_PROFILES, Rule

JSON_INVALID_UTF8 = Rule(
    "json.invalid-utf8",
    ALL_PROFILES,
    "Bytes that are not UTF-8 inside a string serde_json decodes.",
    message={
        "string": "string holds bytes that are not UTF-8: {value}",
        "key": "key holds bytes that are not UTF-8: {value}",
    },
)

JSON_LONE_SURROGATE = Rule(
    "json.lone-surrogate",
    ALL_PROFILES,
    "A \\uD800-\\uDFFF escape that is not part of a surrogate pair.",
    message={
        "string": "string holds a lone surrogate escape: {value}",
        "key": "key holds a lone surrogate escape: {value}",
    },
)


class Obj(list[tuple[str, Any]]):
    """A JSON object: (key, value) members in document order, duplicate keys kept."""

    __slots__ = ()


class Num(str):
    """A JSON number token, kept as its exact source text."""

    __slots__ = ()

    @property
    def is_float_literal(self) -> bool:
        """Written with a fraction or an exponent (serde_json reads it as f64 whatever its value)."""
        return "." in self or "e" in self or "E" in self

    def exact_value(self) -> int | float:
        """The value a correctly rounding reader (Python's json, a producer's intent) sees."""
        return float(self) if self.is_float_literal else int(self)


class BadStr(str):
    """A string serde_json's `parse_str` rejects; the str value is a lossy rendering for messages.
    `rule` words the finding, as a "string" or a "key" (message forms)."""

    __slots__ = ()
    rule: ClassVar[Rule]


class DeferredStr:
    """A long string kept as its place in the document's bytes (between its quotes), decoded only
    when something reads it: UTF-8, and either without escapes (its value is those bytes) or
    with escapes none of which is a surrogate's (`escaped`: the json module's scanner decodes
    them as serde_json does).

    The lexer makes one only where no check reads string contents (`lexer.scan`'s `defer`); the
    value walks pass it by, and whatever needs the text (decoding an event, a message, a
    comparison) asks `str()` for it, which is the string a plain scan would have made, or reads
    it in pieces (`spans`)."""

    __slots__ = ("_data", "_end", "_escaped", "_start")

    def __init__(self, data: bytes, start: int, end: int, *, escaped: bool = False) -> None:
        self._data = data
        self._start = start
        self._end = end
        self._escaped = escaped

    def __str__(self) -> str:
        if self._escaped:
            return _unescape(memoryview(self._data)[self._start : self._end])
        return str(memoryview(self._data)[self._start : self._end], "utf-8")

    def spans(self, size: int) -> Iterator[tuple[memoryview, str]]:
        """The string in pieces: each piece's bytes as written (at most `size` of them, at least
        16) and its text, cut between characters and between escapes, so that it can be written
        or compared without a copy of it made whole."""
        size = max(size, 16)
        view = memoryview(self._data)
        start = self._start
        while start < self._end:
            end = self._cut(start, start + size)
            raw = view[start:end]
            yield raw, _unescape(raw) if self._escaped else str(raw, "utf-8")
            start = end

    def _cut(self, start: int, end: int) -> int:
        """The last place at or before `end` (and after `start`, a place between characters) that
        splits neither a UTF-8 sequence nor an escape."""
        data = self._data
        if end >= self._end:
            return self._end
        while end > start + 1 and data[end] & 0xC0 == 0x80:
            end -= 1  # a continuation byte: inside a character
        if not self._escaped:
            return end
        backslash = data.rfind(b"\\", max(start, end - 5), end)  # an escape across `end` starts there
        if backslash < 0:
            return end
        before = data[start : backslash + 1]
        run = len(before) - len(before.rstrip(b"\\"))  # backslashes ending at it, from a place between escapes
        starts_escape = run % 2 == 1
        return backslash if starts_escape and backslash > start else end

    def prefix(self, limit: int) -> str:
        """At least the first `limit` characters (fewer only if the string is shorter)."""
        return next(self.spans(8 * limit + 16))[1]  # an escape is at most 6 bytes

    def __repr__(self) -> str:
        return repr(str(self))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (str, DeferredStr)):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))


def decode_escaped(text: str) -> str:
    """The value of a string whose escapes are all valid and none is a surrogate's (`text`: the
    string after its opening quote, closing quote included), as serde_json reads it: the json
    module's C scanner reads these escapes as serde does."""
    value: str = scanstring(text, 0)[0]
    return value


def _unescape(raw: memoryview) -> str:
    """`decode_escaped` of a piece of a string's bytes (UTF-8, cut between escapes)."""
    return decode_escaped(str(raw, "utf-8") + '"')


class InvalidUtf8Str(BadStr):
    __slots__ = ()
    rule = JSON_INVALID_UTF8


class LoneSurrogateStr(BadStr):
    __slots__ = ()
    rule = JSON_LONE_SURROGATE


def type_name(value: Any) -> str:
    """The JSON type of a tree value, as messages name it."""
    if isinstance(value, Obj):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, Num):
        return "float" if value.is_float_literal else "integer"
    if isinstance(value, (str, DeferredStr)):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return type(value).__name__


def a_type_name(value: Any) -> str:
    """`type_name` with its article, for messages: 'an object', 'a string'."""
    name = type_name(value)
    return ("an " if name[0] in "aeiou" else "a ") + name


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, '...' marking the cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def ends(text: str, limit: int = 40) -> str:
    """`text` whole up to `limit` characters, else its first and last characters and its length:
    how a message shows a long number (its magnitude and last digits both matter)."""
    if len(text) <= limit:
        return text
    keep = max(1, (limit - 20) // 2)
    return f"{text[:keep]}...{text[-keep:]} ({len(text)} characters)"


def excerpt(value: Any, limit: int = 40) -> str:
    """A short rendering of a tree value for one-line messages."""
    if isinstance(value, Num):
        return ends(str(value), limit)
    if isinstance(value, DeferredStr):
        value = value.prefix(limit + 1)  # the rendering below is cut within its first `limit` characters
    if isinstance(value, str):
        text = '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    elif isinstance(value, Obj):
        text = "{...}" if value else "{}"
    elif isinstance(value, list):
        text = "[...]" if value else "[]"
    elif value is None:
        text = "null"
    else:
        text = "true" if value else "false"
    return clip(text, limit)
