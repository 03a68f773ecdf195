"""Shared fixtures: a fresh data folder and booth per test, on the bundled demo event."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("QT_IM_MODULE", None)
# The console's purge deletes the on-screen keyboard's dictionaries under the config folder: in tests, a
# throw-away one, never the developer's own.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="kiosk-tests-config-")

from kiosk.app import Core, build_core  # noqa: E402
from kiosk.settings import DEMO_CONFIG  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def core(data_dir: Path) -> Core:
    built = build_core(data_dir=data_dir, config_path=DEMO_CONFIG)
    yield built
    built.close()


@pytest.fixture
def booth(core: Core):
    return core.booth


TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def gui(core, qtbot, tmp_path):
    """The whole kiosk window on the demo event, with idle timeouts short enough for tests."""
    from kiosk.app import build_gui

    built = build_gui(core, windowed=True, idle_timeout_ms=300, countdown_s=2, tick_ms=100,
                      cache_dir=tmp_path / "cache")
    qtbot.addWidget(built.window)
    built.window.resize(1280, 800)
    built.window.show()
    yield built
    built.dispose()
