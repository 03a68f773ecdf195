"""Named, append-only schema migrations: one mechanism for the kiosk's ledger and the city server (SQLite or
PostgreSQL).

Each migration runs in its own transaction together with the record of its name, and that transaction
first takes the database's one migration lock (``Locking``: ``BEGIN IMMEDIATE`` on SQLite, a transaction-level
advisory lock on PostgreSQL); whether the migration is still pending is checked again under the lock. So two
or more processes opening a fresh database at once (the GUI and ``kiosk sync``; several server workers)
apply each migration exactly once, and a migration that fails leaves no trace and stays pending. The log
table itself is created under the same lock (PostgreSQL's ``CREATE TABLE IF NOT EXISTS`` is not safe
against a concurrent twin). Never edit a migration that has shipped: add a new one after it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

Step = Callable[[Any], None]   # gets the connection, inside the migration's locked transaction


@dataclass(frozen=True)
class Locking:
    """How a database opens a transaction that holds its one migration lock, and ends it.

    The connection must run statements as they come (SQLite's ``isolation_level=None`` or the ledger's
    default, psycopg's autocommit), so that these statements are the transaction's bounds."""

    begin: tuple[str, ...] = ("BEGIN IMMEDIATE",)
    commit: str = "COMMIT"
    rollback: str = "ROLLBACK"


BEGIN_IMMEDIATE = Locking()   # SQLite: the write lock of the file, taken at BEGIN


@dataclass(frozen=True)
class MigrationLog:
    """Where a database keeps the names of the migrations it has applied (each side keeps its own table)."""

    create: tuple[str, ...]   # statements that make the table when missing (IF NOT EXISTS)
    applied: str              # SELECT of the applied names, in order; may use :set, the set's name
    record: str               # INSERT of one applied name; may use :set, :name and :at (UTC time)
    locking: Locking = BEGIN_IMMEDIATE   # the named parameters above in the driver's style (psycopg: %(name)s)


class Migrations:
    """A named set of migrations, registered in order with ``@migrations()``."""

    def __init__(self, name: str, log: MigrationLog):
        self.name, self.log = name, log
        self.steps: list[tuple[str, Step]] = []

    def __call__(self, *, name: str | None = None) -> Callable[[Step], Step]:
        def register(step: Step) -> Step:
            step_name = name or step.__name__
            if any(n == step_name for n, _ in self.steps):
                raise ValueError(f"migration {step_name!r} is already in set {self.name!r}")
            self.steps.append((step_name, step))
            return step
        return register

    def add(self, name: str, step: Step) -> None:
        self(name=name)(step)

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.steps]

    def applied(self, conn: Any) -> list[str]:
        try:
            return [row[0] for row in conn.execute(self.log.applied, {"set": self.name}).fetchall()]
        except sqlite3.OperationalError:  # no log table yet: a fresh file
            return []

    def apply(self, conn: Any, *, stop_before: str | None = None) -> list[str]:
        """Apply what is pending, in order, up to ``stop_before`` (tests make old schemas this way); returns the
        names applied by this call."""
        if getattr(conn, "in_transaction", False):   # an sqlite3 connection the caller left in a transaction
            conn.commit()
        with self._locked(conn):
            for statement in self.log.create:
                conn.execute(statement)
        done, applied = set(self.applied(conn)), []
        for name, step in self.steps:
            if name == stop_before:
                break
            if name not in done and self._apply_one(conn, name, step):
                applied.append(name)
        return applied

    @contextmanager
    def _locked(self, conn: Any) -> Iterator[None]:
        """One transaction holding the migration lock: committed when the block ends, rolled back if it raises."""
        for statement in self.log.locking.begin:
            conn.execute(statement)
        try:
            yield
        except BaseException:
            conn.execute(self.log.locking.rollback)
            raise
        conn.execute(self.log.locking.commit)

    def _apply_one(self, conn: Any, name: str, step: Step) -> bool:
        with self._locked(conn):
            if name in self.applied(conn):  # another process applied it while this one waited for the lock
                return False
            step(conn)
            conn.execute(self.log.record, {"set": self.name, "name": name, "at": str(dt.datetime.now(dt.timezone.utc))})
        return True


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: ``executescript`` would COMMIT the migration's transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement!r}")


def use_wal(conn: sqlite3.Connection, *, patience_s: float = 30.0) -> None:
    """Switch a connection to WAL, waiting for other processes doing the same. SQLite answers 'database is
    locked' at once, without calling the busy handler, while another connection changes a fresh file's journal
    mode: kiosks and server processes starting together on a new file met it (about one start in twenty in CI)."""
    deadline = time.monotonic() + patience_s
    delay = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
