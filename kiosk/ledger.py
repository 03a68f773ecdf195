"""The booth ledger: an append-only SQLite file of records, each with its place in the outbox (kiosk/outbox.py).

All SQL of the kiosk lives here, in ``kiosk.outbox`` and in ``kiosk.migrations``. One ``Ledger`` per thread:
sqlite3 connections are bound to the thread that opened them, and WAL lets the GUI thread
and the sync worker read and write side by side.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from booth_common.migrations import use_wal
from booth_common.records import Kind, Record, SyncState, freeze_payload, utc_now_text
from kiosk.outbox import Outbox
from kiosk.private_files import private_dir, private_file
from kiosk.schema import MIGRATION_SET, R_RECORD_COLUMNS, RECORD_COLUMNS, LedgerTooNew, refuse_unknown

if TYPE_CHECKING:  # the vault loads cryptography; `kiosk status` reads the ledger without it
    from kiosk.vault import Vault

PROTECTED_PREFIX = "vault1:"  # kiosk.vault.PROTECTED_PREFIX: a value wrapped by the vault

DAY_SCOPED_PURPOSES = "('id_number', 'phone', 'prize_claim')"  # lookups keyed by the day's key

# A record that still holds personal data: a sealed envelope, or a keyed hash of an ID number or phone.
_HOLDS_PERSONAL = """(EXISTS (SELECT 1 FROM sealed s WHERE s.record_id = r.id)
                      OR EXISTS (SELECT 1 FROM lookup l WHERE l.record_id = r.id
                                 AND l.purpose IN """ + DAY_SCOPED_PURPOSES + "))"


BUSY_TIMEOUT_S = 10.0


class LedgerError(RuntimeError):
    """The ledger cannot do what was asked (unknown record, refused write)."""


class PurgeIncomplete(LedgerError):
    """Personal fields were deleted, but the WAL checkpoint that wipes their old bytes from the files did
    not finish: another connection kept reading. The deleted rows stay deleted; run the purge again."""

    def __init__(self, purged: int, attempts: int):
        super().__init__(f"{purged} records' personal fields deleted, but their old bytes are still in the "
                         f"ledger's write-ahead log: another program kept the ledger open ({attempts} checkpoint "
                         "attempts). Close it and purge again.")
        self.purged, self.attempts = purged, attempts


@dataclass(frozen=True)
class SealedField:
    """A sealed envelope to store beside a record, with the id of the key it was sealed to."""

    envelope: str
    key_id: str


@dataclass(frozen=True)
class LedgerStatus:
    device_id: str
    counts: dict[str, int]
    voided: dict[str, int]
    pending: int
    synced: int
    needs_attention: int
    last_sync: str | None
    total_records: int


class Ledger:
    """One connection to the ledger file; open one per thread."""

    def __init__(self, path: Path | str, *, vault: Vault | None = None):
        """``vault``: the kiosk's vault, which wraps the meta values written with ``set_protected_meta``."""
        self.path = Path(path)
        self.vault = vault
        # The data folder 0700 and the ledger 0600 before SQLite opens it: SQLite gives its -wal and -shm
        # files the database file's mode, and the ledger holds the device token and sealed envelopes.
        private_dir(self.path.parent)
        private_file(self.path)
        for suffix in ("-wal", "-shm"):
            if Path(f"{self.path}{suffix}").exists():
                private_file(Path(f"{self.path}{suffix}"))
        # Imported here, not at module level: sqlite-utils pulls in click and dateutil (about 200 ms),
        # which `kiosk status` (served by read_status below) does not need.
        from sqlite_utils import Database

        from kiosk.migrations import migrations

        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        self.db = Database(conn)
        use_wal(conn)
        # FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power loss, and a
        # worker who was told "you are registered" must still be in the ledger after the booth's
        # power strip is kicked out. The cost is one fsync of the WAL per commit.
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        # Deleted and overwritten content is zeroed, not left in free pages (purge, expired hashes, meta).
        self.db.execute("PRAGMA secure_delete=ON")
        try:  # a ledger a newer kiosk migrated is refused, never half-understood (kiosk/schema.py)
            refuse_unknown(self.path, migrations.applied(conn))
        except LedgerTooNew:
            conn.close()
            raise
        migrations.apply(conn)
        self.device_id = self._ensure_device_id()
        self.outbox = Outbox(self.db)  # what waits to be pushed (kiosk/outbox.py); each append adds to it

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta ---------------------------------------------------------------------------

    def _ensure_device_id(self) -> str:
        device_id = self.get_meta("device_id")
        if device_id is None:
            with self.db.atomic():
                self.db.execute("INSERT OR IGNORE INTO meta VALUES ('device_id', ?)", [str(uuid.uuid4())])
            device_id = self.get_meta("device_id")
        assert device_id is not None
        return device_id

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def get_protected_meta(self, key: str) -> str | None:
        """A meta value wrapped by the vault (the device token), in clear; None when missing or while the vault
        is locked. A value an older version stored in clear is wrapped now, if the vault is open."""
        stored = self.get_meta(key)
        if stored is None:
            return None
        if self.vault is None:
            return None if stored.startswith(PROTECTED_PREFIX) else stored
        value = self.vault.reveal(stored)
        if value is not None and not stored.startswith(PROTECTED_PREFIX) and self.vault.is_open:
            self.set_meta(key, self.vault.protect(value))
        return value

    def set_protected_meta(self, key: str, value: str) -> None:
        """Store ``value`` wrapped by the open vault (``LedgerError`` when there is none or it is locked)."""
        if self.vault is None or not self.vault.is_open:
            raise LedgerError("the kiosk is locked: the volunteer PIN is needed to store the device token")
        self.set_meta(key, self.vault.protect(value))

    def set_meta(self, key: str, value: str) -> None:
        with self.db.atomic():
            self.db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value",
                            [key, value])

    # -- writing ------------------------------------------------------------------------

    # Where a new record's capture time comes from: now, except in ``kiosk.simulate``'s simulated morning.
    clock = staticmethod(utc_now_text)

    def append(self, *, record_id: str, kind: Kind | str, event_id: str, booth_id: str, data: dict[str, Any],
               subject: str | None = None, refers_to: str | None = None, sealed: SealedField | None = None,
               lookups: Iterable[tuple[str, str]] = (), captured_at: str | None = None) -> Record:
        """Write a record, its sealed fields, its lookup hashes and its outbox entry in one transaction."""
        kind = str(kind)
        captured_at = captured_at or self.clock()
        with self.db.atomic():
            if refers_to is not None and not self._exists(refers_to):
                raise LedgerError(f"record {refers_to} does not exist")
            seq = self.db.execute("SELECT coalesce(max(seq), 0) + 1 FROM records").fetchone()[0]
            payload, digest = freeze_payload(
                record_id=record_id, seq=seq, kind=kind, subject=subject, event_id=event_id,
                booth_id=booth_id, device_id=self.device_id, captured_at=captured_at,
                refers_to=refers_to, data=data)
            record = Record(seq, record_id, kind, subject, event_id, booth_id, self.device_id,
                            captured_at, refers_to, payload, digest)
            self.db.execute(f"INSERT INTO records ({RECORD_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                            _record_row(record))
            if sealed is not None:
                self.db.execute("INSERT INTO sealed VALUES (?, ?, ?)", [record_id, sealed.envelope, sealed.key_id])
            for purpose, value_hash in lookups:
                self.db.execute("INSERT INTO lookup VALUES (?, ?, ?)", [purpose, value_hash, record_id])
            self.outbox.add(seq)
        return record

    def _exists(self, record_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM records WHERE id = ?", [record_id]).fetchone() is not None

    # -- reading ------------------------------------------------------------------------

    def get(self, record_id: str) -> Record:
        row = self.db.execute(f"SELECT {RECORD_COLUMNS} FROM records WHERE id = ?", [record_id]).fetchone()
        if row is None:
            raise LedgerError(f"record {record_id} does not exist")
        return Record(*row)

    def records(self, *, kind: Kind | str | None = None, after_seq: int = 0) -> Iterator[Record]:
        """Records in capture order (by sequence number)."""
        sql = f"SELECT {RECORD_COLUMNS} FROM records WHERE seq > ?"
        params: list[Any] = [after_seq]
        if kind is not None:
            sql += " AND kind = ?"
            params.append(str(kind))
        for row in self.db.execute(sql + " ORDER BY seq", params):
            yield Record(*row)

    def find_by_lookup(self, purpose: str, value_hash: str) -> list[Record]:
        """Records found by a keyed hash that no void has taken back, oldest first."""
        rows = self.db.execute(f"""
            SELECT {R_RECORD_COLUMNS}
            FROM lookup l JOIN records r ON r.id = l.record_id
            WHERE l.purpose = ? AND l.hash = ?
              AND NOT EXISTS (SELECT 1 FROM records v WHERE v.refers_to = r.id AND v.kind = 'void')
            ORDER BY r.seq""", [purpose, value_hash]).fetchall()
        return [Record(*row) for row in rows]

    def find_registrations(self, *, masked_name: str | None = None, phone_tail: str | None = None,
                           limit: int = 20) -> list[Record]:
        """Registrations and corrections whose masked name, or masked phone's last four digits, match
        (newest first): how a volunteer finds a member to correct without seeing clear data. Each
        criterion reads its own index (migration m003), so a million records answer in milliseconds."""
        from kiosk.migrations import MASKED_NAME, PHONE_TAIL

        found: dict[int, Record] = {}
        for expression, value in ((MASKED_NAME, masked_name), (PHONE_TAIL, phone_tail)):
            if value is None:
                continue
            rows = self.db.execute(f"""
                SELECT {RECORD_COLUMNS} FROM records
                WHERE kind IN ('registration', 'correction') AND {expression} = ?
                ORDER BY seq DESC LIMIT ?""", [value, limit]).fetchall()
            found.update((row[0], Record(*row)) for row in rows)
        return [found[seq] for seq in sorted(found, reverse=True)[:limit]]

    def report_batches(self, *, size: int = 2000) -> Iterator[list[tuple[Any, ...]]]:
        """Every record as a day-report row, in capture order and in batches: seq, id, kind, subject,
        captured_at, refers_to, "yes" if voided, outbox state, the payload's data (canonical JSON, masked
        forms only). Made by SQLite, which lets other threads run while it works: the export runs beside
        the GUI thread, and a million rows never sit in memory at once."""
        cursor = self.db.execute("""
            SELECT r.seq, r.id, r.kind, coalesce(r.subject, ''), r.captured_at, coalesce(r.refers_to, ''),
                   CASE WHEN EXISTS (SELECT 1 FROM records v WHERE v.refers_to = r.id AND v.kind = 'void')
                        THEN 'yes' ELSE '' END,
                   coalesce(o.state, ''), json_extract(r.payload, '$.data')
            FROM records r LEFT JOIN outbox o ON o.seq = r.seq ORDER BY r.seq""")
        yield from iter(lambda: cursor.fetchmany(size), [])

    def lookups_of(self, record_id: str) -> list[tuple[str, str]]:
        rows = self.db.execute("SELECT purpose, hash FROM lookup WHERE record_id = ?", [record_id])
        return [(p, h) for p, h in rows]

    def is_voided(self, record_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM records WHERE refers_to = ? AND kind = 'void'",
                               [record_id]).fetchone() is not None

    def references_to(self, record_id: str) -> list[Record]:
        rows = self.db.execute(f"SELECT {RECORD_COLUMNS} FROM records WHERE refers_to = ? ORDER BY seq",
                               [record_id]).fetchall()
        return [Record(*row) for row in rows]

    def sealed_envelope(self, record_id: str) -> str | None:
        row = self.db.execute("SELECT envelope FROM sealed WHERE record_id = ?", [record_id]).fetchone()
        return row[0] if row else None

    def sealed_envelopes(self, *, key_id: str | None = None) -> list[tuple[str, str]]:
        sql, params = "SELECT record_id, envelope FROM sealed", []
        if key_id is not None:
            sql, params = sql + " WHERE key_id = ?", [key_id]
        return [(r[0], r[1]) for r in self.db.execute(sql, params)]

    def replace_sealed(self, replacements: Iterable[tuple[str, str]], *, key_id: str) -> None:
        """Swap envelopes for ones sealed to another key (enrolment), all or nothing."""
        with self.db.atomic():
            for record_id, envelope in replacements:
                self.db.execute("UPDATE sealed SET envelope = ?, key_id = ? WHERE record_id = ?",
                                [envelope, key_id, record_id])

    def expire_day_lookups(self, *, before: str) -> int:
        """Delete the keyed ID/phone hashes (and prize claims) of records captured before ``before``: they
        serve the duplicate and one-prize checks of their own event day only (their day key is gone)."""
        with self.db.atomic():
            cur = self.db.execute(f"""DELETE FROM lookup WHERE purpose IN {DAY_SCOPED_PURPOSES}
                                      AND record_id IN (SELECT id FROM records WHERE captured_at < ?)""", [before])
        return cur.rowcount

    def personal_data_counts(self, *, synced_before: str) -> tuple[int, int]:
        """(records a purge would take now, records holding personal data that are not yet synced)."""
        row = self.db.execute(f"""
            SELECT COALESCE(SUM(o.state = 'synced' AND o.synced_at < ?), 0),
                   COALESCE(SUM(o.state != 'synced'), 0)
            FROM records r JOIN outbox o ON o.seq = r.seq WHERE {_HOLDS_PERSONAL}""", [synced_before]).fetchone()
        return int(row[0]), int(row[1])

    def purge_personal(self, *, synced_before: str, checkpoint_attempts: int = 20,
                       retry_delay_s: float = 0.25) -> int:
        """Remove the sealed fields and the keyed ID/phone hashes of records synced before the cutoff.

        Records never synced are kept whole: purging them would lose the only copy. With
        secure_delete the freed pages are zeroed, and the WAL is checkpointed and truncated after,
        so no sealed byte stays in the file or its WAL. A reader in the middle of a transaction (the
        sync worker, another process) keeps the checkpoint from finishing: it is retried, and
        ``PurgeIncomplete`` is raised if it never finishes — never a count of records as if all were gone.
        """
        self.db.execute("PRAGMA secure_delete=ON")
        with self.db.atomic():
            doomed = [r[0] for r in self.db.execute(f"""
                SELECT r.id FROM records r JOIN outbox o ON o.seq = r.seq
                WHERE o.state = 'synced' AND o.synced_at < ? AND {_HOLDS_PERSONAL}""", [synced_before])]
            for record_id in doomed:
                self.db.execute("DELETE FROM sealed WHERE record_id = ?", [record_id])
                self.db.execute(f"DELETE FROM lookup WHERE record_id = ? AND purpose IN {DAY_SCOPED_PURPOSES}", [record_id])
        if not self.checkpoint_wal(attempts=checkpoint_attempts, retry_delay_s=retry_delay_s):
            raise PurgeIncomplete(len(doomed), checkpoint_attempts)
        return len(doomed)

    def checkpoint_wal(self, *, attempts: int = 20, retry_delay_s: float = 0.25) -> bool:
        """Copy the WAL into the file and truncate it to nothing; False when readers kept it from finishing.

        Each attempt waits for readers at most ``retry_delay_s`` (the connection's usual 10 s busy
        timeout would make each attempt as long), so a purge fails in about ``attempts × retry_delay_s``."""
        wal = Path(f"{self.path}-wal")
        self.db.execute(f"PRAGMA busy_timeout = {int(retry_delay_s * 1000)}")
        try:
            for _ in range(attempts):
                busy, _log, _done = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if busy == 0 and (not wal.exists() or wal.stat().st_size == 0):
                    return True
                time.sleep(retry_delay_s)
            return False
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")

    # -- counts -------------------------------------------------------------------------

    def tally(self, metric: str) -> dict[str, int]:
        return {k: n for k, n in self.db.execute("SELECT key, n FROM tally WHERE metric = ?", [metric])}

    def effective_counts(self) -> dict[str, int]:
        """Records per kind, less those a void took back."""
        return self._less(self.tally("kind"), self.tally("effective_minus"))

    def effective_subjects(self, kind: Kind | str) -> dict[str, int]:
        return self._less(self.tally(f"subject:{kind}"), self.tally(f"subject_minus:{kind}"))

    def effective_hours(self, kind: Kind | str) -> dict[str, int]:
        """Records per UTC hour ('2026-11-25T04'), less voided ones."""
        return self._less(self.tally(f"hour:{kind}"), self.tally(f"hour_minus:{kind}"))

    @staticmethod
    def _less(counts: dict[str, int], voided: dict[str, int]) -> dict[str, int]:
        return {**counts, **{key: counts.get(key, 0) - n for key, n in voided.items()}}

    def status(self) -> LedgerStatus:
        return _status_from(self.db.conn, self.device_id)

    def voided_ids(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT refers_to FROM records WHERE kind = 'void'")}

    # -- checks -------------------------------------------------------------------------

    def integrity_check(self) -> str:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]

    def sequence_gaps(self) -> int:
        """How many sequence numbers are missing between 1 and the highest (0 when none)."""
        n, top = self.db.execute("SELECT count(*), coalesce(max(seq), 0) FROM records").fetchone()
        return top - n


def read_status(path: Path) -> LedgerStatus | None:
    """The status of an existing, migrated ledger through a read-only connection, without sqlite-utils;
    None when the file is missing or older than the running-count tables (open a ``Ledger`` then)."""
    if not path.exists():
        return None
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10.0)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'").fetchone():
            refuse_unknown(path, (name for (name,) in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET])))
        has_tally = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tally'").fetchone()
        device = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone() if has_tally else None
        return _status_from(conn, device[0]) if device else None
    finally:
        conn.close()


def _status_from(conn: sqlite3.Connection, device_id: str) -> LedgerStatus:
    tally: dict[str, dict[str, int]] = {}
    for metric, key, n in conn.execute(
            "SELECT metric, key, n FROM tally WHERE metric IN ('kind', 'effective_minus', 'state')"):
        tally.setdefault(metric, {})[key] = n
    kinds, minus, states = tally.get("kind", {}), tally.get("effective_minus", {}), tally.get("state", {})
    last_sync = conn.execute("SELECT value FROM meta WHERE key = 'last_sync'").fetchone()
    return LedgerStatus(
        device_id=device_id,
        counts={kind: n - minus.get(kind, 0) for kind, n in kinds.items()},
        voided=minus,
        pending=states.get(SyncState.PENDING, 0),
        synced=states.get(SyncState.SYNCED, 0),
        needs_attention=states.get(SyncState.NEEDS_ATTENTION, 0),
        last_sync=last_sync[0] if last_sync else None,
        total_records=sum(kinds.values()),
    )


def _record_row(record: Record) -> list[Any]:
    return [record.seq, record.id, record.kind, record.subject, record.event_id, record.booth_id,
            record.device_id, record.captured_at, record.refers_to, record.payload, record.payload_sha256]
