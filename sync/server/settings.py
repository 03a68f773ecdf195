"""Every setting of the city server, declared once as data; ``docs/server.md`` lists each of them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from booth_common.settings import Setting  # one declaration of what a setting is, for the kiosk and the server
from sync.server.storage.backend import is_postgresql_url


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "KIOSK_SERVER_DATA_DIR", "",
            "Folder of the database, the city key, the audit log and enrolment QR codes (created, owner only). "
            "Empty: the platform's data folder (platformdirs; on Linux ~/.local/share/kiosk-server), never the "
            "current folder."),
    Setting("database", "KIOSK_SERVER_DATABASE", "",
            "SQLite database file (WAL mode), or a PostgreSQL URL postgresql://user@host:port/dbname (password "
            "in ~/.pgpass or the URL). Empty: city-server.sqlite3 in data_dir."),
    Setting("database_pool", "KIOSK_SERVER_DATABASE_POOL", "10",
            "PostgreSQL: most connections each server process keeps open (a pool; one opened at start). "
            "Keep PostgreSQL's max_connections above this times all server processes. SQLite: unused."),
    Setting("city_key", "KIOSK_SERVER_CITY_KEY", "",
            "File of the city's X25519 private key, kept out of the database; created on first start. "
            "Empty: city-seal.key in data_dir."),
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
    Setting("limit_concurrency", "KIOSK_SERVER_LIMIT_CONCURRENCY", "2000",
            "Most open connections (and requests at work) per server process; a request beyond is answered 503. "
            "A booth keeps up to two connections open."),
    Setting("timeout_keep_alive_s", "KIOSK_SERVER_TIMEOUT_KEEP_ALIVE_S", "30",
            "Seconds an idle kept-alive connection stays open (booths reuse theirs between pushes)."),
    Setting("header_timeout_s", "KIOSK_SERVER_HEADER_TIMEOUT_S", "10",
            "Seconds a client has to send a request's line and headers; a slower one gets 408 and the "
            "connection is closed (a slow-headers attack holds nothing)."),
    Setting("body_timeout_s", "KIOSK_SERVER_BODY_TIMEOUT_S", "30",
            "Seconds the server waits for each part of a request body; a body that stalls longer is answered 408."),
    Setting("max_header_bytes", "KIOSK_SERVER_MAX_HEADER_BYTES", "65536",
            "Largest request line and headers; more is answered 431 and the connection closed "
            "(also uvicorn's h11_max_incomplete_event_size)."),
    Setting("forwarded_allow_ips", "KIOSK_SERVER_FORWARDED_ALLOW_IPS", "",
            "Comma-separated addresses of the reverse proxies trusted to give the client's address "
            "(X-Forwarded-For, X-Forwarded-Proto), e.g. 127.0.0.1 for a proxy on this host. Empty: none; "
            "the connection's peer is the client (the enrolment rate limit counts per client)."),
    Setting("audit_log", "KIOSK_SERVER_AUDIT_LOG", "",
            "JSON-lines file (mode 0600) recording every admin call and admin command: when, who (a "
            "fingerprint of the token), what, the answer and how many members or records; never a personal "
            "field. Empty: beside the database, named after it (city-server-audit.jsonl); always on."),
    Setting("access_log", "KIOSK_SERVER_ACCESS_LOG", "-",
            "JSON-lines access log, one line per request (time, client, method, path without the query, status, "
            "bytes, ms): - standard output, off none, else a file appended to (created owner only, its folder too)."),
    Setting("api_docs", "KIOSK_SERVER_API_DOCS", "off",
            "on: serve /openapi.json and a plain /docs page (no script, no CDN); off: neither is served."),
)


@dataclass(frozen=True)
class ServerSettings:
    database: Path | str              # an SQLite file, or a postgresql:// URL (sync.server.storage.backend)
    city_key: Path
    database_pool: int = 10
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
    limit_concurrency: int = 2000
    timeout_keep_alive_s: int = 30
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    max_header_bytes: int = 65536
    forwarded_allow_ips: str = ""
    audit_log: Path | None = None     # None: no audit log (tests that do not look at it)
    api_docs: str = "off"
    access_log: str = "off"           # settings built in code log nothing; the command's default is "-"
    data_dir: Path | None = None      # None: the database's folder (settings built in code, e.g. by tests)


DATABASE_FILE, CITY_KEY_FILE = "city-server.sqlite3", "city-seal.key"   # their names in the data folder
AUDIT_LOG_FILE = "city-server-audit.jsonl"   # in the data folder when the database is PostgreSQL


def platform_data_dir() -> Path:
    import platformdirs  # here: only a server that was not told its folder needs it

    return Path(platformdirs.user_data_dir("kiosk-server", appauthor=False))


class SettingError(ValueError):
    """A setting's value the server cannot use; the message is one line naming the setting and the value."""


# The smallest (and largest) value each number may take; a value outside is refused at start.
RANGES: dict[str, tuple[float, float]] = {
    "port": (1, 65535), "database_pool": (1, 1000),
    "max_batch": (1, 1_000_000), "max_body_bytes": (1024, 2**40), "enroll_per_minute": (1, 10**9),
    "workers": (1, 1024), "page_refresh_s": (2, 3600), "limit_concurrency": (1, 10**7),
    "timeout_keep_alive_s": (1, 86400), "header_timeout_s": (0.1, 3600), "body_timeout_s": (0.1, 3600),
    "max_header_bytes": (1024, 2**24),
}
CHOICES = {"api_docs": ("on", "off")}


