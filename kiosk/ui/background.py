"""Slow work off the GUI thread: ``run_in_background(op, on_success, on_failure)``, results by signal.

The one way the screens run anything that may take longer than a frame (an export, the purge, a member
search at a million records). The operation runs on a ``QThreadPool`` thread and never touches a widget
(Qt widgets belong to the GUI thread); it opens its own ledger connection, because an SQLite connection
belongs to the thread that made it (the services' ``detached()`` gives one). Its result, its error, and
its progress reach the GUI thread as queued signals, so the callbacks run there and may update widgets.

An error is handed to ``on_failure`` as the exception itself: the screen shows the volunteer what went
wrong (a full USB stick, a locked ledger) in both languages; nothing is swallowed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

log = logging.getLogger(__name__)
PROGRESS_EVERY_S = 0.1  # a worker reporting a million rows one by one would flood the GUI thread's queue


class Progress:
    """Handed to the operation: ``progress(done, total)`` as often as it likes; the screen hears at most
    every 100 ms (and always the last step)."""

    def __init__(self, emit: Callable[[int, int], None]):
        self._emit = emit
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last >= PROGRESS_EVERY_S:
            self._last = now
            self._emit(done, total)


class BackgroundTask(QObject):
    """Lives in the GUI thread (a child of the screen that asked) and calls the screen's callbacks there.

    The worker emits the signals; their receivers are this object's slots, so Qt queues each call into
    the GUI thread (a signal connected straight to a plain function would not promise that)."""

    succeeded = Signal(object)
    failed = Signal(object)          # the exception
    progressed = Signal(int, int)    # done, total

    def __init__(self, parent: QObject, on_success: Callable[[Any], None], on_failure: Callable[[Exception], None],
                 on_progress: Callable[[int, int], None] | None):
        super().__init__(parent)
        self.finished = False
        self._callbacks = (on_success, on_failure, on_progress)
        self.succeeded.connect(self._succeeded)
        self.failed.connect(self._failed)
        self.progressed.connect(self._progressed)

    @Slot(object)
    def _succeeded(self, result: Any) -> None:
        self._finish()
        self._callbacks[0](result)

    @Slot(object)
    def _failed(self, exc: Exception) -> None:
        self._finish()
        self._callbacks[1](exc)

    @Slot(int, int)
    def _progressed(self, done: int, total: int) -> None:
        if self._callbacks[2] is not None and not self.finished:
            self._callbacks[2](done, total)

    def _finish(self) -> None:
        self.finished = True
        self.deleteLater()


class _Runnable(QRunnable):
    def __init__(self, op: Callable[[Progress], Any], task: BackgroundTask):
        super().__init__()
        self._op, self._task = op, task

    def run(self) -> None:
        task = self._task
        try:
            result = self._op(Progress(lambda done, total: _emit(task.progressed, done, total)))
        except Exception as exc:  # noqa: BLE001 - every failure goes to the screen, none kills the pool thread
            log.exception("background operation failed")
            _emit(task.failed, exc)
            return
        _emit(task.succeeded, result)


def _emit(signal: Any, *args: Any) -> None:
    try:
        signal.emit(*args)
    except RuntimeError:  # the screen that asked was closed meanwhile: nobody is left to tell
        log.info("background result dropped: its screen is gone")


def run_in_background(op: Callable[[Progress], Any], on_success: Callable[[Any], None],
                      on_failure: Callable[[Exception], None], *, parent: QObject,
                      on_progress: Callable[[int, int], None] | None = None,
                      pool: QThreadPool | None = None) -> BackgroundTask:
    """Run ``op(progress)`` on a pool thread; ``on_success(result)`` or ``on_failure(exc)`` then runs on the
    GUI thread. ``parent`` (the asking screen) owns the relay, so a screen that goes away takes it along."""
    task = BackgroundTask(parent, on_success, on_failure, on_progress)
    runnable = _Runnable(op, task)
    # Started from the event loop, after the layout and repaint the caller's changes posted (a bar shown,
    # buttons disabled): those run Python at every event (the idle filters) and, with a busy worker
    # holding the interpreter lock, were the longest stall of a large export.
    QTimer.singleShot(0, task, lambda: (pool or QThreadPool.globalInstance()).start(runnable))
    return task
