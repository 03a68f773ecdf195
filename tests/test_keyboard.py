"""The embedded Pinyin keyboard: in the window, only while a text field is typed in, zh_CN and en_US only.

The real keyboard needs QT_IM_MODULE set before the QApplication exists, so it runs in a subprocess;
the test session itself runs without it (tests/conftest.py), which is also the fallback path.
"""

from __future__ import annotations

import json
import subprocess
import sys

from kiosk.ui.input_method import IM_MODULE, prepare_virtual_keyboard, virtual_keyboard_available
from kiosk.ui.keyboard import install_keyboard

SCRIPT = r"""
import json, os, sys, tempfile
from pathlib import Path
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, "tests")
from kiosk.ui.input_method import prepare_virtual_keyboard
enabled = prepare_virtual_keyboard()
from PySide6.QtQuickWidgets import QQuickWidget
from PySide6.QtCore import QDeadlineTimer, QEventLoop
from PySide6.QtWidgets import QApplication

def wait_for(condition, ms=5000):
    # The event loop must run for Qt to open the panel; returns as soon as the condition holds.
    deadline = QDeadlineTimer(ms)
    while not condition():
        if deadline.hasExpired():
            return False
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    return True
from kiosk.app import build_core, build_gui
from kiosk.settings import DEMO_CONFIG
from registration_driver import commit_text, WORKER
core = build_core(data_dir=Path(tempfile.mkdtemp()), config_path=DEMO_CONFIG)
gui = build_gui(core, windowed=True, virtual_keyboard=enabled, cache_dir=Path(tempfile.mkdtemp()))
window = gui.window
window.setFixedSize(1280, 800)  # as fullscreen on a 1280x800 screen: the window cannot grow
window.show()
window.activateWindow()
area = window.keyboard_area
seen = {"enabled": enabled, "hidden_on_attract": not area.isVisible()}
window.attract.join_button.click()
consent = window.screens[next(s for s in window.screens if s.value == "consent")]
consent.continue_button.click()
register = window.screens[next(s for s in window.screens if s.value == "register")]
seen["shown_for_name"] = wait_for(area.isVisible, 5000)
root = area.findChild(QQuickWidget).rootObject()
seen["locales"] = list(root.property("activeLocales"))
wait_for(lambda: area.height() > 100, 2000)
seen["height"] = area.height()
def next_button_above_keyboard():
    button = register.next_button
    bottom = button.mapTo(window, button.rect().bottomLeft()).y()
    squeezed = register.height() < register.minimumSizeHint().height()
    return not squeezed and button.height() >= 64 and bottom <= area.mapTo(window, area.rect().topLeft()).y()

seen["fits_with_name"] = next_button_above_keyboard()
register.go_to(3)
register.details_page.employer.other.setFocus()
seen["shown_for_employer"] = wait_for(area.isVisible)
wait_for(lambda: False, 300)  # let the layout settle
seen["fits_with_employer"] = next_button_above_keyboard()
register.go_to(0)
commit_text(register.pages[0].name_edit, WORKER["name"])
wait_for(area.isVisible)
# A finger's tap on 下一步: the press takes focus from the name, the release clicks.
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
button = register.next_button
before = button.mapTo(window, QPoint(0, 0))
QTest.mousePress(button, Qt.MouseButton.LeftButton)
wait_for(lambda: False, 300)  # the finger is still down
seen["still_under_finger"] = area.isVisible() and button.mapTo(window, QPoint(0, 0)) == before
QTest.mouseRelease(button, Qt.MouseButton.LeftButton)
seen["next_page"] = wait_for(lambda: register.page_index == 1, 5000)
seen["hidden_for_keypad"] = wait_for(lambda: not area.isVisible(), 5000)
gui.presentation.toggle_language()
seen["english_locale"] = wait_for(lambda: root.property("currentLocale") == "en_US", 5000)
print(json.dumps(seen))
window.allow_close()
window.close()
"""


