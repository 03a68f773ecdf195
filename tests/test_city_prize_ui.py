"""The quiz screen's city-wide prize check: asked off the GUI thread, answered on screen, on the real server."""

import random
from functools import partial

import pytest

from city_helpers import EVENT, Kiosk
from kiosk.app import open_ledger
from kiosk.quiz import build_quiz_desk
from kiosk.ui.quiz_screen import QuizPage
from loopback import city, enrolled_engine  # noqa: F401 (city is a fixture)
from sync.prize_check import CityPrizeCheck
from test_quiz_ui import claim_by_phone, open_quiz, play

PHONE, OTHER_PHONE = "13812345678", "13987654321"


# On SQLite only (one_backend, tests/conftest.py): the desk's screen; city-wide claims run on both databases in
# test_city_prize.py.
pytestmark = pytest.mark.one_backend


@pytest.fixture
def online_gui(gui, core, city):
    """The GUI's kiosk enrolled with the city and synced once (it has the event's claim key)."""
    engine = enrolled_engine(core, city)
    assert engine.sync_once(event_id=EVENT).error is None
    yield gui
    gui.window.go_home()


def wait_for(qtbot, gui, condition):
    def ready():
        gui.idle.poke()  # the fixture's idle return is 300 ms; a person would still be at the screen
        assert condition()
    qtbot.waitUntil(ready, timeout=15_000)


def test_an_online_claim_shows_the_voucher_once_the_city_granted_it(online_gui, core, city, qtbot):
    gui = online_gui
    quiz = open_quiz(gui)
    play(quiz, right=5)
    claim_by_phone(quiz, qtbot, phone=OTHER_PHONE)
    wait_for(qtbot, gui, lambda: quiz.page is QuizPage.VOUCHER)
    granted = [r for r in core.ledger.records() if r.data.get("prize_voucher") == quiz.voucher]
    assert granted and granted[0].data["city_claim"] == "granted"
    assert {r["voucher"] for r in city.storage.prize_claims(EVENT)} == {quiz.voucher}


def test_the_same_phone_at_a_second_booth_is_refused_on_screen(online_gui, core, city, qtbot, tmp_path):
    other = Kiosk(tmp_path / "other", city, booth_id="sjs-gucheng")
    try:
        other.sync()
        desk = build_quiz_desk(other.booth.prizes, other.booth.desks, rng=random.Random(2),
                               city=CityPrizeCheck(partial(open_ledger, other.core.data_dir)))
        quiz_round = desk.new_round()
        while not quiz_round.finished:
            quiz_round.answer(sorted(quiz_round.question().correct))
        assert desk.claim_prize(quiz_round, phone=PHONE).record.data["city_claim"] == "granted"
    finally:
        other.close()
    gui = online_gui
    quiz = open_quiz(gui)
    play(quiz, right=5)
    claim_by_phone(quiz, qtbot, phone=PHONE)
    assert quiz.page is QuizPage.CLAIM  # asked in the background: nothing decided on the click itself
    wait_for(qtbot, gui, lambda: "其他展位" in quiz.claim.claim_error.text())
    assert quiz.page is QuizPage.CLAIM and quiz.claim.submit_claim_button.isEnabled()
    assert not [r for r in core.ledger.records() if r.data.get("prize_voucher")]   # no voucher issued here
    quiz.claim.phone_field.clear()
    for digit in OTHER_PHONE:
        quiz.claim.keypad.buttons[digit].click()
    quiz.claim.submit_claim_button.click()
    wait_for(qtbot, gui, lambda: quiz.page is QuizPage.VOUCHER)
