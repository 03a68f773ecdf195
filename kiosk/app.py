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

LEDGER_FILE = "ledger.sqlite3"


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
