"""City-wide numbers on the real server: each booth's figures equal its own day report, roll-ups add up,
voids are taken out whatever the order of arrival, and a big day is counted once, then only what is new
(how fast: tests/benchmarks/bench_numbers.py)."""

import random
import re
from collections import Counter

import pytest
import requests

from city_helpers import EVENT, Kiosk, hand_record, publish_demo_config
from kiosk.report import day_figures
from loopback import LiveServer, city  # noqa: F401
from sync.server.accounts import create_booth, enroll
from sync.server.cli import main as server_main
from sync.server.numbers import CityTally, event_numbers
from sync.server.storage import Storage


@pytest.fixture
def kiosks(tmp_path, city):
    made = []

    def make(booth_id, **kwargs):
        made.append(Kiosk(tmp_path / booth_id, city, booth_id=booth_id, **kwargs))
        return made[-1]

    yield make
    for kiosk in made:
        kiosk.close()


def numbers(city):
    answer = requests.get(f"{city.url}/v1/numbers/{EVENT}", timeout=10)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    return answer.json()


def test_each_booths_city_figures_equal_its_own_day_report(city, kiosks, tmp_path):
    publish_demo_config(city)
    wangjing, jiuxianqiao, gucheng = kiosks("cy-wangjing"), kiosks("cy-jiuxianqiao"), kiosks("sjs-gucheng")
    # Wangjing's volunteers set the booth up on the console; the other two were placed by the city union.
    wangjing.booth.profile.set_up({"district": "朝阳区", "street": "望京街道", "organisation": "望京街道总工会",
                                 "venue_type": "main", "name": "望京SOHO主会场"}, device_name="平板1")
    base = ["--database", str(city.settings.database), "--city-key", str(city.settings.city_key)]
    for booth, district, street, venue in (("cy-jiuxianqiao", "朝阳区", "酒仙桥街道", "sub"),
                                           ("sjs-gucheng", "石景山区", "古城街道", "sub")):
        assert server_main([*base, "new-booth", "--booth", booth, "--event", EVENT, "--district", district,
                            "--street", street, "--organisation", f"{street}总工会", "--venue-type", venue]) == 0
    for seed, kiosk in enumerate((wangjing, jiuxianqiao, gucheng)):
        kiosk.busy_day(seed)
    # Take some records back: a registration, a service use and a handout.
    for kiosk, kind in ((wangjing, "registration"), (jiuxianqiao, "service_use"), (gucheng, "handout")):
        target = next(kiosk.core.ledger.records(kind=kind))
        kiosk.booth.corrections.void(target.id, "登记有误")
    for kiosk in (wangjing, jiuxianqiao, gucheng):
        kiosk.sync()

    got = numbers(city)
    booths = {b["booth_id"]: b for b in got["by_booth"]}
    for kiosk, booth_id in ((wangjing, "cy-wangjing"), (jiuxianqiao, "cy-jiuxianqiao"), (gucheng, "sjs-gucheng")):
        own, row = day_figures(kiosk.booth.report), booths[booth_id]
        assert (row["new_members"], row["consultations"], row["handouts"], row["quiz_attempts"], row["quiz_passed"]) \
            == (own.new_members, own.consultations, own.handouts_total, own.quiz_attempts, own.quiz_passed)
        assert row["service_items"] == sum(1 for n in own.service_uses.values() if n)
    assert (booths["cy-wangjing"]["district"], booths["cy-wangjing"]["venue_type"]) == ("朝阳区", "main")
    assert (booths["sjs-gucheng"]["street"], booths["sjs-gucheng"]["venue_type"]) == ("古城街道", "sub")

    districts = {d["district"]: d for d in got["by_district"]}
    assert set(districts) == {"朝阳区", "石景山区"}
    assert districts["朝阳区"]["new_members"] == booths["cy-wangjing"]["new_members"] + booths["cy-jiuxianqiao"]["new_members"]
    assert (districts["朝阳区"]["main_venues"], districts["朝阳区"]["sub_venues"]) == (1, 1)
    assert [s["street"] for s in got["by_street"] if s["district"] == "朝阳区"] != []
    totals = got["totals"]
    assert (totals["venues"], totals["main_venues"], totals["sub_venues"]) == (3, 1, 2)
    for name in ("new_members", "consultations", "handouts", "quiz_attempts"):
        assert totals[name] == sum(b[name] for b in booths.values()) == sum(d[name] for d in districts.values())
        assert totals[name] == sum(h[name] for h in got["by_hour"])
    # Per service and per item, named from the published configuration.
    uses = Counter()
    for kiosk in (wangjing, jiuxianqiao, gucheng):
        uses.update(day_figures(kiosk.booth.report).service_uses)
    assert {s["id"]: s["count"] for s in got["service_uses"]} == {k: n for k, n in uses.items() if n}
    assert {s["id"]: s["name"] for s in got["service_uses"]}.get("tcm", "中医义诊") == "中医义诊"
    assert got["event_name"] == "北京市职工沟通会（演示）"


def test_hours_are_beijing_hours_of_capture(city):
    token = _device(city, "d-1", "b-1")
    push(city, token, [hand_record("d-1", 1, kind="registration", subject="courier", captured_at="2026-11-25T03:59:59.000Z"),
                       hand_record("d-1", 2, kind="service_use", subject="tcm", captured_at="2026-11-25T04:00:00.000Z"),
                       hand_record("d-1", 3, kind="service_use", subject="tcm", captured_at="2026-11-25T04:30:00.000Z")])
    hours = {h["hour"]: h for h in numbers(city)["by_hour"]}
    assert hours["2026-11-25T11"]["new_members"] == 1 and hours["2026-11-25T12"]["consultations"] == 2


