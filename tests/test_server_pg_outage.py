"""PostgreSQL failing under the server: stopped (fast and immediate) while booths push, restarted between two pushes,
a connection killed in the middle of a group commit, the database made read-only. The readiness check says not
ready while it cannot serve, every request is answered at once (503 with Retry-After, never a 500, never a wait
past a booth's timeout), the pool recovers by itself, and after the booths retry each record is stored exactly
once (counted in the database).

PostgreSQL only (nothing to stop on SQLite), on a cluster of this module's own: the run's shared cluster serves
the other tests meanwhile."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter

import psycopg
import pytest
import requests
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from booth_common.records import sha256_hex
from city_helpers import EVENT as KIOSK_EVENT
from city_helpers import Kiosk
from loopback import LiveServer
from pg_cluster import Cluster
from sync.server.accounts import create_booth, enroll
from sync.server.storage import Storage

EVENT = "ev-1"
CLIENT_TIMEOUT_S = 10.0     # each booth's read timeout here; a booth's own default is 30 s


@pytest.fixture(scope="module")
def own_cluster():
    # Durable (fsync, synchronous_commit on, as production runs): the run's shared cluster commits without waiting
    # for its WAL, and an immediate stop lost records already answered "accepted" there (75 of 1,200).
    cluster = Cluster(durable=True).start()
    try:
        cluster.make_template()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def city(tmp_path, own_cluster, backend):
    assert backend == "postgresql"
    server = LiveServer(tmp_path / "city", database=own_cluster.new_database()).start()
    yield server
    server.stop()


class Booth:
    """One booth pushing its records in batches, as the sync engine does: a 503 or a cut connection means retry
    the same batch after a moment; every answer is kept (status, seconds) to be looked at."""

    def __init__(self, city: LiveServer, n: int, *, records: int, batch: int = 25):
        self.city, self.device = city, f"d-{n}"
        code = create_booth(city.storage, booth_id=f"b-{n}", event_id=EVENT, name=f"b-{n}")
        self.token = enroll(city.storage, code=code, device_id=self.device)[1]
        self.records = [_record(self.device, f"b-{n}", seq) for seq in range(1, records + 1)]
        self.batch, self.answers, self.errors = batch, [], []

    def push(self, records: list[dict]) -> requests.Response:
        return requests.post(self.city.url + "/v1/records", timeout=CLIENT_TIMEOUT_S,
                             json={"protocol": 1, "device_id": self.device, "records": records},
                             headers={"Authorization": f"Bearer {self.token}"})

    def push_all(self, *, deadline: float) -> None:
        for start in range(0, len(self.records), self.batch):
            while time.monotonic() < deadline:
                began = time.monotonic()
                try:
                    answer = self.push(self.records[start:start + self.batch])
                except requests.ConnectionError as exc:    # the server's own socket is fine: should not happen
                    self.errors.append(repr(exc))
                    time.sleep(0.1)
                    continue
                self.answers.append((answer.status_code, time.monotonic() - began))
                if answer.status_code == 200:
                    break
                assert answer.status_code == 503 and answer.headers["Retry-After"] == "5", answer.text
                time.sleep(0.1)     # a booth waits Retry-After (its back-off is capped in the tests)


def _record(device: str, booth: str, seq: int) -> dict:
    body = {"id": f"{device}-r{seq}", "seq": seq, "kind": "service_use", "subject": "tcm", "event_id": EVENT,
            "booth_id": booth, "device_id": device, "captured_at": "2026-11-25T04:00:00.000Z", "refers_to": None,
            "data": {"service": "tcm"}}
    payload = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return {"id": body["id"], "device_id": device, "seq": seq, "payload": payload,
            "payload_sha256": sha256_hex(payload), "sealed": None}


def assert_each_record_once(city: LiveServer, booths: list[Booth], *, besides: int = 0) -> None:
    """Counted in the database on a connection of the test's own: every record once, as sent (``besides`` rows of
    other devices aside), and the city's counters agree with the rows."""
    devices = [booth.device for booth in booths]
    with psycopg.connect(city.settings.database) as conn:
        rows = conn.execute("SELECT id, payload_sha256 FROM records WHERE device_id = ANY(%s)", [devices]).fetchall()
        total = conn.execute("SELECT count(*) FROM records").fetchone()[0]
        counted = conn.execute("SELECT coalesce(sum(records), 0) FROM city_booths").fetchone()[0]
    sent = {r["id"]: r["payload_sha256"] for booth in booths for r in booth.records}
    assert len(rows) == len(sent) and dict(rows) == sent
    assert total == counted == len(sent) + besides


