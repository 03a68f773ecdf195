"""The composition root: builds settings, keys, ledger and services, and (for the GUI) the window.

Nothing else in the kiosk constructs these objects; screens and commands receive them.
Qt is imported only when the GUI is started, so the command-line tools stay light.
"""

from __future__ import annotations

from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, TypedDict

from kiosk.config import Config, load_config
from kiosk.schema import LedgerTooNew
from kiosk.settings import LEDGER_FILE

if TYPE_CHECKING:  # imported where used: the attract screen paints before sqlite-utils and cryptography load
    from booth_common.sealing import KeyRing
    from kiosk.booth import BoothService
    from kiosk.ledger import Ledger
    from kiosk.vault import Vault


class ConsoleOptions(TypedDict, total=False):
    """The console's timings and clocks, injectable so tests run in milliseconds (``install_console``)."""

    lock_ms: int                       # console locks after this long untouched
    hold_ms: int                       # the corner hold that asks for the PIN
    undo_seconds: float                # how long a desk's +1 can be taken back
    clock: Callable[[], float]         # seconds, monotonic
    clock_ms: Callable[[], float]      # milliseconds, monotonic
    refresh_ms: int                    # the dashboard's refresh period


class Core(NamedTuple):  # not a dataclass: this module loads before the first paint (see kiosk.config)
    """Everything below the UI, wired for one data folder and one configuration."""

    data_dir: Path
    config: Config
    keys: KeyRing
    ledger: Ledger
    booth: BoothService

    def close(self) -> None:
        self.ledger.close()


def build_core(*, data_dir: Path, config_path: Path, config: Config | None = None) -> Core:
    from booth_common.sealing import KeyRing
    from kiosk.booth import BoothService
    from kiosk.ledger import Ledger
    from kiosk.vault import Vault

    config = config or load_config(config_path)
    keys = KeyRing(data_dir / "keys")
    keys.ensure(city_public=config.city_public_key or None)
    vault = Vault(data_dir / "keys")
    ledger = Ledger(data_dir / LEDGER_FILE, vault=vault)
    _expire_lookups_at_start(ledger, keys, vault)
    _purge_at_start(ledger, retention_days=config.retention_days)  # its checkpoint wipes the expired hashes too
    if config.event.demo:
        open_demo_vault(ledger, vault)
    return Core(data_dir, config, keys, ledger, BoothService(ledger, config, keys, vault))


def _purge_at_start(ledger: Ledger, *, retention_days: int) -> None:
    """Retention runs at every start; one that cannot finish now (another program reading the ledger, a sync
    of another process running) is said on stderr and done again at the next start or ``kiosk purge``."""
    import sys

    from kiosk.ledger import LedgerError
    from kiosk.retention import purge_expired

    try:
        # no waiting at start: a start is not held up by another process's sync or reader
        purge_expired(ledger, retention_days=retention_days, wait_s=0, checkpoint_attempts=2)
    except LedgerError as exc:
        print(f"kiosk: warning: retention purge at start not complete: {exc}", file=sys.stderr)


def _expire_lookups_at_start(ledger: Ledger, keys: KeyRing, vault: Vault) -> None:
    """Keyed hashes of earlier days go at every start (their day key goes when the vault is next opened);
    the plain lookup key of versions before the vault is destroyed, with every hash made with it."""
    from kiosk.retention import start_of_local_day_utc

    everything = "9999"  # sorts after every time text
    legacy = keys.drop_legacy_hmac_key()
    ledger.expire_day_lookups(before=everything if legacy else start_of_local_day_utc(vault.today()))


def open_demo_vault(ledger: Ledger, vault: Vault) -> None:
    """The demo event's vault is wrapped by its public PIN and opened at start (no unlock screen)."""
    from kiosk.access import ConsoleAccess
    from kiosk.booth_setup import DEMO_PIN

    ConsoleAccess(ledger, vault).set_demo_pin(DEMO_PIN)


