"""The ``kiosk`` command: the GUI without a sub-command, and the booth's command-line tools."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk.settings import resolve_config_path, resolve_data_dir


# The GUI's own options, with whether each takes a value: a command line of these alone opens the GUI.
GUI_OPTIONS = {"--windowed": False, "--data-dir": True, "--config": True}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Union booth kiosk (职工沟通会).")
    _common(parser)
    parser.add_argument("--windowed", action="store_true", help="run in a window instead of fullscreen kiosk mode")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    _add_sub_commands(parser)
    return parser


def gui_options(argv: Sequence[str]) -> argparse.Namespace | None:
    """What ``build_parser().parse_args(argv)`` gives when ``argv`` holds only the GUI's options, written out
    in full; else None, and the whole parser answers (a sub-command, --help, an abbreviation, a mistake).
    So the GUI starts without building a parser before its first paint: argparse's own set-up costs ~3 ms
    (the translation look-ups of its messages), the seven sub-commands ~5 ms more."""
    args = argparse.Namespace(windowed=False, command=None)
    words = iter(argv)
    for word in words:
        name, eq, value = word.partition("=")
        if name not in GUI_OPTIONS or (eq and not GUI_OPTIONS[name]):
            return None
        if GUI_OPTIONS[name] and not eq:
            value = next(words, "-")
            if value.startswith("-"):  # a missing value, or an option where argparse wants one: its error
                return None
        setattr(args, name[2:].replace("-", "_"), value if GUI_OPTIONS[name] else True)
    return args


def _add_sub_commands(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("simulate", help="write realistic records through the service layer")
    _common(p)
    for name in ("members", "services", "quiz", "handouts", "employers"):
        p.add_argument(f"--{name}", type=_non_negative, default=0, metavar="N")
    p.add_argument("--seed", type=int, default=None)
    _pin_stdin(p)

    p = sub.add_parser("status", help="counts per kind and sync state")
    _common(p)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("export", help="the day report (csv, xlsx; personal data masked), or every record "
                                      "for the city server (bundle: encrypted to the city key, for a booth never online)")
    _common(p)
    p.add_argument("--format", choices=("csv", "xlsx", "bundle"), required=True)
    p.add_argument("--out", type=Path, required=True)
    _pin_stdin(p)

    p = sub.add_parser("purge", help="remove sealed personal fields of synced records past retention")
    _common(p)
    p.add_argument("--now", action="store_true", help="every synced record, whatever its age (a borrowed device)")

    p = sub.add_parser("screenshots", help="render every screen in both languages to PNG (offscreen)")
    _common(p)
    p.add_argument("--out", type=Path, default=Path("screenshots"))
    p.add_argument("--all-sizes", action="store_true", help="also 1920x1080 and portrait 800x1280")
    p.add_argument("--large-text", action="store_true", help="render each size in large-text mode too")
    p.add_argument("--seed", type=int, default=2026, help="the simulated morning's random seed (same seed, same pictures)")

    p = sub.add_parser("enroll", help="enrol this device with the city server (once, with a code from the city union)")
    _common(p)
    p.add_argument("--server", required=True, help="the city server's URL, https://...")
    p.add_argument("--code", required=True, help="the enrolment code printed by `kiosk-server new-booth`")
    p.add_argument("--ca-bundle", default=None, help="PEM file of the CA that signed the server's certificate")
    _pin_stdin(p)

    p = sub.add_parser("sync", help="push pending records to the city server and pull updates")
    _common(p)
    p.add_argument("--once", action="store_true", help="one run, then exit: 0 when nothing is left pending")
    p.add_argument("--attempts", type=_non_negative, default=3, help="tries of a --once run on network failures")
    p.add_argument("--ca-bundle", default=None, help="PEM file of the CA that signed the server's certificate")
    _pin_stdin(p)


def _pin_stdin(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pin-stdin", action="store_true",
                        help="a real event's kiosk is locked: read the volunteer PIN from the first line of standard "
                             "input (it unwraps the lookup key and the device token)")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", default=argparse.SUPPRESS,
                        help="folder of the ledger and keys (default: KIOSK_DATA_DIR, else the platform's data folder)")
    parser.add_argument("--config", default=argparse.SUPPRESS,
                        help="event configuration TOML (default: KIOSK_CONFIG, else the bundled demo event)")


def _version() -> str:
    from kiosk import __version__

    return __version__


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    from kiosk.schema import LedgerTooNew

    if os.name == "posix":
        os.umask(0o077)  # whatever this process creates (ledger, keys, exports, Qt's caches) is the account's alone

    try:
        return _run(sys.argv[1:] if argv is None else list(argv))
    except LedgerTooNew as exc:  # an older kiosk over a newer booth's data: refuse, change nothing
        print(f"kiosk: {exc}", file=sys.stderr)
        return exc.exit_code


def _run(argv: list[str]) -> int:
    args = gui_options(argv) or build_parser().parse_args(argv)
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    if args.command == "status" and (status := _quick_status(data_dir)) is not None:
        return print_status(status, as_json=args.json)
    from kiosk.app import build_core  # after parsing, so --help and status stay instant
    from kiosk.config import ConfigError

    config_path = resolve_config_path(getattr(args, "config", None))
    if args.command is None:  # the GUI opens its ledger after the attract screen is painted
        try:
            from kiosk.app import run_gui

            return run_gui(data_dir=data_dir, config_path=config_path, windowed=args.windowed)
        except ConfigError as exc:
            print(f"kiosk: configuration refused: {exc.path}: [{exc.key}] {exc.reason}", file=sys.stderr)
            return 2
    try:
        core = build_core(data_dir=data_dir, config_path=config_path)
    except ConfigError as exc:
        print(f"kiosk: configuration refused: {exc.path}: [{exc.key}] {exc.reason}", file=sys.stderr)
        return 2
    from kiosk.quiz import QuizBankError

    try:
        if (refused := unlock_for(core, args)) is not None:
            return refused
        return COMMANDS[args.command](core, args)
    except ConfigError as exc:
        print(f"kiosk: configuration refused: {exc.path}: [{exc.key}] {exc.reason}", file=sys.stderr)
        return 2
    except QuizBankError as exc:  # the bank [quiz] names, or a topic weight it has no question for
        print(f"kiosk: quiz bank refused: {exc}", file=sys.stderr)
        return 2
    finally:
        core.close()


def cmd_simulate(core, args) -> int:  # type: ignore[no-untyped-def]
    import json

    from kiosk.simulate import print_record_line, simulate

    written = simulate(core.booth, members=args.members, services=args.services, quiz=args.quiz,
                       handouts=args.handouts, employers=args.employers, seed=args.seed,
                       on_record=print_record_line())
    print(f"# written: {json.dumps(written)}", file=sys.stderr)
    return 0


def unlock_for(core, args) -> int | None:  # type: ignore[no-untyped-def]
    """Open a real event's vault for the commands that need it (``--pin-stdin``); the exit code (3) and a
    message when it stays locked, else None. simulate needs the day's lookup key, enroll stores the device
    token wrapped, sync and a bundle export read it."""
    from kiosk.access import ConsoleAccess
    from kiosk.errors import LockedOut, WrongPin
    from kiosk.ledger import PROTECTED_PREFIX

    if args.command not in ("simulate", "enroll", "sync") and getattr(args, "format", None) != "bundle":
        return None
    access = ConsoleAccess(core.ledger, core.booth.vault, audit=core.booth.audit.record_audit)
    if access.is_unlocked:
        return None
    if getattr(args, "pin_stdin", False) and access.has_pin:
        try:
            access.unlock(sys.stdin.readline().strip())
            return None
        except (WrongPin, LockedOut) as exc:
            print(f"kiosk: {exc.en}", file=sys.stderr)
            return 3
    token = core.ledger.get_meta("sync_token") or ""
    if args.command in ("sync", "export") and not token.startswith(PROTECTED_PREFIX):
        return None  # nothing wrapped to read: the command says itself what is missing
    if not access.has_pin:
        print("kiosk: set this booth up on the kiosk first (its volunteer PIN wraps the device token)", file=sys.stderr)
        return 3
    print("kiosk: this kiosk is locked (a real event): give the volunteer PIN with --pin-stdin", file=sys.stderr)
    return 3


def _quick_status(data_dir: Path):  # type: ignore[no-untyped-def]
    """Status straight from the file, read-only: no keys, no config, no sqlite-utils import."""
    from kiosk.ledger import read_status
    from kiosk.settings import LEDGER_FILE

    return read_status(data_dir / LEDGER_FILE)


def cmd_status(core, args) -> int:  # type: ignore[no-untyped-def]
    return print_status(core.ledger.status(), as_json=args.json)


def print_status(status, *, as_json: bool) -> int:  # type: ignore[no-untyped-def]
    if as_json:
        import json
        from dataclasses import asdict

        print(json.dumps(asdict(status), ensure_ascii=False, sort_keys=True))
        return 0
    print(f"device {status.device_id}")
    for kind, n in sorted(status.counts.items()):
        print(f"  {kind:<14} {n}")
    print(f"pending {status.pending}, synced {status.synced}, needs attention {status.needs_attention}, "
          f"last sync {status.last_sync or 'never'}")
    return 0


def cmd_export(core, args) -> int:  # type: ignore[no-untyped-def]
    if args.format == "bundle":
        return export_bundle(core, args.out)
    from kiosk.report import export_day_report

    out = export_day_report(core.booth.report, args.out, fmt=args.format)
    print(f"exported {out}")
    return 0


def export_bundle(core, out: Path) -> int:  # type: ignore[no-untyped-def]
    from sync.bundle import NotEnrolled, write_bundle

    try:
        header = write_bundle(core.ledger, core.keys, out)
    except NotEnrolled as exc:
        print(f"kiosk: no bundle written: {exc}", file=sys.stderr)
        return 3
    core.booth.audit.record_export(fmt="bundle", records=header.records)
    print(f"exported {out}: {header.records} records of device {header.device_id} for the city server "
          f"(`kiosk-server import-bundle`); they stay pending here and sync as usual when the booth gets online")
    return 0


def cmd_purge(core, args) -> int:  # type: ignore[no-untyped-def]
    """Exit 0 when the purge finished (WAL checkpointed and truncated), 5 when it did not (README)."""
    from kiosk.ledger import PurgeIncomplete
    from kiosk.retention import SyncStillRunning, purge_expired, purge_now

    try:
        if args.now:
            purged = purge_now(core.ledger)
        else:
            purged = purge_expired(core.ledger, retention_days=core.config.retention_days)
    except (PurgeIncomplete, SyncStillRunning) as exc:
        if isinstance(exc, PurgeIncomplete):
            core.booth.audit.record_audit("purge", details={"records": exc.purged, "all_synced": args.now, "via": "cli",
                                                      "complete": False})
        print(f"kiosk: purge not complete: {exc}", file=sys.stderr)
        return 5
    core.booth.audit.record_audit("purge", details={"records": purged, "all_synced": args.now, "via": "cli",
                                              "complete": True})
    print(f"purged the personal fields of {purged} synced records")
    return 0


def cmd_screenshots(core, args) -> int:  # type: ignore[no-untyped-def]
    import os
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.app import build_core, build_gui
    from kiosk.simulate import simulate, simulate_morning
    from kiosk.ui.input_method import prepare_virtual_keyboard
    from kiosk.ui.screenshots import render_all

    # The on-screen keyboard as on the booth: open wherever a text field has focus (chosen before Qt starts).
    keyboard = prepare_virtual_keyboard()
    # The pictures show a realistic day: a simulated morning in a throw-away data folder, written through the
    # service layer like any booth's; the booth's own ledger (``core``) is never written.
    with tempfile.TemporaryDirectory(prefix="kiosk-screenshots-") as folder:
        shown = build_core(data_dir=Path(folder) / "data", config_path=core.config.path, config=core.config)
        simulate_morning(shown.booth, seed=args.seed)
        simulate(shown.booth, members=0, services=0, quiz=0, handouts=0, employers=12, seed=args.seed)  # 企业沟通会
        gui = build_gui(shown, windowed=True, cache_dir=Path(folder) / "cache", virtual_keyboard=keyboard)
        sizes = ("landscape", "fullhd", "portrait") if args.all_sizes else ("landscape",)
        files = render_all(gui, args.out, sizes=sizes)
        if args.large_text:
            files += render_all(gui, args.out, sizes=sizes, large_text=True)
        print(f"{len(files)} screenshots in {args.out}")
        gui.close()
        shown.close()
    return 0


def cmd_enroll(core, args) -> int:  # type: ignore[no-untyped-def]
    from sync.commands import enroll_command

    return enroll_command(core, server=args.server, code=args.code, ca_bundle=args.ca_bundle)


def cmd_sync(core, args) -> int:  # type: ignore[no-untyped-def]
    from sync.commands import sync_command

    return sync_command(core, once=args.once, attempts=max(1, args.attempts), ca_bundle=args.ca_bundle)


COMMANDS = {"screenshots": cmd_screenshots, "purge": cmd_purge, "simulate": cmd_simulate, "status": cmd_status, "export": cmd_export,
            "enroll": cmd_enroll, "sync": cmd_sync}
