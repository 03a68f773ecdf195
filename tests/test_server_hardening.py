"""The city server under hostile input and hostile clients, on real sockets: every body error a 4xx, the
member export safe for Excel and robust to odd records, authentication before the body, slow or huge
requests cut off, forwarded addresses trusted only from named proxies, every admin call audited, pages
with a content security policy."""

import csv
import dataclasses
import io
import json
import random
import socket
import sqlite3
import time

import pytest
import requests

from city_helpers import ADMIN_TOKEN, EVENT, Kiosk, hand_record
from kiosk.simulate import fake_registration
from loopback import LiveServer
from sync.server.accounts import create_booth
from sync.server.cli import main as server_main

MEMBERS = f"/v1/admin/events/{EVENT}/members.csv"


@pytest.fixture
def city(tmp_path):
    server = LiveServer(tmp_path / "city", admin_token=ADMIN_TOKEN, header_timeout_s=0.5, body_timeout_s=0.5).start()
    yield server
    server.stop()


@pytest.fixture
def kiosk(tmp_path, city):
    made = Kiosk(tmp_path / "kiosk", city, booth_id="cy-wangjing")
    yield made
    made.close()


def push(city, kiosk, records):
    device = kiosk.core.ledger.device_id
    return requests.post(city.url + "/v1/records", json={"protocol": 1, "device_id": device, "records": records},
                         headers={"Authorization": f"Bearer {kiosk.enrollment.device_token}"}, timeout=10)


def next_seq(kiosk):
    status = kiosk.core.ledger.status()
    return status.synced + status.pending + status.needs_attention + 1


def member_export(city):
    answer = requests.get(city.url + MEMBERS, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer, list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))


def raw_exchange(city, data: bytes, *, wait: float = 5.0) -> bytes:
    """Send bytes on a fresh connection; what the server answers before it closes (or ``wait`` passes)."""
    with socket.create_connection(("127.0.0.1", city.port), timeout=wait) as conn:
        conn.sendall(data)
        answer = b""
        try:
            while chunk := conn.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and not data.startswith(b"GET"):
                    break
        except (socket.timeout, ConnectionResetError):
            pass
    return answer


# -- bodies -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/v1/records", "/v1/enroll"])
def test_deeply_nested_json_is_a_4xx_not_a_crash(city, kiosk, path):
    nested = b"[" * 100_000 + b"]" * 100_000
    body = b'{"protocol": 1, "device_id": "x", "records": ' + nested + b"}"
    answer = requests.post(city.url + path, data=body, timeout=30, headers={
        "Authorization": f"Bearer {kiosk.enrollment.device_token}", "Content-Type": "application/json"})
    assert 400 <= answer.status_code < 500, answer.text[:300]
    assert requests.get(city.url + "/v1/health", timeout=5).status_code == 200


def test_a_correction_whose_changes_is_a_list_is_rejected_at_push(city, kiosk):
    member = kiosk.register(random.Random(1))
    kiosk.sync()
    device, seq = kiosk.core.ledger.device_id, next_seq(kiosk)
    bad = hand_record(device, seq, kind="correction", booth_id="cy-wangjing", refers_to=member.record_id,
                      data={"changes": ["employer", "=1+1"], "reason": "x"})
    answer = push(city, kiosk, [bad])
    assert answer.status_code == 200
    assert answer.json()["results"][0] == {"id": bad["id"], "status": "rejected",
                                           "reason": "a correction's 'changes' must be a JSON object"}
    assert member_export(city)[1][0]["record_id"] == member.record_id


