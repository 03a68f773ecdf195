"""The ``kiosk-server`` command: serve the API, register booths, revoke devices, publish configs."""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

from sync.server.settings import (SETTINGS, ServerSettings, SettingError, database_file, files_left_in, load_settings,
                                  prepare_folders)


def build_parser() -> argparse.ArgumentParser:
    settings = argparse.ArgumentParser(add_help=False)
    for setting in SETTINGS:
        # SUPPRESS: a setting given before the sub-command is not overwritten by the sub-parser's default.
        settings.add_argument(f"--{setting.name.replace('_', '-')}", dest=setting.name, default=argparse.SUPPRESS,
                              help=f"{setting.help} (env {setting.env}, default {setting.default or 'none'})")
    parser = argparse.ArgumentParser(prog="kiosk-server", description="City server of the union booth kiosks.",
                                     parents=[settings])
    parser.add_argument("--version", action="version", version=f"%(prog)s {server_version()}")
    sub = _SettingsEverywhere(parser.add_subparsers(dest="command", required=True), settings)
    sub.add_parser("serve", help="run the HTTP(S) API")
    p = sub.add_parser("new-booth", help="register a booth and print an enrolment code")
    p.add_argument("--booth", required=True, help="booth id, as in the booth's configuration")
    p.add_argument("--event", required=True, help="event id")
    p.add_argument("--name", default="", help="booth name shown to the city union")
    p.add_argument("--devices", type=int, default=3, help="how many devices may enrol with the code")
    p.add_argument("--valid-days", type=int, default=30)
    p.add_argument("--district", default="", help="district (区) the booth stands in, for the city-wide numbers")
    p.add_argument("--street", default="", help="sub-district or township (街道/乡镇)")
    p.add_argument("--organisation", default="", help="the union organisation running the booth")
    p.add_argument("--venue-type", choices=("main", "sub"), default=None, help="main venue (主会场) or sub-venue")
    p.add_argument("--qr-png", type=Path, default=None,
                   help="where to write the enrolment QR code as PNG (default: enrolment-<booth>.png beside the "
                        "database, or in the data folder when the database is PostgreSQL; readable by its owner only: the code enrols devices)")
    p.add_argument("--public-url", default=None,
                   help="the server's URL as booths reach it; put in the QR code with the enrolment code")
    p = sub.add_parser("revoke", help="revoke the token of a device, or of every device of a booth")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--device")
    who.add_argument("--booth")
    p = sub.add_parser("reset-device", help="forget a device's enrolment (lost, reflashed or revoked device): its "
                                            "token dies and its id may enrol again with a code; its records stay")
    p.add_argument("--device", required=True)
    p = sub.add_parser("publish", help="publish a new version of an event's config or quiz bank")
    p.add_argument("--event", required=True)
    p.add_argument("--name", choices=("config", "quiz-bank"), required=True)
    p.add_argument("--file", type=Path, required=True, help="TOML or JSON file")
    p = sub.add_parser("import-bundle", help="import a booth's offline bundle (kiosk export --format bundle)")
    p.add_argument("bundle", type=Path, help="the bundle file")
    sub.add_parser("city-key", help="print the city's public key, for sync.city_public_key in a real event's "
                                    "configuration (the booths seal to it from their first start)")
    p = sub.add_parser("export-members", help="the members of an event as CSV, personal fields opened")
    p.add_argument("--event", required=True)
    p.add_argument("--out", type=Path, required=True)
    return parser


class _SettingsEverywhere:
    """Sub-parsers that also take every setting, so `kiosk-server serve --port 9000` works."""

    def __init__(self, sub: argparse._SubParsersAction, settings: argparse.ArgumentParser):
        self._sub, self._settings = sub, settings

    def add_parser(self, name: str, **kwargs: object) -> argparse.ArgumentParser:
        return self._sub.add_parser(name, parents=[self._settings], **kwargs)


def server_version() -> str:
    # The constant, not importlib.metadata: reading the installed metadata cost every start ~30 ms of CPU.
    from sync.server import __version__

    return __version__


AUDITED_ARGS = ("event", "booth", "device", "name", "devices", "bundle", "out")


