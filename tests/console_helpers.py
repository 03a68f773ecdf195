"""Shared set-up of the console's GUI tests: a built window with fast, injectable timings."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from booth_common.sealing import public_key_to_text
from kiosk.app import build_core, build_gui
from kiosk.settings import DEMO_CONFIG


# A real event's configuration carries the city's public key; its private half here only opens test envelopes.
CITY_PRIVATE_KEY = X25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
CITY_PUBLIC_KEY = public_key_to_text(CITY_PRIVATE_KEY.public_key())


class FakeClock:
    """Seconds (``__call__``) and milliseconds (``ms``) that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def ms(self) -> float:
        return self.now * 1000

    def advance(self, seconds: float) -> None:
        self.now += seconds


def event_config(folder: Path, *, demo: bool = True, replace: tuple[tuple[str, str], ...] = ()) -> Path:
    """The demo configuration, made a real event (demo = false) and/or otherwise changed."""
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    # the copy lives elsewhere: point it at the bundled quiz bank
    text = text.replace('bank = "quiz-bank.toml"', f'bank = "{(DEMO_CONFIG.parent / "quiz-bank.toml").as_posix()}"')
    if not demo:
        text = text.replace("demo = true", "demo = false")
        text = text.replace('server_url = ""', f'server_url = ""\ncity_public_key = "{CITY_PUBLIC_KEY}"')
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    # the copy lives elsewhere: point it at the bundled quiz bank (paths resolve against the config file)
    text = text.replace('bank = "quiz-bank.toml"', f'bank = "{(DEMO_CONFIG.parent / "quiz-bank.toml").as_posix()}"')
    path = folder / "event.toml"
    path.write_text(text, encoding="utf-8")
    return path


def open_gui(tmp_path: Path, clock: FakeClock, *, config: Path = DEMO_CONFIG, lock_ms: int = 60_000):
    core = build_core(data_dir=tmp_path / "data", config_path=config)
    gui = build_gui(core, windowed=False, cache_dir=tmp_path / "cache",
                    console_options=dict(hold_ms=50, lock_ms=lock_ms, undo_seconds=30, clock=clock,
                                         clock_ms=clock.ms, refresh_ms=3_600_000))
    gui.window.resize(1280, 800)
    gui.window.show()
    return core, gui


def close_gui(core, gui) -> None:  # type: ignore[no-untyped-def]
    """Tear down the window but keep pytest-qt's QApplication (``Gui.close`` would shut it down)."""
    gui.dispose()  # timers die before the ledger closes
    core.close()


def unlock(gui, pin: str = "2468") -> None:  # type: ignore[no-untyped-def]
    console = gui.console
    gui.window.show_screen(__import__("kiosk.ui.screens", fromlist=["Screen"]).Screen.CONSOLE_PIN)
    for digit in pin:
        console.pin.keypad.buttons[digit].click()
    console.pin.ok_button.click()
