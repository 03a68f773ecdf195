"""The main window: stacks the screens, routes between them, and owns the idle return.

Features add their screens and wiring through ``add_screen`` and ``show_screen`` (see
``kiosk.app.build_shell``, which makes the window, and ``kiosk.app.install_features``, which adds the
screens); the window itself knows no feature's internals.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QScreen
from PySide6.QtWidgets import QLabel, QLayout, QMainWindow, QVBoxLayout, QWidget

from kiosk.config import Config
from kiosk.ui.attract_screen import AttractScreen
from kiosk.ui.idle import IdleWatcher, StillThereOverlay
from kiosk.ui.presentation import Presentation
from kiosk.ui.screens import Screen
from kiosk.ui.widgets import CurrentPageStack, ScreenBase

if TYPE_CHECKING:  # imported on first use: the attract screen paints without it
    from kiosk.ui.services_screen import ServicesScreen

# Keys a worker could use to leave or disturb the kiosk; the OS lock-down catches the rest (docs/deployment.md).
BLOCKED_KEYS = {Qt.Key.Key_Escape, Qt.Key.Key_F11, Qt.Key.Key_Super_L, Qt.Key.Key_Super_R, Qt.Key.Key_Menu}


class MainWindow(QMainWindow):
    screen_changed = Signal(object)  # Screen
    wiped = Signal()

    def __init__(self, *, config: Config, presentation: Presentation, idle: IdleWatcher,
                 countdown_s: int, tick_ms: int = 1000, kiosk_mode: bool = True, qr_cache: Path | None = None):
        super().__init__()
        self._presentation = presentation
        self._idle = idle
        self._kiosk_mode = kiosk_mode
        self._close_allowed = not kiosk_mode
        self._fullscreen_screen: QScreen | None = None  # the screen a fullscreen window follows
        self.screens: dict[Screen, ScreenBase] = {}
        self.current = Screen.ATTRACT
        self.stack = CurrentPageStack()
        self.banner = QLabel(objectName="banner", alignment=Qt.AlignmentFlag.AlignCenter)
        self.sync_status = QLabel(objectName="syncStatus", alignment=Qt.AlignmentFlag.AlignRight)
        self.keyboard_area = QWidget()  # the embedded on-screen keyboard lives here (kiosk.ui.keyboard)
        self.keyboard_area.setLayout(QVBoxLayout())
        self.keyboard_area.layout().setContentsMargins(0, 0, 0, 0)
        self.keyboard_area.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.keyboard_area)
        layout.addWidget(self.sync_status)
        # Only once it has a parent: shown before, the banner would open as a window of its own (~10 ms).
        self.banner.setVisible(config.event.demo)
        self.setCentralWidget(central)
        # The window is as big as the screen, never bigger: left to the default, a page that grew for a moment
        # (an error line while the keyboard's candidate bar was open) raised the window's minimum height past
        # the screen, and a fullscreen window on a real display grew to 832 px of 800, the keyboard's last
        # row off the screen, for good. Now a page that does not fit is squeezed instead.
        for box in (self.layout(), layout):
            box.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.overlay = StillThereOverlay(central, countdown_s=countdown_s, tick_ms=tick_ms)
        idle.idle.connect(self._on_idle)
        self.overlay.expired.connect(self.go_home)
        self.overlay.dismissed.connect(idle.arm)
        self.attract = AttractScreen(config, presentation, qr_cache=qr_cache)
        self._config = config
        self._services: ServicesScreen | None = None  # built on first use: the attract screen paints sooner
        self.add_screen(Screen.ATTRACT, self.attract)
        self.attract.services_requested.connect(lambda: self.show_screen(Screen.SERVICES))
        self.retranslate()

    # -- routing ------------------------------------------------------------------------

    def add_screen(self, screen: Screen, widget: ScreenBase) -> None:
        self.screens[screen] = widget
        self.stack.addWidget(widget)

    @property
    def services(self) -> ServicesScreen:
        if self._services is None:
            from kiosk.ui.services_screen import ServicesScreen

            self._services = ServicesScreen(self._config, self._presentation)
            self._services.back_requested.connect(self.go_home)
            self.add_screen(Screen.SERVICES, self._services)
        return self._services

    def set_config(self, config: Config) -> None:
        """A new configuration (from the city server), adopted between two people: the attract screen names
        the event anew and today's services are built again on their next showing."""
        self._config = config
        self.attract.set_config(config)
        if self._services is not None:
            self.stack.removeWidget(self._services)
            del self.screens[Screen.SERVICES]
            self._services.deleteLater()
            self._services = None

    def build_deferred_screens(self) -> None:
        """Build what waits for first use now (screenshots, tests that walk every screen)."""
        _ = self.services

    def show_screen(self, screen: Screen) -> None:
        if screen is Screen.SERVICES:
            _ = self.services
        widget = self.screens[screen]
        self.current = screen
        self.stack.setCurrentWidget(widget)
        widget.on_shown()
        if screen is Screen.ATTRACT:
            self._idle.disarm()
        else:
            self._idle.arm()
        self.screen_changed.emit(screen)

    def go_home(self) -> None:
        """Wipe every screen, restore language and text size, show the attract screen."""
        self.overlay.hide()
        for widget in self.screens.values():
            widget.wipe()
        self._presentation.reset()
        self.show_screen(Screen.ATTRACT)
        self.wiped.emit()

    def _on_idle(self) -> None:
        # A screen may opt out of the idle return (the volunteer console locks itself instead).
        widget = self.screens.get(self.current)
        if self.current is not Screen.ATTRACT and getattr(widget, "idle_return", True):
            self.overlay.start()

    # -- status -------------------------------------------------------------------------

    def set_sync_status(self, text: str) -> None:
        self.sync_status.setText(text)

    def retranslate(self) -> None:
        self.banner.setText(self.tr("演示模式 · 数据仅保存在本机，不会上报"))
        self.setWindowTitle(self.tr("职工沟通会 · 工会服务台"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- fullscreen ---------------------------------------------------------------------

    def show_fullscreen(self) -> None:
        """Cover the whole screen the kiosk started on, with or without a window manager.

        showFullScreen() alone asks the window manager to do it: on a bare X server (xinit, the usual
        kiosk mini-PC) nobody answers and the window stays small in a corner. So the geometry is set to the
        screen's own, and again whenever the screen changes size or turns (rotation)."""
        screen = self.screen()
        if self._fullscreen_screen is not screen:
            if self._fullscreen_screen is not None:
                self._fullscreen_screen.geometryChanged.disconnect(self._fill_screen)
            screen.geometryChanged.connect(self._fill_screen)
            self._fullscreen_screen = screen
        self._fill_screen()
        self.showFullScreen()

    def show_windowed(self) -> None:
        if self._fullscreen_screen is not None:
            self._fullscreen_screen.geometryChanged.disconnect(self._fill_screen)
            self._fullscreen_screen = None
        self.showNormal()

    def _fill_screen(self) -> None:
        if self.windowHandle() is not None:
            self.windowHandle().setScreen(self._fullscreen_screen)  # stay on the screen it started on
        self.setGeometry(self._fullscreen_screen.geometry())

    # -- kiosk lock-down ----------------------------------------------------------------

    def allow_close(self) -> None:
        """Called by the volunteer console after the PIN: quitting is possible only from there."""
        self._close_allowed = True

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._close_allowed:
            event.accept()
        else:
            event.ignore()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if self._kiosk_mode and event.key() in BLOCKED_KEYS:
            event.accept()
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._presentation.follow_window_width(self.width())
        if self.overlay.isVisible():
            self.overlay.setGeometry(self.centralWidget().rect())
