"""The sync protocol, version 1: paths, wire forms, answer checks and the error hierarchy.

Shared by the kiosk client and the city server; no HTTP library here, so the engine and the
server can use it without pulling in requests. ``sync/PROTOCOL.md`` describes it in prose.

Errors (what the caller should do about each)::

    SyncError                   anything that stopped a sync step
    ├── TransientError          try again later, with back-off (``retry_after`` when the server said)
    │   ├── Unreachable         no connection, or the connection broke before an answer
    │   ├── TimedOut            connect or read timeout
    │   ├── ServerBusy          429 or 5xx
    │   ├── BatchTooLarge       413: send fewer records at once
    │   └── BadAnswer           an answer that is not a well-formed protocol answer: captive-portal
    │                           HTML, a redirect, an empty, truncated or garbled body
    ├── TokenRefused            401/403: the device must enrol (again)
    ├── SenderBusy              another sender (thread or process) is pushing this ledger now
    ├── EnrollmentRefused       the enrolment was refused (code unknown, used up or expired; device id
    │   │                       enrolled by another device; device revoked)
    │   └── EnrollmentMismatch  the code is for another booth or event than the kiosk's configuration
    └── RequestRefused          any other 4xx: the server judged the request malformed (``reason``)
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import json
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

import orjson

PROTOCOL_VERSION = 1
ENROLL_PATH = "/v1/enroll"
PUSH_PATH = "/v1/records"
HELD_PATH = "/v1/devices/me/held"
HEALTH_PATH = "/v1/health"
DISTRIBUTION_NAMES = ("config", "quiz-bank")
# The event's secret for city-wide prize-claim lookups: made by the server, pulled like a distribution,
# never published by hand. A claim is filed under keyed hashes of the claimant, never the phone itself.
PRIZE_CLAIM_KEY = "prize-claim-key"
PRIZE_CLAIM_PATH = "/v1/prize-claims"
JSON_TYPE = "application/json"


def distribution_path(event_id: str, name: str) -> str:
    return f"/v1/events/{event_id}/{name}"


class RecordStatus(StrEnum):
    ACCEPTED = "accepted"      # stored now
    DUPLICATE = "duplicate"    # already stored, same id and same payload hash
    CONFLICT = "conflict"      # the server holds another payload under this id
    REJECTED = "rejected"      # refused, with a reason (bad hash, tampered seal, foreign sequence number)


SETTLED = frozenset({RecordStatus.ACCEPTED, RecordStatus.DUPLICATE})


# -- errors -----------------------------------------------------------------------------------

class SyncError(Exception):
    """Anything that stopped a sync step. ``str(err)`` is a message fit for a volunteer."""


class TransientError(SyncError):
    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Unreachable(TransientError):
    pass


class TimedOut(TransientError):
    pass


class ServerBusy(TransientError):
    pass


class BatchTooLarge(TransientError):
    pass


class BadAnswer(TransientError):
    pass


class TokenRefused(SyncError):
    pass


class SenderBusy(SyncError):
    pass


class EnrollmentRefused(SyncError):
    pass


class EnrollmentMismatch(EnrollmentRefused):
    """The code enrols another booth or event than the kiosk's configuration names; nothing was saved."""

    def __init__(self, *, enrolled: tuple[str, str], configured: tuple[str | None, str | None]):
        (booth, event), (own_booth, own_event) = enrolled, configured
        super().__init__(f"此注册码属于活动 {event} 的展位 {booth}，本机配置的是活动 {own_event} 的展位 {own_booth}："
                         f"请换用该展位的配置文件或注册码。 / This code enrols booth {booth} of event {event}; "
                         f"this kiosk's configuration names booth {own_booth} of event {own_event}: use that "
                         "booth's configuration, or its code.")
        self.enrolled, self.configured = enrolled, configured


class CityKeyMismatch(EnrollmentRefused):
    """The server's city key is not the one the event configuration names, to which this booth has sealed
    since its first start: the server could open none of it. Nothing was saved."""

    def __init__(self) -> None:
        super().__init__("服务器的市级公钥与本活动配置文件中的 sync.city_public_key 不同：本机已按配置加密的信息该服务器无法打开，"
                         "未注册。请核对配置文件或服务器地址。 / The server's city key differs from the configuration's "
                         "sync.city_public_key, which this booth has sealed to since its first start: that server could "
                         "open none of it. Not enrolled; check the configuration or the server address.")