def test_the_pinyin_keyboard_opens_in_the_window_for_text_and_stays_away_from_keypads(tmp_path):
    assert virtual_keyboard_available()  # ships in the PySide6 wheels this project depends on
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120,
                            env={k: v for k, v in __import__("os").environ.items() if k != "QT_IM_MODULE"})
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["enabled"] and seen["hidden_on_attract"]
    assert seen["shown_for_name"]
    assert sorted(seen["locales"]) == ["en_US", "zh_CN"]
    assert 200 <= seen["height"] <= 400, seen  # leaves the form its room at 1280x800
    # The window keeps its 1280x800 and 下一步 stays on screen above the keyboard.
    assert seen["fits_with_name"] and seen["shown_for_employer"] and seen["fits_with_employer"], seen
    # The keyboard closes as the finger lifts, not on the press: closed then, it moved 下一步 down under the
    # finger and the tap was lost (tests/test_form_taps_on_x.py).
    assert seen["still_under_finger"] and seen["next_page"], seen
    assert seen["hidden_for_keypad"]
    assert seen["english_locale"]


def test_an_operators_own_input_method_is_kept():
    environ = {"QT_IM_MODULE": "ibus"}
    assert prepare_virtual_keyboard(environ) is False
    assert environ == {"QT_IM_MODULE": "ibus"}


def test_the_composition_root_asks_for_the_embedded_keyboard_only():
    environ: dict[str, str] = {}
    assert prepare_virtual_keyboard(environ) is True
    assert environ == {"QT_IM_MODULE": IM_MODULE, "QT_VIRTUALKEYBOARD_DESKTOP_DISABLE": "1"}


def test_without_the_virtual_keyboard_module_text_fields_use_the_system_input_method(qapp):
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    area = QWidget()
    area.setLayout(QVBoxLayout())
    assert install_keyboard(qapp, area, presentation=None) is None  # QT_IM_MODULE is unset in tests
    assert area.layout().count() == 0


SCREENSHOTS = r"""
import os, sys, tempfile
from pathlib import Path
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from kiosk.ui.input_method import prepare_virtual_keyboard
enabled = prepare_virtual_keyboard()
from kiosk.app import build_core, build_gui
from kiosk.settings import DEMO_CONFIG
from kiosk.ui.screenshots import render_all
core = build_core(data_dir=Path(tempfile.mkdtemp()), config_path=DEMO_CONFIG)
gui = build_gui(core, windowed=True, virtual_keyboard=enabled, cache_dir=Path(tempfile.mkdtemp()))
render_all(gui, Path(sys.argv[1]), sizes=("landscape", "portrait"),
           only={"register-1-name", "register-1-name-pinyin", "quiz-claim-phone"})
gui.close()
"""


def test_screenshots_show_the_name_page_with_the_keyboards_keys(tmp_path):
    from PySide6.QtGui import QImage

    from xdisplay import near, share_of

    result = subprocess.run([sys.executable, "-c", SCREENSHOTS, str(tmp_path)], capture_output=True, text=True,
                            timeout=120, env={k: v for k, v in __import__("os").environ.items() if k != "QT_IM_MODULE"})
    assert result.returncode == 0, result.stderr[-3000:]

    def keys_share(name: str) -> float:
        image = QImage(str(tmp_path / f"{name}.png"))
        band = [0, round(image.height() * 0.7), image.width(), round(image.height() * 0.3)]
        return share_of(image, band, near("#000a12"), step=4)

    for language in ("zh_CN", "en_US"):
        for size in ("", "-portrait"):
            for state in ("register-1-name", "register-1-name-pinyin"):
                assert keys_share(f"{language}-{state}{size}") > 0.2, (language, state, size)
            # The claim's phone number has the app's own keypad: the on-screen keyboard stays closed.
            assert keys_share(f"{language}-quiz-claim-phone{size}") < 0.02, (language, size)
