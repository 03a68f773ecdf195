"""What `kiosk` loads before the attract screen first paints: only what that screen needs.

The cold-start goal (tests/benchmarks/bench_registration_ui.py) is a ratio to a bare PySide6 window, and
every module loaded before the paint counts against it; these tests keep the slow ones for later.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

# The product's entry point, watched: at the first paint of the attract screen, print what is loaded.
FIRST_PAINT = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6 import QtWidgets
from PySide6.QtCore import QEvent, QObject
import kiosk.app
from kiosk.cli import main
# PySide makes a class's Python type on first use; QWizard is one the kiosk never uses.
lazy_types = "QWizard" not in vars(QtWidgets)
class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            # repr, read back with ast.literal_eval: json is one of the modules watched
            print(repr({"modules": sorted(sys.modules), "lazy_types": lazy_types,
                        "every_type_made": "QWizard" in vars(QtWidgets)}), flush=True)
            os._exit(0)
        return False
build_shell = kiosk.app.build_shell
def watched_shell(*args, **kwargs):
    gui = build_shell(*args, **kwargs)
    gui.window.attract.join_button.installEventFilter(Painted(gui.window))
    return gui
kiosk.app.build_shell = watched_shell
sys.exit(main(["--windowed", "--data-dir", sys.argv[1]]))
"""

LATER = ("PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQml", "sqlite3", "sqlite_utils", "cryptography",
         "requests", "kiosk.ledger", "booth_common.sealing", "kiosk.ui.keyboard", "kiosk.ui.services_screen", "subprocess",
         "dataclasses",  # the configuration is named tuples: the dataclass decorator compiles at import
         "json",  # the join code's cache is plain lines
         "locale")  # loaded by argparse's message translations: the GUI's options are read without a parser


@pytest.fixture(scope="module")
def starts(tmp_path_factory) -> tuple[dict, dict]:
    """A kiosk's first start and a restart, on the same (otherwise empty) platform cache folder."""
    folder = tmp_path_factory.mktemp("first-paint")
    env = {"XDG_CACHE_HOME": str(folder / "cache")}
    return at_first_paint(folder, **env), at_first_paint(folder, **env)


def at_first_paint(folder, **env: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if k != "QT_IM_MODULE"}  # as on a kiosk: the keyboard is asked for
    result = subprocess.run([sys.executable, "-c", FIRST_PAINT, str(folder / "data")], capture_output=True,
                            text=True, timeout=60, env={**environ, **env})
    assert result.returncode == 0 and result.stdout.strip(), result.stderr[-3000:]
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def test_the_attract_screen_paints_before_the_ledger_the_keys_and_the_keyboard_load(starts):
    for start in starts:
        loaded = set(start["modules"])
        assert "kiosk.ui.attract_screen" in loaded
        assert loaded.isdisjoint(LATER), sorted(loaded & set(LATER))


def test_a_restart_paints_the_join_code_from_the_cache_without_loading_qrcode(starts):
    first, restart = starts
    assert "qrcode" in first["modules"]  # the first start makes the code and keeps it
    assert "qrcode" not in restart["modules"]


def test_every_start_parses_the_configuration_file_itself(starts):
    # No parsed copy in the cache folder stands in for the file (tests/test_cache_tamper.py).
    for start in starts:
        assert "tomllib" in start["modules"]


def test_nothing_makes_pyside_build_every_qt_type_before_the_first_paint(starts):
    # An application-wide event filter written in Python does (the idle watcher's was, ~50 ms): the first
    # object of a class PySide does not wrap that reaches it makes PySide build every type it knows.
    for start in starts:
        if not start["lazy_types"]:
            pytest.skip("this PySide builds every type at import")
        assert not start["every_type_made"]
