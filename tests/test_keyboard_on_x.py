"""The on-screen keyboard as a person sees it: the real kiosk on a real X server (Xvfb, no window manager),
tapped with real pointer events, judged by the pixels the X server holds.

One kiosk per screen size (each test module's fixture); the tests of a module run in order on it, as one
visit after another. tests/xdisplay.py explains the machinery.
"""

from __future__ import annotations

import time

import pytest

from kiosk.settings import DEMO_CONFIG
from xdisplay import KioskOnX, Xvfb, near, share_of

KEY = "#000a12"  # the letter keys of Qt Virtual Keyboard's default style
PAGE = "#f7f4ef"  # resources/style.qss: the page behind every screen
NAME_FIELD = "screens.register.pages.0.name_edit"


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory):
    home = tmp_path_factory.mktemp("kiosk-on-x")
    xvfb = Xvfb(1280, 800)
    kiosk = KioskOnX(xvfb, home, "--data-dir", str(home / "booth"), "--config", str(DEMO_CONFIG))
    try:
        kiosk.wait(lambda: kiosk.ask("state")["ready"], "the kiosk to finish starting", timeout=60)
        yield kiosk
    finally:
        kiosk.stop()
        xvfb.stop()


def open_name_page(kiosk: KioskOnX) -> None:
    """Attract → 我要入会 → 我已阅读并同意，继续 → tap the name field, all by pointer."""
    kiosk.tap_widget("attract.join_button")
    kiosk.wait(lambda: kiosk.ask("state")["current"] == "consent", "the consent screen")
    kiosk.tap_widget("screens.consent.continue_button")
    kiosk.wait(lambda: kiosk.ask("state")["current"] == "register", "the form")
    kiosk.tap_widget(NAME_FIELD)


def cancel_to_attract(kiosk: KioskOnX) -> None:
    """取消入会, and 放弃 when the form asks (something was entered): back on the attract screen."""
    kiosk.tap_widget("screens.register.cancel_button")
    if kiosk.ask("widget", name="screens.register.leave_button")["visible"]:
        kiosk.tap_widget("screens.register.leave_button")
    kiosk.wait(lambda: kiosk.ask("state")["current"] == "attract", "the attract screen")


def settled(kiosk: KioskOnX) -> dict:
    """The kiosk's state once two looks 0.2 s apart agree (the layout follows the keyboard's height)."""
    seen = [kiosk.ask("state")]

    def same_again() -> bool:
        time.sleep(0.2)
        seen.append(kiosk.ask("state"))
        return seen[-1] == seen[-2]

    kiosk.wait(same_again, "the layout to settle")
    return seen[-1]


def keyboard_drawn(kiosk: KioskOnX, tmp_path, name: str) -> dict:
    """Waits for the keyboard's area, then checks its pixels: most of the keyboard in the key colour, the
    'm' key's label drawn where the item tree puts it, the page's colour beside a narrower keyboard."""
    kiosk.wait(lambda: kiosk.ask("state")["keyboard_visible"], "the keyboard to open")
    kiosk.wait(lambda: kiosk.key("l"), "the keyboard's keys")
    state = settled(kiosk)
    image = kiosk.grab(tmp_path / f"{name}.png")
    area = state["area"]
    board = next(i for i in kiosk.items() if i.get("objectName") == "keyboard")["rect"]
    x, y, w, h = board
    # The keyboard lies wholly inside its area, which lies on the screen.
    assert area[0] <= x and x + w <= area[0] + area[2] and area[1] <= y and y + h <= area[1] + area[3], (board, area)
    assert area[1] + area[3] <= image.height() and h >= 200, (area, state["window"], image.height())
    key_share = share_of(image, board, near(KEY))
    assert key_share > 0.35, f"{key_share:.0%} of the keyboard in the key colour ({name})"
    label = next(i for i in kiosk.items() if i.get("text") == "m" and i["class"] == "QQuickText")["rect"]
    key = kiosk.key("m")["rect"]
    assert share_of(image, label, near("#ffffff", 120), step=1) > 0.01, "no label drawn where the 'm' key is"
    assert share_of(image, key, near(KEY)) > 0.6, "no key drawn where the 'm' key is"
    if w < area[2]:  # bars beside the keyboard: the page's colour, not white
        left_bar = [area[0], area[1], x - area[0], area[3]]
        assert share_of(image, left_bar, near(PAGE, 6)) > 0.95
    return state


