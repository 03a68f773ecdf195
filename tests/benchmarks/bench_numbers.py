"""City numbers benchmarks: a server process started on a day of 350 booths x 3,000 records (1.05 million) until
its first answered page, on SQLite (beside an empty database and the code before the counters) and on PostgreSQL
(beside an empty database); the migrations that count such a day stored by an older version; and what the
database's counters cost at ingest (a 10,000-record drain, interleaved with the same code without them).

Run: uv run pytest tests/benchmarks/bench_numbers.py -o python_files='bench_*.py' -s   (about 10 minutes on 2 cores)
The server is started as operators start it, `kiosk-server serve` in a process of its own, with its bytecode kept
(as an installed server has it); ``STARTS`` (default 5) starts of each, interleaved, after an untimed one. The code
before the counters is unpacked from git into a temporary folder and run by this environment (`python -m
sync.server`). With ``BASELINE_REV`` set, the start-up tests also start that revision's code on the same databases,
interleaved (before/after in one sitting). The ingest comparison runs this commit's code with the counters' hook
made a no-op (or ``BASELINE_REV`` as it is); ``ROUNDS`` (default 5) pairs of drains, the order alternating.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from city_helpers import EVENT, hand_record  # noqa: E402
from loopback import LiveServer  # noqa: E402
from sync.server.accounts import create_booth  # noqa: E402
from sync.server.citykey import load_or_create_city_key  # noqa: E402
from sync.server.storage import Storage  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BOOTHS, PER_BOOTH = 350, 3000
KINDS = (["registration"] * 3 + ["service_use"] * 5 + ["consultation"] * 2 + ["handout"] * 3
         + ["quiz_attempt", "void"])
STARTS = int(os.environ.get("STARTS", "5"))
KIOSK_SERVER = Path(sys.executable).with_name("kiosk-server")   # the command this environment installed
# Python keeps compiled bytecode, as on an installed server (pip and the Dockerfile compile it at install): a shell
# that sets PYTHONDONTWRITEBYTECODE (these machines do) would otherwise charge every start with compiling FastAPI,
# pydantic and the server's own modules again (~0.6 s of CPU), which a deployed server does once.
SERVER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _rows(booth: int, rng: random.Random) -> list[dict]:
    rows = []
    for seq in range(1, PER_BOOTH + 1):
        kind = rng.choice(KINDS)
        refers_to = f"dev-{booth}-r{seq - 1}" if kind == "void" and seq > 1 else None
        captured_at = f"2026-11-25T0{3 + seq * 4 // PER_BOOTH}:{seq % 60:02d}:00.000Z"
        subject = rng.choice("abcdef")
        record = hand_record(f"dev-{booth}", seq, kind=kind, booth_id=f"b-{booth}", subject=subject,
                             captured_at=captured_at, refers_to=refers_to, data={"pad": "x" * 400})
        rows.append({**record, "kind": kind, "subject": subject, "event_id": EVENT, "booth_id": f"b-{booth}",
                     "captured_at": captured_at, "refers_to": refers_to, "received_at": captured_at})
    return rows


@pytest.fixture(scope="module")
def million_day(tmp_path_factory):
    """The city's database and key with 1.05 million records stored through the storage (counters kept)."""
    folder = tmp_path_factory.mktemp("million")
    load_or_create_city_key(folder / "city.key")
    storage = Storage(folder / "city.sqlite3")
    rng = random.Random(1)
    started = time.perf_counter()
    for booth in range(BOOTHS):
        storage.insert_records(_rows(booth, rng))
    print(f"\n{BOOTHS * PER_BOOTH:,} records stored in {time.perf_counter() - started:.0f} s")
    storage.close()
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(folder: Path, port: int, *, source: Path = REPO, database: str | None = None) -> subprocess.Popen:
    """The server of ``source`` (this checkout's `kiosk-server`, or another's code run by this environment's
    interpreter) on the key of ``folder`` and its database file, or ``database`` (a PostgreSQL URL)."""
    command = [str(KIOSK_SERVER)] if source == REPO else [sys.executable, "-m", "sync.server"]
    args = [*command, "--database", database or str(folder / "city.sqlite3"), "--city-key", str(folder / "city.key"),
            "--port", str(port), "--max-batch", "2000", "serve"]
    env = {**SERVER_ENV, "PYTHONPATH": str(source)}   # `-m` looks in the working folder first, then here
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=source)


