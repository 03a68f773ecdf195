"""Sync benchmarks against the city server in its own process(es) on 127.0.0.1, on SQLite and on PostgreSQL in
one run, durable commits at both ends (the booth's ``synchronous=FULL``; the server's SQLite ``synchronous=FULL``
or PostgreSQL with fsync and synchronous commit on).

- one booth draining 10,000 pending records;
- 350 booths pushing 300 records each at once, one and two server processes;
- a full day's backlog: 350 booths pushing 3,000 records each at once (1.05 million), then the server started
  again on them, timed to its first answered page.

Every run ends with every record stored exactly once (counted in the server's database). PostgreSQL is a
throwaway cluster started by the benchmark (tests/pg_cluster.py; a missing PostgreSQL fails, never skips).

Run: uv run pytest tests/benchmarks -o python_files='bench_*.py' -k sync -s
(the 1.05 M backlog alone: -k backlog; it needs ~4 GB of free disk and ~15 minutes on 2 cores)
"""

from __future__ import annotations

import multiprocessing
import os
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server_process import ServerProcess  # noqa: E402

from booth_common.records import freeze_payload  # noqa: E402
from booth_common.sealing import Sealer, key_id  # noqa: E402
from kiosk.app import build_core  # noqa: E402
from kiosk.ledger import Ledger  # noqa: E402
from kiosk.settings import DEMO_CONFIG  # noqa: E402
from kiosk.simulate import fake_id_number, fake_name, fake_phone, simulate  # noqa: E402
from sync.client import SyncClient  # noqa: E402
from sync.engine import SyncEngine, SyncPolicy  # noqa: E402
from sync.enrollment import enroll_device  # noqa: E402
from sync.server.accounts import create_booth, enroll  # noqa: E402
from sync.server.citykey import load_or_create_city_key  # noqa: E402
from sync.server.storage import Storage  # noqa: E402

DRAIN_RECORDS = 10_000
BOOTHS, PER_BOOTH, DAY_PER_BOOTH = 350, 300, 3_000
SIMULATORS = 7
BACKENDS = ("sqlite", "postgresql")
EVENT = "ev"


# -- the city database of one run, on either backend ------------------------------------------------

