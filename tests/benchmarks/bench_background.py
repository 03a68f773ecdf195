"""Off the GUI thread at a million records: the console's member search (p99 ≤ 100 ms, the answer back on the
GUI thread) and the day report export, CSV and XLSX (the GUI thread never stalls more than 50 ms while it runs).

Run: uv run pytest tests/benchmarks/bench_background.py -o python_files='bench_*.py' -s
The stall meter is a precise 5 ms timer on the GUI thread: a gap between two of its ticks is what the volunteer
feels. This machine's 2 cores are shared with other jobs, so on Linux each tick also reads the GUI thread's
scheduler figures (/proc/thread-self/schedstat: time run, time waited runnable for a CPU). A gap less the time
the thread waited for a CPU is the stall this program owes: the GUI thread's own work and its waits for the
interpreter lock. Both are printed, with the same meter over a few seconds of nothing (the machine's own noise).
"""

from __future__ import annotations

import csv
import gc
import os
import random
import time
import uuid
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QEventLoop, Qt, QTimer

from benchmarks.bench_ledger import BIG, _report_percentiles
from booth_common.records import freeze_payload
from console_helpers import FakeClock, close_gui, open_gui, unlock
from kiosk import masking
from kiosk.app import build_core, freeze_start_up_objects
from kiosk.settings import DEMO_CONFIG
from kiosk.simulate import fake_name, fake_phone
from kiosk.ui.dashboard_screen import ExportFolder

SEARCH_P99_MS = 100
STALL_MS = 50
CSV_ROUNDS = 3
QUIET_S = 5
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


def _wait(done, *, poll_ms: int = 50) -> None:  # type: ignore[no-untyped-def]
    """Run the GUI thread's event loop until ``done()``; polled less often than the meter's 5 ms ticks."""
    loop = QEventLoop()
    poll = QTimer(interval=poll_ms)
    poll.timeout.connect(lambda: done() and loop.quit())
    poll.start()
    loop.exec()
    poll.stop()


SCHEDSTAT = Path("/proc/thread-self/schedstat")


