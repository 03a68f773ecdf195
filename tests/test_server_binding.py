"""The server decides where a device belongs: records naming another booth or event than the device's
enrolment are refused one by one with their reason, never stored, counted or exported (real server on loopback)."""

import csv
import io
import random

import pytest
import requests

from city_helpers import ADMIN_TOKEN, EVENT, Kiosk, admin_city, hand_record  # noqa: F401 (admin_city is a fixture)
from booth_common.bundle import pack_bundle
from booth_common.protocol import WireRecord
from sync.server.cli import main as server_main

OTHER_EVENT = "bj-2027-spring"


@pytest.fixture
def city(admin_city):
    return admin_city


@pytest.fixture
def booths(tmp_path, city):
    """An honest booth B (Gucheng) with a quiet day, and a device of booth A (Wangjing) that will forge."""
    honest = Kiosk(tmp_path / "b", city, booth_id="sjs-gucheng")
    forger = Kiosk(tmp_path / "a", city, booth_id="cy-wangjing")
    honest.busy_day(3, members=2, services=3, quiz=0, handouts=1)
    honest.sync()
    yield honest, forger
    honest.close()
    forger.close()


def numbers(city, event=EVENT):
    answer = requests.get(f"{city.url}/v1/numbers/{event}", timeout=10)
    return answer.json() if answer.status_code == 200 else None


def member_rows(city, event=EVENT):
    answer = requests.get(f"{city.url}/v1/admin/events/{event}/members.csv", timeout=30,
                          headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    if answer.status_code == 404:
        return []
    assert answer.status_code == 200, answer.text
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))


def by_booth(figures):
    return {b["booth_id"]: b for b in figures["by_booth"]}


def server_ids(city, kiosk):
    return {r["id"] for r in city.storage.record_rows(device_id=kiosk.core.ledger.device_id)}


def test_records_claiming_another_booth_are_refused_each_with_its_reason(city, booths):
    honest, forger = booths
    before = by_booth(numbers(city))["sjs-gucheng"]
    members_before = member_rows(city)
    forger.core.ledger.set_meta("booth_id", "sjs-gucheng")   # the device's own ledger, edited
    rng = random.Random(5)
    forged = [forger.register(rng).record_id for _ in range(20)]
    forger.busy_day(9, members=0, services=5, quiz=0, handouts=3)
    report = forger.engine.sync_once(attempts=1, event_id=EVENT)

    assert report.error is None and report.pending == 0
    parked = dict((r.id, reason) for r, reason in forger.core.ledger.outbox.needing_attention())
    assert set(forged) <= set(parked)
    assert all("'sjs-gucheng' is not the booth this device is enrolled for ('cy-wangjing')" in parked[i]
               for i in forged)
    assert not server_ids(city, forger) & set(parked)
    after = numbers(city)
    assert by_booth(after)["sjs-gucheng"] == before
    assert by_booth(after)["cy-wangjing"]["new_members"] == 0
    assert member_rows(city) == members_before and len(members_before) == 2


def test_records_claiming_another_event_are_refused_and_absent_from_that_events_figures(city, booths):
    _, forger = booths
    config = forger.core.booth.config
    forger.core.booth.config = config._replace(event=config.event._replace(id=OTHER_EVENT))
    rng = random.Random(6)
    forged = [forger.register(rng).record_id for _ in range(5)]
    forger.engine.sync_once(attempts=1, event_id=EVENT)

    parked = dict((r.id, reason) for r, reason in forger.core.ledger.outbox.needing_attention())
    assert all(f"event_id '{OTHER_EVENT}' is not the event this device is enrolled for ('{EVENT}')" in parked[i]
               for i in forged)
    assert not server_ids(city, forger) & set(forged)
    assert numbers(city, OTHER_EVENT) is None            # the forged event does not even exist
    assert member_rows(city, OTHER_EVENT) == []


