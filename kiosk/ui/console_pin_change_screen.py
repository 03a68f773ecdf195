"""The console's PIN change: the old PIN, the new one twice, on the app's own keypad."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from kiosk.access import PIN_MAX, ConsoleAccess
from kiosk.errors import BadPin, LockedOut, WrongPin
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import (KeypadArrangement, NumericKeypad, PinField, ScreenBase, back_button, big_button,
                              screen_title)

FIELDS = ("old", "new", "again")


class ConsolePinChangeScreen(ScreenBase):
    changed = Signal()
    back_requested = Signal()
    idle_return = False  # the console's own lock handles idleness

    def __init__(self, access: ConsoleAccess, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._access, self._presentation = access, presentation
        self.title = screen_title(wrap=True)
        self.fields = {name: self._pin_field() for name in FIELDS}
        self._labels = {name: QLabel(objectName="hint") for name in FIELDS}
        self.active = self.fields["old"]
        self.keypad = NumericKeypad()
        self.keypad.pressed.connect(self._type)
        self.keypad.backspace.connect(lambda: self.active.backspace())
        self.keypad.cleared.connect(lambda: self.active.clear())
        self.message = QLabel(objectName="error", wordWrap=True)
        self.save_button = big_button("primary")
        self.save_button.clicked.connect(self.save)
        self.back_button = back_button()
        self.back_button.clicked.connect(self.back_requested)
        self._build_layout()
        self.retranslate()

    def _pin_field(self) -> PinField:
        field = PinField(max_length=PIN_MAX)
        field.installEventFilter(self)  # the keypad types into whichever field was tapped last
        return field

    def _build_layout(self) -> None:
        form = QGridLayout()
        for i, name in enumerate(FIELDS):
            form.addWidget(self._labels[name], 2 * i, 0)
            form.addWidget(self.fields[name], 2 * i + 1, 0)
        column = QVBoxLayout()
        column.addLayout(form)
        column.addWidget(self.message)
        column.addWidget(self.save_button)
        column.addStretch()
        column.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.keypad_arrangement = KeypadArrangement(self, self.title, column, self.keypad, self._presentation)

    def retranslate(self) -> None:
        self.title.setText(self.tr("修改志愿者PIN"))
        for name, text in zip(FIELDS, (self.tr("当前PIN"), self.tr("新PIN（6–12 位数字）"), self.tr("再次输入新PIN")),
                              strict=True):
            self._labels[name].setText(text)
        self.save_button.setText(self.tr("保存新PIN"))
        self.back_button.setText(self.tr("返回控制台"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.FocusIn and watched in self.fields.values():
            self.active = watched
        return super().eventFilter(watched, event)

    def _type(self, key: str) -> None:
        if len(self.active.text()) < self.active.maxLength():
            self.active.insert(key)

    def wipe(self) -> None:
        for field in self.fields.values():
            field.clear()
        self.message.clear()
        self.active = self.fields["old"]

    def on_shown(self) -> None:
        self.wipe()
        self.fields["old"].setFocus()

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        self.wipe()  # typed PINs never wait behind another screen (the idle lock included)
        super().hideEvent(event)

    def save(self) -> None:
        old, new, again = (self.fields[name].text() for name in FIELDS)
        try:
            self._access.change_pin(old, new, again)
        except (BadPin, WrongPin, LockedOut) as exc:
            self.wipe()
            self.message.setText(self._presentation.pick(exc.zh, exc.en))
            return
        self.wipe()
        self.changed.emit()
