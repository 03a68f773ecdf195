"""The outbox: which records wait to be pushed, which the city server settled or refused, and the one-sender lease.

Each record gets its outbox entry in the transaction that appends it (``Ledger.append``); the sync engine
(sync/engine.py) reads the pending ones, and marks them synced, parked for attention or tried again. One
process sends at a time, by a lease in the ledger's meta (the purge takes it too, kiosk/retention.py).
Reached as ``ledger.outbox``: one per ledger connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from booth_common.records import Record, utc_now_text
from kiosk.schema import R_RECORD_COLUMNS

if TYPE_CHECKING:  # sqlite-utils loads late (kiosk/ledger.py says why)
    from sqlite_utils import Database

LONGEST_SENDER_LEASE_S = 120.0   # the sync engine's lease; no sender takes a longer one


@dataclass(frozen=True)
class OutboxEntry:
    """A record waiting to be pushed, with what the server needs besides the frozen payload."""

    record: Record
    sealed: str | None
    attempts: int


class Outbox:
    """The outbox of one ledger connection."""

    def __init__(self, db: Database):
        self.db = db

    def add(self, seq: int) -> None:
        """A new record's entry, pending; called inside ``Ledger.append``'s transaction."""
        self.db.execute("INSERT INTO outbox (seq) VALUES (?)", [seq])

    def pending(self, *, limit: int = 100, after_seq: int = 0) -> list[OutboxEntry]:
        """The oldest pending records (after ``after_seq``), with their sealed fields."""
        rows = self.db.execute(f"""
            SELECT {R_RECORD_COLUMNS}, s.envelope, o.attempts
            FROM outbox o JOIN records r ON r.seq = o.seq LEFT JOIN sealed s ON s.record_id = r.id
            WHERE o.state = 'pending' AND o.seq > ? ORDER BY o.seq LIMIT ?""", [after_seq, limit]).fetchall()
        return [OutboxEntry(Record(*row[:11]), row[11], row[12]) for row in rows]

    def pending_for_push(self, *, limit: int = 100, after_seq: int = 0) -> list[tuple[str, str, int, str, str, str | None]]:
        """The oldest pending records (after ``after_seq``) as pushed: id, device id, seq, payload, its
        SHA-256 and the sealed envelope — plain rows, since a drain reads thousands a second."""
        return self.db.conn.execute("""
            SELECT r.id, r.device_id, r.seq, r.payload, r.payload_sha256, s.envelope
            FROM outbox o JOIN records r ON r.seq = o.seq LEFT JOIN sealed s ON s.record_id = r.id
            WHERE o.state = 'pending' AND o.seq > ? ORDER BY o.seq LIMIT ?""", [after_seq, limit]).fetchall()

    def needing_attention(self) -> list[tuple[Record, str | None]]:
        rows = self.db.execute(f"""
            SELECT {R_RECORD_COLUMNS}, o.last_error
            FROM outbox o JOIN records r ON r.seq = o.seq
            WHERE o.state = 'needs_attention' ORDER BY o.seq""").fetchall()
        return [(Record(*row[:11]), row[11]) for row in rows]

    def mark_synced(self, record_ids: Iterable[str], *, at: str | None = None) -> None:
        at = at or utc_now_text()
        with self.db.atomic():
            # One set-based statement for the whole batch: a push settles up to a thousand records,
            # and a statement per record was the kiosk's largest cost in draining a backlog.
            self.db.execute("""UPDATE outbox SET state = 'synced', synced_at = :at, attempts = attempts + 1,
                               last_attempt_at = :at, last_error = NULL
                               WHERE seq IN (SELECT seq FROM records WHERE id IN (SELECT value FROM json_each(:ids)))""",
                            {"at": at, "ids": json.dumps(list(record_ids))})
            self.db.execute("INSERT INTO meta VALUES ('last_sync', ?) ON CONFLICT DO UPDATE SET value = excluded.value",
                            [at])

    def mark_needs_attention(self, answers: Iterable[tuple[str, str]], *, at: str | None = None) -> None:
        """Park records the server refused, with its reason; they are kept and never retried in a loop."""
        at = at or utc_now_text()
        with self.db.atomic():
            for record_id, reason in answers:
                self.db.execute("""UPDATE outbox SET state = 'needs_attention', attempts = attempts + 1,
                                   last_attempt_at = ?, last_error = ?
                                   WHERE seq = (SELECT seq FROM records WHERE id = ?)""", [at, reason, record_id])

    def note_failed_attempt(self, record_ids: Iterable[str], error: str, *, at: str | None = None) -> None:
        """Count an attempt that got no usable answer; the records stay pending."""
        at = at or utc_now_text()
        with self.db.atomic():
            for record_id in record_ids:
                self.db.execute("""UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ?, last_error = ?
                                   WHERE seq = (SELECT seq FROM records WHERE id = ?)""", [at, error, record_id])

    def requeue(self, sequence_numbers: Iterable[int]) -> int:
        """Put synced records back to pending (the server says it lacks them, e.g. restored from backup)."""
        changed = 0
        with self.db.atomic():
            for seq in sequence_numbers:
                cur = self.db.execute("UPDATE outbox SET state = 'pending' WHERE seq = ? AND state = 'synced'", [seq])
                changed += cur.rowcount
        return changed

    def synced_sequence_numbers(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT seq FROM outbox WHERE state = 'synced' ORDER BY seq")]

    def acquire_sender_lease(self, holder: str, *, ttl_s: float, now: float) -> bool:
        """Become the one sender of this ledger until ``now + ttl_s`` (or renew); False when another holds it.

        A lease and not a lock: a sender killed mid-push must not block sync for ever. ``now`` is
        the caller's clock; both sides of one device share it, so a wrong date does no harm.
        One statement, so two processes cannot both win. ``holder`` must not contain '|'. A lease
        ending further ahead than the longest lease anyone takes (``LONGEST_SENDER_LEASE_S``, or
        ``ttl_s`` if longer) was written before the clock was set back: it is void, or a corrected
        clock could block sync for hours. (Measured against the caller's own ``ttl_s``, a purge
        taking a 60 s lease at start voided a running sync's fresh 120 s lease and ran beside it.)
        """
        longest = max(ttl_s, LONGEST_SENDER_LEASE_S)
        with self.db.atomic():
            cur = self.db.execute("""
                INSERT INTO meta VALUES ('sender_lease', :value) ON CONFLICT (key) DO UPDATE SET value = excluded.value
                WHERE substr(meta.value, 1, instr(meta.value, '|') - 1) = :holder
                   OR CAST(substr(meta.value, instr(meta.value, '|') + 1) AS REAL) <= :now
                   OR CAST(substr(meta.value, instr(meta.value, '|') + 1) AS REAL) > :now + :longest""",
                                  {"value": f"{holder}|{now + ttl_s!r}", "holder": holder, "now": now,
                                   "longest": longest})
        return cur.rowcount == 1

    def sender_lease_holder(self) -> str | None:
        """Who holds the sender lease now (expired or not), or None."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'sender_lease'").fetchone()
        return row[0].rpartition("|")[0] if row else None

    def take_over_sender_lease(self, stale_holder: str, holder: str, *, ttl_s: float, now: float) -> bool:
        """Replace the lease of ``stale_holder`` (a sender known to be gone) with ``holder``'s; False when
        the lease changed hands meanwhile (another process took it over first, or it was released)."""
        with self.db.atomic():
            cur = self.db.execute("""UPDATE meta SET value = ? WHERE key = 'sender_lease'
                                     AND substr(value, 1, instr(value, '|') - 1) = ?""",
                                  [f"{holder}|{now + ttl_s!r}", stale_holder])
        return cur.rowcount == 1

    def release_sender_lease(self, holder: str) -> None:
        with self.db.atomic():
            self.db.execute("DELETE FROM meta WHERE key = 'sender_lease' AND substr(value, 1, instr(value, '|') - 1) = ?",
                            [holder])

    def states(self) -> dict[int, str]:
        return {seq: state for seq, state in self.db.execute("SELECT seq, state FROM outbox")}
