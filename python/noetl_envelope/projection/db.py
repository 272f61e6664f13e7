"""The database side of the projection: connect, create the `noetl.event` subset, insert, select.

Only this module imports psycopg (the `pg` extra), and only when a command needs a database.
Every failure to reach or use the server becomes `InputError`, one line without the password,
which the CLI reports with exit code 2.

Inserts go in batches, one transaction per batch. A batch is first sent whole (multi-row
INSERT statements); when the server refuses any row, the batch is rolled back and sent
again with a savepoint per row, so each refused row is named with the server's own message and
every other row of the batch is still written.

Re-running a projection leaves each event once: every INSERT ends in `ON CONFLICT DO NOTHING`
and the table has NoETL's key, a unique index on (execution_id, event_id) (`KEY_COLUMNS`; in
NoETL's own table it is the primary key). An event without `event_id` (the field is an
`Option`) is keyed on its content instead: a second unique index, over the rows whose event_id
is NULL, on execution_id and an md5 of every other column, so the same event projected twice is
one row (two such events identical in every column are one row too: nothing can tell them
apart, and the export would write the same line for both). `check_table` finds, once and before
the first row, everything that would make every row fail or a re-run duplicate rows: a missing
table, column or key, a column of another type, a NOT NULL column the envelope cannot fill,
missing privileges.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from noetl_envelope.core.errors import InputError
from noetl_envelope.projection.row import SCHEMA_NAME, TABLE, StoredRow, columns, epoch_micros

if TYPE_CHECKING:
    import psycopg


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise InputError("psycopg is not installed: pip install 'noetl-envelope[pg]'") from exc
    # psycopg logs what it ignores (a rollback that cannot be sent when Ctrl-C or a lost server
    # cut a query short); with no handler, logging would print it on stderr beside our one line.
    logger = logging.getLogger("psycopg")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    return psycopg


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__


def describe_dsn(dsn: str) -> str:
    """The DSN for messages: host, port and database, never the password."""
    pg = _psycopg()
    try:
        params = pg.conninfo.conninfo_to_dict(dsn)
    except pg.Error:
        return "the database"
    host = params.get("host") or params.get("hostaddr") or "localhost"
    port = f":{params['port']}" if params.get("port") else ""
    return f"{host}{port}/{params.get('dbname') or params.get('user') or ''}"


DEFAULT_CONNECT_TIMEOUT = 10  # seconds; only when neither the DSN nor PGCONNECT_TIMEOUT sets one


def connect(dsn: str) -> psycopg.Connection[Any]:
    """An open connection in a UTF8 database; InputError when the server cannot be used. The
    DSN's own `connect_timeout` (or $PGCONNECT_TIMEOUT) is libpq's to apply; only when neither
    is given does the connection attempt stop after `DEFAULT_CONNECT_TIMEOUT` seconds."""
    pg = _psycopg()
    where = describe_dsn(dsn)
    try:
        given = "connect_timeout" in pg.conninfo.conninfo_to_dict(dsn) or bool(os.environ.get("PGCONNECT_TIMEOUT"))
    except pg.Error:
        given = False  # libpq says what is wrong with the DSN below
    extra = {} if given else {"connect_timeout": DEFAULT_CONNECT_TIMEOUT}
    try:
        conn: psycopg.Connection[Any] = pg.connect(dsn, **extra)
    except pg.Error as exc:
        raise InputError(f"{where}: cannot connect: {_first_line(exc)}") from exc
    # JSONB's \\u escapes and the VARCHAR columns assume a UTF8 database: in SQL_ASCII or
    # LATIN1 the stored text would differ from what the prediction says.
    encoding = conn.info.parameter_status("server_encoding")
    if encoding != "UTF8":
        conn.close()
        raise InputError(f"{where}: the database encoding is {encoding}; the projection needs UTF8")
    return conn


# NoETL's key of noetl.event (its primary key there): what makes a re-run leave each event once.
KEY_COLUMNS = ("execution_id", "event_id")
_KEY_INDEX = "event_execution_id_event_id_key"
_CONTENT_INDEX = "event_without_event_id_key"
# The catalog's names of the types a column may have, per SQL type of the projection; a VARCHAR
# column may also be TEXT (same storage, no length limit). Any other type (a length limit, a
# TIMESTAMP with a precision or a time zone, TEXT for JSONB) would store other values than the
# prediction says, or refuse rows one by one.
ACCEPTED_TYPES = {
    "BIGINT": ("bigint",),
    "VARCHAR": ("character varying", "text"),
    "TIMESTAMP": ("timestamp without time zone",),
    "JSONB": ("jsonb",),
}


def _content_text(name: str, sql_type: str) -> str:
    # A column as text in an IMMUTABLE expression (an index may use only those), NULL and
    # every value distinct: '-' for NULL, else '=' length ':' text, so no concatenation of
    # two rows' parts can coincide.
    text = f"extract(epoch from {name})::text" if sql_type == "TIMESTAMP" else f"{name}::text"
    return f"coalesce('=' || length({text})::text || ':' || {text}, '-')"


def ddl() -> list[str]:
    """The DDL for the subset of NoETL's `noetl.event` the envelope projects to, with its keys
    (see the module docstring); every statement can run again on an existing table."""
    body = ",\n    ".join(f"{column.name} {column.sql_type}" for column in columns())
    content = " || ".join(
        _content_text(column.name, column.sql_type) for column in columns() if column.name not in KEY_COLUMNS
    )
    return [
        f"CREATE SCHEMA IF NOT EXISTS {SCHEMA_NAME}",
        f"CREATE TABLE IF NOT EXISTS {TABLE} (\n    {body}\n)",
        f"CREATE UNIQUE INDEX IF NOT EXISTS {_KEY_INDEX} ON {TABLE} ({', '.join(KEY_COLUMNS)})",
        f"CREATE UNIQUE INDEX IF NOT EXISTS {_CONTENT_INDEX} ON {TABLE} (execution_id, md5({content})) "
        "WHERE event_id IS NULL",
    ]


def create_table(conn: psycopg.Connection[Any]) -> None:
    pg = _psycopg()
    try:
        with conn.transaction():
            for statement in ddl():
                conn.execute(statement)
    except pg.Error as exc:
        raise InputError(f"cannot create {TABLE}: {_first_line(exc)}") from exc


_COLUMNS_SQL = """
SELECT a.attname, format_type(a.atttypid, NULL), a.atttypmod, a.attnotnull, a.atthasdef OR a.attidentity <> ''
FROM pg_attribute a
WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
"""
# Unique indexes without a predicate or expressions: their key columns, sorted.
_KEYS_SQL = """
SELECT (SELECT array_agg(a.attname::text ORDER BY a.attname::text)
        FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey))
