import sqlite3

import pytest
from sqlite_utils import Database

from booth_common.records import canonical_json, sha256_hex
from kiosk.ledger import Ledger, LedgerError
from kiosk.migrations import migrations


def test_round_trip_keeps_every_field_and_the_hash(tmp_path):
    with Ledger(tmp_path / "l.db") as ledger:
        rec = ledger.append(record_id="r1", kind="handout", event_id="ev", booth_id="b1",
                            data={"item": "leaflet", "名": "宣传页"}, subject="leaflet")
    with Ledger(tmp_path / "l.db") as again:
        got = again.get("r1")
        assert got == rec
        assert got.seq == 1 and got.device_id == again.device_id
        assert got.data == {"item": "leaflet", "名": "宣传页"}
        assert sha256_hex(got.payload) == got.payload_sha256
        assert canonical_json(__import__("json").loads(got.payload)) == got.payload
        assert got.captured_at.endswith("Z")
        assert again.status().pending == 1


def test_sequence_numbers_increase_without_gaps_and_device_id_is_stable(tmp_path):
    with Ledger(tmp_path / "l.db") as ledger:
        device = ledger.device_id
        for i in range(50):
            ledger.append(record_id=f"r{i}", kind="service_use", event_id="e", booth_id="b", data={})
        with pytest.raises(sqlite3.IntegrityError):  # same id twice is refused, and leaves no gap
            ledger.append(record_id="r3", kind="service_use", event_id="e", booth_id="b", data={})
        ledger.append(record_id="last", kind="service_use", event_id="e", booth_id="b", data={})
        assert [r.seq for r in ledger.records()] == list(range(1, 52))
        assert ledger.sequence_gaps() == 0
    with Ledger(tmp_path / "l.db") as again:
        assert again.device_id == device


def test_records_cannot_be_edited_or_deleted(tmp_path):
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.append(record_id="r1", kind="handout", event_id="e", booth_id="b", data={})
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            ledger.db.execute("UPDATE records SET kind = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            ledger.db.execute("DELETE FROM records")
        assert ledger.get("r1").kind == "handout"


def test_void_points_at_an_existing_record_and_leaves_counts_effective(tmp_path):
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.append(record_id="a", kind="service_use", event_id="e", booth_id="b", data={}, subject="tcm")
        ledger.append(record_id="b", kind="service_use", event_id="e", booth_id="b", data={}, subject="tcm")
        with pytest.raises(LedgerError):
            ledger.append(record_id="v0", kind="void", event_id="e", booth_id="b", data={}, refers_to="nope")
        ledger.append(record_id="v", kind="void", event_id="e", booth_id="b", data={"reason": "x"}, refers_to="a")
        assert ledger.effective_counts()["service_use"] == 1
        assert ledger.effective_subjects("service_use") == {"tcm": 1}
        assert ledger.is_voided("a") and not ledger.is_voided("b")
        assert ledger.status().total_records == 3


def test_outbox_states_move_and_are_counted(tmp_path):
    with Ledger(tmp_path / "l.db") as ledger:
        for i in range(5):
            ledger.append(record_id=f"r{i}", kind="handout", event_id="e", booth_id="b", data={})
        assert [e.record.id for e in ledger.outbox.pending(limit=3)] == ["r0", "r1", "r2"]
        ledger.outbox.mark_synced(["r0", "r1"])
        ledger.outbox.mark_needs_attention([("r2", "conflict")])
        ledger.outbox.note_failed_attempt(["r3"], "timeout")
        status = ledger.status()
        assert (status.pending, status.synced, status.needs_attention) == (2, 2, 1)
        assert status.last_sync is not None
        assert [e.record.id for e in ledger.outbox.pending()] == ["r3", "r4"]
        assert ledger.outbox.pending()[0].attempts == 1
        assert ledger.outbox.requeue([1]) == 1
        assert ledger.status().pending == 3


def test_migrations_from_an_empty_file(tmp_path):
    with Ledger(tmp_path / "l.db") as ledger:
        applied = migrations.applied(ledger.db.conn)
    assert applied == migrations.names


def test_ledger_from_an_earlier_schema_opens_with_its_records_counted(tmp_path):
    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old.conn, stop_before="m002_tallies")  # the schema as version 1 shipped it
    old.execute("INSERT INTO meta VALUES ('device_id', 'old-device')")
    for seq, (rid, kind) in enumerate([("a", "registration"), ("b", "service_use"), ("c", "void")], start=1):
        old.execute("INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    [seq, rid, kind, "tcm" if kind == "service_use" else None, "e", "b", "old-device",
                     "2026-11-25T04:00:00.000Z", "b" if kind == "void" else None, "{}", "0" * 64])
        old.execute("INSERT INTO outbox (seq, state) VALUES (?, ?)", [seq, "synced" if seq == 1 else "pending"])
    old.conn.commit()
    old.close()
    with Ledger(path) as ledger:
        assert ledger.device_id == "old-device"
        status = ledger.status()
        assert status.counts == {"registration": 1, "service_use": 0, "void": 1}
        assert (status.pending, status.synced) == (2, 1)
        ledger.append(record_id="d", kind="service_use", event_id="e", booth_id="b", data={}, subject="tcm")
        assert ledger.effective_subjects("service_use") == {"tcm": 1}
        assert ledger.get("d").seq == 4


