"""The SQL of the phone join (sync/server/join.py): join secrets, submission limits and members' lookup hashes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sync.server.storage.backend import Connection
from sync.server.storage.core import StorageCore


class ClaimTaken(Exception):
    """A live member holds one of the claims: nothing of the join was stored."""


class SequenceTaken(Exception):
    """Another server process stored a phone join of the booth under the same sequence number: try again."""


# A registration ``r`` that its own device has not voided.
_LIVE = ("NOT EXISTS (SELECT 1 FROM records v WHERE v.kind = 'void' AND v.refers_to = r.id "
         "AND v.device_id = r.device_id)")


class JoinStorage:
    """The SQL of the phone join (sync/server/join.py), over the server's one database."""

    def __init__(self, storage: StorageCore):
        self._storage = storage

    def join_secret(self, booth_id: str, *, new_secret: str, at: str) -> str:
        """The booth's join secret, made once (``new_secret`` is used the first time)."""
        return self._storage._secret_made_once("join_secrets", "booth_id", booth_id, new_secret=new_secret, at=at)

    def stored_join_secret(self, booth_id: str) -> str | None:
        row = self._storage._one("SELECT secret FROM join_secrets WHERE booth_id = ?", [booth_id])
        return row[0] if row else None

    def booth_event(self, booth_id: str) -> str | None:
        row = self._storage._one("SELECT event_id FROM booths WHERE booth_id = ?", [booth_id])
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
        return self._storage._secret_made_once("member_lookup_keys", "event_id", event_id, new_secret=new_secret,
                                               at=at)

    def registrations_after(self, event_id: str) -> list[tuple[int, str, str | None]]:
        """(rowid, id, sealed) of the event's registrations not yet in its lookups."""
        with self._storage.backend.reading() as conn:
            row = conn.execute("SELECT last_rowid FROM member_lookup_cursors WHERE event_id = ?", [event_id]).fetchone()
            return conn.execute("""SELECT rowid, id, sealed FROM records WHERE event_id = ? AND kind = 'registration'
                                   AND rowid > ? ORDER BY rowid""", [event_id, row[0] if row else 0]).fetchall()

    def add_member_lookups(self, event_id: str, lookups: list[tuple[str, str, str]], *, last_rowid: int) -> None:
        """(purpose, hash, record_id) rows, and the cursor moved to ``last_rowid``."""
        with self._storage._write() as tx:
            tx.executemany("INSERT INTO member_lookups VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                           [[event_id, *lookup] for lookup in lookups])
            # The larger of the two, written as CASE: SQLite's max(a, b) is PostgreSQL's GREATEST(a, b).
            tx.execute("""INSERT INTO member_lookup_cursors VALUES (?, ?) ON CONFLICT (event_id) DO UPDATE
                          SET last_rowid = CASE WHEN excluded.last_rowid > member_lookup_cursors.last_rowid
                                                THEN excluded.last_rowid ELSE member_lookup_cursors.last_rowid END""",
                       [event_id, last_rowid])

    def members_matching(self, event_id: str, purpose: str, hashes: list[str]) -> list[tuple[str, str]]:
        """(record_id, payload) of live (not voided) registrations whose ``purpose`` hash is one of ``hashes``."""
        marks = ", ".join("?" * len(hashes))
        return self._storage._all(f"""
            SELECT r.id, r.payload FROM member_lookups l JOIN records r ON r.id = l.record_id
            WHERE l.event_id = ? AND l.purpose = ? AND l.hash IN ({marks}) AND {_LIVE}
            ORDER BY r.captured_at""", [event_id, purpose, *hashes])

    def register_once(self, event_id: str, *, claims: Sequence[tuple[str, str]], record_id: str, device_id: str,
                      make_row: Callable[[int], dict[str, Any]]) -> None:
        """Store the registration ``make_row(seq)`` (``seq`` the device's next) with its ``claims`` ((purpose, keyed
        hash) of its ID number and phone) and their lookups, all in one transaction, unless a live member holds one
        of them: then ``ClaimTaken``, and nothing is stored.

        The database decides, not a lock of one process: the claims' primary key makes a second transaction
        claiming the same hash wait for the first and then find its claim (on SQLite the write transactions of all
        processes already take turns; on PostgreSQL too, under the storage's write lock). A claim whose
        registration has since been voided passes to the new one (compare-and-set on the claim's record id, so of
        two such joins one wins). ``SequenceTaken`` when another process stored a record of the device under
        ``seq`` meanwhile: the caller tries again."""
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
            self._storage._count_inserted(tx, [row])   # the city numbers, as for every stored record
            tx.executemany("INSERT INTO member_lookups VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                           [[event_id, purpose, digest, record_id] for purpose, digest in claims])

    @staticmethod
    def _live_matches(tx: Connection, event_id: str, claims: Sequence[tuple[str, str]]) -> bool:
        for purpose, digest in claims:
            if tx.execute(f"""SELECT 1 FROM member_lookups l JOIN records r ON r.id = l.record_id
                              WHERE l.event_id = ? AND l.purpose = ? AND l.hash = ? AND {_LIVE}""",
                          [event_id, purpose, digest]).fetchone():
                return True
        return False

    @staticmethod
    def _claim(tx: Connection, event_id: str, purpose: str, digest: str, record_id: str) -> None:
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
