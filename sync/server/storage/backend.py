"""What the storage needs of a database (``Backend``), and which backend a database setting names.

Everything the city server stores goes through ``sync.server.storage.Storage``, whose SQL is written once
(SQLite's ``?`` placeholders, ``ON CONFLICT``, no engine-only functions). A backend gives it connections that
take that SQL, one serialised write transaction at a time, the one-statement insert of a batch, the
migrations, and the few things that differ (version, readiness, backup).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol


class DatabaseUnavailable(RuntimeError):
    """The database cannot serve now (stopped, restarting, unreachable, full, read-only): the request is answered
    503, to be retried; nothing of it was stored (or, if its commit was cut, a retry finds it stored)."""


class Connection(Protocol):
    """sqlite3.Connection's shape: ``execute`` and ``executemany`` with ``?`` placeholders, returning a cursor
    with ``fetchone``, ``fetchall`` and ``rowcount``."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> Any: ...


class Backend(Protocol):
    kind: str                                   # "sqlite" or "postgresql"
    integrity_errors: tuple[type[Exception], ...]
    # A statement may take a whole column of rows as one array parameter (PostgreSQL's unnest, = ANY): the city
    # counters then write a batch in one statement, not one per row (city_counts.py).
    binds_arrays: bool

    def reading(self) -> AbstractContextManager[Connection]:
        """A connection for reads (each statement sees what was committed before it)."""

    def writing(self) -> AbstractContextManager[Connection]:
        """One transaction, committed when the block ends and rolled back if it raises, while no other
        writer of the database (thread or process) is in its own."""

    def insert_all(self, tx: Connection, rows: Sequence[tuple[Any, ...]]) -> bool:
        """Inside ``tx``: insert every record row and say True, or when any is taken insert none and say False."""

    def migrate(self, *, stop_before: str | None = None) -> None: ...
    def applied_migrations(self) -> list[str]: ...
    def describe(self) -> str: ...              # kind and version, for the start-up line
    def where(self) -> str: ...                 # the file, or the URL without its password
    def ready(self) -> str | None: ...          # None when a fresh connection reads the database now
    def backup_to(self, target: Path) -> None: ...
    def close(self) -> None: ...


def is_postgresql_url(database: object) -> bool:
    return isinstance(database, str) and database.startswith(("postgresql://", "postgres://"))


def open_backend(database: Path | str, *, pool_size: int = 10) -> Backend:
    """A ``postgresql://`` (or ``postgres://``) URL opens PostgreSQL (psycopg is imported only then); anything
    else is an SQLite file's path."""
    if is_postgresql_url(database):
        from sync.server.storage.postgres import PostgresBackend

        return PostgresBackend(str(database), pool_size=pool_size)
    from sync.server.storage.sqlite import SQLiteBackend

    return SQLiteBackend(database)
