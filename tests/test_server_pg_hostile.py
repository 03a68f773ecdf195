"""Hostile input on both databases: every refusal a precise 4xx (never a 500), one booth's hostile records never fail
another booth's records in the same group commit, and what is stored is exactly what was sent (read back from the
database, not from the answers)."""

from __future__ import annotations

import json
import threading
import time
import unicodedata

import pytest
import requests

from booth_common.join_token import join_token
from booth_common.records import sha256_hex
from city_helpers import ADMIN_TOKEN
from loopback import LiveServer
from registration_driver import valid_id
from sync.server.accounts import create_booth, enroll
from sync.server.app import publish_distribution
from sync.server.storage import Storage
from sync.server.storage.schema import RECORD_FIELDS

EVENT = "ev-1"


@pytest.fixture
def city(tmp_path, new_database):
    server = LiveServer(tmp_path / "city", database=new_database(tmp_path / "city"), admin_token=ADMIN_TOKEN).start()
    yield server
    server.stop()


def enrolled(city, booth: str, device: str) -> str:
    code = create_booth(city.storage, booth_id=booth, event_id=EVENT, name=booth)
    return enroll(city.storage, code=code, device_id=device)[1]


def record(device: str, seq: int, *, booth: str, record_id: str | None = None, payload: str | None = None,
           **fields) -> dict:
    """A pushed record; ``fields`` replace the payload's, ``payload`` replaces it whole (hash made to match)."""
    body = {"id": record_id or f"{device}-r{seq}", "seq": seq, "kind": "service_use", "subject": "tcm",
            "event_id": EVENT, "booth_id": booth, "device_id": device, "captured_at": "2026-11-25T04:00:00.000Z",
            "refers_to": None, "data": {"service": "tcm"}, **fields}
    if payload is None:
        raw_data = body.pop("raw_data", None)    # JSON text for "data" (nesting json.dumps cannot make)
        body["data"] = "RAW" if raw_data else body["data"]
        payload = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        payload = payload.replace('"data":"RAW"', f'"data":{raw_data}') if raw_data else payload
    return {"id": body["id"], "device_id": device, "seq": seq, "payload": payload,
            "payload_sha256": sha256_hex(payload.encode("utf-8", "surrogatepass").decode("utf-8", "replace")),
            "sealed": None}


def push(city, token: str, device: str, records: list[dict]) -> requests.Response:
    return requests.post(city.url + "/v1/records", json={"protocol": 1, "device_id": device, "records": records},
                         headers={"Authorization": f"Bearer {token}"}, timeout=60)


def stored(city) -> dict[str, dict]:
    return {row["id"]: row for row in city.storage.record_rows()}


# What a hostile booth may send that passes every check and reaches the database: each is stored as sent.
ODD_BUT_STORED = {
    "huge kind": {"kind": "k" * 100_000},
    "huge subject, 4-byte characters": {"kind": "handout", "subject": "😀" * 20_000},
    "subject of combining marks": {"kind": "registration", "subject": "e\u0301" * 3_000},
    "capture time past year 9999": {"captured_at": "9999-12-31T23:59:59.999Z"},
    "capture time before year 1": {"captured_at": "-4713-11-24T00:00:00.000Z"},
    "capture time not a time": {"captured_at": "yesterday, 'round noon"},
    "capture time of 100 kB": {"captured_at": "2" * 100_000},
    "integer beyond 64 bits": {"data": {"service": "tcm", "n": 2**70, "m": -(2**64) - 1}},
    "a booth setup of 600 kB": {"kind": "audit", "subject": "booth_setup",
                                "data": {"booth": {"id": "b-hostile", "district": "区" * 200_000}}},
    "quotes, backslashes, tabs": {"data": {"service": "tcm", "note": "\\ \" \t \r\n ' ; -- DROP TABLE records"}},
    "32 levels deep (the limit)": {"raw_data": '{"x":' + "[" * 30 + "]" * 30 + "}"},
}

