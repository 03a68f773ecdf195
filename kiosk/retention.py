"""Retention: sealed personal fields leave the kiosk once synced and older than the retention period.

A purge pauses sync while it runs (it holds the ledger's sender lease, so the GUI's sync worker and
any ``kiosk sync`` stand aside), and it succeeds only when the WAL checkpoint that wipes the old
bytes finished; otherwise ``PurgeIncomplete`` (from ``kiosk.ledger``) says so.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from booth_common.records import format_utc
from kiosk.ledger import Ledger, LedgerError

PURGE_LEASE_S = 60.0    # longer than any purge, and not beyond a sync's own lease (120 s), which would count it void
SYNC_WAIT_S = 30.0      # how long a purge waits for a running sync to finish its round


class SyncStillRunning(LedgerError):
    """A sync kept the ledger's sender lease for longer than the purge waits: nothing was purged."""

    def __init__(self) -> None:
        super().__init__("a sync is running and did not finish in time; nothing was purged, try again")


@dataclass(frozen=True)
class PersonalDataOnDevice:
    """What ``purge_now`` would do at this moment: records it would purge, and unsynced ones it keeps."""

    purgeable: int
    kept_unsynced: int


def purge_expired(ledger: Ledger, *, retention_days: int, now: dt.datetime | None = None,
                  wait_s: float = SYNC_WAIT_S, checkpoint_attempts: int = 20) -> int:
    """Purge what was synced more than ``retention_days`` ago; returns how many records were purged."""
    now = now or dt.datetime.now(dt.timezone.utc)
    with sync_paused(ledger, wait_s=wait_s):
        return ledger.purge_personal(synced_before=format_utc(now - dt.timedelta(days=retention_days)),
                                     checkpoint_attempts=checkpoint_attempts)


def purge_now(ledger: Ledger, *, now: dt.datetime | None = None) -> int:
    """Purge every synced record's personal fields at once (a borrowed device goes back)."""
    with sync_paused(ledger):
        return ledger.purge_personal(synced_before=_everything_synced_by(now))


def personal_data_now(ledger: Ledger, *, now: dt.datetime | None = None) -> PersonalDataOnDevice:
    """The counts a volunteer confirms before ``purge_now``."""
    purgeable, kept = ledger.personal_data_counts(synced_before=_everything_synced_by(now))
    return PersonalDataOnDevice(purgeable, kept)


@contextmanager
def sync_paused(ledger: Ledger, *, wait_s: float = SYNC_WAIT_S, sleep: Callable[[float], None] = time.sleep,
                clock: Callable[[], float] = time.monotonic) -> Iterator[None]:
    """Hold the sender lease for the block: no sync (this process's worker or another) pushes meanwhile,
    and a sync in progress is waited for, up to ``wait_s``."""
    holder = f"purge-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    deadline = clock() + wait_s
    while not ledger.outbox.acquire_sender_lease(holder, ttl_s=PURGE_LEASE_S, now=time.time()):
        if clock() >= deadline:
            raise SyncStillRunning()
        sleep(0.25)
    try:
        yield
    finally:
        ledger.outbox.release_sender_lease(holder)


def start_of_local_day_utc(day: dt.date) -> str:
    """The UTC time text (as records store it) of local midnight starting ``day``: hashes of records captured
    before it belong to an earlier event day."""
    return format_utc(dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.timezone.utc))


def _everything_synced_by(now: dt.datetime | None) -> str:
    # a second of slack: a record synced within the current millisecond counts as synced before "now"
    now = now or dt.datetime.now(dt.timezone.utc)
    return format_utc(now + dt.timedelta(seconds=1))
