"""Import of offline bundles (``booth_common/bundle.py``): the same checks and guarantees as a push.

The bundle is authenticated by the device token it carries, exactly as a push is by its
``Authorization`` header: an unknown or revoked token, or a record of another device, refuses
the whole file. Every record is then checked like a pushed one (a record naming another booth or
event than the device's enrolment is rejected with its reason) and ingested in one transaction;
each gets the answer a push would get, so a second import of the same file is all duplicates.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from pydantic import ValidationError

from booth_common.bundle import Bundle, BundleError, read_bundle
from booth_common.protocol import WireRecord
from booth_common.records import format_utc
from booth_common.sealing import Opener
from sync.server.accounts import hash_secret
from sync.server.ingest import ingest
from sync.server.models import PushRecord
from sync.server.storage import Device, Storage


class BundleRefused(BundleError):
    """A well-formed bundle whose device may not write (unknown or revoked token, another device's records)."""


@dataclass(frozen=True)
class ImportReport:
    device_id: str
    booth_id: str
    event_id: str
    records: int
    counts: dict[str, int]
    problems: list[dict[str, Any]] = field(default_factory=list)   # conflicts and rejections with reasons

    def to_json(self) -> dict[str, Any]:
        return {"device_id": self.device_id, "booth_id": self.booth_id, "event_id": self.event_id,
                "records": self.records, **{s: self.counts.get(s, 0) for s in
                                            ("accepted", "duplicate", "conflict", "rejected")},
                "problems": self.problems}


def import_bundle(storage: Storage, data: bytes, *, city_key: X25519PrivateKey,
                  now: dt.datetime | None = None) -> ImportReport:
    """Open, authenticate, check and ingest; ``BundleError``/``BundleRefused`` leave nothing stored."""
    bundle = read_bundle(data, city_key)
    device = _authenticate(storage, bundle)
    records = _wire_records(bundle)
    received_at = format_utc(now or dt.datetime.now(dt.timezone.utc))
    verdicts = (ingest(storage, records, device=device, opener=Opener(city_key), received_at=received_at)
                if records else [])
    counts = Counter(str(v.status) for v in verdicts)
    problems = [v.to_json() for v in verdicts if v.reason]
    # The booth and event as the server enrolled the device: a header may claim anything.
    return ImportReport(device.device_id, device.booth_id, device.event_id, len(records), dict(counts), problems)


def _authenticate(storage: Storage, bundle: Bundle) -> Device:
    device = storage.device_by_token(hash_secret(bundle.device_token))
    if device is None:
        raise BundleRefused("the bundle's device token is unknown to this server: enrol the device here first")
    if device.revoked:
        raise BundleRefused(f"device {device.device_id} is revoked: its bundles are not accepted")
    if device.device_id != bundle.header.device_id:
        raise BundleRefused("the bundle's device token belongs to another device")
    return device


def _wire_records(bundle: Bundle) -> list[WireRecord]:
    records = []
    for n, item in enumerate(bundle.records, start=1):
        try:
            record = PushRecord.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise BundleError(f"record {n} of the bundle is malformed: {where}: {first.get('msg', '')}") from None
        if record.device_id != bundle.header.device_id:
            raise BundleRefused(f"record {n} of the bundle carries another device's id")
        records.append(WireRecord(record.id, record.device_id, record.seq, record.payload, record.payload_sha256,
                                  record.sealed))
    if len({r.id for r in records}) != len(records):
        raise BundleError("the same record id appears twice in the bundle")
    return records
