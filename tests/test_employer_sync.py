"""Employer meetings through the real loopback server: pushed with the booth's protocol, counted in the city
numbers by district and street, listed in the admin export with the contact opened (and only there)."""

import csv
import io
import json

import pytest
import requests

from city_helpers import ADMIN_TOKEN, EVENT, Kiosk, admin_city  # noqa: F401 (admin_city is a fixture)
from kiosk.employers import MeetingForm

URL = f"/v1/admin/events/{EVENT}/employer-meetings.csv"


@pytest.fixture
def city(admin_city):
    return admin_city


@pytest.fixture
def kiosks(tmp_path, city):
    made = []

    def make(booth_id):
        made.append(Kiosk(tmp_path / booth_id, city, booth_id=booth_id))
        return made[-1]

    yield make
    for kiosk in made:
        kiosk.close()


def meeting(name, uscc, *, workers, riders=0, outcome="will_consider", district="朝阳区", street="望京街道",
            phone="13912345678"):
    return MeetingForm(enterprise_name=name, uscc=uscc, industry="物流", size_band="100_299", workers=str(workers),
                       new_form_workers=str(riders), contact_name="王建国", contact_phone=phone,
                       needs=["legal"], outcome=outcome, district=district, street=street)


def test_meetings_reach_the_city_numbers_and_the_admin_export(city, kiosks):
    wangjing, gucheng = kiosks("cy-wangjing"), kiosks("sjs-gucheng")
    a = wangjing.booth.employers.record_meeting(meeting("鑫达物流", "91110000600037341L", workers=180, riders=60,
                                                        outcome="agreed_to_found"))
    wangjing.booth.employers.record_meeting(meeting("华通餐饮", _code("911101050000ABCD1"), workers=40))
    dropped = wangjing.booth.employers.record_meeting(meeting("重复录入", _code("911101050000ABCD2"), workers=999))
    wangjing.booth.corrections.void(dropped.record_id, "重复录入")
    wangjing.booth.employers.correct_meeting(a.record_id, reason="人数核实", workers="200",
                                             contact_phone="13800001234")
    gucheng.booth.employers.record_meeting(meeting("远航科技", _code("911101070000XY793"),
                                                   workers=25, outcome="agreed_to_found", district="石景山区",
                                                   street="古城街道"))
    wangjing.sync()
    gucheng.sync()

    got = requests.get(f"{city.url}/v1/numbers/{EVENT}", timeout=10).json()["employers"]
    assert got["totals"] == {"employer_meetings": 3, "agreed_to_found": 2, "workers_covered": 265,
                             "new_form_workers": 60}
    assert got["by_district"] == [
        {"district": "朝阳区", "employer_meetings": 2, "agreed_to_found": 1, "workers_covered": 240,
         "new_form_workers": 60},
        {"district": "石景山区", "employer_meetings": 1, "agreed_to_found": 1, "workers_covered": 25,
         "new_form_workers": 0}]
    assert [(s["street"], s["employer_meetings"]) for s in got["by_street"]] == [("望京街道", 2), ("古城街道", 1)]
    page = requests.get(f"{city.url}/city/{EVENT}", timeout=10).text
    assert '<tr data-street="朝阳区 望京街道">' in page and 'data-figure="employers.workers_covered">265<' in page
    for text in (requests.get(f"{city.url}/v1/numbers/{EVENT}", timeout=10).text, page):
        assert "王建国" not in text and "13800001234" not in text and "王*国" not in text

    refused = requests.get(city.url + URL, timeout=10)
    assert refused.status_code == 401
    answer = requests.get(city.url + URL, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10)
    assert answer.status_code == 200 and answer.headers["X-Meetings"] == "3"
    rows = {r["enterprise_name"]: r for r in csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig")))}
    assert set(rows) == {"鑫达物流", "华通餐饮", "远航科技"}
    assert (rows["鑫达物流"]["contact_name"], rows["鑫达物流"]["contact_phone"], rows["鑫达物流"]["workers"],
            rows["鑫达物流"]["corrections"]) == ("王建国", "13800001234", "200", "1")
    assert rows["华通餐饮"]["contact_phone"] == "13912345678"


def _code(first17):
    from booth_common.validation import uscc_check_char

    return first17 + uscc_check_char(first17)


@pytest.mark.parametrize("field, value, said", [
    ("uscc", "91110000600037341X", "uscc"), ("uscc", {"$ne": 1}, "uscc"), ("workers", -5, "workers"),
    ("workers", "12", "workers"), ("outcome", "maybe", "outcome"), ("new_form_workers", 10**12, "new_form_workers"),
])
def test_the_server_refuses_a_meeting_it_could_not_count(city, kiosks, field, value, said):
    kiosk = kiosks("cy-wangjing")
    made = kiosk.booth.employers.record_meeting(meeting("鑫达物流", "91110000600037341L", workers=10))
    record = kiosk.core.ledger.get(made.record_id)
    # A hostile or broken device: the same record with a code whose check character is wrong, re-hashed.
    from booth_common.protocol import WireRecord
    from booth_common.records import sha256_hex

    body = json.loads(record.payload)
    body["data"][field] = value
    payload = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    wire = WireRecord(id=record.id, seq=record.seq, device_id=record.device_id, payload=payload,
                      payload_sha256=sha256_hex(payload), sealed=None)
    answer = kiosk.client.push(record.device_id, [wire])
    [verdict] = answer.answers
    assert verdict.status == "rejected" and said in verdict.reason
    assert requests.get(f"{city.url}/v1/numbers/{EVENT}", timeout=10).json()["employers"]["totals"][
        "employer_meetings"] == 0


def test_the_server_refuses_a_meeting_correction_it_could_not_count(city, kiosks):
    kiosk = kiosks("cy-wangjing")
    made = kiosk.booth.employers.record_meeting(meeting("鑫达物流", "91110000600037341L", workers=10))
    kiosk.sync()
    correction = kiosk.booth.employers.correct_meeting(made.record_id, reason="人数核实", workers="12")
    from booth_common.protocol import WireRecord
    from booth_common.records import sha256_hex

    body = json.loads(correction.payload)
    body["data"]["changes"]["workers"] = -400
    payload = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    wire = WireRecord(id=correction.id, seq=correction.seq, device_id=correction.device_id, payload=payload,
                      payload_sha256=sha256_hex(payload), sealed=None)
    [verdict] = kiosk.client.push(correction.device_id, [wire]).answers
    assert verdict.status == "rejected" and "workers" in verdict.reason
    kiosk.sync()  # the real correction goes through
    totals = requests.get(f"{city.url}/v1/numbers/{EVENT}", timeout=10).json()["employers"]["totals"]
    assert totals["workers_covered"] == 12