def test_a_booth_setup_cannot_rename_another_booth_or_make_it_a_main_venue(city, booths):
    _, forger = booths
    forger.core.ledger.set_meta("booth_id", "sjs-gucheng")
    setup = forger.booth.profile.set_up({"name": "伪造主会场", "district": "石景山区", "venue_type": "main"},
                                      device_name="x")
    own = forger.core.ledger
    own.set_meta("booth_id", "cy-wangjing")
    # Its own booth, but a profile naming the other booth's id.
    smuggled = forger.booth.profile.set_up({"id": "sjs-gucheng", "name": "伪造", "venue_type": "main"},
                                         device_name="x")
    forger.engine.sync_once(attempts=1, event_id=EVENT)

    parked = dict((r.id, reason) for r, reason in own.outbox.needing_attention())
    assert "is not the booth this device is enrolled for" in parked[setup.id]
    assert "may describe only this device's own booth ('cy-wangjing')" in parked[smuggled.id]
    gucheng = by_booth(numbers(city))["sjs-gucheng"]
    assert gucheng["name"] != "伪造主会场" and gucheng["venue_type"] != "main"
    assert numbers(city)["totals"]["main_venues"] == 0


def test_an_honest_booth_setup_of_the_own_booth_is_accepted(city, booths):
    _, device = booths
    record = device.booth.profile.set_up({"name": "望京SOHO", "district": "朝阳区", "venue_type": "main"},
                                       device_name="tablet 1")
    device.sync()
    assert record.id in server_ids(city, device)
    assert by_booth(numbers(city))["cy-wangjing"]["venue_type"] == "main"


def test_a_pushed_batch_is_answered_record_by_record(city, booths):
    _, forger = booths
    device = forger.core.ledger.device_id
    seq = forger.core.ledger.status().synced + forger.core.ledger.status().pending + 1
    records = [hand_record(device, seq, kind="service_use", subject="tcm", booth_id="cy-wangjing"),
               hand_record(device, seq + 1, kind="service_use", subject="tcm", booth_id="sjs-gucheng"),
               hand_record(device, seq + 2, kind="service_use", subject="tcm", booth_id="cy-wangjing",
                           event_id=OTHER_EVENT)]
    answer = requests.post(city.url + "/v1/records", timeout=10,
                           json={"protocol": 1, "device_id": device, "records": records},
                           headers={"Authorization": f"Bearer {forger.enrollment.device_token}"})
    assert answer.status_code == 200
    statuses = [(r["status"], r["reason"]) for r in answer.json()["results"]]
    assert statuses[0] == ("accepted", None)
    assert statuses[1][0] == statuses[2][0] == "rejected"
    assert "booth_id 'sjs-gucheng'" in statuses[1][1] and f"event_id '{OTHER_EVENT}'" in statuses[2][1]
    assert server_ids(city, forger) >= {records[0]["id"]}
    assert not server_ids(city, forger) & {records[1]["id"], records[2]["id"]}


def test_a_bundle_naming_another_booth_is_refused_record_by_record(city, booths, tmp_path, capsys):
    _, forger = booths
    device = forger.core.ledger.device_id
    seq = forger.core.ledger.status().synced + forger.core.ledger.status().pending + 1
    records = [hand_record(device, seq + i, kind="handout", subject="leaflet", booth_id="sjs-gucheng")
               for i in range(3)]
    wire = [WireRecord(**r) for r in records]
    _, data = pack_bundle(wire, device_id=device, booth_id="sjs-gucheng", event_id=EVENT,
                          device_token=forger.enrollment.device_token, city_public_key=city.city_key.public_key())
    path = tmp_path / "forged.bundle"
    path.write_bytes(data)
    code = server_main(["--database", str(city.settings.database), "--city-key", str(city.settings.city_key),
                        "import-bundle", str(path)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "(booth cy-wangjing," in out and "3 rejected" in out
    assert err.count("is not the booth this device is enrolled for") == 3
    assert not server_ids(city, forger) & {r["id"] for r in records}