def _ready(city: LiveServer) -> requests.Response:
    return requests.get(city.url + "/v1/ready", timeout=CLIENT_TIMEOUT_S)


def _kiosk_syncs(city: LiveServer, folder, found: dict, *, paused: threading.Event, deadline: float) -> None:
    """A real kiosk (its ledger, its sync engine, client and back-off; built in this thread, which its SQLite
    connection belongs to) syncing its day from the moment the database is stopped until nothing is pending."""
    kiosk = Kiosk(folder, city, booth_id="cy-wangjing")
    try:
        kiosk.busy_day(seed=5, members=10, services=40, quiz=5, handouts=10)
        kiosk.engine.batch_size = 10      # many pushes
        found["ready"] = True
        paused.wait(60)
        found["reports"] = reports = []
        while time.monotonic() < deadline:
            report = kiosk.engine.sync_once(attempts=1, event_id=KIOSK_EVENT)
            reports.append(report)
            if report.error is None and report.pending == 0:
                break
            time.sleep(0.05)
        found["device"] = kiosk.core.ledger.device_id
        found["ledger"] = {r.id: r.payload_sha256 for r in kiosk.core.ledger.records()}
        found["status"] = kiosk.core.ledger.status()
    finally:
        kiosk.close()


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_postgresql_stopped_while_booths_push_then_back_every_record_once(city, own_cluster, mode, tmp_path):
    """Six booths pushing by hand (every answer looked at) and one real kiosk syncing its ledger."""
    booths = [Booth(city, n, records=200) for n in range(6)]
    deadline, paused, kiosk = time.monotonic() + 120, threading.Event(), {}
    threads = [threading.Thread(target=_kiosk_syncs, args=(city, tmp_path / "kiosk", kiosk),
                                kwargs={"paused": paused, "deadline": deadline})]
    threads[0].start()
    while "ready" not in kiosk:                         # the kiosk's day made, waiting for its sync
        time.sleep(0.01)
    threads += [threading.Thread(target=booth.push_all, kwargs={"deadline": deadline}) for booth in booths]
    for thread in threads[1:]:
        thread.start()
    while city.storage.count_records() < 300:          # well under way, every booth pushing
        time.sleep(0.01)
    own_cluster.pause(mode)
    paused.set()
    try:
        down = _ready(city)
        assert down.status_code == 503 and down.json()["status"] == "unavailable", down.text
        time.sleep(1.5)                                 # booths keep pushing into the outage
        assert requests.get(city.url + "/v1/health", timeout=CLIENT_TIMEOUT_S).status_code == 200
        page = requests.get(city.url + f"/join/{EVENT}/b-0?t=x", timeout=CLIENT_TIMEOUT_S)   # a phone: a page
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
        assert "请稍后再试" in page.text and page.headers["Retry-After"] == "5"
    finally:
        own_cluster.resume()
    for thread in threads:
        thread.join(timeout=120)
    assert _ready(city).status_code == 200
    statuses = Counter(status for booth in booths for status, _ in booth.answers)
    assert set(statuses) == {200, 503} and statuses[503] >= 6, statuses      # refused while down, never a 500
    slowest = max(seconds for booth in booths for _, seconds in booth.answers)
    # Answered, not left hanging: 0.04-0.07 s here on a quiet machine; the bound leaves room for a loaded CI.
    assert slowest < CLIENT_TIMEOUT_S * 0.8, slowest
    assert not [e for booth in booths for e in booth.errors]
    reports = kiosk["reports"]       # the kiosk met the outage (busy: 503), then synced all
    assert reports[0].error is not None and "503" in str(reports[0].error), reports[0]
    assert reports[-1].error is None and kiosk["status"].pending == kiosk["status"].needs_attention == 0
    held = {r["id"]: r["payload_sha256"] for r in city.storage.record_rows(device_id=kiosk["device"])}
    assert held == kiosk["ledger"] and len(held) > 60
    assert_each_record_once(city, booths, besides=len(held))


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_database_restarted_between_two_pushes_costs_no_failed_request(city, own_cluster):
    """Every pooled connection died with the restart: the next push takes fresh ones and is answered 200."""
    booth = Booth(city, 1, records=100, batch=50)
    assert booth.push(booth.records[:50]).status_code == 200
    own_cluster.pause("fast")
    own_cluster.resume()
    began = time.monotonic()
    answer = booth.push(booth.records[50:])
    assert answer.status_code == 200 and time.monotonic() - began < 5
    assert [r["status"] for r in answer.json()["results"]] == ["accepted"] * 50
    assert _ready(city).status_code == 200
    assert_each_record_once(city, [booth])


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_connection_killed_in_the_middle_of_a_group_commit_is_a_503_then_stored_once(city):
    """The writer's connection is in its group commit's transaction, waiting for the write lock another
    connection holds, when pg_terminate_backend kills it: that push is answered 503, nothing of it is stored,
    and its retry stores each record once."""
    booth = Booth(city, 1, records=40)
    assert booth.push(booth.records[:20]).status_code == 200
    holder = Storage(city.settings.database)
    answers = []
    try:
        with holder._write() as held:
            holder_pid = held.execute("SELECT pg_backend_pid()").fetchone()[0]
            pushing = threading.Thread(target=lambda: answers.append(booth.push(booth.records[20:])))
            pushing.start()
            name = conninfo_to_dict(city.settings.database)["dbname"]
            with psycopg.connect(make_conninfo(city.settings.database, dbname="postgres"), autocommit=True) as admin:
                waiting = []
                while not waiting:        # the writer's backend, in its transaction, waiting for the lock
                    waiting = admin.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
                        "AND pid <> %s", [name, holder_pid]).fetchall()
                    time.sleep(0.01)
                assert admin.execute("SELECT pg_terminate_backend(%s)", waiting[0]).fetchone()[0]
            pushing.join(timeout=CLIENT_TIMEOUT_S)
    finally:
        holder.close()
    assert answers[0].status_code == 503 and answers[0].headers["Retry-After"] == "5", answers[0].text
    assert city.storage.count_records() == 20
    retry = booth.push(booth.records[20:])
    assert retry.status_code == 200 and [r["status"] for r in retry.json()["results"]] == ["accepted"] * 20
    assert_each_record_once(city, [booth])


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_read_only_database_is_not_ready_and_pushes_are_503_until_it_writes_again(city):
    """default_transaction_read_only (as a standby after a failover, or an operator's brake): reads answer,
    readiness says not ready, pushes are 503 and nothing is half stored; writable again, the retry is stored."""
    booth = Booth(city, 1, records=20)
    name = conninfo_to_dict(city.settings.database)["dbname"]
    admin_url = make_conninfo(city.settings.database, dbname="postgres")

    def set_read_only(on: bool) -> None:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = {"on" if on else "off"}')
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])

    assert booth.push(booth.records[:10]).status_code == 200    # its token's first use noted (a write)
    set_read_only(True)
    try:
        ready = _ready(city)
        assert ready.status_code == 503 and "read-only" in ready.json()["detail"]
        answer = booth.push(booth.records)
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "5", answer.text
        assert requests.get(city.url + "/v1/devices/me/held", timeout=CLIENT_TIMEOUT_S,
                            headers={"Authorization": f"Bearer {booth.token}"}).status_code == 200
    finally:
        set_read_only(False)
    assert _ready(city).status_code == 200
    metrics = requests.get(city.url + "/metrics", timeout=CLIENT_TIMEOUT_S).text
    assert "kiosk_server_database_unavailable_total 1.0" in metrics.splitlines()     # the push's 503, counted
    assert [r["status"] for r in booth.push(booth.records).json()["results"]] == ["duplicate"] * 10 + ["accepted"] * 10
    assert_each_record_once(city, [booth])


