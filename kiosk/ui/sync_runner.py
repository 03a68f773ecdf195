"""The thin Qt runner of sync: runs a sync job off the GUI thread and reports its status by signal.

The job (``sync.job.SyncJob.run``, passed in) does the SQL and HTTP in the worker thread; this
module only schedules it: at start, after each run (the job's retry delay, else the period),
when asked, and at once when Qt's network information reports the network back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot
from PySide6.QtNetwork import QNetworkInformation

from sync.job import SyncStatus

DEFAULT_PERIOD_MS = 60_000
log = logging.getLogger(__name__)


class SyncWorker(QObject):
    """Lives in the worker thread; runs the job when asked."""

    finished = Signal(object)  # SyncStatus
    failed = Signal(str)       # an unexpected error: the job is tried again at the next period

    def __init__(self, job: Callable[[], SyncStatus]):
        super().__init__()
        self._job = job

    @Slot()
    def run(self) -> None:
        # Network and server trouble arrive as statuses; anything else is a bug or a broken disk.
        # It must not kill the worker thread (sync would stop for the rest of the day), so it is
        # logged with its traceback and reported, and the schedule goes on.
        try:
            status = self._job()
        except Exception as exc:  # noqa: BLE001 - see above
            log.exception("sync run failed")
            self.failed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.finished.emit(status)


class SyncRunner(QObject):
    """Owns the worker thread; at most one run at a time, never on the GUI thread."""

    status_changed = Signal(object)  # SyncStatus
    error_occurred = Signal(str)     # an unexpected failure of a run, for the console
    _run_requested = Signal()

    def __init__(self, job: Callable[[], SyncStatus], *, period_ms: int = DEFAULT_PERIOD_MS,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.period_ms = period_ms
        self.last_status: SyncStatus | None = None
        self._busy = self._again = False
        self._thread = QThread()
        self._thread.setObjectName("sync-worker")
        self._worker = SyncWorker(job)
        self._worker.moveToThread(self._thread)
        self._run_requested.connect(self._worker.run)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.sync_now)

    def start(self) -> None:
        self._thread.start()
        self._watch_network()
        self.sync_now()

    def stop(self) -> None:
        """Stop scheduling and wait for a run in progress (its network calls have timeouts)."""
        self._timer.stop()
        self._thread.quit()
        self._thread.wait()

    @Slot()
    def sync_now(self) -> None:
        if self._busy:
            self._again = True  # one more run right after this one, not a second sender
            return
        self._busy = True
        self._timer.stop()
        self._run_requested.emit()

    @Slot(object)
    def on_reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        if reachability in (QNetworkInformation.Reachability.Online, QNetworkInformation.Reachability.Site):
            self.sync_now()

    @Slot(object)
    def _on_finished(self, status: SyncStatus) -> None:
        self._busy = False
        self.last_status = status
        self.status_changed.emit(status)
        if self._again:
            self._again = False
            self.sync_now()
            return
        self._timer.start(self.period_ms if status.retry_in_s is None else int(status.retry_in_s * 1000))

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._busy = self._again = False
        self.error_occurred.emit(message)
        self._timer.start(self.period_ms)

    def _watch_network(self) -> None:
        # Without a backend (some Linux sessions, tests) the retry timer alone keeps probing.
        if QNetworkInformation.loadDefaultBackend() and QNetworkInformation.instance() is not None:
            QNetworkInformation.instance().reachabilityChanged.connect(self.on_reachability_changed)
