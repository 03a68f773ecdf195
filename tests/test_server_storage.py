"""Server storage, on SQLite and PostgreSQL: concurrent batches share commits, each record is stored exactly once."""

import threading

import pytest

from sync.server.storage import RECORD_FIELDS, Storage


def row(n, *, device="d", digest="h"):
    return {**{f: "x" for f in RECORD_FIELDS}, "id": f"r{n}", "device_id": device, "seq": n,
            "payload_sha256": digest, "sealed": None, "subject": None, "refers_to": None}


def test_overlapping_batches_from_many_threads_store_each_record_once(tmp_path, new_database):
    storage = Storage(new_database(tmp_path))
    batches = [[row(n) for n in range(start, start + 50)] for start in range(0, 400, 25)] * 2
    outcomes, start = [], threading.Barrier(len(batches))

    def insert(batch):
        start.wait()
        outcomes.append((batch, storage.insert_records(batch)))

    threads = [threading.Thread(target=insert, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    inserted = [r["id"] for batch, result in outcomes for r, o in zip(batch, result) if o.inserted]
    assert sorted(inserted) == sorted({f"r{n}" for n in range(425)})       # each id inserted exactly once
    assert all(o.existing.id == r["id"] for batch, result in outcomes for r, o in zip(batch, result) if not o.inserted)
    assert storage.count_records() == 425
    storage.close()


def test_a_failing_group_commit_stores_nothing_and_tells_the_caller(tmp_path, new_database):
    storage = Storage(new_database(tmp_path))
    bad = row(1)
    bad["kind"] = None   # NOT NULL: the insert fails inside the transaction
    with pytest.raises(storage.backend.integrity_errors, match="(?i)not.null"):
        storage.insert_records([row(2), bad])
    assert storage.count_records() == 0
    storage.close()


def test_enrolment_attempts_are_counted_once_for_every_server_process(tmp_path, new_database):
    from sync.server.accounts import EnrollmentLimiter

    now = [1_780_000_000.0]   # a real time in seconds: PostgreSQL keeps it to the fraction, as SQLite does
    database = new_database(tmp_path)
    first, second = Storage(database), Storage(database)  # as two --workers
    limiters = [EnrollmentLimiter(s, 3, clock=lambda: now[0]) for s in (first, second)]
    assert [limiters[n % 2].retry_after("10.0.0.7") for n in range(3)] == [None, None, None]
    assert limiters[1].retry_after("10.0.0.7") == 60.0 and limiters[0].retry_after("10.0.0.7") == 60.0
    assert limiters[1].retry_after("10.0.0.8") is None       # another address has its own allowance
    now[0] += 45.0
    assert limiters[0].retry_after("10.0.0.7") == 15.0       # the oldest attempt leaves the window in 15 s
    now[0] += 15.0
    assert limiters[1].retry_after("10.0.0.7") is None
    first.close()
    second.close()


def test_server_processes_starting_together_on_a_new_file_apply_each_migration_once(tmp_path):
    """Two or more `kiosk-server` workers on a fresh SQLite file: none fails, every migration recorded once.
    (Both databases, three processes: test_storage_processes.py.)"""
    import subprocess
    import sys
    import time

    from sync.server.storage import MIGRATIONS

    script = ("import sys, time; from sync.server.storage import Storage\n"
              "start = float(sys.argv[2])\n"
              "while time.time() < start: pass\n"
              "Storage(sys.argv[1]).close()\n")
    for attempt in range(3):
        path = tmp_path / f"city{attempt}.db"
        start = time.time() + 1.5
        procs = [subprocess.Popen([sys.executable, "-c", script, str(path), str(start)], stderr=subprocess.PIPE,
                                  text=True) for _ in range(4)]
        errors = [p.communicate(timeout=60)[1] for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
        import sqlite3
        with sqlite3.connect(path) as conn:
            names = [row[0] for row in conn.execute("SELECT name FROM schema_migrations ORDER BY rowid")]
        assert names == [name for name, _ in MIGRATIONS]


def test_text_comes_back_as_it_was_stored(tmp_path, new_database):
    """Backslashes (JSON escapes are full of them), tabs, line breaks, quotes and CJK, stored by the batch insert
    (PostgreSQL: COPY) and by the row-by-row path, come back unchanged."""
    storage = Storage(new_database(tmp_path))
    tricky = 'a\\b\\\\c\t"d"\ne\r\\N 王晓明 \\u00e9 \\t'
    first = [{**row(n), "payload": f"{tricky}{n}", "subject": tricky, "sealed": tricky} for n in (1, 2)]
    storage.insert_records(first)
    outcomes = storage.insert_records([{**row(3), "payload": tricky, "subject": tricky}, first[0]])  # row by row
    assert [o.inserted for o in outcomes] == [True, False]
    stored = {r["id"]: r for r in storage.record_rows()}
    assert [stored[f"r{n}"]["payload"] for n in (1, 2, 3)] == [f"{tricky}1", f"{tricky}2", tricky]
    assert {stored[f"r{n}"]["subject"] for n in (1, 2, 3)} == {tricky} and stored["r1"]["sealed"] == tricky
    storage.close()


def test_a_secret_already_made_is_read_without_waiting_for_another_process_s_write(tmp_path, new_database):
    """The event's prize-claim and member-lookup keys and a booth's join secret are asked for at every kiosk sync
    and phone-join page. Once made they are read: a long write by another server process (another Storage on the
    same database, holding the writers' lock) does not hold them up, while a first ask does wait for it."""
    from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout

    from sync.server.storage import JoinStorage

    database = new_database(tmp_path)
    storage, other = Storage(database), Storage(database)
    storage.add_booth(booth_id="b1", event_id="ev", name="booth", at="2026-11-25T01:00:00Z")
    join = JoinStorage(storage)
    made = (storage.prize_claim_key("ev", new_secret="p1", at="t"), join.join_secret("b1", new_secret="j1", at="t"),
            join.member_lookup_key("ev", new_secret="m1", at="t"))
    assert made == ("p1", "j1", "m1")
    holding, release = threading.Event(), threading.Event()

    def long_write():
        with other._write():
            holding.set()
            release.wait(30)

    with ThreadPoolExecutor(max_workers=3) as pool:
        writer = pool.submit(long_write)
        assert holding.wait(10)
        asks = pool.submit(lambda: (storage.prize_claim_key("ev", new_secret="p2", at="t"),
                                    join.join_secret("b1", new_secret="j2", at="t"),
                                    join.member_lookup_key("ev", new_secret="m2", at="t")))
        first = pool.submit(storage.prize_claim_key, "ev-new", new_secret="n1", at="t")
        try:
            assert asks.result(timeout=10) == ("p1", "j1", "m1")   # the stored secrets, not new ones
            with pytest.raises(FutureTimeout):
                first.result(timeout=0.5)                          # a first ask writes: it takes its turn
        finally:
            release.set()
        writer.result(timeout=10)
        assert first.result(timeout=10) == "n1"
    assert storage.prize_claim_key("ev-new", new_secret="n2", at="t") == "n1"
    storage.close()
    other.close()


def test_batches_of_one_group_commit_go_in_one_statement_and_a_taken_row_falls_back_batch_by_batch(
        tmp_path, new_database):
    """Batches queued while another writer holds the database are committed as one group: all rows in one
    statement when none is taken; when one is (a retried batch, two identical pushes in the group), each batch is
    inserted on its own, in order, so the first of two identical pushes stores and the second finds its rows."""
    database = new_database(tmp_path)
    storage, other = Storage(database), Storage(database)   # as two server processes
    storage.insert_records([row(n, device="old") for n in range(1, 4)])
    with other._write():                                    # the writer waits here with the first job
        first = storage.submit_records([row(100, device="a")])
        while storage.queued_records():
            threading.Event().wait(0.01)                    # until the writer has taken the first job
        clean = storage.submit_records([row(n, device="b") for n in range(200, 210)])
        twins = [storage.submit_records([row(n, device="c") for n in range(300, 305)]) for _ in range(2)]
        retried = storage.submit_records([row(2, device="old"), row(400, device="old")])
        after = storage.submit_records([row(n, device="e") for n in range(500, 503)])
        assert storage.queued_records() == 10 + 5 + 5 + 2 + 3
    assert [o.inserted for o in first.result()] == [True]
    assert all(o.inserted for o in clean.result()) and all(o.inserted for o in after.result())
    assert [o.inserted for o in twins[0].result()] == [True] * 5
    assert [o.existing.id for o in twins[1].result()] == [f"r{n}" for n in range(300, 305)]
    assert [(o.inserted, o.existing and o.existing.id) for o in retried.result()] == [(False, "r2"), (True, None)]
    assert storage.count_records() == 3 + 1 + 10 + 5 + 1 + 3
    with storage.reading() as conn:   # the counters count what was stored, each record once
        assert conn.execute("SELECT sum(records) FROM city_booths").fetchone()[0] == 23
    storage.close()
    other.close()