def test_a_write_lock_held_too_long_elsewhere_is_a_503_not_a_hang(tmp_path, new_database, monkeypatch):
    """Another process (another machine) holds the write lock and does not let go (a paused VM, a cut network):
    a push waits the lock's time (25 s; 1.5 s here), then is answered 503 (PostgreSQL's lock_timeout, SQLite's
    busy timeout), not after the booth gave up; nothing of it is stored, and its retry is stored once."""
    from sync.server.storage import postgres, sqlite

    monkeypatch.setattr(postgres, "WRITE_LOCK_WAIT_S", 1.5)
    monkeypatch.setattr(sqlite, "BUSY_TIMEOUT_S", 1.5)
    server = LiveServer(tmp_path / "city", database=new_database(tmp_path / "city")).start()
    holder = None
    try:
        booth = Booth(server, 1, records=10)
        assert booth.push(booth.records[:5]).status_code == 200
        holder = Storage(server.settings.database)
        with holder._write():
            began = time.monotonic()
            answer = booth.push(booth.records[5:])
            waited = time.monotonic() - began
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "5", answer.text
        assert 1.4 < waited < 5, waited
        assert server.storage.count_records() == 5
        assert booth.push(booth.records[5:]).status_code == 200
        assert [r["id"] for r in server.storage.record_rows()] == [r["id"] for r in booth.records]
    finally:
        if holder is not None:
            holder.close()
        server.stop()