@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL cluster (tests/pg_cluster.py) for the module's runs, durable as a production server
    runs it: every commit waits for the disk (fsync, synchronous commit, full-page writes), as SQLite's
    synchronous=FULL does on the other side of the comparison (the tests' cluster turns them off for speed)."""
    from pg_cluster import Cluster

    cluster = Cluster(durable=True).start()
    try:
        assert [cluster_setting(cluster, name) for name in ("fsync", "synchronous_commit", "full_page_writes")] == [
            "on"] * 3
        cluster.make_template()
        yield cluster
    finally:
        cluster.stop()


def cluster_setting(cluster, name: str) -> str:  # type: ignore[no-untyped-def]
    import psycopg

    with psycopg.connect(cluster.url("postgres")) as conn:
        return conn.execute(f"SHOW {name}").fetchone()[0]


def new_city_database(backend: str, folder: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, empty city database for one run: an SQLite file in ``folder`` or a new database of the cluster."""
    if backend == "sqlite":
        return str(folder / "city.sqlite3")
    return request.getfixturevalue("postgres").new_database()


def register_devices(database: str, devices: list[tuple[str, str]], *, event_id: str) -> list[str]:
    """Each (booth, device) registered and enrolled in the run's city database; their device tokens."""
    storage = Storage(database)
    try:
        tokens = []
        for booth_id, device_id in devices:
            code = create_booth(storage, booth_id=booth_id, event_id=event_id, name=booth_id, devices=1)
            tokens.append(enroll(storage, code=code, device_id=device_id)[1])
        return tokens
    finally:
        storage.close()


def stored_counts(database: str) -> tuple[int, int, int]:
    """(records, distinct record ids, distinct (device, seq)) in the server's database, counted by SQL."""
    sql = "SELECT count(*), count(DISTINCT id), count(DISTINCT device_id || ':' || seq) FROM records"
    if database.startswith("postgresql:"):
        import psycopg

        with psycopg.connect(database) as conn:
            return tuple(conn.execute(sql).fetchone())  # type: ignore[return-value]
    with sqlite3.connect(database) as conn:
        return tuple(conn.execute(sql).fetchone())  # type: ignore[return-value]


def tree_cpu_seconds(pid: int) -> float:
    """User+system CPU of a process and its children so far (Linux /proc; 0 elsewhere)."""
    stat = Path(f"/proc/{pid}/stat")
    if not pid or not stat.exists():
        return 0.0
    fields = stat.read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = children.read_text().split() if children.exists() else []
    return total + sum(tree_cpu_seconds(int(kid)) for kid in kids)


def client_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- 10,000 pending records drained ------------------------------------------------------------

@pytest.fixture(scope="module")
def drain_template(tmp_path_factory):
    """One enrolled booth with 10,000 realistic pending records (about a quarter registrations, sealed), and the
    city key they are sealed to; each run registers the device in a fresh city database."""
    base = tmp_path_factory.mktemp("drain-template")
    (base / "city").mkdir()
    with ServerProcess(base / "city") as server:
        storage = Storage(base / "city" / "city.sqlite3")
        core = build_core(data_dir=base / "data", config_path=DEMO_CONFIG)
        booth = (core.config.booth.id, core.config.event.id)
        code = create_booth(storage, booth_id=booth[0], event_id=booth[1], name="b")
        storage.close()
        enroll_device(core.ledger, core.keys, SyncClient(server.url), server_url=server.url, code=code)
        simulate(core.booth, members=2_500, services=5_500, quiz=1_000, handouts=1_000, seed=1)
        device = core.ledger.device_id
        core.close()
    for old in (base / "city").iterdir():
        if old.name != "city.key":
            old.unlink()
    return base, booth, device


@pytest.mark.parametrize("backend", BACKENDS)
def test_drain_10k_pending_records(benchmark, drain_template, tmp_path, backend, request):
    template, (booth_id, event_id), device = drain_template
    runs = []

    def setup():
        folder = tmp_path / f"run{len(runs)}"
        shutil.copytree(template, folder)
        database = new_city_database(backend, folder / "city", request)
        [token] = register_devices(database, [(booth_id, device)], event_id=event_id)
        server = ServerProcess(folder / "city", database=database).__enter__()
        ledger = Ledger(folder / "data" / "ledger.sqlite3")
        assert ledger.status().pending == DRAIN_RECORDS
        engine = SyncEngine(ledger, SyncClient(server.url, token=token), policy=SyncPolicy())
        runs.append((database, server, ledger, engine))
        return (engine,), {}

    def drain(engine):
        report = engine.sync_once()
        assert report.error is None and report.pending == 0
        runs[-1] = (*runs[-1], report)

    benchmark.pedantic(drain, setup=setup, rounds=3, iterations=1)
    p99s = []
    for database, server, ledger, engine, report in runs:
        server.__exit__()
        assert ledger.status().synced == DRAIN_RECORDS
        assert stored_counts(database) == (DRAIN_RECORDS,) * 3
        p99s.append(_p99(report.batch_seconds))
        ledger.close()
    benchmark.extra_info.update(backend=backend, records_per_s_median=round(DRAIN_RECORDS / benchmark.stats.stats.median),
                                records_per_s_best=round(DRAIN_RECORDS / benchmark.stats.stats.min),
                                batch_p99_s=round(max(p99s), 3))
    print(f"\ndrain on {backend}: {DRAIN_RECORDS / benchmark.stats.stats.median:.0f} records/s (median of 3), "
          f"best {DRAIN_RECORDS / benchmark.stats.stats.min:.0f}/s, batch p99 {max(p99s):.3f} s")


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))] if ordered else 0.0


# -- 350 booths at once: 300 records each, and a full day's backlog of 3,000 each ----------------------------

KINDS = ["registration"] * 3 + ["service_use"] * 5 + ["consultation"] * 2 + ["handout"] + ["quiz_attempt"]


def _fill_booth(ledger: Ledger, city_public, *, booth: int, records: int, rng: random.Random) -> None:
    """``records`` records as a booth's day leaves them (a quarter registrations with sealed fields),
    written in one transaction: the write path itself is measured by the ledger benchmarks."""
    seal_key_id, sealer = key_id(city_public), Sealer(city_public)
    with ledger.db.atomic():
        for seq in range(1, records + 1):
            kind, record_id = rng.choice(KINDS), str(uuid.UUID(int=rng.getrandbits(128), version=4))
            at = f"2026-11-25T0{rng.randint(2, 7)}:{rng.randint(10, 59)}:{rng.randint(10, 59)}.000Z"
            payload, digest = freeze_payload(
                record_id=record_id, seq=seq, kind=kind, subject="tcm", event_id=EVENT, booth_id=f"booth-{booth}",
                device_id=ledger.device_id, captured_at=at, refers_to=None,
                data={"service": "tcm", "occupation": "courier", "masked_name": "王*"})
            ledger.db.execute("INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                              [seq, record_id, kind, "tcm", EVENT, f"booth-{booth}", ledger.device_id, at, None,
                               payload, digest])
            if kind == "registration":
                personal = {"name": fake_name(rng), "phone": fake_phone(rng), "id_number": fake_id_number(rng)}
                ledger.db.execute("INSERT INTO sealed VALUES (?, ?, ?)",
                                  [record_id, sealer.seal(personal, record_id=record_id), seal_key_id])
            ledger.db.execute("INSERT INTO outbox (seq) VALUES (?)", [seq])


