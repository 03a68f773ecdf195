"""Test helpers: the real city server on 127.0.0.1, and a loopback HTTP proxy that injects faults.

Nothing here mocks HTTP: the kiosk's client talks to uvicorn through real sockets, and the
proxy breaks the conversation the ways mobile networks and captive portals do.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import uvicorn

from sync.server.app import create_app
from sync.server.citykey import load_or_create_city_key
from sync.server.serving import uvicorn_config
from sync.server.settings import ServerSettings
from sync.server.storage import Storage, is_postgresql_url

LOOPBACK = "127.0.0.1"


class LiveServer:
    """The reference server in a thread, on a loopback port (ephemeral unless given)."""

    def __init__(self, folder: Path, *, port: int = 0, database: Path | str | None = None, **overrides: object):
        """``database``: an SQLite file or a PostgreSQL URL (the ``new_database`` fixture); default an SQLite
        file in ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        self.settings = dataclasses.replace(
            ServerSettings(database=database or folder / "city.sqlite3", city_key=folder / "city.key",
                           enroll_per_minute=1000, audit_log=folder / "audit.jsonl"),
            **overrides)
        self.port = port
        self.storage: Storage | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        scheme = "https" if self.settings.tls_cert else "http"
        return f"{scheme}://{LOOPBACK}:{self.port}"

    def start(self) -> LiveServer:
        self.storage = Storage(self.settings.database)
        self.city_key = load_or_create_city_key(self.settings.city_key)
        app = create_app(self.settings, storage=self.storage, city_key=self.city_key)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOOPBACK, self.port))
        self.port = sock.getsockname()[1]
        tls = ({"ssl_certfile": self.settings.tls_cert, "ssl_keyfile": self.settings.tls_key}
               if self.settings.tls_cert else {})
        config = uvicorn_config(app, self.settings, lifespan="off", **tls)   # the limits `kiosk-server serve` sets
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        _wait_for(lambda: self._server.started, what="server start")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = None
        if self.storage is not None:
            self.storage.close()
            self.storage = None

    def stored_bytes(self) -> bytes:
        """Everything the database holds, as bytes: the SQLite file and its WAL, or PostgreSQL's own dump of
        the database (pg_dump, plain SQL). For looking for what must never be stored."""
        database = self.settings.database
        if is_postgresql_url(database):
            return subprocess.run([shutil.which("pg_dump") or "pg_dump", "--format=plain", "--dbname", database],
                                  check=True, capture_output=True, timeout=120).stdout
        wal = Path(f"{database}-wal")
        return Path(database).read_bytes() + (wal.read_bytes() if wal.exists() else b"")

    @contextlib.contextmanager
    def database_unavailable(self) -> Iterator[str]:
        """While in the block, a new connection to the database fails (the SQLite file moved away; the PostgreSQL
        database refusing connections); gives the words the failure's message holds."""
        database = self.settings.database
        if is_postgresql_url(database):
            import psycopg
            from psycopg.conninfo import conninfo_to_dict, make_conninfo

            name = conninfo_to_dict(database)["dbname"]
            with psycopg.connect(make_conninfo(database, dbname="postgres"), autocommit=True) as admin:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
                try:
                    yield "not currently accepting connections"
                finally:
                    admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            return
        moved = Path(database).with_name("moved-away.sqlite3")
        Path(database).rename(moved)
        try:
            yield "unable to open database file"
        finally:
            moved.rename(database)

    def restore(self, backup: Path) -> None:
        """Stop, put an older copy of the database (``storage.backup_to``) in place, start again on the same port."""
        self.stop()
        database = self.settings.database
        if is_postgresql_url(database):     # as an operator would: a new, empty database, then pg_restore
            import psycopg
            from psycopg.conninfo import conninfo_to_dict, make_conninfo

            name = conninfo_to_dict(database)["dbname"]
            with psycopg.connect(make_conninfo(database, dbname="postgres"), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{name}"')
            subprocess.run([shutil.which("pg_restore") or "pg_restore", "--dbname", database, str(backup)],
                           check=True, capture_output=True, timeout=120)
        else:
            for suffix in ("-wal", "-shm"):
                Path(str(database) + suffix).unlink(missing_ok=True)
            shutil.copyfile(backup, database)
        self.start()


def _wait_for(condition: Callable[[], bool], *, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.01)


# -- the fault proxy ----------------------------------------------------------------------------

@dataclasses.dataclass
class Exchange:
    """One request as the proxy saw it, and the upstream's answer when it was forwarded."""

    request_line: str
    upstream_status: int | None = None


Fault = Callable[["FaultProxy", bytes], bytes | None]


class FaultProxy:
    """A loopback HTTP/1.1 proxy; each request takes the next fault from ``plan`` (default: pass).

    A fault gets the raw request and returns the bytes to send back, or None to cut the
    connection without a word. Connections are closed after each exchange.
    """

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.plan: list[Fault] = []
        self.log: list[Exchange] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server((LOOPBACK, 0))
        self.port = self._listener.getsockname()[1]
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def close(self) -> None:
        self._stopping = True
        self._listener.close()

    def _serve(self) -> None:
        while not self._stopping:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            request = _read_request(conn)
            if request is None:
                return
            with self._lock:
                fault = self.plan.pop(0) if self.plan else passthrough
                self.log.append(Exchange(request.split(b"\r\n", 1)[0].decode()))
            answer = fault(self, request)
            if answer is not None:
                try:
                    conn.sendall(answer)
                except OSError:
                    pass  # the client gave up first (its timeout): that is the point of some faults

    def forward(self, request: bytes) -> bytes:
        """Send the request to the real server and return its complete answer."""
        with socket.create_connection((LOOPBACK, self.upstream_port), timeout=30) as up:
            up.sendall(_with_header(request, b"Connection", b"close"))
            chunks = []
            while chunk := up.recv(65536):
                chunks.append(chunk)
        answer = b"".join(chunks)
        self.log[-1].upstream_status = int(answer.split(b" ", 2)[1])
        return _with_header_response(answer, b"Connection", b"close")


def _read_request(conn: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        body += conn.recv(65536)
    # Ask the server for identity bodies, so the faults below garble JSON and not gzip framing.
    return _with_header(head + b"\r\n\r\n" + body, b"Accept-Encoding", b"identity")


def _with_header(message: bytes, name: bytes, value: bytes) -> bytes:
    head, _, body = message.partition(b"\r\n\r\n")
    lines = [ln for ln in head.split(b"\r\n") if ln.split(b":", 1)[0].strip().lower() != name.lower()]
    return b"\r\n".join(lines + [name + b": " + value]) + b"\r\n\r\n" + body


_with_header_response = _with_header


def split_response(answer: bytes) -> tuple[bytes, bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, body


def http_answer(status: int, body: bytes, *, content_type: str = "application/json",
                headers: dict[str, str] | None = None) -> bytes:
    reason = {200: "OK", 302: "Found", 429: "Too Many Requests", 500: "Internal Server Error",
              502: "Bad Gateway", 503: "Service Unavailable"}.get(status, "Status")
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {content_type}", f"Content-Length: {len(body)}",
             "Connection: close", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# -- faults ---------------------------------------------------------------------------------------

def passthrough(proxy: FaultProxy, request: bytes) -> bytes:
    return proxy.forward(request)


def cut_after_commit(proxy: FaultProxy, request: bytes) -> None:
    """The server commits, the answer is lost with the connection."""
    proxy.forward(request)
    return None


def delay_after_commit(seconds: float) -> Fault:
    def fault(proxy: FaultProxy, request: bytes) -> bytes:
        answer = proxy.forward(request)
        time.sleep(seconds)  # longer than the client's read timeout
        return answer
    return fault


def canned(status: int, body: bytes = b"", *, content_type: str = "application/json",
           headers: dict[str, str] | None = None, forward_first: bool = False) -> Fault:
    """A fixed answer, optionally after the server has already handled (and committed) the request."""
    def fault(proxy: FaultProxy, request: bytes) -> bytes:
        if forward_first:
            proxy.forward(request)
        return http_answer(status, body, content_type=content_type, headers=headers)
    return fault


def rewrite_body(change: Callable[[bytes], bytes]) -> Fault:
    """Forward, then alter the answer's body and fix Content-Length to match (valid HTTP, bad content)."""
    def fault(proxy: FaultProxy, request: bytes) -> bytes:
        head, body = split_response(proxy.forward(request))
        new_body = change(body)
        head = _with_header(head + b"\r\n\r\n", b"Content-Length", str(len(new_body)).encode()).rstrip(b"\r\n")
        return head + b"\r\n\r\n" + new_body
    return fault


def cut_mid_body(proxy: FaultProxy, request: bytes) -> bytes:
    """Forward, then send the headers and half the body before the connection drops."""
    head, body = split_response(proxy.forward(request))
    return head + b"\r\n\r\n" + body[: len(body) // 2]


# -- fixtures and checks shared by the sync tests ------------------------------------------------

import pytest  # noqa: E402

from kiosk.ledger import Ledger  # noqa: E402
from sync.client import SyncClient  # noqa: E402
from sync.engine import SyncEngine, SyncPolicy  # noqa: E402
from sync.enrollment import enroll_device  # noqa: E402
from sync.server.accounts import create_booth  # noqa: E402

# Short waits so fault storms finish in milliseconds; the logic is the same as in the field.
FAST = SyncPolicy(batch_size=50, max_batch=400, backoff_base_s=0.01, backoff_cap_s=0.05, retry_after_cap_s=5.0)


@pytest.fixture
def city(tmp_path, new_database):
    """The real city server on loopback, on each database kind (the ``backend`` fixture)."""
    server = LiveServer(tmp_path / "city", database=new_database(tmp_path / "city")).start()
    yield server
    server.stop()


@pytest.fixture
def proxy(city):
    p = FaultProxy(city.port)
    yield p
    p.close()


class SleepRecorder:
    """Stands in for time.sleep in the engine: records each requested wait, waits a token moment."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(min(seconds, 0.01))


def booth_code(city: LiveServer, core, *, devices: int = 3) -> str:  # type: ignore[no-untyped-def]
    return create_booth(city.storage, booth_id=core.config.booth.id, event_id=core.config.event.id,
                        name=core.config.booth.name, devices=devices)


def enrolled_engine(core, city: LiveServer, *, url: str | None = None, read_timeout: float = 5.0,  # type: ignore[no-untyped-def]
                    policy: SyncPolicy = FAST, sleep: Callable[[float], None] | None = None) -> SyncEngine:
    """Enrol the booth's device straight with the city, then sync through ``url`` (a proxy, say)."""
    direct = SyncClient(city.url)
    enrollment = enroll_device(core.ledger, core.keys, direct, server_url=city.url, code=booth_code(city, core))
    direct.close()
    client = SyncClient(url or city.url, token=enrollment.device_token, connect_timeout=2.0, read_timeout=read_timeout)
    return SyncEngine(core.ledger, client, policy=policy, sleep=sleep or SleepRecorder())


def assert_exactly_once(city: LiveServer, ledger: Ledger, *, parked: set[str] = frozenset()) -> None:
    """The server holds one copy of every record (hashes equal), nothing pending, only ``parked`` parked."""
    rows = city.storage.record_rows(device_id=ledger.device_id)
    held = {r["id"]: r["payload_sha256"] for r in rows if r["id"] not in parked}
    assert len(rows) == len({r["id"] for r in rows}) == len({r["seq"] for r in rows})
    local = {r.id: r.payload_sha256 for r in ledger.records() if r.id not in parked}
    assert held == local
    status = ledger.status()
    assert status.pending == 0
    assert {r.id for r, _ in ledger.outbox.needing_attention()} == set(parked)
