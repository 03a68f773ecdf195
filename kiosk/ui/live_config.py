"""A configuration pulled from the city server, adopted by the running kiosk at the next safe moment.

Safe: the attract screen (nobody is using the kiosk) or the console's home (a volunteer between two desks).
Never while a worker is in the middle of a form or a quiz round, nor while a desk is counting: a pending
version waits until the window next shows a safe screen. The core (``kiosk.live_config``) checks, refuses
and audits; this module only chooses the moment and passes the new configuration to the screens.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.live_config import ConfigFollower, ConfigUpdate
from kiosk.ui.screens import Screen

SAFE_SCREENS = frozenset({Screen.ATTRACT, Screen.CONSOLE})


class LiveConfig(QObject):
    """Checks for a pulled configuration (after each sync run, and every ``poll_ms``) and adopts it when safe."""

    adopted = Signal(object)  # ConfigUpdate
    refused = Signal(str)

    def __init__(self, follower: ConfigFollower, window, console, idle, *, poll_ms: int = 30_000):  # type: ignore[no-untyped-def]
        super().__init__(window)
        self.follower, self.window, self.console, self.idle = follower, window, console, idle
        self.pending: ConfigUpdate | None = None
        self._told = ""
        self._timer = QTimer(self, interval=poll_ms)
        self._timer.timeout.connect(self.check)
        window.screen_changed.connect(lambda _screen: self.adopt_if_safe())

    def start(self) -> None:
        self.check()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def check(self) -> None:
        """Read what the sync stored; a usable new version waits for a safe moment, a refused one is told once."""
        update = self.follower.check()
        if update is not None:
            self.pending = update
            self.adopt_if_safe()
        elif self.follower.problem and self.follower.problem != self._told:
            self._told = self.follower.problem
            self.console.home.config_refused(self.follower.problem)
            self.refused.emit(self.follower.problem)

    def adopt_if_safe(self) -> bool:
        if self.pending is None or self.window.current not in SAFE_SCREENS:
            return False
        update, self.pending = self.pending, None
        self.follower.adopt(update)
        config = update.config
        self.window.set_config(config)
        self.idle.set_timeout(config.idle.timeout_s * 1000)
        self.window.overlay.set_countdown(config.idle.countdown_s)
        self.console.lock_watch.set_timeout(config.idle.console_lock_s * 1000)
        self.console.home.config_adopted(update.version, update.changed)
        self.adopted.emit(update)
        return True


def install_live_config(window, console, idle, follower: ConfigFollower, *, poll_ms: int = 30_000) -> LiveConfig:  # type: ignore[no-untyped-def]
    live = LiveConfig(follower, window, console, idle, poll_ms=poll_ms)
    live.start()
    return live
