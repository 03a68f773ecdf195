"""Joining at the kiosk the way a person does it: each control found by its visible text or spoken name, taps counted.

The issue's bar: from the attract screen to the member pass in at most 6 taps besides typing the name and the two
numbers, with the notice and an explicit consent and the oath kept.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget

from booth_common.records import Kind
from kiosk.ui.screens import Screen
from registration_driver import WORKER, commit_text, human_pace_s, start_gui, stop_gui

MAX_TAPS = 6


def spoken_name(widget: QWidget) -> str:
    """What a screen reader announces: Qt's accessibility interface, not the widget's own attributes."""
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)

class Person:
    """Finds what to touch on the screen in front, by what it says, as a person would; counts the taps."""

    def __init__(self, window):  # type: ignore[no-untyped-def]
        self.window = window
        self.taps = 0
        self.keys = 0

    def _front(self) -> QWidget:
        return self.window.screens[self.window.current]

    def _button(self, words: str) -> QAbstractButton:
        found = [b for b in self._front().findChildren(QAbstractButton)
                 if b.isVisible() and b.isEnabled() and words in (b.text(), spoken_name(b))]
        assert len(found) == 1, f"{words!r} on {self.window.current}: {len(found)} buttons"
        return found[0]

    def tap(self, words: str) -> None:
        self._button(words).click()
        self.taps += 1

    def type_digits(self, digits: str) -> None:
        for digit in digits:
            self._button(digit).click()  # the keypad's keys are found by what they say too
            self.keys += 1

    def type_text(self, field_name: str, text: str) -> None:
        [field] = [f for f in self._front().findChildren(QLineEdit) if f.isVisible() and spoken_name(f) == field_name]
        commit_text(field, text)  # what the Pinyin keyboard sends once a candidate is chosen


@pytest.fixture
def gui(core, tmp_path):
    gui = start_gui(core, tmp_path)
    yield gui
    stop_gui(gui)


@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
def test_joining_takes_at_most_six_taps_besides_the_name_and_numbers(gui, core, size):
    window = gui.window
    window.resize(*size)
    person = Person(window)
    person.tap("我要入会")
    assert window.current is Screen.CONSENT
    person.tap("我已阅读并同意，继续")  # the consent itself, recorded below
    person.type_text("姓名", WORKER["name"])
    person.tap("下一步")
    person.type_digits(WORKER["phone"])  # a complete valid number moves on by itself
    person.type_digits(WORKER["id_number"])
    occupation = core.config.registration.occupations[0].name
    person.tap(occupation)
    person.tap("下一步")
    assert window.current is Screen.REVIEW
    person.tap("我宣誓，提交登记")  # the oath is shown above this button; this tap takes it and submits
    assert window.current is Screen.WELCOME
    assert window.screens[Screen.WELCOME].card.qr.text  # the member pass is on the screen

    assert person.taps <= MAX_TAPS, person.taps
    assert person.keys == len(WORKER["phone"]) + len(WORKER["id_number"])
    # Within "about a minute" with room to read: 6 × 0.8 + 29 × 0.5 + 12 × 0.35 + 0.8 = 24.3 s (11 taps before: 28.3 s).
    assert human_pace_s(taps=person.taps, keypad_keys=person.keys) == pytest.approx(24.3)
    [record] = core.ledger.records(kind=Kind.REGISTRATION)
    assert record.data["consent"]["notice_version"] == core.config.registration.notice_version
    assert record.data["oath_taken"] is True


def test_a_mistyped_number_is_fixed_from_the_review_page_and_the_form_returns_there(gui, core):
    window = gui.window
    person = Person(window)
    person.tap("我要入会")
    person.tap("我已阅读并同意，继续")
    person.type_text("姓名", WORKER["name"])
    person.tap("下一步")
    person.type_digits("13900000000")
    person.type_digits(WORKER["id_number"])
    person.tap(core.config.registration.occupations[1].name)
    person.tap("下一步")
    review = window.screens[Screen.REVIEW]
    assert review.entry_text("phone") == "139 0000 0000"  # grouped as written, easy to check
    person.tap("修改手机号")
    assert window.current is Screen.REGISTER and window.screens[Screen.REGISTER].page_index == 1
    person.tap("清空")
    person.type_digits(WORKER["phone"])  # complete and valid: straight back to the review
    assert window.current is Screen.REVIEW
    assert review.entry_text("phone") == "138 0013 8000"


def test_back_on_the_first_page_says_where_it_goes_and_cancelling_asks_first(gui, core):
    window = gui.window
    person = Person(window)
    person.tap("我要入会")
    person.tap("我已阅读并同意，继续")
    register = window.screens[Screen.REGISTER]
    assert register.back_button.text() == "上一步"  # never 取消 in the same place
    person.tap("上一步：返回入会须知")
    assert window.current is Screen.CONSENT
    person.tap("我已阅读并同意，继续")
    person.type_text("姓名", WORKER["name"])
    person.tap("下一步")
    person.type_digits("138")
    person.tap("取消入会")
    assert window.current is Screen.REGISTER  # asked first: something was entered
    person.tap("继续填写")
    assert register.phone_page.digits.text() == "138"
    person.tap("取消入会")
    person.tap("清除并离开")
    assert window.current is Screen.ATTRACT
    assert register.phone_page.digits.text() == "" and list(core.ledger.records()) == []


def test_cancelling_an_empty_form_needs_no_question(gui):
    person = Person(gui.window)
    person.tap("我要入会")
    person.tap("我已阅读并同意，继续")
    person.tap("取消入会")
    assert gui.window.current is Screen.ATTRACT


def test_the_delete_key_repeats_while_held(gui, qtbot):
    person = Person(gui.window)
    person.tap("我要入会")
    person.tap("我已阅读并同意，继续")
    register = gui.window.screens[Screen.REGISTER]
    register.go_to(2)
    register.id_page.digits.setText("11010519900307")
    erase = person._button("删除")
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    QTest.mousePress(erase, Qt.MouseButton.LeftButton, pos=QPoint(erase.width() // 2, erase.height() // 2))
    qtbot.waitUntil(lambda: len(register.id_page.digits.text()) <= 10, timeout=3000)
    QTest.mouseRelease(erase, Qt.MouseButton.LeftButton, pos=QPoint(erase.width() // 2, erase.height() // 2))
    assert len(register.id_page.digits.text()) < 10


def test_a_focused_field_looks_unlike_an_invalid_one_and_the_action_unlike_an_error(gui, qtbot):
    """Read from the pixels: the focused field's border is the primary button's colour; an invalid field's border
    is the error text's colour; the two differ."""
    from PySide6.QtGui import QColor

    person = Person(gui.window)
    person.tap("我要入会")
    person.tap("我已阅读并同意，继续")
    register = gui.window.screens[Screen.REGISTER]
    field = register.pages[0].name_edit
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)

    def border() -> QColor:
        return field.grab().toImage().pixelColor(field.width() // 2, 1)

    focused = border()
    button = register.next_button.grab().toImage().pixelColor(30,
                                                               register.next_button.height() // 2)
    commit_text(field, "王1")   # a wrong character: refused at once
    qtbot.waitUntil(lambda: register.pages[0].error.isVisible())
    invalid = border()
    error_text = register.pages[0].error.palette().color(register.pages[0].error.foregroundRole())

    def close(a: QColor, b: QColor) -> bool:
        return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) < 40

    assert close(focused, button) and focused.blue() > focused.red()
    assert close(invalid, error_text) and invalid.red() > invalid.blue()
    assert not close(focused, invalid) and not close(button, error_text)
