"""The employer meeting screens on the console: reached from home behind the PIN, the form written through the
service (read back from the ledger), a refusal shown in both languages with nothing written, the follow-up list."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from booth_common.records import Kind
from console_helpers import FakeClock, close_gui, open_gui, unlock
from kiosk.employers import MeetingForm
from kiosk.ui.i18n import Language
from kiosk.ui.screens import Screen


def commit(field, text: str) -> None:  # type: ignore[no-untyped-def]
    """Text as the input method commits it (Chinese cannot be sent as key clicks)."""
    field.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(field, event)


@pytest.fixture
def console(qtbot, tmp_path):
    core, gui = open_gui(tmp_path, FakeClock())
    unlock(gui)
    yield core, gui
    close_gui(core, gui)


def meetings_in_ledger(core) -> list:  # type: ignore[no-untyped-def]
    return list(core.ledger.records(kind=Kind.EMPLOYER_MEETING))


def test_a_meeting_entered_on_the_form_is_a_sealed_record_and_shows_in_the_follow_up_list(console, qtbot):
    core, gui = console
    gui.console.home.employers_button.click()
    assert gui.window.current is Screen.EMPLOYERS
    follow = gui.console.employers
    assert follow.meetings == [] and follow.empty.isVisible()
    follow.new_button.click()
    assert gui.window.current is Screen.EMPLOYER_MEETING
    form = gui.console.employer_meeting
    commit(form.fields["enterprise_name"], "北京鑫达物流有限公司")
    qtbot.keyClicks(form.fields["uscc"], "91110000600037341l")
    commit(form.fields["industry"], "物流")
    qtbot.keyClicks(form.fields["workers"], "180")
    qtbot.keyClicks(form.fields["new_form_workers"], "60")
    form.size_buttons["100_299"].click()
    form.next_button.click()
    commit(form.fields["contact_name"], "王建国")
    qtbot.keyClicks(form.fields["contact_phone"], "13912345678")
    form.need_buttons["legal"].click()
    form.next_button.click()
    form.package_buttons["legal_checkup"].click()
    form.outcome_buttons["agreed_to_found"].click()
    form.follow_buttons["7"].click()
    form.save_button.click()

    [record] = meetings_in_ledger(core)
    assert record.data["uscc"] == "91110000600037341L" and record.data["workers"] == 180
    assert record.data["outcome"] == "agreed_to_found" and record.data["needs"] == ["legal"]
    assert record.data["follow_up"] == (dt.date.today() + dt.timedelta(days=7)).isoformat()
    assert "王建国" not in record.payload and core.ledger.sealed_envelope(record.id)
    assert gui.window.current is Screen.EMPLOYERS
    assert "北京鑫达物流有限公司" in follow.message.text()
    assert [m.record_id for m in follow.meetings] == [record.id]
    row = follow.follow_list.item(0).text()
    assert "王*国" in row and "王建国" not in row and "13912345678" not in row
    assert form.fields["enterprise_name"].text() == "" and form.pages.currentIndex() == 0  # the form was wiped


@pytest.mark.parametrize("language, said", [(Language.ZH, "统一社会信用代码不使用字母I、O、Z、S、V，此处有：O"),
                                            (Language.EN, "never uses the letters I, O, Z, S or V; this one has O")])
def test_a_refused_code_is_explained_and_nothing_is_written(console, qtbot, language, said):
    core, gui = console
    gui.presentation.set_language(language)
    gui.console.home.employers_button.click()
    gui.console.employers.new_button.click()
    form = gui.console.employer_meeting
    commit(form.fields["enterprise_name"], "北京鑫达物流有限公司")
    qtbot.keyClicks(form.fields["uscc"], "91110000600O37341L")
    form.go_to(2)
    form.save_button.click()
    assert said in form.message.text()
    assert form.pages.currentIndex() == 0  # the page of the first field at fault
    assert meetings_in_ledger(core) == []
    assert gui.window.current is Screen.EMPLOYER_MEETING


def test_personal_fields_keep_no_input_dictionary(console):
    _core, gui = console
    form = gui.console.employer_meeting
    for name in ("contact_name", "contact_phone"):
        assert form.fields[name].inputMethodHints() & Qt.InputMethodHint.ImhSensitiveData


def test_the_follow_up_list_marks_overdue_meetings_and_leaves_out_far_ones(console):
    core, gui = console
    employers = core.booth.employers
    today = dt.date.today()
    base = dict(uscc="91110000600037341L", size_band="20_99", workers="30", new_form_workers="0",
                contact_name="李四", contact_phone="13800001111")
    soon = employers.record_meeting(MeetingForm(enterprise_name="甲公司", outcome="will_consider",
                                                follow_up=(today + dt.timedelta(days=2)).isoformat(), **base))
    employers.record_meeting(MeetingForm(enterprise_name="乙公司", outcome="will_consider",
                                         follow_up=(today + dt.timedelta(days=40)).isoformat(), **base))
    core.booth.writer.today = today + dt.timedelta(days=3)  # three days later the first is overdue
    gui.console.home.employers_button.click()
    follow = gui.console.employers
    assert [m.record_id for m in follow.meetings] == [soon.record_id]
    assert follow.overdue_rows() == [0]
    assert "已逾期" in follow.follow_list.item(0).text()


def test_a_follow_up_visit_is_recorded_from_the_list_as_a_correction(console):
    core, gui = console
    employers = core.booth.employers
    made = employers.record_meeting(MeetingForm(
        enterprise_name="甲公司", uscc="91110000600037341L", size_band="20_99", workers="30", new_form_workers="0",
        contact_name="李四", contact_phone="13800001111", outcome="will_consider",
        follow_up=(dt.date.today() + dt.timedelta(days=1)).isoformat()))
    gui.console.home.employers_button.click()
    follow = gui.console.employers
    assert not follow.visit_panel.isVisible()
    follow.follow_list.setCurrentRow(0)
    assert follow.visit_panel.isVisible() and follow.outcome_buttons["will_consider"].isChecked()
    gui.presentation.set_language(Language.EN)  # a language change keeps the meeting picked
    assert follow.follow_list.currentRow() == 0 and follow.visit_panel.isVisible()
    follow.outcome_buttons["agreed_to_found"].click()
    follow.next_buttons["30"].click()
    follow.record_visit_button.click()
    [correction] = [r for r in core.ledger.references_to(made.record_id) if r.kind == Kind.CORRECTION]
    assert correction.data["changes"] == {"outcome": "agreed_to_found",
                                          "follow_up": (dt.date.today() + dt.timedelta(days=30)).isoformat()}
    [now] = employers.meetings()
    assert now.outcome.value == "agreed_to_found" and now.corrections == 1
    assert [m.record_id for m in follow.meetings] == [made.record_id]  # agreed: still on the list
    assert "甲公司" in follow.message.text() and not follow.visit_panel.isVisible()