def test_a_void_takes_its_record_out_whichever_arrives_first(city):
    token = _device(city, "d-1", "b-1")
    void = hand_record("d-1", 1, kind="void", subject="registration", refers_to="d-1-r2")
    push(city, token, [void])
    assert numbers(city)["totals"]["new_members"] == 0
    push(city, token, [hand_record("d-1", 2, kind="registration", subject="courier"),
                       hand_record("d-1", 3, kind="registration", subject="courier")])
    assert numbers(city)["totals"]["new_members"] == 1
    push(city, token, [hand_record("d-1", 4, kind="void", subject="registration", refers_to="d-1-r3")])
    assert numbers(city)["totals"]["new_members"] == 0


def test_a_device_cannot_void_another_booths_records(city):
    honest, other = _device(city, "d-1", "b-1"), _device(city, "d-2", "b-2")
    push(city, honest, [hand_record("d-1", 1, kind="registration", subject="courier")])
    push(city, other, [hand_record("d-2", 1, kind="void", booth_id="b-2", refers_to="d-1-r1")], device_id="d-2")
    got = numbers(city)
    assert got["totals"]["new_members"] == 1 and got["totals"]["records"] == 2


def test_registered_booths_without_records_are_listed_but_not_counted_as_venues(city):
    create_booth(city.storage, booth_id="b-quiet", event_id=EVENT, name="尚未开展")
    got = numbers(city)
    assert [b["booth_id"] for b in got["by_booth"]] == ["b-quiet"] and got["by_booth"][0]["last_received_at"] is None
    assert got["totals"]["venues"] == 0 and got["by_district"][0]["district"] == "未登记"


@pytest.mark.parametrize("path, status", [("/v1/numbers/no-such-event", 404), ("/v1/numbers/%20bad%20id", 422),
                                          ("/v1/numbers/" + "x" * 80, 422)])
def test_unknown_or_malformed_events_are_4xx(city, path, status):
    answer = requests.get(city.url + path, timeout=10)
    assert answer.status_code == status and answer.json()["detail"]


def test_event_list_names_every_event(city):
    _device(city, "d-1", "b-1")
    create_booth(city.storage, booth_id="b-9", event_id="bj-2027-spring", name="x")
    events = requests.get(city.url + "/v1/numbers", timeout=10).json()["events"]
    assert [e["event_id"] for e in events] == [EVENT, "bj-2027-spring"]


def test_a_big_day_is_read_from_the_counters_not_the_records(city):
    """350 booths x 300 records stored; a server process starting on the file reads the database's counters
    (a few thousand rows), not the records, and sees a new push at once (how fast: bench_numbers.py, 1.05 M)."""
    rows, rng = [], random.Random(7)
    kinds = ["registration"] * 3 + ["service_use"] * 4 + ["consultation", "handout", "handout", "quiz_attempt"]
    for booth in range(350):
        for seq in range(1, 301):
            kind = rng.choice(kinds)
            captured_at = f"2026-11-25T0{3 + seq % 4}:{seq % 60:02d}:00.000Z"
            record = hand_record(f"dev-{booth}", seq, kind=kind, booth_id=f"b-{booth}", subject="tcm",
                                 captured_at=captured_at)
            rows.append({**record, "kind": kind, "subject": "tcm", "event_id": EVENT, "booth_id": f"b-{booth}",
                         "captured_at": captured_at, "refers_to": None, "received_at": "2026-11-25T04:00:01.000Z"})
    city.storage.insert_records(rows)
    fresh = Storage(city.settings.database)   # as another process starting on the same database
    statements = []
    if fresh.backend.kind == "sqlite":   # which statements it runs: SQLite's trace (PostgreSQL: the figures only)
        with fresh.reading() as conn:
            conn.set_trace_callback(statements.append)
    try:
        tally = CityTally(fresh)
        first = event_numbers(tally, fresh, EVENT)
        token = _device(city, "d-new", "b-new")
        push(city, token, [hand_record("d-new", 1, kind="registration", booth_id="b-new", subject="courier")])
        second = event_numbers(tally, fresh, EVENT)
    finally:
        fresh.close()
    assert first["totals"]["records"] == 105_000 and second["totals"]["records"] == 105_001
    assert first["totals"]["new_members"] == Counter(r["kind"] for r in rows)["registration"]
    assert second["totals"]["new_members"] == first["totals"]["new_members"] + 1
    assert fresh.backend.kind != "sqlite" or [s for s in statements if "FROM city_rollups" in s and "FROM city_booths" in s]
    reading_records = [s for s in statements if re.search(r"\bFROM records\b", s)]
    assert all("'employer_meeting'" in s for s in reading_records)   # the employer meetings' own query only


# -- helpers ----------------------------------------------------------------------------------------

def _device(server, device_id, booth_id):
    code = create_booth(server.storage, booth_id=booth_id, event_id=EVENT, name=booth_id)
    return enroll(server.storage, code=code, device_id=device_id)[1]


def push(server, token, records, *, device_id=None):
    device_id = device_id or records[0]["device_id"]
    answer = requests.post(server.url + "/v1/records", json={"protocol": 1, "device_id": device_id, "records": records},
                           headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200 and all(r["status"] == "accepted" for r in answer.json()["results"]), answer.text
    return answer
