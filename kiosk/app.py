"""The composition root: builds settings, keys, ledger and services, and (for the GUI) the window.

Nothing else in the kiosk constructs these objects; screens and commands receive them.
Qt is imported only when the GUI is started, so the command-line tools stay light.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.booth import BoothService
from kiosk.config import Config, load_config
from kiosk.ledger import Ledger
from kiosk.sealing import KeyRing
from kiosk.settings import LEDGER_FILE


@dataclass
class Core:
    """Everything below the UI, wired for one data folder and one configuration."""

    data_dir: Path
    config: Config
    keys: KeyRing
    ledger: Ledger
    booth: BoothService

    def close(self) -> None:
        self.ledger.close()


def build_core(*, data_dir: Path, config_path: Path) -> Core:
    config = load_config(config_path)
    keys = KeyRing(data_dir / "keys")
    keys.ensure()
    ledger = Ledger(data_dir / LEDGER_FILE)
    return Core(data_dir, config, keys, ledger, BoothService(ledger, config, keys))


def open_ledger(data_dir: Path) -> Ledger:
    """A further connection to the same ledger, for another thread (the sync worker)."""
    return Ledger(data_dir / LEDGER_FILE)


@dataclass
class Gui:
    """The Qt side, built by ``build_gui``: application objects the tests and screenshots reach."""

    app: object
    window: object
    presentation: object
    idle: object

    def close(self) -> None:
        """Tear the window down before the interpreter does, which can crash PySide6 at exit."""
        self.window.allow_close()
        self.window.close()
        self.window.deleteLater()
        self.app.processEvents()
        self.app.shutdown()


def build_gui(core: Core, *, windowed: bool, idle_timeout_ms: int | None = None,
              countdown_s: int | None = None, tick_ms: int = 1000, cache_dir: Path | None = None,
              virtual_keyboard: bool = False) -> Gui:
    """Build the main window with every feature's screens wired in (Qt imported only here)."""
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.i18n import LanguageSwitcher
    from kiosk.ui.idle import IdleWatcher
    from kiosk.ui.main_window import MainWindow
    from kiosk.ui.keyboard import install_keyboard
    from kiosk.ui.presentation import Presentation
    from kiosk.ui.registration import install_registration

    app = QApplication.instance() or QApplication([])
    presentation = Presentation(app, LanguageSwitcher(app, cache_dir=cache_dir))
    idle_cfg = core.config.idle
    idle = IdleWatcher(app, timeout_ms=idle_timeout_ms or idle_cfg.timeout_s * 1000)
    window = MainWindow(config=core.config, presentation=presentation, idle=idle,
                        countdown_s=countdown_s or idle_cfg.countdown_s, tick_ms=tick_ms, kiosk_mode=not windowed)
    idle.setParent(window)
    install_registration(window, core.booth, presentation)
    if virtual_keyboard:
        install_keyboard(app, window.keyboard_area, presentation)
    return Gui(app, window, presentation, idle)


def run_gui(core: Core, *, windowed: bool) -> int:
    from PySide6.QtCore import Qt

    from kiosk.ui.keyboard import prepare_virtual_keyboard

    # Before the QApplication exists: Qt reads the input-method module once, at start.
    gui = build_gui(core, windowed=windowed, virtual_keyboard=prepare_virtual_keyboard())
    window = gui.window
    if windowed:
        window.resize(1280, 800)
        window.show()
    else:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        window.showFullScreen()
    return gui.app.exec()
