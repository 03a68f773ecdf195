"""Retention: sealed personal fields leave the kiosk once synced and older than the retention period."""

from __future__ import annotations

import datetime as dt

from kiosk.ledger import Ledger
from kiosk.records import format_utc


def purge_expired(ledger: Ledger, *, retention_days: int, now: dt.datetime | None = None) -> int:
    """Purge what was synced more than ``retention_days`` ago; returns how many records were purged."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return ledger.purge_personal(synced_before=format_utc(now - dt.timedelta(days=retention_days)))


def purge_now(ledger: Ledger, *, now: dt.datetime | None = None) -> int:
    """Purge every synced record's personal fields at once (a borrowed device goes back)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return ledger.purge_personal(synced_before=format_utc(now + dt.timedelta(seconds=1)))