def load_settings(overrides: Mapping[str, str | None] | None = None,
                  environ: Mapping[str, str] | None = None) -> ServerSettings:
    """Command-line overrides, else environment variables, else the declared defaults.

    Raises SettingError for a value the server cannot use (not a number, out of range, a missing file).
    """
    overrides, environ = overrides or {}, os.environ if environ is None else environ
    types = {f.name: f.type for f in fields(ServerSettings)}
    converted = {}
    for setting in SETTINGS:
        text, source = _pick(setting, overrides, environ)
        converted[setting.name] = _convert(setting.name, types[setting.name], text, source)
    data_dir = converted["data_dir"] = converted["data_dir"] or platform_data_dir()
    converted["database"] = converted["database"] or data_dir / DATABASE_FILE
    converted["city_key"] = converted["city_key"] or data_dir / CITY_KEY_FILE
    if converted["audit_log"] is None:
        database = converted["database"]
        converted["audit_log"] = (data_dir / AUDIT_LOG_FILE if is_postgresql_url(database)
                                  else database.with_name(database.stem + "-audit.jsonl"))
    settings = ServerSettings(**converted)
    _check_paths(settings)
    return settings


def prepare_folders(settings: ServerSettings) -> None:
    """Create the folders of the database, the key and the audit log (owner only), or SettingError."""
    for name, folder in (("database", database_file(settings).parent if database_file(settings) else None),
                         ("city_key", settings.city_key.parent),
                         ("audit_log", settings.audit_log.parent if settings.audit_log else None),
                         ("access_log", Path(settings.access_log).parent if settings.access_log not in ("-", "off")
                          else None)):
        if folder is None or folder.is_dir():
            continue
        path = getattr(settings, name)
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise SettingError(f"{name.replace('_', '-')}: {path}: cannot create its folder: {exc.strerror}") from None


def files_left_in(folder: Path, settings: ServerSettings) -> list[str]:
    """The database and key files of the old default (the current folder) that the settings would not use.

    A server upgraded in place would otherwise create a second city key in the data folder, and booths
    sealing to the new one would send personal fields the old key cannot open, and vice versa.
    """
    left = []
    for name, used in ((DATABASE_FILE, settings.database), (CITY_KEY_FILE, settings.city_key)):
        old = folder / name
        defaulted = settings.data_dir is not None and used == settings.data_dir / name
        if defaulted and old.exists() and not used.exists() and old.resolve() != used.resolve():
            left.append(name)
    return left


def _pick(setting: Setting, overrides: Mapping[str, str | None], environ: Mapping[str, str]) -> tuple[str, str]:
    """The setting's text and where it came from, as the user wrote it (for the error message)."""
    option = f"--{setting.name.replace('_', '-')}"
    if overrides.get(setting.name):
        return str(overrides[setting.name]), option
    if environ.get(setting.env):
        return environ[setting.env], setting.env
    return setting.default, f"{option} (default)"


def database_file(settings: ServerSettings) -> Path | None:
    """The SQLite file of the settings, or None when the database is PostgreSQL."""
    return None if is_postgresql_url(settings.database) else Path(settings.database)


def _convert(name: str, kind: object, text: str, source: str) -> object:
    if name == "database" and is_postgresql_url(text):
        return text
    if kind in ("Path | None",) or name in ("database", "city_key"):   # empty: in the data folder
        return Path(text) if text else None
    if kind in ("Path", Path):
        return Path(text)
    if kind in ("int", int, "float", float):
        number_kind, what = (int, "a whole number") if kind in ("int", int) else (float, "a number")
        try:
            value = number_kind(text)
        except ValueError:
            raise SettingError(f"{source}: {text!r} is not {what}") from None
        low, high = RANGES.get(name, (0, float("inf")))
        if not low <= value <= high:
            raise SettingError(f"{source}: {text} is out of range ({low:g} to {high:g})")
        return value
    if name in CHOICES and text not in CHOICES[name]:
        raise SettingError(f"{source}: {text!r} is not one of {', '.join(CHOICES[name])}")
    return text


def _check_paths(settings: ServerSettings) -> None:
    if settings.data_dir is not None and settings.data_dir.exists() and not settings.data_dir.is_dir():
        raise SettingError(f"data-dir: {settings.data_dir} is a file, not a folder")
    for name in ("database", "city_key", "audit_log"):
        path = getattr(settings, name)
        if is_postgresql_url(path):
            continue
        if path is not None and path.is_dir():
            raise SettingError(f"{name.replace('_', '-')}: {path} is a folder, not a file")
        blocker = next((p for p in (path.parents if path else ()) if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            raise SettingError(f"{name.replace('_', '-')}: {path}: {blocker} is a file, not a folder")
    if bool(settings.tls_cert) != bool(settings.tls_key):
        raise SettingError("tls-cert and tls-key go together: give both or neither")
    for name in ("tls_cert", "tls_key"):
        path = getattr(settings, name)
        if path and not Path(path).is_file():
            raise SettingError(f"{name.replace('_', '-')}: {path}: no such file")
