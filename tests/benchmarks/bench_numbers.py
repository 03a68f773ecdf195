"""City numbers benchmark: a day of 350 booths x 3,000 records (1.05 million) on the real server.

Run: uv run pytest tests/benchmarks -o python_files='bench_*.py' -k numbers -s
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from city_helpers import EVENT, hand_record  # noqa: E402
from loopback import LiveServer  # noqa: E402

BOOTHS, PER_BOOTH = 350, 3000
KINDS = (["registration"] * 3 + ["service_use"] * 5 + ["consultation"] * 2 + ["handout"] * 3
         + ["quiz_attempt", "void"])


def _rows(booth: int, rng: random.Random) -> list[dict]:
    rows = []
    for seq in range(1, PER_BOOTH + 1):
        kind = rng.choice(KINDS)
        refers_to = f"dev-{booth}-r{seq - 1}" if kind == "void" and seq > 1 else None
        captured_at = f"2026-11-25T0{3 + seq * 4 // PER_BOOTH}:{seq % 60:02d}:00.000Z"
        record = hand_record(f"dev-{booth}", seq, kind=kind, booth_id=f"b-{booth}", subject=rng.choice("abcdef"),
                             captured_at=captured_at, refers_to=refers_to, data={"pad": "x" * 400})
        rows.append({**record, "kind": kind, "subject": "s", "event_id": EVENT, "booth_id": f"b-{booth}",
                     "captured_at": captured_at, "refers_to": refers_to, "received_at": captured_at})
    return rows


def test_numbers_over_a_million_records(tmp_path):
    server = LiveServer(tmp_path / "city").start()
    try:
        rng = random.Random(1)
        for booth in range(BOOTHS):
            server.storage.insert_records(_rows(booth, rng))
        timings = []
        for _ in range(4):
            started = time.perf_counter()
            answer = requests.get(f"{server.url}/city/{EVENT}", timeout=120)
            timings.append(time.perf_counter() - started)
            assert answer.status_code == 200
        numbers = requests.get(f"{server.url}/v1/numbers/{EVENT}", timeout=120).json()
    finally:
        server.stop()
    assert numbers["totals"]["records"] == BOOTHS * PER_BOOTH
    print(f"\n{BOOTHS * PER_BOOTH:,} records: first page {timings[0]:.2f} s, "
          f"then {', '.join(f'{t * 1000:.0f} ms' for t in timings[1:])}")
