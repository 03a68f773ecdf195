"""Idle return: no touch for a while → "还在吗？" countdown → every field wiped, back to the start.

Timeouts are injected (milliseconds) so tests use a few hundred milliseconds.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget, QFrame

from kiosk.ui.widgets import big_button

ACTIVITY_EVENTS = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.TouchBegin,
                   QEvent.Type.TouchUpdate, QEvent.Type.KeyPress, QEvent.Type.InputMethod, QEvent.Type.Wheel}


class IdleWatcher(QObject):
    """Watches every input event of the application while armed; emits ``idle`` after ``timeout_ms`` without one."""

    idle = Signal()

    def __init__(self, app: QApplication, *, timeout_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self._app = app
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.idle)
        self._armed = False

    def arm(self) -> None:
        """Start watching (when a person begins something); the attract screen disarms it."""
        if not self._armed:
            # Filtering only while armed: on the attract screen no event goes through Python for us, and
            # the window's first paint does not wait for PySide to resolve every Qt type (an application
            # filter meeting an object of an unwrapped Qt class makes it do that, ~50 ms once).
            self._app.installEventFilter(self)
        self._armed = True
        self._timer.start()

    def disarm(self) -> None:
        if self._armed:
            self._app.removeEventFilter(self)
        self._armed = False
        self._timer.stop()

    def set_timeout(self, timeout_ms: int) -> None:
        """A new idle time (a configuration adopted while running), from the next touch on."""
        self._timer.setInterval(timeout_ms)

    @property
    def armed(self) -> bool:
        return self._armed

    @property
    def counting(self) -> bool:
        """Whether the countdown to ``idle`` runs now (never while disarmed)."""
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if self._armed and event.type() in ACTIVITY_EVENTS:
            self._timer.start()
        return False

    def poke(self) -> None:
        """Count a programmatic action as activity (button clicks from tests, scanner input)."""
        if self._armed:
            self._timer.start()


DIALOG_MAX_WIDTH_PX = 720


class StillThereOverlay(QFrame):
    """A full-window overlay asking "还在吗？" with a countdown; ``expired`` when nobody answers."""

    expired = Signal()
    dismissed = Signal()

    def __init__(self, parent: QWidget, *, countdown_s: int, tick_ms: int = 1000):
        super().__init__(parent)
        self.setObjectName("overlay")
        self._countdown_s = countdown_s
        self._left = countdown_s
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self._tick)
        self.box = box = QFrame(self)
        box.setObjectName("dialog")
        box.setMaximumWidth(DIALOG_MAX_WIDTH_PX)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.setSpacing(24)
        self.question = QLabel(box, alignment=Qt.AlignmentFlag.AlignCenter)
        self.question.setObjectName("title")
        self.count_label = QLabel(box, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.count_label.setObjectName("subtitle")
        self.stay_button = big_button("primary")
        self.stay_button.clicked.connect(self.dismiss)
        for w in (self.question, self.count_label, self.stay_button):
            layout.addWidget(w)
        # Centred both ways, at most DIALOG_MAX_WIDTH_PX wide, with a margin to the window's edges (portrait too).
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 32, 32, 32)
        outer.addStretch()
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch()
        self.hide()
        self.retranslate()

    def retranslate(self) -> None:
        self.question.setText(self.tr("还在吗？"))
        self.stay_button.setText(self.tr("我还在，继续"))
        self._show_count()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def start(self) -> None:
        self._left = self._countdown_s
        self._show_count()
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()
        self._timer.start()

    def set_countdown(self, seconds: int) -> None:
        """A new countdown (a configuration adopted while running), from the next time the overlay shows."""
        self._countdown_s = seconds

    def preview(self) -> None:
        """Shown as at the start of the countdown, with the clock stopped (``kiosk screenshots``)."""
        self.start()
        self._timer.stop()

    def dismiss(self) -> None:
        self._timer.stop()
        self.hide()
        self.dismissed.emit()

    def _tick(self) -> None:
        self._left -= 1
        self._show_count()
        if self._left <= 0:
            self._timer.stop()
            self.hide()
            self.expired.emit()

    def _show_count(self) -> None:
        self.count_label.setText(self.tr("%n 秒后将清除您填写的内容并返回首页", "", self._left))
