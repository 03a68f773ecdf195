"""The city server's API on loopback: auth, enrolment, refusals with reasons, distribution, OpenAPI."""

import gzip
import json

import pytest
import requests
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booth_common.records import sha256_hex
from loopback import LiveServer, city  # noqa: F401
from sync.server.accounts import create_booth, enroll, hash_secret
from sync.server.app import publish_distribution
from sync.server.cli import main as server_main

DEVICE_A, DEVICE_B = "dev-a", "dev-b"


def enrolled(server, device_id=DEVICE_A, *, booth="b-1", event="ev-1"):
    code = create_booth(server.storage, booth_id=booth, event_id=event, name="Booth")
    return enroll(server.storage, code=code, device_id=device_id)[1]


def record(device_id, seq, *, kind="service_use", record_id=None, data=None):
    record_id = record_id or f"{device_id}-r{seq}"
    body = {"id": record_id, "seq": seq, "kind": kind, "subject": "tcm", "event_id": "ev-1", "booth_id": "b-1",
            "device_id": device_id, "captured_at": "2026-11-25T04:00:00.000Z", "refers_to": None,
            "data": data or {"service": "tcm"}}
    payload = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {"id": record_id, "device_id": device_id, "seq": seq, "payload": payload,
            "payload_sha256": sha256_hex(payload), "sealed": None}


def push(server, token, records, *, device_id=DEVICE_A, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"protocol": 1, "device_id": device_id, "records": records}
    return requests.post(server.url + "/v1/records", json=body, headers=headers, timeout=10, **kwargs)


# -- auth -------------------------------------------------------------------------------------

@pytest.mark.parametrize("token", [None, "kdt1_wrong", "not even a token"])
def test_push_without_a_valid_token_is_401_and_stores_nothing(city, token):
    enrolled(city)
    answer = push(city, token, [record(DEVICE_A, 1)])
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == "Bearer"
    assert "token" in answer.json()["detail"]
    assert city.storage.count_records() == 0


def test_revoked_token_is_refused(city):
    token = enrolled(city)
    assert push(city, token, [record(DEVICE_A, 1)]).status_code == 200
    assert city.storage.revoke(booth_id="b-1", at="2026-11-25T00:00:00.000Z") == 1
    answer = push(city, token, [record(DEVICE_A, 2)])
    assert answer.status_code == 401 and "revoked" in answer.json()["detail"]
    assert city.storage.count_records() == 1


def test_a_device_cannot_write_another_devices_records(city):
    token_a = enrolled(city, DEVICE_A)
    enrolled(city, DEVICE_B, booth="b-2")
    for body_device, records in ((DEVICE_B, [record(DEVICE_B, 1)]),
                                 (DEVICE_A, [record(DEVICE_A, 1), record(DEVICE_B, 1)])):
        answer = push(city, token_a, records, device_id=body_device)
        assert answer.status_code == 403 and "own device id" in answer.json()["detail"]
    assert city.storage.count_records() == 0


def test_payload_claiming_another_device_inside_is_rejected(city):
    token = enrolled(city)
    forged = record(DEVICE_B, 1)
    forged["device_id"] = DEVICE_A   # envelope says A, frozen payload says B
    [result] = push(city, token, [forged]).json()["results"]
    assert result["status"] == "rejected" and "device_id" in result["reason"]


# -- enrolment ----------------------------------------------------------------------------------

def test_enrolment_gives_a_token_stored_only_hashed_and_the_city_key(city):
    code = create_booth(city.storage, booth_id="b-1", event_id="ev-1", name="Booth", devices=1)
    answer = requests.post(city.url + "/v1/enroll", json={"protocol": 1, "code": code.lower(), "device_id": "d1"},
                           timeout=10)
    assert answer.status_code == 200
    body = answer.json()
    assert body["booth_id"] == "b-1" and body["event_id"] == "ev-1" and len(body["city_public_key"]) == 44
    raw = city.stored_bytes()
    assert hash_secret(body["device_token"]).encode() in raw          # the check can see what is stored
    assert body["device_token"].encode() not in raw and code.encode() not in raw
    again = requests.post(city.url + "/v1/enroll", json={"protocol": 1, "code": code, "device_id": "d2"}, timeout=10)
    assert again.status_code == 403 and "used up" in again.json()["detail"]


