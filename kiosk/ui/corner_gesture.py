"""The hidden way into the volunteer console: a long press in the top-left corner of the kiosk."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

# A second tap soon after the first arrives as a double-click: still the start of a hold.
PRESS = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.TouchBegin}
RELEASE = {QEvent.Type.MouseButtonRelease, QEvent.Type.TouchEnd, QEvent.Type.TouchCancel}


class CornerHold(QObject):
    """Emits ``triggered`` when a press inside ``corner_px`` of the window's top-left lasts ``hold_ms``."""

    triggered = Signal()

    def __init__(self, app: QApplication, window: QWidget, *, hold_ms: int = 3000, corner_px: int = 96):
        super().__init__(window)
        self._window, self._corner_px = window, corner_px
        self.enabled = True
        self._timer = QTimer(self, singleShot=True, interval=hold_ms)
        self._timer.timeout.connect(self.triggered)
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind in PRESS and self.enabled and self._in_corner(event):
            self._timer.start()
        elif kind in RELEASE:
            self._timer.stop()
        return False

    def _in_corner(self, event: QEvent) -> bool:
        points = event.points() if hasattr(event, "points") else []
        if not points:
            return False
        global_pos: QPoint = points[0].globalPosition().toPoint()
        local = self._window.mapFromGlobal(global_pos)
        return 0 <= local.x() < self._corner_px and 0 <= local.y() < self._corner_px
