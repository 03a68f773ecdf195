"""The city numbers' counters kept in the database (sync/server/city_counts.py): after any order of arrival,
duplicates, voids, bundle imports, two storages or two processes on one file, and the backfill of a database
made before them, the counter rows equal a count made from scratch from the stored records."""

import random
import subprocess
import sys
import threading
from collections import Counter

import pytest
import requests

from booth_common.bundle import pack_bundle
from booth_common.protocol import WireRecord
from city_helpers import ADMIN_TOKEN, EVENT, admin_city, hand_record  # noqa: F401 (admin_city is a fixture)
from loopback import city  # noqa: F401
from sync.server import city_counts
from sync.server.accounts import create_booth, enroll
from sync.server.numbers import CityTally, event_numbers
from sync.server.storage import MIGRATIONS, RECORD_FIELDS, Storage
from sync.server.storage.backend import open_backend

COUNTED = city_counts.COUNTED_KINDS


def stored(record, *, received_at="2026-11-25T05:00:00.000Z"):
    """A hand-made pushed record as the storage keeps it (the columns ingest fills from the payload)."""
    import json
    body = json.loads(record["payload"])
    return {**record, **{k: body[k] for k in ("kind", "subject", "event_id", "booth_id", "captured_at", "refers_to")},
            "received_at": received_at}


def from_scratch(storage):
    """The rule, counted directly from every stored record: a record counts unless its own device voided it."""
    rows = storage.record_rows()
    voided = {(r["refers_to"], r["device_id"]) for r in rows if r["kind"] == "void" and r["refers_to"]}
    counts, booths = Counter(), {}
    for r in rows:
        if r["kind"] in COUNTED and (r["id"], r["device_id"]) not in voided:
            subject = (r["subject"] or "")[:city_counts.SUBJECT_CHARS]   # a huge one by its start
            counts[(r["event_id"], r["booth_id"], r["kind"], subject, r["captured_at"][:13])] += 1
        records, received, setup, setup_at = booths.get((r["event_id"], r["booth_id"]), (0, "", None, ""))
        if r["kind"] == "audit" and r["subject"] == "booth_setup" and r["captured_at"] >= setup_at:
            setup, setup_at = r["payload"], r["captured_at"]
        booths[(r["event_id"], r["booth_id"])] = (records + 1, max(received, r["received_at"]), setup, setup_at)
    return +counts, booths, sums_of(counts)


def sums_of(counts):
    """What the page shows, summed from fine counts: per booth and kind, per hour and kind (quiz passes apart),
    per occupation, service and item, per booth and service."""
    sums = Counter()
    for (event, booth, kind, subject, hour), n in counts.items():
        mark = "passed" if (kind, subject) == ("quiz_attempt", "passed") else ""
        sums[(event, "booth", booth, kind, mark)] += n
        sums[(event, "hour", hour, kind, mark)] += n
        if kind in ("registration", "service_use", "handout"):
            sums[(event, "subject", "", kind, subject)] += n
        if kind == "service_use":
            sums[(event, "service", booth, kind, subject)] += n
    return +sums


def counters(storage):
    with storage.reading() as conn:
        counts = Counter({tuple(row[:5]): row[5] for row in conn.execute(
            "SELECT event_id, booth_id, kind, subject, utc_hour, n FROM city_counts WHERE n <> 0").fetchall()})
        booths = {(e, b): (n, received, setup, setup_at) for e, b, n, received, setup, setup_at in conn.execute(
            "SELECT event_id, booth_id, records, last_received_at, setup, setup_at FROM city_booths").fetchall()}
        sums = Counter({tuple(row[:5]): row[5] for row in conn.execute(
            "SELECT event_id, part, place, kind, detail, n FROM city_rollups WHERE n <> 0").fetchall()})
    return counts, booths, sums


