"""Ingest of pushed records: check each one, store the good ones once, answer every one.

A record is rejected (with a reason) when its hash does not match its payload, when the
payload disagrees with the envelope it travels in, when it names another booth or event than
the one its device is enrolled for (the server's enrolment, not the payload, says where a
device belongs), when its sealed personal fields do not open with the city key (tampered,
or sealed to another key or record), or when a registration's identity number fails the rules the
kiosk applies (booth_common/validation.py: the same code, so a number refused at the kiosk is refused
here; the age limits, which are the event's, are the kiosk's alone). Checks come first, the
insert transaction second, so a batch never leaves half of a record behind.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from booth_common.protocol import RecordStatus, WireRecord
from booth_common.sealing import Opener, SealError
from booth_common.validation import ValidationError, validate_resident_id
from sync.server.employers import misshapen_changes, misshapen_meeting
from sync.server.storage import Device, Storage

ENVELOPE_FIELDS = ("id", "seq", "device_id")
PAYLOAD_TEXT_FIELDS = ("kind", "event_id", "booth_id", "captured_at")
SHAPED_KINDS = frozenset({"correction", "employer_meeting"})   # kinds whose data _misshapen looks into
# What a record's refers_to may hold: a record id (models.Identifier). Anything else refers to no record, and a
# long one would be refused by PostgreSQL's index on refers_to, failing the whole group commit with it.
_is_record_id = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}").fullmatch
NO_DATA: dict[str, Any] = {}    # what a payload without "data" holds there; never changed
# How deep a payload may nest. The kiosk's nest four deep; orjson takes up to 1,024, but the readers of stored
# payloads (json.loads in the numbers, the member export, the double claims) fail near 1,000: one record 995 deep
# made those pages answer 400 "nested too deeply" for everyone, for good.
MAX_DEPTH = 32


@dataclass(frozen=True)
class Verdict:
    id: str
    status: RecordStatus
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "status": str(self.status), "reason": self.reason}


def ingest(storage: Storage, records: Sequence[WireRecord], *, device: Device, opener: Opener,
           received_at: str) -> list[Verdict]:
    """One verdict per record of ``device``, in the order sent."""
    checked, rows = check_records(records, device=device, opener=opener, received_at=received_at)
    return verdicts(checked, storage.insert_records(rows))


async def ingest_async(storage: Storage, records: Sequence[WireRecord], *, device: Device, opener: Opener,
                       received_at: str) -> list[dict[str, Any]]:
    """``ingest`` for the event loop, each verdict as the push answer sends it (``Verdict.to_json``): the
    checks run here, the insert waits for the writer's group commit."""
    checked, rows = check_records(records, device=device, opener=opener, received_at=received_at)
    return answers(checked, await asyncio.wrap_future(storage.submit_records(rows)))


def check_records(records: Sequence[WireRecord], *, device: Device, opener: Opener, received_at: str
                  ) -> tuple[list[tuple[WireRecord, dict[str, Any] | str]], list[dict[str, Any]]]:
    """Each record with its parsed payload or the reason it is rejected, and the rows to insert.

    ``records`` may be any objects with ``WireRecord``'s attributes (the push hands over its parsed body's).
    """
    checked, rows = [], []
    for record in records:
        fields = _check(record, device, opener)
        checked.append((record, fields))
        if type(fields) is dict:
            rows.append(_row(record, fields, received_at))
    return checked, rows


def verdicts(checked: list[tuple[WireRecord, dict[str, Any] | str]], outcomes: Sequence[Any]) -> list[Verdict]:
    """One verdict per checked record, in order; ``outcomes`` answer the rows that were inserted."""
    return [Verdict(a["id"], RecordStatus(a["status"]), a["reason"]) for a in answers(checked, outcomes)]


def answers(checked: list[tuple[WireRecord, dict[str, Any] | str]], outcomes: Sequence[Any]) -> list[dict[str, Any]]:
    """``verdicts`` as JSON objects, made directly: a push answers thousands of records, nearly all accepted."""
    remaining = iter(outcomes)
    out = []
    for record, fields in checked:
        if isinstance(fields, str):
            out.append({"id": record.id, "status": "rejected", "reason": fields})
        elif (outcome := next(remaining)).inserted:
            out.append({"id": record.id, "status": "accepted", "reason": None})
        else:
            out.append(_verdict(record, outcome).to_json())
    return out