def _fill_booths(base: Path, booths: range, records: int) -> list[tuple[str, str]]:
    """Ledgers of ``booths`` under ``base``/booths (one process of the template's making); (booth, device) each."""
    city_public = load_or_create_city_key(base / "city" / "city.key").public_key()
    devices = []
    for n in booths:
        ledger = Ledger(base / "booths" / f"{n:03d}" / "ledger.sqlite3")
        _fill_booth(ledger, city_public, booth=n, records=records, rng=random.Random(n))
        devices.append((f"booth-{n}", ledger.device_id))
        ledger.close()
    return devices


def booths_template(base: Path, records: int) -> tuple[Path, list[tuple[str, str]]]:
    """350 booth ledgers of ``records`` pending records each and the city key they are sealed to, made by one
    process per core; each run registers the devices in a fresh city database."""
    (base / "city").mkdir()
    load_or_create_city_key(base / "city" / "city.key")
    cores = os.cpu_count() or 1
    with multiprocessing.get_context("spawn").Pool(cores) as pool:
        parts = pool.starmap(_fill_booths, [(base, range(n, BOOTHS, cores), records) for n in range(cores)])
    devices = sorted((d for part in parts for d in part), key=lambda d: int(d[0].split("-")[1]))
    return base, devices


@pytest.fixture(scope="module")
def booths_300(tmp_path_factory):
    return booths_template(tmp_path_factory.mktemp("booths-300"), PER_BOOTH)


@pytest.fixture(scope="module")
def booths_day(tmp_path_factory):
    return booths_template(tmp_path_factory.mktemp("booths-day"), DAY_PER_BOOTH)


def _run_booth(folder: Path, url: str, token: str, start: threading.Barrier, out: dict) -> None:
    ledger = Ledger(folder / "ledger.sqlite3")
    try:
        engine = SyncEngine(ledger, SyncClient(url, token=token, read_timeout=120.0),
                            policy=SyncPolicy(backoff_base_s=0.2, backoff_cap_s=2.0))
        start.wait()
        began = time.perf_counter()
        report = engine.sync_once(attempts=20)
        out.update(seconds=time.perf_counter() - began, batch_seconds=report.batch_seconds,
                   error=str(report.error) if report.error else None, pending=ledger.status().pending)
    finally:
        ledger.close()


def _run_booth_group(folders: list[Path], url: str, tokens: list[str], go, results) -> None:
    """One simulator process: a thread per booth, all started together when the parent says go."""
    outs = [dict() for _ in folders]
    start = threading.Barrier(len(folders) + 1)
    threads = [threading.Thread(target=_run_booth, args=(f, url, t, start, o)) for f, t, o in zip(folders, tokens, outs)]
    for t in threads:
        t.start()
    go.wait()
    cpu_before = client_cpu_seconds()
    start.wait()
    for t in threads:
        t.join()
    results.put((outs, client_cpu_seconds() - cpu_before))


