"""Offline bundles: a booth that never got online exports every record; the city imports them with the
guarantees of a push (idempotent, conflicts reported, nothing partial) and refuses bad or foreign files."""

import json

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from city_helpers import ADMIN_TOKEN, EVENT, Kiosk, admin_city, hand_record  # noqa: F401 (admin_city is a fixture)
from booth_common.bundle import MAGIC, pack_bundle
from booth_common.protocol import WireRecord
from kiosk.cli import main as kiosk_main
from kiosk.settings import DEMO_CONFIG
from sync.server.cli import main as server_main


@pytest.fixture
def city(admin_city):
    return admin_city


@pytest.fixture
def kiosk(tmp_path, city):
    """Enrolled at the union office the week before; offline all day at the booth."""
    made = Kiosk(tmp_path / "kiosk", city, booth_id="fs-gongchen")
    made.busy_day(21, members=5, services=6, quiz=2, handouts=4)
    made.booth.corrections.void(next(made.core.ledger.records(kind="handout")).id, "发错了")
    yield made
    made.close()


def export_bundle(kiosk, out):
    return kiosk_main(["export", "--data-dir", str(kiosk.core.data_dir), "--config", str(DEMO_CONFIG),
                       "--format", "bundle", "--out", str(out)])


def import_cli(city, path):
    return server_main(["--database", str(city.settings.database), "--city-key", str(city.settings.city_key),
                        "import-bundle", str(path)])


