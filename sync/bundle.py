"""Writing the offline bundle on the kiosk: every record of this device, packed by ``booth_common.bundle``."""

from __future__ import annotations

import os
from pathlib import Path

from booth_common.bundle import BundleHeader, pack_bundle
from booth_common.protocol import WireRecord
from booth_common.sealing import KeyRing, public_key_from_text
from kiosk.ledger import Ledger
from sync.enrollment import META_CITY_KEY, finish_enrollment, server_link


class NotEnrolled(RuntimeError):
    """The device has no city key yet, so its personal fields are sealed to a key the server lacks."""


def write_bundle(ledger: Ledger, keys: KeyRing, out: Path) -> BundleHeader:
    """Write every record of this device to ``out`` for the city; raises ``NotEnrolled`` before enrolment."""
    link = server_link(ledger)
    city_text = ledger.get_meta(META_CITY_KEY)
    if link is None or city_text is None:
        raise NotEnrolled("this device is not enrolled: a bundle needs the city's key "
                          "(enrol once with `kiosk enroll`, even days before the event)")
    finish_enrollment(ledger, keys)  # an interrupted enrolment leaves envelopes sealed to the device key
    envelopes = dict(ledger.sealed_envelopes())
    records = [WireRecord(r.id, r.device_id, r.seq, r.payload, r.payload_sha256, envelopes.get(r.id))
               for r in ledger.records()]
    booth_id = ledger.get_meta("booth_id") or ""   # saved at enrolment, as the city registered the booth
    header, data = pack_bundle(records, device_id=ledger.device_id, booth_id=booth_id, event_id=link.event_id,
                               device_token=link.token, city_public_key=public_key_from_text(city_text))
    _write_atomically(out, data)
    return header


def _write_atomically(out: Path, data: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, out)
