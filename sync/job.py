"""One sync run for a long-running kiosk, and the status it leaves for the screens to show.

The Qt runner calls ``SyncJob.run`` in its worker thread: the job opens its own ledger there
(sqlite3 connections belong to the thread that opened them), runs the engine once and closes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from booth_common.protocol import TokenRefused, TransientError
from booth_common.sealing import KeyRing
from kiosk.ledger import Ledger, LedgerStatus
from sync.engine import Backoff, Client, SyncEngine, SyncPolicy, SyncReport
from sync.enrollment import ServerLink, finish_enrollment, server_link


class SyncState(StrEnum):
    ENROLLMENT_REQUIRED = "enrollment_required"
    OFFLINE = "offline"
    PENDING = "pending"
    NEEDS_ATTENTION = "needs_attention"
    SYNCED = "synced"


@dataclass(frozen=True)
class SyncStatus:
    """What the kiosk and the console show about sync, and when the runner should try again."""

    state: SyncState
    pending: int
    needs_attention: int
    last_sync_local: str | None      # "HH:MM" on this device's clock, or None when never synced
    detail: str = ""                 # the error's message, for the console
    retry_in_s: float | None = None  # None: the runner's usual period

    @property
    def text(self) -> str:
        """Short bilingual text for a status bar."""
        if self.state is SyncState.ENROLLMENT_REQUIRED:
            return "需要注册设备 / enrollment required"
        if self.state is SyncState.OFFLINE:
            return f"离线 · {self.pending} 条待上传 / offline · {self.pending} pending"
        if self.state is SyncState.PENDING:
            return f"{self.pending} 条待上传 / {self.pending} pending"
        if self.state is SyncState.NEEDS_ATTENTION:
            return f"{self.needs_attention} 条需处理 / {self.needs_attention} need attention"
        return f"已同步 {self.last_sync_local} / synced at {self.last_sync_local}"


def status_of(ledger_status: LedgerStatus, report: SyncReport | None, *, enrolled: bool) -> SyncStatus:
    pending, attention = ledger_status.pending, ledger_status.needs_attention
    last = _local_hhmm(ledger_status.last_sync)
    error = report.error if report else None
    if not enrolled or isinstance(error, TokenRefused):
        return SyncStatus(SyncState.ENROLLMENT_REQUIRED, pending, attention, last, str(error or ""))
    if isinstance(error, TransientError):
        return SyncStatus(SyncState.OFFLINE, pending, attention, last, str(error), report.retry_in)
    if pending:
        return SyncStatus(SyncState.PENDING, pending, attention, last, str(error or ""))
    if attention:
        return SyncStatus(SyncState.NEEDS_ATTENTION, pending, attention, last, str(error or ""))
    return SyncStatus(SyncState.SYNCED, pending, attention, last, str(error or ""))


def _local_hhmm(utc_text: str | None) -> str | None:
    if not utc_text:
        return None
    moment = dt.datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
    return moment.astimezone().strftime("%H:%M")


class SyncJob:
    """Everything one sync run needs, built by the composition root and run by the Qt worker."""

    def __init__(self, open_ledger: Callable[[], Ledger], keys: KeyRing, *,
                 make_client: Callable[[ServerLink], Client], policy: SyncPolicy = SyncPolicy(),
                 rng: random.Random | None = None):
        self.open_ledger, self.keys, self.make_client, self.policy = open_ledger, keys, make_client, policy
        self.backoff = Backoff(policy, rng or random.Random())

    def run(self) -> SyncStatus:
        with self.open_ledger() as ledger:
            link = server_link(ledger)
            if link is None:
                return status_of(ledger.status(), None, enrolled=False)
            finish_enrollment(ledger, self.keys)
            report = self._engine_run(ledger, link)
            return status_of(ledger.status(), report, enrolled=True)

    def _engine_run(self, ledger: Ledger, link: ServerLink) -> SyncReport:
        client = self.make_client(link)
        try:
            engine = SyncEngine(ledger, client, policy=self.policy, backoff=self.backoff)
            return engine.sync_once(attempts=1, event_id=link.event_id)
        finally:
            close = getattr(client, "close", None)
            if close:
                close()