def upload(city, data, *, token=ADMIN_TOKEN):
    return requests.post(city.url + "/v1/admin/bundles", data=data, timeout=30,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"})


def held(city, kiosk):
    return {r["id"]: r["payload_sha256"] for r in city.storage.record_rows(device_id=kiosk.core.ledger.device_id)}


def test_bundle_round_trip_through_both_command_lines_then_again_changes_nothing(city, kiosk, tmp_path, capsys):
    path = tmp_path / "usb" / "fs-gongchen.bundle"
    assert export_bundle(kiosk, path) == 0
    assert "stay pending" in capsys.readouterr().out
    local = {r.id: r.payload_sha256 for r in kiosk.core.ledger.records()}
    raw = path.read_bytes()
    assert raw.startswith(MAGIC) and b"registration" not in raw and b"fs-gongchen" in raw   # header only in clear

    assert import_cli(city, path) == 0
    first = capsys.readouterr().out
    stored = held(city, kiosk)
    # Every record written before the export is held, once, with the same hash (the export's own record came after).
    assert {k: v for k, v in local.items() if k in stored} == stored and len(stored) == len(local) - 1
    assert f"{len(stored)} accepted" in first

    assert import_cli(city, path) == 0
    assert f"0 accepted, {len(stored)} already held" in capsys.readouterr().out
    assert held(city, kiosk) == stored and city.storage.count_records() == len(stored)

    # The city's numbers and member export see the bundle like any push.
    totals = requests.get(f"{city.url}/v1/numbers/{EVENT}", timeout=10).json()["totals"]
    assert totals["new_members"] == 5 and totals["handouts"] == 3
    members = requests.get(f"{city.url}/v1/admin/events/{EVENT}/members.csv", timeout=10,
                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert members.headers["X-Member-Problems"] == "0" and members.text.count("\n") == 6

    # When the booth finally gets online, the push only confirms what the bundle brought.
    kiosk.sync()
    assert held(city, kiosk) == local and kiosk.core.ledger.status().pending == 0


def test_upload_endpoint_imports_and_reimports_idempotently(city, kiosk, tmp_path):
    path = tmp_path / "b.bundle"
    export_bundle(kiosk, path)
    first = upload(city, path.read_bytes())
    assert first.status_code == 200 and first.json()["accepted"] == first.json()["records"] > 0
    again = upload(city, path.read_bytes()).json()
    assert again["accepted"] == 0 and again["duplicate"] == first.json()["records"] and again["problems"] == []


@pytest.mark.parametrize("spoil, reason", [
    (lambda b: b[:-40] + bytes(40), "does not open"),                              # a changed ciphertext
    (lambda b: b.replace(b'"records":', b'"records": ', 1), "does not open"),       # a changed header
    (lambda b: b[: len(b) // 2], "does not open"),                                  # a truncated file
    (lambda b: b"PK\x03\x04" + b[4:], "not a booth bundle"),                        # some other file
    (lambda b: MAGIC + b"{not json\n" + b"x", "header is not JSON"),
    (lambda b: MAGIC + b'{"bundle":2}\n', "version 2"),
])
def test_a_spoilt_bundle_is_refused_with_its_reason_and_nothing_is_stored(city, kiosk, tmp_path, capsys, spoil, reason):
    path = tmp_path / "b.bundle"
    export_bundle(kiosk, path)
    bad = tmp_path / "bad.bundle"
    bad.write_bytes(spoil(path.read_bytes()))
    assert import_cli(city, bad) == 2
    assert reason in capsys.readouterr().err
    answer = upload(city, bad.read_bytes())
    assert answer.status_code == 422 and reason in answer.json()["detail"]
    assert city.storage.count_records() == 0


def test_a_bundle_of_a_revoked_device_is_refused(city, kiosk, tmp_path, capsys):
    path = tmp_path / "b.bundle"
    export_bundle(kiosk, path)
    city.storage.revoke(device_id=kiosk.core.ledger.device_id, at="2026-11-25T00:00:00.000Z")
    assert import_cli(city, path) == 2 and "revoked" in capsys.readouterr().err
    answer = upload(city, path.read_bytes())
    assert answer.status_code == 403 and "revoked" in answer.json()["detail"]
    assert city.storage.count_records() == 0


def test_a_bundle_of_an_unknown_device_or_for_another_city_is_refused(city, kiosk):
    records = _wire(kiosk)
    device = kiosk.core.ledger.device_id
    _, unknown = pack_bundle(records, device_id=device, booth_id="fs-gongchen", event_id=EVENT,
                             device_token="kdt1_never-issued", city_public_key=city.city_key.public_key())
    answer = upload(city, unknown)
    assert answer.status_code == 403 and "unknown to this server" in answer.json()["detail"]
    _, elsewhere = pack_bundle(records, device_id=device, booth_id="fs-gongchen", event_id=EVENT,
                               device_token=kiosk.enrollment.device_token,
                               city_public_key=X25519PrivateKey.generate().public_key())
    answer = upload(city, elsewhere)
    assert answer.status_code == 422 and "another city key" in answer.json()["detail"]
    assert city.storage.count_records() == 0


def test_a_bundle_carrying_another_devices_record_is_refused_whole(city, kiosk):
    records = _wire(kiosk) + [WireRecord(**hand_record("someone-else", 1, kind="registration"))]
    _, data = pack_bundle(records, device_id=kiosk.core.ledger.device_id, booth_id="fs-gongchen", event_id=EVENT,
                          device_token=kiosk.enrollment.device_token, city_public_key=city.city_key.public_key())
    answer = upload(city, data)
    assert answer.status_code == 403 and "another device" in answer.json()["detail"]
    assert city.storage.count_records() == 0


def test_conflicts_and_rejections_are_reported_like_a_push(city, kiosk, tmp_path, capsys):
    records = _wire(kiosk)
    payload = json.loads(records[0].payload)
    payload["data"]["forged"] = True
    forged_text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    from booth_common.records import sha256_hex
    forged = WireRecord(records[0].id, records[0].device_id, records[0].seq, forged_text, sha256_hex(forged_text),
                        records[0].sealed)
    bad_hash = WireRecord(records[1].id, records[1].device_id, records[1].seq, records[1].payload, "0" * 64,
                          records[1].sealed)
    kiosk.sync()                                   # the real first record is already on the server
    held_before = held(city, kiosk)
    path = tmp_path / "b.bundle"
    path.write_bytes(pack_bundle([forged, bad_hash, *records[2:]], device_id=kiosk.core.ledger.device_id,
                                 booth_id="fs-gongchen", event_id=EVENT, device_token=kiosk.enrollment.device_token,
                                 city_public_key=city.city_key.public_key())[1])
    assert import_cli(city, path) == 1
    err = capsys.readouterr().err
    assert f"{records[0].id}: conflict" in err and f"{records[1].id}: rejected: payload_sha256" in err
    assert held(city, kiosk) == held_before


def test_a_device_never_enrolled_cannot_write_a_bundle(tmp_path, capsys):
    out = tmp_path / "b.bundle"
    code = kiosk_main(["export", "--data-dir", str(tmp_path / "fresh"), "--config", str(DEMO_CONFIG),
                       "--format", "bundle", "--out", str(out)])
    assert code == 3 and "not enrolled" in capsys.readouterr().err and not out.exists()


def _wire(kiosk):
    envelopes = dict(kiosk.core.ledger.sealed_envelopes())
    return [WireRecord(r.id, r.device_id, r.seq, r.payload, r.payload_sha256, envelopes.get(r.id))
            for r in kiosk.core.ledger.records()]
