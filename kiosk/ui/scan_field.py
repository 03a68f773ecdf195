"""The member-pass field of a desk: input method off, and a USB scanner told from typing by timing."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from kiosk.scanning import KeystrokeTiming


def monotonic_ms() -> float:
    return time.monotonic() * 1000


class ScanField(QLineEdit):
    """Emits ``scanned`` for a burst of keys ending in Enter (a scanner) and ``typed`` for a person's entry."""

    scanned = Signal(str)
    typed = Signal(str)

    def __init__(self, *, clock_ms: Callable[[], float] = monotonic_ms, parent: QWidget | None = None):
        super().__init__(parent)
        self._clock = clock_ms
        self._timing = KeystrokeTiming()
        self.setMaxLength(40)
        # A Chinese input method would swallow the scanner's keystrokes into its candidate window.
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.setInputMethodHints(Qt.InputMethodHint.ImhLatinOnly | Qt.InputMethodHint.ImhNoPredictiveText
                                 | Qt.InputMethodHint.ImhPreferUppercase)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        now = self._clock()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._submit(now)
            return
        if not self.text():
            self._timing.reset()
        super().keyPressEvent(event)
        if event.text() and event.text().isprintable():
            self._timing.key(now)

    def _submit(self, now: float) -> None:
        text, scanned = self.text().strip(), self._timing.is_scan(now)
        self.clear()
        self._timing.reset()
        if text:
            (self.scanned if scanned else self.typed).emit(text)
