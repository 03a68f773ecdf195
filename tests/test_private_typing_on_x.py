"""A name typed through the real embedded Pinyin keyboard (real taps on a real X server) is written nowhere in
the clear: after the kiosk has exited, no file under its data, cache and config folders holds it, in UTF-8 or
UTF-16. A dictionary left from before is gone once the kiosk has started. (Without ImhSensitiveData the Pinyin
engine saved 黄丽杰 typed this way in clear UTF-16 to qtvirtualkeyboard/pinyin/usr_dict.dat.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.settings import DEMO_CONFIG
from test_keyboard_on_x import NAME_FIELD, open_name_page
from test_private_typing import plant_dictionary
from xdisplay import KioskOnX, Xvfb

NAME = "黄丽杰"
LEFT_BEFORE = "张伟强"
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be")


def files_holding(root: Path, text: str) -> list[str]:
    needles = [text.encode(e) for e in ENCODINGS]
    return [str(p.relative_to(root)) for p in sorted(root.rglob("*"))
            if p.is_file() and any(n in p.read_bytes() for n in needles)]


@pytest.fixture(scope="module")
def typed(tmp_path_factory):
    """A kiosk started over a planted dictionary; a name typed on its keyboard; the kiosk closed."""
    home = tmp_path_factory.mktemp("private-typing")
    plant_dictionary(home / "config", LEFT_BEFORE)
    assert files_holding(home, LEFT_BEFORE)  # the search finds a name where one is
    xvfb = Xvfb(1280, 800)
    kiosk = KioskOnX(xvfb, home, "--windowed", "--data-dir", str(home / "data" / "booth"), "--config", str(DEMO_CONFIG))
    try:
        kiosk.wait(lambda: kiosk.ask("state")["ready"], "the kiosk to finish starting", timeout=60)
        # The keyboard's engine makes a new, empty usr_dict.dat as it loads: the old one's words must be gone.
        planted_gone = files_holding(home, LEFT_BEFORE) == []
        open_name_page(kiosk)
        kiosk.wait(lambda: kiosk.key("h"), "the keyboard's keys")
        for letter in "huanglijie":
            kiosk.tap_rect(kiosk.key(letter)["rect"])
        for character in NAME:  # 黄, then 丽 for what is left, then 杰
            candidate = kiosk.wait(lambda c=character: next(
                (i for i in kiosk.items() if i.get("text") == c and "wordCandidateView" in i["inside"]), None),
                f"{character} among the candidates")
            kiosk.tap_rect(candidate["rect"])
        kiosk.wait(lambda: kiosk.ask("widget", name=NAME_FIELD)["text"] == NAME, f"{NAME} in the name field")
        # One tap, as a finger's (it was lost when the keyboard's closing moved 下一步 under the finger).
        kiosk.tap_widget("screens.register.next_button")
        kiosk.wait(lambda: kiosk.ask("widget", name="screens.register.pages.1")["visible"]
                   and not kiosk.ask("state")["keyboard_visible"], "the phone page, its keypad, the keyboard closed")
    finally:
        exit_code = kiosk.stop()
        xvfb.stop()
    return home, planted_gone, exit_code


def test_a_dictionary_left_from_before_is_deleted_at_start(typed):
    home, planted_gone, _ = typed
    assert planted_gone
    assert files_holding(home, LEFT_BEFORE) == []


def test_a_name_typed_on_the_pinyin_keyboard_is_in_no_file(typed):
    home, _, exit_code = typed
    assert exit_code == 0
    assert files_holding(home, NAME) == []
