"""All SQL of the city server: booths, enrolment codes, devices, records and distributions.

Kept behind this one class so that PostgreSQL can follow: the statements are plain SQL
(``INSERT ... ON CONFLICT DO NOTHING`` exists in both). SQLite runs in WAL mode with
``synchronous=FULL``: a record answered "accepted" is on disk.
"""

from __future__ import annotations

import operator
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from booth_common.migrations import MigrationLog, Migrations, use_wal
from sync.server import city_counts

SERVER_LOG = MigrationLog(create=("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)",),
                          applied="SELECT name FROM schema_migrations ORDER BY rowid",
                          record="INSERT INTO schema_migrations (name) VALUES (:name)")


def _run_statements(conn: sqlite3.Connection, *, script: str) -> None:
    """Each statement of ``script`` inside the caller's transaction (executescript would commit it first).

    Pieces between semicolons are joined until SQLite calls them a complete statement, so a ';' in a
    string literal or a trigger's body does not cut a statement in two.
    """
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                conn.execute(pending)
            pending = ""
    if pending.strip(" \t\r\n;"):
        raise ValueError(f"migration script ends inside a statement: {pending.strip()[:80]!r}")


MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("001_core", """
        CREATE TABLE booths (
            booth_id TEXT PRIMARY KEY, event_id TEXT NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE enrollment_codes (
            code_hash TEXT PRIMARY KEY, booth_id TEXT NOT NULL REFERENCES booths(booth_id),
            uses_left INTEGER NOT NULL, expires_at TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE devices (
            device_id TEXT PRIMARY KEY, booth_id TEXT NOT NULL REFERENCES booths(booth_id),
            token_hash TEXT NOT NULL UNIQUE, enrolled_at TEXT NOT NULL, revoked_at TEXT);
        CREATE TABLE records (
            id TEXT PRIMARY KEY, device_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,
            subject TEXT, event_id TEXT NOT NULL, booth_id TEXT NOT NULL, captured_at TEXT NOT NULL,
            refers_to TEXT, payload TEXT NOT NULL, payload_sha256 TEXT NOT NULL, sealed TEXT,
            received_at TEXT NOT NULL,
            UNIQUE (device_id, seq));
        CREATE TABLE distributions (
            event_id TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL, sha256 TEXT NOT NULL,
            content TEXT NOT NULL, published_at TEXT NOT NULL,
            PRIMARY KEY (event_id, name, version));
    """),
)

RECORD_FIELDS = ("id", "device_id", "seq", "kind", "subject", "event_id", "booth_id", "captured_at",
                 "refers_to", "payload", "payload_sha256", "sealed", "received_at")


_record_values = operator.itemgetter(*RECORD_FIELDS)  # a row dict's values in column order

MARK_TOKEN_USED = "UPDATE devices SET first_used_at = ? WHERE token_hash = ? AND first_used_at IS NULL"

INSERT_RECORD = (f"INSERT INTO records ({', '.join(RECORD_FIELDS)}) VALUES ({', '.join('?' * len(RECORD_FIELDS))}) "
                 "ON CONFLICT DO NOTHING")


@dataclass(frozen=True)
class EnrolRefusal:
    """Why an enrolment was refused: ``kind`` is no_code, revoked, taken (another device's id) or
    mismatch (the code is for ``booth_id``/``event_id``, not what the kiosk's configuration names)."""

    kind: str
    booth_id: str = ""
    event_id: str = ""


class StorageError(RuntimeError):
    """The storage cannot do what was asked (unknown booth, device or event)."""


@dataclass(frozen=True)
class Device:
    device_id: str
    booth_id: str
    event_id: str
    revoked: bool
    token_used: bool = True   # its token has authenticated a call (after that, only the token re-enrols it)


@dataclass(frozen=True)
class StoredRecord:
    id: str
    payload_sha256: str


@dataclass
class _InsertJob:
    """One caller's batch waiting for the next group commit."""

    rows: list[dict[str, Any]]
    future: Future = field(default_factory=Future)
    token_uses: list[tuple[str, str]] = field(default_factory=list)   # (token hash, at): first uses to record


@dataclass(frozen=True)
class InsertOutcome:
    """What happened to one row: inserted, or the row already holding its id or (device, seq)."""

    inserted: bool
    existing: StoredRecord | None


INSERTED = InsertOutcome(True, None)