def test_tapping_the_name_field_draws_the_keyboard_inside_its_area(kiosk, tmp_path):
    open_name_page(kiosk)
    state = keyboard_drawn(kiosk, tmp_path, "first-use")
    assert state["locale"] == "zh_CN"
    assert state["root"][1] == state["view"][3], state  # the QML root fills the view (it stayed 1 px tall)


def test_a_chinese_name_is_typed_by_tapping_keys_and_a_candidate(kiosk, tmp_path):
    before = kiosk.key("i")["rect"]
    kiosk.tap_rect(kiosk.key("l")["rect"])
    kiosk.wait(lambda: any("wordCandidateView" in i["inside"] for i in kiosk.items()), "candidates for l")
    # The candidate bar was open before the first letter: the keys stay under the finger.
    assert settled(kiosk) and kiosk.key("i")["rect"] == before
    kiosk.tap_rect(before)
    candidate = kiosk.wait(lambda: next((i for i in kiosk.items() if i.get("text") == "李"
                                         and "wordCandidateView" in i["inside"]), None), "李 among the candidates")
    bar = next(i for i in kiosk.items() if i.get("objectName") == "wordCandidateView")
    assert bar["rect"][3] >= 48 and candidate["rect"][3] >= 32, (bar, candidate)  # large enough to read and tap
    kiosk.tap_rect(candidate["rect"])
    kiosk.wait(lambda: kiosk.ask("widget", name=NAME_FIELD)["text"] == "李", "李 in the name field")
    kiosk.tap_widget("screens.register.pages.0.dot_button")  # the kiosk's · key, for minority names
    for letter in "ming":
        kiosk.tap_rect(kiosk.key(letter)["rect"])
    candidate = kiosk.wait(lambda: next((i for i in kiosk.items() if i.get("text") == "明"
                                         and "wordCandidateView" in i["inside"]), None), "明 among the candidates")
    kiosk.tap_rect(candidate["rect"])
    kiosk.wait(lambda: kiosk.ask("widget", name=NAME_FIELD)["text"] == "李·明", "李·明 in the name field")
    backspace = next(i for i in kiosk.items() if i["class"] == "BackspaceKey")
    kiosk.tap_rect(backspace["rect"])
    kiosk.wait(lambda: kiosk.ask("widget", name=NAME_FIELD)["text"] == "李·", "⌫ to take the last character")


def test_the_english_layout_types_letters(kiosk, tmp_path):
    language_key = next(i for i in kiosk.items() if i.get("objectName") == "changeLanguageKey")
    kiosk.tap_rect(language_key["rect"])  # two layouts: the key switches at once, no pop-up list
    kiosk.wait(lambda: kiosk.ask("state")["locale"] == "en_US", "the English layout")
    keyboard_drawn(kiosk, tmp_path, "english")
    for letter in "ab":
        kiosk.tap_rect(kiosk.key(letter)["rect"])
    kiosk.wait(lambda: kiosk.ask("widget", name=NAME_FIELD)["text"] == "李·ab", "Latin letters in the field")


def test_the_keyboard_is_drawn_again_after_hiding(kiosk, tmp_path):
    hide = next(i for i in kiosk.items() if i["class"] == "HideKeyboardKey")
    kiosk.tap_rect(hide["rect"])
    kiosk.wait(lambda: not kiosk.ask("state")["keyboard_visible"], "the keyboard to hide")
    kiosk.tap_widget(NAME_FIELD)
    keyboard_drawn(kiosk, tmp_path, "again")


def test_the_keyboard_is_drawn_after_the_kiosks_language_switch(kiosk, tmp_path):
    cancel_to_attract(kiosk)
    kiosk.tap_widget("attract.language_button")
    open_name_page(kiosk)
    state = keyboard_drawn(kiosk, tmp_path, "kiosk-in-english")
    assert state["locale"] == "en_US"  # the keyboard follows the kiosk's language