def _first_page_after_spawn(folder: Path, *, source: Path = REPO, database: str | None = None,
                            cpu: list[float] | None = None, venues: int | None = None) -> float:
    """Seconds from spawning `kiosk-server serve` to the first 200 of the event's live page (showing ``venues``
    venues, when given: the stored day's numbers, not a page of zeros), the server's CPU seconds until then
    appended to ``cpu``."""
    port = free_port()
    started = time.perf_counter()
    proc = _serve(folder, port, source=source, database=database)
    try:
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/city/{EVENT}", timeout=60)
                took = time.perf_counter() - started
                assert answer.status_code == 200, answer.status_code
                assert venues is None or f'data-figure="totals.venues">{venues}<' in answer.text
                if cpu is not None:
                    cpu.append(_server_cpu_seconds(proc.pid))
                return took
            except requests.ConnectionError:
                if proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode()[-2000:]) from None
                time.sleep(0.01)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _starts(plan: dict[str, dict]) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Seconds to first page, and the server's CPU seconds, of ``STARTS`` starts of each ``plan`` entry (the
    keywords of ``_first_page_after_spawn``), after an untimed start of each (bytecode written, files in the page
    cache); interleaved, so that the machine's load bends all alike."""
    for keywords in plan.values():
        _first_page_after_spawn(**keywords)
    walls: dict[str, list[float]] = {name: [] for name in plan}
    cpus: dict[str, list[float]] = {name: [] for name in plan}
    for _ in range(STARTS):
        for name, keywords in plan.items():
            walls[name].append(_first_page_after_spawn(**keywords, cpu=cpus[name]))
    return walls, cpus


def _starts_text(walls: dict[str, list[float]], cpus: dict[str, list[float]]) -> str:
    return "; ".join(f"{name} {statistics.median(walls[name]):.2f} s (median of {len(walls[name])}: "
                     f"{', '.join(f'{t:.2f}' for t in walls[name])}; CPU {statistics.median(cpus[name]):.2f} s)"
                     for name in walls) + f"; load {os.getloadavg()[0]:.1f}"


@pytest.fixture(scope="module")
def revision_source(tmp_path_factory) -> Path | None:
    """The code of ``BASELINE_REV`` (for a before/after of the start-up in one sitting), or None."""
    rev = os.environ.get("BASELINE_REV")
    return _unpacked(rev, tmp_path_factory.mktemp("revision")) if rev else None


