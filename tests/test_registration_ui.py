"""Joining the union at the kiosk, driven as a worker would: consent, form pages, duplicates, oath, welcome."""

from __future__ import annotations

import shutil

import pytest

from booth_common.records import Kind
from booth_common.tokens import normalise_token
from kiosk.app import build_core
from kiosk.membership import RegistrationForm
from kiosk.settings import DEMO_CONFIG
from kiosk.ui.screens import Screen
from registration_driver import (WORKER, commit_text, fill_form, press_digits, screen, start_gui, stop_gui, texts_in, to_form,
                                 valid_id)


@pytest.fixture
def gui(qtbot, core, tmp_path):
    gui = start_gui(core, tmp_path)
    yield gui
    stop_gui(gui)


def registrations(core) -> list:
    return list(core.ledger.records(kind=Kind.REGISTRATION))


def test_a_worker_joins_and_gets_an_opaque_member_pass(gui, core):
    window = gui.window
    register = to_form(window)
    fill_form(register)
    assert window.current is Screen.REVIEW
    screen(window, Screen.REVIEW).submit_button.click()

    assert window.current is Screen.WELCOME
    [record] = registrations(core)
    assert record.data["consent"]["notice_version"] == core.config.registration.notice_version
    assert record.data["oath_taken"] is True
    assert record.data["occupation"] == core.config.registration.occupations[0].id
    assert record.data["employer"] == core.config.registration.employer_picks[0]
    assert (record.data["district"], record.data["street"]) == (core.config.booth.district, core.config.booth.street)
    welcome = screen(window, Screen.WELCOME)
    token = welcome.card.qr.text
    assert normalise_token(token) == token and token == record.data["pass_token"]
    assert not any(part in token for part in (WORKER["phone"], WORKER["id_number"][:6]))
    shown = " ".join(texts_in(window))
    assert "王*明" in shown and "*******8000" in shown
    for secret in WORKER.values():
        assert secret not in shown


def test_sex_and_birth_date_are_never_asked(gui):
    register = to_form(gui.window)
    asked = " ".join(texts_in(register))
    for word in ("性别", "出生日期"):
        assert word not in asked.replace("性别和出生日期由身份证号得出", "")
    assert [f for page in register.pages for f in page.fields] == [
        "name", "phone", "id_number", "occupation", "employer", "district", "street"]
    assert len(register.pages) == 4  # occupation, employer and place share one page


def test_declining_consent_stores_nothing_and_returns_home(gui, core):
    window = gui.window
    window.attract.join_button.click()
    consent = screen(window, Screen.CONSENT)
    # The consent is one explicit act whose words say what it is; nothing is pre-ticked.
    assert consent.continue_button.text() == "我已阅读并同意，继续"
    consent.decline_button.click()
    assert window.current is Screen.ATTRACT
    assert list(core.ledger.records()) == []


def test_the_notice_says_who_what_why_how_long_and_to_whom(gui, core):
    gui.window.attract.join_button.click()
    notice = screen(gui.window, Screen.CONSENT).notice.toPlainText()
    for heading in ("谁收集", "收集什么", "用来做什么", "保存多久", "谁会收到"):
        assert heading in notice
    assert core.config.booth.organisation in notice
    assert f"{core.config.retention_days} 天" in notice
    assert core.config.registration.notice_version in notice


def test_without_consent_the_service_refuses_and_nothing_is_stored(gui, core):
    # Even if a future change wired the form past the consent screen, the registration is refused.
    flow_register = screen(gui.window, Screen.REGISTER)
    gui.window.show_screen(Screen.REGISTER)
    fill_form(flow_register)
    screen(gui.window, Screen.REVIEW).submit_button.click()
    assert gui.window.current is Screen.REGISTER
    assert "未同意个人信息告知" in flow_register.pages[-1].error.text()
    assert list(core.ledger.records()) == []


@pytest.mark.parametrize("name, message", [
    ("", "请输入姓名"),
    ("王", "姓名至少2个字"),
    ("王1", "姓名只能包含汉字、字母和间隔号“·”"),
    ("·王", "间隔号“·”只能用在两个字之间"),
])
def test_an_invalid_name_is_refused_with_its_reason(gui, name, message):
    register = to_form(gui.window)
    if name:
        commit_text(register.pages[0].name_edit, name)
    register.next_button.click()
    assert register.page_index == 0
    assert register.pages[0].error.text() == message
    assert register.steps[0].property("state") == "error"


