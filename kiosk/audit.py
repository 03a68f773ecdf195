"""The device's own actions, kept as records: console audit actions, exports of the day report, the purge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from booth_common.records import Kind, Record
from kiosk.errors import PurgeFailed
from kiosk.ledger import PurgeIncomplete
from kiosk.record_writer import Concept
from kiosk.retention import PersonalDataOnDevice, SyncStillRunning, personal_data_now, purge_now

# Console and device actions that leave an audit record. Exports, corrections and voids are not
# here: each is a record of its own kind (Kind.EXPORT, Kind.CORRECTION, Kind.VOID).
# "enrolment" is reserved for `kiosk enroll`, which does not write it yet.
AUDIT_ACTIONS = ("booth_setup", "pin_change", "console_unlock", "console_lockout", "fullscreen_toggle",
                 "kiosk_exit", "purge", "enrolment", "config_applied", "config_refused")


class Audit(Concept):
    """Append-only, synced like every other record, never holding personal data."""

    AUDIT_ACTIONS = AUDIT_ACTIONS

    @contextmanager
    def detached(self) -> Iterator[Audit]:
        """The audit over a connection of its own, for a worker thread (the console's purge)."""
        with self.writer.detached() as writer:
            yield Audit(writer)

    def record_audit(self, action: str, *, details: dict[str, Any] | None = None) -> Record:
        """A console action, kept append-only and synced like every other record (never personal data)."""
        if action not in AUDIT_ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        return self.writer.write(Kind.AUDIT, {"action": action, "details": details or {}}, subject=action)

    def record_export(self, *, fmt: str, records: int) -> Record:
        """Each export of the day report leaves a record of itself."""
        return self.writer.write(Kind.EXPORT, {"format": fmt, "records": records}, subject=fmt)

    def personal_data_on_device(self) -> PersonalDataOnDevice:
        """How many synced records a purge would take now, and how many unsynced ones it would keep."""
        return personal_data_now(self.ledger)

    def purge_personal_data(self, *, via: str, now: dt.datetime | None = None) -> int:
        """Purge every synced record's personal fields now (unsynced ones stay) and audit it; ``PurgeFailed``
        when it could not finish (the audit record says so too)."""
        try:
            purged = purge_now(self.ledger, now=now)
        except SyncStillRunning:
            raise PurgeFailed.sync_running() from None
        except PurgeIncomplete as exc:
            self.record_audit("purge", details={"records": exc.purged, "all_synced": True, "via": via,
                                                "complete": False})
            raise PurgeFailed.incomplete(exc.purged) from None
        self.record_audit("purge", details={"records": purged, "all_synced": True, "via": via, "complete": True})
        return purged