def test_start_up_to_first_page_over_a_million_records(million_day, baseline_source, revision_source, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    load_or_create_city_key(empty / "city.key")
    storage = Storage(empty / "city.sqlite3")
    create_booth(storage, booth_id="b-0", event_id=EVENT, name="b-0")   # its page answers 200, all zeros
    storage.close()
    plan = {"1.05 M records": {"folder": million_day, "venues": BOOTHS},
            "empty database": {"folder": empty, "venues": 0},
            "code before the counters on 1.05 M": {"folder": million_day, "source": baseline_source}}
    if revision_source is not None:
        plan[f"{os.environ['BASELINE_REV']} on 1.05 M"] = {"folder": million_day, "source": revision_source,
                                                           "venues": BOOTHS}
    spawned, cpu = _starts(plan)
    in_process, pages = [], []
    for _ in range(STARTS):
        started = time.perf_counter()
        server = LiveServer(million_day).start()
        try:
            answer = requests.get(f"{server.url}/city/{EVENT}", timeout=120)
            in_process.append(time.perf_counter() - started)
            assert answer.status_code == 200
            for _ in range(5):
                started = time.perf_counter()
                assert requests.get(f"{server.url}/city/{EVENT}", timeout=120).status_code == 200
                pages.append(time.perf_counter() - started)
            numbers = requests.get(f"{server.url}/v1/numbers/{EVENT}", timeout=120).json()
        finally:
            server.stop()
        assert numbers["totals"]["records"] == BOOTHS * PER_BOOTH
    print(f"\nSQLite, process spawned to first page: {_starts_text(spawned, cpu)}; in process, storage opened to "
          f"first page {statistics.median(in_process) * 1000:.0f} ms; later pages median "
          f"{statistics.median(pages) * 1000:.0f} ms, slowest {max(pages) * 1000:.0f} ms")
    assert statistics.median(in_process) <= 1.0, "the first page, storage opened to answer, takes over a second"


def test_start_up_to_first_page_over_a_million_records_on_postgresql(revision_source, tmp_path):
    """The same on PostgreSQL (a throwaway cluster, durable as a production one): 1.05 M records stored through
    the storage, a server process spawned on them until its first page, beside one on an empty database."""
    from pg_cluster import Cluster

    cluster = Cluster(durable=True).start()
    try:
        cluster.make_template()
        million, empty = cluster.new_database(), cluster.new_database()
        load_or_create_city_key(tmp_path / "city.key")
        storage = Storage(million)
        rng, started = random.Random(1), time.perf_counter()
        for booth in range(BOOTHS):
            storage.insert_records(_rows(booth, rng))
        stored_s = time.perf_counter() - started
        storage.close()
        storage = Storage(empty)
        create_booth(storage, booth_id="b-0", event_id=EVENT, name="b-0")
        storage.close()
        plan = {"1.05 M records": {"folder": tmp_path, "database": million, "venues": BOOTHS},
                "empty database": {"folder": tmp_path, "database": empty, "venues": 0}}
        if revision_source is not None:
            plan[f"{os.environ['BASELINE_REV']} on 1.05 M"] = {"folder": tmp_path, "database": million,
                                                               "source": revision_source, "venues": BOOTHS}
        spawned, cpu = _starts(plan)
        server = LiveServer(tmp_path / "live", database=million).start()
        try:
            pages = []
            for _ in range(5):
                started = time.perf_counter()
                assert requests.get(f"{server.url}/city/{EVENT}", timeout=120).status_code == 200
                pages.append(time.perf_counter() - started)
            numbers = requests.get(f"{server.url}/v1/numbers/{EVENT}", timeout=120).json()
        finally:
            server.stop()
        migration_s = _migrate_again(million)
    finally:
        cluster.stop()
    assert numbers["totals"]["records"] == BOOTHS * PER_BOOTH
    print(f"\nPostgreSQL, {BOOTHS * PER_BOOTH:,} records stored in {stored_s:.0f} s; process spawned to first page: "
          f"{_starts_text(spawned, cpu)}; pages median {statistics.median(pages) * 1000:.0f} ms; "
          f"the counting migrations over the same records {migration_s:.1f} s")


def _migrate_again(database: str) -> float:
    """Back to the schema before the counters, records as they are; seconds of the migrations counting them
    again, and the counters found equal to what the ingest kept."""
    import psycopg

    def counters(conn: psycopg.Connection) -> tuple[list, ...]:   # a count taken back to 0 is no count
        return tuple(sorted(conn.execute(f"SELECT * FROM {table}{where}").fetchall()) for table, where in (
            ("city_counts", " WHERE n <> 0"), ("city_booths", ""), ("city_rollups", " WHERE n <> 0")))

    with psycopg.connect(database, autocommit=True) as conn:
        kept = counters(conn)
        conn.execute("DROP TABLE city_counts, city_booths, city_rollups")
        conn.execute("DELETE FROM schema_migrations WHERE name IN ('city_002_counters', 'city_004_rollups')")
    started = time.perf_counter()
    Storage(database).close()
    took = time.perf_counter() - started
    with psycopg.connect(database, autocommit=True) as conn:
        assert counters(conn) == kept
    return took


def test_the_migration_counts_a_million_records_stored_by_an_older_version(million_day):
    path = million_day / "city.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        counted = _counters(conn)
        conn.execute("BEGIN")   # back to the schema before the counters, records as they are
        conn.execute("DROP TABLE city_counts")
        conn.execute("DROP TABLE city_booths")
        conn.execute("DROP TABLE city_rollups")
        conn.execute("DELETE FROM schema_migrations WHERE name IN ('city_002_counters', 'city_004_rollups')")
        conn.execute("COMMIT")
        started = time.perf_counter()
        Storage(path).close()
        took = time.perf_counter() - started
        assert _counters(conn) == counted
    finally:
        conn.close()
    print(f"\nmigrations city_002_counters and city_004_rollups over {BOOTHS * PER_BOOTH:,} records: {took:.1f} s")


def _counters(conn: sqlite3.Connection) -> tuple[list, list]:
    return (conn.execute("SELECT * FROM city_counts WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5").fetchall(),
            conn.execute("SELECT * FROM city_booths ORDER BY 1, 2").fetchall(),
            conn.execute("SELECT * FROM city_rollups WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5").fetchall())


# -- what the counters cost at ingest ------------------------------------------------------------------

DRAIN_RECORDS = 10_000


def _unpacked(rev: str, folder: Path) -> Path:
    archive = subprocess.run(["git", "archive", rev], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


@pytest.fixture(scope="module")
def baseline_source(tmp_path_factory) -> Path:
    """The server code before the counters (the in-memory tally that reads every record at start)."""
    rev = subprocess.run(["git", "log", "--diff-filter=A", "--format=%H^", "--", "sync/server/city_counts.py"],
                         cwd=REPO, capture_output=True, text=True, check=True).stdout.split()[-1]
    folder = _unpacked(rev, tmp_path_factory.mktemp("before-counters"))
    assert not (folder / "sync" / "server" / "city_counts.py").exists(), f"{rev} already has the counters"
    return folder


@pytest.fixture(scope="module")
def uncounted_source(tmp_path_factory) -> Path:
    """This commit's code with the counters' hook doing nothing (what they cost, nothing else changed), or the
    code of ``BASELINE_REV`` as it is."""
    folder = _unpacked(os.environ.get("BASELINE_REV") or "HEAD", tmp_path_factory.mktemp("uncounted"))
    if not os.environ.get("BASELINE_REV"):
        with (folder / "sync" / "server" / "city_counts.py").open("a") as module:
            module.write("\n\ndef count_inserted(tx, rows, **options):   # the benchmark's baseline: nothing counted\n"
                         "    return None\n")
    return folder


@pytest.fixture(scope="module")
def drain_template(tmp_path_factory):
    """One enrolled booth with 10,000 realistic pending records (about a quarter registrations, sealed)."""
    from kiosk.app import build_core
    from kiosk.settings import DEMO_CONFIG
    from kiosk.simulate import simulate
    from sync.client import SyncClient
    from sync.enrollment import enroll_device

    base = tmp_path_factory.mktemp("drain-template")
    (base / "city").mkdir()
    load_or_create_city_key(base / "city" / "city.key")
    port = free_port()
    proc = _serve(base / "city", port)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for_health(url, proc)
        storage = Storage(base / "city" / "city.sqlite3")
        core = build_core(data_dir=base / "data", config_path=DEMO_CONFIG)
        code = create_booth(storage, booth_id=core.config.booth.id, event_id=core.config.event.id, name="b")
        storage.close()
        enrollment = enroll_device(core.ledger, core.keys, SyncClient(url), server_url=url, code=code)
        simulate(core.booth, members=2_500, services=5_500, quiz=1_000, handouts=1_000, seed=1)
        core.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return base, enrollment.device_token


def _wait_for_health(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(url + "/v1/health", timeout=1)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()[-2000:]) from None
            time.sleep(0.05)


def _server_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _drain(template: tuple[Path, str], folder: Path, *, source: Path | None) -> tuple[float, float]:
    """(records/s, server CPU seconds) of draining the template's 10,000 records to a fresh server process."""
    from kiosk.ledger import Ledger
    from sync.client import SyncClient
    from sync.engine import SyncEngine, SyncPolicy

    base, token = template
    shutil.copytree(base, folder)
    port = free_port()
    proc = _serve(folder / "city", port, source=source or REPO)
    ledger = Ledger(folder / "data" / "ledger.sqlite3")
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for_health(url, proc)
        engine = SyncEngine(ledger, SyncClient(url, token=token), policy=SyncPolicy())
        cpu_before = _server_cpu_seconds(proc.pid)
        started = time.perf_counter()
        report = engine.sync_once()
        took = time.perf_counter() - started
        cpu = _server_cpu_seconds(proc.pid) - cpu_before
        assert report.error is None and report.pending == 0 and ledger.status().synced == DRAIN_RECORDS
    finally:
        ledger.close()
        proc.terminate()
        proc.wait(timeout=30)
    check = sqlite3.connect(folder / "city" / "city.sqlite3")
    try:
        assert check.execute("SELECT count(*) FROM records").fetchone()[0] == DRAIN_RECORDS
        if source is None:   # the counters hold every record once
            assert check.execute("SELECT sum(records) FROM city_booths").fetchone()[0] == DRAIN_RECORDS
    finally:
        check.close()
    shutil.rmtree(folder)
    return DRAIN_RECORDS / took, cpu


def test_ingest_cost_of_the_counters(drain_template, uncounted_source, tmp_path):
    rounds = int(os.environ.get("ROUNDS", "5"))
    runs: dict[str, list[tuple[float, float]]] = {"counters": [], "before": []}
    for n in range(rounds):
        order = ("counters", "before") if n % 2 == 0 else ("before", "counters")
        for name in order:
            runs[name].append(_drain(drain_template, tmp_path / f"{name}-{n}",
                                     source=uncounted_source if name == "before" else None))
    rate = {name: statistics.median(r for r, _ in got) for name, got in runs.items()}
    cpu = {name: statistics.median(c for _, c in got) for name, got in runs.items()}
    pairs = [a[0] / b[0] for a, b in zip(runs["counters"], runs["before"])]
    print(f"\ndrain of {DRAIN_RECORDS:,} ({rounds} interleaved pairs): with the counters {rate['counters']:.0f} "
          f"records/s, without them {rate['before']:.0f} records/s (ratio {rate['counters'] / rate['before']:.2f}; "
          f"per pair {', '.join(f'{p:.2f}' for p in pairs)}, median {statistics.median(pairs):.2f}); server CPU per drain {cpu['counters']:.2f} s "
          f"against {cpu['before']:.2f} s ({cpu['counters'] / cpu['before']:.2f}×); "
          f"load average {os.getloadavg()[0]:.1f}")
