"""The ``kiosk-server`` command: serve the API, register booths, revoke devices, publish configs."""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

from sync.server.settings import SETTINGS, ServerSettings, load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-server", description="City server of the union booth kiosks.")
    for setting in SETTINGS:
        parser.add_argument(f"--{setting.name.replace('_', '-')}", dest=setting.name, default=None,
                            help=f"{setting.help} (env {setting.env}, default {setting.default or 'none'})")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the HTTP(S) API")
    p = sub.add_parser("new-booth", help="register a booth and print an enrolment code")
    p.add_argument("--booth", required=True, help="booth id, as in the booth's configuration")
    p.add_argument("--event", required=True, help="event id")
    p.add_argument("--name", default="", help="booth name shown to the city union")
    p.add_argument("--devices", type=int, default=3, help="how many devices may enrol with the code")
    p.add_argument("--valid-days", type=int, default=30)
    p = sub.add_parser("revoke", help="revoke the token of a device, or of every device of a booth")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--device")
    who.add_argument("--booth")
    p = sub.add_parser("publish", help="publish a new version of an event's config or quiz bank")
    p.add_argument("--event", required=True)
    p.add_argument("--name", choices=("config", "quiz-bank"), required=True)
    p.add_argument("--file", type=Path, required=True, help="TOML or JSON file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings({s.name: getattr(args, s.name) for s in SETTINGS})
    return COMMANDS[args.command](settings, args)


def open_storage(settings: ServerSettings):  # type: ignore[no-untyped-def]
    from sync.server.storage import Storage

    return Storage(settings.database)


def cmd_serve(settings: ServerSettings, args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from sync.server.citykey import load_or_create_city_key

    load_or_create_city_key(settings.city_key)  # before any worker starts: one key, not a race for it
    open_storage(settings).close()               # the schema, likewise
    # Worker processes rebuild the settings from the environment, so hand them over there.
    for setting in SETTINGS:
        os.environ[setting.env] = str(getattr(settings, setting.name))
    tls = {"ssl_certfile": settings.tls_cert, "ssl_keyfile": settings.tls_key} if settings.tls_cert else {}
    uvicorn.run("sync.server.cli:app_from_environment", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, log_level="warning", **tls)
    return 0


def app_from_environment():  # type: ignore[no-untyped-def]
    """The app of one server process, configured by the environment (uvicorn's factory)."""
    from sync.server.app import create_app
    from sync.server.citykey import load_or_create_city_key

    settings = load_settings()
    return create_app(settings, storage=open_storage(settings), city_key=load_or_create_city_key(settings.city_key))


def cmd_new_booth(settings: ServerSettings, args: argparse.Namespace) -> int:
    from sync.server.accounts import create_booth

    code = create_booth(open_storage(settings), booth_id=args.booth, event_id=args.event, name=args.name or args.booth,
                        devices=args.devices, valid_days=args.valid_days)
    print(f"enrolment code for booth {args.booth} ({args.devices} devices, {args.valid_days} days): {code}")
    return 0


def cmd_revoke(settings: ServerSettings, args: argparse.Namespace) -> int:
    from kiosk.records import utc_now_text

    n = open_storage(settings).revoke(device_id=args.device, booth_id=args.booth, at=utc_now_text())
    print(f"revoked {n} device token(s)")
    return 0 if n else 1


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


COMMANDS = {"serve": cmd_serve, "new-booth": cmd_new_booth, "revoke": cmd_revoke, "publish": cmd_publish}
