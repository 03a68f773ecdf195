"""PostgreSQL gone, and back: which failures mean "the database is unavailable now" (503, retry later), and the
breaker that answers them at once while the database is down instead of letting each request wait for the pool.

Without it, a stopped database cost every request the pool's whole wait (30 s) and then a 500; the device-token
look-up runs on the event loop, so the whole server process stood still meanwhile (tests/test_server_pg_outage.py).
Now the first request that meets the outage tries one fresh connection; when that fails too the breaker is open:
every request is refused at once with ``DatabaseUnavailable`` (the app answers 503 with Retry-After), and at most
once a second one request tries a fresh connection again. When it succeeds, requests go back to the pool, whose
dead connections are checked and replaced as they are borrowed.
"""

from __future__ import annotations

import threading
import time

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg_pool import PoolTimeout

from sync.server.storage.backend import DatabaseUnavailable

PROBE_EVERY_S = 1.0     # while down, one request a second tries a fresh connection; the others are refused at once
CONNECT_TIMEOUT_S = 2   # libpq's connect_timeout for that try (a host that does not answer at all)

# SQLSTATE classes of a database that cannot serve now, whoever asks: 08 connection exception, 53 insufficient
# resources (disk full, out of memory, too many connections), 57 operator intervention (shutdown, restart,
# cancelled), 40 transaction rollback (serialisation, deadlock); and 25006, a read-only transaction (a standby,
# default_transaction_read_only); and 55P03, the write lock not had within lock_timeout. Not 54 (program limits, an index row too large): that is a request to refuse.
_UNAVAILABLE_CLASSES = ("08", "53", "57", "40")


def reason_of(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def is_unavailability(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot serve now (rather than that a statement or its data is wrong)."""
    if isinstance(exc, (PoolTimeout, DatabaseUnavailable)):
        return True
    state = getattr(exc, "sqlstate", None)
    if state in ("25006", "55P03"):     # read-only; the write lock not had within lock_timeout
        return True
    if isinstance(exc, psycopg.OperationalError):
        return state is None or state[:2] in _UNAVAILABLE_CLASSES     # None: the connection itself failed
    return isinstance(exc, psycopg.InterfaceError)


class Breaker:
    """Open while the database is known to be down: requests are refused at once, one a second tries again."""

    def __init__(self, url: str):
        self._conninfo = make_conninfo(url, connect_timeout=CONNECT_TIMEOUT_S)
        self._down: str | None = None
        self._next_try = 0.0
        self._trying = threading.Lock()

    def check(self) -> None:
        """Return when the database may be up; raise ``DatabaseUnavailable`` at once while it is known to be down."""
        if self._down is None:
            return
        if time.monotonic() < self._next_try or not self._trying.acquire(blocking=False):
            raise DatabaseUnavailable(self._down)
        try:
            self.probe()
        finally:
            self._trying.release()

    def probe(self) -> None:
        """One fresh connection: the breaker closes when it opens, else opens and ``DatabaseUnavailable`` is raised."""
        try:
            psycopg.connect(self._conninfo, autocommit=True).close()
        except psycopg.Error as exc:
            self._down, self._next_try = reason_of(exc), time.monotonic() + PROBE_EVERY_S
            raise DatabaseUnavailable(self._down) from exc
        self._down = None

    def close(self) -> None:
        """The database answered a fresh connection (the readiness check's): requests go to the pool again."""
        self._down = None

    def refusal(self, exc: BaseException) -> DatabaseUnavailable:
        """What to raise for ``exc`` (an unavailability met by a request): the database is tried once; down, the
        breaker opens. Up (one connection killed, the pool busy, a read-only database), this request alone is
        refused: the client retries, and each record is still stored once."""
        if isinstance(exc, DatabaseUnavailable):
            return exc
        try:
            self.probe()
        except DatabaseUnavailable as down:
            return down
        return DatabaseUnavailable(reason_of(exc))