class StallMeter:
    """Gaps between the ticks of a precise 5 ms timer on the GUI thread, each with the time the thread waited
    runnable for a CPU meanwhile (Linux; 0 elsewhere) and the time Python's garbage collector ran in it (a
    collection holds the interpreter lock on whichever thread runs it). The meter's start counts as its
    first tick: whatever the GUI thread was busy with before the timer could first fire is a gap too."""

    def __init__(self) -> None:
        self.ticks: list[tuple[float, int]] = []
        self.collections: list[tuple[float, float, int]] = []  # start, end, generation
        self._fd = os.open(SCHEDSTAT, os.O_RDONLY) if SCHEDSTAT.exists() else None  # opened on the GUI thread
        self._timer = QTimer(interval=5, timerType=Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._collecting = 0.0

    def _tick(self) -> None:
        waited = int(os.pread(self._fd, 64, 0).split()[1]) if self._fd is not None else 0
        self.ticks.append((time.perf_counter(), waited))

    def _collected(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._collecting = time.perf_counter()
        else:
            self.collections.append((self._collecting, time.perf_counter(), info["generation"]))

    def __enter__(self) -> StallMeter:
        self.ticks.clear()
        self.collections.clear()
        gc.callbacks.append(self._collected)
        self.started = time.perf_counter()
        self._tick()
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.stop()
        gc.callbacks.remove(self._collected)
        self.seconds = time.perf_counter() - self.started

    def gaps(self) -> list[tuple[float, float, float, float]]:
        """(gap ms, gap less the waits for a CPU ms, starts s after the meter's start, garbage collection ms)."""
        return [((b - a) * 1000, (b - a) * 1000 - (wb - wa) / 1e6, a - self.started, self._collecting_in(a, b))
                for (a, wa), (b, wb) in zip(self.ticks, self.ticks[1:])]

    def _collecting_in(self, a: float, b: float) -> float:
        return sum(max(0.0, min(b, end) - max(a, start)) for start, end, _ in self.collections) * 1000

    def figures(self, gaps: list[tuple[float, float, float, float]] | None = None) -> dict[str, float]:
        gaps = self.gaps() if gaps is None else gaps
        raw, own = sorted(g[0] for g in gaps), sorted(g[1] for g in gaps)
        longest = max(gaps)
        return {"s": self.seconds, "ticks": len(self.ticks), "p50_ms": raw[len(raw) // 2],
                "p99_ms": raw[int(len(raw) * 0.99)], "max_ms": longest[0], "max_at_s": longest[2],
                "max_gc_ms": longest[3], "max_own_ms": own[-1], "p99_own_ms": own[int(len(own) * 0.99)],
                "gc_full": sum(1 for c in self.collections if c[2] == 2)}

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)


def _overlapping(meter: StallMeter, span: tuple[float, float]) -> list[tuple[float, float, float, float]]:
    """The meter's gaps that overlap ``span`` (perf_counter seconds)."""
    start, end = (t - meter.started for t in span)
    return [g for g in meter.gaps() if g[2] < end and g[2] + g[0] / 1000 > start]


def _line(name: str, f: dict[str, float]) -> str:
    return (f"{name}: {f['s']:.1f} s, {f['ticks']:.0f} ticks; gaps p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms, "
            f"longest {f['max_ms']:.1f} ms ({f['max_at_s']:.1f} s in, {f['max_gc_ms']:.1f} ms of it collecting garbage; "
            f"{f['gc_full']:.0f} full collections in all); less the waits for a CPU: p99 "
            f"{f['p99_own_ms']:.1f} ms, longest {f['max_own_ms']:.1f} ms")


def test_member_search_at_1m_records_off_the_gui_thread(benchmark, qtbot, big_day):
    """On the console's members screen, from the volunteer's tap on search to the list filled on the GUI thread:
    a pool thread opens its own connection and searches (by masked name or phone tail, alternately), the answer
    comes back by signal and fills the list. The stall meter runs through all the searches, and the first
    search's own gaps are shown apart. As on a kiosk, the window has been shown and painted, and start-up's
    objects frozen (``freeze_start_up_objects``, as ``run_gui`` does), before the first search: the first
    show of every screen, and full garbage collections walking the whole process (85 ms in this one), were the
    first search's stalls when the meter started straight after building the window."""
    root, wanted = big_day
    core, gui = open_gui(root, FakeClock())
    unlock(gui)
    gui.console.home.members_button.click()
    screen = gui.console.members
    settle_until = time.perf_counter() + 1
    _wait(lambda: time.perf_counter() > settle_until)
    freeze_start_up_objects()
    rng = random.Random(5)
    answers: list[int] = []
    screen.searched.connect(answers.append)
    spans: list[tuple[float, float]] = []  # each search's tap and answer
    meter = StallMeter()

    def one_search() -> None:
        name, tail = rng.choice(wanted)
        screen.query.setText(name if rng.random() < 0.5 else tail)
        before = len(answers)
        tapped = time.perf_counter()
        screen.search_button.click()
        _wait(lambda: len(answers) > before, poll_ms=1)
        spans.append((tapped, time.perf_counter()))

    try:
        with meter:
            benchmark.pedantic(one_search, rounds=300, iterations=1, warmup_rounds=5)
    finally:
        meter.close()
        close_gui(core, gui)
        gc.unfreeze()
    assert min(answers) >= 1  # every query names a member who is there
    _report_percentiles(benchmark)
    stalls = meter.figures()
    print(_line("GUI thread during the searches", stalls) + f"; load {os.getloadavg()[0]:.1f}")
    first = meter.figures(_overlapping(meter, spans[0]))
    print(_line("GUI thread during the first search", first))
    benchmark.extra_info.update({f"first_search_{k}": round(v, 1) for k, v in first.items()})
    benchmark.extra_info.update({f"stall_{k}": round(v, 1) for k, v in stalls.items()})
    assert benchmark.extra_info["p99_ms"] <= SEARCH_P99_MS  # the stalls are reported (README), not a goal here


def _export_once(dash, button, meter: StallMeter) -> tuple[dict[str, float], Path, int]:
    """Tap export on the dashboard and let the event loop run until the file is there; the meter runs
    throughout, and each tick notes the bar's position too."""
    exported: list[Path] = []
    bar: set[int] = set()
    dash.exported.connect(exported.append)
    dash.progress.valueChanged.connect(bar.add)
    try:
        with meter:
            button.click()
            _wait(lambda: bool(exported))
    finally:
        dash.exported.disconnect(exported.append)
        dash.progress.valueChanged.disconnect(bar.add)
    return meter.figures(), exported[0], len(bar)


def _records_in(path: Path) -> int:
    if path.suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return sum(1 for row in csv.reader(fh) if row and row[0].isdigit())
    sheet = load_workbook(path, read_only=True)["记录 Records"]
    return sum(1 for _ in sheet.iter_rows(min_row=2, max_col=1, values_only=True))


def test_day_export_at_1m_records_never_freezes_the_screen(benchmark, qtbot, big_day, tmp_path, monkeypatch):
    """The volunteer taps "export CSV" (three times) and "export Excel" (once) on the dashboard of a
    million-record day; the stall meter runs through each export, and once through a few seconds of nothing."""
    root, _ = big_day
    monkeypatch.setattr(ExportFolder, "ask", classmethod(lambda cls, parent, default: tmp_path))
    core, gui = open_gui(root, FakeClock())
    unlock(gui)
    gui.console.home.dashboard_button.click()
    dash = gui.console.dashboard
    dash._timer.setInterval(5000)  # the console's own refresh period (the test helpers slow it to an hour)
    dash._timer.start()
    freeze_start_up_objects()  # as run_gui does once the kiosk has started
    meter = StallMeter()
    runs: list[tuple[str, dict[str, float]]] = []
    print(f"\nload average at the start: {os.getloadavg()[0]:.1f} (2 cores)")
    try:
        with meter:
            end = time.perf_counter() + QUIET_S
            _wait(lambda: time.perf_counter() > end)
        runs.append(("nothing running", meter.figures()))
        print(_line(runs[-1][0], runs[-1][1]))
        rounds = [("CSV", dash.csv_button)] * CSV_ROUNDS + [("Excel", dash.xlsx_button)]

        def export_each() -> None:
            for name, button in rounds:
                figures, out, bar_steps = _export_once(dash, button, meter)
                assert _records_in(out) >= BIG
                assert bar_steps > 10  # the bar moved as the rows went out
                out.unlink()
                runs.append((f"{name} export", figures))
                print(_line(runs[-1][0], figures) + f"; bar at {bar_steps} values; load {os.getloadavg()[0]:.1f}")

        benchmark.pedantic(export_each, rounds=1, iterations=1)
    finally:
        meter.close()
        close_gui(core, gui)
        gc.unfreeze()
    for i, (name, figures) in enumerate(runs):
        benchmark.extra_info.update({f"{i}_{name}_{k}": round(v, 1) for k, v in figures.items()})
    exports = [f for name, f in runs if "export" in name]
    assert all(f["max_own_ms"] <= STALL_MS for f in exports), [f["max_own_ms"] for f in exports]
