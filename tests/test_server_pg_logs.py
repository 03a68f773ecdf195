"""The city server's logs as operators run it (`kiosk-server serve`, a process of its own), on both databases: the
access log and the audit log are JSON lines, one per request or admin call, and neither they nor anything the
process prints holds a person's name, phone or ID number, even when a hostile booth puts them in every field of
records the server refuses, and while the database refuses connections."""

from __future__ import annotations

import json
import time

import requests

from booth_common.records import sha256_hex
from booth_common.sealing import Sealer
from loopback import LiveServer  # noqa: F401 (the fixtures' module)
from registration_driver import valid_id
from server_process import ServerProcess
from sync.server.accounts import create_booth
from sync.server.citykey import load_or_create_city_key
from sync.server.storage import Storage, is_postgresql_url

ADMIN = "city-admin-" + "z" * 24
EVENT = "ev-1"
NAME, PHONE, ID_NUMBER = "欧阳娜娜", "13912345678", valid_id(birth="19880412", serial="357")
PERSONAL = (NAME, PHONE, ID_NUMBER, json.dumps(NAME)[1:-1])     # the name also as JSON escapes it
ACCESS_KEYS = {"at", "client", "method", "path", "status", "bytes", "ms"}


def _hostile_records(device: str, sealer: Sealer) -> list[dict]:
    """A booth putting the person in every text field: refused ones (another booth, another event, U+0000 beside
    them, a bad ID number sealed) and stored ones (the kind, the subject, the capture time, the data)."""
    fields = [{"booth_id": NAME}, {"event_id": PHONE}, {"kind": f"{NAME}\x00"}, {"subject": ID_NUMBER + "\x00"},
              {"captured_at": [PHONE]}, {"refers_to": f"{NAME}-{ID_NUMBER}", "kind": "void"},
              {"kind": NAME}, {"subject": PHONE}, {"captured_at": ID_NUMBER},
              {"data": {"name": NAME, "phone": PHONE, "id_number": ID_NUMBER}}]
    records = []
    for seq, change in enumerate(fields, 1):
        body = {"id": f"{device}-r{seq}", "seq": seq, "kind": "service_use", "subject": "tcm", "event_id": EVENT,
                "booth_id": "b-1", "device_id": device, "captured_at": "2026-11-25T04:00:00.000Z",
                "refers_to": None, "data": {}, **change}
        payload = json.dumps(body, ensure_ascii=False)
        records.append({"id": body["id"], "device_id": device, "seq": seq, "payload": payload,
                        "payload_sha256": sha256_hex(payload), "sealed": None})
    seq = len(records) + 1   # a registration whose sealed ID number fails the kiosk's rules (its check digit)
    wrong = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    body = {"id": f"{device}-r{seq}", "seq": seq, "kind": "registration", "subject": "worker", "event_id": EVENT,
            "booth_id": "b-1", "device_id": device, "captured_at": "2026-11-25T04:00:00.000Z", "refers_to": None,
            "data": {"masked_name": "欧**"}}
    payload = json.dumps(body, ensure_ascii=False)
    sealed = sealer.seal({"name": NAME, "phone": PHONE, "id_number": wrong}, record_id=body["id"])
    return records + [{"id": body["id"], "device_id": device, "seq": seq, "payload": payload,
                       "payload_sha256": sha256_hex(payload), "sealed": sealed}]


