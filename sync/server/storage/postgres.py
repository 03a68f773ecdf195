"""The PostgreSQL backend of the city server's storage: psycopg 3 and a connection pool per server process.

The storage's SQL is written once, with SQLite's ``?`` placeholders; here each statement is read the psycopg
way (``?`` → ``%s``, a literal ``%`` doubled), once per statement text. Connections run in autocommit, so a
read is one round trip; a write is an explicit transaction that first takes one transaction-level advisory
lock (``WRITE_LOCK``), the same one in every server process: writes are serialised as SQLite's ``BEGIN
IMMEDIATE`` serialises them, so every check-then-write of the storage (enrolment uses, rate limits, prize
claims) means the same on both, and the ``records.rowid`` identity values are taken and committed in one
order, which the cursors over "records stored after X" rely on (schema.py). Migrations take another
advisory lock (``MIGRATION_LOCK``): processes starting together on a fresh database apply each once.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool

from booth_common.migrations import Locking, MigrationLog, Migrations
from sync.server.storage.backend import DatabaseUnavailable
from sync.server.storage.pg_outage import Breaker, is_unavailability, reason_of
from sync.server.storage.schema import MIGRATIONS, RECORD_FIELDS, _run_statements, postgresql_script

# Two fixed keys of pg_advisory_xact_lock (any 64-bit numbers, the same in every server process and version).
WRITE_LOCK = 0x6B696F736B5F7772        # "kiosk_wr"
MIGRATION_LOCK = 0x6B696F736B5F6D67    # "kiosk_mg"

# How long a write waits for the write lock before it is answered 503: another process (another machine) holding
# it that long is stuck (a paused VM, a cut network: TCP would keep its lock for hours), and every booth's push
# would otherwise hang behind it. 25 s: under a booth's read timeout (30 s), with room for large group commits
# (the writer takes every queued push into one group, at a 350-booth backlog a great many records: a lock timeout
# cutting such a group would make all its booths send it again).
WRITE_LOCK_WAIT_S = 25.0

POOL_SIZE = 10   # connections per server process at most by default (setting database_pool); one opened at start

SERVER_LOG = MigrationLog(
    create=("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, "
            "applied_order BIGINT GENERATED ALWAYS AS IDENTITY, applied_at TEXT)",),
    applied="SELECT name FROM schema_migrations ORDER BY applied_order",
    record="INSERT INTO schema_migrations (name, applied_at) VALUES (%(name)s, %(at)s)",
    locking=Locking(begin=("BEGIN", f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")))

# All rows of a batch in one COPY (psycopg writes the rows in C): a batch of 1,000 records took 22-35 ms, against
# 51-54 ms as one INSERT ... SELECT FROM unnest() of column arrays (binary arrays; in the text format psycopg
# escaped every element with a regular expression, 250 ms) on a durable cluster. COPY has no ON CONFLICT: a row
# already held fails it, and the batch goes row by row (each INSERT ... ON CONFLICT DO NOTHING) to say which.
COPY_RECORDS = f"COPY records ({', '.join(RECORD_FIELDS)}) FROM STDIN"


@lru_cache(maxsize=1024)
def psycopg_sql(sql: str) -> str:
    """The storage's SQL with psycopg's placeholders. The storage's statements hold no '?' in a literal."""
    return sql.replace("%", "%%").replace("?", "%s")


def redacted(url: str) -> str:
    """The URL without its password, for the start-up line and messages."""
    params = conninfo_to_dict(url)
    if "password" in params:
        params["password"] = "****"
    host = params.get("host", "")
    return f"postgresql://{params.get('user', '')}@{host}:{params.get('port', 5432)}/{params.get('dbname', '')}"


class PgConnection:
    """A pooled psycopg connection that takes the storage's SQL (``?`` placeholders) like sqlite3's does."""

    __slots__ = ("raw",)

    def __init__(self, raw: psycopg.Connection):
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> psycopg.Cursor:
        return self.raw.execute(psycopg_sql(sql), params or None)

    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> psycopg.Cursor:
        cur = self.raw.cursor()
        params = list(params)
        if params:
            cur.executemany(psycopg_sql(sql), params)
        return cur