class Storage:
    """The server database; one connection per thread, one writer at a time."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()
        # SQLite allows one writer; queueing writers on a Python lock is fairer and cheaper than
        # letting dozens of threads spin on SQLITE_BUSY. PostgreSQL storage would not need it.
        self._write_lock = threading.Lock()
        self._queue: list[_InsertJob] = []
        self._queue_ready = threading.Condition()
        self._writer: threading.Thread | None = None
        self._closing = False
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._migrate()

    # -- connections ----------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
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

    def describe(self) -> str:
        """The database's kind and version, for the start-up line."""
        return f"SQLite {sqlite3.sqlite_version}"

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
        with self._connections_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it or nothing."""
        conn = self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _migrate(self) -> None:
        """The schema's named migrations (booth_common/migrations.py, as the ledger's): each in its own
        BEGIN IMMEDIATE transaction, so server processes starting together on a new file apply each once."""
        migrations = Migrations("city-server", SERVER_LOG)
        for name, script in MIGRATIONS:
            migrations.add(name, partial(_run_statements, script=script))
        migrations.apply(self._conn())

    # -- booths, codes, devices -------------------------------------------------------------

    def add_booth(self, *, booth_id: str, event_id: str, name: str, at: str) -> None:
        with self._write() as tx:
            tx.execute("INSERT INTO booths VALUES (?, ?, ?, ?) ON CONFLICT (booth_id) DO UPDATE SET "
                       "event_id = excluded.event_id, name = excluded.name", [booth_id, event_id, name, at])

    def add_enrollment_code(self, *, code_hash: str, booth_id: str, uses: int, expires_at: str, at: str) -> None:
        with self._write() as tx:
            if tx.execute("SELECT 1 FROM booths WHERE booth_id = ?", [booth_id]).fetchone() is None:
                raise StorageError(f"no booth {booth_id}")
            tx.execute("INSERT INTO enrollment_codes VALUES (?, ?, ?, ?, ?)",
                       [code_hash, booth_id, uses, expires_at, at])

    def enroll_device(self, *, code_hash: str, device_id: str, token_hash: str, proof_hash: str | None,
                      at: str, booth_id: str | None = None, event_id: str | None = None) -> Device | EnrolRefusal:
        """Enrol ``device_id`` with a code and issue its token, or say why not (nothing changes then).

        A new device spends one use of a live code. A device already enrolled is enrolled again
        only when it proves it is itself (``proof_hash``: the hash of its current token), or when
        it retries the very code that enrolled it before its token was ever used (the answer was
        lost on the way back): that retry gives the same booth and event, with a fresh token. The
        code that enrolled a device is not spent again by that device. A revoked device stays revoked until an admin resets it. ``booth_id`` and
        ``event_id``, when given, are what the kiosk's configuration names: another booth or event
        than the code's refuses the enrolment before anything is spent.
        """
        with self._write() as tx:
            row = tx.execute("""SELECT c.booth_id, b.event_id, c.uses_left FROM enrollment_codes c
                                JOIN booths b USING (booth_id) WHERE c.code_hash = ? AND c.expires_at > ?""",
                             [code_hash, at]).fetchone()
            if row is None:
                return EnrolRefusal("no_code")
            code_booth, code_event, uses_left = row
            if booth_id not in (None, code_booth) or event_id not in (None, code_event):
                return EnrolRefusal("mismatch", code_booth, code_event)
            held = tx.execute("SELECT booth_id, token_hash, code_hash, revoked_at, first_used_at FROM devices "
                              "WHERE device_id = ?", [device_id]).fetchone()
            if held is not None and held[3] is not None:
                return EnrolRefusal("revoked")
            same_code = held is not None and held[2] == code_hash
            retry = same_code and held[4] is None
            proven = held is not None and proof_hash is not None and proof_hash == held[1]
            if held is not None and not (retry or proven):
                return EnrolRefusal("taken", held[0])
            if not same_code:
                if uses_left <= 0:
                    return EnrolRefusal("no_code")
                tx.execute("UPDATE enrollment_codes SET uses_left = uses_left - 1 WHERE code_hash = ?", [code_hash])
            tx.execute("""INSERT INTO devices (device_id, booth_id, token_hash, enrolled_at, revoked_at, code_hash,
                                               first_used_at) VALUES (?, ?, ?, ?, NULL, ?, NULL)
                          ON CONFLICT (device_id) DO UPDATE SET booth_id = excluded.booth_id,
                          token_hash = excluded.token_hash, enrolled_at = excluded.enrolled_at,
                          code_hash = excluded.code_hash, first_used_at = NULL""",
                       [device_id, code_booth, token_hash, at, code_hash])
        return Device(device_id, code_booth, code_event, False, False)

    def mark_token_used(self, token_hash: str, *, at: str) -> Future:
        """Note the first authenticated call with a token: from then on only the token re-enrols its device.

        Queued for the writer's next group commit, like records: 350 booths starting at once must not
        cost 350 transactions and fsyncs of their own, each holding up the records' commits. The
        future is done once the note is on disk."""
        return self._submit(_InsertJob([], token_uses=[(token_hash, at)]))

    def reset_device(self, device_id: str) -> bool:
        """Forget a device's enrolment (an admin's decision): its token dies, its id may enrol anew.
        Its stored records stay. False when no such device is enrolled."""
        with self._write() as tx:
            return tx.execute("DELETE FROM devices WHERE device_id = ?", [device_id]).rowcount == 1

    def count_enrollment_attempt(self, address: str, *, now: float, window_s: float, limit: int) -> float | None:
        """Count an attempt from ``address`` unless ``limit`` were counted in the last ``window_s``;
        None when counted, else the seconds until the oldest of them leaves the window."""
        with self._write() as tx:
            tx.execute("DELETE FROM enrollment_attempts WHERE at <= ?", [now - window_s])
            count, oldest = tx.execute("SELECT count(*), min(at) FROM enrollment_attempts WHERE address = ?",
                                       [address]).fetchone()
            if count >= limit:
                return window_s - (now - oldest)
            tx.execute("INSERT INTO enrollment_attempts VALUES (?, ?)", [address, now])
            return None

    def device_by_token(self, token_hash: str) -> Device | None:
        row = self._conn().execute("""SELECT d.device_id, d.booth_id, b.event_id, d.revoked_at IS NOT NULL,
                                             d.first_used_at IS NOT NULL
                                      FROM devices d JOIN booths b USING (booth_id) WHERE d.token_hash = ?""",
                                   [token_hash]).fetchone()
        return Device(row[0], row[1], row[2], bool(row[3]), bool(row[4])) if row else None

    def revoke(self, *, device_id: str | None = None, booth_id: str | None = None, at: str) -> int:
        """Revoke one device, or every device of a booth; returns how many were revoked."""
        column, value = ("device_id", device_id) if device_id else ("booth_id", booth_id)
        with self._write() as tx:
            cur = tx.execute(f"UPDATE devices SET revoked_at = ? WHERE {column} = ? AND revoked_at IS NULL",
                             [at, value])
            return cur.rowcount

    # -- records ----------------------------------------------------------------------------

    def insert_records(self, rows: Sequence[dict[str, Any]]) -> list[InsertOutcome]:
        """Insert each row unless its id or (device, seq) is taken; returns once it is on disk."""
        return self.submit_records(rows).result()

    def submit_records(self, rows: Sequence[dict[str, Any]]) -> Future:
        """Queue rows for the writer; the future gives their ``InsertOutcome``s once they are on disk.

        The unique constraints decide inside the transaction, so parallel identical batches
        store each record once: the loser sees the winner's row. One writer thread takes every
        batch queued while it was committing the last group, in one transaction and one fsync
        (group commit): with hundreds of booths pushing at once, the disk must not queue them,
        and request threads must not queue on a lock either.
        """
        return self._submit(_InsertJob(list(rows)))

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
            with self._write_lock:
                self._commit_group(jobs)

    def _commit_group(self, jobs: list[_InsertJob]) -> None:
        try:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(MARK_TOKEN_USED, [(at, token) for job in jobs for token, at in job.token_uses])
                outcomes = [self._insert_job(conn, job.rows) for job in jobs]
                city_counts.count_inserted(conn, [row for job, done in zip(jobs, outcomes)
                                                  for row, outcome in zip(job.rows, done) if outcome.inserted])
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except Exception as exc:  # every batch of the group failed with it: tell each caller
            for job in jobs:
                job.future.set_exception(exc)
            return
        for job, outcome in zip(jobs, outcomes):
            job.future.set_result(outcome)

    @classmethod
    def _insert_job(cls, tx: sqlite3.Connection, rows: list[dict[str, Any]]) -> list[InsertOutcome]:
        """All rows in one statement when none is taken (the usual case), else row by row to say which."""
        tx.execute("SAVEPOINT job")
        before = tx.total_changes
        tx.executemany(INSERT_RECORD, map(_record_values, rows))
        if tx.total_changes - before == len(rows):
            tx.execute("RELEASE job")
            return [INSERTED] * len(rows)
        tx.execute("ROLLBACK TO job")
        tx.execute("RELEASE job")
        return [cls._insert_one(tx, row) for row in rows]

    @staticmethod
    def _insert_one(tx: sqlite3.Connection, row: dict[str, Any]) -> InsertOutcome:
        cur = tx.execute(INSERT_RECORD, _record_values(row))
        return INSERTED if cur.rowcount == 1 else InsertOutcome(False, Storage._holder(tx, row))

    @staticmethod
    def _holder(tx: sqlite3.Connection, row: dict[str, Any]) -> StoredRecord | None:
        found = tx.execute("SELECT id, payload_sha256 FROM records WHERE id = ?", [row["id"]]).fetchone()
        if found is None:
            found = tx.execute("SELECT id, payload_sha256 FROM records WHERE device_id = ? AND seq = ?",
                               [row["device_id"], row["seq"]]).fetchone()
        return StoredRecord(*found) if found else None

    def held_sequence_numbers(self, device_id: str) -> list[int]:
        return [r[0] for r in self._conn().execute(
            "SELECT seq FROM records WHERE device_id = ? ORDER BY seq", [device_id])]

    def record_rows(self, *, device_id: str | None = None) -> list[dict[str, Any]]:
        """Stored records as dicts (tests, exports); the extension point for the city-wide numbers."""
        sql, params = f"SELECT {', '.join(RECORD_FIELDS)} FROM records", []
        if device_id is not None:
            sql, params = sql + " WHERE device_id = ?", [device_id]
        return [dict(zip(RECORD_FIELDS, r)) for r in self._conn().execute(sql + " ORDER BY device_id, seq", params)]

    def count_records(self) -> int:
        return self._conn().execute("SELECT count(*) FROM records").fetchone()[0]

    # -- distributions ------------------------------------------------------------------------

    def publish(self, *, event_id: str, name: str, content: str, sha256: str, at: str) -> int:
        """Store a new version of a config or quiz bank; returns its version number."""
        with self._write() as tx:
            version = tx.execute("SELECT coalesce(max(version), 0) + 1 FROM distributions "
                                 "WHERE event_id = ? AND name = ?", [event_id, name]).fetchone()[0]
            tx.execute("INSERT INTO distributions VALUES (?, ?, ?, ?, ?, ?)",
                       [event_id, name, version, sha256, content, at])
        return version

    def latest_distribution(self, event_id: str, name: str) -> tuple[int, str, str] | None:
        """(version, sha256, content) of the newest version, or None."""
        row = self._conn().execute("""SELECT version, sha256, content FROM distributions
                                      WHERE event_id = ? AND name = ? ORDER BY version DESC LIMIT 1""",
                                   [event_id, name]).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def backup_to(self, target: Path) -> None:
        """A consistent copy of the database (operators' backups; the restore test uses it)."""
        dest = sqlite3.connect(target)
        try:
            self._conn().backup(dest)
        finally:
            dest.close()

    # == city-wide numbers, booth places, member export (issue 7, city branch) =====================
    # Kept in one block, apart from the sync core above, so the two can grow without colliding.

    def set_booth_place(self, *, booth_id: str, district: str, street: str, organisation: str,
                        venue_type: str, at: str) -> None:
        """Where a booth stands, as the city union registered it (``kiosk-server new-booth --district ...``)."""
        with self._write() as tx:
            if tx.execute("SELECT 1 FROM booths WHERE booth_id = ?", [booth_id]).fetchone() is None:
                raise StorageError(f"no booth {booth_id}")
            tx.execute("""INSERT INTO booth_places VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (booth_id) DO UPDATE SET
                          district = excluded.district, street = excluded.street,
                          organisation = excluded.organisation, venue_type = excluded.venue_type,
                          updated_at = excluded.updated_at""",
                       [booth_id, district, street, organisation, venue_type, at])

    def registered_booths(self, event_id: str | None = None) -> list[dict[str, Any]]:
        """Booths of the registry with their place (empty strings where none was given)."""
        sql = """SELECT b.booth_id, b.event_id, b.name, coalesce(p.district, ''), coalesce(p.street, ''),
                        coalesce(p.organisation, ''), coalesce(p.venue_type, '')
                 FROM booths b LEFT JOIN booth_places p USING (booth_id)"""
        params: list[Any] = []
        if event_id is not None:
            sql, params = sql + " WHERE b.event_id = ?", [event_id]
        keys = ("booth_id", "event_id", "name", "district", "street", "organisation", "venue_type")
        return [dict(zip(keys, row)) for row in self._conn().execute(sql + " ORDER BY b.booth_id", params)]

    def record_facts_after(self, cursor: int, *, limit: int = 50_000) -> list[tuple[Any, ...]]:
        """The counting columns of records stored after ``cursor`` (a rowid), in storage order.

        Records are never deleted or updated and SQLite has one writer, so a rowid cursor sees
        every record exactly once. Only booth setups bring their payload (the booth's place).
        """
        return self._conn().execute("""
            SELECT rowid, id, device_id, event_id, booth_id, kind, subject, captured_at, refers_to, received_at,
                   CASE WHEN kind = 'audit' AND subject = 'booth_setup' THEN payload END
            FROM records WHERE rowid > ? ORDER BY rowid LIMIT ?""", [cursor, limit]).fetchall()

    def record_facts_of(self, record_ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """(id, device_id, event_id, booth_id, kind, subject, captured_at) of the given records (void targets)."""
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(record_ids), 500):
            chunk = list(record_ids[start:start + 500])
            found += self._conn().execute(
                f"""SELECT id, device_id, event_id, booth_id, kind, subject, captured_at FROM records
                    WHERE id IN ({', '.join('?' * len(chunk))})""", chunk).fetchall()
        return found

    def membership_rows(self, event_id: str) -> list[dict[str, Any]]:
        """Registrations of an event with the corrections and voids that refer to them, oldest first."""
        rows = self._conn().execute(f"""
            SELECT {', '.join('r.' + f for f in RECORD_FIELDS)} FROM records r
            WHERE r.event_id = ? AND (r.kind = 'registration' OR (r.kind IN ('correction', 'void') AND
                  r.refers_to IN (SELECT id FROM records WHERE event_id = ? AND kind = 'registration')))
            ORDER BY r.captured_at, r.device_id, r.seq""", [event_id, event_id]).fetchall()
        return [dict(zip(RECORD_FIELDS, row)) for row in rows]

    def rows_with_references(self, event_id: str, kind: str) -> list[dict[str, Any]]:
        """Records of one kind in an event with the corrections and voids that refer to them, oldest first.

        The kind is written into the statement, not bound, so that a partial index of that kind's records
        (employer meetings: ``records_employer_meetings``) can serve it: the city page asks for the event's
        meetings at every view, and a scan of a million-record day took most of a second."""
        if not kind.replace("_", "").isalpha() or not kind.isascii():
            raise ValueError(f"not a record kind: {kind!r}")
        columns = ", ".join("r." + f for f in RECORD_FIELDS)
        rows = self._conn().execute(f"""
            SELECT {columns} FROM records r WHERE r.event_id = ? AND r.kind = '{kind}'
            UNION ALL
            SELECT {columns} FROM records t JOIN records r ON r.refers_to = t.id
            WHERE t.event_id = ? AND t.kind = '{kind}' AND r.event_id = ? AND r.kind IN ('correction', 'void')
            ORDER BY captured_at, device_id, seq""", [event_id, event_id, event_id]).fetchall()
        return [dict(zip(RECORD_FIELDS, row)) for row in rows]

    def registered_event_ids(self) -> list[str]:
        return [r[0] for r in self._conn().execute("SELECT DISTINCT event_id FROM booths ORDER BY 1")]

    # -- one prize per person per event, city-wide ------------------------------------------------

    def prize_claim_key(self, event_id: str, *, new_secret: str, at: str) -> str:
        """The event's secret for keyed claim lookups, made once (``new_secret`` is used the first time)."""
        with self._write() as tx:
            tx.execute("INSERT INTO prize_claim_keys VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                       [event_id, new_secret, at])
            return tx.execute("SELECT secret FROM prize_claim_keys WHERE event_id = ?", [event_id]).fetchone()[0]

    def claim_prize(self, *, event_id: str, keys: Sequence[str], voucher: str, device_id: str, booth_id: str,
                    at: str) -> dict[str, Any] | None:
        """File a claim under every key, all or nothing. None when granted (or when this voucher already holds
        them: a retry); otherwise the earlier claim that holds one of the keys (its booth and time)."""
        with self._write() as tx:
            marks = ", ".join("?" * len(keys))
            held = tx.execute(f"""SELECT booth_id, claimed_at FROM prize_claims
                                  WHERE event_id = ? AND claim_key IN ({marks}) AND voucher <> ?
                                  ORDER BY claimed_at LIMIT 1""", [event_id, *keys, voucher]).fetchone()
            if held:
                return {"booth_id": held[0], "claimed_at": held[1]}
            tx.executemany("INSERT INTO prize_claims VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                           [[event_id, key, voucher, device_id, booth_id, at] for key in keys])
        return None

    def prize_claims(self, event_id: str) -> list[dict[str, Any]]:
        """Claims granted online: one row per key."""
        rows = self._conn().execute("""SELECT claim_key, voucher, booth_id, claimed_at FROM prize_claims
                                       WHERE event_id = ? ORDER BY claimed_at""", [event_id]).fetchall()
        return [dict(zip(("claim_key", "voucher", "booth_id", "claimed_at"), row)) for row in rows]

    def quiz_attempts_with_prizes(self, event_id: str) -> list[dict[str, Any]]:
        """Synced quiz attempts of the event that are not voided, with their booth, time and payload."""
        rows = self._conn().execute("""
            SELECT r.id, r.booth_id, r.captured_at, r.payload, r.sealed FROM records r
            WHERE r.event_id = ? AND r.kind = 'quiz_attempt' AND r.payload LIKE '%"prize_voucher":"%'
              AND NOT EXISTS (SELECT 1 FROM records v WHERE v.kind = 'void' AND v.refers_to = r.id)
            ORDER BY r.captured_at""", [event_id]).fetchall()
        return [dict(zip(("id", "booth_id", "captured_at", "payload", "sealed"), row)) for row in rows]


MIGRATIONS = MIGRATIONS + (
    ("city_001_booth_places", """
        CREATE TABLE booth_places (
            booth_id TEXT PRIMARY KEY REFERENCES booths(booth_id), district TEXT NOT NULL, street TEXT NOT NULL,
            organisation TEXT NOT NULL, venue_type TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE INDEX records_refers_to ON records (refers_to) WHERE refers_to IS NOT NULL;
    """),
    # In the database, not in memory: with several server processes (--workers) each would
    # otherwise grant its own allowance.
    ("002_enrollment_attempts", """
        CREATE TABLE enrollment_attempts (address TEXT NOT NULL, at REAL NOT NULL);
        CREATE INDEX enrollment_attempts_by_address ON enrollment_attempts (address, at);
    """),
    # Which code enrolled a device, and when its token was first used: a retry of that code before
    # the first use is the same enrolment (its answer was lost); after it, only the token re-enrols.
    ("003_device_enrolment", """
        ALTER TABLE devices ADD COLUMN code_hash TEXT;
        ALTER TABLE devices ADD COLUMN first_used_at TEXT;
    """),
)

# One prize per person per event, city-wide (issue 21): the event's key for claim lookups, and the
# claims granted online. Offline claims reach the server inside their quiz records.
MIGRATIONS = MIGRATIONS + (
    ("prize_001_city_claims", """
        CREATE TABLE prize_claim_keys (event_id TEXT PRIMARY KEY, secret TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE prize_claims (
            event_id TEXT NOT NULL, claim_key TEXT NOT NULL, voucher TEXT NOT NULL, device_id TEXT NOT NULL,
            booth_id TEXT NOT NULL, claimed_at TEXT NOT NULL,
            PRIMARY KEY (event_id, claim_key));
    """),
)

# Joining on one's own phone (issue 15): each booth's join secret (its offline join-code tokens), submissions
# counted per booth and per client (in the database: several server processes share the allowance), and the
# event's keyed lookup hashes of members' ID numbers and phones, kept up to date from the stored registrations,
# so a duplicate is found city-wide without opening every sealed record at each join.
MIGRATIONS = MIGRATIONS + (
    ("join_001_phone_join", """
        CREATE TABLE join_secrets (booth_id TEXT PRIMARY KEY REFERENCES booths(booth_id), secret TEXT NOT NULL,
                                   created_at TEXT NOT NULL);
        CREATE TABLE join_attempts (scope TEXT NOT NULL, at REAL NOT NULL);
        CREATE INDEX join_attempts_by_scope ON join_attempts (scope, at);
        CREATE TABLE member_lookup_keys (event_id TEXT PRIMARY KEY, secret TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE member_lookups (event_id TEXT NOT NULL, purpose TEXT NOT NULL, hash TEXT NOT NULL,
                                     record_id TEXT NOT NULL, PRIMARY KEY (event_id, purpose, hash, record_id));
        CREATE TABLE member_lookup_cursors (event_id TEXT PRIMARY KEY, last_rowid INTEGER NOT NULL);
    """),
)

# The city numbers' counters (sync/server/city_counts.py), kept in the records' insert transaction.
MIGRATIONS = MIGRATIONS + city_counts.MIGRATIONS

# One phone join per person, decided by the database (issue 17): a join claims the event's keyed hash of the ID
# number and of the phone in the transaction that stores its registration. Two server processes, on one machine
# or several, admitting the same person at once meet on the primary key: one stores, the other finds the claim.
MIGRATIONS = MIGRATIONS + (
    ("join_002_member_claims", """
        CREATE TABLE member_claims (event_id TEXT NOT NULL, purpose TEXT NOT NULL, hash TEXT NOT NULL,
                                    record_id TEXT NOT NULL, PRIMARY KEY (event_id, purpose, hash));
    """),
)


class ClaimTaken(Exception):
    """A live member holds one of the claims: nothing of the join was stored."""


class SequenceTaken(Exception):
    """Another server process stored a phone join of the booth under the same sequence number: try again."""


# A registration ``r`` that its own device has not voided.
_LIVE = ("NOT EXISTS (SELECT 1 FROM records v WHERE v.kind = 'void' AND v.refers_to = r.id "
         "AND v.device_id = r.device_id)")


class JoinStorage:
    """The SQL of the phone join (sync/server/join.py), over the server's one database."""

    def __init__(self, storage: Storage):
        self._storage = storage

    def join_secret(self, booth_id: str, *, new_secret: str, at: str) -> str:
        """The booth's join secret, made once (``new_secret`` is used the first time)."""
        with self._storage._write() as tx:
            tx.execute("INSERT INTO join_secrets VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [booth_id, new_secret, at])
            return tx.execute("SELECT secret FROM join_secrets WHERE booth_id = ?", [booth_id]).fetchone()[0]

    def stored_join_secret(self, booth_id: str) -> str | None:
        row = self._storage._conn().execute("SELECT secret FROM join_secrets WHERE booth_id = ?", [booth_id]).fetchone()
        return row[0] if row else None

    def booth_event(self, booth_id: str) -> str | None:
        row = self._storage._conn().execute("SELECT event_id FROM booths WHERE booth_id = ?", [booth_id]).fetchone()
        return row[0] if row else None

    def count_attempt(self, limits: dict[str, int], *, now: float, window_s: float) -> str | None:
        """Count one submission under every scope of ``limits`` ({scope: most allowed in the window}) unless one
        of them is used up: then nothing is counted and that scope is returned."""
        with self._storage._write() as tx:
            tx.execute("DELETE FROM join_attempts WHERE at <= ?", [now - window_s])
            for scope, limit in limits.items():
                (count,) = tx.execute("SELECT count(*) FROM join_attempts WHERE scope = ?", [scope]).fetchone()
                if count >= limit:
                    return scope
            tx.executemany("INSERT INTO join_attempts VALUES (?, ?)", [[scope, now] for scope in limits])
        return None

    def member_lookup_key(self, event_id: str, *, new_secret: str, at: str) -> str:
        with self._storage._write() as tx:
            tx.execute("INSERT INTO member_lookup_keys VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                       [event_id, new_secret, at])
            return tx.execute("SELECT secret FROM member_lookup_keys WHERE event_id = ?", [event_id]).fetchone()[0]

    def registrations_after(self, event_id: str) -> list[tuple[int, str, str | None]]:
        """(rowid, id, sealed) of the event's registrations not yet in its lookups."""
        conn = self._storage._conn()
        row = conn.execute("SELECT last_rowid FROM member_lookup_cursors WHERE event_id = ?", [event_id]).fetchone()
        return conn.execute("""SELECT rowid, id, sealed FROM records WHERE event_id = ? AND kind = 'registration'
                               AND rowid > ? ORDER BY rowid""", [event_id, row[0] if row else 0]).fetchall()

    def add_member_lookups(self, event_id: str, lookups: list[tuple[str, str, str]], *, last_rowid: int) -> None:
        """(purpose, hash, record_id) rows, and the cursor moved to ``last_rowid``."""
        with self._storage._write() as tx:
            tx.executemany("INSERT INTO member_lookups VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                           [[event_id, *lookup] for lookup in lookups])
            tx.execute("""INSERT INTO member_lookup_cursors VALUES (?, ?) ON CONFLICT (event_id) DO UPDATE
                          SET last_rowid = max(last_rowid, excluded.last_rowid)""", [event_id, last_rowid])

    def members_matching(self, event_id: str, purpose: str, hashes: list[str]) -> list[tuple[str, str]]:
        """(record_id, payload) of live (not voided) registrations whose ``purpose`` hash is one of ``hashes``."""
        marks = ", ".join("?" * len(hashes))
        return self._storage._conn().execute(f"""
            SELECT r.id, r.payload FROM member_lookups l JOIN records r ON r.id = l.record_id
            WHERE l.event_id = ? AND l.purpose = ? AND l.hash IN ({marks}) AND {_LIVE}
            ORDER BY r.captured_at""", [event_id, purpose, *hashes]).fetchall()

    def register_once(self, event_id: str, *, claims: Sequence[tuple[str, str]], record_id: str, device_id: str,
                      make_row: Callable[[int], dict[str, Any]]) -> None:
        """Store the registration ``make_row(seq)`` (``seq`` the device's next) with its ``claims`` ((purpose, keyed
        hash) of its ID number and phone) and their lookups, all in one transaction, unless a live member holds one
        of them: then ``ClaimTaken``, and nothing is stored.

        The database decides, not a lock of one process: the claims' primary key makes a second transaction
        claiming the same hash wait for the first and then find its claim (on SQLite the write transactions of all
        processes already take turns). A claim whose registration has since been voided passes to the new one
        (compare-and-set on the claim's record id, so of two such joins one wins). ``SequenceTaken`` when another
        process stored a join of the same booth under ``seq`` meanwhile (PostgreSQL): the caller tries again."""
        with self._storage._write() as tx:
            if self._live_matches(tx, event_id, claims):
                raise ClaimTaken()
            for purpose, digest in claims:
                self._claim(tx, event_id, purpose, digest, record_id)
            (seq,) = tx.execute("SELECT coalesce(max(seq), 0) + 1 FROM records WHERE device_id = ?",
                                [device_id]).fetchone()
            row = make_row(seq)
            if not self._storage._insert_job(tx, [row])[0].inserted:
                raise SequenceTaken()
            city_counts.count_inserted(tx, [row])   # the city numbers, as for every stored record
            tx.executemany("INSERT INTO member_lookups VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                           [[event_id, purpose, digest, record_id] for purpose, digest in claims])

    @staticmethod
    def _live_matches(tx: sqlite3.Connection, event_id: str, claims: Sequence[tuple[str, str]]) -> bool:
        for purpose, digest in claims:
            if tx.execute(f"""SELECT 1 FROM member_lookups l JOIN records r ON r.id = l.record_id
                              WHERE l.event_id = ? AND l.purpose = ? AND l.hash = ? AND {_LIVE}""",
                          [event_id, purpose, digest]).fetchone():
                return True
        return False

    @staticmethod
    def _claim(tx: sqlite3.Connection, event_id: str, purpose: str, digest: str, record_id: str) -> None:
        key = [event_id, purpose, digest]
        if tx.execute("INSERT INTO member_claims VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      [*key, record_id]).rowcount == 1:
            return
        (holder,) = tx.execute("SELECT record_id FROM member_claims WHERE event_id = ? AND purpose = ? AND hash = ?",
                               key).fetchone()
        if tx.execute(f"SELECT 1 FROM records r WHERE r.id = ? AND {_LIVE}", [holder]).fetchone():
            raise ClaimTaken()
        if tx.execute("""UPDATE member_claims SET record_id = ? WHERE event_id = ? AND purpose = ? AND hash = ?
                         AND record_id = ?""", [record_id, *key, holder]).rowcount != 1:
            raise ClaimTaken()   # another join took over the voided member's claim first