def main(argv: Sequence[str] | None = None) -> int:
    """Exit codes: docs/server.md, "Exit codes"; 2 for a setting the server cannot use (one line, no traceback)."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings({s.name: getattr(args, s.name, None) for s in SETTINGS})
    except SettingError as exc:
        print(f"kiosk-server: {exc}", file=sys.stderr)
        return 2
    left = files_left_in(Path.cwd(), settings)
    if left:
        print(f"kiosk-server: {' and '.join(left)} found in the current folder (where older versions kept them), "
              f"but the server now uses {settings.data_dir}: move them there (or give --data-dir/--database/"
              f"--city-key); nothing was started, no second city key was created", file=sys.stderr)
        return 2
    args.audit = {}   # counts a command reports for the audit log
    try:
        prepare_folders(settings)
        code = COMMANDS[args.command](settings, args)
    except SettingError as exc:   # the database or the key could not be opened where the settings say
        print(f"kiosk-server: {exc}", file=sys.stderr)
        return 2
    finally:   # the command's storages: their writer threads drained, PostgreSQL pools closed
        while _OPENED:
            _OPENED.pop().close()
    if args.command == "serve":
        return code
    from sync.server.audit import command_user, write_entry

    options = " ".join(f"--{k} {getattr(args, k)}" for k in AUDITED_ARGS if getattr(args, k, None) not in (None, ""))
    write_entry(settings.audit_log, who=command_user(), what=f"kiosk-server {args.command} {options}".strip(),
                exit=code, **args.audit)
    return code


_OPENED: list = []   # storages opened by the running command, closed when it ends


def open_storage(settings: ServerSettings):  # type: ignore[no-untyped-def]
    from sync.server.storage import Storage

    try:
        _OPENED.append(Storage(settings.database, pool_size=settings.database_pool))
        return _OPENED[-1]
    except Exception as exc:    # a file that is not a database, a folder not writable, a server not reached...
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SettingError(f"database: {shown_database(settings)}: cannot open: {reason}") from None


def shown_database(settings: ServerSettings) -> str:
    """The database setting as messages show it: a PostgreSQL URL without its password."""
    from sync.server.storage.backend import is_postgresql_url

    if is_postgresql_url(settings.database):
        from sync.server.storage.postgres import redacted

        return redacted(str(settings.database))
    return str(settings.database)


def city_key(settings: ServerSettings):  # type: ignore[no-untyped-def]
    from sync.server.citykey import load_or_create_city_key

    try:
        return load_or_create_city_key(settings.city_key)
    except (OSError, ValueError) as exc:
        raise SettingError(f"city-key: {settings.city_key}: cannot read or create: {exc}") from None


def check_city_key(settings: ServerSettings, storage, key) -> None:  # type: ignore[no-untyped-def]
    """SettingError unless ``key`` is the city key the database was first served with (pinned then): machines
    sharing one database must share the key, or booths enrolling through one would seal to a key the others,
    and the stored records, do not know."""
    from booth_common.records import utc_now_text
    from booth_common.sealing import key_id, public_key_from_text, public_key_to_text

    ours = public_key_to_text(key.public_key())
    pinned = storage.pin_city_public_key(ours, at=utc_now_text())
    if pinned != ours:
        raise SettingError(f"city-key: {settings.city_key}: not the city key of this database (its key is "
                           f"{key_id(public_key_from_text(pinned))}, this file's {key_id(key.public_key())}): copy the "
                           "key file of the server that first served it, or give --city-key; nothing was started")


def cmd_serve(settings: ServerSettings, args: argparse.Namespace) -> int:
    import os

    from sync.server.serving import AnnouncingServer, uvicorn_config

    key = city_key(settings)  # before any worker starts: one key, not a race for it
    storage = open_storage(settings)             # the schema, likewise
    check_city_key(settings, storage, key)
    database, where = storage.describe(), storage.where()
    tls = {"ssl_certfile": settings.tls_cert, "ssl_keyfile": settings.tls_key} if settings.tls_cert else {}
    if settings.workers == 1:
        # One process: it serves with the storage and key it just opened and checked (opening them again, as a
        # worker process must, would check the migrations again and, on PostgreSQL, open a second pool).
        from sync.server.app import create_app

        config = uvicorn_config(create_app(settings, storage=storage, city_key=key), settings, host=settings.host,
                                port=settings.port, workers=1, **tls)
    else:
        storage.close()
        # Worker processes rebuild the settings from the environment, so hand them over there.
        for setting in SETTINGS:
            os.environ[setting.env] = str(getattr(settings, setting.name) or "")
        # uvicorn.run, minus what the server does not use (reload, unix sockets): the configuration is
        # built here so that the protocol's own limits travel with it to every worker.
        config = uvicorn_config("sync.server.cli:app_from_environment", settings, factory=True, host=settings.host,
                                port=settings.port, workers=settings.workers, **tls)
    scheme = "https" if settings.tls_cert else "http"
    database_folder = database_file(settings).parent if database_file(settings) else None
    folder = settings.data_dir if settings.data_dir in (database_folder, settings.city_key.parent) else None
    start_line = (f"kiosk-server {server_version()}: listening on {scheme}://{_url_host(settings.host)}:"
                  f"{settings.port} ({config.workers} worker{'s' if config.workers > 1 else ''}); database "
                  f"{database} at {where}; city key {settings.city_key.resolve()}"
                  + (f"; data folder {folder.resolve()}" if folder else ""))
    if config.workers > 1:
        import inspect
        import shutil

        from uvicorn.supervisors import Multiprocess

        from sync.server.operations import share_metrics_between_processes

        # Each worker writes its metrics into this folder and a scrape adds them all up (sync/server/operations.py).
        metrics_folder = share_metrics_between_processes(settings.data_dir or settings.database.parent)
        server = AnnouncingServer(config)
        sockets = [config.bind_socket()]
        print(start_line, flush=True)   # listening now: the workers take their connections from this socket
        # uvicorn's supervisor took the target until recent versions; now it runs a Server itself.
        target = {"target": server.run} if "target" in inspect.signature(Multiprocess).parameters else {}
        try:
            Multiprocess(config, sockets=sockets, **target).run()
        finally:
            shutil.rmtree(metrics_folder, ignore_errors=True)
    else:
        AnnouncingServer(config, start_line=start_line).run()   # the line once it listens, not before
    return 0


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def app_from_environment():  # type: ignore[no-untyped-def]
    """The app of one server process, configured by the environment (uvicorn's factory)."""
    from sync.server.app import create_app
    settings = load_settings()
    return create_app(settings, storage=open_storage(settings), city_key=city_key(settings))


def cmd_new_booth(settings: ServerSettings, args: argparse.Namespace) -> int:
    from sync.server.accounts import create_booth

    code = create_booth(open_storage(settings), booth_id=args.booth, event_id=args.event, name=args.name or args.booth,
                        devices=args.devices, valid_days=args.valid_days)
    print(f"enrolment code for booth {args.booth} ({args.devices} devices, {args.valid_days} days): {code}")
    folder = database_file(settings).parent if database_file(settings) else settings.data_dir   # PostgreSQL: data folder
    png = args.qr_png or folder / f"enrolment-{args.booth}.png"
    print_enrolment_qr(code, server_url=args.public_url, png=png)
    print(f"the QR code is also in {png}; scan it on the booth's console (志愿者控制台 → 注册设备 / Enrol device)")
    if args.district or args.street or args.organisation or args.venue_type:
        from booth_common.records import utc_now_text

        open_storage(settings).set_booth_place(booth_id=args.booth, district=args.district, street=args.street,
                                               organisation=args.organisation, venue_type=args.venue_type or "",
                                               at=utc_now_text())
    return 0


def print_enrolment_qr(code: str, *, server_url: str | None, png: Path) -> None:
    """The enrolment QR code in the terminal (half blocks, dark on light) and as a PNG file."""
    import os

    import qrcode
    from qrcode.image.pure import PyPNGImage

    from booth_common.protocol import enrolment_qr_text

    qr = qrcode.QRCode(border=2, box_size=8, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(enrolment_qr_text(code, server_url=server_url))
    qr.make(fit=True)
    qr.print_ascii(out=sys.stdout, invert=True)
    image = qr.make_image(image_factory=PyPNGImage)
    fd = os.open(png, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        image.save(fh)


def cmd_revoke(settings: ServerSettings, args: argparse.Namespace) -> int:
    from booth_common.records import utc_now_text

    n = open_storage(settings).revoke(device_id=args.device, booth_id=args.booth, at=utc_now_text())
    print(f"revoked {n} device token(s)")
    return 0 if n else 1


def cmd_reset_device(settings: ServerSettings, args: argparse.Namespace) -> int:
    """Exit 0 when the device was enrolled and is now forgotten, 1 when no such device is enrolled."""
    if open_storage(settings).reset_device(args.device):
        print(f"device {args.device} reset: its token no longer works; it may enrol again with a booth's code")
        return 0
    print(f"kiosk-server: no enrolled device {args.device}", file=sys.stderr)
    return 1


def cmd_publish(settings: ServerSettings, args: argparse.Namespace) -> int:
    from sync.server.app import publish_distribution

    text = args.file.read_text(encoding="utf-8")
    try:
        content = tomllib.loads(text) if args.file.suffix == ".toml" else json.loads(text)
    except ValueError as exc:
        print(f"kiosk-server: {args.file}: not valid {args.file.suffix[1:] or 'JSON'}: {exc}", file=sys.stderr)
        return 2
    version = publish_distribution(open_storage(settings), event_id=args.event, name=args.name, content=content)
    print(f"published {args.name} version {version} for event {args.event}")
    return 0


def cmd_import_bundle(settings: ServerSettings, args: argparse.Namespace) -> int:
    """Exit 0 when every record is stored (now or before), 1 with conflicts or rejections, 2 for a refused file."""
    from booth_common.bundle import BundleError
    from sync.server.bundles import import_bundle

    try:
        data = args.bundle.read_bytes()
        report = import_bundle(open_storage(settings), data, city_key=city_key(settings))
    except (OSError, BundleError) as exc:
        print(f"kiosk-server: {args.bundle}: bundle refused, nothing imported: {exc}", file=sys.stderr)
        return 2
    answer = report.to_json()
    args.audit.update(records=report.records, rejected=answer["rejected"], conflict=answer["conflict"])
    print(f"bundle of device {report.device_id} (booth {report.booth_id}, event {report.event_id}): "
          f"{report.records} records, {answer['accepted']} accepted, {answer['duplicate']} already held, "
          f"{answer['conflict']} conflicts, {answer['rejected']} rejected")
    for problem in report.problems:
        print(f"  {problem['id']}: {problem['status']}: {problem['reason']}", file=sys.stderr)
    return 1 if report.problems else 0


def cmd_export_members(settings: ServerSettings, args: argparse.Namespace) -> int:
    """Exit 0 when every member is in the file, 1 when some were left out (listed on stderr, without personal data)."""
    from sync.server.members import collect_members, members_csv

    members, problems = collect_members(open_storage(settings), args.event,
                                        city_key=city_key(settings))
    write_private(args.out, members_csv(members))
    args.audit.update(members=len(members), left_out=len(problems))
    print(f"{len(members)} members of event {args.event} written to {args.out}")
    for problem in problems:
        print(f"  left out {problem.record_id} (booth {problem.booth_id}): {problem.reason}", file=sys.stderr)
    return 1 if problems else 0


def write_private(path: Path, data: bytes) -> None:
    """A file of personal data, readable by its owner only from the first byte on."""
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)   # an existing file keeps its old mode through O_TRUNC


def cmd_city_key(settings: ServerSettings, args: argparse.Namespace) -> int:
    from booth_common.sealing import public_key_to_text
    print(public_key_to_text(city_key(settings).public_key()))
    return 0


COMMANDS = {"city-key": cmd_city_key, "serve": cmd_serve, "new-booth": cmd_new_booth, "revoke": cmd_revoke, "reset-device": cmd_reset_device,
            "publish": cmd_publish,
            "import-bundle": cmd_import_bundle, "export-members": cmd_export_members}