def a_day(rng, *, devices=(("d-1", "b-1"), ("d-2", "b-1"), ("d-3", "b-2")), per_device=60):
    """Records of several devices, voids among them: of the device's own records (earlier or later ones), of
    another device's records, of records never stored, second voids of the same record, voids of voids;
    corrections of the device's own records; booth setups; subjects too long to be a key."""
    made = []
    for device, booth in devices:
        for seq in range(1, per_device + 1):
            made.append((device, booth, seq))
    ids = [f"{d}-r{s}" for d, _, s in made]
    # Too long to be an index key, and random, so that PostgreSQL cannot compress it into one.
    huge = "".join(chr(0x4E00 + rng.randrange(20_000)) for _ in range(3000))
    rows = []
    for n, (device, booth, seq) in enumerate(made):
        roll = rng.random()
        hour = rng.choice(["03", "04", "15", "16"])
        captured = f"2026-11-25T{hour}:{rng.randrange(60):02d}:{seq % 60:02d}.{n % 1000:03d}Z"   # no two alike
        if roll < 0.25:
            own = [i for i in ids if i.startswith(device + "-")]
            target = rng.choice(own if rng.random() < 0.7 else ids + ["never-stored"])
            record = hand_record(device, seq, kind="void", booth_id=booth, refers_to=target, captured_at=captured)
        elif roll < 0.3:
            record = hand_record(device, seq, kind="audit", subject="booth_setup", booth_id=booth, captured_at=captured,
                                 data={"booth": {"district": f"区{seq}", "name": f"{booth} {seq}"}})
        else:
            kind = rng.choice(COUNTED + ("correction",))
            corrects = rng.choice([i for i in ids if i.startswith(device + "-")]) if kind == "correction" else None
            record = hand_record(device, seq, kind=kind, subject=rng.choice(["tcm", "law", "passed", None, huge]), booth_id=booth,
                                 captured_at=captured, refers_to=corrects)   # a correction takes nothing back
        rows.append(stored(record, received_at=f"2026-11-25T06:{seq % 60:02d}:{rng.randrange(60):02d}.000Z"))
    return rows


@pytest.mark.parametrize("seed", range(6))
def test_any_order_of_arrival_with_duplicates_and_parallel_batches_counts_as_from_scratch(tmp_path, seed,
                                                                                         new_database):
    rng = random.Random(seed)
    rows = a_day(rng)
    rng.shuffle(rows)
    storage = Storage(new_database(tmp_path))
    try:
        batches, start = [], 0
        while start < len(rows):
            size = rng.randint(1, 25)
            batches.append(rows[start:start + size])
            start += size
        for batch in batches:
            # Sent twice at once (a retry racing its first try), sometimes with an older batch again:
            # the writer may take them in one group commit, and counts each stored record once.
            again = [batch, list(batch)] + ([rng.choice(batches)] if rng.random() < 0.3 else [])
            for future in [storage.submit_records(b) for b in again]:
                future.result()
            if rng.random() < 0.2:
                assert counters(storage) == from_scratch(storage)
        assert storage.count_records() == len(rows)
        assert counters(storage) == from_scratch(storage)
    finally:
        storage.close()


def test_a_void_before_its_record_after_it_and_twice(tmp_path, new_database):
    storage = Storage(new_database(tmp_path))
    tally = CityTally(storage)

    def members():
        return event_numbers(tally, storage, EVENT)["totals"]["new_members"]

    def put(*records):
        assert all(o.inserted for o in storage.insert_records([stored(r) for r in records]))

    try:
        put(hand_record("d-1", 1, kind="void", refers_to="d-1-r2"))            # before its record
        put(hand_record("d-1", 2, kind="registration"), hand_record("d-1", 3, kind="registration"))
        assert members() == 1
        put(hand_record("d-1", 4, kind="void", refers_to="d-1-r3"))            # after its record
        assert members() == 0
        put(hand_record("d-1", 5, kind="registration"))
        put(hand_record("d-1", 6, kind="void", refers_to="d-1-r5"), hand_record("d-1", 7, kind="void",
                                                                              refers_to="d-1-r5"))   # twice at once
        put(hand_record("d-1", 8, kind="void", refers_to="d-1-r5"))            # and once more, later
        assert members() == 0
        put(hand_record("d-1", 9, kind="registration"), hand_record("d-2", 1, kind="void", refers_to="d-1-r9"))
        assert members() == 1                                                    # another device's void: none
        put(hand_record("d-1", 10, kind="void", refers_to="d-1-r9"))           # then its own device's: taken out
        assert members() == 0
        assert event_numbers(tally, storage, EVENT)["totals"]["records"] == 11
        assert counters(storage) == from_scratch(storage)
    finally:
        storage.close()


