"""Drives the kiosk's joining flow as a worker would: taps, keypad presses, Chinese through input-method commits.

Shared by the registration UI tests and benchmarks (not a test module itself).
"""

from __future__ import annotations

import re
from pathlib import Path

import shiboken6
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QTextBrowser, QWidget

from booth_common.validation import id_check_char
from kiosk.app import Core, build_gui
from kiosk.ui.screens import Screen

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def valid_id(birth: str = "19900307", serial: str = "123", area: str = "110105") -> str:
    first17 = area + birth + serial
    return first17 + id_check_char(first17)


WORKER = {"name": "王小明", "phone": "13800138000", "id_number": valid_id()}

# Human pace (README, "Time to join"): a tap 0.8 s; a key of a number keypad 0.5 s; a Pinyin letter 0.35 s and one
# candidate pick (a tap) for the name. The name 王小明 is typed as "wangxiaoming" and picked as one phrase.
TAP_S, KEYPAD_KEY_S, PINYIN_LETTER_S = 0.8, 0.5, 0.35
NAME_PINYIN = "wangxiaoming"


def human_pace_s(*, taps: int, keypad_keys: int) -> float:
    """Seconds a person needs for the taps and typing counted (reading the notice and the oath not included)."""
    return taps * TAP_S + keypad_keys * KEYPAD_KEY_S + len(NAME_PINYIN) * PINYIN_LETTER_S + TAP_S


def start_gui(core: Core, tmp_path: Path, *, idle_timeout_ms: int = 600_000, windowed: bool = True, size=(1280, 800)):
    gui = build_gui(core, windowed=windowed, idle_timeout_ms=idle_timeout_ms, countdown_s=1, tick_ms=50,
                    cache_dir=tmp_path / "cache")
    gui.window.resize(*size)
    gui.window.show()
    return gui


def stop_gui(gui) -> None:  # type: ignore[no-untyped-def]
    """Delete the window now: windows left for a later deleteLater pile up, and every new test
    then pays for restyling and retranslating all of them."""
    gui.presentation.reset()
    gui.window.allow_close()
    gui.window.close()
    shiboken6.delete(gui.window)
    shiboken6.delete(gui.presentation)


def commit_text(field: QLineEdit, text: str) -> None:
    """What the Pinyin keyboard does when a candidate is chosen (keyClicks cannot send Chinese)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(field, event)


def press_digits(page, digits: str) -> None:  # type: ignore[no-untyped-def]
    for key in digits:
        page.keypad.buttons[key].click()


def screen(window, which: Screen):  # type: ignore[no-untyped-def]
    return window.screens[which]


def to_form(window) -> object:  # type: ignore[no-untyped-def]
    """Attract → consent (我已阅读并同意，继续) → the first form page; returns the register screen."""
    window.attract.join_button.click()
    consent = screen(window, Screen.CONSENT)
    consent.continue_button.click()
    assert window.current is Screen.REGISTER
    return screen(window, Screen.REGISTER)


def fill_form(register, *, name: str = WORKER["name"], phone: str = WORKER["phone"],  # type: ignore[no-untyped-def]
              id_number: str = WORKER["id_number"], occupation: int = 0, employer: int | None = 0) -> None:
    """Every page in order: 下一步 after the name, the numbers advance by themselves, 下一步 after the work page
    (the place keeps its defaults) — which leads to the review page (or 您已登记)."""
    name_page, phone_page, id_page, details = register.pages
    commit_text(name_page.name_edit, name)
    register.next_button.click()
    press_digits(phone_page, phone)
    press_digits(id_page, id_number)
    details.occupation.tiles[occupation].click()
    if employer is not None:
        details.employer.tiles[employer].click()
    register.next_button.click()


def texts_in(widget: QWidget) -> list[str]:
    """Every text a person could read in ``widget``: labels, buttons, fields, placeholders, rich text."""
    found: list[str] = []
    for child in [widget, *widget.findChildren(QWidget)]:
        if isinstance(child, QLabel | QAbstractButton):
            found.append(child.text())
        elif isinstance(child, QLineEdit):
            found += [child.text(), child.placeholderText()]
        elif isinstance(child, QTextBrowser):
            found.append(child.toPlainText())
    return [t for t in found if t]


def line_edit_texts(widget: QWidget) -> list[str]:
    return [e.text() for e in widget.findChildren(QLineEdit) if e.text()]
