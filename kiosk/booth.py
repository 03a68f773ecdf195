"""The booth on this device: its setup, and the concepts every record goes through, sharing one writer.

``BoothService`` only puts them together: ``members`` (kiosk/membership.py), ``desks`` (kiosk/desks.py),
``prizes`` (kiosk/prizes.py), ``corrections`` (kiosk/corrections.py) and ``audit`` (kiosk/audit.py), all
writing through one ``RecordWriter`` (kiosk/record_writer.py), so validation, sealing and the outbox are
the same whoever captures a record. Refusals are ``kiosk.errors.BoothError`` subclasses.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from booth_common.records import Kind, Record
from booth_common.sealing import KeyRing
from kiosk.audit import Audit
from kiosk.config import Booth, Config
from kiosk.corrections import Corrections
from kiosk.desks import Desks
from kiosk.employers import EmployerMeetings
from kiosk.ledger import Ledger
from kiosk.membership import Membership
from kiosk.prizes import Prizes
from kiosk.record_writer import BOOTH_PROFILE_META, RecordWriter
from kiosk.vault import Vault


class BoothService:
    """One event at one booth through one ledger connection: the booth's setup, and its concepts."""

    def __init__(self, ledger: Ledger, config: Config, keys: KeyRing, vault: Vault, *, today: dt.date | None = None):
        self.ledger, self.keys, self.vault = ledger, keys, vault
        self.writer = RecordWriter(ledger, config, keys, vault, today=today)
        self.members = Membership(self.writer)
        self.desks = Desks(self.writer, self.members)
        self.prizes = Prizes(self.writer, self.members)
        self.corrections = Corrections(self.writer, self.members)
        self.audit = Audit(self.writer)
        self.employers = EmployerMeetings(self.writer)

    @contextmanager
    def detached(self) -> Iterator[BoothService]:
        """This booth over a connection of its own, for a worker thread (an SQLite connection belongs to
        the thread that opened it; kiosk/ui/background.py runs slow work this way)."""
        with self.writer.detached() as writer:
            yield BoothService(writer.ledger, self.config, self.keys, self.vault, today=self.writer.today)

    @property
    def config(self) -> Config:
        return self.writer.config

    @config.setter
    def config(self, config: Config) -> None:
        """A configuration pulled from the city server applies to every concept at once (they read the writer's)."""
        self.writer.config = config

    @property
    def event_id(self) -> str:
        return self.writer.event_id

    @property
    def booth_id(self) -> str:
        return self.writer.booth_id

    @property
    def booth(self) -> Booth:
        """The booth as set up on this device (the console's setup screen), else as configured."""
        return self.writer.booth

    @property
    def is_set_up(self) -> bool:
        return self.ledger.get_meta(BOOTH_PROFILE_META) is not None

    def set_up_booth(self, profile: dict[str, str], *, device_name: str) -> Record:
        """Store the booth's setup (names, district, venue type) and keep the setup itself as a record."""
        unknown = set(profile) - set(Booth._fields)
        if unknown:
            raise ValueError(f"not booth fields: {sorted(unknown)}")
        record = self.writer.write(Kind.AUDIT, {"action": "booth_setup", "booth": profile,
                                                "device_name": device_name}, subject="booth_setup")
        self.ledger.set_meta("device_name", device_name)
        self.ledger.set_meta(BOOTH_PROFILE_META, json.dumps(profile, ensure_ascii=False, sort_keys=True))
        return record

    def reload_seal_key(self) -> None:
        """Nothing to do: the sealing key is read from the key ring at every write (kept for callers)."""

    def pulled_distribution(self, name: str) -> tuple[str, Any] | None:
        """(version, content) of a config or quiz bank the sync pulled from the city server, if any."""
        content, version = self.ledger.get_meta(f"pulled:{name}"), self.ledger.get_meta(f"pulled:{name}:version")
        if content is None or version is None:
            return None
        return version, json.loads(content)