FROM pg_index i
WHERE i.indrelid = %s::regclass AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
"""


def check_table(conn: psycopg.Connection[Any], *, insert: bool = False) -> None:
    """InputError unless `noetl.event` can be used: it exists (a usage error: point --dsn at a
    NoETL database or pass --create-table), has every projected column with an accepted type,
    and the session may read it; for `insert`, it may insert, every other NOT NULL column has a
    default, and NoETL's key is there. One message for the first problem found."""
    pg = _psycopg()
    try:
        found = conn.execute("SELECT to_regclass(%s)", (TABLE,)).fetchone()
        if found is None or found[0] is None:
            conn.rollback()
            raise InputError(f"table {TABLE} does not exist (pass --create-table to create it)")
        present = {row[0]: row[1:] for row in conn.execute(_COLUMNS_SQL, (TABLE,)).fetchall()}
        keys = [tuple(row[0] or ()) for row in conn.execute(_KEYS_SQL, (TABLE,)).fetchall()]
        wanted = ("SELECT", "INSERT") if insert else ("SELECT",)
        privileges = [
            (privilege, conn.execute("SELECT has_table_privilege(%s, %s)", (TABLE, privilege)).fetchone())
            for privilege in wanted
        ]
        conn.rollback()
    except pg.Error as exc:
        raise InputError(f"cannot look up {TABLE}: {_first_line(exc)}") from exc
    for column in columns():
        if column.name not in present:
            raise InputError(f"{TABLE} has no column {column.name} (field `{column.field}`, {column.sql_type})")
        type_name, typmod, _, _ = present[column.name]
        accepted = ACCEPTED_TYPES[column.sql_type]
        if type_name not in accepted or typmod != -1:
            shown = type_name if typmod == -1 else f"{type_name} with a modifier ({typmod})"
            raise InputError(f"{TABLE}.{column.name} is {shown}; the projection needs {accepted[0]}")
    for privilege, granted in privileges:
        if not granted or not granted[0]:
            raise InputError(f"permission denied: this user may not {privilege} on {TABLE}")
    if not insert:
        return
    ours = {column.name for column in columns()}
    for name, (_, _, not_null, has_default) in sorted(present.items()):
        if name not in ours and not_null and not has_default:
            raise InputError(f"{TABLE}.{name} is NOT NULL without a default, and no envelope field fills it")
    if not any(set(key) in ({"event_id"}, set(KEY_COLUMNS)) for key in keys):
        raise InputError(
            f"{TABLE} has no unique key on ({', '.join(KEY_COLUMNS)}) (NoETL's primary key): a re-run would "
            "duplicate rows; pass --create-table to add it"
        )


