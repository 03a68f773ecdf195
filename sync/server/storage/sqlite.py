"""The SQLite backend of the city server's storage: one file in WAL mode, one connection per thread, one writer.

``synchronous=FULL``: a record answered "accepted" is on disk. SQLite allows one writer; queueing writers on a
Python lock is fairer and cheaper than letting dozens of threads spin on SQLITE_BUSY, and ``BEGIN IMMEDIATE``
takes the file's write lock at the start of each write transaction, so server processes sharing the file
are serialised too.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from booth_common.migrations import BEGIN_IMMEDIATE, MigrationLog, Migrations, use_wal
from sync.server.storage.backend import DatabaseUnavailable
from sync.server.storage.schema import INSERT_RECORD, MIGRATIONS, _run_statements

SERVER_LOG = MigrationLog(create=("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)",),
                          applied="SELECT name FROM schema_migrations ORDER BY rowid",
                          record="INSERT INTO schema_migrations (name) VALUES (:name)",
                          locking=BEGIN_IMMEDIATE)


# How long a write waits for the file's write lock (another process's transaction) before it is answered 503: under
# a booth's read timeout (30 s), with room for large group commits (postgres.WRITE_LOCK_WAIT_S says why).
BUSY_TIMEOUT_S = 25.0
# sqlite3.OperationalError messages that say the database cannot serve now, not that a statement is wrong: 503.
UNAVAILABLE = ("database is locked", "database or disk is full", "disk I/O error", "unable to open database file",
               "attempt to write a readonly database")


class SQLiteBackend:
    """Connections and transactions of one SQLite file (see ``sync.server.storage.backend.Backend``)."""

    kind = "sqlite"
    integrity_errors = (sqlite3.IntegrityError,)
    binds_arrays = False   # executemany of one statement runs in process, row after row, at no round trip's cost

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
            use_wal(conn)
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            # Record ids are random, so each insert touches another leaf of the id index; with the
            # default 2 MB page cache a busy day's index no longer fits and inserts read pages back.
            conn.execute("PRAGMA cache_size=-65536")
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        yield self._conn()

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, all of it or nothing, while no other writer (thread or process) writes."""
        conn = self._conn()
        with self._write_lock, _unavailable_as_503():
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except BaseException:   # a commit that failed (locked, disk full) leaves the transaction open
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def insert_all(self, tx: sqlite3.Connection, rows: Sequence[tuple[Any, ...]]) -> bool:
        """Insert every row in one go when none is taken (the usual case) and say True; else insert none."""
        tx.execute("SAVEPOINT job")
        before = tx.total_changes
        tx.executemany(INSERT_RECORD, rows)
        if tx.total_changes - before == len(rows):
            tx.execute("RELEASE job")
            return True
        tx.execute("ROLLBACK TO job")
        tx.execute("RELEASE job")
        return False

    def migrate(self, *, stop_before: str | None = None) -> None:
        """The named migrations, each in its own BEGIN IMMEDIATE transaction (booth_common/migrations.py);
        up to ``stop_before`` (tests make older schemas this way)."""
        migrations = Migrations("city-server", SERVER_LOG)
        for name, script in MIGRATIONS:
            migrations.add(name, partial(_run_statements, script=script))
        migrations.apply(self._conn(), stop_before=stop_before)

    def applied_migrations(self) -> list[str]:
        with self.reading() as conn:
            return [row[0] for row in conn.execute(SERVER_LOG.applied)]

    def describe(self) -> str:
        """The database's kind and version, for the start-up line."""
        return f"SQLite {sqlite3.sqlite_version}"

    def where(self) -> str:
        return str(self.path.resolve())

    def ready(self) -> str | None:
        """None when the database file can be opened and read now (a fresh connection), else why not."""
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=rw", uri=True, timeout=2.0)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                conn.close()
        except sqlite3.Error as exc:
            return str(exc)
        return None

    def backup_to(self, target: Path) -> None:
        """A consistent copy of the database file."""
        dest = sqlite3.connect(target)
        try:
            self._conn().backup(dest)
        finally:
            dest.close()

    def close(self) -> None:
        with self._connections_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()


@contextmanager
def _unavailable_as_503() -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as exc:
        if str(exc).startswith(UNAVAILABLE):
            raise DatabaseUnavailable(str(exc)) from exc
        raise
