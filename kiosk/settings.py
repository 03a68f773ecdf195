"""Every setting of the kiosk, declared once as data: name, environment variable, default, help.

The README lists each of them; a test fails when one is missing there.
"""

from __future__ import annotations

import os
from pathlib import Path

from booth_common.settings import Setting

APP_NAME = "union-booth-kiosk"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESOURCES = PROJECT_ROOT / "resources"
DEMO_CONFIG = RESOURCES / "demo-event.toml"
LEDGER_FILE = "ledger.sqlite3"


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "KIOSK_DATA_DIR", "the platform's application-data folder",
            "Folder of the ledger file and the key files (`--data-dir` overrides it)."),
    Setting("config", "KIOSK_CONFIG", "resources/demo-event.toml",
            "The event and booth configuration file (`--config` overrides it)."),
    Setting("language", "KIOSK_LANGUAGE", "zh_CN", "Language the kiosk starts in: zh_CN or en_US."),
)


def env_value(name: str) -> str | None:
    """The environment variable of a declared setting, or None when unset or empty."""
    setting = next(s for s in SETTINGS if s.name == name)
    return os.environ.get(setting.env) or None


def resolve_data_dir(cli_value: str | None) -> Path:
    """--data-dir, else KIOSK_DATA_DIR, else the platform's per-user data folder."""
    chosen = cli_value or env_value("data_dir")
    if chosen:
        return Path(chosen)
    import platformdirs  # here, not at the top: 30 ms of start-up that most paths never need

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_config_path(cli_value: str | None) -> Path:
    chosen = cli_value or env_value("config")
    return Path(chosen) if chosen else DEMO_CONFIG
