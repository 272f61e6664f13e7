"""A real PostgreSQL server for the projection tests (no mocks).

`NOETL_ENVELOPE_TEST_DSN` (what .ci/run exports after scripts/pg_start.sh) names a running
server; without it, a throwaway cluster is started with the same script and stopped at the
end. Each test module gets its own fresh database on that server, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DSN_ENV = "NOETL_ENVELOPE_TEST_DSN"


class ServerUnavailable(RuntimeError):
    """No PostgreSQL server could be found or started."""


@contextmanager
def server() -> Iterator[str]:
    """The DSN of a running server: the environment's, or a cluster started for the session."""
    given = os.environ.get(DSN_ENV)
    if given:
        yield given
        return
    # Under /tmp, not pytest's 0700 tmp dirs: as root the cluster runs as `postgres`.
    directory = tempfile.mkdtemp(prefix="noetl-envelope-pg-", dir="/tmp")
    try:
        proc = subprocess.run(
            [str(ROOT / "scripts" / "pg_start.sh"), directory], capture_output=True, text=True, timeout=120
        )
        if proc.returncode != 0:
            raise ServerUnavailable(proc.stderr.strip() or f"pg_start.sh exited {proc.returncode}")
        try:
            yield proc.stdout.strip()
        finally:
            subprocess.run([str(ROOT / "scripts" / "pg_stop.sh"), directory], capture_output=True, timeout=120)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def fresh_database(dsn: str) -> Iterator[str]:
    """A new, empty database on the server (dropped on exit); yields its DSN."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    name = f"noetl_envelope_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" ENCODING UTF8 TEMPLATE template0')
    try:
        yield make_conninfo(dsn, dbname=name)
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
