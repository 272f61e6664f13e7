"""The database side of the projection: connect, create the `noetl.event` subset, insert, select.

Only this module imports psycopg (the `pg` extra), and only when a command needs a database.
Every failure to reach or use the server becomes `InputError`, one line without the password,
which the CLI reports with exit code 2.

Inserts go in batches, one transaction per batch. A batch is first sent whole (multi-row
INSERT statements); when the server refuses any row, the batch is rolled back and sent
again with a savepoint per row, so each refused row is named with the server's own message and
every other row of the batch is still written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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


def connect(dsn: str, *, connect_timeout: int = 10) -> psycopg.Connection[Any]:
    """An open connection in a UTF8 database; InputError when the server cannot be used."""
    pg = _psycopg()
    where = describe_dsn(dsn)
    try:
        conn: psycopg.Connection[Any] = pg.connect(dsn, connect_timeout=connect_timeout)
    except pg.Error as exc:
        raise InputError(f"{where}: cannot connect: {_first_line(exc)}") from exc
    # JSONB's \\u escapes and the VARCHAR columns assume a UTF8 database: in SQL_ASCII or
    # LATIN1 the stored text would differ from what the prediction says.
    encoding = conn.info.parameter_status("server_encoding")
    if encoding != "UTF8":
        conn.close()
        raise InputError(f"{where}: the database encoding is {encoding}; the projection needs UTF8")
    return conn


def ddl() -> list[str]:
    """The DDL for the subset of NoETL's `noetl.event` the envelope projects to."""
    body = ",\n    ".join(f"{column.name} {column.sql_type}" for column in columns())
    return [
        f"CREATE SCHEMA IF NOT EXISTS {SCHEMA_NAME}",
        f"CREATE TABLE IF NOT EXISTS {TABLE} (\n    {body}\n)",
    ]


def create_table(conn: psycopg.Connection[Any]) -> None:
    pg = _psycopg()
    try:
        with conn.transaction():
            for statement in ddl():
                conn.execute(statement)
    except pg.Error as exc:
        raise InputError(f"cannot create {TABLE}: {_first_line(exc)}") from exc


def check_table(conn: psycopg.Connection[Any]) -> None:
    """InputError unless `noetl.event` exists (a usage error: point --dsn at a NoETL database
    or pass --create-table)."""
    pg = _psycopg()
    try:
        found = conn.execute("SELECT to_regclass(%s)", (TABLE,)).fetchone()
        conn.rollback()
    except pg.Error as exc:
        raise InputError(f"cannot look up {TABLE}: {_first_line(exc)}") from exc
    if found is None or found[0] is None:
        raise InputError(f"table {TABLE} does not exist (pass --create-table to create it)")


# PostgreSQL's protocol allows 65535 parameters per statement.
MAX_ROWS_PER_STATEMENT = 65535 // len(columns())


def _insert_sql(rows: int = 1) -> str:
    names = ", ".join(column.name for column in columns())
    casts = {"TIMESTAMP": "::timestamp", "JSONB": "::jsonb"}
    one = "(" + ", ".join("%s" + casts.get(column.sql_type, "") for column in columns()) + ")"
    return f"INSERT INTO {TABLE} ({names}) VALUES " + ", ".join([one] * rows)


def insert_batch(conn: psycopg.Connection[Any], rows: Sequence[tuple[Any, ...]]) -> list[str | None]:
    """Insert one batch in one transaction; per row None (written) or the server's refusal."""
    pg = _psycopg()
    refused_row = (pg.DataError, pg.IntegrityError, pg.ProgrammingError)
    try:
        # The fast path: multi-row INSERT statements, all in one transaction.
        with conn.transaction(), conn.cursor() as cur:
            for start in range(0, len(rows), MAX_ROWS_PER_STATEMENT):
                chunk = rows[start : start + MAX_ROWS_PER_STATEMENT]
                cur.execute(_insert_sql(len(chunk)), [value for params in chunk for value in params])
        return [None] * len(rows)
    except refused_row:
        pass  # some row is refused and the transaction rolled back: find which, below
    except pg.Error as exc:  # the connection or the table, not a row
        raise InputError(f"insert into {TABLE} failed: {_first_line(exc)}") from exc
    sql = _insert_sql()
    outcome: list[str | None] = []
    try:
        with conn.transaction(), conn.cursor() as cur:
            for params in rows:
                try:
                    with conn.transaction():  # a savepoint: a refused row leaves the others
                        cur.execute(sql, params)
                    outcome.append(None)
                except refused_row as exc:
                    outcome.append(_first_line(exc))
    except pg.Error as exc:
        raise InputError(f"insert into {TABLE} failed: {_first_line(exc)}") from exc
    return outcome


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
                    if column.sql_type == "TIMESTAMP" and value is not None:
                        value = epoch_micros(value)
                    values[column.name] = value
                yield StoredRow(values)
    except pg.Error as exc:
        raise InputError(f"select from {TABLE} failed: {_first_line(exc)}") from exc
