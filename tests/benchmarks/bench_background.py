"""Off the GUI thread at a million records: the console's member search (p99 ≤ 100 ms, the answer back on the
GUI thread) and the day report export (the GUI thread never stalls more than 50 ms while it runs)."""

from __future__ import annotations

import csv
import random
import time
import uuid

import pytest
from PySide6.QtCore import QEventLoop, Qt, QTimer

from benchmarks.bench_ledger import BIG, _report_percentiles
from booth_common.records import freeze_payload
from console_helpers import FakeClock, close_gui, open_gui, unlock
from kiosk import masking
from kiosk.app import build_core
from kiosk.settings import DEMO_CONFIG
from kiosk.simulate import fake_name, fake_phone
from kiosk.ui.background import run_in_background
from kiosk.ui.dashboard_screen import ExportFolder

SEARCH_P99_MS = 100
STALL_MS = 50
REGISTRATION_SHARE = 0.3


def _fill_members_and_visits(core, n: int, rng: random.Random) -> list[tuple[str, str]]:
    """n records of one day, 30% registrations with masked names and phones as the booth writes them, the rest
    desk visits; returns (masked name, phone tail) of some members, to search for."""
    ledger, db = core.ledger, core.ledger.db
    wanted: list[tuple[str, str]] = []
    rows, outbox = [], []
    with db.atomic():
        for seq in range(1, n + 1):
            rid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            at = f"2026-11-25T0{rng.randint(2, 7)}:{rng.randint(10, 59)}:00.000Z"
            if rng.random() < REGISTRATION_SHARE:
                name, phone = masking.mask_name(fake_name(rng)), masking.mask_phone(fake_phone(rng))
                kind, subject = "registration", "courier"
                data = {"masked_name": name, "masked_phone": phone, "masked_id_number": "110***********123X",
                        "occupation": "courier", "pass_token": f"P{seq:09d}"}
                if len(wanted) < 2000 and rng.random() < 0.01:
                    wanted.append((name, phone[-4:]))
            else:
                kind, subject, data = "service_use", "tcm", {"service": "tcm", "member": None}
            payload, digest = freeze_payload(record_id=rid, seq=seq, kind=kind, subject=subject, event_id="e",
                                             booth_id="b", device_id=ledger.device_id, captured_at=at,
                                             refers_to=None, data=data)
            rows.append((seq, rid, kind, subject, "e", "b", ledger.device_id, at, None, payload, digest))
            outbox.append((seq,))
            if len(rows) == 50_000 or seq == n:
                db.conn.executemany("INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
                db.conn.executemany("INSERT INTO outbox (seq) VALUES (?)", outbox)
                rows, outbox = [], []
    return wanted


@pytest.fixture(scope="module")
def big_day(tmp_path_factory):
    root = tmp_path_factory.mktemp("day")
    core = build_core(data_dir=root / "data", config_path=DEMO_CONFIG)
    wanted = _fill_members_and_visits(core, BIG, random.Random(3))
    core.close()
    return root, wanted


def _wait(done, *, poll_ms: int = 1) -> None:  # type: ignore[no-untyped-def]
    loop = QEventLoop()
    poll = QTimer(interval=poll_ms)
    poll.timeout.connect(lambda: done() and loop.quit())
    poll.start()
    loop.exec()
    poll.stop()


def _longest_gap(start, *, seconds: float) -> float:  # type: ignore[no-untyped-def]
    ticks: list[float] = []
    timer = QTimer(interval=5, timerType=Qt.TimerType.PreciseTimer)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    start()
    end = time.perf_counter() + seconds
    _wait(lambda: time.perf_counter() > end, poll_ms=50)
    timer.stop()
    return max(b - a for a, b in zip(ticks, ticks[1:])) * 1000


def test_member_search_at_1m_records_off_the_gui_thread(benchmark, qtbot, big_day):
    """From the volunteer's tap to the list's answer on the GUI thread: the worker opens its own connection,
    runs the search (by masked name or phone tail, alternately), and hands the members back by signal."""
    root, wanted = big_day
    core, gui = open_gui(root, FakeClock())
    screen = gui.console.members
    rng = random.Random(5)
    answers: list[int] = []

    def one_search() -> None:
        name, tail = rng.choice(wanted)
        query = name if rng.random() < 0.5 else tail
        before = len(answers)

        def look_up(_progress):  # type: ignore[no-untyped-def]
            with core.booth.members.detached() as members:  # as the members screen does
                return members.search_members(query)

        run_in_background(look_up, lambda found: answers.append(len(found)), pytest.fail, parent=screen)
        _wait(lambda: len(answers) > before)

    try:
        benchmark.pedantic(one_search, rounds=300, iterations=1, warmup_rounds=5)
    finally:
        close_gui(core, gui)
    assert min(answers) >= 1  # every query names a member who is there
    _report_percentiles(benchmark)
    assert benchmark.extra_info["p99_ms"] <= SEARCH_P99_MS


def test_day_export_at_1m_records_never_freezes_the_screen(benchmark, qtbot, big_day, tmp_path, monkeypatch):
    """The volunteer taps "export CSV" on the dashboard; a precise 5 ms timer on the GUI thread notes when it
    gets to run. The longest gap between two of its ticks during the export is the longest stall."""
    root, _ = big_day
    monkeypatch.setattr(ExportFolder, "ask", classmethod(lambda cls, parent, default: tmp_path))
    core, gui = open_gui(root, FakeClock())
    unlock(gui)
    gui.console.home.dashboard_button.click()
    dash = gui.console.dashboard
    dash._timer.setInterval(5000)  # the console's own refresh period (the test helpers slow it to an hour)
    results: dict[str, float] = {"idle_stall_ms": _longest_gap(lambda: None, seconds=3)}  # the machine's own noise

    def export_once() -> None:
        ticks: list[float] = []
        bar: list[int] = []
        timer = QTimer(interval=5, timerType=Qt.TimerType.PreciseTimer)
        timer.timeout.connect(lambda: (ticks.append(time.perf_counter()), bar.append(dash.progress.value())))
        exported: list[object] = []
        dash.exported.connect(exported.append)
        timer.start()
        started = time.perf_counter()
        dash.csv_button.click()
        _wait(lambda: bool(exported), poll_ms=50)  # polling less often than the 5 ms ticks it measures
        results["export_s"] = time.perf_counter() - started
        timer.stop()
        dash.exported.disconnect(exported.append)
        gaps = sorted(((b - a) * 1000, a - started) for a, b in zip(ticks, ticks[1:]))
        results["stall_ms"], results["stall_at_s"] = gaps[-1]
        results["p99_gap_ms"] = gaps[int(len(gaps) * 0.99)][0]
        results["stall_after_1s_ms"] = max(g for g, at in gaps if at >= 1.0)  # past the start's one-off hitch
        results["ticks"] = len(ticks)
        results["bar_steps"] = len(set(bar))
        results["out"] = exported[0]

    try:
        benchmark.pedantic(export_once, rounds=1, iterations=1)
    finally:
        close_gui(core, gui)
    with open(results["out"], encoding="utf-8-sig", newline="") as fh:
        records = sum(1 for row in csv.reader(fh) if row and row[0].isdigit())
    assert records >= BIG
    benchmark.extra_info.update({k: round(v, 1) for k, v in results.items() if k != "out"})
    print(f"\nexport of {records} records: {results['export_s']:.1f} s, longest GUI-thread stall "
          f"{results['stall_ms']:.1f} ms ({results['stall_at_s']:.1f} s in; after the first second "
          f"{results['stall_after_1s_ms']:.1f} ms; p99 gap {results['p99_gap_ms']:.1f} ms) "
          f"over {results['ticks']} ticks of a 5 ms timer, progress bar at {results['bar_steps']} values; "
          f"the same timer with nothing running: longest gap {results['idle_stall_ms']:.1f} ms")
    assert results["bar_steps"] > 10  # the bar moved as the rows went out
    assert results["stall_ms"] <= STALL_MS
