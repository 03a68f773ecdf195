"""The kiosk as the next person finds it: idle wipe, language, large text, translations, kiosk lock-down."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from kiosk.settings import RESOURCES
from kiosk.ui.i18n import Language, untranslated, update_ts
from kiosk.ui.keyboard import wants_keyboard
from kiosk.ui.screens import Screen
from kiosk.ui.screenshots import screenshot_states
from kiosk.ui.welcome_screen import SAMPLE_MEMBER
from registration_driver import (CJK, WORKER, commit_text, fill_form, line_edit_texts, press_digits, screen,
                                 start_gui, stop_gui, texts_in, to_form)


@pytest.fixture
def gui(core, tmp_path):
    gui = start_gui(core, tmp_path)
    yield gui
    stop_gui(gui)


@pytest.fixture
def quick_idle_gui(core, tmp_path):
    gui = start_gui(core, tmp_path, idle_timeout_ms=200)
    yield gui
    stop_gui(gui)


FLOW = (Screen.CONSENT, Screen.REGISTER, Screen.REVIEW, Screen.WELCOME, Screen.ALREADY_REGISTERED)


def assert_nothing_typed_remains(window) -> None:
    for which in FLOW:
        assert line_edit_texts(screen(window, which)) == [], which
    shown = " ".join(texts_in(window))  # every screen, the volunteer console's included
    for typed in (*WORKER.values(), "王*明", "*******8000", WORKER["phone"][:7]):
        assert typed not in shown
    for qr_screen in (Screen.WELCOME, Screen.ALREADY_REGISTERED):
        assert screen(window, qr_screen).card.qr.text == ""


def test_idle_half_way_through_the_form_wipes_every_field(quick_idle_gui, qtbot):
    window = quick_idle_gui.window
    register = to_form(window)
    commit_text(register.pages[0].name_edit, WORKER["name"])
    register.next_button.click()
    press_digits(register.pages[1], WORKER["phone"])
    press_digits(register.pages[2], WORKER["id_number"][:10])
    with qtbot.waitSignal(window.overlay.expired, timeout=5000):
        qtbot.waitUntil(window.overlay.isVisible, timeout=5000)
    assert window.current is Screen.ATTRACT
    assert_nothing_typed_remains(window)
    register = to_form(window)
    assert register.page_index == 0 and register.pages[0].error.text() == ""


def test_idle_on_the_welcome_screen_takes_the_member_pass_away(quick_idle_gui, qtbot, core):
    window = quick_idle_gui.window
    fill_form(to_form(window))
    screen(window, Screen.REVIEW).submit_button.click()
    assert screen(window, Screen.WELCOME).card.qr.text
    with qtbot.waitSignal(window.wiped, timeout=5000):
        pass
    assert window.current is Screen.ATTRACT
    assert_nothing_typed_remains(window)
    assert screen(window, Screen.REVIEW).rows == []


def test_a_touch_during_the_countdown_keeps_what_was_typed(quick_idle_gui, qtbot):
    window = quick_idle_gui.window
    register = to_form(window)
    commit_text(register.pages[0].name_edit, WORKER["name"])
    qtbot.waitUntil(window.overlay.isVisible, timeout=5000)
    window.overlay.stay_button.click()
    assert window.current is Screen.REGISTER
    assert register.pages[0].name_edit.text() == WORKER["name"]


def test_the_language_switch_turns_the_flow_english_and_the_next_person_gets_chinese(gui, qtbot):
    window = gui.window
    window.attract.language_button.click()
    consent = screen(window, Screen.CONSENT)
    window.attract.join_button.click()
    qtbot.waitUntil(lambda: consent.continue_button.text() == "I have read and agree, continue")
    assert "Personal information notice" in consent.notice.toPlainText()
    window.go_home()
    qtbot.waitUntil(lambda: consent.continue_button.text() == "我已阅读并同意，继续")
    assert gui.presentation.language is Language.ZH
    assert "个人信息告知" in consent.notice.toPlainText()


def test_large_text_mode_enlarges_the_form_and_resets_for_the_next_person(gui, qtbot):
    window = gui.window
    register = to_form(window)
    normal = register.next_button.font().pointSizeF()
    window.go_home()
    window.attract.large_text_button.click()
    register = to_form(window)
    qtbot.waitUntil(lambda: register.next_button.font().pointSizeF() > normal)
    assert register.next_button.font().pointSizeF() >= normal * 1.25
    assert register.pages[0].question.font().pointSizeF() > 24
    window.go_home()
    assert not gui.presentation.large_text
    qtbot.waitUntil(lambda: register.next_button.font().pointSizeF() == normal)


def clipped_labels(screen_widget) -> list[tuple[str, int, int]]:
    """Wrapped labels given less height than their text needs at their width: the minimum size hint of a
    layout does not see them (it takes a wrapped label's width-free hint), the picture does."""
    from PySide6.QtWidgets import QLabel

    return [(label.text()[:40], label.height(), label.heightForWidth(label.width()))
            for label in screen_widget.findChildren(QLabel)
            if label.isVisible() and label.wordWrap() and label.text()
            and label.height() < label.heightForWidth(label.width())]


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080), (800, 1280)], ids=["landscape", "fullhd", "portrait"])
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
def test_every_attract_services_and_joining_screen_state_fits_the_kiosk_sizes_in_both_languages(core, tmp_path, size, large):
    gui = start_gui(core, tmp_path, size=size)
    window = gui.window
    chrome = window.banner.sizeHint().height() + window.sync_status.sizeHint().height()
    try:
        gui.presentation.set_large_text(large)
        for language in Language:
            gui.presentation.set_language(language)
            for name, which, prepare in screenshot_states(window):
                if which not in (Screen.ATTRACT, Screen.SERVICES, *FLOW):
                    continue  # the quiz and console screens are their own modules' business
                for widget in window.screens.values():  # go_home() would also undo language and text size
                    widget.wipe()
                window.show_screen(which)
                prepare()
                gui.app.processEvents()
                hint = window.screens[which].minimumSizeHint()
                assert hint.width() <= size[0] and hint.height() <= size[1] - chrome, (language, name, hint)
                if "id_number" in name:  # the ID page's texts (elsewhere a wrapped button's label is a few px short)
                    assert clipped_labels(screen(window, which).pages[2]) == [], (language, name)
    finally:
        stop_gui(gui)


