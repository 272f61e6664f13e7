"""JSON pointers (RFC 6901) as findings carry them: '~' and '/' in keys, empty keys, odd Unicode.

The property test renders a path of keys and indices with the package's pointer function and
parses it back with the RFC 6901 parser written below (unescape '~1' before '~0', as section 4
says); the end-to-end test reads the pointers of a `validate --format json` report.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from noetl_envelope import cli
from noetl_envelope.core.violations import JsonPath, Violation, render_pointer

Path_ = JsonPath


def render(path: Path_) -> str:
    """The package's pointer of a path of keys and indices, as every report shows it."""
    rendered = render_pointer(path)
    assert Violation("json.syntax", path, "x").pointer == rendered  # Violation renders through it
    return rendered


_TOKEN = re.compile(r"(?:[^~/]|~[01])*")


def parse(pointer: str) -> list[str]:
    """RFC 6901 section 3/4: '' or '/'-separated tokens; '~' only as '~0' or '~1'; '~1' -> '/'
    first, then '~0' -> '~' (so '~01' is '~1', not '/')."""
    if pointer == "":
        return []
    assert pointer.startswith("/"), pointer
    tokens = pointer[1:].split("/")
    for token in tokens:
        assert _TOKEN.fullmatch(token), f"bad escape in {token!r} of {pointer!r}"
    return [token.replace("~1", "/").replace("~0", "~") for token in tokens]


def resolve(document: object, pointer: str) -> object:
    """The value the pointer names in a parsed JSON document (RFC 6901 section 4)."""
    value = document
    for token in parse(pointer):
        if isinstance(value, list):
            assert re.fullmatch(r"0|[1-9][0-9]*", token), token
            value = value[int(token)]
        else:
            assert isinstance(value, dict), (value, token)
            value = value[token]
    return value


def test_parser_follows_the_rfc_examples() -> None:
    # RFC 6901 section 5, on its example document.
    doc = {"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\j": 5, 'k"l': 6, " ": 7, "m~n": 8}
    assert resolve(doc, "") == doc
    assert resolve(doc, "/foo") == ["bar", "baz"]
    assert resolve(doc, "/foo/0") == "bar"
    assert resolve(doc, "/") == 0
    assert resolve(doc, "/a~1b") == 1
    assert resolve(doc, "/m~0n") == 8
    assert parse("/~01") == ["~1"] and parse("/~10") == ["/0"]


# Keys built from the characters that matter ('~', '/', '0', '1') and anything else, including
# surrogate-free astral characters, controls, U+2028 and the empty key.
_KEY = st.one_of(
    st.lists(st.sampled_from(["~", "/", "0", "1", "~0", "~1", "a", "é"]), max_size=8).map("".join),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=6),
    st.sampled_from(["", "~", "/", "~0", "~1", "~01", "~10", "/~", "~/", "a/b~c", "\u2028", "\x00", "🂡/~"]),
)
_TOKEN_STRATEGY = st.one_of(_KEY, st.integers(min_value=0, max_value=10**6))


@given(st.lists(_TOKEN_STRATEGY, max_size=6).map(tuple))
@example(("~1",))
@example(("/",))
@example(("a/b~c", 0, ""))
def test_rendered_pointers_parse_back_to_their_path(path: Path_) -> None:
    pointer = render(path)
    assert parse(pointer) == [str(token) for token in path]


@given(st.lists(_KEY, min_size=1, max_size=5))
def test_rendered_pointers_resolve_in_the_document(keys: list[str]) -> None:
    document: object = "leaf"
    for key in reversed(keys):
        document = {key: document}
    assert resolve(document, render(tuple(keys))) == "leaf"


BASE = '"execution_id":1,"event_type":"step.enter","step":"s","status":"PENDING","created_at":"2024-05-01T12:00:00Z"'


@pytest.mark.parametrize("profile", ["serde", "contract", "canonical"])
def test_json_report_escapes_keys_with_tilde_and_slash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], profile: str
) -> None:
    # (document, expected pointer, rule, profiles reporting it)
    all_three = {"serde", "contract", "canonical"}
    cases = [
        ("{" + BASE + ',"context":{},"a/b~c":1}', "/a~1b~0c", "schema.additionalProperties", all_three - {"serde"}),
        (
            "{" + BASE + ',"context":{"x":{"a/b~c":1,"a/b~c":2}}}',
            "/context/x/a~1b~0c",
            "json.duplicate-key",
            all_three - {"serde"},
        ),
        (
            "{" + BASE + ',"context":{"~1/":{"":[0,{"~":1e400}]}}}',
            "/context/~01~1//1/~0",
            "json.number-out-of-range",
            all_three,
        ),
    ]
    path = tmp_path / "keys.ndjson"
    path.write_text("".join(doc + "\n" for doc, *_ in cases), encoding="utf-8")
    cli.main(["validate", "--profile", profile, "--format", "json", str(path)])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    documents = [r for r in records if "summary" not in r]
    assert len(documents) == len(cases)
    for record, (doc, pointer, rule, profiles) in zip(documents, cases, strict=True):
        found = [(v["rule"], v["pointer"]) for v in record["violations"] if v["rule"] == rule]
        if profile not in profiles:
            assert not found, record
            continue
        assert found == [(rule, pointer)], record
        # The pointer names the offending key (or value) in the document itself.
        parent, _, last = pointer.rpartition("/")
        container = resolve(json.loads(doc), parent)
        assert isinstance(container, (dict, list))
        assert parse(pointer)[-1] in container if isinstance(container, dict) else int(last) < len(container)


def test_a_violations_rendered_forms_are_its_own_and_not_part_of_its_value() -> None:
    """The pointer and text are kept once made; a copy with other fields renders its own, and
    neither equality nor a pickle (the --jobs pipes) carries them."""
    import dataclasses
    import pickle

    first = Violation("schema.enum", ("a/b", 0), "bad")
    assert (first.pointer, str(first)) == ("/a~1b/0", "/a~1b/0: bad [schema.enum]")
    moved = dataclasses.replace(first, path=("c",), message="worse")
    assert (moved.pointer, str(moved)) == ("/c", "/c: worse [schema.enum]")
    back = pickle.loads(pickle.dumps(first))
    assert back == first and hash(back) == hash(first) and back.severity == "error"
    assert (back.pointer, str(back)) == (first.pointer, str(first))
    assert first == Violation("schema.enum", ("a/b", 0), "bad")  # rendered or not, the same value
