"""Several server processes on one database, as behind a load balancer: nothing kept in one process's memory
decides an answer. Real `kiosk-server serve` processes on loopback; the answers are checked in the database."""

from __future__ import annotations

import random
import threading
import tomllib
from pathlib import Path

import pytest
import requests

from booth_common.join_token import join_token, new_join_secret
from booth_common.records import utc_now_text
from booth_common.sealing import Opener
from kiosk.settings import DEMO_CONFIG
from kiosk.simulate import fake_id_number, fake_name, fake_phone
from server_process import ServerProcess
from sync.server.accounts import create_booth
from sync.server.app import publish_distribution
from sync.server.citykey import load_or_create_city_key
from sync.server.storage import JoinStorage, Storage

EVENT, BOOTH = "bj-2026-autumn-demo", "cy-wangjing"
RACERS = 8   # submissions of one person at the same instant, half to each server process


@pytest.fixture
def city(tmp_path, new_database):
    """A city database (SQLite or PostgreSQL) with one booth open for phone joins, its folder and its key."""
    folder = tmp_path / "city"
    folder.mkdir()
    key = load_or_create_city_key(folder / "city.key")
    database = str(new_database(folder))
    storage = Storage(database)
    create_booth(storage, booth_id=BOOTH, event_id=EVENT, name="望京")
    secret = JoinStorage(storage).join_secret(BOOTH, new_secret=new_join_secret(), at=utc_now_text())
    config = tomllib.loads(DEMO_CONFIG.read_text(encoding="utf-8"))
    publish_distribution(storage, event_id=EVENT, name="config", content=config)
    storage.close()
    return folder, database, key, secret, {"consent": config["registration"]["notice_version"], "oath": "1",
                                           "occupation": "courier", "district": config["registration"]["districts"][0]}


def phone_members(database: str, key) -> list[dict]:   # type: ignore[no-untyped-def]
    """The phone-join registrations as stored, personal fields opened."""
    storage = Storage(database)
    try:
        rows = [r for r in storage.record_rows() if r["device_id"] == f"phone:{BOOTH}"]
    finally:
        storage.close()
    return [Opener(key).open(r["sealed"], record_id=r["id"]) for r in rows]


def race(urls: list[str], forms: list[dict], *, person: int) -> list[str]:
    """Every form posted at the same instant, alternately to each server, each from its own client address."""
    start, answers = threading.Barrier(len(forms)), [""] * len(forms)

    def post(n: int) -> None:
        start.wait()
        answer = requests.post(f"{urls[n % len(urls)]}/join/{EVENT}/{BOOTH}", data=forms[n], timeout=60,
                               headers={"X-Forwarded-For": f"10.1.{person}.{n}"})
        answers[n] = answer.text if answer.status_code == 200 else f"status {answer.status_code}: {answer.text[-300:]}"

    threads = [threading.Thread(target=post, args=(n,)) for n in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_two_server_processes_admit_a_person_racing_on_both_once(city):
    """The same person submits the phone join eight times at once, half to each of two server processes (two
    machines behind one balancer): one member is stored, one answer is the pass, the seven others 您已登记 — also
    when half the racers give another phone with the same ID number."""
    folder, database, key, secret, form = city
    rng = random.Random(17)
    people = [(fake_name(rng), fake_id_number(rng), fake_phone(rng)) for _ in range(4)]
    servers = [ServerProcess(folder, database=database, options=("--forwarded-allow-ips", "127.0.0.1"))
               for _ in range(2)]
    try:
        for server in servers:
            server.start()
        token = join_token(secret, event_id=EVENT, booth_id=BOOTH)
        answers = []
        for n, (name, id_number, phone) in enumerate(people):
            other_phone = fake_phone(rng)
            forms = [{**form, "t": token, "name": name, "id_number": id_number,
                      "phone": phone if n % 2 == 0 or i % 2 == 0 else other_phone} for i in range(RACERS)]
            answers.append(race([s.url for s in servers], forms, person=n))
    finally:
        for server in servers:
            server.stop()
    for person_answers in answers:   # 您已登记 shows the pass again when ID and phone both match, as at the kiosk
        assert sum('id="already"' not in a and 'id="pass"' in a for a in person_answers) == 1, person_answers
        assert sum('id="already"' in a for a in person_answers) == RACERS - 1, person_answers
    stored = sorted(m["id_number"] for m in phone_members(database, key))
    assert stored == sorted(id_number for _, id_number, _ in people)   # each person once, nobody else


def scrape(url: str) -> dict[str, float]:
    """/metrics as Prometheus reads it: name{labels} -> value (a new connection: any worker may answer)."""
    answer = requests.get(url + "/metrics", timeout=10, headers={"Connection": "close"})
    assert answer.status_code == 200
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
            for line in answer.text.splitlines() if line and not line.startswith("#")}