class PostgresBackend:
    """Connections and transactions of one PostgreSQL database (see ``sync.server.storage.backend.Backend``)."""

    kind = "postgresql"
    integrity_errors = (psycopg.IntegrityError,)
    binds_arrays = True

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE):
        self.url = url
        self._write_lock = threading.Lock()   # threads of this process queue here, not holding a pooled connection
        psycopg.connect(url, autocommit=True).close()   # an unreachable server fails here, at once, with libpq's reason
        # timeout: a request waits at most 10 s for a connection (a booth's read timeout is 30 s); reconnect_timeout:
        # the pool gives up re-opening a connection after 5 s, so the next request asks for a fresh one at once
        # (its back-off had grown to a minute after a minute's outage). Outages: pg_outage.py.
        self._pool = ConnectionPool(url, min_size=1, max_size=pool_size, open=True, timeout=10.0, reconnect_timeout=5.0,
                                    kwargs={"autocommit": True}, name="kiosk-server")
        self._breaker = Breaker(url)

    @contextmanager
    def _borrowed(self) -> Iterator[psycopg.Connection]:
        """A pooled connection that answers; ``DatabaseUnavailable`` (503) at once when the database cannot serve."""
        self._breaker.check()
        try:
            raw = self._live_connection()
            try:
                yield raw
            finally:
                self._pool.putconn(raw)
        except Exception as exc:
            if not is_unavailability(exc):
                raise
            raise self._breaker.refusal(exc) from exc

    def _live_connection(self) -> psycopg.Connection:
        """A pooled connection tried with an empty statement: one the database dropped (a restart, a failover,
        pg_terminate_backend) is replaced, without the pool's own check's growing sleeps between dead ones (each
        dead connection otherwise failed one request: tests/test_server_on_postgresql.py)."""
        for _ in range(self._pool.max_size + 1):
            raw = self._pool.getconn()
            try:
                raw.execute("")
                return raw
            except psycopg.Error:
                self._pool.putconn(raw)     # broken: the pool closes it and opens another
                self._breaker.probe()       # the database itself down: DatabaseUnavailable, the breaker open
        raise DatabaseUnavailable("no pooled connection answers")

    @contextmanager
    def reading(self) -> Iterator[PgConnection]:
        with self._borrowed() as raw:
            yield PgConnection(raw)

    @contextmanager
    def writing(self) -> Iterator[PgConnection]:
        """One write transaction, all of it or nothing, holding the write lock of every server process."""
        with self._write_lock, self._borrowed() as raw, raw.transaction():
            raw.execute(f"SET LOCAL lock_timeout = {int(WRITE_LOCK_WAIT_S * 1000)}; "   # one round trip for both
                        f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            yield PgConnection(raw)

    def insert_all(self, tx: PgConnection, rows: Sequence[tuple[Any, ...]]) -> bool:
        """Insert every row in one COPY when none is taken (the usual case) and say True; else insert none."""
        tx.raw.execute("SAVEPOINT job")
        try:
            with tx.raw.cursor().copy(COPY_RECORDS) as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.errors.UniqueViolation:   # an id or (device, seq) already held, or twice in the batch
            tx.raw.execute("ROLLBACK TO job")
            tx.raw.execute("RELEASE job")
            return False
        tx.raw.execute("RELEASE job")
        return True

    def migrate(self, *, stop_before: str | None = None) -> None:
        """The named migrations, each in its own transaction holding the migration lock; up to ``stop_before``."""
        migrations = Migrations("city-server", SERVER_LOG)
        for name, script in MIGRATIONS:
            migrations.add(name, partial(_run_statements, script=postgresql_script(name, script)))
        with self._pool.connection() as raw:
            migrations.apply(raw, stop_before=stop_before)

    def applied_migrations(self) -> list[str]:
        with self.reading() as conn:
            return [row[0] for row in conn.execute(SERVER_LOG.applied).fetchall()]

    def describe(self) -> str:
        with self.reading() as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        return f"PostgreSQL {version.split()[0]}"

    def where(self) -> str:
        return redacted(self.url)

    def ready(self) -> str | None:
        """None when a fresh connection (not a pooled one) reads the database now, else why not."""
        try:
            with psycopg.connect(make_conninfo(self.url, connect_timeout=2), autocommit=True) as conn:
                conn.execute("SELECT count(*) FROM schema_migrations").fetchone()
                read_only = conn.execute("SHOW transaction_read_only").fetchone()[0] == "on"
        except psycopg.Error as exc:
            return reason_of(exc)
        self._breaker.close()
        return "the database is read-only (a standby, or default_transaction_read_only)" if read_only else None

    def backup_to(self, target: Path) -> None:
        """A consistent copy in pg_dump's custom format (pg_restore reads it), made by PostgreSQL's own tool."""
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise RuntimeError("pg_dump is not installed (Debian: postgresql-client)")
        done = subprocess.run([pg_dump, "--format=custom", f"--file={target}", "--dbname", self.url],
                              capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            raise RuntimeError(f"pg_dump failed: {done.stderr.strip()}")

    def close(self) -> None:
        self._pool.close()