def test_logs_are_json_lines_without_a_personal_field_even_for_refused_records(tmp_path, new_database):
    database = str(new_database(tmp_path / "db"))
    folder = tmp_path / "server"
    folder.mkdir()
    access, audit_log = folder / "access.jsonl", folder / "audit.jsonl"
    server = ServerProcess(folder, database=database, options=("--access-log", str(access), "--audit-log",
                                                               str(audit_log), "--admin-token", ADMIN))
    with server:
        storage = Storage(database)
        code = create_booth(storage, booth_id="b-1", event_id=EVENT, name="b-1")
        storage.close()
        sent: list[tuple[str, str]] = []

        def call(method: str, path: str, **kwargs) -> requests.Response:
            sent.append((method, path.split("?")[0]))
            return requests.request(method, server.url + path, timeout=30, **kwargs)

        enrolled = call("POST", "/v1/enroll", json={"protocol": 1, "code": code, "device_id": "d-1"}).json()
        device = {"Authorization": f"Bearer {enrolled['device_token']}"}
        sealer = Sealer(load_or_create_city_key(folder / "city.key").public_key())
        pushed = call("POST", "/v1/records", headers=device,
                      json={"protocol": 1, "device_id": "d-1", "records": _hostile_records("d-1", sealer)})
        verdicts = [r["status"] for r in pushed.json()["results"]]
        assert verdicts == ["rejected"] * 6 + ["accepted"] * 4 + ["rejected"], pushed.text
        assert ID_NUMBER[:-1] not in json.dumps(pushed.json()["results"][-1])       # the reason names the rule only
        call("POST", "/v1/enroll", json={"protocol": 1, "code": NAME + PHONE, "device_id": PHONE})   # 403
        call("POST", "/v1/enroll", json={"protocol": 1, "code": "abcd", "device_id": NAME})           # 422
        call("POST", f"/join/{EVENT}/b-1?t={PHONE}", data={"name": NAME, "phone": PHONE, "id_number": ID_NUMBER})
        call("GET", f"/join/{EVENT}/b-1?name={NAME}&phone={PHONE}")   # the query is never logged
        admin = {"Authorization": f"Bearer {ADMIN}"}
        call("GET", f"/v1/admin/events/{EVENT}/members.csv", headers=admin)
        call("GET", f"/v1/admin/events/{EVENT}/member-problems", headers=admin)
        call("GET", f"/v1/admin/events/{EVENT}/members.csv", headers={"Authorization": f"Bearer {NAME}".encode()})
        call("POST", "/v1/admin/bundles", headers=admin, data=f"{NAME},{PHONE},{ID_NUMBER}".encode())
        if is_postgresql_url(database):      # the database refusing connections: 503s and the pool's warnings
            with _refusing_connections(database):
                answer = call("POST", "/v1/records", headers=device,
                              json={"protocol": 1, "device_id": "d-1", "records": _hostile_records("d-1", sealer)})
                assert answer.status_code == 503, answer.text
                assert call("GET", "/v1/ready").status_code == 503
            time.sleep(1.1)                  # the breaker's next try
            assert call("GET", "/v1/ready").status_code == 200
    lines = [json.loads(line) for line in access.read_text(encoding="utf-8").splitlines()]
    assert all(set(line) == ACCESS_KEYS for line in lines)
    assert [(line["method"], line["path"]) for line in lines] == [("GET", "/v1/health")] + sent   # the start's wait
    assert 500 not in {line["status"] for line in lines}
    audit = [json.loads(line) for line in audit_log.read_text(encoding="utf-8").splitlines()]
    calls = [(entry["what"].split(" ", 1)[1], entry["status"]) for entry in audit if entry["what"].startswith(("GET", "POST"))]
    assert calls == [(f"/v1/admin/events/{EVENT}/members.csv", 200), (f"/v1/admin/events/{EVENT}/member-problems", 200),
                     (f"/v1/admin/events/{EVENT}/members.csv", 403), ("/v1/admin/bundles", 422)]
    printed = (folder / f"server-{server.port}.log").read_text(encoding="utf-8", errors="replace")
    for name, text in (("access log", access.read_text(encoding="utf-8")),
                       ("audit log", audit_log.read_text(encoding="utf-8")),
                       ("output", printed)):
        assert not [value for value in PERSONAL if value in text], name
    assert ADMIN not in printed + access.read_text(encoding="utf-8")


class _refusing_connections:
    """The PostgreSQL database refusing new connections, the server's own cut (as a failover would)."""

    def __init__(self, url: str):
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        self.name, self.admin = conninfo_to_dict(url)["dbname"], make_conninfo(url, dbname="postgres")

    def _run(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement, [self.name] if "%s" in statement else None)

    def __enter__(self) -> None:
        self._run(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false',
                  "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s")

    def __exit__(self, *exc: object) -> None:
        self._run(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')
