"""The one record writer every concept of the booth shares: seals personal fields, hashes lookups, appends.

Membership, desks, prizes, corrections and audit each decide *what* to record; this decides *how*: the
sealing key is read from the key ring at every write (``kiosk enroll`` in another process may have swapped
it), lookup hashes use today's key from the open vault, and record, envelope, hashes and outbox entry go
into the ledger in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from booth_common import validation
from booth_common.records import Kind, Record, new_record_id
from booth_common.sealing import KeyRing, Sealer, key_id, keyed_hash, public_key_from_text
from kiosk.config import Booth, Config
from kiosk.errors import InvalidInput, KioskLocked
from kiosk.ledger import Ledger, SealedField
from kiosk.retention import start_of_local_day_utc
from kiosk.vault import Vault

if TYPE_CHECKING:
    from kiosk.membership import Membership

BOOTH_PROFILE_META = "booth_profile"


class RecordWriter:
    """Writes records for one event at one booth through one ledger connection."""

    def __init__(self, ledger: Ledger, config: Config, keys: KeyRing, vault: Vault, *, today: dt.date | None = None):
        self.ledger, self.config, self.keys, self.vault = ledger, config, keys, vault
        self.today = today  # fixed in tests; None: the real date
        self._lookups_day = ""
        self._sealer: Sealer | None = None
        self._sealer_key_text, self._key_id = "", ""

    @contextmanager
    def detached(self) -> Iterator[RecordWriter]:
        """A writer over a connection of its own, for a worker thread (an SQLite connection belongs to the
        thread that opened it; kiosk/ui/background.py runs slow work this way)."""
        ledger = Ledger(self.ledger.path, vault=self.vault)
        try:
            yield RecordWriter(ledger, self.config, self.keys, self.vault, today=self.today)
        finally:
            ledger.close()

    @property
    def event_id(self) -> str:
        return self.config.event.id

    @property
    def booth_id(self) -> str:
        return self.ledger.get_meta("booth_id") or self.config.booth.id

    @property
    def booth(self) -> Booth:
        """The booth as set up on this device (the console's setup screen), else as configured."""
        saved = self.ledger.get_meta(BOOTH_PROFILE_META)
        return self.config.booth._replace(**json.loads(saved)) if saved else self.config.booth

    def lookup_hash(self, purpose: str, value: str) -> str:
        """The keyed hash a record is found by (an ID number, a phone): never the value itself."""
        return keyed_hash(self._lookup_key(), purpose, value)

    def _lookup_key(self) -> bytes:
        """Today's lookup key from the open vault (``KioskLocked`` before the volunteer unlocked the kiosk).
        On a new day the hashes of earlier days are deleted from the ledger: their key is gone too."""
        key = self.vault.lookup_key()
        if key is None:
            raise KioskLocked()
        day = self.vault.today().isoformat()
        if day != self._lookups_day:
            self.ledger.expire_day_lookups(before=start_of_local_day_utc(self.vault.today()))
            self._lookups_day = day
        return key

    def _current_sealer(self) -> Sealer:
        """The sealer for the key the key ring holds now. Read at every write, never kept from the start:
        ``kiosk enroll`` in another process may have swapped the device key for the city's and destroyed
        the device key, and an envelope sealed to that key afterwards could never be opened."""
        text = self.keys.seal_public_text()
        if self._sealer is None or text != self._sealer_key_text:
            self._sealer, self._sealer_key_text = Sealer(public_key_from_text(text)), text
            self._key_id = key_id(public_key_from_text(text))
        return self._sealer

    def write(self, kind: Kind, data: dict[str, Any], *, record_id: str | None = None, subject: str | None = None,
              refers_to: str | None = None, personal: dict[str, Any] | None = None,
              lookups: list[tuple[str, str]] | None = None) -> Record:
        """Append one record; ``personal`` fields are sealed beside it, never in its payload."""
        record_id = record_id or new_record_id()
        sealed = None
        if personal:
            sealer = self._current_sealer()
            sealed = SealedField(sealer.seal(personal, record_id=record_id), self._key_id)
        return self.ledger.append(record_id=record_id, kind=kind, event_id=self.event_id, booth_id=self.booth_id,
                                  data=data, subject=subject, refers_to=refers_to, sealed=sealed,
                                  lookups=lookups or ())


class Concept:
    """What every concept of the booth shares: the one writer it records through, the ledger behind it, and the
    event's configuration as the writer holds it now (a configuration pulled from the city server replaces it
    for every concept at once). ``members``: the booth's membership, for the concepts that serve members."""

    members: Membership  # desks, prizes and corrections: a pass scanned or a registration corrected is a member's

    def __init__(self, writer: RecordWriter, members: Membership | None = None):
        self.writer, self.ledger = writer, writer.ledger
        if members is not None:
            self.members = members

    @property
    def config(self) -> Config:
        return self.writer.config


def validated(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn``'s answer, or its ``ValidationError`` as an ``InvalidInput`` refusal."""
    try:
        return fn(*args, **kwargs)
    except validation.ValidationError as exc:
        raise InvalidInput([exc]) from None