def open_ledger(data_dir: Path, *, vault: Vault | None = None) -> Ledger:
    """A further connection to the same ledger, for another thread (the sync worker), with the kiosk's vault
    (the running kiosk's own, open after the unlock; else the demo's, which any process may open)."""
    from kiosk.ledger import Ledger

    return Ledger(data_dir / LEDGER_FILE, vault=vault or _demo_vault(data_dir))


def _demo_vault(data_dir: Path) -> Vault:
    from kiosk.booth_setup import DEMO_PIN
    from kiosk.vault import Vault

    vault = Vault(data_dir / "keys")
    if vault.is_demo:
        vault.unlock(DEMO_PIN)
    return vault


def build_sync_job(core: Core):  # type: ignore[no-untyped-def]
    """One background sync run over this core's data folder: its own ledger connection, the saved link."""
    from functools import partial

    from sync.client import SyncClient
    from sync.job import SyncJob

    return SyncJob(partial(open_ledger, core.data_dir, vault=core.booth.vault), core.keys,
                   make_client=lambda link: SyncClient(link.url, token=link.token))


def build_sync_runner(core: Core, *, period_ms: int = 60_000):  # type: ignore[no-untyped-def]
    """The Qt sync runner for the GUI: connect ``status_changed`` to the status bar, ``start()`` it
    once the window shows, and ``stop()`` it before the ledger closes."""
    from kiosk.ui.sync_runner import SyncRunner

    return SyncRunner(build_sync_job(core).run, period_ms=period_ms)


class Gui:
    """The Qt side, built by ``build_gui``: application objects the tests and screenshots reach."""

    def __init__(self, app: object, window: object, presentation: object, idle: object, console: object = None,
                 qr_cache: Path | None = None):
        self.app, self.window, self.presentation, self.idle = app, window, presentation, idle
        self.qr_cache = qr_cache  # the join code's cache file, checked after the first paint (verify_join_code)
        self.console = console  # the volunteer console, installed with the other features after the first paint
        self.live_config = None  # adopts a configuration pulled from the city server (kiosk.ui.live_config)
        self.keyboard = None  # the embedded on-screen keyboard, when installed (kiosk.ui.keyboard)

    def dispose(self) -> None:
        """Stop every timer and delete the window now, while the ledger is still open: a window left
        for later deletion would still answer timers and language changes with a closed ledger."""
        from PySide6.QtCore import QCoreApplication, QEvent

        if self.console is not None:
            self.console.lock_watch.disarm()
        if self.live_config is not None:
            self.live_config.stop()
        self.idle.disarm()
        self.presentation.reset()
        self.presentation.attach(None)
        self.window.allow_close()
        self.window.close()
        self.window.deleteLater()
        self.presentation.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.app.processEvents()

    def close(self) -> None:
        """Tear the window down before the interpreter does, which can crash PySide6 at exit."""
        self.dispose()
        self.app.shutdown()


def build_gui(core: Core, *, windowed: bool, idle_timeout_ms: int | None = None,
              countdown_s: int | None = None, tick_ms: int = 1000, cache_dir: Path | None = None,
              console_options: ConsoleOptions | None = None, virtual_keyboard: bool = False) -> Gui:
    """Build the main window with every feature's screens wired in (Qt imported only here)."""
    gui = build_shell(core.config, windowed=windowed, idle_timeout_ms=idle_timeout_ms, countdown_s=countdown_s,
                      tick_ms=tick_ms, cache_dir=cache_dir)
    install_features(gui, core, console_options=console_options, virtual_keyboard=virtual_keyboard)
    return gui


