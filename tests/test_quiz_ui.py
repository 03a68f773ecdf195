"""The quiz screens as a passer-by meets them: tiles, feedback, result, prize claim, voucher, idle wipe."""

import pytest
from PySide6.QtCore import Qt

from booth_common.records import Kind
from kiosk.app import build_core, build_gui
from kiosk.errors import AlreadyReceived
from kiosk.settings import DEMO_CONFIG, RESOURCES
from kiosk.ui.quiz_screen import QuizPage
from kiosk.ui.screens import Screen

PHONE = "13812345678"


@pytest.fixture
def gui(gui):
    """The shared window, sent home before the ledger closes: a round left open is filed at the wipe,
    and the idle countdown of a screen left mid-round must not fire after the test."""
    yield gui
    gui.window.go_home()


@pytest.fixture
def unhurried_gui(gui):
    """The shared window with the idle return at ten minutes: a layout test taps by click(), which is no
    input event, and laying out every state on a loaded machine outlasts the fixture's 300 ms return (the
    wipe then showed the attract screen to the fit check, one run in a few)."""
    gui.idle.set_timeout(600_000)
    yield gui


def open_quiz(gui):
    gui.window.attract.quiz_button.click()
    assert gui.window.current is Screen.QUIZ
    return gui.window.screens[Screen.QUIZ]


def answer_current(quiz, *, right):
    """Tap the tiles as a person would: the right ones, or one wrong one."""
    question = quiz.current_round.question()
    wanted = question.correct if right else {next(o.id for o in question.options if o.id not in question.correct)}
    tiles = [t for t in quiz.question.visible_tiles() if t.property("option_id") in wanted]
    for tile in tiles:
        tile.click()
    if question.type == "multiple":
        assert quiz.question.confirm_button.isVisible()
        quiz.question.confirm_button.click()
    assert quiz.question.next_button.isVisible() and quiz.question.explanation_label.text()


def play(quiz, *, right):
    for i in range(quiz.current_round.total):
        answer_current(quiz, right=i < right)
        quiz.question.next_button.click()
    assert quiz.page is QuizPage.RESULT


def quiz_attempts(core):
    return list(core.ledger.records(kind=Kind.QUIZ_ATTEMPT))


def claim_by_phone(quiz, qtbot, phone=PHONE):
    quiz.result.claim_phone_button.click()
    assert quiz.page is QuizPage.CLAIM and quiz.claim.keypad.isVisible()
    for digit in phone:
        quiz.claim.keypad.buttons[digit].click()
    assert quiz.claim.phone_field.text() == phone
    quiz.claim.submit_claim_button.click()


def test_tiles_are_large_touch_targets_and_progress_is_shown(gui):
    quiz = open_quiz(gui)
    assert quiz.page is QuizPage.QUESTION
    assert quiz.question.progress_label.text() == "第 1 / 5 题"
    assert all(t.height() >= 64 for t in quiz.question.visible_tiles())
    assert all(t.font().pointSizeF() >= 18 for t in quiz.question.visible_tiles())
    question = quiz.current_round.question()
    assert question.text in quiz.question.question_label.text()


def test_feedback_shows_right_or_wrong_with_the_explanation(gui):
    quiz = open_quiz(gui)
    question = quiz.current_round.question()
    answer_current(quiz, right=False)
    assert quiz.question.verdict_label.text() == "回答错误"
    assert quiz.question.explanation_label.text() == question.explanation
    assert question.source in quiz.question.source_label.text()
    right_tiles = [t for t in quiz.question.visible_tiles() if t.property("option_id") in question.correct]
    assert all(t.property("verdict") == "right" and not t.isEnabled() for t in right_tiles)
    quiz.question.next_button.click()
    assert quiz.question.progress_label.text() == "第 2 / 5 题"


def test_a_full_round_passed_then_home_records_the_attempt(gui, core):
    quiz = open_quiz(gui)
    play(quiz, right=5)
    assert quiz.result.result_title.text() == "恭喜通过！" and "5 / 5" in quiz.result.result_label.text()
    assert quiz.result.claim_phone_button.isVisible() and quiz.result.claim_pass_button.isVisible()
    quiz.result.finish_button.click()
    assert gui.window.current is Screen.ATTRACT
    [record] = quiz_attempts(core)
    assert record.subject == "passed" and record.data["score"] == 5 and record.data["prize_voucher"] is None


def test_a_full_round_failed_offers_another_try_and_records_both(gui, core):
    quiz = open_quiz(gui)
    play(quiz, right=3)
    assert quiz.result.result_title.text() == "差一点就通过了"
    assert not quiz.result.claim_phone_button.isVisible() and quiz.result.retry_button.isVisible()
    quiz.result.retry_button.click()
    assert quiz.page is QuizPage.QUESTION and quiz.question.progress_label.text() == "第 1 / 5 题"
    [failed] = quiz_attempts(core)
    assert failed.subject == "failed" and failed.data["score"] == 3
    gui.window.go_home()
    assert [r.subject for r in quiz_attempts(core)] == ["failed", "abandoned"]