class RequestRefused(SyncError):
    def __init__(self, message: str, *, status: int, reason: str):
        super().__init__(message)
        self.status, self.reason = status, reason


# -- wire forms -------------------------------------------------------------------------------

class WireRecord(NamedTuple):
    """A record as pushed: the frozen payload and its hash, the sealed envelope beside it.

    A named tuple, not a dataclass: a booth draining a backlog makes thousands a second, straight
    from ledger rows.
    """

    id: str
    device_id: str
    seq: int
    payload: str
    payload_sha256: str
    sealed: str | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "device_id": self.device_id, "seq": self.seq, "payload": self.payload,
                "payload_sha256": self.payload_sha256, "sealed": self.sealed}


@dataclass(frozen=True)
class PreparedPush:
    """A push body encoded ahead of sending, so a booth can encode one batch while the server checks another."""

    body: bytes
    ids: frozenset[str]

    @classmethod
    def of(cls, device_id: str, records: Sequence[WireRecord]) -> PreparedPush:
        return cls(gzip_json(push_body(device_id, records)), frozenset(r.id for r in records))


@dataclass(frozen=True)
class RecordAnswer:
    id: str
    status: RecordStatus
    reason: str | None


@dataclass(frozen=True)
class PushAnswer:
    received_at: str
    answers: list[RecordAnswer]


@dataclass(frozen=True)
class Enrollment:
    device_id: str
    device_token: str
    city_public_key: str
    booth_id: str
    event_id: str
    join_secret: str = ""   # the booth's phone-join code secret (booth_common.join_token); "" from older servers


@dataclass(frozen=True)
class Distribution:
    """A pulled config or quiz bank; ``content`` is None when the copy we hold is current (304)."""

    event_id: str
    name: str
    version: int
    etag: str
    content: dict[str, Any] | None


def push_body(device_id: str, records: Sequence[WireRecord]) -> dict[str, Any]:
    return {"protocol": PROTOCOL_VERSION, "device_id": device_id, "records": [r.to_json() for r in records]}


def gzip_json(document: Any) -> bytes:
    # Level 1: record payloads are repetitive JSON, so even the fastest level roughly quarters
    # the bytes, and the booth's CPU is the scarcer resource during a push. orjson writes the
    # same compact UTF-8 JSON as json.dumps(ensure_ascii=False) about ten times faster; it was
    # the largest share of encoding a batch (each payload is a JSON text inside the JSON body).
    return gzip.compress(orjson.dumps(document), compresslevel=1)


def results_digest(results: Iterable[dict[str, Any]]) -> str:
    """SHA-256 over the answers as sent, so a garbled byte anywhere in them is detected."""
    return hashlib.sha256(_results_text(results).encode()).hexdigest()


def push_answer_body(received_at: str, results: Iterable[dict[str, Any]]) -> bytes:
    """The server's push answer as JSON bytes; the results are encoded once, for the body and its digest.

    orjson with sorted keys writes exactly the bytes of ``_results_text`` (compact, UTF-8, the same escapes:
    tests/test_protocol_answer.py), which the booth hashes to check ``results_digest``, ten times faster:
    the server answers every record it is sent.
    """
    text = orjson.dumps(list(results), option=orjson.OPT_SORT_KEYS)
    return (b'{"protocol":%d,"received_at":%s,"results":%s,"digest":"%s"}'
            % (PROTOCOL_VERSION, json.dumps(received_at).encode(), text, hashlib.sha256(text).hexdigest().encode()))


