"""Retention: sealed personal fields leave the kiosk once synced and older than the retention period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from booth_common.records import format_utc
from kiosk.ledger import Ledger


@dataclass(frozen=True)
class PersonalDataOnDevice:
    """What ``purge_now`` would do at this moment: records it would purge, and unsynced ones it keeps."""

    purgeable: int
    kept_unsynced: int


def purge_expired(ledger: Ledger, *, retention_days: int, now: dt.datetime | None = None) -> int:
    """Purge what was synced more than ``retention_days`` ago; returns how many records were purged."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return ledger.purge_personal(synced_before=format_utc(now - dt.timedelta(days=retention_days)))


def purge_now(ledger: Ledger, *, now: dt.datetime | None = None) -> int:
    """Purge every synced record's personal fields at once (a borrowed device goes back)."""
    return ledger.purge_personal(synced_before=_everything_synced_by(now))


def personal_data_now(ledger: Ledger, *, now: dt.datetime | None = None) -> PersonalDataOnDevice:
    """The counts a volunteer confirms before ``purge_now``."""
    purgeable, kept = ledger.personal_data_counts(synced_before=_everything_synced_by(now))
    return PersonalDataOnDevice(purgeable, kept)


def _everything_synced_by(now: dt.datetime | None) -> str:
    # a second of slack: a record synced within the current millisecond counts as synced before "now"
    now = now or dt.datetime.now(dt.timezone.utc)
    return format_utc(now + dt.timedelta(seconds=1))