def test_enrolment_attempts_are_rate_limited(tmp_path, new_database):
    server = LiveServer(tmp_path / "c", database=new_database(tmp_path / "c"), enroll_per_minute=3).start()
    try:
        answers = [requests.post(server.url + "/v1/enroll", json={"protocol": 1, "code": f"WRONG-{i:04d}",
                                                                  "device_id": "d"}, timeout=10) for i in range(5)]
    finally:
        server.stop()
    assert [a.status_code for a in answers] == [403, 403, 403, 429, 429]
    assert int(answers[3].headers["Retry-After"]) >= 1


# -- malformed requests: precise 4xx, nothing partial ---------------------------------------------

@pytest.mark.parametrize("mutate, status, words", [
    (lambda rs: rs.__setitem__(1, {**rs[1], "payload_sha256": "XYZ"}), 422, "payload_sha256"),
    (lambda rs: rs.__setitem__(1, {**rs[1], "seq": 0}), 422, "seq"),
    (lambda rs: rs.__setitem__(1, {**rs[1], "extra": 1}), 422, "extra"),
    (lambda rs: rs.__setitem__(1, {**rs[1], "id": rs[0]["id"]}), 422, "twice"),
    (lambda rs: rs.__setitem__(1, {**rs[1], "payload": "\ud800x"}), 422, "payload"),
])
def test_a_malformed_batch_is_refused_whole_with_the_reason(city, mutate, status, words):
    token = enrolled(city)
    records = [record(DEVICE_A, 1), record(DEVICE_A, 2), record(DEVICE_A, 3)]
    mutate(records)
    answer = push(city, token, records)
    assert answer.status_code == status and words in json.dumps(answer.json())
    assert city.storage.count_records() == 0


def test_a_nul_character_is_refused_for_its_record_and_the_rest_of_the_batch_is_stored(city):
    """U+0000 fits an SQLite text but no PostgreSQL text: refused with its reason on both databases, before it
    could fail the group commit (and with it other booths' records) on PostgreSQL."""
    token = enrolled(city)
    nul_subject = record(DEVICE_A, 2)
    nul_subject["payload"] = nul_subject["payload"].replace('"subject":"tcm"', '"subject":"t\\u0000cm"')
    nul_subject["payload_sha256"] = sha256_hex(nul_subject["payload"])
    answer = push(city, token, [record(DEVICE_A, 1), nul_subject, record(DEVICE_A, 3)])
    assert answer.status_code == 200, answer.text
    assert [(r["status"], r["reason"]) for r in answer.json()["results"]] == [
        ("accepted", None), ("rejected", "payload holds the character U+0000, which no stored text may hold"),
        ("accepted", None)]
    assert [r["seq"] for r in city.storage.record_rows(device_id=DEVICE_A)] == [1, 3]


@pytest.mark.parametrize("method, path", [("get", "/join/ev-1/b%00x"), ("post", "/join/ev-1/b%00x"),
                                          ("get", "/join/ev%00/b-1?t=x"), ("get", "/v1/numbers/ev%00x")])
def test_a_path_holding_a_nul_character_is_404(city, method, path):
    """A booth or event id holding U+0000 names nothing; on PostgreSQL even looking it up failed (500)."""
    answer = getattr(requests, method)(city.url + path, data={"t": "x", "name": "王"}, timeout=10)
    assert answer.status_code == 404 and "U+0000" in answer.json()["detail"]


@pytest.mark.parametrize("body, headers, status", [
    (b"{not json", {"Content-Type": "application/json"}, 422),
    (b"not gzip at all", {"Content-Type": "application/json", "Content-Encoding": "gzip"}, 400),
    (gzip.compress(b"{}")[:-6], {"Content-Type": "application/json", "Content-Encoding": "gzip"}, 400),
    (b"{}", {"Content-Type": "application/json", "Content-Encoding": "br"}, 415),
    (gzip.compress(b" " * 3_000_000), {"Content-Type": "application/json", "Content-Encoding": "gzip"}, 413),
])
def test_broken_bodies_are_4xx(tmp_path, body, headers, status):
    server = LiveServer(tmp_path / "c", max_body_bytes=1_000_000).start()   # HTTP only: SQLite is enough
    try:
        token = enrolled(server)
        answer = requests.post(server.url + "/v1/records", data=body,
                               headers={**headers, "Authorization": f"Bearer {token}"}, timeout=10)
    finally:
        server.stop()
    assert answer.status_code == status and answer.json()["detail"]