@pytest.mark.parametrize("digits, message", [
    ("1380013800", "手机号应为11位，现为10位"),
    ("12345678901", "不是有效的中国大陆手机号（应以13–19开头）"),
    ("", "请输入手机号"),
])
def test_an_invalid_phone_is_refused_with_its_reason(gui, digits, message):
    register = to_form(gui.window)
    commit_text(register.pages[0].name_edit, WORKER["name"])
    register.next_button.click()
    press_digits(register.pages[1], digits)
    if register.page_index == 1:  # a complete valid number would have moved on by itself
        register.next_button.click()
    assert register.page_index == 1
    assert register.pages[1].error.text() == message


@pytest.mark.parametrize("id_number, message", [
    (valid_id()[:17] + ("1" if valid_id()[17] != "1" else "2"), "身份证号校验位不符，请核对每一位"),
    (valid_id(birth="20150101"), "入会须年满16周岁"),
    (valid_id(area="110199"), "身份证号第1–6位的地区代码不存在：110199"),
    (valid_id(area="910105")[:17] + ("1" if valid_id(area="910105")[17] != "1" else "2"),
     "永居证号码校验位不符，请核对每一位"),
    (valid_id()[:12], "身份证号应为18位，现为12位"),
])
def test_an_invalid_id_number_is_refused_with_its_reason(gui, id_number, message):
    register = to_form(gui.window)
    commit_text(register.pages[0].name_edit, WORKER["name"])
    register.next_button.click()
    press_digits(register.pages[1], WORKER["phone"])
    assert register.page_index == 2  # the valid phone moved on by itself
    press_digits(register.pages[2], id_number)
    register.next_button.click()
    assert register.page_index == 2
    assert register.pages[2].error.text() == message


@pytest.mark.parametrize("id_number, kind", [
    (valid_id(), "resident_id"),
    (valid_id(area="830000"), "hmt_residence_permit"),
    (valid_id(area="931000", birth="84019800", serial="101"), "foreign_permanent_residence"),
])
def test_each_document_kind_joins_and_is_recorded_with_the_registration(gui, core, id_number, kind):
    register = to_form(gui.window)
    fill_form(register, id_number=id_number)
    screen(gui.window, Screen.REVIEW).submit_button.click()
    assert gui.window.current is Screen.WELCOME
    [record] = registrations(core)
    assert record.data["document_kind"] == kind
    assert id_number not in str(record.data)


def test_the_id_page_names_the_accepted_documents_in_both_languages(gui, qtbot):
    register = to_form(gui.window)
    register.go_to(2)
    page = register.pages[2]
    assert page.documents.isVisible() and not register.pages[1].documents.isVisible()
    assert page.documents.text() == "居民身份证 / 港澳台居民居住证 / 外国人永久居留身份证"
    gui.presentation.toggle_language()
    qtbot.waitUntil(lambda: page.question.text() == "Your ID number")
    assert page.documents.text() == ("Resident ID card / Hong Kong, Macao and Taiwan residence permit"
                                     " / Foreign permanent residence ID card")


def test_a_valid_number_is_named_as_the_document_it_was_read_as_until_the_next_person(gui, qtbot):
    register = to_form(gui.window)
    register.go_to(2)
    page = register.pages[2]
    press_digits(page, valid_id(area="830000"))
    assert page.hint.text() == "已识别：港澳台居民居住证"
    gui.presentation.toggle_language()
    qtbot.waitUntil(lambda: page.hint.text() == "Recognised: Hong Kong, Macao and Taiwan residence permit")
    gui.presentation.toggle_language()
    page.digits.setText(valid_id(area="931000", birth="84019800", serial="101"))
    assert page.hint.text() == "已识别：外国人永久居留身份证"
    page.digits.backspace()
    assert page.hint.text() == "18位；最后一位是X的，请按X键"
    page.digits.setText(valid_id())
    register.wipe()
    assert page.hint.text() == "18位；最后一位是X的，请按X键" and page.digits.text() == ""


