"""Every exit code of `kiosk sync --once`, each against the real server on loopback: 0 only when the
server holds every record, 4 whenever it cannot be reached, and a killed sender's lease taken over at once."""

import json
import signal
import subprocess
import sys
import time

import pytest

from kiosk.app import build_core, open_ledger
from kiosk.cli import main as kiosk_main
from kiosk.settings import DEMO_CONFIG
from kiosk.simulate import simulate
from loopback import FaultProxy, assert_exactly_once, booth_code, city, delay_after_commit  # noqa: F401
from sync.sender import new_holder


# `kiosk sync --once` exit codes: on SQLite only (one_backend, tests/conftest.py) but for those where the server's
# storage decides (both_backends).
pytestmark = pytest.mark.one_backend


def run(*args, data_dir):
    return kiosk_main([*args, "--data-dir", str(data_dir)])


@pytest.fixture
def enrolled(core, city, data_dir):
    """A booth with a few records, enrolled through the command line; the core closed as after a day."""
    simulate(core.booth, members=3, services=5, quiz=1, handouts=2, seed=8)
    code = booth_code(city, core)
    core.close()
    assert run("enroll", "--server", city.url, "--code", code, data_dir=data_dir) == 0
    return data_dir


def more_records(data_dir, *, services, members=0):
    core = build_core(data_dir=data_dir, config_path=DEMO_CONFIG)
    simulate(core.booth, members=members, services=services, quiz=0, handouts=0, seed=services)
    core.close()


def server_count(city, data_dir):
    with open_ledger(data_dir) as ledger:
        return len(city.storage.record_rows(device_id=ledger.device_id)), ledger.status().total_records


@pytest.mark.both_backends
def test_exit_0_only_with_every_record_on_the_server(city, enrolled, capsys):
    assert run("sync", "--once", data_dir=enrolled) == 0
    held, total = server_count(city, enrolled)
    assert held == total == 12           # 11 records and the enrolment audit


def test_exit_4_when_unreachable_even_with_nothing_pending_here(city, enrolled, capsys):
    assert run("sync", "--once", data_dir=enrolled) == 0
    city.stop()
    assert run("sync", "--once", "--attempts", "1", data_dir=enrolled) == 4
    err = capsys.readouterr().err
    assert "not synced, 0 record(s) pending here" in err and "cannot reach" in err


@pytest.mark.both_backends
def test_a_server_restored_from_an_older_backup_gets_everything_back_before_exit_0(city, enrolled, tmp_path, capsys):
    assert run("sync", "--once", data_dir=enrolled) == 0
    backup = tmp_path / "backup.sqlite3"
    city.storage.backup_to(backup)
    more_records(enrolled, services=20, members=2)
    assert run("sync", "--once", data_dir=enrolled) == 0
    city.stop()
    assert run("sync", "--once", "--attempts", "1", data_dir=enrolled) == 4     # going down: not "done"
    city.restore(backup)                                                        # back, with an older copy
    assert server_count(city, enrolled)[0] == 12
    capsys.readouterr()
    assert run("sync", "--once", data_dir=enrolled) == 0
    assert "requeued 22" in capsys.readouterr().out
    with open_ledger(enrolled) as ledger:
        assert_exactly_once(city, ledger)


def test_exit_3_when_the_server_refuses_the_token(city, enrolled, capsys):
    with open_ledger(enrolled) as ledger:
        city.storage.revoke(device_id=ledger.device_id, at="2026-11-25T00:00:00.000Z")
    assert run("sync", "--once", data_dir=enrolled) == 3
    assert "enrol again" in capsys.readouterr().err


def test_exit_1_while_another_live_sync_holds_the_lease(city, enrolled, capsys):
    with open_ledger(enrolled) as ledger:   # this very process holds it: alive, so it is respected
        assert ledger.outbox.acquire_sender_lease(new_holder(), ttl_s=120, now=time.time())
    assert run("sync", "--once", data_dir=enrolled) == 1
    assert "another sync is running" in capsys.readouterr().err


def test_exit_5_when_the_server_refused_records_which_stay_here(city, enrolled, capsys):
    with open_ledger(enrolled) as ledger:
        ledger.set_meta("booth_id", "sjs-gucheng")          # records now claim another booth
    more_records(enrolled, services=3)
    assert run("sync", "--once", data_dir=enrolled) == 5
    assert "3 record(s) refused by the server need attention" in capsys.readouterr().err
    with open_ledger(enrolled) as ledger:
        assert ledger.status().needs_attention == 3 and ledger.status().pending == 0


