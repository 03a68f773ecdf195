"""Every button on every screen has a name a screen reader can say (Qt's accessibility interface, not a guess)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QApplication

from kiosk.ui.i18n import Language
from kiosk.ui.screenshots import screenshot_states
from registration_driver import start_gui, stop_gui

# A name must say something: a letter, a digit or a Chinese character, not only a symbol such as ⌫ or ·.
SAYS_SOMETHING = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")


def spoken_name(widget) -> str:  # type: ignore[no-untyped-def]
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)


@pytest.fixture
def gui(core, tmp_path):
    gui = start_gui(core, tmp_path)
    yield gui
    stop_gui(gui)


@pytest.mark.parametrize("language", [Language.ZH, Language.EN])
def test_every_button_on_every_screen_has_a_spoken_name(gui, language):
    window, seen, nameless = gui.window, 0, []
    for name, screen, prepare in screenshot_states(window):
        window.go_home()
        gui.presentation.set_language(language)
        window.show_screen(screen)
        prepare()
        QApplication.processEvents()
        for button in window.findChildren(QAbstractButton):
            if not button.isVisible():
                continue
            seen += 1
            if not SAYS_SOMETHING.search(spoken_name(button)):
                nameless.append((name, button.objectName() or type(button).__name__, button.text()))
    assert seen > 150
    assert nameless == []


def test_symbol_keys_and_step_chips_say_what_they_are(gui):
    window = gui.window
    from kiosk.ui.screens import Screen

    register = window.screens[Screen.REGISTER]
    keypad = register.id_page.keypad
    assert spoken_name(keypad.buttons["⌫"]) == "删除"
    assert spoken_name(keypad.buttons["C"]) == "清空"
    assert spoken_name(register.pages[0].dot_button) == "间隔号"
    assert spoken_name(register.steps[1]) == "第2步 手机号"
    assert spoken_name(register.next_button) == register.next_button.text() == "下一步"


@pytest.mark.parametrize("language", [Language.ZH, Language.EN])
def test_every_field_of_the_joining_flow_has_a_spoken_name(gui, language):
    from PySide6.QtWidgets import QLineEdit

    from kiosk.ui.screens import Screen

    gui.presentation.set_language(language)
    QApplication.processEvents()
    register = gui.window.screens[Screen.REGISTER]
    fields = register.findChildren(QLineEdit)
    assert len(fields) >= 5   # name, phone, ID, other employer, other street
    assert [f.objectName() or f.placeholderText() for f in fields if not SAYS_SOMETHING.search(spoken_name(f))] == []
