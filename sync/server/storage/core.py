"""The storage's common part: the backend it stands on, reads, and the group commit of pushed records.

The unique constraints decide inside the insert transaction, so parallel identical batches (threads of one
process, or several server processes) store each record once: the loser sees the winner's row. One writer
thread per process takes every batch queued while it was committing the last group, in one transaction and
one commit (group commit): with hundreds of booths pushing at once, the disk must not queue them, and request
threads must not queue on a lock either.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.server import city_counts
from sync.server.storage.backend import Backend, Connection, open_backend
from sync.server.storage.schema import INSERT_RECORD, MARK_TOKEN_USED, record_values


class StorageError(RuntimeError):
    """The storage cannot do what was asked (unknown booth, device or event)."""


@dataclass(frozen=True)
class StoredRecord:
    id: str
    payload_sha256: str


@dataclass(frozen=True)
class InsertOutcome:
    """What happened to one row: inserted, or the row already holding its id or (device, seq)."""

    inserted: bool
    existing: StoredRecord | None


INSERTED = InsertOutcome(True, None)


@dataclass
class _InsertJob:
    """One caller's batch waiting for the next group commit."""

    rows: list[dict[str, Any]]
    future: Future = field(default_factory=Future)
    token_uses: list[tuple[str, str]] = field(default_factory=list)   # (token hash, at): first uses to record


