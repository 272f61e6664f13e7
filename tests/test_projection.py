"""Projection fidelity against a real PostgreSQL server: the prediction and the database agree.

The server is the one `.ci/run` starts (NOETL_ENVELOPE_TEST_DSN) or a throwaway cluster started
by scripts/pg_start.sh; each test gets a fresh database. Under CI=true a missing server fails
the tests instead of skipping them.

- the PostgreSQL models (pgtypes) against the server, value by value: JSONB text of numbers,
  keys and strings; TIMESTAMP storage of timestamps with nine fraction digits, leap seconds,
  the first day of 4714 BC;
- one hand-made case per projection rule, plus lossless cases: the predicted rules are exactly
  the expected ones, and the stored row, the refusals and the exported envelope are exactly
  what the prediction says, row by row;
- a corpus (fixtures/samples plus generated events plus the cases) projected with `project`,
  exported with `export`: the same multiset of rows and envelopes as predicted, and the export
  equals the input's canonical encoding exactly when no envelope-changing rule is predicted;
- the DDL subset has the issue's column types; connection failures exit 2 with one line.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from envelope import bundled_samples, complete
from noetl_envelope.api import encode
from noetl_envelope.fixturegen.samples import events
from noetl_envelope.model.codec import build_event
from noetl_envelope.projection import db, pgtypes
from noetl_envelope.projection.predict import RULE_KINDS, Prediction, binding_of, predict
from noetl_envelope.projection.row import RowError, StoredRow, columns, epoch_micros, event_from_row, read_number
from noetl_envelope.wire.jsontree import Num, Obj
from noetl_envelope.wire.timestamp import Timestamp

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "fixtures" / "samples" / "events.ndjson"
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}
ENV.pop("NOETL_ENVELOPE_DEBUG", None)


# --- the server -------------------------------------------------------------------------------


# `server` and `dsn` (a PostgreSQL cluster per module, a fresh database per test): conftest.py


def cli_run(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "noetl_envelope", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=ENV,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


# --- the PostgreSQL models, value by value ----------------------------------------------------

# pg_temp functions that turn a refusal into a value, so thousands of values go in one query.
TRY_FUNCTIONS = (
    "CREATE FUNCTION pg_temp.try_jsonb(t text) RETURNS text LANGUAGE plpgsql AS $$ "
    "BEGIN RETURN t::jsonb::text; EXCEPTION WHEN others THEN RETURN 'ERROR: ' || SQLERRM; END $$",
    "CREATE FUNCTION pg_temp.try_ts(t text) RETURNS text LANGUAGE plpgsql AS $$ "
    "BEGIN RETURN extract(epoch from t::timestamp)::text; "
    "EXCEPTION WHEN others THEN RETURN 'ERROR: ' || SQLERRM; END $$",
)


def server_values(dsn: str, function: str, texts: list[str]) -> list[str]:
    import psycopg

    with psycopg.connect(dsn) as conn:
        for statement in TRY_FUNCTIONS:
            conn.execute(statement)
        rows = conn.execute(
            f"SELECT pg_temp.{function}(t) FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n", (texts,)
        ).fetchall()
    return [row[0] for row in rows]


def number_texts(rng: random.Random) -> list[str]:
    fixed = [
        "0", "-0", "0.0", "-0.0", "1", "-1", "1.0", "1.50", "1e2", "1E+2", "1.5e1", "1.50e1", "1.0e-1", "-0.00e3",
        "1e-7", "5e-324", "2.5E-310", "1e300", "1.7976931348623157e308", "-1.7976931348623157e308",
        "18446744073709551615", "18446744073709551616", "-9223372036854775809", "1e19", "1e-16383", "1e-16384",
        "1.5e-16383", "0e-16384", "0e-16383", "123456789012345678901234567890.000", "7e+0", "70e-1",
    ]  # fmt: skip
    for _ in range(400):
        kind = rng.randrange(4)
        if kind == 0:
            fixed.append(repr(rng.uniform(-1e6, 1e6)))
        elif kind == 1:
            fixed.append(repr(rng.choice([-1, 1]) * rng.random() * 10.0 ** rng.randrange(-320, 308)))
        elif kind == 2:
            digits = str(rng.randrange(1, 10 ** rng.randrange(1, 25)))
            fixed.append(f"{digits[:1]}.{digits[1:] or '0'}e{rng.randrange(-40, 40)}")
        else:
            fixed.append(str(rng.randrange(-(2**70), 2**70)))
    return fixed


def test_jsonb_numbers_match_the_server(dsn: str) -> None:
    texts = number_texts(random.Random(7))
    found = server_values(dsn, "try_jsonb", [f"[{text}]" for text in texts])
    for text, got in zip(texts, found, strict=True):
        try:
            expected = f"[{pgtypes.numeric_text(text)}]"
        except pgtypes.Refused:
            assert got.startswith("ERROR: value overflows numeric format"), (text, got)
        else:
            assert got == expected, text


def test_jsonb_objects_and_strings_match_the_server(dsn: str) -> None:
    rng = random.Random(11)
    alphabet = ["a", "bb", "B", "é", "中", "\U0001f600", "\x01", "\x7f", '"', "\\", "\n", "\u2028", "ab", ""]
    documents = []
    for _ in range(300):
        members = [("".join(rng.choices(alphabet, k=rng.randrange(0, 4))), rng.randrange(5)) for _ in range(6)]
        documents.append(Obj((key, Num(str(value))) for key, value in members))
    documents.append(Obj([("k", "a\x00b")]))
    documents.append(Obj([("a\x00", Num("1"))]))
    documents.append(Obj([("x", Num("1")), ("x", Obj([("y", "\x00")]))]))
    from noetl_envelope.projection.row import json_text

    found = server_values(dsn, "try_jsonb", [json_text(doc) for doc in documents])
    for doc, got in zip(documents, found, strict=True):
        try:
            expected = pgtypes.jsonb_text(doc)
        except pgtypes.Refused:
            assert got.startswith("ERROR: unsupported Unicode escape sequence"), (doc, got)
        else:
            assert got == expected, doc


def timestamps(rng: random.Random) -> list[Timestamp]:
    found = [
        Timestamp(-4713, 11, 24),
        Timestamp(-4713, 11, 23, 23, 59, 59, 999_999_999),
        Timestamp(-4713, 11, 23, 23, 59, 59, 999_999_600),
        Timestamp(-4713, 10, 31, 23, 59, 59, 999_999_999),
        Timestamp(-4714, 12, 31, 23, 59, 59, 1_000_000_000),
        Timestamp(2016, 12, 31, 23, 59, 59, 1_000_000_000),
        Timestamp(2016, 12, 31, 23, 59, 59, 1_000_000_400),
        Timestamp(2016, 12, 31, 23, 59, 59, 1_500_000_000),
        Timestamp(2016, 12, 31, 23, 59, 59, 999_999_500),
        Timestamp(262142, 12, 31, 23, 59, 59, 1_999_999_999),
    ]
    for _ in range(600):
        year = rng.choice([rng.randrange(-4714, -4711), rng.randrange(-262143, 262143), rng.randrange(1900, 2100)])
        month = rng.choice([1, 11, 12, rng.randrange(1, 13)])
        hour, minute = rng.choice([(23, 59), (rng.randrange(24), rng.randrange(60))])
        second = rng.choice([59, rng.randrange(60)])
        digits = rng.choice([0, 3, 6, 7, 9])
        nano = rng.randrange(10**digits) * 10 ** (9 - digits) if digits else 0
        if second == 59 and rng.random() < 0.3:
            nano += 1_000_000_000
        elif rng.random() < 0.2:
            nano = rng.choice([999_999_500, 999_999_499, 999_999_999, 500, 1500, 2500])
        found.append(Timestamp(year, month, min(rng.randrange(1, 32), 28), hour, minute, second, nano))
    return found


def test_timestamp_storage_matches_the_server(dsn: str) -> None:
    values = timestamps(random.Random(3))
    found = server_values(dsn, "try_ts", [pgtypes.timestamp_input(value) for value in values])
    for value, got in zip(values, found, strict=True):
        try:
            expected = pgtypes.store_timestamp(value)
        except pgtypes.Refused as exc:
            assert got.startswith("ERROR: "), (value, got)
            assert got.removeprefix("ERROR: ") == str(exc), value
        else:
            assert not got.startswith("ERROR"), (value, got)
            assert epoch_micros(got) == expected, value


# --- one case per rule ------------------------------------------------------------------------


def envelope(
    execution_id: int, *, created_at: str = "2024-05-06T07:08:09Z", context: str = '{"k":1}', **more: str
) -> bytes:
    fields = {
        "execution_id": str(execution_id),
        "event_type": '"step.enter"',
        "step": '"fetch"',
        "status": '"STARTED"',
        "created_at": f'"{created_at}"',
        "context": context,
        **more,
    }
    return complete(("{" + ",".join(f'"{key}":{value}' for key, value in fields.items()) + "}").encode())


# (name, document, the rules predicted). Each execution_id is unique: it finds the case's row.
CASES: list[tuple[str, bytes, set[str]]] = [
    ("lossless", envelope(1, context='{"a":1,"bb":[true,null,"x",1.5,-2]}'), set()),
    (
        "lossless with every field",
        envelope(2, event_id="9223372036854775807", worker_id='"w-1"', meta='{"retry":0,"parent":"x"}'),
        set(),
    ),
    ("lossless number forms", envelope(3, context='{"f":1.0,"g":1e-7,"h":2.5e-3,"i":1.5e300,"j":0.1}'), set()),
    ("lossless first TIMESTAMP day", envelope(4, created_at="-4713-11-24T00:00:00Z"), set()),
    ("lossless micro digits", envelope(5, created_at="2024-05-06T07:08:09.123456Z"), set()),
    # What every serde consumer normalizes anyway is not a projection loss: JSON null as the
    # context, the `payload` alias, an unknown field, an explicit null Option.
    ("lossless null context", envelope(6, context="null"), set()),
    (
        "lossless alias and unknown field",
        envelope(7, context='{"k":1}', extra='{"ignored":[1e-99999]}', worker_id="null").replace(
            b'"context"', b'"payload"'
        ),
        set(),
    ),
    ("sub-microsecond", envelope(10, created_at="2024-05-06T07:08:09.123456789Z"), {"project.sub-microsecond"}),
    ("sub-microsecond next day", envelope(11, created_at="2024-12-31T23:59:59.9999996Z"), {"project.sub-microsecond"}),
    ("offset", envelope(20, created_at="2024-05-06T12:38:09+05:30"), {"project.offset"}),
    ("offset negative", envelope(21, created_at="2024-05-06T00:08:09-07:00"), {"project.offset"}),
    ("leap second", envelope(30, created_at="2016-12-31T23:59:60Z"), {"project.leap-second"}),
    ("leap second mid-day", envelope(31, created_at="2024-01-01T12:34:60.5Z"), {"project.leap-second"}),
    ("leap second refused", envelope(32, created_at="2016-12-31T23:59:60.5Z"), {"project.leap-second"}),
    ("year before 4714 BC", envelope(40, created_at="-4713-11-23T23:59:59Z"), {"project.year-range"}),
    ("year far before", envelope(41, created_at="-262143-01-01T00:00:00Z"), {"project.year-range"}),
    (
        "year past chrono after rounding",
        envelope(42, created_at="+262142-12-31T23:59:60Z"),
        {"project.leap-second", "project.year-range"},
    ),
    ("nul in a VARCHAR", envelope(50, step='"a\\u0000b"'), {"project.nul-character"}),
    ("nul in a JSONB string", envelope(51, context='{"k":"a\\u0000"}'), {"project.nul-character"}),
    ("nul in a JSONB key", envelope(52, meta='{"k\\u0000":1}'), {"project.nul-character"}),
    ("number normalized", envelope(60, context='{"a":1e2}'), {"project.number-normalized"}),
    ("negative zero", envelope(61, context='{"a":-0.0,"b":[-0]}'), {"project.number-normalized"}),
    ("float beyond i64", envelope(62, context='{"a":1e19}'), {"project.number-normalized"}),
    ("number scale refused", envelope(70, context='{"a":1e-16384}'), {"project.number-range"}),
    ("number unreadable back", envelope(71, context='{"a":-1.7976931348623157e308}'), {"project.number-range"}),
    ("key order", envelope(80, context='{"bb":1,"a":2}'), {"project.key-order"}),
    ("key order of sorted keys", envelope(81, context='{"aa":1,"b":{"zz":[],"y":null}}'), {"project.key-order"}),
    ("duplicate key", envelope(90, context='{"a":1e2,"a":2}'), {"project.duplicate-key"}),
    (
        "duplicate key hiding a nul",
        envelope(91, context='{"a":"\\u0000","a":2}'),
        {"project.duplicate-key", "project.nul-character"},
    ),
]


def test_every_projection_rule_has_a_case() -> None:
    shown = set().union(*(rules for _, _, rules in CASES))
    assert shown == set(RULE_KINDS)


@pytest.mark.parametrize(("name", "document", "rules"), CASES, ids=[case[0] for case in CASES])
def test_case_predicts_its_rules(name: str, document: bytes, rules: set[str]) -> None:
    outcome = predict(document)
    assert outcome is not None
    assert {violation.rule for violation in outcome.violations} == rules
    assert outcome.projectable == (not rules)


def input_canonical(document: bytes) -> bytes:
    binding = binding_of(document)
    assert binding is not None
    return encode(build_event(binding, read_number), check=False)


def predicted_export(outcome: Prediction) -> bytes | None:
    """The envelope the export writes for the predicted row; None when it cannot (or no row)."""
    if outcome.row is None:
        return None
    try:
        return encode(event_from_row(outcome.row), check=False)
    except RowError:
        return None


def test_cases_agree_with_the_database(dsn: str, tmp_path: Path) -> None:
    corpus = tmp_path / "cases.ndjson"
    corpus.write_bytes(b"".join(document + b"\n" for _, document, _ in CASES))
    # A small batch size: several batches, some with refusals (the savepoint path), some without.
    proc = cli_run("project", "--dsn", dsn, "--create-table", "--batch-size", "4", str(corpus))
    refused_lines = {int(line.split(":")[1]) for line in proc.stderr.splitlines()}
    exported = cli_run("export", "--dsn", dsn)
    back = {
        int(line.split(b",")[0].split(b":")[1]): line
        for line in exported.stdout.encode().splitlines()  # one execution_id per case
    }
    conn = db.connect(dsn)
    try:
        for line_number, (name, document, rules) in enumerate(CASES, start=1):
            outcome = predict(document)
            assert outcome is not None
            execution_id = int(document.split(b",")[0].split(b":")[1])
            stored = list(db.select_rows(conn, execution_id))
            assert (line_number in refused_lines) == bool(outcome.refusals), name
            if outcome.refusals:
                assert stored == [], name
                continue
            assert stored == [outcome.row], name  # the server stored exactly the predicted row
            expected = predicted_export(outcome)
            assert back.get(execution_id) == expected, name
            if expected is None:
                continue  # the export names the row on stderr instead (checked below)
            changed = any(RULE_KINDS[rule] == "envelope" for rule in rules)
            assert (expected != input_canonical(document)) == changed, name
            _check_written_form(name, document, stored[0], rules)
    finally:
        conn.close()
    assert proc.returncode == 1
    assert exported.returncode == 1  # the cases that cannot be read back
    unreadable = [name for name, doc, _ in CASES if (p := predict(doc)) and p.row and predicted_export(p) is None]
    assert len(exported.stderr.splitlines()) == len(unreadable) == 2


def _check_written_form(name: str, document: bytes, row: StoredRow, rules: set[str]) -> None:
    """The written-form rules, seen on the stored row itself (not only through the prediction)."""
    from noetl_envelope.wire.lexer import scan

    written = dict(scan(document))
    context_text = row.values["context"]
    if "project.key-order" in rules:
        stored_keys = [key for key, _ in scan(context_text.encode())]
        assert stored_keys != [key for key, _ in written["context"]], name
    if "project.duplicate-key" in rules:
        assert len(scan(context_text.encode())) < len(written["context"]), name
    if "project.offset" in rules:
        local = Timestamp.parse(written["created_at"][:19] + "Z")
        assert row.values["created_at"] != local.unix_seconds * 1_000_000, name


# --- a corpus through `project` and `export` --------------------------------------------------


def corpus_documents() -> list[bytes]:
    documents = bundled_samples()
    documents += [encode(event) for event in events(300, 20261129)]
    documents += [document for _, document, _ in CASES]
    return documents


def _row_key(row: StoredRow) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(row.values.items()))


def test_corpus_round_trip_agrees_with_the_prediction(dsn: str, tmp_path: Path) -> None:
    documents = corpus_documents()
    corpus = tmp_path / "corpus.ndjson"
    corpus.write_bytes(b"".join(document + b"\n" for document in documents))
    predictions = [predict(document) for document in documents]
    assert all(outcome is not None for outcome in predictions)

    proc = cli_run("project", "--dsn", dsn, "--create-table", "--batch-size", "50", str(corpus))
    refused = {int(line.split(":")[1]) for line in proc.stderr.splitlines()}
    predicted_refused = {n for n, outcome in enumerate(predictions, start=1) if outcome and outcome.refusals}
    assert refused == predicted_refused
    written = len(documents) - len(refused)
    assert proc.stdout.strip().startswith(f"project: {written} row(s) written, {len(refused)} refused")

    conn = db.connect(dsn)
    try:
        stored = Counter(_row_key(row) for row in db.select_rows(conn))
    finally:
        conn.close()
    predicted_rows = [outcome.row for outcome in predictions if outcome and outcome.row]
    assert stored == Counter(_row_key(row) for row in predicted_rows)

    exported = cli_run("export", "--dsn", dsn)
    lines = exported.stdout.encode().splitlines()
    expected = [predicted_export(outcome) for outcome in predictions if outcome and outcome.row]
    assert Counter(lines) == Counter(line for line in expected if line is not None)
    assert len(exported.stderr.splitlines()) == expected.count(None)

    unchanged = 0
    for document, outcome in zip(documents, predictions, strict=True):
        assert outcome is not None
        back = predicted_export(outcome)
        if back is None:
            continue
        changed = any(RULE_KINDS[v.rule] == "envelope" for v in outcome.violations)
        assert (back != input_canonical(document)) == changed, document[:200]
        unchanged += not changed
    assert unchanged > 100  # the corpus is not all losses


# --- the DDL and the command line -------------------------------------------------------------


def test_ddl_subset_has_the_noetl_column_types(dsn: str) -> None:
    conn = db.connect(dsn)
    try:
        db.create_table(conn)
        db.create_table(conn)  # idempotent
        found = dict(
            conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'noetl' AND table_name = 'event'"
            ).fetchall()
        )
    finally:
        conn.close()
    # One column per field of the schema (x-db-column, else the field's name), typed by its Rust type.
    assert found == {column.name: INFORMATION_SCHEMA_TYPE[column.sql_type] for column in columns()}
    # NoETL's table as it is (../shared/DESIGN.md) for the 0.3.1 fields.
    assert {name: found[name] for name in NOETL_0_3_1_COLUMNS} == NOETL_0_3_1_COLUMNS


# How information_schema.columns names the SQL types the Rust types project to.
INFORMATION_SCHEMA_TYPE = {
    "BIGINT": "bigint",
    "VARCHAR": "character varying",
    "TIMESTAMP": "timestamp without time zone",
    "JSONB": "jsonb",
}
NOETL_0_3_1_COLUMNS = {
    "execution_id": "bigint",
    "event_id": "bigint",
    "event_type": "character varying",
    "node_name": "character varying",
    "status": "character varying",
    "created_at": "timestamp without time zone",
    "context": "jsonb",
    "meta": "jsonb",
    "worker_id": "character varying",
}


def test_missing_table_is_a_usage_error(dsn: str) -> None:
    proc = cli_run("project", "--dsn", dsn, str(SAMPLES))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "--create-table" in proc.stderr
    assert cli_run("export", "--dsn", dsn).returncode == 2


def test_export_of_one_execution(dsn: str, tmp_path: Path) -> None:
    corpus = tmp_path / "two.ndjson"
    corpus.write_bytes(envelope(7) + b"\n" + envelope(8, context='{"x":[1,2]}') + b"\n")
    assert cli_run("project", "--dsn", dsn, "--create-table", str(corpus)).returncode == 0
    proc = cli_run("export", "--dsn", dsn, "--execution-id", "8")
    assert proc.returncode == 0
    assert proc.stdout.encode() == input_canonical(envelope(8, context='{"x":[1,2]}')) + b"\n"


@pytest.mark.parametrize("command", ["project", "export"])
def test_connection_failure_is_one_line_and_exit_2(command: str) -> None:
    args = [command, "--dsn", "postgresql://127.0.0.1:1/x"] + ([str(SAMPLES)] if command == "project" else [])
    proc = cli_run(*args)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("noetl-envelope: 127.0.0.1:1/x: cannot connect:")
    assert proc.stdout == ""


def test_no_dsn_is_a_usage_error() -> None:
    env_dsn = ENV.pop("NOETL_ENVELOPE_DSN", None)
    try:
        proc = cli_run("export")
    finally:
        if env_dsn is not None:
            ENV["NOETL_ENVELOPE_DSN"] = env_dsn
    assert proc.returncode == 2
    assert "--dsn" in proc.stderr and proc.stderr.count("\n") == 1


def test_validate_project_reports_the_rules() -> None:
    document = envelope(1, context='{"a":1e2}')
    run = subprocess.run(
        [sys.executable, "-m", "noetl_envelope", "validate", "--project", "-"],
        input=document + b"\n",
        capture_output=True,
        env=ENV,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1
    assert b"[project.number-normalized]" in run.stdout
    plain = subprocess.run(
        [sys.executable, "-m", "noetl_envelope", "validate", "-"],
        input=document + b"\n",
        capture_output=True,
        env=ENV,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert plain.returncode == 0
