"""Every setting of the city server, declared once as data; ``docs/server.md`` lists each of them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from booth_common.settings import Setting  # one declaration of what a setting is, for the kiosk and the server


SETTINGS: tuple[Setting, ...] = (
    Setting("database", "KIOSK_SERVER_DATABASE", "city-server.sqlite3", "SQLite database file (WAL mode)."),
    Setting("city_key", "KIOSK_SERVER_CITY_KEY", "city-seal.key",
            "File of the city's X25519 private key, kept out of the database; created on first start."),
    Setting("host", "KIOSK_SERVER_HOST", "127.0.0.1", "Address to listen on."),
    Setting("port", "KIOSK_SERVER_PORT", "8443", "Port to listen on."),
    Setting("tls_cert", "KIOSK_SERVER_TLS_CERT", "", "PEM certificate chain; with tls_key, serve HTTPS."),
    Setting("tls_key", "KIOSK_SERVER_TLS_KEY", "", "PEM private key of the TLS certificate."),
    Setting("max_batch", "KIOSK_SERVER_MAX_BATCH", "2000", "Most records in one push; more is answered 413."),
    Setting("max_body_bytes", "KIOSK_SERVER_MAX_BODY_BYTES", "33554432",
            "Largest request body after gzip decompression; more is answered 413."),
    Setting("enroll_per_minute", "KIOSK_SERVER_ENROLL_PER_MINUTE", "10",
            "Enrolment attempts allowed per client address per minute, shared by all server processes; "
            "more are answered 429."),
    Setting("workers", "KIOSK_SERVER_WORKERS", "1",
            "Server processes; run one per core (on two cores, 2: one process is the bottleneck of the "
            "350-booth benchmark)."),
    Setting("admin_token", "KIOSK_SERVER_ADMIN_TOKEN", "",
            "Bearer token of the city union's admins (member export, bundle upload); at least 24 characters. "
            "Empty: those endpoints answer 403. Prefer the environment variable: options show in `ps`."),
    Setting("page_refresh_s", "KIOSK_SERVER_PAGE_REFRESH_S", "15", "Seconds between refreshes of the live page."),
)


@dataclass(frozen=True)
class ServerSettings:
    database: Path
    city_key: Path
    host: str = "127.0.0.1"
    port: int = 8443
    tls_cert: str = ""
    tls_key: str = ""
    max_batch: int = 2000
    max_body_bytes: int = 32 * 1024 * 1024
    enroll_per_minute: int = 10
    workers: int = 1
    admin_token: str = ""
    page_refresh_s: int = 15


def load_settings(overrides: Mapping[str, str | None] | None = None,
                  environ: Mapping[str, str] | None = None) -> ServerSettings:
    """Command-line overrides, else environment variables, else the declared defaults."""
    overrides, environ = overrides or {}, os.environ if environ is None else environ
    values = {}
    for setting in SETTINGS:
        values[setting.name] = overrides.get(setting.name) or environ.get(setting.env) or setting.default
    types = {f.name: f.type for f in fields(ServerSettings)}
    converted = {name: _convert(types[name], text) for name, text in values.items()}
    return ServerSettings(**converted)


def _convert(kind: object, text: str) -> object:
    if kind in ("Path", Path):
        return Path(text)
    if kind in ("int", int):
        return int(text)
    return text
