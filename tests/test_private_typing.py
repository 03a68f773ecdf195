"""No input method learns what is typed at the kiosk (#13): every text field is marked sensitive, and the
keyboard's user dictionaries are deleted at start and at the console's purge. The real Pinyin keyboard, typed
on with real taps on a real X server, is in tests/test_private_typing_on_x.py."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from console_helpers import FakeClock, close_gui, open_gui, unlock
from kiosk.ui.console import ConfirmPurge
from kiosk.ui.input_method import remove_keyboard_dictionaries
from kiosk.ui.keyboard import PRIVATE_HINTS


def plant_dictionary(root, name: str = "王小明"):
    folder = root / "qtvirtualkeyboard" / "pinyin"
    folder.mkdir(parents=True)
    (folder / "usr_dict.dat").write_bytes(b"\xf0\xde\xbc\x0a" + name.encode("utf-16-le"))
    return folder.parent


def test_every_text_field_of_the_kiosk_is_private(gui):
    gui.window.build_deferred_screens()
    fields = gui.window.findChildren(QLineEdit)
    assert len(fields) >= 8  # name, employer, street, search, notes, PINs, scan, quiz...
    leaky = [f.objectName() or type(f.parent()).__name__ for f in fields
             if (f.inputMethodHints() & PRIVATE_HINTS) != PRIVATE_HINTS]
    assert not leaky


def test_a_field_built_later_is_private_once_it_takes_focus(gui, qtbot):
    late = QLineEdit(gui.window.centralWidget())
    late.show()
    late.setFocus()
    qtbot.waitUntil(lambda: (late.inputMethodHints() & PRIVATE_HINTS) == PRIVATE_HINTS, timeout=2000)


def test_the_keyboards_dictionaries_are_deleted_whole(tmp_path, monkeypatch):
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable))
    planted = [plant_dictionary(tmp_path / v) for v in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")]
    removed = remove_keyboard_dictionaries()
    assert sorted(removed) == sorted(planted)
    assert not any(p.exists() for p in planted)
    assert remove_keyboard_dictionaries() == []  # nothing left, nothing to report


def test_the_consoles_purge_deletes_the_keyboards_dictionary(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    planted = plant_dictionary(tmp_path / "config")
    monkeypatch.setattr(ConfirmPurge, "ask", classmethod(lambda cls, parent, on_device: True))
    core, gui = open_gui(tmp_path, FakeClock())
    try:
        unlock(gui)
        with qtbot.waitSignal(gui.console.purge_finished, timeout=20_000):
            gui.console.home.purge_button.click()
        assert not planted.exists()
    finally:
        close_gui(core, gui)