# PostgreSQL's protocol allows 65535 parameters per statement.
MAX_ROWS_PER_STATEMENT = 65535 // len(columns())


def _insert_sql(rows: int = 1) -> str:
    names = ", ".join(column.name for column in columns())
    casts = {"TIMESTAMP": "::timestamp", "JSONB": "::jsonb"}
    one = "(" + ", ".join("%s" + casts.get(column.sql_type, "") for column in columns()) + ")"
    return f"INSERT INTO {TABLE} ({names}) VALUES " + ", ".join([one] * rows) + " ON CONFLICT DO NOTHING"


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """One committed batch: per row None (in the table now) or the server's refusal, and how
    many of the rows were new (the others were there already: a re-run)."""

    refusals: list[str | None]
    inserted: int


def insert_batch(conn: psycopg.Connection[Any], rows: Sequence[tuple[Any, ...]]) -> BatchOutcome:
    """Insert one batch in one transaction (committed when this returns); see `BatchOutcome`.
    InputError when the batch cannot be written at all: nothing of it is committed then."""
    pg = _psycopg()
    # What the server says about one row's values (class 22 data exceptions, class 23 integrity
    # violations); anything else (the connection, a privilege, the table's shape) concerns every
    # row and ends the run.
    refused_row = (pg.DataError, pg.IntegrityError)
    try:
        # The fast path: multi-row INSERT statements, all in one transaction.
        inserted = 0
        with conn.transaction(), conn.cursor() as cur:
            for start in range(0, len(rows), MAX_ROWS_PER_STATEMENT):
                chunk = rows[start : start + MAX_ROWS_PER_STATEMENT]
                cur.execute(_insert_sql(len(chunk)), [value for params in chunk for value in params])
                inserted += max(cur.rowcount, 0)
        return BatchOutcome([None] * len(rows), inserted)
    except refused_row:
        pass  # some row is refused and the transaction rolled back: find which, below
    except pg.Error as exc:  # the connection or the table, not a row
        raise InputError(f"insert into {TABLE} failed: {_first_line(exc)}") from exc
    sql = _insert_sql()
    outcome: list[str | None] = []
    inserted = 0
    try:
        with conn.transaction(), conn.cursor() as cur:
            for params in rows:
                try:
                    with conn.transaction():  # a savepoint: a refused row leaves the others
                        cur.execute(sql, params)
                    inserted += max(cur.rowcount, 0)
                    outcome.append(None)
                except refused_row as exc:
                    outcome.append(_first_line(exc))
    except pg.Error as exc:
        raise InputError(f"insert into {TABLE} failed: {_first_line(exc)}") from exc
    return BatchOutcome(outcome, inserted)


def select_rows(conn: psycopg.Connection[Any], execution_id: int | None = None) -> Iterator[StoredRow]:
    """The stored rows (all, or one execution's), ordered by execution, time and event id."""
    pg = _psycopg()
    selected = []
    for column in columns():
        if column.sql_type == "TIMESTAMP":
            # Exact numeric seconds: independent of DateStyle, BC years and years past 9999.
            selected.append(f"extract(epoch from {column.name})::text")
        elif column.sql_type == "JSONB":
            selected.append(f"{column.name}::text")
        else:
            selected.append(column.name)
    where = "" if execution_id is None else " WHERE execution_id = %s"
    sql = f"SELECT {', '.join(selected)} FROM {TABLE}{where} ORDER BY execution_id, created_at, event_id NULLS FIRST"
    params = () if execution_id is None else (execution_id,)
    try:
        with conn.transaction(), conn.cursor(name="noetl_envelope_export") as cur:
            cur.itersize = 1000
            cur.execute(sql, params)
            for record in cur:
                values: dict[str, Any] = {}
                for column, value in zip(columns(), record, strict=True):
                    if column.sql_type == "TIMESTAMP" and value is not None and value[-1:].isdigit():
                        value = epoch_micros(value)  # else 'Infinity' / '-Infinity': event_from_row names it
                    values[column.name] = value
                yield StoredRow(values)
    except pg.Error as exc:
        raise InputError(f"select from {TABLE} failed: {_first_line(exc)}") from exc