def test_too_many_records_in_one_push_is_413(tmp_path):
    server = LiveServer(tmp_path / "c", max_batch=2).start()   # refused before storage: SQLite is enough
    try:
        answer = push(server, enrolled(server), [record(DEVICE_A, n) for n in (1, 2, 3)])
    finally:
        server.stop()
    assert answer.status_code == 413 and "at most 2" in answer.json()["detail"]


def test_gzip_push_and_per_record_answers(city):
    token = enrolled(city)
    first = push(city, token, [record(DEVICE_A, 1)]).json()["results"]
    body = {"protocol": 1, "device_id": DEVICE_A,
            "records": [record(DEVICE_A, 1), record(DEVICE_A, 2), record(DEVICE_A, 3, data={"x": 1}),
                        {**record(DEVICE_A, 4), "payload_sha256": "0" * 64},
                        record(DEVICE_A, 1, record_id="another-id-same-seq")]}
    answer = requests.post(city.url + "/v1/records", data=gzip.compress(json.dumps(body).encode()), timeout=10,
                           headers={"Authorization": f"Bearer {token}", "Content-Encoding": "gzip",
                                    "Content-Type": "application/json"})
    statuses = [(r["status"], r["reason"]) for r in answer.json()["results"]]
    assert first[0]["status"] == "accepted"
    assert [s for s, _ in statuses] == ["duplicate", "accepted", "accepted", "rejected", "rejected"]
    assert "payload_sha256" in statuses[3][1] and "sequence number 1" in statuses[4][1]
    rows = {r["id"]: r for r in city.storage.record_rows()}
    assert set(rows) == {f"{DEVICE_A}-r1", f"{DEVICE_A}-r2", f"{DEVICE_A}-r3"}
    assert rows[f"{DEVICE_A}-r2"]["received_at"] > "2026"


