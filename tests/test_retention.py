import datetime as dt

from kiosk.membership import RegistrationForm
from kiosk.retention import purge_expired, purge_now
from kiosk.simulate import iter_fake_people


def _register(booth, n, seed):
    people = []
    for (name, phone, id_number), _ in zip(iter_fake_people(seed), range(n)):
        booth.members.register(RegistrationForm(name=name, phone=phone, id_number=id_number, occupation="courier",
                                        consent_given=True))
        people.append((name, phone, id_number))
    return people


def _raw(data_dir):
    return b"".join(p.read_bytes() for p in data_dir.iterdir() if p.is_file())


def test_purge_after_retention_leaves_no_sealed_bytes_and_keeps_counts(core, data_dir):
    ledger = core.ledger
    _register(core.booth, 5, seed=1)
    envelopes = [env for _, env in ledger.sealed_envelopes()]
    ids = [r.id for r in ledger.records()]
    ledger.outbox.mark_synced(ids[:3], at="2026-11-01T10:00:00.000Z")  # synced long ago
    ledger.outbox.mark_synced(ids[3:4])                               # synced just now
    purged = purge_expired(ledger, retention_days=7, now=dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc))
    assert purged == 3
    raw = _raw(data_dir)
    for envelope in envelopes[:3]:
        assert envelope.encode() not in raw
        # Not even a fragment of the record's own ciphertext (after the session header, a sealed key
        # that the other envelopes of its session share, the kept ones among them).
        assert envelope[6 + 124:6 + 164].encode() not in raw
    assert all(ledger.sealed_envelope(rid) for rid in ids[3:])
    assert ledger.status().counts["registration"] == 5  # counts and masked forms stay
    assert all("*" in r.data["masked_name"] for r in ledger.records())


def test_never_synced_records_are_never_purged(core):
    _register(core.booth, 3, seed=2)
    assert purge_now(core.ledger) == 0
    assert len(core.ledger.sealed_envelopes()) == 3


def test_purge_now_takes_every_synced_record(core, data_dir):
    people = _register(core.booth, 4, seed=3)
    core.ledger.outbox.mark_synced([r.id for r in core.ledger.records()])
    assert purge_now(core.ledger) == 4
    assert core.ledger.sealed_envelopes() == []
    # the duplicate check forgets purged people too: minimisation over convenience after the event
    assert core.booth.members.find_member(phone=people[0][1]) is None


def test_purge_from_the_command_line_is_audited(data_dir, capsys):
    from kiosk.cli import main
    from kiosk.ledger import Ledger

    assert main(["purge", "--now", "--data-dir", str(data_dir)]) == 0
    assert "purged the personal fields of 0" in capsys.readouterr().out
    with Ledger(data_dir / "ledger.sqlite3") as ledger:
        audits = list(ledger.records(kind="audit"))
    assert [a.data["action"] for a in audits] == ["purge"]
    assert audits[0].data["details"]["all_synced"] is True


def test_the_service_counts_what_a_purge_takes_then_purges_and_audits_it(core, data_dir):
    _register(core.booth, 3, seed=4)
    ids = [r.id for r in core.ledger.records()]
    core.ledger.outbox.mark_synced(ids[:2])
    on_device = core.booth.audit.personal_data_on_device()
    assert (on_device.purgeable, on_device.kept_unsynced) == (2, 1)
    assert core.booth.audit.purge_personal_data(via="console") == 2
    on_device = core.booth.audit.personal_data_on_device()
    assert (on_device.purgeable, on_device.kept_unsynced) == (0, 1)
    [audit] = list(core.ledger.records(kind="audit"))
    assert audit.data == {"action": "purge", "details": {"records": 2, "all_synced": True, "via": "console",
                                                         "complete": True}}


_READER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=10)
conn.execute("BEGIN")
conn.execute("SELECT count(*) FROM sealed").fetchone()   # a read transaction, as the sync worker holds one
print("reading", flush=True)
time.sleep(float(sys.argv[2]))
conn.rollback()
conn.close()
"""


def _start_reader(data_dir, seconds):
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", _READER, str(data_dir / "ledger.sqlite3"), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "reading"
    return proc


def test_purge_with_a_reader_open_in_another_process_fails_honestly_then_succeeds(core, data_dir, capsys):
    from kiosk.cli import main

    _register(core.booth, 4, seed=5)
    core.ledger.outbox.mark_synced([r.id for r in core.ledger.records()])
    envelopes = [env for _, env in core.ledger.sealed_envelopes()]
    core.close()
    reader = _start_reader(data_dir, 60)
    try:
        assert main(["purge", "--now", "--data-dir", str(data_dir)]) == 5
        err = capsys.readouterr().err
        assert "purge not complete" in err and "another program" in err
    finally:
        reader.kill()
        reader.wait()
    # the old bytes are still in the WAL: what "not complete" means, seen in the files
    assert any(env.encode() in _raw(data_dir) for env in envelopes)
    assert main(["purge", "--now", "--data-dir", str(data_dir)]) == 0
    raw = _raw(data_dir)
    assert not any(env.encode() in raw for env in envelopes)
    from kiosk.ledger import Ledger
    with Ledger(data_dir / "ledger.sqlite3") as ledger:
        details = [a.data["details"] for a in ledger.records(kind="audit")]
    assert [d["complete"] for d in details] == [False, True]


def test_purge_waits_out_a_short_reader_and_completes(core, data_dir):
    _register(core.booth, 3, seed=6)
    core.ledger.outbox.mark_synced([r.id for r in core.ledger.records()])
    envelopes = [env for _, env in core.ledger.sealed_envelopes()]
    reader = _start_reader(data_dir, 1.0)  # the checkpoint is retried until it lets go
    try:
        assert core.booth.audit.purge_personal_data(via="console") == 3
    finally:
        reader.wait()
    raw = _raw(data_dir)
    assert not any(env.encode() in raw for env in envelopes)
    [audit] = list(core.ledger.records(kind="audit"))  # written after the checkpoint, so the WAL holds it
    assert audit.data["details"]["complete"] is True


def test_the_console_purge_says_when_it_could_not_finish(core, data_dir):
    import pytest

    from kiosk.errors import PurgeFailed

    _register(core.booth, 2, seed=7)
    core.ledger.outbox.mark_synced([r.id for r in core.ledger.records()])
    reader = _start_reader(data_dir, 60)
    try:
        with pytest.raises(PurgeFailed) as failed:
            core.booth.audit.purge_personal_data(via="console")
    finally:
        reader.kill()
        reader.wait()
    assert "清除未完成" in failed.value.zh and "Purge incomplete" in failed.value.en


def test_sync_stands_aside_while_a_purge_runs(core):
    from kiosk.retention import sync_paused

    with sync_paused(core.ledger):
        assert not core.ledger.outbox.acquire_sender_lease("sync-worker", ttl_s=120, now=__import__("time").time())
    assert core.ledger.outbox.acquire_sender_lease("sync-worker", ttl_s=120, now=__import__("time").time())