def test_exit_2_on_bad_arguments(enrolled, capsys):
    with pytest.raises(SystemExit) as stopped:
        run("sync", "--attempts", "-1", data_dir=enrolled)
    assert stopped.value.code == 2


def test_a_sync_killed_with_sigkill_leaves_a_lease_the_next_run_takes_over_at_once(city, enrolled):
    proxy = FaultProxy(city.port)
    try:
        with open_ledger(enrolled) as ledger:
            ledger.set_meta("sync_server_url", proxy.url)
        proxy.plan = [delay_after_commit(30.0)]       # the server commits; the answer never comes
        sync = subprocess.Popen([sys.executable, "-m", "kiosk", "sync", "--once", "--data-dir", str(enrolled)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not (proxy.log and proxy.log[-1].upstream_status == 200):
            assert time.monotonic() < deadline and sync.poll() is None
            time.sleep(0.02)
        sync.send_signal(signal.SIGKILL)
        sync.wait()
        with open_ledger(enrolled) as ledger:
            assert ledger.outbox.sender_lease_holder() is not None      # left behind, not expired
            assert ledger.status().pending > 0
        started = time.monotonic()
        assert run("sync", "--once", data_dir=enrolled) == 0
        assert time.monotonic() - started < 30                   # not the lease's two minutes
        with open_ledger(enrolled) as ledger:
            assert_exactly_once(city, ledger)
            assert ledger.outbox.sender_lease_holder() is None
    finally:
        proxy.close()


def test_a_lease_holder_is_gone_only_when_provably_so():
    import dataclasses

    from sync.sender import holder_is_gone, new_holder, this_process

    me = this_process()
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(finished.stdout)
    assert not holder_is_gone(new_holder(me))                                             # alive
    assert holder_is_gone(new_holder(dataclasses.replace(me, pid=dead_pid)))              # no such process
    assert holder_is_gone(new_holder(dataclasses.replace(me, started=me.started - 60)))   # pid reused since
    assert holder_is_gone(new_holder(dataclasses.replace(me, boot_time=me.boot_time - 3600)))  # rebooted since
    assert not holder_is_gone(new_holder(dataclasses.replace(me, host="other.tablet", pid=dead_pid)))  # can't tell
    assert not holder_is_gone("3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b")                        # an older holder: expiry decides


def test_records_captured_under_another_booth_id_before_enrolment_are_kept_and_counted_nowhere(city, tmp_path,
                                                                                              capsys):
    """The configuration named another booth for the first captures, then was put right and the kiosk
    enrolled: those captures are refused by the server, kept here as needs attention, shown in status."""
    from console_helpers import event_config

    data_dir = tmp_path / "data"
    (tmp_path / "wrong").mkdir()
    wrong = event_config(tmp_path / "wrong", replace=(('id = "demo-cy-wangjing"', 'id = "old-booth"'),))
    core = build_core(data_dir=data_dir, config_path=wrong)
    simulate(core.booth, members=2, services=3, quiz=0, handouts=0, seed=5)
    captured = core.ledger.status().total_records
    core.close()
    core = build_core(data_dir=data_dir, config_path=DEMO_CONFIG)
    code = booth_code(city, core)
    core.close()
    assert run("enroll", "--server", city.url, "--code", code, data_dir=data_dir) == 0
    assert run("sync", "--once", data_dir=data_dir) == 5
    assert run("status", "--json", data_dir=data_dir) == 0
    status = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert status["needs_attention"] == captured and status["pending"] == 0
    with open_ledger(data_dir) as ledger:
        parked = ledger.outbox.needing_attention()
        assert all("'old-booth' is not the booth this device is enrolled for" in reason for _, reason in parked)
        assert {r.id for r, _ in parked} | {r.id for r in city_records(city, ledger)} == {r.id for r in ledger.records()}
    assert not [r for r in city.storage.record_rows() if r["booth_id"] == "old-booth"]


def city_records(city, ledger):
    held = {r["id"] for r in city.storage.record_rows(device_id=ledger.device_id)}
    return [r for r in ledger.records() if r.id in held]