def _results_text(results: Iterable[dict[str, Any]]) -> str:
    return json.dumps(list(results), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# -- answer checks ----------------------------------------------------------------------------

def parse_push_answer(document: Any, sent_ids: Set[str]) -> PushAnswer:
    """The per-record answers, or ``BadAnswer``: only a well-formed, complete answer counts.

    A subset of the sent ids may be answered (the rest stay pending); an id that was not sent,
    answered twice, or an unknown status makes the whole answer worthless.
    """
    body = _object(document, "push answer")
    _check_version(body)
    results = body.get("results")
    if not isinstance(results, list) or not results:
        raise BadAnswer("push answer without results")
    if body.get("digest") != results_digest(results):
        raise BadAnswer("push answer digest does not match its results (garbled)")
    answers = [_record_answer(item) for item in results]
    ids = [a.id for a in answers]
    if len(set(ids)) != len(ids) or not set(ids) <= sent_ids:
        raise BadAnswer("push answer names records that were not sent, or one twice")
    return PushAnswer(str(body.get("received_at", "")), answers)


def _record_answer(item: Any) -> RecordAnswer:
    item = _object(item, "record answer")
    try:
        status = RecordStatus(item.get("status"))
    except ValueError:
        raise BadAnswer(f"unknown record status {item.get('status')!r}") from None
    record_id, reason = item.get("id"), item.get("reason")
    if not isinstance(record_id, str) or not (reason is None or isinstance(reason, str)):
        raise BadAnswer("record answer with a malformed id or reason")
    if status not in SETTLED and not reason:
        raise BadAnswer("conflict or rejection without a reason")
    return RecordAnswer(record_id, status, reason)


def parse_enrollment(document: Any) -> Enrollment:
    body = _object(document, "enrolment answer")
    _check_version(body)
    fields = ("device_id", "device_token", "city_public_key", "booth_id", "event_id")
    if not all(isinstance(body.get(f), str) and body.get(f) for f in fields):
        raise BadAnswer("enrolment answer lacks a field")
    join_secret = body.get("join_secret", "")
    if not isinstance(join_secret, str) or len(join_secret) > 200:
        raise BadAnswer("enrolment answer with a malformed join secret")
    return Enrollment(*(body[f] for f in fields), join_secret=join_secret)


def parse_held(document: Any, device_id: str) -> list[tuple[int, int]]:
    """Inclusive ranges of the device's sequence numbers the server holds."""
    body = _object(document, "held answer")
    _check_version(body)
    ranges = body.get("ranges")
    if body.get("device_id") != device_id or not isinstance(ranges, list):
        raise BadAnswer("held answer for another device, or without ranges")
    if not all(isinstance(r, list) and len(r) == 2 and all(type(n) is int for n in r) and r[0] <= r[1]
               for r in ranges):
        raise BadAnswer("held answer with malformed ranges")
    return [(r[0], r[1]) for r in ranges]


def parse_distribution(document: Any, *, etag: str) -> Distribution:
    body = _object(document, "distribution")
    _check_version(body)
    content, version = body.get("content"), body.get("version")
    if not isinstance(content, dict) or type(version) is not int:
        raise BadAnswer("distribution without content or version")
    return Distribution(str(body.get("event_id")), str(body.get("name")), version, etag, content)


def _object(document: Any, what: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise BadAnswer(f"{what} is not a JSON object")
    return document


def _check_version(body: dict[str, Any]) -> None:
    if body.get("protocol") != PROTOCOL_VERSION:
        raise BadAnswer(f"answer speaks protocol {body.get('protocol')!r}, not {PROTOCOL_VERSION}")


# -- sequence ranges --------------------------------------------------------------------------

def ranges_of(sequence_numbers: Iterable[int]) -> list[list[int]]:
    """Sorted numbers folded into inclusive [first, last] runs: a day's records fit in a few."""
    runs: list[list[int]] = []
    for n in sorted(sequence_numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        elif not runs or n > runs[-1][1]:
            runs.append([n, n])
    return runs


def missing_from(sequence_numbers: Iterable[int], held: Sequence[tuple[int, int]]) -> list[int]:
    """The numbers not covered by any held range."""
    ordered = sorted(held)
    missing = []
    for n in sorted(sequence_numbers):
        if not _covered(n, ordered):
            missing.append(n)
    return missing


def _covered(n: int, ordered: Sequence[tuple[int, int]]) -> bool:
    i = bisect.bisect_right(ordered, (n, float("inf"))) - 1
    return i >= 0 and ordered[i][0] <= n <= ordered[i][1]


# -- the enrolment QR code ----------------------------------------------------------------------

ENROL_QR_SCHEME = "union-booth-enrol"


def enrolment_qr_text(code: str, *, server_url: str | None = None) -> str:
    """What ``kiosk-server new-booth`` puts in the enrolment QR code: the code, and the server's URL
    when given, so a volunteer scans instead of typing both. No personal data: a code names a booth."""
    from urllib.parse import urlencode

    return f"{ENROL_QR_SCHEME}:?" + urlencode({"code": code, **({"server": server_url} if server_url else {})})


def parse_enrolment_qr(text: str) -> tuple[str, str | None]:
    """(code, server URL or None) from a scanned or typed text: an enrolment QR's text or a bare code."""
    from urllib.parse import parse_qs

    text = text.strip()
    if not text.startswith(f"{ENROL_QR_SCHEME}:?"):
        return text, None
    fields = parse_qs(text.split("?", 1)[1])
    return fields.get("code", [""])[0], fields.get("server", [None])[0]
