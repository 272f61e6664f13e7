"""A string the lexer defers (`DeferredStr`: kept as its place in the bytes) changes no verdict.

The reference engine scans with `defer`, so that a long string inside a field's value is not held
a second time beside the document (tests/test_memory_bounds.py measures that). Here the threshold
is lowered to nothing, so that every deferrable string of the differential corpus is deferred
(and canonical compares serde_json's output with the document piece by piece, as for a large one),
and each document's outcome under every profile and conform's (violations with their messages,
the decoded event, the drift classes) is compared with the outcome of a scan that defers nothing.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest

from corpus import FULL, corpus, render, replace
from harness import rust_emit
from noetl_envelope import decode
from noetl_envelope.core.rules import PROFILES
from noetl_envelope.core.violations import EnvelopeError
from noetl_envelope.engines.reference import run
from noetl_envelope.model.rusttypes import string
from noetl_envelope.model.schema import load_schema
from noetl_envelope.pipeline import conform_violations
from noetl_envelope.profiles import canonical, contract, drift
from noetl_envelope.wire import lexer
from noetl_envelope.wire.jsontree import DeferredStr, Obj, excerpt, type_name

_LONG = b'"' + "é中".encode() * 40 + b'"'
# Deep strings in the places a message or a schema keyword could show them: a free-form member
# of the wrong type, an unknown member, the alias, a repeated key, a typed field holding an array.
_PLACED = [
    render(replace(FULL, b'"context"', b"[" + _LONG + b"]")),
    render(replace(FULL, b'"context"', b'{"a":[' + _LONG + b',{"b":' + _LONG + b"}]}")),
    render(replace(FULL, b'"meta"', b'{"m":' + _LONG + b',"m":' + _LONG + b"}")),
    render(replace(FULL, b'"step"', b"[" + _LONG + b"]")),
    render(replace(FULL, b'"created_at"', b'{"t":' + _LONG + b"}")),
    render([*FULL, (b'"zzz"', b'{"u":' + _LONG + b"}")]),
    render([(b'"payload"' if key == b'"context"' else key, value) for key, value in FULL]).replace(
        b'"payload":{', b'"payload":{"p":' + _LONG + b","
    ),
    b"[" + _LONG + b"]",
    b'[[{"a":' + _LONG + b"}]]",
]


def _documents() -> list[bytes]:
    # The seed struct's own output over random values (floats from random bits), and mutations of it.
    return [*_PLACED, *corpus(rust_emit(300, seed=7, raw_floats=True), mutation_count=1500)]


def _outcome(document: bytes, profile: str) -> tuple[Any, ...]:
    if profile == "conform":
        return conform_violations(document), drift.classify(document)
    try:
        event = decode(document, profile=profile)
    except EnvelopeError as exc:
        return run(document, profile).violations, str(exc)
    fields = [(field.name, _with_types(getattr(event, field.name))) for field in dataclasses.fields(event)]
    return run(document, profile).violations, fields


def _with_types(value: Any) -> Any:
    """A decoded value with the type of each part beside it: a str, not a DeferredStr, compares equal
    to its text, so equality alone would not tell them apart."""
    if isinstance(value, dict):
        return ("dict", [(key, _with_types(member)) for key, member in value.items()])
    if isinstance(value, list):
        return ("list", [_with_types(member) for member in value])
    return (type(value).__name__, value)


@pytest.mark.parametrize("profile", [*PROFILES, "conform"])
def test_deferring_every_deep_string_changes_no_outcome(
    profile: str, monkeypatch: pytest.MonkeyPatch, harness: object
) -> None:
    documents = _documents()
    monkeypatch.setattr(lexer, "DEFERRED_STRING_BYTES", 2**62)
    plain = [_outcome(document, profile) for document in documents]
    monkeypatch.setattr(lexer, "DEFERRED_STRING_BYTES", 0)
    monkeypatch.setattr(canonical, "_WHOLE_BYTES", 0)  # and serde_json's output compared as it is written,
    monkeypatch.setattr(string, "WRITTEN_PIECE_BYTES", 16)  # with a deferred string's pieces cut short
    monkeypatch.setattr(drift, "_LONG_STRING_BYTES", 0)  # and conform's escape forms read in pieces
    deferred = [_outcome(document, profile) for document in documents]
    differing = [document for document, a, b in zip(documents, plain, deferred, strict=True) if a != b]
    assert not differing, differing[:3]


def _deferred_depths(value: Any, depth: int = 0) -> list[int]:
    if isinstance(value, DeferredStr):
        return [depth]
    members = [member for _, member in value] if isinstance(value, Obj) else value if isinstance(value, list) else []
    return [found for member in members for found in _deferred_depths(member, depth + 1)]


def test_only_strings_two_containers_deep_are_deferred_when_utf8_and_escaping_no_surrogate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lexer, "DEFERRED_STRING_BYTES", 0)
    document = b'{"a":"top","b":{"c":"deep","d":"\\u00e9sc","e":"\xff","s":"\\ud83d\\ude00"},"f":["x",["y"]]}'
    tree = lexer.scan(document, defer=True)
    assert _deferred_depths(tree) == [2, 2, 2, 3]  # "deep", "ésc", "x" and "y"; not the non-UTF-8 or surrogate one
    assert str(tree[1][1][0][1]) == "deep" and tree[1][1][0][1] == "deep" and str(tree[1][1][1][1]) == "ésc"
    assert not _deferred_depths(lexer.scan(b'{"b":{"c":"deep"}}'))  # only where the caller asks


# A string's bytes as written (inside its quotes): plain, or with escapes of every kind, runs of
# backslashes (whose parity decides where an escape starts) and multi-byte characters beside them.
_WRITTEN = [
    "é中" * 40,
    "é\x7f\u2028" * 30,
    "x" * 41,
    "x" * 40,
    "😀" * 60,
    'a\\"b\\\\c\\n' * 30,
    "\\u00e9\\/x\\t€" * 30,
    "\\\\" * 50 + "\\u00e9" + "\\\\" * 7 + "\\n" + "é\\\\" * 20,
    "\\u4e2d" * 40 + "\\\\\\\\\\u0041" * 9,
]


@pytest.mark.parametrize("written", _WRITTEN)
def test_a_deferred_string_is_shown_typed_and_read_in_pieces_as_its_text(written: str) -> None:
    # Messages name a value by `excerpt` and `type_name`: the same words for the text and its place.
    raw = ('"' + written + '"').encode()
    deferred = DeferredStr(raw, 1, len(raw) - 1, escaped="\\" in written)
    plain = json.loads(raw)
    assert excerpt(deferred) == excerpt(plain) and excerpt(deferred, 12) == excerpt(plain, 12)
    assert type_name(deferred) == type_name(plain) == "string"
    assert repr(deferred) == repr(plain) and deferred == plain and hash(deferred) == hash(plain)
    for size in range(1, 40):
        spans = list(deferred.spans(size))
        assert b"".join(bytes(piece) for piece, _ in spans) == raw[1:-1]
        assert "".join(text for _, text in spans) == plain, size


def test_a_deferred_string_is_judged_utf8_as_a_decoded_one_across_its_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexer, "_UTF8_PIECE", 3)  # the two-byte "é" cut between pieces
    monkeypatch.setattr(lexer, "DEFERRED_STRING_BYTES", 0)
    good = lexer.scan('{"b":{"c":"aé€😀"}}'.encode(), defer=True)[0][1][0][1]
    assert isinstance(good, DeferredStr) and str(good) == "aé€😀"
    bad = lexer.scan(b'{"b":{"c":"a\xc3"}}', defer=True)[0][1][0][1]  # cut short at the string's end
    assert not isinstance(bad, DeferredStr)


def test_a_schema_that_reads_inside_a_member_reads_its_deferred_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    # The canonical schema reads nothing inside `context`; a version of it that does (the compat
    # gate checks documents against such versions) must see the text.
    schema = copy.deepcopy(load_schema())
    schema["properties"]["context"]["additionalProperties"] = {"type": "string", "maxLength": 5}
    document = render(replace(FULL, b'"context"', b'{"a":"short","b":' + _LONG + b"}"))
    monkeypatch.setattr(lexer, "DEFERRED_STRING_BYTES", 0)
    plain, _ = contract.check(lexer.scan(document), schema)
    deferred, _ = contract.check(lexer.scan(document, defer=True), schema)
    assert [v.rule for v in plain] == ["schema.other"] and plain[0].pointer == "/context/b"
    assert deferred == plain
