"""The city server's CPU per pushed record, in process: a fixed set of pushes sent through the real app over
ASGI (its middleware, the push endpoint, the checks, the writer's group commits into SQLite), on a fresh
database each round, with no booth and no HTTP client sharing the CPU budget.

It counts the process's CPU time (every thread: the event loop's checks and the writer's commits), far less
bent by other jobs on this shared machine than bench_sync.py's wall-clock throughput, and it is the workload
to run under ``valgrind --tool=callgrind`` for instruction counts (README, "Benchmarks"). Two shapes: one
booth draining 10,000 records in pushes of 1,000, and 40 booths pushing 300 each in pushes of 100 (as the
350-booth run's booths start), taking turns. A quarter of the records are registrations with sealed fields.

Run: uv run pytest tests/benchmarks/bench_ingest.py -o python_files='bench_*.py' -s
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from booth_common.protocol import PreparedPush, WireRecord
from booth_common.records import freeze_payload
from booth_common.sealing import Sealer
from kiosk.simulate import fake_id_number, fake_name, fake_phone
from sync.server.accounts import create_booth, enroll
from sync.server.app import create_app
from sync.server.settings import ServerSettings
from sync.server.storage import Storage

KINDS = ["registration"] * 3 + ["service_use"] * 5 + ["consultation"] * 2 + ["handout"] + ["quiz_attempt"]
SHAPES = {"drain": (1, 10_000, 1_000), "booths": (40, 300, 100)}   # booths, records each, records a push


def _pushes(key: X25519PrivateKey, *, booths: int, each: int, per_push: int) -> list[dict]:
    rng, sealer = random.Random(7), Sealer(key.public_key())
    devices = []
    for n in range(booths):
        device_id, records = str(uuid.UUID(int=rng.getrandbits(128), version=4)), []
        for seq in range(1, each + 1):
            kind, record_id = rng.choice(KINDS), str(uuid.UUID(int=rng.getrandbits(128), version=4))
            at = f"2026-11-25T0{rng.randint(2, 7)}:{rng.randint(10, 59)}:{rng.randint(10, 59)}.000Z"
            payload, digest = freeze_payload(
                record_id=record_id, seq=seq, kind=kind, subject="tcm", event_id="ev", booth_id=f"booth-{n}",
                device_id=device_id, captured_at=at, refers_to=None,
                data={"service": "tcm", "occupation": "courier", "masked_name": "王*"})
            personal = {"name": fake_name(rng), "phone": fake_phone(rng), "id_number": fake_id_number(rng)}
            sealed = sealer.seal(personal, record_id=record_id) if kind == "registration" else None
            records.append(WireRecord(record_id, device_id, seq, payload, digest, sealed))
        bodies = [PreparedPush.of(device_id, records[i:i + per_push]).body for i in range(0, each, per_push)]
        devices.append({"booth_id": f"booth-{n}", "device_id": device_id, "bodies": bodies})
    return devices


@pytest.fixture(scope="module")
def city_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


@pytest.fixture(scope="module")
def workloads(city_key):
    return {name: _pushes(city_key, booths=b, each=e, per_push=p) for name, (b, e, p) in SHAPES.items()}


async def _post(app, token: str, body: bytes) -> int:
    answer, delivered = {}, False

    async def receive():
        nonlocal delivered
        if delivered:
            await asyncio.Event().wait()     # no disconnect: the answer is what ends the call
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]

    headers = {"content-type": "application/json", "content-encoding": "gzip", "content-length": str(len(body)),
               "authorization": f"Bearer {token}", "accept-encoding": "gzip", "host": "127.0.0.1"}
    await app({"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
               "path": "/v1/records", "raw_path": b"/v1/records", "query_string": b"", "root_path": "",
               "headers": [(k.encode(), v.encode()) for k, v in headers.items()], "client": ("127.0.0.1", 50000),
               "server": ("127.0.0.1", 8443)}, receive, send)
    return answer["status"]


@pytest.mark.parametrize("shape", list(SHAPES))
def test_server_cpu_per_pushed_record(benchmark, workloads, city_key, tmp_path, shape):
    devices, runs = workloads[shape], []
    (tmp_path / "city.key").write_bytes(b"")     # the app is handed the key; the file is never read

    def setup():
        folder = tmp_path / f"run{len(runs)}"
        folder.mkdir()
        storage = Storage(folder / "city.sqlite3")
        tokens = [enroll(storage, code=create_booth(storage, booth_id=d["booth_id"], event_id="ev", name="b",
                                                    devices=1), device_id=d["device_id"])[1] for d in devices]
        settings = ServerSettings(database=folder / "city.sqlite3", city_key=tmp_path / "city.key",
                                  access_log=os.devnull)
        app = create_app(settings, storage=storage, city_key=city_key)
        turns = max(len(d["bodies"]) for d in devices)     # the booths take turns, push by push
        calls = [(t, d["bodies"][k]) for k in range(turns) for d, t in zip(devices, tokens) if k < len(d["bodies"])]
        runs.append({"storage": storage})
        return (app, calls), {}

    def push_all(app, calls):
        async def all_calls():
            return [await _post(app, token, body) for token, body in calls]

        started = time.process_time()
        statuses = asyncio.run(all_calls())
        runs[-1]["cpu"] = time.process_time() - started
        assert set(statuses) == {200}

    benchmark.pedantic(push_all, setup=setup, rounds=3, iterations=1)
    total = SHAPES[shape][0] * SHAPES[shape][1]
    for run in runs:
        assert run["storage"].count_records() == total       # every record stored, once
        run["storage"].close()
    per_record = statistics.median(run["cpu"] for run in runs) / total * 1e6
    benchmark.extra_info.update(cpu_us_per_record=round(per_record, 1), records=total)
    print(f"\n{shape}: server CPU {per_record:.1f} µs a record (median of {len(runs)} rounds, {total} records, "
          f"CPU {', '.join(format(r['cpu'], '.2f') for r in runs)} s)")