def test_a_duplicate_push_is_counted_once(city):
    token = _device(city, "d-1", "b-1")
    batch = [hand_record("d-1", seq, kind="service_use", subject="tcm") for seq in range(1, 41)]
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(_push(city, token, batch))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _push(city, token, batch)
    statuses = Counter(r["status"] for answer in answers for r in answer["results"])
    assert statuses == {"accepted": 40, "duplicate": 120}
    totals = _numbers(city)["totals"]
    assert (totals["consultations"], totals["service_uses"], totals["records"]) == (40, 40, 40)


def test_a_reference_too_long_for_an_index_is_refused_and_fails_no_one_elses_push(city):
    """Random text, so PostgreSQL cannot compress it into an index row: stored, it failed the group commit."""
    honest, hostile = _device(city, "d-1", "b-1"), _device(city, "d-2", "b-2")
    rng = random.Random(3)
    huge = "".join(chr(0x4E00 + rng.randrange(20_000)) for _ in range(3000))
    answers = {}
    pushes = {"hostile": (hostile, [hand_record("d-2", 1, kind="registration", booth_id="b-2"),
                                    hand_record("d-2", 2, kind="void", booth_id="b-2", refers_to=huge)]),
              "honest": (honest, [hand_record("d-1", seq, kind="registration") for seq in range(1, 51)])}
    threads = [threading.Thread(target=lambda n=name, t=token, r=records: answers.update({n: _push(city, t, r)}))
               for name, (token, records) in pushes.items()]   # at once: one group commit may take both
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r["status"] for r in answers["honest"]["results"]] == ["accepted"] * 50
    assert answers["hostile"]["results"] == [
        {"id": "d-2-r1", "status": "accepted", "reason": None},
        {"id": "d-2-r2", "status": "rejected", "reason": "payload field 'refers_to' is not a record id"}]
    assert _numbers(city)["totals"]["new_members"] == 51


def test_bundle_import_counts_like_a_push_void_before_or_after_its_record(admin_city):
    city = admin_city
    token = _device(city, "d-1", "b-1")
    _push(city, token, [hand_record("d-1", 1, kind="registration"), hand_record("d-1", 2, kind="handout"),
                        hand_record("d-1", 3, kind="void", refers_to="d-1-r5")])   # voids what the bundle brings
    bundle = [WireRecord(**hand_record("d-1", seq, kind=kind, refers_to=target)) for seq, kind, target in (
        (4, "void", "d-1-r1"), (5, "registration", None), (6, "registration", None), (7, "handout", None))]
    _, data = pack_bundle(bundle, device_id="d-1", booth_id="b-1", event_id=EVENT, device_token=token,
                          city_public_key=city.city_key.public_key())
    for _ in range(2):   # a second import of the same file changes nothing
        answer = requests.post(city.url + "/v1/admin/bundles", data=data, timeout=30, headers={
            "Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/octet-stream"})
        assert answer.status_code == 200, answer.text
        totals = _numbers(city)["totals"]
        assert (totals["new_members"], totals["handouts"], totals["records"]) == (1, 2, 7)


def test_two_storages_and_two_processes_on_one_file_count_every_record_once(tmp_path, new_database):
    path = new_database(tmp_path)
    rows = a_day(random.Random(11), devices=[(f"d-{i}", f"b-{i % 3}") for i in range(6)], per_device=80)
    random.Random(12).shuffle(rows)
    first, second = Storage(path), Storage(path)
    other_process = subprocess.Popen([sys.executable, "-c", _INSERT_IN_ANOTHER_PROCESS, str(path)],
                                     stdin=subprocess.PIPE, text=True)
    try:
        import json
        other_process.stdin.write(json.dumps(rows[::3]))
        other_process.stdin.close()
        for start in range(0, len(rows), 7):   # overlapping: each record arrives through two of the three
            chunk = rows[start:start + 7]
            (first if start % 2 else second).insert_records(chunk)
            (second if start % 2 else first).insert_records(chunk[::2])
        assert other_process.wait(timeout=120) == 0
        assert first.count_records() == len(rows)
        assert counters(first) == counters(second) == from_scratch(first)
        assert event_numbers(CityTally(first), first, EVENT) | {"generated_at": 0} \
            == event_numbers(CityTally(second), second, EVENT) | {"generated_at": 0}
    finally:
        first.close()
        second.close()
        other_process.kill()