def push_at_once(benchmark, template: tuple[Path, list[tuple[str, str]]], folder: Path, *, backend: str,
                 workers: int, records: int, request: pytest.FixtureRequest) -> str:
    """Every booth of ``template`` pushes its ``records`` at once to a fresh city database; the figures go to
    the benchmark's extra info; returns the database, every record in it exactly once.

    The booths run in SIMULATORS processes of 50 threads each: 350 threads in one process spent most of the
    machine's CPU handing the GIL around (futex storms), which real booths, each its own computer, do not do.
    Throughput is counted from the moment all booths start pushing."""
    base, devices = template
    shutil.copytree(base, folder)
    database = new_city_database(backend, folder / "city", request)
    tokens = register_devices(database, devices, event_id=EVENT)
    groups = [list(range(n, BOOTHS, SIMULATORS)) for n in range(SIMULATORS)]
    context = multiprocessing.get_context("spawn")

    db_pid, load_before = database_pid(backend, request), os.getloadavg()[0]
    with ServerProcess(folder / "city", workers=workers, database=database) as server:
        cpu_before, db_cpu_before = tree_cpu_seconds(server.proc.pid), tree_cpu_seconds(db_pid)
        go, results = context.Barrier(SIMULATORS + 1), context.Queue()
        simulators = [context.Process(target=_run_booth_group, args=(
            [folder / "booths" / f"{n:03d}" for n in group], server.url, [tokens[n] for n in group], go, results))
            for group in groups]
        timing = {}

        def run_all():
            for simulator in simulators:
                simulator.start()
            go.wait()  # every simulator has opened its ledgers
            timing["began"] = time.perf_counter()
            timing["collected"] = [results.get(timeout=3600) for _ in simulators]
            timing["wall"] = time.perf_counter() - timing["began"]

        benchmark.pedantic(run_all, rounds=1, iterations=1)
        for simulator in simulators:
            simulator.join(timeout=60)
        server_cpu = tree_cpu_seconds(server.proc.pid) - cpu_before
        db_cpu = tree_cpu_seconds(db_pid) - db_cpu_before
    outs = [o for group_outs, _ in timing["collected"] for o in group_outs]
    client_cpu = sum(cpu for _, cpu in timing["collected"])
    wall, total = timing["wall"], BOOTHS * records
    assert len(outs) == BOOTHS and all(o["pending"] == 0 and o["error"] is None for o in outs)
    assert stored_counts(database) == (total, total, total)          # every record exactly once
    per_booth = sorted(o["seconds"] for o in outs)
    batches = [s for o in outs for s in o["batch_seconds"]]
    benchmark.extra_info.update(backend=backend, workers=workers, records=total, wall_s=round(wall, 1),
                                records_per_s=round(total / wall), slowest_booth_s=round(per_booth[-1], 2),
                                batch_p99_s=round(_p99(batches), 3), batches=len(batches),
                                server_cpu_s=round(server_cpu, 1), database_cpu_s=round(db_cpu, 1),
                                client_cpu_s=round(client_cpu, 1),
                                load_before=load_before, load_after=os.getloadavg()[0])
    print(f"\n{BOOTHS} booths × {records} on {backend}, {workers} server process(es): {total / wall:.0f} records/s "
          f"overall, slowest booth {per_booth[-1]:.1f} s, median booth {statistics.median(per_booth):.1f} s, batch p50 "
          f"{statistics.median(batches):.3f} s, p99 {_p99(batches):.3f} s over {len(batches)} batches; wall {wall:.1f} s, "
          f"CPU server {server_cpu:.1f} s" + (f", PostgreSQL {db_cpu:.1f} s" if db_pid else "") +
          f", booth simulators {client_cpu:.1f} s; load {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    return database


def database_pid(backend: str, request: pytest.FixtureRequest) -> int:
    """PostgreSQL's postmaster (its server processes are its children); 0 for SQLite, inside the server process."""
    if backend == "sqlite":
        return 0
    return int((request.getfixturevalue("postgres").data / "postmaster.pid").read_text().split()[0])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("workers", [1, 2])
def test_350_booths_push_300_records_each_at_once(benchmark, booths_300, tmp_path, workers, backend, request):
    push_at_once(benchmark, booths_300, tmp_path / "run", backend=backend, workers=workers, records=PER_BOOTH,
                 request=request)


def seconds_to_first_page(folder: Path, database: str, *, rounds: int = 3) -> list[float]:
    """From starting `serve` to the first 200 of the event's live page, each of ``rounds`` starts."""
    seconds = []
    for _ in range(rounds):
        server = ServerProcess(folder, database=database)
        seconds.append(server.start(wait_for=f"/city/{EVENT}"))
        server.stop()
    return seconds


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_days_backlog_of_350_booths_x_3000_records_at_once_then_a_restart(benchmark, booths_day, tmp_path, backend,
                                                                            request):
    """The full day's backlog (1.05 M records) pushed at once to two server processes, every record exactly once;
    then the server started again on them, timed to its first answered page (and, to tell the data's share
    from the process's own start, on a database with the same booths and no records)."""
    database = push_at_once(benchmark, booths_day, tmp_path / "run", backend=backend, workers=2,
                            records=DAY_PER_BOOTH, request=request)
    loaded = seconds_to_first_page(tmp_path / "run" / "city", database)
    (tmp_path / "empty").mkdir()
    shutil.copy(tmp_path / "run" / "city" / "city.key", tmp_path / "empty" / "city.key")
    empty = new_city_database(backend, tmp_path / "empty", request)
    register_devices(empty, booths_day[1], event_id=EVENT)
    bare = seconds_to_first_page(tmp_path / "empty", empty)
    benchmark.extra_info.update(first_page_s=round(statistics.median(loaded), 2),
                                first_page_without_records_s=round(statistics.median(bare), 2))
    print(f"start to first page with {BOOTHS * DAY_PER_BOOTH:,} records on {backend}: "
          f"{', '.join(f'{t:.2f}' for t in loaded)} s; without records {', '.join(f'{t:.2f}' for t in bare)} s")