def build_shell(config: Config, *, windowed: bool, idle_timeout_ms: int | None = None,
                countdown_s: int | None = None, tick_ms: int = 1000, cache_dir: Path | None = None) -> Gui:
    """The window with its attract screen, built from the configuration alone: what a worker sees
    first paints before the ledger, the keys and the other screens are built.

    ``cache_dir`` holds what is made once and kept between starts (compiled translations, the join QR
    code); by default the platform's cache folder for the kiosk."""
    from PySide6.QtWidgets import QApplication

    from kiosk.settings import env_value
    from kiosk.ui.i18n import LanguageSwitcher
    from kiosk.ui.idle import IdleWatcher
    from kiosk.ui.main_window import MainWindow
    from kiosk.ui.presentation import Presentation

    app = QApplication.instance() or QApplication([])
    _favour_the_gui_thread()
    cache_dir = cache_dir or _platform_cache_dir()
    presentation = Presentation(app, LanguageSwitcher(app, cache_dir=cache_dir / "i18n"),
                                default_language=_start_language(env_value("language")))
    idle = IdleWatcher(app, timeout_ms=idle_timeout_ms or config.idle.timeout_s * 1000)
    window = MainWindow(config=config, presentation=presentation, idle=idle,
                        countdown_s=countdown_s or config.idle.countdown_s, tick_ms=tick_ms, kiosk_mode=not windowed,
                        qr_cache=cache_dir / "join-qr.txt")
    idle.setParent(window)
    presentation.attach(window)
    return Gui(app, window, presentation, idle, qr_cache=cache_dir / "join-qr.txt")


# While a worker thread runs Python (an export, sync), the GUI thread waits for the interpreter lock up to
# this long before the worker must hand it over, at each Python call of a repaint (every event passes the
# console's idle filter, in Python). Python's 5 ms made 50–120 ms stalls of a repaint during a million-
# record export on a loaded 2-core machine; 0.5 ms kept them near 10–25 ms (tests/benchmarks/bench_background.py).
GUI_SWITCH_INTERVAL_S = 0.0005


def _favour_the_gui_thread() -> None:
    import sys

    sys.setswitchinterval(min(sys.getswitchinterval(), GUI_SWITCH_INTERVAL_S))


# Python's full garbage collection walks every object the process holds: 15-20 ms for a started kiosk (its Qt
# wrappers, modules and configuration), 85 ms in a test process, on whichever thread allocates — the GUI
# thread, or a worker holding the interpreter lock: 85 ms of a 90.6 ms GUI stall in the member search bench
# (tests/benchmarks/bench_background.py). What start-up built lives as long as the kiosk: frozen, later
# collections never walk it again (a full one after this: under 1 ms).
def freeze_start_up_objects() -> None:
    import gc

    gc.collect()
    gc.freeze()


def install_features(gui: Gui, core: Core, *, console_options: ConsoleOptions | None = None,
                     virtual_keyboard: bool = False) -> None:
    """Registration, quiz and console screens on the booth's ledger, and the on-screen keyboard."""
    from kiosk.ui.keyboard import install_keyboard, keep_typing_private
    from kiosk.ui.registration import install_registration

    window, presentation, app = gui.window, gui.presentation, gui.app
    install_registration(window, core.booth.members, presentation)
    window.attract.set_join_link(partial_join_link(core))
    _add_quiz(window, core, presentation)
    gui.console = _install_console(core, window, presentation, app, console_options or {})
    gui.live_config = _install_live_config(gui, core)
    keep_typing_private(app, window)
    if virtual_keyboard:
        gui.keyboard = install_keyboard(app, window.keyboard_area, presentation)


def partial_join_link(core: Core) -> Callable[[], str | None]:
    """This minute's link to the city server's join page once the booth is enrolled (its server and join
    secret saved by enrolment, read again each time: enrolling while the GUI runs takes effect); else None,
    and the attract screen shows the configured join_url."""
    from kiosk.qr import phone_join_link
    from sync.enrollment import META_JOIN_SECRET, META_URL

    def link() -> str | None:
        if core.config.registration.phone_join != "server":
            return None
        url, secret = core.ledger.get_meta(META_URL), core.ledger.get_meta(META_JOIN_SECRET)
        if not (url and secret):
            return None
        return phone_join_link(url, secret, event_id=core.config.event.id, booth_id=core.booth.writer.booth_id)

    return link


