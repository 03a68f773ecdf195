"""Sync benchmarks against the city server in its own process on 127.0.0.1, durable commits at both ends.

Run: uv run pytest tests/benchmarks -o python_files='bench_*.py' -k sync
"""

from __future__ import annotations

import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from kiosk.app import build_core
from kiosk.ledger import Ledger, SealedField
from kiosk.records import freeze_payload
from kiosk.sealing import key_id, public_key_from_text, seal
from kiosk.settings import DEMO_CONFIG
from kiosk.simulate import fake_id_number, fake_name, fake_phone, simulate
from sync.client import SyncClient
from sync.engine import SyncEngine, SyncPolicy
from sync.enrollment import enroll_device
from sync.server.accounts import create_booth, enroll
from sync.server.citykey import load_or_create_city_key
from sync.server.storage import Storage

DRAIN_RECORDS = 10_000
BOOTHS, PER_BOOTH = 350, 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`python -m sync.server serve` on a loopback port, on the database and key of ``folder``."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerProcess:
        args = [sys.executable, "-m", "sync.server", "--database", str(self.folder / "city.sqlite3"),
                "--city-key", str(self.folder / "city.key"), "--port", str(self.port), "--max-batch", "2000",
                "serve"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(self.url + "/v1/health", timeout=1)
                return self
            except requests.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read().decode()[-2000:])
                time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def server_counts(folder: Path) -> tuple[int, int]:
    storage = Storage(folder / "city.sqlite3")
    try:
        rows = storage.record_rows()
        return len(rows), len({r["id"] for r in rows})
    finally:
        storage.close()


# -- 10,000 pending records drained ------------------------------------------------------------

@pytest.fixture(scope="module")
def drain_template(tmp_path_factory):
    """One enrolled booth with 10,000 realistic pending records (about a quarter registrations, sealed)."""
    base = tmp_path_factory.mktemp("drain-template")
    (base / "city").mkdir()
    with ServerProcess(base / "city") as server:
        storage = Storage(base / "city" / "city.sqlite3")
        core = build_core(data_dir=base / "data", config_path=DEMO_CONFIG)
        code = create_booth(storage, booth_id=core.config.booth.id, event_id=core.config.event.id, name="b")
        storage.close()
        enrollment = enroll_device(core.ledger, core.keys, SyncClient(server.url), server_url=server.url, code=code)
        core.booth.reload_seal_key()
        simulate(core.booth, members=2_500, services=5_500, quiz=1_000, handouts=1_000, seed=1)
        core.close()
    return base, enrollment.device_token


def test_drain_10k_pending_records(benchmark, drain_template, tmp_path):
    template, token = drain_template
    runs = []

    def setup():
        folder = tmp_path / f"run{len(runs)}"
        shutil.copytree(template, folder)
        server = ServerProcess(folder / "city").__enter__()
        ledger = Ledger(folder / "data" / "ledger.sqlite3")
        assert ledger.status().pending == DRAIN_RECORDS
        engine = SyncEngine(ledger, SyncClient(server.url, token=token), policy=SyncPolicy())
        runs.append((folder, server, ledger, engine))
        return (engine,), {}

    def drain(engine):
        report = engine.sync_once()
        assert report.error is None and report.pending == 0
        runs[-1] = (*runs[-1], report)

    benchmark.pedantic(drain, setup=setup, rounds=3, iterations=1)
    p99s = []
    for folder, server, ledger, engine, report in runs:
        server.__exit__()
        assert ledger.status().synced == DRAIN_RECORDS
        assert server_counts(folder / "city") == (DRAIN_RECORDS, DRAIN_RECORDS)
        p99s.append(_p99(report.batch_seconds))
        ledger.close()
    benchmark.extra_info["records_per_s_median"] = round(DRAIN_RECORDS / benchmark.stats.stats.median)
    benchmark.extra_info["records_per_s_best"] = round(DRAIN_RECORDS / benchmark.stats.stats.min)
    benchmark.extra_info["batch_p99_s"] = round(max(p99s), 3)
    print(f"\ndrain: {DRAIN_RECORDS / benchmark.stats.stats.median:.0f} records/s (median of 3), "
          f"best {DRAIN_RECORDS / benchmark.stats.stats.min:.0f}/s, batch p99 {max(p99s):.3f} s")


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))] if ordered else 0.0
