"""The booth's concepts over one ledger connection, put together by the composition root (kiosk/app.py).

``BoothService`` builds them around one ``RecordWriter`` (kiosk/record_writer.py), so validation, sealing
and the outbox are the same whoever captures a record: ``members`` (kiosk/membership.py), ``desks``
(kiosk/desks.py), ``prizes`` (kiosk/prizes.py), ``corrections`` (kiosk/corrections.py), ``audit``
(kiosk/audit.py), ``employers`` (kiosk/employers.py), ``profile`` (the booth's setup, kiosk/booth_setup.py)
and ``report`` (the day's figures, kiosk/report.py). No screen takes it: the composition root hands each
screen the concept it shows. Tools that drive every concept (``kiosk simulate``) and tests take it whole.
"""

from __future__ import annotations

import datetime as dt

from booth_common.sealing import KeyRing
from kiosk.audit import Audit
from kiosk.booth_setup import BoothProfile
from kiosk.config import Config
from kiosk.corrections import Corrections
from kiosk.desks import Desks
from kiosk.employers import EmployerMeetings
from kiosk.ledger import Ledger
from kiosk.membership import Membership
from kiosk.prizes import Prizes
from kiosk.record_writer import RecordWriter
from kiosk.report import DayReport
from kiosk.vault import Vault


class BoothService:
    """One event at one booth through one ledger connection: its concepts, sharing one writer."""

    def __init__(self, ledger: Ledger, config: Config, keys: KeyRing, vault: Vault, *, today: dt.date | None = None):
        self.ledger, self.keys, self.vault = ledger, keys, vault
        self.writer = writer = RecordWriter(ledger, config, keys, vault, today=today)
        self.members = Membership(writer)
        self.desks = Desks(writer, self.members)
        self.prizes = Prizes(writer, self.members)
        self.corrections = Corrections(writer, self.members)
        self.audit = Audit(writer)
        self.employers = EmployerMeetings(writer)
        self.profile = BoothProfile(writer)
        self.report = DayReport(writer, employers=self.employers, audit=self.audit)

    @property
    def config(self) -> Config:
        return self.writer.config

    @config.setter
    def config(self, config: Config) -> None:
        """A configuration pulled from the city server applies to every concept at once (they read the writer's)."""
        self.writer.config = config