def test_a_first_use_whose_note_failed_is_noted_again(tmp_path, new_database, monkeypatch):
    """A new token's first use is written down (after it only the token re-enrols the device, not its code). When
    that note failed with its push (here: the write lock held elsewhere past its wait), the process still took
    it as written: the database kept the token unused for the process's life, and the enrolment code enrolled
    the device id again, for whoever had read the code."""
    from sync.server.storage import postgres, sqlite

    monkeypatch.setattr(postgres, "WRITE_LOCK_WAIT_S", 1.0)
    monkeypatch.setattr(sqlite, "BUSY_TIMEOUT_S", 1.0)
    server = LiveServer(tmp_path / "city", database=new_database(tmp_path / "city")).start()
    holder = Storage(server.settings.database)
    try:
        code = create_booth(server.storage, booth_id="b-1", event_id=EVENT, name="b-1")
        token = requests.post(server.url + "/v1/enroll", json={"protocol": 1, "code": code, "device_id": "d-1"},
                              timeout=CLIENT_TIMEOUT_S).json()["device_token"]

        def push(seq: int) -> requests.Response:
            return requests.post(server.url + "/v1/records", headers={"Authorization": f"Bearer {token}"},
                                 json={"protocol": 1, "device_id": "d-1", "records": [_record("d-1", "b-1", seq)]},
                                 timeout=CLIENT_TIMEOUT_S)

        with holder._write():
            assert push(1).status_code == 503
        assert push(1).status_code == 200 and push(2).status_code == 200
        used = server.storage._one("SELECT first_used_at FROM devices WHERE device_id = 'd-1'")[0]
        again = requests.post(server.url + "/v1/enroll", json={"protocol": 1, "code": code, "device_id": "d-1"},
                              timeout=CLIENT_TIMEOUT_S)
        assert used is not None
        assert again.status_code == 409 and "already enrolled" in again.json()["detail"], again.text
    finally:
        holder.close()
        server.stop()


