"""Record kinds and the frozen, hashed form every record takes at capture."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What a record says happened. New kinds may be added; none is ever renamed."""

    REGISTRATION = "registration"
    CONSULTATION = "consultation"
    SERVICE_USE = "service_use"
    QUIZ_ATTEMPT = "quiz_attempt"
    HANDOUT = "handout"
    CARD_REQUEST = "card_request"
    CORRECTION = "correction"
    VOID = "void"
    EXPORT = "export"
    AUDIT = "audit"
    EMPLOYER_MEETING = "employer_meeting"


class SyncState(StrEnum):
    PENDING = "pending"
    SYNCED = "synced"
    NEEDS_ATTENTION = "needs_attention"


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept: the one text a payload hash is taken over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_record_id() -> str:
    return str(uuid.uuid4())


def utc_now_text() -> str:
    return format_utc(dt.datetime.now(dt.timezone.utc))


def format_utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass(frozen=True)
class Record:
    """One fact as stored and as pushed. ``payload`` is canonical JSON and never changes."""

    seq: int
    id: str
    kind: str
    subject: str | None
    event_id: str
    booth_id: str
    device_id: str
    captured_at: str
    refers_to: str | None
    payload: str
    payload_sha256: str

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.payload)["data"]


def freeze_payload(*, record_id: str, seq: int, kind: str, subject: str | None, event_id: str,
                   booth_id: str, device_id: str, captured_at: str, refers_to: str | None,
                   data: dict[str, Any]) -> tuple[str, str]:
    """The canonical payload text and its SHA-256, covering every field of the record."""
    body = {
        "id": record_id, "seq": seq, "kind": kind, "subject": subject, "event_id": event_id,
        "booth_id": booth_id, "device_id": device_id, "captured_at": captured_at,
        "refers_to": refers_to, "data": data,
    }
    text = canonical_json(body)
    return text, sha256_hex(text)