def _install_console(core: Core, window, presentation, app, options: ConsoleOptions):  # type: ignore[no-untyped-def]
    """The volunteer console (docs/console.md); ``options`` are the test hooks of ``install_console``."""
    from kiosk.access import ConsoleAccess
    from kiosk.ui.console import install_console

    access = ConsoleAccess(core.ledger, core.booth.vault, audit=core.booth.audit.record_audit)
    options = {"enrol": build_enrol_job(core).run, "server_url": core.config.server_url, **options}
    return install_console(window, core.booth, access, presentation, app=app,
                           export_dir=core.data_dir / "exports", **options)


def build_enrol_job(core: Core):  # type: ignore[no-untyped-def]
    """Enrolment from the console (sync/enrol_job.py): its own ledger connection, a client per attempt."""
    from functools import partial

    from sync.client import SyncClient
    from sync.enrol_job import EnrolJob

    return EnrolJob(partial(open_ledger, core.data_dir, vault=core.booth.vault), core.keys, booth_id=core.config.booth.id,
                    event_id=core.config.event.id, default_server=core.config.server_url,
                    make_client=lambda url: SyncClient(url))


def _install_live_config(gui: Gui, core: Core):  # type: ignore[no-untyped-def]
    """A configuration pulled from the city server, adopted at the next safe moment (docs/configuration.md)."""
    from kiosk.live_config import ConfigFollower
    from kiosk.ui.live_config import install_live_config

    return install_live_config(gui.window, gui.console, gui.idle, ConfigFollower(core.booth.writer, core.booth.audit))


def _add_quiz(window, core: Core, presentation) -> None:  # type: ignore[no-untyped-def]
    """The prize quiz: its desk on the booth's ledger, its screen behind the attract screen's quiz button."""
    from kiosk.quiz import build_quiz_desk
    from kiosk.ui.quiz_screen import QuizScreen
    from kiosk.ui.screens import Screen
    from sync.prize_check import CityPrizeCheck

    from functools import partial

    city = CityPrizeCheck(partial(open_ledger, core.data_dir, vault=core.booth.vault))
    quiz = QuizScreen(build_quiz_desk(core.booth.prizes, core.booth.desks, city=city), presentation)
    window.add_screen(Screen.QUIZ, quiz)
    window.attract.quiz_requested.connect(lambda: window.show_screen(Screen.QUIZ))
    quiz.home_requested.connect(window.go_home)


def verify_join_code(gui: Gui) -> None:
    """Remake the join QR code from the configuration and show it if the cached one differs.

    The attract screen paints its join code from a cache file (the first paint does not wait ~50 ms for
    qrcode), and the cache is writable by the booth account: a forged matrix there could send workers to
    another site for as long as it was shown. Checked here, right after the first paint, so a forged or
    stale code is on screen for at most the start's first moments and the cache is rewritten."""
    from kiosk.qr import qr_matrix

    qr = gui.window.attract.qr
    made = qr_matrix(qr.text)
    if made != qr.matrix:
        qr.set_text(qr.text, matrix=made)
        cache = gui.qr_cache
        if cache is not None:
            cache.unlink(missing_ok=True)  # remade from the configuration at the next start


def _platform_cache_dir() -> Path:
    """The kiosk's folder in the platform's cache location (~/.cache/union-booth-kiosk on Linux); Qt's
    lookup, already loaded, rather than platformdirs, which would cost the first paint its import."""
    from PySide6.QtCore import QStandardPaths

    from kiosk.settings import APP_NAME

    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericCacheLocation)) / APP_NAME


def _start_language(value: str | None):  # type: ignore[no-untyped-def]
    from kiosk.config import ConfigError
    from kiosk.ui.i18n import Language

    if value is None:
        return Language.ZH
    try:
        return Language(value)
    except ValueError:
        raise ConfigError("KIOSK_LANGUAGE", "language", f"must be zh_CN or en_US, not {value!r}") from None