class StorageCore:
    """The database (SQLite file or PostgreSQL URL), its schema brought up to date on opening."""

    def __init__(self, database: Path | str, *, pool_size: int = 10):
        """``pool_size``: most connections of this process on PostgreSQL (SQLite: one per thread, unlimited)."""
        self.backend: Backend = open_backend(database, pool_size=pool_size)
        self.path = getattr(self.backend, "path", None)   # the SQLite file; None on PostgreSQL
        self._queue: list[_InsertJob] = []
        self._queue_ready = threading.Condition()
        self._writer: threading.Thread | None = None
        self._closing = False
        try:
            self.backend.migrate()
        except BaseException:
            self.backend.close()
            raise

    # -- reads and writes ------------------------------------------------------------------------

    def _write(self) -> AbstractContextManager[Connection]:
        """One write transaction: all of it or nothing, one writer at a time (all server processes)."""
        return self.backend.writing()

    def reading(self) -> AbstractContextManager[Connection]:
        """A connection for reads, taking the storage's SQL (``?`` placeholders) on either database."""
        return self.backend.reading()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        with self.backend.reading() as conn:
            return conn.execute(sql, params).fetchone()

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.backend.reading() as conn:
            return conn.execute(sql, params).fetchall()

    def _secret_made_once(self, table: str, key_column: str, key: str, *, new_secret: str, at: str) -> str:
        """The secret ``table`` holds under ``key``, made once (``new_secret`` is stored the first time).

        Read first: these are asked for at every kiosk sync and phone-join page, and a write transaction would take
        the one writer's turn (on PostgreSQL the lock every server process shares) each time. Only the first ask
        writes; two first asks at once store one secret and both get it."""
        select = f"SELECT secret FROM {table} WHERE {key_column} = ?"
        if row := self._one(select, [key]):
            return row[0]
        with self._write() as tx:
            tx.execute(f"INSERT INTO {table} VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [key, new_secret, at])
            return tx.execute(select, [key]).fetchone()[0]

    # -- the database ----------------------------------------------------------------------------

    def describe(self) -> str:
        """The database's kind and version, for the start-up line."""
        return self.backend.describe()

    def where(self) -> str:
        """The database file, or the PostgreSQL URL without its password."""
        return self.backend.where()

    def ready(self) -> str | None:
        """None when the database can be opened and read now (a fresh connection), else why not."""
        return self.backend.ready()

    def backup_to(self, target: Path) -> None:
        """A consistent copy of an SQLite database (operators' backups; the restore tests use it).
        PostgreSQL is backed up with its own tools (pg_dump), as docs/server.md says."""
        self.backend.backup_to(target)

    def queued_records(self) -> int:
        """Records waiting for the writer's next group commit."""
        with self._queue_ready:
            return sum(len(job.rows) for job in self._queue)

    def close(self) -> None:
        with self._queue_ready:
            self._closing, writer = True, self._writer
            self._queue_ready.notify()
        if writer is not None:
            writer.join()
        self.backend.close()

    # -- records: the group commit -----------------------------------------------------------------

    def insert_records(self, rows: Sequence[dict[str, Any]]) -> list[InsertOutcome]:
        """Insert each row unless its id or (device, seq) is taken; returns once it is committed."""
        return self.submit_records(rows).result()

    def submit_records(self, rows: Sequence[dict[str, Any]]) -> Future:
        """Queue rows for the writer; the future gives their ``InsertOutcome``s once they are committed."""
        return self._submit(_InsertJob(list(rows)))

    def mark_token_used(self, token_hash: str, *, at: str) -> Future:
        """Note the first authenticated call with a token: from then on only the token re-enrols its device.

        Queued for the writer's next group commit, like records: 350 booths starting at once must not
        cost 350 transactions and fsyncs of their own, each holding up the records' commits. The
        future is done once the note is committed."""
        return self._submit(_InsertJob([], token_uses=[(token_hash, at)]))

    def _submit(self, job: _InsertJob) -> Future:
        with self._queue_ready:
            if self._closing:
                raise StorageError("the storage is closed")
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_queued, name="storage-writer", daemon=True)
                self._writer.start()
            self._queue.append(job)
            self._queue_ready.notify()
        return job.future

    def _write_queued(self) -> None:
        """The writer thread: commit what is queued, group by group, until closed and drained."""
        while True:
            with self._queue_ready:
                while not self._queue and not self._closing:
                    self._queue_ready.wait()
                if not self._queue:
                    return
                jobs, self._queue = self._queue, []
            self._commit_group(jobs)

    def _commit_group(self, jobs: list[_InsertJob]) -> None:
        try:
            with self._write() as tx:
                tx.executemany(MARK_TOKEN_USED, [(at, token) for job in jobs for token, at in job.token_uses])
                outcomes = self._insert_group(tx, [job.rows for job in jobs])
                self._count_inserted(tx, [row for job, done in zip(jobs, outcomes)
                                          for row, outcome in zip(job.rows, done) if outcome.inserted])
        except Exception as exc:  # every batch of the group failed with it: tell each caller
            for job in jobs:
                job.future.set_exception(exc)
            return
        for job, outcome in zip(jobs, outcomes):
            job.future.set_result(outcome)

    def _insert_group(self, tx: Connection, batches: list[list[dict[str, Any]]]) -> list[list[InsertOutcome]]:
        """Every batch of the group in one statement when no row is taken (the usual case), else batch by batch.

        One statement, not one per batch: with hundreds of booths pushing at once a group holds hundreds of
        batches, and on PostgreSQL each batch's savepoint, COPY and release were round trips made while holding
        the write lock. A taken row (a retried push, or two identical pushes in one group) fails the whole
        statement; then each batch is inserted on its own, in order, so the first of two identical pushes
        stores the records and the second finds them."""
        if len(batches) > 1:
            rows = [row for batch in batches for row in batch]
            if rows and self.backend.insert_all(tx, list(map(record_values, rows))):
                return [[INSERTED] * len(batch) for batch in batches]
        return [self._insert_job(tx, batch) for batch in batches]

    def _count_inserted(self, tx: Connection, rows: list[dict[str, Any]]) -> None:
        """The city counters of rows just stored by ``tx`` (sync/server/city_counts.py), in the same transaction."""
        city_counts.count_inserted(tx, rows, arrays=self.backend.binds_arrays)

    def _insert_job(self, tx: Connection, rows: list[dict[str, Any]]) -> list[InsertOutcome]:
        """All rows in one statement when none is taken (the usual case), else row by row to say which."""
        if not rows:
            return []
        if self.backend.insert_all(tx, list(map(record_values, rows))):
            return [INSERTED] * len(rows)
        return [self._insert_one(tx, row) for row in rows]

    def _insert_one(self, tx: Connection, row: dict[str, Any]) -> InsertOutcome:
        cur = tx.execute(INSERT_RECORD, record_values(row))
        return INSERTED if cur.rowcount == 1 else InsertOutcome(False, self._holder(tx, row))

    @staticmethod
    def _holder(tx: Connection, row: dict[str, Any]) -> StoredRecord | None:
        found = tx.execute("SELECT id, payload_sha256 FROM records WHERE id = ?", [row["id"]]).fetchone()
        if found is None:
            found = tx.execute("SELECT id, payload_sha256 FROM records WHERE device_id = ? AND seq = ?",
                               [row["device_id"], row["seq"]]).fetchone()
        return StoredRecord(*found) if found else None


def rows_as_dicts(keys: Sequence[str], rows: Iterator[tuple[Any, ...]] | list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [dict(zip(keys, row)) for row in rows]
