"""Every PIN the console asks for is one PinField: hidden as typed, no input method sees it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from console_helpers import FakeClock, close_gui, open_gui
from kiosk.ui.widgets import PinField


def test_the_lock_the_pin_change_and_the_setup_share_one_pin_field(qtbot, tmp_path):
    core, gui = open_gui(tmp_path, FakeClock())
    try:
        console = gui.console
        fields = [console.pin.pin_field, *console.pin_change.fields.values(), console.setup.pin, console.setup.pin_again]
        for field in fields:
            assert isinstance(field, PinField)
            assert field.echoMode() is QLineEdit.EchoMode.Password
            assert not field.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
            assert field.inputMethodHints() & Qt.InputMethodHint.ImhSensitiveData
        field = console.pin.pin_field
        field.setText("2468")
        assert field.displayText() != "2468"  # what a bystander sees
    finally:
        close_gui(core, gui)
