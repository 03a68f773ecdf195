"""What the city IT team watches, on the real server on loopback: /metrics after real pushes, readiness, access log."""

from __future__ import annotations

import json

import pytest
import requests

from city_helpers import EVENT, Kiosk, hand_record
from loopback import LiveServer


@pytest.fixture
def city(tmp_path):
    server = LiveServer(tmp_path / "city", access_log=str(tmp_path / "access.jsonl")).start()
    yield server
    server.stop()


def metrics(city: LiveServer) -> dict[str, float]:
    """The server's metrics as Prometheus reads them: name{labels} -> value."""
    answer = requests.get(city.url + "/metrics", timeout=10)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    values = {}
    for line in answer.text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def moved(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: after[name] - before.get(name, 0.0) for name in after
            if after[name] != before.get(name, 0.0) and not name.split("{")[0].endswith("_created")}


def access_lines(tmp_path) -> list[dict]:
    return [json.loads(line) for line in (tmp_path / "access.jsonl").read_text(encoding="utf-8").splitlines()]


def test_metrics_count_each_pushed_record_by_its_answer_and_each_push_and_enrolment(city, tmp_path):
    start = metrics(city)
    assert start['kiosk_server_records_total{status="accepted"}'] == 0
    kiosk = Kiosk(tmp_path / "booth", city, booth_id="b-1")
    try:
        kiosk.busy_day(seed=7)
        kiosk.sync()
        synced = kiosk.core.ledger.status().synced
        device, token = kiosk.core.ledger.device_id, kiosk.enrollment.device_token
        after_sync = metrics(city)
        pushes = sum(1 for line in access_lines(tmp_path) if line["method"] == "POST" and line["path"] == "/v1/records")
        assert synced > 20 and pushes >= 1
        assert moved(start, after_sync) == {
            'kiosk_server_records_total{status="accepted"}': synced,
            'kiosk_server_enrolments_total{result="enrolled"}': 1,
            "kiosk_server_push_batch_seconds_count": pushes,
            "kiosk_server_push_batch_seconds_sum": pytest.approx(moved(start, after_sync)[
                "kiosk_server_push_batch_seconds_sum"]),
            **{k: v for k, v in moved(start, after_sync).items() if k.startswith("kiosk_server_push_batch_seconds_bucket")},
        }
        assert after_sync['kiosk_server_push_batch_seconds_bucket{le="+Inf"}'] == pushes
        assert after_sync["kiosk_server_ingest_queue_records"] == 0      # nothing left waiting after the answers

        # one push answered every way: a new record, the same again, another under the same id, another booth's
        seq = synced + 1
        fresh = hand_record(device, seq, kind="service_use", subject="tcm", booth_id="b-1")
        clash = hand_record(device, seq + 1, kind="service_use", subject="law", booth_id="b-1",
                            record_id=fresh["id"])
        foreign = hand_record(device, seq + 2, kind="service_use", subject="tcm", booth_id="b-other")
        statuses = []
        for batch in ([fresh], [fresh, foreign], [clash]):     # one id twice in one push is refused whole (422)
            answer = requests.post(city.url + "/v1/records", timeout=10, json={"protocol": 1, "device_id": device,
                                   "records": batch}, headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200
            statuses += [r["status"] for r in answer.json()["results"]]
        assert statuses == ["accepted", "duplicate", "rejected", "conflict"]
        end = metrics(city)
        assert {k: v for k, v in moved(after_sync, end).items() if k.startswith("kiosk_server_records")} == {
            'kiosk_server_records_total{status="accepted"}': 1, 'kiosk_server_records_total{status="duplicate"}': 1,
            'kiosk_server_records_total{status="conflict"}': 1, 'kiosk_server_records_total{status="rejected"}': 1}
        assert end["kiosk_server_push_batch_seconds_count"] - after_sync["kiosk_server_push_batch_seconds_count"] == 3
    finally:
        kiosk.close()


def test_a_refused_enrolment_is_counted_by_its_reason(city):
    before = metrics(city)
    answer = requests.post(city.url + "/v1/enroll", timeout=10,
                           json={"protocol": 1, "code": "AAAA-BBBB-CCCC-DDDD", "device_id": "dev-x"})
    assert answer.status_code == 403
    assert moved(before, metrics(city)) == {'kiosk_server_enrolments_total{result="no_code"}': 1}


def test_readiness_touches_the_database_and_health_only_says_alive(city):
    assert requests.get(city.url + "/v1/ready", timeout=10).json()["status"] == "ready"
    with city.database_unavailable() as reason:     # the volume is gone; the database refuses new connections
        gone = requests.get(city.url + "/v1/ready", timeout=10)
        assert gone.status_code == 503
        assert gone.json()["status"] == "unavailable" and reason in gone.json()["detail"]
        assert requests.get(city.url + "/v1/health", timeout=10).status_code == 200     # alive all the same
    back = requests.get(city.url + "/v1/ready", timeout=10)
    assert back.status_code == 200 and back.json()["database"].startswith(("SQLite 3.", "PostgreSQL 1"))
    assert back.json()["database"].split()[0].lower() == city.storage.backend.kind


def test_the_access_log_has_one_json_line_per_request_without_the_query(city, tmp_path):
    requests.get(city.url + "/v1/health?t=secret-join-token", timeout=10)
    requests.post(city.url + "/v1/records", timeout=10, json={})     # refused: no token
    lines = access_lines(tmp_path)
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/v1/health", 200), ("POST", "/v1/records", 401)]
    assert "secret-join-token" not in (tmp_path / "access.jsonl").read_text(encoding="utf-8")
    assert all(line["client"] == "127.0.0.1" and line["ms"] >= 0 and line["bytes"] > 0 and line["at"].endswith("Z")
               for line in lines)
