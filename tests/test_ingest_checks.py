"""Every check a pushed record meets at ingest, one record each, with the exact reason it is refused (or
accepted), and what the database holds afterwards: the refused are not stored, the accepted are.

The checks were rewritten for speed (sync/server/ingest.py: the usual record in a few comparisons); these
cases hold the reasons and the order in which they are given to what the booths have always been told.
"""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from booth_common.protocol import WireRecord
from booth_common.records import sha256_hex
from booth_common.sealing import Opener, Sealer
from booth_common.validation import id_check_char
from sync.server.ingest import ingest
from sync.server.storage import Device, Storage

DEVICE = Device("dev-a", "b-1", "ev-1", revoked=False)
CITY_KEY = X25519PrivateKey.generate()
GOOD_ID = "11010519900307123" + id_check_char("11010519900307123")


def payload(**changes) -> dict:
    body = {"id": "r-1", "seq": 1, "kind": "service_use", "subject": "tcm", "event_id": "ev-1", "booth_id": "b-1",
            "device_id": "dev-a", "captured_at": "2026-11-25T04:10:00.000Z", "refers_to": None, "data": {}}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not DROP}


DROP = object()


def record(body, *, text: str | None = None, digest: str | None = None, personal: dict | None = None,
           envelope: dict | None = None) -> WireRecord:
    text = text if text is not None else json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    sealed = Sealer(CITY_KEY.public_key()).seal(personal, record_id="r-1") if personal is not None else None
    fields = {"id": "r-1", "device_id": "dev-a", "seq": 1, **(envelope or {})}
    return WireRecord(fields["id"], fields["device_id"], fields["seq"], text, digest or sha256_hex(text), sealed)


REGISTRATION = {"kind": "registration", "subject": None}
CASES = [
    ("accepted", record(payload()), None),
    ("hash", record(payload(), digest="0" * 64), "payload_sha256 does not match the payload"),
    ("not json", record(None, text="{not json"), "payload is not JSON"),
    ("a list", record(None, text="[1, 2]"), "payload is not a JSON object"),
    ("id", record(payload(id="r-2")), "payload field 'id' disagrees with the record envelope"),
    ("seq", record(payload(seq=2)), "payload field 'seq' disagrees with the record envelope"),
    ("seq as text", record(payload(seq="1")), "payload field 'seq' disagrees with the record envelope"),
    ("device", record(payload(device_id="dev-b")), "payload field 'device_id' disagrees with the record envelope"),
    ("id and seq", record(payload(id="r-2", seq=2)), "payload field 'id' disagrees with the record envelope"),
    ("no kind", record(payload(kind=DROP)), "payload field 'kind' is missing or not text"),
    ("empty event", record(payload(event_id="")), "payload field 'event_id' is missing or not text"),
    ("booth a number", record(payload(booth_id=7)), "payload field 'booth_id' is missing or not text"),
    ("booth an object", record(payload(booth_id={"id": "b-1"})), "payload field 'booth_id' is missing or not text"),
    ("time null", record(payload(captured_at=None)), "payload field 'captured_at' is missing or not text"),
    ("kind and time", record(payload(kind=[], captured_at=None)), "payload field 'kind' is missing or not text"),
    ("other booth", record(payload(booth_id="b-2")),
     "payload booth_id 'b-2' is not the booth this device is enrolled for ('b-1'); nothing of it is stored or counted"),
    ("other event", record(payload(event_id="ev-2")),
     "payload event_id 'ev-2' is not the event this device is enrolled for ('ev-1'); nothing of it is stored or counted"),
    ("own booth set up", record(payload(kind="audit", subject="booth_setup", data={"booth": {"id": "b-1"}})), None),
    ("other booth set up", record(payload(kind="audit", subject="booth_setup", data={"booth": {"id": "b-2"}})),
     "a booth_setup record may describe only this device's own booth ('b-1')"),
    ("set up without booth", record(payload(kind="audit", subject="booth_setup")),
     "a booth_setup record may describe only this device's own booth ('b-1')"),
    ("other audit", record(payload(kind="audit", subject="purge", data={"booth": 3})), None),
    ("no data", record(payload(data=DROP)), None),
    ("data null", record(payload(data=None)), "payload field 'data' is not a JSON object"),
    ("data a list", record(payload(data=[1])), "payload field 'data' is not a JSON object"),
    ("correction", record(payload(kind="correction", refers_to="r-0", data={"changes": {"name": "x"}})), None),
    ("correction list", record(payload(kind="correction", refers_to="r-0", data={"changes": ["name"]})),
     "a correction's 'changes' must be a JSON object"),
    ("meeting without fields", record(payload(kind="employer_meeting", data={})), "MEETING"),
    ("registration", record(payload(**REGISTRATION), personal={"name": "王小明", "id_number": GOOD_ID}), None),
    ("no number", record(payload(**REGISTRATION), personal={"name": "王小明"}),
     "a registration's sealed fields hold no identity number"),
    ("bad number", record(payload(**REGISTRATION), personal={"id_number": GOOD_ID[:17] + "0"}),
     "identity number refused by the kiosk's own rules (checksum)"),
    ("time no date", record(payload(captured_at="soon", **REGISTRATION), personal={"id_number": GOOD_ID}),
     "payload field 'captured_at' does not start with a date"),
    ("kind claimed", record(payload(**REGISTRATION, data={"document_kind": "hmt_residence_permit"}),
                            personal={"id_number": GOOD_ID}),
     "payload document_kind 'hmt_residence_permit' is not the kind of the sealed number (resident_id)"),
    ("sealed elsewhere", record(payload(), personal={"id_number": GOOD_ID}, envelope={}), None),
]


@pytest.mark.parametrize("name, pushed, reason", CASES, ids=[c[0] for c in CASES])
def test_each_check_refuses_with_its_reason_and_stores_only_the_accepted(tmp_path, name, pushed, reason):
    storage = Storage(tmp_path / "city.sqlite3")
    try:
        (verdict,) = ingest(storage, [pushed], device=DEVICE, opener=Opener(CITY_KEY), received_at="2026-11-25T05:00Z")
        stored = storage.record_rows()
    finally:
        storage.close()
    if reason is None:
        assert (str(verdict.status), verdict.reason) == ("accepted", None)
        assert [(r["id"], r["payload"]) for r in stored] == [("r-1", pushed.payload)]
    else:
        assert str(verdict.status) == "rejected" and stored == []
        if reason == "MEETING":     # employers.misshapen_meeting words it; that it is refused is the point here
            assert verdict.reason
        else:
            assert verdict.reason == reason


def test_a_record_sealed_for_another_record_is_refused(tmp_path):
    sealed = Sealer(CITY_KEY.public_key()).seal({"id_number": GOOD_ID}, record_id="r-9")
    pushed = record(payload(**REGISTRATION))._replace(sealed=sealed)
    storage = Storage(tmp_path / "city.sqlite3")
    try:
        (verdict,) = ingest(storage, [pushed], device=DEVICE, opener=Opener(CITY_KEY), received_at="2026-11-25T05:00Z")
        assert storage.record_rows() == []
    finally:
        storage.close()
    assert verdict.reason.startswith("sealed personal fields refused: ")
