"""Booths, enrolment codes and devices: who may push records, and for which booth and event."""

from __future__ import annotations

from dataclasses import dataclass

from sync.server.storage.core import StorageCore, StorageError


@dataclass(frozen=True)
class EnrolRefusal:
    """Why an enrolment was refused: ``kind`` is no_code, revoked, taken (another device's id) or
    mismatch (the code is for ``booth_id``/``event_id``, not what the kiosk's configuration names)."""

    kind: str
    booth_id: str = ""
    event_id: str = ""


@dataclass(frozen=True)
class Device:
    device_id: str
    booth_id: str
    event_id: str
    revoked: bool
    token_used: bool = True   # its token has authenticated a call (after that, only the token re-enrols it)


class AccountsSQL(StorageCore):
    """The SQL of booths, enrolment codes and devices."""

    def pin_city_public_key(self, public_key: str, *, at: str) -> str:
        """The city's public key this database serves: ``public_key`` the first time (kept), then always that one."""
        with self._write() as tx:
            tx.execute("INSERT INTO city_public_key VALUES (1, ?, ?) ON CONFLICT DO NOTHING", [public_key, at])
            return tx.execute("SELECT public_key FROM city_public_key WHERE id = 1").fetchone()[0]

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
        row = self._one("""SELECT d.device_id, d.booth_id, b.event_id, d.revoked_at IS NOT NULL,
                                  d.first_used_at IS NOT NULL
                           FROM devices d JOIN booths b USING (booth_id) WHERE d.token_hash = ?""", [token_hash])
        return Device(row[0], row[1], row[2], bool(row[3]), bool(row[4])) if row else None

    def revoke(self, *, device_id: str | None = None, booth_id: str | None = None, at: str) -> int:
        """Revoke one device, or every device of a booth; returns how many were revoked."""
        column, value = ("device_id", device_id) if device_id else ("booth_id", booth_id)
        with self._write() as tx:
            cur = tx.execute(f"UPDATE devices SET revoked_at = ? WHERE {column} = ? AND revoked_at IS NULL",
                             [at, value])
            return cur.rowcount
