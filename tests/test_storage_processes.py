"""Several server processes on one database (SQLite file or PostgreSQL): identical pushes store each record once,
the "records stored after X" cursors see every record exactly once while others write, and processes starting
together on a fresh database apply each migration once."""

import json
import subprocess
import sys
import time

from sync.server.storage import MIGRATIONS, Storage

# One writer process: waits for the common start time, then inserts its batches and prints what each row got.
WRITER = """
import json, sys, time
from sync.server.storage import RECORD_FIELDS, Storage

database, start, ids, batch = sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
storage = Storage(database)
answers = {}
while time.time() < start:
    time.sleep(0.001)
for first in range(0, len(ids), batch):
    rows = [{**{f: "x" for f in RECORD_FIELDS}, "id": i, "device_id": i.split("-")[0], "seq": int(i.split("-")[1]),
             "payload_sha256": "h-" + i, "sealed": None, "subject": None, "refers_to": None}
            for i in ids[first:first + batch]]
    for row, outcome in zip(rows, storage.insert_records(rows)):
        answers.setdefault(row["id"], []).append([outcome.inserted, outcome.existing.id if outcome.existing else None,
                                                  outcome.existing.payload_sha256 if outcome.existing else None])
storage.close()
print(json.dumps(answers))
"""


def _writers(database, id_lists, *, batch):
    start = time.time() + 1.5   # every process has opened its storage by then
    return [subprocess.Popen([sys.executable, "-c", WRITER, str(database), str(start), json.dumps(ids), str(batch)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for ids in id_lists]


def _answers(procs):
    outputs = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0] * len(procs), [err[-2000:] for _, err in outputs]
    return [json.loads(out) for out, _ in outputs]


def test_identical_pushes_from_two_processes_store_each_record_once(tmp_path, new_database):
    database = new_database(tmp_path)
    ids = [f"d{n % 4}-{n // 4 + 1}" for n in range(800)]
    procs = _writers(database, [ids, ids[::-1]], batch=40)     # the same records, met in opposite orders
    first, second = _answers(procs)
    for record_id in ids:
        answers = first[record_id] + second[record_id]
        assert sorted(a[0] for a in answers) == [False, True], (record_id, answers)   # one stored it, one did not
        assert [a[1:] for a in answers if not a[0]] == [[record_id, "h-" + record_id]]   # and was told by whom
    storage = Storage(database)
    assert storage.count_records() == len(ids)
    assert {r["id"] for r in storage.record_rows()} == set(ids)
    storage.close()


def test_cursors_see_every_record_once_while_two_processes_write(tmp_path, new_database):
    """The city numbers' cursor (record_facts_after; the phone join's registrations_after reads the same order)
    reads "stored after rowid X" while two processes commit small batches: a record whose rowid was taken but
    not yet committed when the reader passed it would be missed for ever."""
    database = new_database(tmp_path)
    reader = Storage(database)
    lists = [[f"a{n % 7}-{n // 7 + 1}" for n in range(1500)], [f"b{n % 7}-{n // 7 + 1}" for n in range(1500)]]
    procs = _writers(database, lists, batch=5)
    seen, cursor = [], 0
    while True:
        done = all(p.poll() is not None for p in procs)   # looked at before reading: a last read follows the end
        rows = reader.record_facts_after(cursor, limit=97)
        while rows:
            seen += [row[1] for row in rows]
            cursor = rows[-1][0]
            rows = reader.record_facts_after(cursor, limit=97)
        if done:
            break
        time.sleep(0.002)
    _answers(procs)
    assert len(seen) == len(set(seen)) == 3000 and set(seen) == set(lists[0]) | set(lists[1])
    order = [row[0] for row in reader.record_facts_after(0, limit=10_000)]
    assert order == sorted(order) and len(order) == 3000
    reader.close()


def test_three_processes_migrating_a_fresh_database_apply_each_migration_once(tmp_path, new_database):
    script = ("import sys, time; from sync.server.storage import Storage\n"
              "start = float(sys.argv[2])\n"
              "while time.time() < start: time.sleep(0.001)\n"
              "Storage(sys.argv[1]).close()\n")
    for attempt in range(2):
        database = new_database(tmp_path / f"fresh{attempt}", migrated=False)   # nothing in it yet
        start = time.time() + 1.5
        procs = [subprocess.Popen([sys.executable, "-c", script, str(database), str(start)], stderr=subprocess.PIPE,
                                  text=True) for _ in range(3)]
        errors = [p.communicate(timeout=120)[1] for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], errors
        storage = Storage(database)
        assert storage.backend.applied_migrations() == [name for name, _ in MIGRATIONS]
        storage.close()


def test_without_postgresql_the_postgresql_tests_fail_never_skip(tmp_path):
    """The test of the fixture: a PostgreSQL test on a machine without PostgreSQL's programs is an error (exit 1),
    not a skip; its SQLite twin still passes."""
    import os
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    test = "tests/test_server_storage.py::test_a_failing_group_commit_stores_nothing_and_tells_the_caller"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{test}[sqlite]",
                           f"{test}[postgresql]"], cwd=root, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "KIOSK_TEST_PG_BINDIR": str(tmp_path / "no-postgresql")})
    assert done.returncode == 1, done.stdout[-2000:]
    assert "1 passed, 1 error" in done.stdout and "skipped" not in done.stdout
    assert "PostgresMissing" in done.stdout and "initdb/pg_ctl were not found" in done.stdout
