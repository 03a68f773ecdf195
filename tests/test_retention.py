import datetime as dt

from kiosk.booth import RegistrationForm
from kiosk.retention import purge_expired, purge_now
from kiosk.simulate import iter_fake_people


def _register(booth, n, seed):
    people = []
    for (name, phone, id_number), _ in zip(iter_fake_people(seed), range(n)):
        booth.register(RegistrationForm(name=name, phone=phone, id_number=id_number, occupation="courier",
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
    ledger.mark_synced(ids[:3], at="2026-11-01T10:00:00.000Z")  # synced long ago
    ledger.mark_synced(ids[3:4])                               # synced just now
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
    core.ledger.mark_synced([r.id for r in core.ledger.records()])
    assert purge_now(core.ledger) == 4
    assert core.ledger.sealed_envelopes() == []
    # the duplicate check forgets purged people too: minimisation over convenience after the event
    assert core.booth.find_member(phone=people[0][1]) is None


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
    core.ledger.mark_synced(ids[:2])
    on_device = core.booth.personal_data_on_device()
    assert (on_device.purgeable, on_device.kept_unsynced) == (2, 1)
    assert core.booth.purge_personal_data(via="console") == 2
    on_device = core.booth.personal_data_on_device()
    assert (on_device.purgeable, on_device.kept_unsynced) == (0, 1)
    [audit] = list(core.ledger.records(kind="audit"))
    assert audit.data == {"action": "purge", "details": {"records": 2, "all_synced": True, "via": "console"}}
