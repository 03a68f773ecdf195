"""The member lookup screen: every field corrected on screen with a reason (read back from the ledger), rows a finger
can hit, times in Beijing time, a void set apart as destructive, kinetic scrolling."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QPointF

from booth_common.records import Kind
from booth_common.validation import id_check_char
from console_helpers import FakeClock, close_gui, open_gui, unlock
from kiosk.membership import RegistrationForm
from kiosk.ui.members_screen import local_time
from kiosk.ui.screens import Screen

ID17 = "11010519900307123"
# field -> (how the volunteer enters it: text typed or a choice picked, the value, what the record's changes say)
ON_SCREEN = {
    "name": ("text", "李大伟", {"masked_name": "李*伟"}),
    "phone": ("text", "13987654321", {"masked_phone": "*******4321"}),
    "employer": ("text", "顺丰速运", {"employer": "顺丰速运"}),
    "occupation": ("choice", "truck-driver", {"occupation": "truck-driver"}),
    "district": ("choice", "海淀区", {"district": "海淀区"}),
    "street": ("text", "中关村街道", {"street": "中关村街道"}),
}


@pytest.fixture
def lookup(qtbot, tmp_path):
    core, gui = open_gui(tmp_path, FakeClock())
    unlock(gui)
    member = core.booth.members.register(RegistrationForm(name="王小明", phone="13812345678",
                                                  id_number=ID17 + id_check_char(ID17), occupation="courier",
                                                  consent_given=True))
    gui.console.home.members_button.click()
    assert gui.window.current is Screen.MEMBERS
    screen = gui.console.members
    screen.query.setText("王小明")
    with qtbot.waitSignal(screen.searched, timeout=10_000):  # the search runs off the GUI thread
        screen.search()
    screen.results.setCurrentRow(0)
    yield core, gui, screen, member
    close_gui(core, gui)


def enter(screen, key: str) -> None:  # type: ignore[no-untyped-def]
    how, value, _ = ON_SCREEN[key]
    screen.choose_field(key)
    if how == "choice":
        assert screen.value.currentWidget() is screen.value_choice
        screen.value_choice.setCurrentIndex(screen.value_choice.findData(value))
    else:
        assert screen.value.currentWidget() is screen.value_text
        screen.value_text.setText(value)


@pytest.mark.parametrize("key", list(ON_SCREEN))
def test_each_field_is_corrected_on_screen_with_a_reason_as_a_new_record(lookup, key, qtbot):
    core, _gui, screen, member = lookup
    registration = core.ledger.get(member.record_id)
    enter(screen, key)
    screen.correct_button.click()  # no reason yet: refused, nothing written
    assert "不能为空" in screen.message.text()
    assert list(core.ledger.records(kind=Kind.CORRECTION)) == []
    screen.reason.setText("登记时填错")
    enter(screen, key)
    with qtbot.waitSignal(screen.searched, timeout=10_000):  # the list refills off the GUI thread
        screen.correct_button.click()
    [fix] = list(core.ledger.records(kind=Kind.CORRECTION))
    assert fix.refers_to == member.record_id
    assert fix.data == {"reason": "登记时填错", "changes": ON_SCREEN[key][2]}
    assert core.ledger.get(member.record_id) == registration  # the registration itself never changes
    assert "已更正" in screen.message.text()
    shown = next(iter(ON_SCREEN[key][2].values()))
    if key == "occupation":
        shown = "货车司机"
    assert shown in screen.current.text()  # the member's fields as they now stand


def test_the_value_field_for_a_name_or_phone_keeps_no_input_dictionary(lookup):
    from PySide6.QtCore import Qt

    _core, _gui, screen, _member = lookup
    screen.choose_field("name")
    assert screen.value_text.inputMethodHints() & Qt.InputMethodHint.ImhSensitiveData


def test_rows_are_touch_targets_times_are_beijing_hh_mm_and_void_is_set_apart(lookup):
    core, gui, screen, member = lookup
    rect = screen.results.visualItemRect(screen.results.item(0))
    assert rect.height() >= 48
    text = screen.results.item(0).text()
    assert re.search(r"\b\d\d:\d\d$", text) and "T" not in text.split()[-1] and "Z" not in text
    assert local_time("2026-11-30T05:43:12Z") == "13:43" and local_time("2026-11-30T16:05:00Z") == "00:05"
    assert screen.void_button.property("role") == "danger"
    assert screen.void_button.palette().buttonText().color() != screen.correct_button.palette().buttonText().color()
    gui.app.processEvents()
    placeholder = screen.reason.placeholderText()
    needed = screen.reason.fontMetrics().horizontalAdvance(placeholder)
    assert screen.reason.width() - 24 >= needed, "the reason's placeholder is cut"
    screen.reason.setText("重复登记")
    screen.void_button.click()
    assert core.ledger.is_voided(member.record_id)


def test_the_results_scroll_with_a_finger_and_the_bar_shows_only_while_they_move(qtbot, tmp_path):
    core, gui = open_gui(tmp_path, FakeClock())
    try:
        unlock(gui)
        for i in range(30):
            id17 = f"110105199{i % 10}0307{100 + i:03d}"[:17]
            core.booth.members.register(RegistrationForm(name="王小明", phone=f"1381234{5600 + i:04d}",
                                                 id_number=id17 + id_check_char(id17), occupation="courier",
                                                 consent_given=True))
        gui.console.home.members_button.click()
        screen = gui.console.members
        screen.query.setText("王小明")
        with qtbot.waitSignal(screen.searched, timeout=10_000):
            screen.search()
        gui.app.processEvents()
        assert len(screen.members) >= 20
        scrolling = screen.touch_scrolling
        assert not scrolling.bar_shown and screen.results.verticalScrollBar().maximum() > 0
        scrolling.scroller.scrollTo(QPointF(0, 300), 100)
        qtbot.waitUntil(lambda: screen.results.verticalScrollBar().value() > 0)
        assert scrolling.bar_shown
        qtbot.waitUntil(lambda: not scrolling.bar_shown, timeout=5000)
    finally:
        close_gui(core, gui)


def test_with_the_on_screen_keyboard_open_nothing_overlaps_and_the_field_typed_in_stays_in_view(lookup, qtbot):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QListWidget, QWidget

    _core, gui, screen, _member = lookup
    window = gui.window
    keyboard = QWidget()  # the space the embedded keyboard takes at the bottom of the window (kiosk.ui.keyboard)
    keyboard.setFixedHeight(350)
    window.keyboard_area.layout().addWidget(keyboard)
    window.keyboard_area.show()
    for _ in range(3):
        window.resize(1280, 800)
        gui.app.processEvents()
    assert screen.height() < screen.scroll.widget().minimumSizeHint().height()  # it could not all fit
    controls = [w for kind in (QAbstractButton, QLineEdit, QComboBox, QListWidget)
                for w in screen.scroll.widget().findChildren(kind) if w.isVisible()]
    rects = [(w, w.geometry().translated(w.parentWidget().mapTo(screen.scroll.widget(), w.parentWidget().rect().topLeft())))
             for w in controls]
    overlaps = [(a.objectName() or type(a).__name__, b.objectName() or type(b).__name__)
                for i, (a, ra) in enumerate(rects) for b, rb in rects[i + 1:]
                if ra.intersects(rb) and not a.isAncestorOf(b) and not b.isAncestorOf(a)]
    assert overlaps == []
    for field in (screen.reason, screen.query):
        field.setFocus()
        qtbot.waitUntil(lambda f=field: f.hasFocus())
        gui.app.processEvents()
        top_left = field.mapTo(screen.scroll.viewport(), field.rect().topLeft())
        assert 0 <= top_left.y() and top_left.y() + field.height() <= screen.scroll.viewport().height()