def _check(record: WireRecord, device: Device, opener: Opener) -> dict[str, Any] | str:
    """The parsed payload, or the reason for rejecting the record."""
    payload = record.payload
    if hashlib.sha256(payload.encode()).hexdigest() != record.payload_sha256:   # booth_common.records.sha256_hex
        return "payload_sha256 does not match the payload"
    if "\x00" in payload or "\\u0000" in payload:   # PostgreSQL's text cannot hold it: the whole group would fail
        return "payload holds the character U+0000, which no stored text may hold"
    try:
        fields = orjson.loads(payload)  # twice as fast as json.loads on these small objects
    except ValueError:
        return "payload is not JSON"
    if type(fields) is not dict:    # orjson makes plain dicts
        return "payload is not a JSON object"
    if payload.count("{") + payload.count("[") > MAX_DEPTH and _deeper_than(fields, MAX_DEPTH):
        return f"payload nests deeper than {MAX_DEPTH} levels"
    get = fields.get
    if get("id") != record.id or get("seq") != record.seq or get("device_id") != record.device_id:
        return _envelope_refusal(fields, record)
    kind, event_id, booth_id, captured_at = get("kind"), get("event_id"), get("booth_id"), get("captured_at")
    if not (kind and event_id and booth_id and captured_at and type(kind) is str and type(event_id) is str
            and type(booth_id) is str and type(captured_at) is str):
        return _text_refusal(fields)
    refers_to = get("refers_to")
    if type(refers_to) is str and not _is_record_id(refers_to):
        return "payload field 'refers_to' is not a record id"
    # The device's own booth and event, the usual case, in two comparisons: _foreign says what is wrong.
    if booth_id != device.booth_id or event_id != device.event_id or kind == "audit":
        if (refusal := _foreign(fields, device)) is not None:
            return refusal
    if type(get("data", NO_DATA)) is not dict or kind in SHAPED_KINDS:
        if (refusal := _misshapen(fields)) is not None:
            return refusal
    if record.sealed is not None:
        try:
            personal = opener.open(record.sealed, record_id=record.id)
        except SealError as exc:
            return f"sealed personal fields refused: {exc}"
        if kind == "registration" and (refusal := _identity_refusal(fields, personal)) is not None:
            return refusal
    return fields


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` (parsed JSON) nests objects or arrays more than ``limit`` deep; without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if type(item) is dict else item
        stack.extend((child, depth + 1) for child in children if type(child) in (dict, list))
    return False


def _envelope_refusal(fields: dict[str, Any], record: WireRecord) -> str:
    name = next(name for name in ENVELOPE_FIELDS if fields.get(name) != getattr(record, name))
    return f"payload field {name!r} disagrees with the record envelope"


def _text_refusal(fields: dict[str, Any]) -> str:
    name = next(name for name in PAYLOAD_TEXT_FIELDS if not isinstance(fields.get(name), str) or not fields[name])
    return f"payload field {name!r} is missing or not text"


def _identity_refusal(fields: dict[str, Any], personal: Any) -> str | None:
    """Why a registration's identity number is refused, or None. The reason names the rule, never the number."""
    number = personal.get("id_number") if isinstance(personal, dict) else None
    if not isinstance(number, str):
        return "a registration's sealed fields hold no identity number"
    try:
        day = dt.date.fromisoformat(fields["captured_at"][:10])
    except ValueError:
        return "payload field 'captured_at' does not start with a date"
    try:
        checked = validate_resident_id(number, today=day, min_age=0, max_age=200)
    except ValidationError as exc:
        return f"identity number refused by the kiosk's own rules ({exc.code})"
    data = fields.get("data")
    claimed = data.get("document_kind") if isinstance(data, dict) else None
    if claimed is not None and claimed != checked.kind.value:
        return f"payload document_kind {claimed!r} is not the kind of the sealed number ({checked.kind.value})"
    return None


def _foreign(fields: dict[str, Any], device: Device) -> str | None:
    """Why a record claims a place its device was not enrolled for, or None when it is the device's own."""
    for name, own in (("booth_id", device.booth_id), ("event_id", device.event_id)):
        if fields[name] != own:
            return (f"payload {name} {fields[name]!r} is not the {name.removesuffix('_id')} this device is "
                    f"enrolled for ({own!r}); nothing of it is stored or counted")
    if fields["kind"] == "audit" and fields.get("subject") == "booth_setup":
        data = fields.get("data")
        booth = data.get("booth") if isinstance(data, dict) else None
        if not isinstance(booth, dict) or booth.get("id", device.booth_id) != device.booth_id:
            return f"a booth_setup record may describe only this device's own booth ({device.booth_id!r})"
    return None


def _misshapen(fields: dict[str, Any]) -> str | None:
    """Why a record's data cannot be read where it is used (the member export, the numbers), or None."""
    data = fields.get("data", {})
    if not isinstance(data, dict):
        return "payload field 'data' is not a JSON object"
    if fields["kind"] == "correction" and not isinstance(data.get("changes", {}), dict):
        return "a correction's 'changes' must be a JSON object"
    if fields["kind"] == "employer_meeting":
        return misshapen_meeting(data)
    if fields["kind"] == "correction" and fields.get("subject") == "employer_meeting":
        return misshapen_changes(data.get("changes", {}), required=False)
    return None


def _row(record: WireRecord, fields: dict[str, Any], received_at: str) -> dict[str, Any]:
    subject, refers_to = fields.get("subject"), fields.get("refers_to")
    return {"id": record.id, "device_id": record.device_id, "seq": record.seq, "kind": fields["kind"],
            "subject": subject if isinstance(subject, str) else None, "event_id": fields["event_id"],
            "booth_id": fields["booth_id"], "captured_at": fields["captured_at"],
            "refers_to": refers_to if isinstance(refers_to, str) else None, "payload": record.payload,
            "payload_sha256": record.payload_sha256, "sealed": record.sealed, "received_at": received_at}


def _verdict(record: WireRecord, outcome: Any) -> Verdict:
    if outcome.inserted:
        return Verdict(record.id, RecordStatus.ACCEPTED)
    held = outcome.existing
    if held is not None and held.id == record.id:
        if held.payload_sha256 == record.payload_sha256:
            return Verdict(record.id, RecordStatus.DUPLICATE)
        return Verdict(record.id, RecordStatus.CONFLICT, "the server holds another payload under this record id")
    return Verdict(record.id, RecordStatus.REJECTED,
                   f"sequence number {record.seq} of this device already holds another record")
