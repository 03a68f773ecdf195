"""The console's forms with the real on-screen keyboard open: the field being typed in stays whole in view above it,
and nothing on the screen is cut or drawn over another, at the three kiosk sizes, both languages and large text.

The real keyboard needs QT_IM_MODULE set before the QApplication exists, so the screens are walked in a subprocess
(as in tests/test_keyboard.py), which reports what it measured as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCRIPT = r"""
import json, os, sys, tempfile
from pathlib import Path
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, "tests")
from kiosk.ui.input_method import prepare_virtual_keyboard
enabled = prepare_virtual_keyboard()
from PySide6.QtWidgets import QApplication
from kiosk.app import build_core, build_gui
from kiosk.settings import DEMO_CONFIG
from kiosk.ui.i18n import Language
from kiosk.ui.screens import Screen
import test_console_layout as fit

size, large = (int(sys.argv[1]), int(sys.argv[2])), sys.argv[3] == "large"
core = build_core(data_dir=Path(tempfile.mkdtemp()), config_path=DEMO_CONFIG)
gui = build_gui(core, windowed=True, virtual_keyboard=enabled, cache_dir=Path(tempfile.mkdtemp()))
window, keyboard = gui.window, gui.keyboard
window.setFixedSize(*size)  # as fullscreen on the screen: the window cannot grow
window.show()
window.activateWindow()
gui.presentation.set_large_text(large)
form = window.screens[Screen.EMPLOYER_MEETING]
cases = [(0, "enterprise_name"), (0, "new_form_workers"), (1, "contact_phone"), (1, "needs_other")]
seen = []
for language in Language:
    gui.presentation.set_language(language)
    for page, name in cases:
        form.wipe()
        window.show_screen(Screen.EMPLOYER_MEETING)
        form.go_to(page)
        field = form.needs_other if name == "needs_other" else form.fields[name]
        field.setFocus()
        keyboard.settle()
        area = window.keyboard_area
        [scroll] = [a for a in form.findChildren(fit.QScrollArea) if a.isVisible()]
        deadline = 50
        while not scroll.at_rest and deadline:
            keyboard.settle(steady_ms=20)
            deadline -= 1
        rect = fit.window_rect(field, window)
        seen.append({
            "case": f"{language.value} {name}", "keyboard": area.isVisible() and area.height() > 100,
            "field_in_view": fit.window_rect(scroll.viewport(), window).contains(rect),
            "field_above_keyboard": rect.bottom() < area.mapTo(window, area.rect().topLeft()).y(),
            "cut": fit.cut_controls(form, window), "over": fit.overlapping_controls(form),
            "nothing_whole": fit.scroll_areas_showing_nothing_whole(form),
            "edges_drawn": fit.edge_rows_drawn_through(scroll, window)})
print(json.dumps(seen))
window.allow_close()
window.close()
"""


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080), (800, 1280)], ids=["landscape", "fullhd", "portrait"])
@pytest.mark.parametrize("large", ["normal", "large"])
def test_the_employer_form_keeps_the_field_being_typed_in_whole_above_the_keyboard(size, large):
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(size[0]), str(size[1]), large], capture_output=True,
                            text=True, timeout=300, env={k: v for k, v in os.environ.items() if k != "QT_IM_MODULE"})
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(seen) == 8
    for case in seen:
        assert case["keyboard"], case  # the real keyboard is open under the form
        assert case["field_in_view"] and case["field_above_keyboard"], case
        assert case["cut"] == [] and case["over"] == [] and case["nothing_whole"] == [], case
        assert case["edges_drawn"] == [], case
