"""`kiosk enroll` and `kiosk sync --once` against the real loopback server."""

import pytest

from kiosk.cli import main
from kiosk.simulate import simulate
from loopback import assert_exactly_once, booth_code, city  # noqa: F401


# On SQLite only (one_backend, tests/conftest.py): the kiosk's sync command end to end; the server's storage part
# runs on both databases in the storage and API suites.
pytestmark = pytest.mark.one_backend


def run(*args, data_dir):
    return main([*args, "--data-dir", str(data_dir)])


def test_enroll_then_sync_once_exits_zero_with_everything_on_the_server(core, city, data_dir, capsys):
    simulate(core.booth, members=4, services=6, quiz=2, handouts=1, seed=9)
    code = booth_code(city, core)
    core.close()
    assert run("enroll", "--server", city.url, "--code", code, data_dir=data_dir) == 0
    assert "enrolled" in capsys.readouterr().out
    assert run("sync", "--once", data_dir=data_dir) == 0
    assert "pending 0" in capsys.readouterr().out
    from kiosk.app import open_ledger
    with open_ledger(data_dir) as ledger:
        assert_exactly_once(city, ledger)
        audits = [r.data for r in ledger.records(kind="audit")]
    assert [a["action"] for a in audits] == ["enrolment"]  # synced with the rest (exactly once above)


def test_sync_before_enrolment_says_so(core, data_dir, capsys):
    core.close()
    assert run("sync", "--once", data_dir=data_dir) == 3
    assert "not enrolled" in capsys.readouterr().err


def test_wrong_code_is_refused_clearly(core, city, data_dir, capsys):
    core.close()
    assert run("enroll", "--server", city.url, "--code", "AAAA-BBBB-CCCC-DDDD", data_dir=data_dir) == 3
    assert "enrolment refused" in capsys.readouterr().err


def test_plain_http_to_a_remote_server_is_refused(core, data_dir, capsys):
    core.close()
    assert run("enroll", "--server", "http://city.example.org", "--code", "X", data_dir=data_dir) == 2
    assert "https" in capsys.readouterr().err


def test_sync_once_when_unreachable_or_refused_exits_non_zero_with_the_reason(core, city, data_dir, capsys):
    simulate(core.booth, members=2, services=2, quiz=0, handouts=0, seed=4)
    code = booth_code(city, core)
    device_id = core.ledger.device_id
    core.close()
    assert run("enroll", "--server", city.url, "--code", code, data_dir=data_dir) == 0
    city.storage.revoke(device_id=device_id, at="2026-11-25T00:00:00.000Z")
    assert run("sync", "--once", data_dir=data_dir) == 3
    assert "refused this device's token" in capsys.readouterr().err
    city.stop()
    assert run("sync", "--once", "--attempts", "1", data_dir=data_dir) == 4
    err = capsys.readouterr().err
    assert "5 record(s) pending here" in err and "cannot reach" in err  # 4 records and the enrolment audit