def test_an_id_refusal_is_shown_in_english_with_the_digits_it_read(gui, qtbot):
    gui.presentation.toggle_language()
    register = to_form(gui.window)
    qtbot.waitUntil(lambda: register.next_button.text() == "Next")
    commit_text(register.pages[0].name_edit, WORKER["name"])
    register.next_button.click()
    press_digits(register.pages[1], WORKER["phone"])
    press_digits(register.pages[2], valid_id(area="110199"))
    register.next_button.click()
    assert register.pages[2].error.text() == (
        "Characters 1–6 of the ID number, 110199, are not the code of any county, past or present")


def test_a_wrong_character_is_flagged_while_typing_but_an_unfinished_number_is_not(gui):
    register = to_form(gui.window)
    commit_text(register.pages[0].name_edit, "王1")
    assert register.pages[0].error.text() == "姓名只能包含汉字、字母和间隔号“·”"
    register.go_to(2)
    press_digits(register.pages[2], "1101")
    assert register.pages[2].error.text() == ""


def test_the_id_keypad_types_x_and_the_phone_keypad_has_none(gui):
    register = to_form(gui.window)
    assert "X" not in register.pages[1].keypad.buttons
    register.go_to(2)
    press_digits(register.pages[2], "11010519491231002")
    register.pages[2].keypad.buttons["X"].click()
    assert register.pages[2].digits.text() == "11010519491231002X"
    register.go_to(2)
    register.pages[2].keypad.buttons["⌫"].click()
    assert register.pages[2].digits.text() == "11010519491231002"
    assert register.pages[2].digits.displayText() == "110105 19491231 002"
    register.pages[2].keypad.buttons["C"].click()
    assert register.pages[2].digits.text() == ""


def test_an_unchosen_occupation_is_refused(gui):
    register = to_form(gui.window)
    commit_text(register.pages[0].name_edit, WORKER["name"])
    register.phone_page.digits.setText(WORKER["phone"])
    register.id_page.digits.setText(WORKER["id_number"])
    register.go_to(3)
    register.next_button.click()
    assert register.page_index == 3
    assert register.details_page.occupation.error.text() == "请选择职业"


def test_the_submit_button_says_what_is_still_missing_and_leads_there(gui, core):
    register = to_form(gui.window)
    register.go_to(len(register.pages) - 1)
    assert register.next_button.text() == "尚未完成：姓名、手机号、身份证号、职业"
    assert register.next_button.accessibleName() == register.next_button.text()
    register.next_button.click()
    assert register.page_index == 0
    assert register.pages[0].error.text() == "请输入姓名"
    commit_text(register.pages[0].name_edit, WORKER["name"])
    register.go_to(len(register.pages) - 1)
    assert register.next_button.text() == "尚未完成：手机号、身份证号、职业"
    assert list(core.ledger.records()) == []


def test_employer_is_a_quick_pick_or_free_text(gui):
    register = to_form(gui.window)
    employer = register.details_page.employer
    register.go_to(3)
    employer.tiles[1].click()
    assert register.form().employer == gui.window.screens[Screen.REGISTER]._members.config.registration.employer_picks[1]
    employer.other.clear()
    commit_text(employer.other, "闪送")
    assert register.form().employer == "闪送"
    assert employer.chosen() == -1


def test_district_and_street_default_to_the_booth_and_can_change(gui, core):
    register = to_form(gui.window)
    place = register.details_page.place
    assert (register.form().district, register.form().street) == (core.config.booth.district, core.config.booth.street)
    register.go_to(3)
    assert not place.tiles[0].isVisible()  # the booth's district is shown; its tiles open on 更改
    place.change_button.click()
    place.tiles[0].click()
    commit_text(place.other_street, "东华门街道")
    place.other_street.textEdited.emit(place.other_street.text())
    assert (register.form().district, register.form().street) == (core.config.registration.districts[0], "东华门街道")
    assert not place.booth_street.isChecked()