def counted_by_process(folder: Path) -> dict[int, float]:
    """Accepted records as each worker process wrote them to its own metrics file (pid -> count)."""
    from prometheus_client.mmap_dict import MmapedDict

    counts = {}
    for path in (folder / "metrics").glob("*/counter_*.db"):
        for key, value, _, _ in MmapedDict.read_all_values_from_file(str(path)):
            if '"kiosk_server_records_total"' in key and '"accepted"' in key:
                counts[int(path.stem.split("_")[1])] = value
    return counts


def test_metrics_of_two_worker_processes_are_added_up_whichever_answers_the_scrape(tmp_path, new_database):
    """`serve --workers 2`: pushes land on both processes (each on a new connection); every scrape, answered by
    either, counts all of them. With one registry per process a scrape saw only the records of the one answering."""
    from city_helpers import EVENT as DEMO_EVENT, hand_record
    from sync.server.accounts import enroll

    folder = tmp_path / "city"
    folder.mkdir()
    database = str(new_database(folder))
    storage = Storage(database)
    code = create_booth(storage, booth_id="b-1", event_id=DEMO_EVENT, name="b")
    _, token = enroll(storage, code=code, device_id="dev-m")
    storage.close()
    pushes, per_push = 0, 5
    with ServerProcess(folder, workers=2, database=database, options=("--forwarded-allow-ips", "127.0.0.1")) as server:
        while pushes < 20 or (len([n for n in counted_by_process(folder).values() if n]) < 2 and pushes < 400):
            records = [hand_record("dev-m", pushes * per_push + i + 1, kind="service_use", subject="tcm")
                       for i in range(per_push)]
            answer = requests.post(server.url + "/v1/records", timeout=30, json={
                "protocol": 1, "device_id": "dev-m", "records": records},
                headers={"Authorization": f"Bearer {token}", "Connection": "close"})
            assert answer.status_code == 200 and {r["status"] for r in answer.json()["results"]} == {"accepted"}
            pushes += 1
        by_process = counted_by_process(folder)
        assert len(by_process) == 2 and all(by_process.values()), by_process   # both workers took pushes
        for _ in range(6):
            seen = scrape(server.url)
            assert seen['kiosk_server_records_total{status="accepted"}'] == pushes * per_push
            assert seen["kiosk_server_push_batch_seconds_count"] == pushes
            assert seen["kiosk_server_ingest_queue_records"] == 0
    stored = Storage(database)
    try:
        assert stored.count_records() == pushes * per_push
    finally:
        stored.close()
    assert list((folder / "metrics").iterdir()) == []   # the server's metric files went with it


def test_a_server_holding_another_city_key_than_its_database_refuses_to_start(tmp_path, new_database):
    """Two machines on one database, the second with a city key file of its own (it started without a copy): it
    refuses to start (exit 2, one line naming both keys) instead of handing enrolling booths a key the stored
    records are not sealed to; with the first machine's key file it serves."""
    import shutil
    import subprocess
    import sys

    from server_process import free_port

    first, second = tmp_path / "machine-1", tmp_path / "machine-2"
    first.mkdir()
    second.mkdir()
    database = str(new_database(first))
    with ServerProcess(first, database=database):
        pass   # the database is first served with machine 1's key, made at its start
    load_or_create_city_key(second / "city.key")
    refused = subprocess.run([sys.executable, "-m", "sync.server", "--data-dir", str(second), "--database", database,
                              "--city-key", str(second / "city.key"), "--port", str(free_port()), "serve"],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "not the city key of this database" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    shutil.copy(first / "city.key", second / "city.key")
    with ServerProcess(second, database=database) as server:
        assert requests.get(server.url + "/v1/ready", timeout=10).status_code == 200