def test_a_prize_is_claimed_with_the_keypad_and_a_voucher_qr_is_shown(gui, core, qtbot):
    quiz = open_quiz(gui)
    play(quiz, right=4)
    claim_by_phone(quiz, qtbot)
    assert quiz.page is QuizPage.VOUCHER
    assert quiz.voucher.startswith("UV1-") and quiz.voucher_page.voucher_qr.text == quiz.voucher
    assert PHONE not in quiz.voucher_page.voucher_qr.text and quiz.claim.phone_field.text() == ""
    [record] = quiz_attempts(core)
    assert record.data["prize_voucher"] == quiz.voucher and PHONE not in record.payload
    quiz.voucher_page.done_button.click()
    assert gui.window.current is Screen.ATTRACT and len(quiz_attempts(core)) == 1


def test_a_second_claim_by_the_same_person_is_refused_on_screen(gui, core, qtbot):
    quiz = open_quiz(gui)
    play(quiz, right=5)
    claim_by_phone(quiz, qtbot)
    quiz.voucher_page.done_button.click()
    quiz = open_quiz(gui)
    play(quiz, right=5)
    claim_by_phone(quiz, qtbot)
    assert quiz.page is QuizPage.CLAIM
    assert quiz.claim.claim_error.text() == "每人限领一份奖品，您已领过"
    gui.window.go_home()
    assert [r.data["prize_voucher"] is not None for r in quiz_attempts(core)] == [True, False]


def test_a_member_pass_scan_claims_and_the_same_members_phone_is_then_refused(gui, core, qtbot):
    from kiosk.membership import RegistrationForm
    from booth_common.validation import id_check_char

    member = core.booth.members.register(RegistrationForm(
        name="王小明", phone=PHONE, id_number="11010519900307123" + id_check_char("11010519900307123"),
        occupation="courier", consent_given=True))
    quiz = open_quiz(gui)
    play(quiz, right=5)
    quiz.result.claim_pass_button.click()
    assert quiz.claim.pass_field.isVisible() and not quiz.claim.keypad.isVisible()
    qtbot.keyClicks(quiz.claim.pass_field, member.pass_token)  # a USB scanner types the code ...
    qtbot.keyClick(quiz.claim.pass_field, Qt.Key.Key_Return)   # ... and ends with Enter
    assert quiz.page is QuizPage.VOUCHER
    quiz.voucher_page.done_button.click()
    quiz = open_quiz(gui)
    play(quiz, right=5)
    claim_by_phone(quiz, qtbot)
    assert quiz.claim.claim_error.text() == "每人限领一份奖品，您已领过"


def test_the_voucher_is_redeemed_once_then_refused(gui, core, qtbot):
    quiz = open_quiz(gui)
    play(quiz, right=5)
    claim_by_phone(quiz, qtbot)
    voucher = quiz.voucher_page.voucher_qr.text  # what the handout desk's scanner reads
    stock = core.booth.desks.stock_left("quiz-prize")
    core.booth.desks.record_handout("quiz-prize", voucher=voucher)
    assert core.booth.desks.stock_left("quiz-prize") == stock - 1
    with pytest.raises(AlreadyReceived):
        core.booth.desks.record_handout("quiz-prize", voucher=voucher)


def test_a_bad_number_is_explained_in_the_current_language(gui, qtbot):
    quiz = open_quiz(gui)
    play(quiz, right=5)
    claim_by_phone(quiz, qtbot, phone="123")
    assert "手机号应为11位" in quiz.claim.claim_error.text()
    gui.presentation.toggle_language()
    assert "A mobile number has 11 digits" in quiz.claim.claim_error.text()


@pytest.fixture
def one_prize_gui(tmp_path, qtbot):
    text = DEMO_CONFIG.read_text(encoding="utf-8").replace("stock = 150", "stock = 1").replace(
        'bank = "quiz-bank.toml"', f'bank = "{(RESOURCES / "quiz-bank.toml").as_posix()}"')
    config = tmp_path / "event.toml"
    config.write_text(text, encoding="utf-8")
    core = build_core(data_dir=tmp_path / "data", config_path=config)
    gui = build_gui(core, windowed=True, idle_timeout_ms=300, countdown_s=2, tick_ms=100, cache_dir=tmp_path / "cache")
    qtbot.addWidget(gui.window)
    gui.window.show()
    yield gui
    gui.dispose()
    core.close()


def test_when_prizes_run_out_the_quiz_still_runs_and_says_so(one_prize_gui, qtbot):
    gui = one_prize_gui
    quiz = open_quiz(gui)
    assert not quiz.question.prize_note.isVisible()
    play(quiz, right=5)
    claim_by_phone(quiz, qtbot)
    quiz.voucher_page.done_button.click()
    quiz = open_quiz(gui)
    assert quiz.question.prize_note.isVisible() and quiz.question.prize_note.text() == "今日奖品已发完，欢迎继续答题学习"
    play(quiz, right=5)
    assert quiz.result.result_title.text() == "恭喜通过！"
    assert quiz.result.prize_label.text() == "奖品已发完，感谢参与！"
    assert not quiz.result.claim_phone_button.isVisible() and not quiz.result.claim_pass_button.isVisible()