# What must be refused record by record (the push itself is answered 200), with the words of the reason.
REFUSED = {
    "U+0000 in the kind": ({"kind": "service\x00use"}, "U+0000"),
    "U+0000 in the subject": ({"subject": "tcm\x00"}, "U+0000"),
    "U+0000 in the capture time": ({"captured_at": "2026-11-25T04\x00"}, "U+0000"),
    "U+0000 in the data": ({"data": {"service": "\x00"}}, "U+0000"),
    "33 levels deep": ({"raw_data": '{"x":' + "[" * 31 + "]" * 31 + "}"}, "deeper than 32"),
    "995 levels deep (the readers' json.loads fails)": ({"raw_data": "[" * 995 + "]" * 995}, "deeper than 32"),
    "another booth's id": ({"booth_id": "b-good"}, "not the booth this device is enrolled for"),
    "own booth id in capitals": ({"booth_id": "B-HOSTILE"}, "not the booth"),
    "own booth id, full-width": ({"booth_id": unicodedata.normalize("NFKC", "b-hostile").replace("b", "ｂ")},
                                 "not the booth"),
    "own booth id with a trailing space": ({"booth_id": "b-hostile "}, "not the booth"),
    "another event": ({"event_id": "ev-2"}, "not the event"),
    "a refers_to of 5,000 characters": ({"kind": "void", "refers_to": "x" * 5_000}, "not a record id"),
    "a refers_to with an accent": ({"kind": "void", "refers_to": "re\u0301cord"}, "not a record id"),
    "a kind that is a number": ({"kind": 7}, "'kind' is missing or not text"),
    "a capture time that is a list": ({"captured_at": ["2026"]}, "'captured_at' is missing or not text"),
    "data that is a list": ({"data": [1, 2]}, "'data' is not a JSON object"),
}


def test_hostile_records_never_fail_other_booths_records_in_the_same_group_commit(city):
    """The writer is held (another connection holds the write lock) while a hostile booth and a good one push,
    so every record below meets the database in one transaction. The good booth's records are all stored as
    sent, the hostile booth's odd-but-valid ones too, each refused one is answered with its reason, and the
    database holds nothing else."""
    hostile, good = enrolled(city, "b-hostile", "d-hostile"), enrolled(city, "b-good", "d-good")
    odd = [record("d-hostile", n, booth="b-hostile", **fields) for n, fields in enumerate(ODD_BUT_STORED.values(), 1)]
    odd += [record("d-hostile", 90, booth="b-hostile", record_id="Case-Only"),    # ids that differ by case only:
            record("d-hostile", 91, booth="b-hostile", record_id="case-only")]   # two records on both databases
    refused = [record("d-hostile", n, booth="b-hostile", **fields)
               for n, (fields, _) in enumerate(REFUSED.values(), 100)]
    refused.append(record("d-hostile", 200, booth="b-hostile",   # an escaped lone surrogate: not text at all
                          payload='{"id":"d-hostile-r200","seq":200,"kind":"x\\ud800","event_id":"ev-1"}'))
    goods = [record("d-good", n, booth="b-good") for n in range(1, 51)]
    for token in (hostile, good):      # each token's first use noted now, not as a job of the group below
        assert requests.get(city.url + "/v1/devices/me/held", headers={"Authorization": f"Bearer {token}"},
                            timeout=30).status_code == 200

    holder = Storage(city.settings.database)
    answers: dict[str, requests.Response] = {}
    try:
        with holder._write():                      # the one writer's turn, taken away from the server
            # A first job takes the writer, which then waits for the lock: what comes next queues behind it.
            blocker = city.storage.mark_token_used("no such token", at="2026-11-25T04:00:00.000Z")
            _wait(lambda: not city.storage._queue)
            threads = [threading.Thread(target=lambda: answers.setdefault("hostile", push(
                           city, hostile, "d-hostile", odd + refused))),
                       threading.Thread(target=lambda: answers.setdefault("good", push(city, good, "d-good", goods)))]
            for thread in threads:
                thread.start()
            _wait(lambda: city.storage.queued_records() >= len(odd) + len(goods))   # both in the next group
            assert not blocker.done()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        holder.close()

    assert answers["good"].status_code == answers["hostile"].status_code == 200
    assert [r["status"] for r in answers["good"].json()["results"]] == ["accepted"] * 50
    verdicts = answers["hostile"].json()["results"]
    assert [r["status"] for r in verdicts[:len(odd)]] == ["accepted"] * len(odd)
    for verdict, (name, (_, words)) in zip(verdicts[len(odd):], REFUSED.items()):
        assert verdict["status"] == "rejected" and words in verdict["reason"], (name, verdict)
    assert verdicts[-1]["status"] == "rejected" and verdicts[-1]["reason"] == "payload is not JSON"

    rows = stored(city)
    assert set(rows) == {r["id"] for r in [*goods, *odd]}                      # nothing refused, nothing lost
    for sent in [*goods, *odd]:                                          # byte for byte as sent
        row = rows[sent["id"]]
        assert (row["payload"], row["payload_sha256"], row["seq"]) == (sent["payload"], sent["payload_sha256"],
                                                                      sent["seq"])
        assert row["kind"] == json.loads(sent["payload"])["kind"]
    numbers = requests.get(city.url + f"/v1/numbers/{EVENT}", timeout=30)
    assert numbers.status_code == 200 and numbers.json()["totals"]["service_uses"] >= 50
    for path in ("/v1/numbers", "/city", f"/city/{EVENT}"):
        assert requests.get(city.url + path, timeout=30).status_code == 200, path


