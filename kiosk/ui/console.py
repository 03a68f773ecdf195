"""The volunteer console wired into the kiosk: setup on first start, the hidden way in, the PIN, the idle lock.

``install_console`` is the one call the composition root makes; the ``Console`` routes between
the console's screens and keeps every one of them behind the PIN. Device actions taken here
(fullscreen, quit, purge) leave audit records; unlocks and PIN changes are audited by ``ConsoleAccess``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from kiosk.access import ConsoleAccess
from kiosk.audit import Audit
from kiosk.booth_setup import BoothProfile, ensure_demo_pin, needs_setup
from kiosk.corrections import Corrections
from kiosk.desks import Desks
from kiosk.employers import EmployerMeetings
from kiosk.errors import PurgeFailed
from kiosk.report import DayReport
from kiosk.retention import PersonalDataOnDevice
from kiosk.stations import UNDO_WINDOW_S, Station
from kiosk.ui.background import BackgroundTask, run_in_background
from kiosk.ui.console_enrol_screen import ConsoleEnrolScreen
from kiosk.ui.console_home_screen import ConsoleHomeScreen
from kiosk.ui.console_pin_change_screen import ConsolePinChangeScreen
from kiosk.ui.console_pin_screen import ConsolePinScreen
from kiosk.ui.console_setup_screen import ConsoleSetupScreen
from kiosk.ui.corner_gesture import CornerHold
from kiosk.ui.dashboard_screen import DashboardScreen
from kiosk.ui.employer_follow_up_screen import EmployerFollowUpScreen
from kiosk.ui.employer_meeting_screen import EmployerMeetingScreen
from kiosk.ui.idle import IdleWatcher
from kiosk.ui.input_method import remove_keyboard_dictionaries
from kiosk.ui.main_window import MainWindow
from kiosk.ui.members_screen import MembersScreen
from kiosk.ui.presentation import Presentation
from kiosk.ui.scan_field import monotonic_ms
from kiosk.ui.screens import Screen
from kiosk.ui.station_screen import StationScreen

# Screens that show booth data or change records: only ever reached through the PIN.
BEHIND_PIN = {Screen.CONSOLE, Screen.STATION, Screen.DASHBOARD, Screen.MEMBERS, Screen.CONSOLE_PIN_CHANGE,
              Screen.CONSOLE_ENROL, Screen.EMPLOYERS, Screen.EMPLOYER_MEETING}


class ConsoleConcepts(Protocol):
    """The booth's concepts behind the console's screens, each screen given only the one it shows (the
    composition root passes ``kiosk.booth.BoothService``, which holds them all)."""

    profile: BoothProfile        # setup and home: the booth as set up here
    desks: Desks                 # station mode
    corrections: Corrections     # the members screen, and a desk's undo
    report: DayReport            # the dashboard, a desk's count
    audit: Audit                 # device actions, the purge
    employers: EmployerMeetings  # employer meetings and their follow-ups


class ConfirmQuit:
    """Asks before the kiosk is closed; a class method so tests can replace the dialog."""

    @classmethod
    def ask(cls, parent: QWidget) -> bool:
        answer = QMessageBox.question(parent, QCoreApplication.translate("ConfirmQuit", "退出程序"),
                                      QCoreApplication.translate("ConfirmQuit", "确定退出工会服务台程序吗？"))
        return answer == QMessageBox.StandardButton.Yes


class ConfirmPurge:
    """Asks before personal data is purged, saying how much; a class method so tests can replace the dialog."""

    @classmethod
    def ask(cls, parent: QWidget, on_device: PersonalDataOnDevice) -> bool:
        text = QCoreApplication.translate(
            "ConfirmPurge", "将清除本机 %1 条已同步记录中的个人信息（姓名、手机号、身份证号等）。统计数字和脱敏信息保留。"
        ).replace("%1", str(on_device.purgeable))
        if on_device.kept_unsynced:
            text += "\n\n" + QCoreApplication.translate(
                "ConfirmPurge", "%1 条记录尚未同步，不会清除，仍保留在本机。").replace("%1", str(on_device.kept_unsynced))
        text += "\n\n" + QCoreApplication.translate("ConfirmPurge", "清除后无法恢复。确定清除吗？")
        title = QCoreApplication.translate("ConfirmPurge", "清除本机个人信息")
        return QMessageBox.question(parent, title, text) == QMessageBox.StandardButton.Yes


class Console(QObject):
    purge_finished = Signal()  # the purge ran (its result, or why it failed, is on the console's home)
    purge_declined = Signal()  # the volunteer said no when asked

    def __init__(self, window: MainWindow, booth: ConsoleConcepts, access: ConsoleAccess, presentation: Presentation, *,
                 app: QApplication, export_dir: Path, lock_ms: int, hold_ms: int, undo_seconds: float,
                 clock: Callable[[], float], clock_ms: Callable[[], float], refresh_ms: int,
                 enrol: Callable[[str, str], object] | None = None, server_url: str = ""):
        super().__init__(window)
        self.window, self.access, self.audit, self.profile = window, access, booth.audit, booth.profile
        self.unlocked = False
        self._resume = Screen.CONSOLE
        self.setup = ConsoleSetupScreen(booth.profile, access, presentation)
        self.pin = ConsolePinScreen(access, presentation)
        self.home = ConsoleHomeScreen(booth.profile, presentation)
        self.pin_change = ConsolePinChangeScreen(access, presentation)
        self.station = StationScreen(booth.desks, booth.corrections, booth.report, presentation, undo_seconds=undo_seconds,
                                     clock=clock, clock_ms=clock_ms)
        self.dashboard = DashboardScreen(booth.report, presentation, export_dir=export_dir, refresh_ms=refresh_ms)
        self.members = MembersScreen(booth.corrections, presentation)
        self.enrol = ConsoleEnrolScreen(enrol or _no_enrolment, presentation, server_url=server_url)
        self.employers = EmployerFollowUpScreen(booth.employers, presentation)
        self.employer_meeting = EmployerMeetingScreen(booth.employers, presentation)
        for screen, widget in ((Screen.CONSOLE_SETUP, self.setup), (Screen.CONSOLE_PIN, self.pin),
                               (Screen.CONSOLE, self.home), (Screen.STATION, self.station),
                               (Screen.DASHBOARD, self.dashboard), (Screen.MEMBERS, self.members),
                               (Screen.CONSOLE_PIN_CHANGE, self.pin_change), (Screen.CONSOLE_ENROL, self.enrol),
                               (Screen.EMPLOYERS, self.employers), (Screen.EMPLOYER_MEETING, self.employer_meeting)):
            window.add_screen(screen, widget)
        self.lock_watch = IdleWatcher(app, timeout_ms=lock_ms, parent=self)
        self.corner = CornerHold(app, window, hold_ms=hold_ms)
        self._connect()

    def _connect(self) -> None:
        self.lock_watch.idle.connect(self.lock)
        self.corner.triggered.connect(self.ask_pin)
        self.window.screen_changed.connect(self._screen_changed)
        self.setup.completed.connect(self._unlocked)
        self.pin.unlocked.connect(self._unlocked)
        self.pin.cancelled.connect(self.leave)
        self.home.station_chosen.connect(self.open_station)
        self.home.dashboard_requested.connect(lambda: self.window.show_screen(Screen.DASHBOARD))
        self.home.members_requested.connect(lambda: self.window.show_screen(Screen.MEMBERS))
        self.home.employers_requested.connect(lambda: self.window.show_screen(Screen.EMPLOYERS))
        self.employers.new_meeting_requested.connect(lambda: self.window.show_screen(Screen.EMPLOYER_MEETING))
        self.employer_meeting.back_requested.connect(lambda: self.window.show_screen(Screen.EMPLOYERS))
        self.employer_meeting.saved.connect(self._meeting_saved)
        self.home.lock_requested.connect(self.leave)
        self.home.fullscreen_requested.connect(self.toggle_fullscreen)
        self.home.quit_requested.connect(self.quit)
        self.home.purge_requested.connect(self.purge)
        self.home.pin_change_requested.connect(lambda: self.window.show_screen(Screen.CONSOLE_PIN_CHANGE))
        self.pin_change.changed.connect(self._pin_changed)
        self.home.enrol_requested.connect(lambda: self.window.show_screen(Screen.CONSOLE_ENROL))
        self.enrol.enrolled.connect(self._enrolled)
        for screen in (self.station, self.dashboard, self.members, self.pin_change, self.enrol, self.employers):
            screen.back_requested.connect(lambda: self.window.show_screen(Screen.CONSOLE))

    def _meeting_saved(self, meeting: object) -> None:
        self.window.show_screen(Screen.EMPLOYERS)
        self.employers.show_saved(meeting)  # type: ignore[arg-type]

    def _enrolled(self, outcome: object) -> None:
        """Enrolled from the console: the enrolment is an audit record, as from ``kiosk enroll``."""
        self.audit.record_audit("enrolment", details={"booth_id": outcome.booth_id,  # type: ignore[attr-defined]
                                                "event_id": outcome.event_id, "via": "console"})  # type: ignore[attr-defined]

    def start(self) -> None:
        """A real event's first start shows the setup screen; a later start asks the PIN before anything else
        (it unwraps the lookup key: registration needs it), then shows the attract screen; the demo event
        gets its demo PIN."""
        if needs_setup(self.profile, self.access):
            self.window.show_screen(Screen.CONSOLE_SETUP)
            return
        ensure_demo_pin(self.profile, self.access)
        if not self.access.is_unlocked:
            self.unlock_at_start()

    def unlock_at_start(self) -> None:
        self._resume = Screen.ATTRACT
        self.pin.set_start_mode(True)
        self.window.show_screen(Screen.CONSOLE_PIN)

    # -- the lock -----------------------------------------------------------------------

    def ask_pin(self) -> None:
        if self.window.current in BEHIND_PIN or self.window.current is Screen.CONSOLE_SETUP:
            return
        self._resume = Screen.CONSOLE
        self.window.show_screen(Screen.CONSOLE_PIN)

    def _unlocked(self) -> None:
        self.pin.set_start_mode(False)
        self.unlocked = True
        self.lock_watch.arm()
        resume, self._resume = self._resume, Screen.CONSOLE  # the start's unlock resumes at the attract screen once
        self.window.show_screen(resume)

    def lock(self) -> None:
        """Idle too long: back behind the PIN, returning to the same console screen after it."""
        if self.window.current in BEHIND_PIN:
            self._resume = self.window.current
        self.unlocked = False
        self.lock_watch.disarm()
        if self.window.current in BEHIND_PIN:
            self.window.show_screen(Screen.CONSOLE_PIN)

    def leave(self) -> None:
        self.unlocked = False
        self.lock_watch.disarm()
        self.window.go_home()

    def _screen_changed(self, screen: Screen) -> None:
        self.corner.enabled = screen is Screen.ATTRACT
        if screen not in BEHIND_PIN and screen is not Screen.CONSOLE_PIN:
            self.unlocked = False  # any way out of the console (idle return included) locks it
            self.lock_watch.disarm()

    # -- console actions ----------------------------------------------------------------

    def open_station(self, station: Station) -> None:
        self.station.set_station(station)
        self.window.show_screen(Screen.STATION)

    def toggle_fullscreen(self) -> None:
        fullscreen = not self.window.isFullScreen()
        self.audit.record_audit("fullscreen_toggle", details={"fullscreen": fullscreen, "via": "console"})
        if fullscreen:
            self.window.show_fullscreen()
        else:
            self.window.show_windowed()

    def quit(self) -> None:
        if ConfirmQuit.ask(self.window):
            self.audit.record_audit("kiosk_exit", details={"via": "console"})
            self.window.allow_close()
            self.window.close()

    def purge(self) -> BackgroundTask:
        """A borrowed device goes back: every synced record's personal data leaves it; unsynced ones stay.
        What is on the device is counted off the GUI thread (a third of a second at a million records), then
        the volunteer is asked, then the purge runs off the GUI thread too (it rewrites the ledger file);
        ``purge_finished`` says when it ran, ``purge_declined`` when the volunteer said no."""

        def count_off_thread(_progress):  # type: ignore[no-untyped-def]  # a pool thread, its own connection
            with self.audit.detached() as audit:
                return audit.personal_data_on_device()

        self.home.purge_button.setEnabled(False)
        return run_in_background(count_off_thread, self._confirm_purge, self._purge_failed, parent=self)

    def _confirm_purge(self, on_device: PersonalDataOnDevice) -> None:
        if not ConfirmPurge.ask(self.window, on_device):
            self.home.purge_button.setEnabled(True)
            self.purge_declined.emit()
            return
        remove_keyboard_dictionaries()  # what an input method learned goes too, whatever the ledger's purge says

        def purge_off_thread(_progress):  # type: ignore[no-untyped-def]  # a pool thread, its own connection
            with self.audit.detached() as audit:
                purged = audit.purge_personal_data(via="console")
                return purged, audit.personal_data_on_device().kept_unsynced

        run_in_background(purge_off_thread, self._purged, self._purge_failed, parent=self)

    def _purged(self, result: tuple[int, int]) -> None:
        self.home.purge_button.setEnabled(True)
        self.home.show_purge_result(*result)
        self.purge_finished.emit()

    def _purge_failed(self, exc: Exception) -> None:
        self.home.purge_button.setEnabled(True)
        if isinstance(exc, PurgeFailed):
            self.home.show_purge_failed(exc)
        else:
            self.home.show_purge_error(f"{type(exc).__name__}: {exc}")
        self.purge_finished.emit()

    def _pin_changed(self) -> None:
        self.window.show_screen(Screen.CONSOLE)
        self.home.show_pin_changed()


def install_console(window: MainWindow, booth: ConsoleConcepts, access: ConsoleAccess, presentation: Presentation, *,
                    app: QApplication, export_dir: Path, lock_ms: int | None = None, hold_ms: int = 3000,
                    undo_seconds: float = UNDO_WINDOW_S, clock: Callable[[], float] = time.monotonic,
                    clock_ms: Callable[[], float] = monotonic_ms, refresh_ms: int = 5000,
                    enrol: Callable[[str, str], object] | None = None, server_url: str = "") -> Console:
    """Add the console's screens to the window and show setup first when the event needs it.
    ``enrol`` is ``sync.enrol_job.EnrolJob.run`` (built by the composition root)."""
    console = Console(window, booth, access, presentation, app=app, export_dir=export_dir,
                      lock_ms=lock_ms or booth.profile.config.idle.console_lock_s * 1000, hold_ms=hold_ms,
                      undo_seconds=undo_seconds, clock=clock, clock_ms=clock_ms, refresh_ms=refresh_ms,
                      enrol=enrol, server_url=server_url)
    console.start()
    return console


def _no_enrolment(code: str, server: str) -> object:
    """Without a sync core (screenshots, tests of other screens): enrolment says it is not available here."""
    from types import SimpleNamespace

    return SimpleNamespace(ok=False, zh="此处无法注册设备。", en="Enrolment is not available here.", booth_id="", event_id="")
