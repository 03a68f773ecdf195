"""``kiosk`` (fullscreen kiosk mode) on a bare X server — no window manager, as a mini-PC's xinit session — covers
the whole screen, and the keyboard is drawn inside it, at 1920×1080 and in portrait (800×1280), also in large
text. The X server's own view: xwininfo for the window, the root window's pixels for the keyboard.
"""

from __future__ import annotations

import pytest

from kiosk.settings import DEMO_CONFIG
from test_keyboard_on_x import cancel_to_attract, keyboard_drawn, open_name_page
from xdisplay import KioskOnX, Xvfb

SIZES = [(1920, 1080), (800, 1280)]


@pytest.fixture(scope="module", params=SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def kiosk(request, tmp_path_factory):
    width, height = request.param
    home = tmp_path_factory.mktemp(f"fullscreen-{width}x{height}")
    xvfb = Xvfb(width, height)
    kiosk = KioskOnX(xvfb, home, "--data-dir", str(home / "booth"), "--config", str(DEMO_CONFIG))
    try:
        kiosk.wait(lambda: kiosk.ask("state")["ready"], "the kiosk to finish starting", timeout=60)
        kiosk.size = request.param
        yield kiosk
    finally:
        kiosk.stop()
        xvfb.stop()


def test_the_kiosk_covers_the_whole_screen_without_a_window_manager(kiosk):
    width, height = kiosk.size
    window_id = kiosk.ask("state")["window_id"]
    geometry = kiosk.wait(lambda: (g := kiosk.xvfb.window_geometry(window_id)) == {
        "x": 0, "y": 0, "width": width, "height": height} and g, "the window to cover the screen", timeout=5)
    assert geometry


def test_the_keyboard_is_drawn_inside_the_screen(kiosk, tmp_path):
    open_name_page(kiosk)
    state = keyboard_drawn(kiosk, tmp_path, "name")
    width, height = kiosk.size
    assert state["window"] == [0, 0, width, height]


def test_the_keyboard_is_drawn_in_large_text(kiosk, tmp_path):
    kiosk.tap_widget("screens.register.cancel_button")  # 取消入会 (nothing typed): back to the attract screen, wiped
    kiosk.wait(lambda: kiosk.ask("state")["current"] == "attract", "the attract screen")
    kiosk.tap_widget("attract.large_text_button")
    open_name_page(kiosk)
    keyboard_drawn(kiosk, tmp_path, "large-text")
