"""Ledger benchmarks: one registration written, and `kiosk status`, on an empty and a 1,000,000-record ledger."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from booth_common.records import freeze_payload
from kiosk.app import build_core
from kiosk.membership import RegistrationForm
from kiosk.settings import DEMO_CONFIG
from kiosk.simulate import fake_id_number, fake_name, fake_phone

BIG = 1_000_000


def _bulk_fill(core, n: int) -> None:
    """Fill a ledger fast, bypassing sealing (the rows look like simulate's; the write path is measured elsewhere)."""
    ledger = core.ledger
    db = ledger.db
    kinds = ["service_use"] * 5 + ["consultation"] * 2 + ["handout"] * 2 + ["quiz_attempt"]
    rng = random.Random(1)
    with db.atomic():
        start = db.execute("SELECT coalesce(max(seq), 0) FROM records").fetchone()[0]
        rows, outbox = [], []
        for i in range(start + 1, start + n + 1):
            kind = rng.choice(kinds)
            rid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            at = f"2026-11-25T0{rng.randint(2, 7)}:{rng.randint(10, 59)}:00.000Z"
            payload, digest = freeze_payload(record_id=rid, seq=i, kind=kind, subject="tcm", event_id="e",
                                             booth_id="b", device_id=ledger.device_id, captured_at=at,
                                             refers_to=None, data={"service": "tcm"})
            rows.append((i, rid, kind, "tcm", "e", "b", ledger.device_id, at, None, payload, digest))
            outbox.append((i,))
            if len(rows) == 50_000:
                db.conn.executemany("INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
                db.conn.executemany("INSERT INTO outbox (seq) VALUES (?)", outbox)
                rows, outbox = [], []
        db.conn.executemany("INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        db.conn.executemany("INSERT INTO outbox (seq) VALUES (?)", outbox)


@pytest.fixture(scope="module")
def big_ledger_dir(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("big")
    core = build_core(data_dir=data_dir, config_path=DEMO_CONFIG)
    _bulk_fill(core, BIG)
    core.close()
    return data_dir


def _registration_writer(core):
    rng = random.Random(7)

    def write_one() -> None:
        form = RegistrationForm(name=fake_name(rng), phone=fake_phone(rng), id_number=fake_id_number(rng),
                                occupation="courier", consent_given=True)
        core.booth.members.register(form)

    return write_one


@pytest.mark.parametrize("size", ["empty", "1M"])
def test_one_registration_written(benchmark, tmp_path, big_ledger_dir, size):
    data_dir = tmp_path / "d" if size == "empty" else big_ledger_dir
    core = build_core(data_dir=data_dir, config_path=DEMO_CONFIG)
    try:
        benchmark.pedantic(_registration_writer(core), rounds=300, iterations=1, warmup_rounds=5)
    finally:
        core.close()
    _report_percentiles(benchmark)


def test_status_on_1m_records(benchmark, big_ledger_dir):
    core = build_core(data_dir=big_ledger_dir, config_path=DEMO_CONFIG)
    try:
        status = benchmark(core.ledger.status)
        assert status.total_records >= BIG
    finally:
        core.close()
    _report_percentiles(benchmark)


def test_status_command_on_1m_records_wall_clock(benchmark, big_ledger_dir):
    """The whole `kiosk status --json` process, interpreter start-up included."""
    def run() -> None:
        out = subprocess.run([sys.executable, "-m", "kiosk", "status", "--json", "--data-dir", str(big_ledger_dir)],
                             capture_output=True, text=True, check=True).stdout
        assert json.loads(out)["total_records"] >= BIG

    benchmark.pedantic(run, rounds=10, iterations=1, warmup_rounds=1)
    _report_percentiles(benchmark)


def _report_percentiles(benchmark) -> None:
    data = sorted(benchmark.stats.stats.data)
    if not data:
        return
    def pct(p: float) -> float:
        return data[min(len(data) - 1, int(round(p / 100 * (len(data) - 1))))] * 1000
    benchmark.extra_info.update({"p50_ms": round(pct(50), 3), "p99_ms": round(pct(99), 3)})
    print(f"\n{benchmark.name}: p50 {pct(50):.2f} ms, p99 {pct(99):.2f} ms over {len(data)} rounds")