def test_a_returning_worker_sees_masked_data_and_the_same_pass(gui, core):
    member = core.booth.members.register(RegistrationForm(**WORKER, occupation="courier", consent_given=True))
    window = gui.window
    fill_form(to_form(window))
    assert window.current is Screen.ALREADY_REGISTERED
    already = screen(window, Screen.ALREADY_REGISTERED)
    assert already.card.isVisibleTo(window) and already.card.qr.text == member.pass_token
    shown = " ".join(texts_in(already))
    assert "王*明" in shown and "*******8000" in shown
    for secret in WORKER.values():
        assert secret not in shown
    assert len(registrations(core)) == 1


def test_a_matching_phone_alone_does_not_hand_out_someone_elses_pass(gui, core):
    core.booth.members.register(RegistrationForm(**WORKER, occupation="courier", consent_given=True))
    window = gui.window
    fill_form(to_form(window), id_number=valid_id(birth="19850521", serial="456"))
    assert window.current is Screen.ALREADY_REGISTERED
    already = screen(window, Screen.ALREADY_REGISTERED)
    assert not already.card.isVisibleTo(window) and already.card.qr.text == ""
    assert "服务台" in already.desk_hint.text()
    assert "手机号已经登记过" in already.explanation.text()
    assert already.edit_button.text() == "返回修改手机号"
    already.edit_button.click()
    assert window.current is Screen.REGISTER
    assert screen(window, Screen.REGISTER).page_index == 1  # the phone's page, not the last one
    assert len(registrations(core)) == 1


def test_with_the_oath_switched_off_the_review_submits_without_it(qtbot, tmp_path):
    config = tmp_path / "event.toml"
    shutil.copy(DEMO_CONFIG, config)
    shutil.copy(DEMO_CONFIG.parent / "quiz-bank.toml", tmp_path)  # the event file names it relatively
    config.write_text(config.read_text(encoding="utf-8").replace("oath_enabled = true", "oath_enabled = false"),
                      encoding="utf-8")
    core = build_core(data_dir=tmp_path / "data", config_path=config)
    gui = start_gui(core, tmp_path)
    try:
        fill_form(to_form(gui.window))
        review = screen(gui.window, Screen.REVIEW)
        assert not review.oath.isVisibleTo(review) and review.submit_button.text() == "提交登记"
        review.submit_button.click()
        assert gui.window.current is Screen.WELCOME
        [record] = registrations(core)
        assert record.data["oath_taken"] is False
    finally:
        stop_gui(gui)
        core.close()


def test_the_oath_shows_the_configured_text(gui, core):
    fill_form(to_form(gui.window))
    oath = screen(gui.window, Screen.REVIEW)
    assert oath.oath.text() == core.config.registration.oath_text
    assert oath.submit_button.text() == "我宣誓，提交登记"
    oath.back_button.click()
    assert gui.window.current is Screen.REGISTER
    assert registrations(core) == []


def test_welcome_says_what_to_do_next(gui):
    fill_form(to_form(gui.window))
    screen(gui.window, Screen.REVIEW).submit_button.click()
    steps = " ".join(label.text() for label in screen(gui.window, Screen.WELCOME).steps)
    for words in ("服务台", "职工福利包", "互助服务卡"):
        assert words in steps
    screen(gui.window, Screen.WELCOME).done_button.click()
    assert gui.window.current is Screen.ATTRACT


def test_errors_follow_the_language_in_use(gui, qtbot):
    window = gui.window
    window.attract.language_button.click()
    register = to_form(window)
    # Qt posts LanguageChange to each window: wait for the event loop to deliver it.
    qtbot.waitUntil(lambda: register.next_button.text() == "Next")
    register.next_button.click()
    assert register.pages[0].error.text() == "Please enter your name"
    gui.presentation.toggle_language()
    qtbot.waitUntil(lambda: register.pages[0].error.text() == "请输入姓名")


def test_touch_targets_are_at_least_64_px(gui):
    window = gui.window
    register = to_form(window)
    for index in range(len(register.pages)):
        register.go_to(index)
        gui.app.processEvents()
        from PySide6.QtWidgets import QAbstractButton, QLineEdit
        for widget in register.findChildren(QAbstractButton) + register.findChildren(QLineEdit):
            if widget.isVisible():
                assert widget.height() >= 64, (index, widget.text())