def test_held_answers_the_devices_sequence_numbers_as_ranges(city):
    token = enrolled(city)
    push(city, token, [record(DEVICE_A, n) for n in (1, 2, 3, 5, 6, 9)])
    answer = requests.get(city.url + "/v1/devices/me/held", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.json()["ranges"] == [[1, 3], [5, 6], [9, 9]]


# -- distribution ----------------------------------------------------------------------------------

def test_config_and_quiz_bank_are_distributed_per_event_with_versions_and_etags(city):
    token = enrolled(city)
    other = enrolled(city, DEVICE_B, booth="b-2", event="ev-2")
    auth = {"Authorization": f"Bearer {token}"}
    url = city.url + "/v1/events/ev-1/quiz-bank"
    assert requests.get(url, headers=auth, timeout=10).status_code == 404
    publish_distribution(city.storage, event_id="ev-1", name="quiz-bank", content={"questions": [1]})
    first = requests.get(url, headers=auth, timeout=10)
    assert first.json()["version"] == 1 and first.json()["content"] == {"questions": [1]}
    same = requests.get(url, headers={**auth, "If-None-Match": first.headers["ETag"]}, timeout=10)
    assert same.status_code == 304
    publish_distribution(city.storage, event_id="ev-1", name="quiz-bank", content={"questions": [1, 2]})
    newer = requests.get(url, headers={**auth, "If-None-Match": first.headers["ETag"]}, timeout=10)
    assert newer.json()["version"] == 2 and newer.headers["ETag"] != first.headers["ETag"]
    assert requests.get(url, headers={"Authorization": f"Bearer {other}"}, timeout=10).status_code == 403


def test_openapi_schema_and_docs_are_off_unless_turned_on(city, tmp_path):
    assert requests.get(city.url + "/openapi.json", timeout=10).status_code == 404
    assert requests.get(city.url + "/docs", timeout=10).status_code == 404
    documented = LiveServer(tmp_path / "d", database=city.settings.database, api_docs="on").start()
    try:
        schema = requests.get(documented.url + "/openapi.json", timeout=10).json()
        assert {"/v1/enroll", "/v1/records", "/v1/devices/me/held", "/v1/events/{event_id}/{name}",
                "/v1/health"} <= set(schema["paths"])
        page = requests.get(documented.url + "/docs", timeout=10)
        assert page.status_code == 200 and "/v1/records" in page.text
        assert "<script" not in page.text and "cdn" not in page.text.lower() and "http" not in page.text
        assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    finally:
        documented.stop()


def test_server_cli_registers_booths_revokes_and_publishes(tmp_path, capsys, new_database):
    database = new_database(tmp_path)
    base = ["--database", str(database), "--city-key", str(tmp_path / "k")]
    assert server_main([*base, "new-booth", "--booth", "b-9", "--event", "ev-1", "--devices", "2",
                        "--qr-png", str(tmp_path / "b-9.png")]) == 0
    code = capsys.readouterr().out.splitlines()[0].rsplit(" ", 1)[-1]
    from sync.server.storage import Storage
    storage = Storage(database)
    assert enroll(storage, code=code, device_id="d-9") is not None
    (tmp_path / "quiz.toml").write_text('title = "秋季"\n[[q]]\nid = 1\n', encoding="utf-8")
    assert server_main([*base, "publish", "--event", "ev-1", "--name", "quiz-bank",
                        "--file", str(tmp_path / "quiz.toml")]) == 0
    assert storage.latest_distribution("ev-1", "quiz-bank")[0] == 1
    assert server_main([*base, "revoke", "--device", "d-9"]) == 0
    assert server_main([*base, "revoke", "--device", "d-9"]) == 1      # nothing left to revoke
    assert "revoked 0" in capsys.readouterr().out
    storage.close()


# -- schemathesis: no input makes the server fail ---------------------------------------------------

ADMIN_TOKEN = "admin-" + "x" * 30


@pytest.mark.one_backend
@pytest.mark.both_backends   # ~15 s a database; PostgreSQL refuses text SQLite stores (U+0000, long index keys)
def test_no_generated_request_makes_the_server_fail(tmp_path, new_database):
    """Schemathesis cases for every operation, half of them with a valid token (the admin's on admin
    routes); never a 5xx, and what was stored reads back whole (every row's payload hashes to its
    payload_sha256)."""
    city = LiveServer(tmp_path / "c", database=new_database(tmp_path / "c"), admin_token=ADMIN_TOKEN,
                      api_docs="on").start()
    try:
        token = enrolled(city)
        publish_distribution(city.storage, event_id="ev-1", name="config", content={"v": 1})
        push(city, token, [record(DEVICE_A, n) for n in (1, 2, 3)])
        schema = schemathesis.openapi.from_url(city.url + "/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 18  # with the prize-claim check, the double-claim list (21), the phone join (15), employer meetings (19), readiness (17)
        for operation in operations:
            _fuzz(operation, city, ADMIN_TOKEN if operation.path.startswith("/v1/admin") else token)
        rows = city.storage.record_rows()
        assert len(rows) >= 3 and all(sha256_hex(row["payload"]) == row["payload_sha256"] for row in rows)
    finally:
        city.stop()


def _fuzz(operation, city, token):
    cases = st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                      operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

    @given(case=cases, authorised=st.booleans())
    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case, authorised):
        headers = {"Authorization": f"Bearer {token}"} if authorised else {}
        if authorised:
            _as_our_device(case)
        response = case.call(headers=headers, timeout=10)
        assert response.status_code < 500, (case.method, case.path, response.text[:300])

    check()


def _as_our_device(case):
    """Point generated pushes and pulls at the enrolled device, so they reach ingest, not only auth."""
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("records"), list):
        body["device_id"] = DEVICE_A
        for item in body["records"]:
            if isinstance(item, dict):
                item["device_id"] = DEVICE_A
    if case.path_parameters and "event_id" in case.path_parameters:
        case.path_parameters["event_id"] = "ev-1"


@pytest.mark.one_backend
def test_kiosk_server_serve_starts_with_two_workers(tmp_path, new_database):
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "sync.server", "--database", str(new_database(tmp_path)),
                             "--city-key", str(tmp_path / "k"), "--port", str(port), "--workers", "2", "serve"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()[-2000:]
                time.sleep(0.05)
        assert answer.json() == {"protocol": 1, "status": "ok"}
        assert (tmp_path / "k").stat().st_mode & 0o777 == 0o600
    finally:
        proc.terminate()
        proc.wait(timeout=30)