def test_every_string_of_the_ui_has_an_english_translation(tmp_path):
    # Refresh a copy from the code first, so a tr() nobody added to the .ts is caught too.
    ts = tmp_path / "kiosk_en_US.ts"
    shutil.copy(RESOURCES / "i18n" / "kiosk_en_US.ts", ts)
    update_ts(ts)
    assert untranslated(ts) == []


def configured_chinese(config) -> list[str]:
    """Names the operator configured in Chinese only (districts, employers, the oath), the sample member's
    masked name, and 中文 (the language button names its language in that language): shown as given."""
    reg, booth = config.registration, config.booth
    return sorted([*reg.districts, *reg.employer_picks, reg.oath_text, booth.street, booth.district,
                   booth.organisation, SAMPLE_MEMBER.masked_name, "中文"], key=len, reverse=True)


def test_in_english_no_label_or_button_shows_chinese_except_configured_data(gui, qtbot, core):
    window = gui.window
    allowed = configured_chinese(core.config)
    for name, which, prepare in screenshot_states(window):
        if which not in (Screen.ATTRACT, *FLOW):
            continue  # quiz questions and citations are bank data; the quiz and console test their own
        window.go_home()
        gui.presentation.set_language(Language.EN)
        window.show_screen(which)
        prepare()
        qtbot.waitUntil(lambda: not CJK.search(window.attract.join_button.text()))
        gui.app.processEvents()
        for text in texts_in(window.screens[which]):
            for ok in allowed:
                text = text.replace(ok, "")
            assert not CJK.search(text), (name, text)


def test_closing_the_window_is_refused_in_kiosk_mode(core, tmp_path):
    gui = start_gui(core, tmp_path, windowed=False)
    try:
        assert gui.window.close() is False
        assert gui.window.isVisible()
        gui.window.allow_close()
        assert gui.window.close() is True
    finally:
        stop_gui(gui)


def test_only_text_fields_call_the_on_screen_keyboard_never_the_keypad_displays(gui):
    register = to_form(gui.window)
    assert wants_keyboard(register.pages[0].name_edit)
    assert wants_keyboard(register.details_page.employer.other)
    for page in register.pages[1:3]:
        assert not wants_keyboard(page.digits)
        assert page.digits.focusPolicy() == Qt.FocusPolicy.NoFocus