def test_a_failed_migration_leaves_the_file_as_it_was(tmp_path):
    from booth_common.migrations import Migrations
    from kiosk.migrations import LEDGER_LOG

    path = tmp_path / "l.db"
    Ledger(path).close()
    broken = Migrations("kiosk-ledger", LEDGER_LOG)

    @broken()
    def m999_broken(db):
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    db = Database(path)
    with pytest.raises(RuntimeError):
        broken.apply(db.conn)
    assert not db["half_done"].exists() and "m999_broken" not in broken.applied(db.conn)  # still pending
    db.close()


def test_ledgers_opened_at_once_by_many_processes_apply_each_migration_once(tmp_path):
    """The GUI and `kiosk sync` (or several) opening a fresh ledger together: no one fails, nothing twice."""
    import subprocess
    import sys

    script = ("import sys, time; from pathlib import Path; from kiosk.ledger import Ledger\n"
              "start = float(sys.argv[2])\n"
              "while time.time() < start: pass\n"
              "Ledger(Path(sys.argv[1])).close()\n")
    for attempt in range(3):
        path = tmp_path / f"race{attempt}.db"
        import time
        start = time.time() + 1.5
        procs = [subprocess.Popen([sys.executable, "-c", script, str(path), str(start)], stderr=subprocess.PIPE,
                                  text=True) for _ in range(4)]
        errors = [p.communicate(timeout=60)[1] for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
        with Ledger(path) as ledger:
            assert migrations.applied(ledger.db.conn) == migrations.names


def test_a_worker_connection_leaves_the_kiosk_locks_so_another_process_keeps_off_its_wal(tmp_path):
    """The kiosk opens a second connection for each job off the GUI thread (an export, the purge, a member
    search). A `kiosk export` or `kiosk sync` in another process then opens and closes the ledger: it must
    still see the kiosk's connection, so that its close leaves the kiosk's WAL and shared memory alone. (A
    POSIX lock goes when its process closes any descriptor of the file: opening the ledger to set its mode
    dropped the kiosk's, the other process deleted the WAL under it, and the kiosk read 'disk I/O error'.)"""
    import subprocess
    import sys

    path = tmp_path / "l.db"
    kiosk = Ledger(path)
    kiosk.append(record_id="r1", kind="handout", event_id="e", booth_id="b", data={}, subject="leaflet")
    Ledger(path).close()  # a pool thread's connection, as detached() opens and closes it
    other = subprocess.run([sys.executable, "-c", "import sys; from kiosk.ledger import Ledger; "
                            "Ledger(sys.argv[1]).close()", str(path)], capture_output=True, text=True, timeout=60)
    assert other.returncode == 0, other.stderr
    assert (tmp_path / "l.db-wal").exists() and (tmp_path / "l.db-shm").exists()  # the kiosk's, still open
    kiosk.append(record_id="r2", kind="handout", event_id="e", booth_id="b", data={}, subject="leaflet")
    kiosk.close()
    with Ledger(path) as again:
        assert again.get("r1") is not None and again.get("r2") is not None