_INSERT_IN_ANOTHER_PROCESS = """
import json, sys
from sync.server.storage import Storage
rows = json.load(sys.stdin)
storage = Storage(sys.argv[1])
for start in range(0, len(rows), 5):
    storage.insert_records(rows[start:start + 5])
storage.close()
"""


def test_a_writer_killed_while_it_commits_leaves_counts_equal_to_the_rows(tmp_path, new_database):
    """SIGKILL, no goodbye: what was committed is counted, what was not is neither stored nor counted."""
    import json
    import signal
    import time

    database = new_database(tmp_path)
    rows = a_day(random.Random(21), devices=[(f"d-{i}", f"b-{i % 3}") for i in range(6)], per_device=150)
    writer = subprocess.Popen([sys.executable, "-c", _INSERT_IN_ANOTHER_PROCESS, str(database)],
                              stdin=subprocess.PIPE, text=True)
    storage = Storage(database)
    try:
        writer.stdin.write(json.dumps(rows))
        writer.stdin.close()
        deadline = time.monotonic() + 60
        while storage.count_records() < 200 and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        assert 200 <= storage.count_records() < len(rows), "killed too late to tell"
        assert counters(storage) == from_scratch(storage)
    finally:
        writer.kill()
        storage.close()


def test_a_database_made_before_the_counters_is_counted_by_the_migration(tmp_path, new_database):
    rows = a_day(random.Random(5), per_device=150)
    random.Random(6).shuffle(rows)
    old_path = new_database(tmp_path / "old", migrated=False)
    _old_server_database(old_path, rows)
    migrated = Storage(old_path)
    counted = Storage(new_database(tmp_path / "live"))   # the same records pushed to a server with the counters
    try:
        for start in range(0, len(rows), 10):
            counted.insert_records(rows[start:start + 10])
        assert counters(migrated) == from_scratch(migrated) == counters(counted)
        figures = [event_numbers(CityTally(s), s, EVENT) | {"generated_at": 0} for s in (migrated, counted)]
        assert figures[0] == figures[1] and figures[0]["totals"]["records"] == len(rows)
        # The migration ran once: the counters go on from there.
        migrated.insert_records([stored(hand_record("d-9", 1, kind="registration"))])
        assert counters(migrated) == from_scratch(migrated)
    finally:
        migrated.close()
        counted.close()


def test_a_database_with_counters_but_not_their_sums_gets_them_from_the_counters(tmp_path, new_database):
    database = new_database(tmp_path)
    storage = Storage(database)
    storage.insert_records(a_day(random.Random(8), per_device=100))
    expected = counters(storage)
    with storage.backend.writing() as tx:   # as the version before city_004_rollups left it
        tx.execute("DROP TABLE city_rollups")
        tx.execute("DELETE FROM schema_migrations WHERE name = 'city_004_rollups'")
    storage.close()
    storage = Storage(database)
    try:
        assert counters(storage) == expected == from_scratch(storage)
    finally:
        storage.close()


def _old_server_database(database, rows):
    """The schema as it was before the counters, with records stored as that server stored them."""
    assert "city_002_counters" in [name for name, _ in MIGRATIONS]
    backend = open_backend(database)
    try:
        backend.migrate(stop_before="city_002_counters")
        assert "city_002_counters" not in backend.applied_migrations()
        with backend.writing() as tx:
            tx.executemany(f"INSERT INTO records ({', '.join(RECORD_FIELDS)}) "
                           f"VALUES ({', '.join('?' * len(RECORD_FIELDS))})",
                           [[row[f] for f in RECORD_FIELDS] for row in rows])
        with backend.reading() as conn:   # no counters yet: the table does not exist
            with pytest.raises(Exception, match="city_counts"):
                conn.execute("SELECT count(*) FROM city_counts").fetchone()
    finally:
        backend.close()


# -- helpers ----------------------------------------------------------------------------------------

def _device(server, device_id, booth_id):
    code = create_booth(server.storage, booth_id=booth_id, event_id=EVENT, name=booth_id)
    return enroll(server.storage, code=code, device_id=device_id)[1]


def _push(server, token, records):
    answer = requests.post(server.url + "/v1/records", json={"protocol": 1, "device_id": records[0]["device_id"],
                                                             "records": records},
                           headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _numbers(server):
    answer = requests.get(f"{server.url}/v1/numbers/{EVENT}", timeout=10)
    assert answer.status_code == 200
    return answer.json()
