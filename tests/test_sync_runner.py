"""The Qt sync runner: status signals from a worker thread, never the GUI thread; retry on network return."""

import dataclasses
import functools
import threading

import pytest

from kiosk.app import open_ledger
from kiosk.simulate import simulate
from kiosk.ui.sync_runner import SyncRunner
from loopback import FAST, booth_code, city  # noqa: F401
from PySide6.QtNetwork import QNetworkInformation
from sync.client import SyncClient
from sync.enrollment import enroll_device
from sync.job import SyncJob, SyncState

HOUR_MS = 3_600_000


# On SQLite only (one_backend, tests/conftest.py): the kiosk's sync runner end to end; the server's storage part
# runs on both databases in the storage and API suites.
pytestmark = pytest.mark.one_backend


def make_job(core, *, threads=None, policy=FAST):
    def client_for(link):
        if threads is not None:
            threads.append(threading.get_ident())
        return SyncClient(link.url, token=link.token, connect_timeout=1.0, read_timeout=5.0)
    return SyncJob(functools.partial(open_ledger, core.data_dir), core.keys, make_client=client_for, policy=policy)


@pytest.fixture
def runner_for(qtbot):
    runners = []

    def build(job, **kwargs):
        runner = SyncRunner(job.run, **kwargs)
        runners.append(runner)
        return runner

    yield build
    for runner in runners:
        runner.stop()


def enrol(core, city):
    enroll_device(core.ledger, core.keys, SyncClient(city.url), server_url=city.url, code=booth_code(city, core))


def test_runner_syncs_off_the_gui_thread_and_reports_synced(qtbot, core, city, runner_for):
    simulate(core.booth, members=3, services=5, quiz=1, handouts=1, seed=2)
    enrol(core, city)
    threads = []
    runner = runner_for(make_job(core, threads=threads), period_ms=HOUR_MS)
    with qtbot.waitSignal(runner.status_changed, timeout=10_000) as blocker:
        runner.start()
    status = blocker.args[0]
    assert status.state is SyncState.SYNCED and status.pending == 0 and status.last_sync_local
    assert "synced at" in status.text
    assert threads and threading.get_ident() not in threads
    assert city.storage.count_records() == core.ledger.status().total_records


def test_runner_says_enrollment_required_before_enrolment(qtbot, core):
    from kiosk.app import build_sync_runner

    simulate(core.booth, members=1, services=1, quiz=0, handouts=0, seed=2)
    runner = build_sync_runner(core, period_ms=HOUR_MS)      # as the composition root builds it
    try:
        with qtbot.waitSignal(runner.status_changed, timeout=10_000) as blocker:
            runner.start()
    finally:
        runner.stop()
    assert blocker.args[0].state is SyncState.ENROLLMENT_REQUIRED and blocker.args[0].pending == 2


def test_offline_then_network_back_triggers_an_immediate_attempt(qtbot, core, city, runner_for):
    simulate(core.booth, members=2, services=2, quiz=0, handouts=0, seed=3)
    enrol(core, city)
    city.stop()
    slow_retry = dataclasses.replace(FAST, backoff_base_s=3600.0, backoff_cap_s=3600.0)
    runner = runner_for(make_job(core, policy=slow_retry), period_ms=HOUR_MS)
    with qtbot.waitSignal(runner.status_changed, timeout=10_000) as blocker:
        runner.start()
    offline = blocker.args[0]
    assert offline.state is SyncState.OFFLINE and offline.pending == 4 and "cannot reach" in offline.detail
    assert "offline" in offline.text
    city.start()   # same port: the network is back, and no timer would fire within the hour
    with qtbot.waitSignal(runner.status_changed, timeout=10_000) as blocker:
        runner.on_reachability_changed(QNetworkInformation.Reachability.Online)
    assert blocker.args[0].state is SyncState.SYNCED


def test_needs_attention_is_a_state_of_its_own(qtbot, core, city, runner_for):
    simulate(core.booth, members=2, services=1, quiz=0, handouts=0, seed=4)
    enrol(core, city)
    registration = next(r for r in core.ledger.records() if r.kind == "registration")
    envelope = core.ledger.sealed_envelope(registration.id)
    core.ledger.replace_sealed([(registration.id, envelope[:-6] + ("A" if envelope[-6] != "A" else "B") + envelope[-5:])],
                               key_id="tampered")
    runner = runner_for(make_job(core), period_ms=HOUR_MS)
    with qtbot.waitSignal(runner.status_changed, timeout=10_000) as blocker:
        runner.start()
    assert blocker.args[0].state is SyncState.NEEDS_ATTENTION and blocker.args[0].needs_attention == 1


def test_sync_now_while_running_queues_one_more_run_not_a_second_sender(qtbot, core, city, runner_for):
    enrol(core, city)
    runner = runner_for(make_job(core), period_ms=HOUR_MS)
    seen = []
    runner.status_changed.connect(seen.append)
    runner.start()
    runner.sync_now()
    runner.sync_now()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)
    assert all(s.state is SyncState.SYNCED for s in seen)


def test_an_unexpected_failure_is_reported_and_the_runner_keeps_going(qtbot, core, runner_for):
    calls = []

    class BrokenDisk:
        def run(self):
            calls.append(1)
            if len(calls) == 1:
                raise OSError("disk I/O error")
            return make_job(core).run()

    runner = runner_for(BrokenDisk(), period_ms=HOUR_MS)
    with qtbot.waitSignal(runner.error_occurred, timeout=10_000) as blocker:
        runner.start()
    assert "disk I/O error" in blocker.args[0]
    with qtbot.waitSignal(runner.status_changed, timeout=10_000) as blocker:
        runner.sync_now()
    assert blocker.args[0].state is SyncState.ENROLLMENT_REQUIRED
