"""The console's lock: the volunteer PIN on the app's own keypad, with the lock-out shown plainly."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.access import PIN_MAX, ConsoleAccess
from kiosk.errors import LockedOut, WrongPin
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import (KeypadArrangement, NumericKeypad, PinField, ScreenBase, back_button, big_button,
                              screen_title)


class ConsolePinScreen(ScreenBase):
    unlocked = Signal()
    cancelled = Signal()
    idle_return = False  # the console's own lock handles idleness

    def __init__(self, access: ConsoleAccess, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._access, self._presentation = access, presentation
        self._start_mode = False  # the unlock at the kiosk's start: no way back, other words
        self.title = screen_title(wrap=True)
        self.pin_field = PinField(max_length=PIN_MAX, centred=True)
        self.pin_field.returnPressed.connect(self.submit)
        self.keypad = NumericKeypad()
        self.keypad.attach(self.pin_field)
        self.message = QLabel(objectName="error", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.ok_button = big_button("primary")
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button = back_button()
        self.cancel_button.clicked.connect(self.cancelled)
        self._build_layout()
        self.retranslate()

    def _build_layout(self) -> None:
        column = QVBoxLayout()
        for w in (self.pin_field, self.message, self.ok_button):
            column.addWidget(w)
        column.addStretch()
        column.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.keypad_arrangement = KeypadArrangement(self, self.title, column, self.keypad, self._presentation)

    def set_start_mode(self, on: bool) -> None:
        """At the kiosk's start the PIN unlocks the kiosk itself (the lookup key): nothing to go back to."""
        self._start_mode = on
        self.cancel_button.setVisible(not on)
        self.retranslate()

    def retranslate(self) -> None:
        if self._start_mode:
            self.title.setText(self.tr("解锁服务台 · 请志愿者输入PIN"))
            self.ok_button.setText(self.tr("解锁"))
        else:
            self.title.setText(self.tr("志愿者控制台 · 请输入PIN"))
            self.ok_button.setText(self.tr("进入控制台"))
        self.cancel_button.setText(self.tr("返回首页"))

    def screenshot_states(self):  # type: ignore[no-untyped-def]
        return [("", lambda: self.set_start_mode(False)), ("start", lambda: self.set_start_mode(True))]

    def wipe(self) -> None:
        self.pin_field.clear()
        self.message.clear()

    def on_shown(self) -> None:
        self.wipe()
        left = self._access.seconds_locked()
        if left:
            self.message.setText(self._pick(LockedOut(left)))
        self.pin_field.setFocus()

    def submit(self) -> None:
        pin = self.pin_field.text()
        self.pin_field.clear()
        try:
            self._access.unlock(pin)
        except (WrongPin, LockedOut) as exc:
            self.message.setText(self._pick(exc))
            return
        self.message.clear()
        self.unlocked.emit()

    def _pick(self, exc: WrongPin | LockedOut) -> str:
        return self._presentation.pick(exc.zh, exc.en)