EXIT_CONFIG_REFUSED = 2  # as kiosk.cli: the configuration (or the quiz bank it names) cannot be used
QUIZ_BANK_REFUSED = "题库或答题设置无法使用 / The quiz bank or quiz settings cannot be used"


def _refuse_quiz_bank(window, exc, *, on_closed):  # type: ignore[no-untyped-def]
    """The refusal box, in both languages, naming the file and question (or setting) at fault."""
    from kiosk.ui.refusal import show_refusal

    box = show_refusal(window, f"题库或答题设置无法使用，请联系工会工作人员检查配置文件：\n{exc}\n\n"
                               f"The quiz bank or quiz settings cannot be used; ask the union staff to check the "
                               f"configuration:\n{exc}", on_closed=on_closed)
    box.setWindowTitle(QUIZ_BANK_REFUSED)
    return box


def run_gui(*, data_dir: Path, config_path: Path, windowed: bool) -> int:
    """Read the configuration, show the attract screen at once, then open the ledger and build everything
    else behind it."""
    from PySide6.QtCore import Qt, QTimer

    from kiosk.ui.input_method import prepare_virtual_keyboard  # QtCore only: QtQuick loads after the paint

    config = load_config(config_path)  # from the file itself at every start: no cache can stand in for it
    # Before the QApplication exists: Qt reads the input-method module once, at start.
    virtual_keyboard = prepare_virtual_keyboard()
    gui = build_shell(config, windowed=windowed)
    window = gui.window
    if windowed:
        window.resize(1280, 800)
        window.show()
    else:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        window.show_fullscreen()
    started: dict[str, object] = {}

    def finish_start() -> None:
        try:
            core = build_core(data_dir=data_dir, config_path=config_path, config=config)
        except LedgerTooNew as exc:  # an older kiosk over a newer booth's data (kiosk/schema.py): say so, then end
            from kiosk.ui.refusal import show_refusal

            started["refused"], code = exc, exc.exit_code  # (``exc`` itself is gone once the except block ends)
            started["notice"] = show_refusal(window, f"{exc.chinese}\n\n{exc.english}", on_closed=lambda: gui.app.exit(code))
            return
        verify_join_code(gui)
        from kiosk.quiz import QuizBankError
        from kiosk.ui.input_method import remove_keyboard_dictionaries

        remove_keyboard_dictionaries()  # before the keyboard's engine opens them (what it learned, names among it)
        try:
            install_features(gui, core, virtual_keyboard=virtual_keyboard)
        except QuizBankError as exc:  # a bank, or [quiz] topic_weights, the quiz cannot use: say so, then end
            started.update(core=core, bank_refused=str(exc))
            started["notice"] = _refuse_quiz_bank(window, exc, on_closed=lambda: gui.app.exit(EXIT_CONFIG_REFUSED))
            return
        # Sync runs beside the GUI from the first second; its state shows in the window's status line.
        runner = build_sync_runner(core)
        runner.status_changed.connect(lambda status: window.set_sync_status(status.text))
        runner.status_changed.connect(lambda status: gui.console.dashboard.set_sync_state(status.text))
        runner.status_changed.connect(lambda _status: gui.live_config.check())  # a pull may have stored a config
        gui.console.enrol.enrolled.connect(lambda _outcome: runner.sync_now())  # enrolled at the console: sync now
        runner.start()
        started.update(core=core, runner=runner)
        freeze_start_up_objects()

    gui.app.processEvents()  # paint the attract screen now, before the slower start below
    QTimer.singleShot(0, finish_start)
    try:
        code = gui.app.exec()
        if "refused" in started:
            raise started["refused"]  # type: ignore[misc]  # kiosk.cli prints it and exits with its code
        if "bank_refused" in started:
            import sys

            print(f"kiosk: quiz bank refused: {started['bank_refused']}", file=sys.stderr)
            return EXIT_CONFIG_REFUSED
        return code
    finally:
        if "runner" in started:
            started["runner"].stop()  # type: ignore[attr-defined]
        if "core" in started:
            started["core"].close()  # type: ignore[attr-defined]
