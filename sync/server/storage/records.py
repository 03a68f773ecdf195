"""Records as stored, distributions (configs, quiz banks), and what the city-wide numbers, the member export
and the city-wide prize claims read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sync.server.storage.core import StorageCore, StorageError, rows_as_dicts
from sync.server.storage.schema import RECORD_FIELDS


class RecordsSQL(StorageCore):
    """The SQL that reads stored records, and of distributions, booth places and prize claims."""

    def held_sequence_numbers(self, device_id: str) -> list[int]:
        return [r[0] for r in self._all("SELECT seq FROM records WHERE device_id = ? ORDER BY seq", [device_id])]

    def record_rows(self, *, device_id: str | None = None) -> list[dict[str, Any]]:
        """Stored records as dicts (tests, exports); the extension point for the city-wide numbers."""
        sql, params = f"SELECT {', '.join(RECORD_FIELDS)} FROM records", []
        if device_id is not None:
            sql, params = sql + " WHERE device_id = ?", [device_id]
        return rows_as_dicts(RECORD_FIELDS, self._all(sql + " ORDER BY device_id, seq", params))

    def count_records(self) -> int:
        return self._one("SELECT count(*) FROM records")[0]

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
        row = self._one("""SELECT version, sha256, content FROM distributions
                           WHERE event_id = ? AND name = ? ORDER BY version DESC LIMIT 1""", [event_id, name])
        return (row[0], row[1], row[2]) if row else None


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
        return rows_as_dicts(keys, self._all(sql + " ORDER BY b.booth_id", params))

    def record_facts_after(self, cursor: int, *, limit: int = 50_000) -> list[tuple[Any, ...]]:
        """The counting columns of records stored after ``cursor`` (a rowid), in storage order.

        Records are never deleted or updated and their rowids are taken in the order their transactions
        commit (SQLite has one writer; PostgreSQL's ingest holds the write lock from the insert to the
        commit, schema.py), so a rowid cursor sees every record exactly once. Only booth setups bring their
        payload (the booth's place).
        """
        return self._all("""
            SELECT rowid, id, device_id, event_id, booth_id, kind, subject, captured_at, refers_to, received_at,
                   CASE WHEN kind = 'audit' AND subject = 'booth_setup' THEN payload END
            FROM records WHERE rowid > ? ORDER BY rowid LIMIT ?""", [cursor, limit])

    def record_facts_of(self, record_ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """(id, device_id, event_id, booth_id, kind, subject, captured_at) of the given records (void targets)."""
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(record_ids), 500):
            chunk = list(record_ids[start:start + 500])
            found += self._all(f"""SELECT id, device_id, event_id, booth_id, kind, subject, captured_at FROM records
                                   WHERE id IN ({', '.join('?' * len(chunk))})""", chunk)
        return found

    def membership_rows(self, event_id: str) -> list[dict[str, Any]]:
        """Registrations of an event with the corrections and voids that refer to them, oldest first."""
        rows = self._all(f"""
            SELECT {', '.join('r.' + f for f in RECORD_FIELDS)} FROM records r
            WHERE r.event_id = ? AND (r.kind = 'registration' OR (r.kind IN ('correction', 'void') AND
                  r.refers_to IN (SELECT id FROM records WHERE event_id = ? AND kind = 'registration')))
            ORDER BY r.captured_at, r.device_id, r.seq""", [event_id, event_id])
        return [dict(zip(RECORD_FIELDS, row)) for row in rows]

    def rows_with_references(self, event_id: str, kind: str) -> list[dict[str, Any]]:
        """Records of one kind in an event with the corrections and voids that refer to them, oldest first.

        The kind is written into the statement, not bound, so that a partial index of that kind's records
        (employer meetings: ``records_employer_meetings``) can serve it: the city page asks for the event's
        meetings at every view, and a scan of a million-record day took most of a second."""
        if not kind.replace("_", "").isalpha() or not kind.isascii():
            raise ValueError(f"not a record kind: {kind!r}")
        columns = ", ".join("r." + f for f in RECORD_FIELDS)
        rows = self._all(f"""
            SELECT {columns} FROM records r WHERE r.event_id = ? AND r.kind = '{kind}'
            UNION ALL
            SELECT {columns} FROM records t JOIN records r ON r.refers_to = t.id
            WHERE t.event_id = ? AND t.kind = '{kind}' AND r.event_id = ? AND r.kind IN ('correction', 'void')
            ORDER BY captured_at, device_id, seq""", [event_id, event_id, event_id])
        return [dict(zip(RECORD_FIELDS, row)) for row in rows]

    def registered_event_ids(self) -> list[str]:
        return [r[0] for r in self._all("SELECT DISTINCT event_id FROM booths ORDER BY 1")]

    # -- one prize per person per event, city-wide ------------------------------------------------

    def prize_claim_key(self, event_id: str, *, new_secret: str, at: str) -> str:
        """The event's secret for keyed claim lookups, made once (``new_secret`` is used the first time)."""
        return self._secret_made_once("prize_claim_keys", "event_id", event_id, new_secret=new_secret, at=at)

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
        rows = self._all("""SELECT claim_key, voucher, booth_id, claimed_at FROM prize_claims
                                       WHERE event_id = ? ORDER BY claimed_at""", [event_id])
        return [dict(zip(("claim_key", "voucher", "booth_id", "claimed_at"), row)) for row in rows]

    def quiz_attempts_with_prizes(self, event_id: str) -> list[dict[str, Any]]:
        """Synced quiz attempts of the event that are not voided, with their booth, time and payload."""
        rows = self._all("""
            SELECT r.id, r.booth_id, r.captured_at, r.payload, r.sealed FROM records r
            WHERE r.event_id = ? AND r.kind = 'quiz_attempt' AND r.payload LIKE '%"prize_voucher":"%'
              AND NOT EXISTS (SELECT 1 FROM records v WHERE v.kind = 'void' AND v.refers_to = r.id)
            ORDER BY r.captured_at""", [event_id])
        return [dict(zip(("id", "booth_id", "captured_at", "payload", "sealed"), row)) for row in rows]