def test_a_stored_correction_of_the_wrong_shape_leaves_one_member_out_not_the_export(city, kiosk):
    """As if stored by a server before ingest checked the shape: the export reports it and goes on."""
    rng = random.Random(2)
    first, second = kiosk.register(rng), kiosk.register(rng)
    kiosk.sync()
    row = hand_record(kiosk.core.ledger.device_id, next_seq(kiosk), kind="correction", booth_id="cy-wangjing",
                      refers_to=first.record_id, data={"changes": ["employer"], "reason": "x"})
    with sqlite3.connect(city.settings.database) as db:
        db.execute("""INSERT INTO records (id, device_id, seq, kind, subject, event_id, booth_id, captured_at,
                      refers_to, payload, payload_sha256, sealed, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                   [row["id"], row["device_id"], row["seq"], "correction", None, EVENT, "cy-wangjing",
                    "2026-11-25T05:00:00.000Z", first.record_id, row["payload"], row["payload_sha256"], None,
                    "2026-11-25T05:00:00.000Z"])
    answer, rows = member_export(city)
    assert [r["record_id"] for r in rows] == [second.record_id] and answer.headers["X-Member-Problems"] == "1"
    problems = requests.get(city.url + f"/v1/admin/events/{EVENT}/member-problems", timeout=10,
                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()["problems"]
    assert problems == [{"record_id": first.record_id, "booth_id": "cy-wangjing",
                         "reason": f"correction {row['id']}: 'changes' is not an object"}]


@pytest.mark.parametrize("employer", ["=HYPERLINK(\"http://evil.example\",\"点击\")", "+1+cmd|' /C calc'!A0",
                                      "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"])
def test_formula_leading_cells_reach_excel_as_text(city, kiosk, employer):
    form = dataclasses.replace(fake_registration(random.Random(3), kiosk.booth), employer=employer)
    member = kiosk.booth.members.register(form)
    kiosk.sync()
    _, rows = member_export(city)
    [row] = [r for r in rows if r["record_id"] == member.record_id]
    assert row["employer"] == "'" + employer.strip()
    assert not any(str(v).startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values())


# -- authentication before the body, and the body's limits ---------------------------------------------

@pytest.mark.parametrize("path, token", [("/v1/records", None), ("/v1/records", "kdt1_forged"),
                                         ("/v1/admin/bundles", "not-the-admin-token-" + "x" * 10)])
def test_a_request_without_a_valid_token_is_refused_before_its_body_is_sent(city, path, token):
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{auth}"
            f"Content-Length: 30000000\r\n\r\n").encode()
    started = time.monotonic()
    answer = raw_exchange(city, head)          # not one byte of the 30 MB follows
    assert answer.split(b" ", 2)[1] in (b"401", b"403"), answer[:200]
    assert time.monotonic() - started < 0.5 + 0.4   # answered at once, not after the body timeout


def test_a_declared_body_over_the_limit_is_413_at_once(city, kiosk):
    head = (f"POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {kiosk.enrollment.device_token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {city.settings.max_body_bytes + 1}\r\n\r\n").encode()
    assert raw_exchange(city, head).startswith(b"HTTP/1.1 413")


def test_a_stalled_body_is_408(city, kiosk):
    head = (f"POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {kiosk.enrollment.device_token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n").encode()
    answer = raw_exchange(city, head + b'{"protocol": 1,')
    assert answer.startswith(b"HTTP/1.1 408") and b"stalled" in answer


def test_slow_headers_are_cut_off_with_408(city):
    started = time.monotonic()
    answer = raw_exchange(city, b"POST /v1/records HTTP/1.1\r\nHost: x\r\n")     # and the rest never comes
    assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 3


def test_a_huge_request_head_is_431(city):
    answer = raw_exchange(city, b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Junk: " + b"a" * 100_000)
    assert answer.startswith(b"HTTP/1.1 431")


def test_beyond_the_concurrency_limit_requests_are_503(tmp_path):
    server = LiveServer(tmp_path / "c", limit_concurrency=4).start()   # counts the asking connection too
    idle = []
    try:
        for _ in range(3):       # kept-alive connections, each after one request
            conn = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            conn.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert conn.recv(65536).startswith(b"HTTP/1.1 200")
            idle.append(conn)
        assert requests.get(server.url + "/v1/health", timeout=5).status_code == 503
        for conn in idle:
            conn.close()
        time.sleep(0.2)
        assert requests.get(server.url + "/v1/health", timeout=5).status_code == 200
    finally:
        server.stop()


# -- client addresses ---------------------------------------------------------------------------------

@pytest.mark.parametrize("trusted, limited", [("", True), ("127.0.0.1", False)])
def test_x_forwarded_for_counts_only_from_a_trusted_proxy(tmp_path, trusted, limited):
    server = LiveServer(tmp_path / "c", enroll_per_minute=2, forwarded_allow_ips=trusted).start()
    try:
        statuses = [requests.post(server.url + "/v1/enroll", json={"protocol": 1, "code": "AAAA-BBBB", "device_id": "d"},
                                  headers={"X-Forwarded-For": f"10.9.0.{n}"}, timeout=5).status_code
                    for n in range(4)]
        assert statuses == ([403, 403, 429, 429] if limited else [403] * 4)
    finally:
        server.stop()


# -- the admin audit log ------------------------------------------------------------------------------

def test_every_admin_call_is_audited_without_a_personal_field(city, kiosk, tmp_path):
    rng = random.Random(4)
    forms = [fake_registration(rng, kiosk.booth) for _ in range(3)]
    for form in forms:
        kiosk.booth.members.register(form)
    kiosk.sync()
    member_export(city)
    requests.get(city.url + MEMBERS, headers={"Authorization": "Bearer someone-else-" + "y" * 20}, timeout=10)
    requests.get(city.url + MEMBERS, timeout=10)
    out = tmp_path / "members.csv"
    assert server_main(["--database", str(city.settings.database), "--city-key", str(city.settings.city_key),
                        "--audit-log", str(city.settings.audit_log), "export-members", "--event", EVENT,
                        "--out", str(out)]) == 0

    log = city.settings.audit_log
    assert log.stat().st_mode & 0o777 == 0o600
    text = log.read_text(encoding="utf-8")
    entries = [json.loads(line) for line in text.splitlines()]
    calls = [e for e in entries if e["what"].startswith("GET /v1/admin/")]
    assert [(e["status"], e.get("members")) for e in calls] == [(200, 3), (403, None), (401, None)]
    assert calls[0]["who"].startswith("admin:") and ADMIN_TOKEN not in text and calls[2]["who"] == "none"
    assert calls[0]["what"] == f"GET {MEMBERS}" and calls[0]["client"] == "127.0.0.1" and calls[0]["at"]
    [command] = [e for e in entries if e["what"].startswith("kiosk-server export-members")]
    assert command["members"] == 3 and command["exit"] == 0 and command["who"].startswith("cli:")
    for form in forms:
        assert form.name not in text and form.phone not in text and form.id_number not in text


# -- pages --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/city", f"/city/{EVENT}", "/city/no-such-event"])
def test_every_html_page_has_a_content_security_policy_and_no_framing(city, path):
    create_booth(city.storage, booth_id="b-1", event_id=EVENT, name="x")
    answer = requests.get(city.url + path, timeout=10)
    assert answer.headers["content-type"].startswith("text/html")
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "script-src 'sha256-" in policy
    assert answer.headers["X-Frame-Options"] == "DENY" and answer.headers["Referrer-Policy"] == "no-referrer"
    assert "https://" not in answer.text and "http://" not in answer.text


def test_json_answers_do_not_carry_page_headers(city):
    answer = requests.get(city.url + "/v1/health", timeout=5)
    assert "Content-Security-Policy" not in answer.headers
