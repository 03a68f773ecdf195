"""The HTTP side of the kiosk's sync: the only module that imports requests.

Every call has connect and read timeouts, redirects are never followed, TLS certificates are
verified by default, and every failure is raised as one of the ``booth_common.protocol`` errors.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import requests

from booth_common import protocol
from booth_common.protocol import (BadAnswer, BatchTooLarge, Distribution, Enrollment, EnrollmentMismatch,
                                   EnrollmentRefused, PreparedPush, PushAnswer, RequestRefused, ServerBusy, TimedOut,
                                   TokenRefused, Unreachable, WireRecord)

USER_AGENT = f"union-booth-kiosk-sync/{protocol.PROTOCOL_VERSION}"


class SyncClient:
    """Talks protocol v1 to one city server."""

    def __init__(self, base_url: str, *, token: str | None = None, connect_timeout: float = 5.0,
                 read_timeout: float = 30.0, verify: bool | str = True):
        self.base_url = check_server_url(base_url)
        self.token = token
        self.timeout = (connect_timeout, read_timeout)
        self.verify = verify
        # A session (and its connection) per thread: the engine keeps two pushes in flight, and
        # requests does not promise that one session may serve two threads at once.
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    def close(self) -> None:
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            # Proxy settings from the environment would send booth traffic to whatever a shared
            # laptop was last configured for; the server URL is the only target.
            session.trust_env = False
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    # -- calls ------------------------------------------------------------------------------

    def probe(self) -> None:
        """Raise unless the server answers its health check."""
        self._json(self._send("GET", protocol.HEALTH_PATH, authorised=False))

    def enroll(self, *, code: str, device_id: str, proof: str | None = None, booth_id: str | None = None,
               event_id: str | None = None) -> Enrollment:
        """Enrol with a code; ``proof`` is the device's current token when it has one (re-enrolment),
        ``booth_id``/``event_id`` what the kiosk's configuration names (the server refuses another)."""
        body = {"protocol": protocol.PROTOCOL_VERSION, "code": code, "device_id": device_id,
                **{k: v for k, v in (("booth_id", booth_id), ("event_id", event_id)) if v is not None}}
        headers = {"Authorization": f"Bearer {proof}"} if proof else None
        response = self._send("POST", protocol.ENROLL_PATH, body=body, headers=headers, authorised=False)
        if response.status_code == 409 and (enrolled := _mismatch(response)) is not None:
            raise EnrollmentMismatch(enrolled=enrolled, configured=(booth_id, event_id))
        if response.status_code in (401, 403, 409):
            raise EnrollmentRefused(f"enrolment refused: {_detail(response)}")
        return protocol.parse_enrollment(self._json(response))

    def push(self, device_id: str, records: Sequence[WireRecord]) -> PushAnswer:
        return self.send_push(PreparedPush.of(device_id, records))

    def send_push(self, prepared: PreparedPush) -> PushAnswer:
        """Send a body made by ``PreparedPush.of`` (the engine encodes the next batch while this one travels)."""
        response = self._send("POST", protocol.PUSH_PATH, data=prepared.body)
        return protocol.parse_push_answer(self._json(response), prepared.ids)

    def held(self, device_id: str) -> list[tuple[int, int]]:
        return protocol.parse_held(self._json(self._send("GET", protocol.HELD_PATH)), device_id)

    def fetch_distribution(self, event_id: str, name: str, *, etag: str | None = None) -> Distribution:
        """The newest version, or a ``Distribution`` without content when ``etag`` is still current."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self._send("GET", protocol.distribution_path(event_id, name), headers=headers)
        if response.status_code == 304 and etag:
            return Distribution(event_id, name, 0, etag, None)
        document = self._json(response)
        return protocol.parse_distribution(document, etag=response.headers.get("ETag", ""))

    def claim_prize(self, event_id: str, *, voucher: str, keys: Sequence[str]) -> bool:
        """Ask the city whether this person may have a prize (True) or already has one in the event (False)."""
        body = {"protocol": protocol.PROTOCOL_VERSION, "event_id": event_id, "voucher": voucher, "keys": list(keys)}
        response = self._send("POST", protocol.PRIZE_CLAIM_PATH, body=body)
        if response.status_code == 409:
            return False
        document = self._json(response)
        if not isinstance(document, dict) or document.get("granted") is not True:
            raise BadAnswer("prize claim answer without granted: true")
        return True

    # -- plumbing ---------------------------------------------------------------------------

    def _send(self, method: str, path: str, *, body: Any = None, data: bytes | None = None,
              headers: dict[str, str] | None = None, authorised: bool = True) -> requests.Response:
        all_headers = {"User-Agent": USER_AGENT, "Accept": protocol.JSON_TYPE, "Accept-Encoding": "gzip",
                       **(headers or {})}
        if authorised:
            if not self.token:
                raise TokenRefused("this device is not enrolled: run `kiosk enroll --server URL --code CODE`")
            all_headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            data = protocol.gzip_json(body)
        if data is not None:
            all_headers.update({"Content-Type": protocol.JSON_TYPE, "Content-Encoding": "gzip"})
        try:
            return self.session.request(method, self.base_url + path, data=data, headers=all_headers,
                                        timeout=self.timeout, verify=self.verify, allow_redirects=False)
        except requests.Timeout as exc:
            raise TimedOut(f"the server did not answer in time ({type(exc).__name__})") from exc
        except requests.ConnectionError as exc:
            raise Unreachable(f"cannot reach {self.base_url}: {_short(exc)}") from exc
        except requests.RequestException as exc:
            raise BadAnswer(f"broken answer from {self.base_url}: {_short(exc)}") from exc

    def _json(self, response: requests.Response) -> Any:
        """The body of a 200 JSON answer; any other answer becomes the matching error."""
        _raise_for_status(response)
        if not response.headers.get("Content-Type", "").startswith(protocol.JSON_TYPE):
            raise BadAnswer(f"answer is {response.headers.get('Content-Type') or 'untyped'}, not JSON "
                            "(a captive portal or a proxy in the way?)")
        try:
            return json.loads(response.content)
        except (ValueError, requests.RequestException) as exc:
            raise BadAnswer("answer body is not valid JSON (truncated or garbled)") from exc


def _raise_for_status(response: requests.Response) -> None:
    status = response.status_code
    if status == 200:
        return
    if 300 <= status < 400:
        where = urlsplit(response.headers.get("Location", "")).netloc or "elsewhere"
        raise BadAnswer(f"the server redirected to {where} (a captive portal, or a wrong server URL)")
    if status in (401, 403):
        raise TokenRefused(f"the server refused this device's token: {_detail(response)}")
    if status == 408:   # the server gave up waiting for our request: a slow network, not a bad record
        raise TimedOut(f"the server timed out waiting for the request: {_detail(response)}")
    if status == 413:
        raise BatchTooLarge(f"the server wants smaller pushes: {_detail(response)}")
    if status == 429 or status >= 500:
        raise ServerBusy(f"the server is busy or failing (HTTP {status})", retry_after=retry_after_seconds(response))
    if 400 <= status < 500:
        raise RequestRefused(f"the server refused the request (HTTP {status}): {_detail(response)}",
                             status=status, reason=_detail(response))
    raise BadAnswer(f"unexpected HTTP {status}")


def retry_after_seconds(response: requests.Response) -> float | None:
    """Retry-After as seconds; an HTTP date is measured against the server's own Date header,
    so a skewed device clock cannot turn it into hours (or into nothing)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        until = email.utils.parsedate_to_datetime(value)
        now = email.utils.parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError):
        return None
    return max(0.0, (until - now).total_seconds())


def check_server_url(url: str) -> str:
    """The URL without a trailing slash; plain http is allowed for loopback (tests, a local proxy) only."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"server URL must be https://host[:port]: {url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(f"refusing plain http to {parts.hostname}: personal data travels only over https")
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _detail(response: requests.Response) -> str:
    try:
        detail = json.loads(response.content).get("detail")
    except (ValueError, AttributeError, requests.RequestException):
        detail = None
    return str(detail) if detail else f"HTTP {response.status_code}"


def _mismatch(response: requests.Response) -> tuple[str, str] | None:
    """The (booth, event) a 409 says the code enrols, when the refusal is a configuration mismatch."""
    try:
        body = json.loads(response.content)
        booth, event = body["enrolled_booth_id"], body["enrolled_event_id"]
    except (ValueError, KeyError, TypeError, requests.RequestException):
        return None
    return (booth, event) if isinstance(booth, str) and isinstance(event, str) else None


def _short(exc: Exception) -> str:
    return str(exc).split("\n")[0][:200]