def _wait(condition, *, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.parametrize("captured_at", ["9999-12-31T23:59:59.999Z", "0001-01-01T00:00:00.000Z"])
def test_a_capture_time_at_the_end_of_the_calendar_leaves_the_numbers_answering(city, captured_at):
    """A device clock at year 9999 (or year 1): 8 hours later (or earlier) is no date Python holds; the record
    is counted in an 'unknown' hour and every numbers page still answers (they were 500 for everyone)."""
    token = enrolled(city, "b-1", "d-1")
    answer = push(city, token, "d-1", [record("d-1", 1, booth="b-1", captured_at=captured_at),
                                       record("d-1", 2, booth="b-1")])
    assert [r["status"] for r in answer.json()["results"]] == ["accepted", "accepted"]
    numbers = requests.get(city.url + f"/v1/numbers/{EVENT}", timeout=30)
    assert numbers.status_code == 200
    hours = {row["hour"]: row["service_uses"] for row in numbers.json()["by_hour"]}
    assert hours.get("unknown", 0) + hours.get("9999-12-31T23", 0) + hours.get("0001-01-01T08", 0) == 1
    assert hours["2026-11-25T12"] == 1 and numbers.json()["totals"]["service_uses"] == 2
    for path in ("/v1/numbers", "/city", f"/city/{EVENT}"):
        assert requests.get(city.url + path, timeout=30).status_code == 200, path


def test_a_phone_join_stores_no_district_the_form_did_not_offer(city):
    """The event lists no districts, so the form offers none and the booth's place says it; a district posted
    anyway (U+0000, a lone surrogate, 5,000 characters) was stored in the member's record as sent."""
    import tomllib

    from kiosk.settings import DEMO_CONFIG

    config = tomllib.loads(DEMO_CONFIG.read_text(encoding="utf-8"))
    config["registration"]["districts"] = []
    publish_distribution(city.storage, event_id=EVENT, name="config", content=config)
    code = create_booth(city.storage, booth_id="b-1", event_id=EVENT, name="b")
    city.storage.set_booth_place(booth_id="b-1", district="朝阳区", street="望京街道", organisation="望京街道总工会",
                                 venue_type="main", at="2026-11-25T01:00:00.000Z")
    secret = requests.post(city.url + "/v1/enroll", json={"protocol": 1, "code": code, "device_id": "d-1"},
                           timeout=30).json()["join_secret"]
    occupation = config["registration"]["occupations"][0]["id"]
    for n, district in enumerate(["a\x00b", "\ud800", "区" * 5_000], 1):
        form = {"t": join_token(secret, event_id=EVENT, booth_id="b-1"), "consent": config["registration"]["notice_version"],
                "name": "王小明", "phone": f"1380013800{n}", "id_number": valid_id(serial=f"10{n}"),
                "occupation": occupation, "employer": "公司", "district": district, "street": "", "oath": "1"}
        body = "&".join(f"{k}={requests.utils.quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in form.items())
        answer = requests.post(city.url + f"/join/{EVENT}/b-1", data=body, timeout=30,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert answer.status_code == 200 and "欢迎加入工会" in answer.text
    rows = city.storage.record_rows()
    assert [json.loads(r["payload"])["data"]["district"] for r in rows] == ["朝阳区"] * 3
    assert all("\\u0000" not in r["payload"] for r in rows)


NESTED = b'{"protocol": 1, "device_id": "d-1", "records": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
LONE = '{"protocol":1,"code":"\\ud800abcd","device_id":"d-9"}'


def _hostile_requests(token: str) -> list[tuple[str, str, dict, object, int, str]]:
    """(what, method and path, headers, body, status, words of the answer) of each hostile request."""
    device = {"Authorization": f"Bearer {token}"}
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    good = record("d-1", 1, booth="b-1")

    def batch(**change):
        return {"protocol": 1, "device_id": "d-1", "records": [{**good, **change}]}

    return [
        ("nested 100,000 deep", "POST /v1/records", device, NESTED, 422, "JSON nested too deeply"),
        ("a seq beyond 64 bits", "POST /v1/records", device, batch(seq=2**64 + 1), 422, "seq"),
        ("a seq that is text", "POST /v1/records", device, batch(seq="1"), 422, "seq"),
        ("a negative seq", "POST /v1/records", device, batch(seq=-1), 422, "seq"),
        ("a payload that is a number", "POST /v1/records", device, batch(payload=12345), 422, "payload"),
        ("a payload over 1 MB", "POST /v1/records", device, batch(payload="x" * 1_000_001), 422, "payload"),
        ("U+0000 in the record id", "POST /v1/records", device, batch(id="d-1\x00r1"), 422, "id"),
        ("U+0000 in the device id", "POST /v1/records", device, {**batch(), "device_id": "d\x001"}, 422, "device_id"),
        ("U+0000 in the hash", "POST /v1/records", device, batch(payload_sha256="\x00" * 64), 422, "payload_sha256"),
        ("U+0000 in the sealed fields", "POST /v1/records", device, batch(sealed="hpke2:\x00"), 422, "sealed"),
        ("a lone surrogate in the record id", "POST /v1/records", device,
         json.dumps(batch()).replace('"d-1-r1"', '"d-1-\\udc00"', 1).encode(), 422, "id"),
        ("another device's records", "POST /v1/records", device,
         {**batch(device_id="d-2"), "device_id": "d-1"}, 403, "own device id"),
        ("records that are an object", "POST /v1/records", device,
         {"protocol": 1, "device_id": "d-1", "records": {"0": good}}, 422, "records"),
        ("a protocol beyond 64 bits", "POST /v1/enroll", {}, {"protocol": 2**70, "code": "abcd", "device_id": "d-9"},
         422, "protocol"),
        ("U+0000 in the code", "POST /v1/enroll", {}, {"protocol": 1, "code": "ab\x00cd", "device_id": "d-9"},
         403, "enrolment code unknown"),
        ("a lone surrogate in the code", "POST /v1/enroll", {}, LONE.encode(), 422, "code"),
        ("U+0000 in the booth id", "POST /v1/enroll", {},
         {"protocol": 1, "code": "abcd", "device_id": "d-9", "booth_id": "b\x00-1"}, 403, "enrolment code unknown"),
        ("a code of 10,000 characters", "POST /v1/enroll", {},
         {"protocol": 1, "code": "a" * 10_000, "device_id": "d-9"}, 422, "code"),
        ("U+0000 in a prize claim's event", "POST /v1/prize-claims", device,
         {"protocol": 1, "event_id": "ev\x001", "voucher": "UV1-ABCDEFGHIJKLMNOP", "keys": ["a" * 64]}, 422, "event_id"),
        ("a prize claim key beyond 64 bits", "POST /v1/prize-claims", device,
         {"protocol": 1, "event_id": EVENT, "voucher": "UV1-ABCDEFGHIJKLMNOP", "keys": [2**70]}, 422, "keys"),
        ("U+0000 in an event's path", "GET /v1/events/ev%001/config", device, None, 404, "U+0000"),
        ("another event's config", "GET /v1/events/EV-1/config", device, None, 403, "another event"),
        ("U+0000 in a booth's join path", "GET /join/ev-1/b-1%00", {}, None, 404, "U+0000"),
        ("a booth's join path in capitals", "GET /join/ev-1/B-1?t=x", {}, None, 404, "没有这个展位"),
        ("a booth's join path, decomposed", "GET /join/ev-1/b%CC%81-1?t=x", {}, None, 404, "没有这个展位"),
        ("an invalid UTF-8 join path", "GET /join/ev-1/b%FF", {}, None, 404, "没有这个展位"),
        ("U+0000 in the numbers' event", "GET /v1/numbers/ev%001", {}, None, 404, "U+0000"),
        ("an event of 100 characters", "GET /v1/numbers/" + "e" * 100, {}, None, 422, "event_id"),
        ("a bundle of U+0000", "POST /v1/admin/bundles", admin, b"\x00" * 1000, 422, "not a booth bundle"),
        ("U+0000 in an export's event", "GET /v1/admin/events/ev%001/members.csv", admin, None, 404, "U+0000"),
    ]


def test_each_hostile_request_is_a_precise_4xx_and_stores_nothing(city):
    token = enrolled(city, "b-1", "d-1")
    enrolled(city, "b-2", "d-2")
    before = stored(city)
    for what, route, headers, body, status, words in _hostile_requests(token):
        method, path = route.split(" ")
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        answer = requests.request(method, city.url + path, data=data, timeout=60,
                                  headers={**headers, "Content-Type": "application/json"} if data else headers)
        assert answer.status_code == status and words in answer.text, (what, answer.status_code, answer.text[:300])
    assert stored(city) == before == {}
    assert [row[0] for row in city.storage._all("SELECT device_id FROM devices ORDER BY 1")] == ["d-1", "d-2"]


def test_a_long_forwarded_address_is_counted_not_a_500(tmp_path, new_database):
    """Behind a trusted proxy that passes on an X-Forwarded-For a client wrote, the client's "address" can be
    6,000 characters: PostgreSQL's index of the attempts refused it (enrolment and phone join answered 500 there).
    It is counted under a digest: its own allowance, no other's."""
    import random
    import string

    server = LiveServer(tmp_path / "c", database=new_database(tmp_path / "c"), forwarded_allow_ips="127.0.0.1",
                        enroll_per_minute=2).start()
    try:
        rng = random.Random(17)
        long_one, other = ("".join(rng.choice(string.ascii_letters) for _ in range(6_000)) for _ in range(2))

        def enrol(address: str) -> int:
            return requests.post(server.url + "/v1/enroll", headers={"X-Forwarded-For": address}, timeout=30,
                                 json={"protocol": 1, "code": "AAAA-BBBB-CCCC-DDDD", "device_id": "d-9"}).status_code

        assert [enrol(long_one), enrol(long_one), enrol(long_one), enrol(other)] == [403, 403, 429, 403]
        code = create_booth(server.storage, booth_id="b-1", event_id=EVENT, name="b")
        secret = requests.post(server.url + "/v1/enroll", json={"protocol": 1, "code": code, "device_id": "d-1"},
                               timeout=30).json()["join_secret"]
        publish_distribution(server.storage, event_id=EVENT, name="config", content={"registration": {}})
        form = {"t": join_token(secret, event_id=EVENT, booth_id="b-1"), "name": "x"}
        join = requests.post(server.url + f"/join/{EVENT}/b-1", data=form, headers={"X-Forwarded-For": long_one},
                             timeout=30)
        assert join.status_code == 422 and "text/html" in join.headers["content-type"]      # the form's errors
        keys = [row[0] for row in server.storage._all("SELECT address FROM enrollment_attempts")]
        keys += [row[0] for row in server.storage._all("SELECT scope FROM join_attempts")]
        assert len(keys) == 6 and max(map(len, keys)) <= 80 and long_one not in keys
    finally:
        server.stop()