def test_which_postgresql_errors_are_an_unavailable_database():
    """503 (retry) for what the database cannot do now, whoever asks; a 500 stays a 500 for what is wrong with a
    statement or its data (an index row too large was the hostile records' failure: refused at push instead)."""
    from psycopg import errors
    from psycopg_pool import PoolTimeout

    from sync.server.storage.pg_outage import is_unavailability

    unavailable = [errors.DiskFull, errors.OutOfMemory, errors.TooManyConnections, errors.AdminShutdown,
                   errors.CrashShutdown, errors.CannotConnectNow, errors.QueryCanceled, errors.SerializationFailure,
                   errors.DeadlockDetected, errors.ReadOnlySqlTransaction, errors.LockNotAvailable]
    wrong = [errors.ProgramLimitExceeded, errors.UniqueViolation, errors.UndefinedTable, errors.SyntaxError,
             errors.InvalidTextRepresentation, errors.CharacterNotInRepertoire]
    assert [cls.__name__ for cls in unavailable if not is_unavailability(cls("x"))] == []
    assert [cls.__name__ for cls in wrong if is_unavailability(cls("x"))] == []
    assert is_unavailability(psycopg.OperationalError("server closed the connection unexpectedly"))
    assert is_unavailability(PoolTimeout("couldn't get a connection after 10.00 sec"))


@pytest.mark.parametrize("backend", ["postgresql"])
def test_two_server_processes_ride_out_a_stop_of_their_database(tmp_path, own_cluster, backend):
    """Two `kiosk-server serve` processes (two machines behind one load balancer) on one database, a booth
    pushing to each in turn: while the database is stopped both answer 503 at once and are not ready, their
    health stays 200; back, both answer, and each record is stored once."""
    from server_process import ServerProcess

    database = own_cluster.new_database()
    storage = Storage(database)
    code = create_booth(storage, booth_id="b-1", event_id=EVENT, name="b-1", devices=2)
    storage.close()
    servers = [ServerProcess(tmp_path / f"m{n}", database=database) for n in (1, 2)]
    for n, server in enumerate(servers, 1):
        server.folder.mkdir()
        if n == 2:     # the same city key on both machines (the database pins the first)
            (server.folder / "city.key").write_bytes((servers[0].folder / "city.key").read_bytes())
            (server.folder / "city.key").chmod(0o600)
        server.start()
    try:
        token = requests.post(servers[0].url + "/v1/enroll", json={"protocol": 1, "code": code, "device_id": "d-1"},
                              timeout=CLIENT_TIMEOUT_S).json()["device_token"]
        records = [_record("d-1", "b-1", seq) for seq in range(1, 61)]

        def push(server, batch):
            began = time.monotonic()
            answer = requests.post(server.url + "/v1/records", headers={"Authorization": f"Bearer {token}"},
                                   json={"protocol": 1, "device_id": "d-1", "records": batch},
                                   timeout=CLIENT_TIMEOUT_S)
            return answer.status_code, time.monotonic() - began

        assert [push(servers[n % 2], records[n * 10:n * 10 + 10])[0] for n in range(2)] == [200, 200]
        own_cluster.pause("fast")
        try:
            down = [push(servers[n % 2], records[n * 10:n * 10 + 10]) for n in range(2, 6)]
            assert [status for status, _ in down] == [503] * 4 and max(s for _, s in down) < 5, down
            assert [requests.get(s.url + "/v1/ready", timeout=CLIENT_TIMEOUT_S).status_code for s in servers] == [503] * 2
            assert [requests.get(s.url + "/v1/health", timeout=CLIENT_TIMEOUT_S).status_code for s in servers] == [200] * 2
        finally:
            own_cluster.resume()
        deadline = time.monotonic() + 30
        while [requests.get(s.url + "/v1/ready", timeout=CLIENT_TIMEOUT_S).status_code for s in servers] != [200] * 2:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert [push(servers[n % 2], records[n * 10:n * 10 + 10])[0] for n in range(2, 6)] == [200] * 4
        assert push(servers[1], records)[0] == 200           # all of it again, to the other machine: duplicates
    finally:
        for server in servers:
            server.stop()
    with psycopg.connect(database) as conn:
        rows = dict(conn.execute("SELECT id, payload_sha256 FROM records").fetchall())
    assert rows == {r["id"]: r["payload_sha256"] for r in records}