def test_idle_in_the_middle_of_a_round_wipes_it_and_records_it_abandoned(gui, core, qtbot):
    quiz = open_quiz(gui)
    answer_current(quiz, right=True)
    quiz.question.next_button.click()
    answer_current(quiz, right=True)
    with qtbot.waitSignal(gui.window.wiped, timeout=5000):
        pass  # no touch: the idle timer, "still there?" countdown and wipe run on their own
    assert gui.window.current is Screen.ATTRACT
    assert quiz.current_round is None and quiz.page is QuizPage.QUESTION
    [record] = quiz_attempts(core)
    assert record.subject == "abandoned" and len(record.data["answers"]) == 2 and record.data["score"] == 2
    open_quiz(gui)
    assert quiz.question.progress_label.text() == "第 1 / 5 题"  # a fresh round for the next person


def test_the_quiz_reads_in_english(gui):
    gui.presentation.toggle_language()
    quiz = open_quiz(gui)
    question = quiz.current_round.question()
    assert question.text_en in quiz.question.question_label.text()
    assert quiz.question.progress_label.text() == "Question 1 of 5"
    answer_current(quiz, right=True)
    assert quiz.question.verdict_label.text() == "Correct!" and quiz.question.explanation_label.text() == question.explanation_en


DISPLAYS = [pytest.param((1280, 800), False, id="landscape"), pytest.param((1920, 1080), False, id="fullhd"),
            pytest.param((800, 1280), False, id="portrait"), pytest.param((1280, 800), True, id="landscape-large"),
            pytest.param((800, 1280), True, id="portrait-large")]


def settle(gui):
    for _ in range(3):  # a hidden or shown button reaches the window's size hints over a few event rounds
        gui.app.processEvents()


def assert_fits(gui, size, what):
    chrome = gui.window.banner.sizeHint().height() + gui.window.sync_status.sizeHint().height()
    hint = gui.window.screens[Screen.QUIZ].minimumSizeHint()
    assert hint.width() <= size[0] and hint.height() <= size[1] - chrome, (what, hint)


def widest_questions(bank, language, *, count=6):
    """The questions with the longest answers, then the longest texts: what a display must have room for."""
    english = language.value == "en_US"
    longest_answer = sorted(bank.active, key=lambda q: -max(len(o.en if english else o.text) for o in q.options))
    longest_text = sorted(bank.active, key=lambda q: -len(q.text_en if english else q.text))
    return list(dict.fromkeys(longest_answer[:count] + longest_text[:count]))


@pytest.mark.parametrize(("size", "large_text"), DISPLAYS)
def test_every_quiz_state_fits_the_kiosk_display_in_both_languages(unhurried_gui, size, large_text):
    from kiosk.ui.i18n import Language

    gui = unhurried_gui
    from kiosk.ui.screenshots import screenshot_states

    window = gui.window
    window.resize(*size)
    for language in Language:
        gui.presentation.set_language(language)
        gui.presentation.set_large_text(large_text)
        for name, which, prepare in screenshot_states(window):
            if which is not Screen.QUIZ:
                continue
            for _ in range(3):  # questions are drawn at random: try several
                window.screens[which].wipe()
                window.show_screen(which)
                prepare()
                settle(gui)
                assert_fits(gui, size, (language, name))


@pytest.mark.parametrize(("size", "large_text"), DISPLAYS)
def test_the_longest_questions_and_answers_fit_the_kiosk_display(unhurried_gui, core, size, large_text):
    from kiosk.quiz import QuizRound, build_quiz_desk
    from kiosk.ui.i18n import Language

    gui = unhurried_gui
    window = gui.window
    window.resize(*size)
    quiz = open_quiz(gui)
    assert quiz.question.tile_columns == (1 if size[0] < 1000 else 2)
    for language in Language:
        gui.presentation.set_language(language)
        gui.presentation.set_large_text(large_text)
        for question in widest_questions(build_quiz_desk(core.booth.prizes, core.booth.desks).bank, language):
            quiz.start_round(QuizRound([question], pass_mark=1))
            quiz.current_round.recorded = True  # a test of the layout, not an attempt
            settle(gui)
            assert_fits(gui, size, (language, question.id))
            answer_current(quiz, right=False)
            settle(gui)
            assert_fits(gui, size, (language, question.id, "feedback"))


def test_answers_stand_two_by_two_on_a_wide_window_and_one_under_another_on_a_narrow_one(gui):
    quiz = open_quiz(gui)
    positions = lambda: [quiz.question.tile_grid.getItemPosition(quiz.question.tile_grid.indexOf(t))[:2] for t in quiz.question.tiles[:4]]
    assert positions() == [(0, 0), (0, 1), (1, 0), (1, 1)]
    for width in (800, 999):
        gui.window.resize(width, 1280)
        assert positions() == [(0, 0), (1, 0), (2, 0), (3, 0)], width
    for width in (1000, 1280):
        gui.window.resize(width, 800)
        assert positions() == [(0, 0), (0, 1), (1, 0), (1, 1)], width
