"""What the city IT team watches: readiness, Prometheus metrics at /metrics and a JSON-lines access log.

Metrics live in a registry of the app (not prometheus_client's global one), so that several servers in
one test process keep their own counts. With several worker processes (``serve --workers N``) each
process writes its values to files in a folder of the data folder (prometheus_client's multiprocess mode,
``PROMETHEUS_MULTIPROC_DIR``, set by ``serve`` before the workers start) and a scrape, whichever process
answers it, adds up every process's files: the figures of the machine, not of one process. Several
machines are several scrape targets, added up by Prometheus (docs/server.md).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import collections
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

import orjson
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from booth_common.records import utc_now_text
from sync.server.storage import Storage

READY_PATH = "/v1/ready"
METRICS_PATH = "/metrics"
RECORD_STATUSES = ("accepted", "duplicate", "conflict", "rejected")


MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def share_metrics_between_processes(data_dir: Path) -> Path:
    """Before the worker processes start: a fresh folder for their metric files, named in the environment
    they inherit (prometheus_client reads it when first imported). One folder per ``serve`` (its process id),
    so two servers on one data folder keep their own; folders of servers no longer running are removed."""
    root = data_dir / "metrics"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    for old in root.iterdir():
        if not (old.name.isdigit() and _alive(int(old.name))) or int(old.name) == os.getpid():
            shutil.rmtree(old, ignore_errors=True)
    folder = root / str(os.getpid())
    folder.mkdir(mode=0o700)
    os.environ[MULTIPROCESS_ENV] = str(folder)
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # someone else's process under that number: not ours to clean up after
        return True
    return True


class Metrics:
    """The server's Prometheus metrics, in a registry of their own (or, with several worker processes, in the
    folder they share)."""

    def __init__(self, storage: Storage):
        self.shared = os.environ.get(MULTIPROCESS_ENV) or None
        self._storage = storage
        self.registry = CollectorRegistry()
        self.records = Counter("kiosk_server_records", "Pushed records by the answer they got.", ["status"],
                               registry=self.registry)
        for status in RECORD_STATUSES:
            self.records.labels(status)   # present at 0 before the first push, so rate() has a start
        self.batch_seconds = Histogram(
            "kiosk_server_push_batch_seconds", "Time to check, store and answer one push.",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30), registry=self.registry)
        self.enrolments = Counter("kiosk_server_enrolments", "Enrolment attempts by result (enrolled or the refusal).",
                                  ["result"], registry=self.registry)
        self.enrolments.labels("enrolled")
        self.unavailable = Counter("kiosk_server_database_unavailable", "Requests answered 503 because the "
                                   "database could not serve them (down, unreachable, full, read-only, locked).",
                                   registry=self.registry)
        self.queue = Gauge("kiosk_server_ingest_queue_records", "Records waiting for the writer's group commit.",
                           registry=self.registry, multiprocess_mode="livesum")
        if self.shared is None:
            self.queue.set_function(storage.queued_records)

    def pushed(self, answers: Iterable[dict[str, Any]], seconds: float) -> None:
        # Counted first, then one increment per status: labels() and inc() take locks, and a push
        # answers up to thousands of records.
        for status, count in collections.Counter(answer["status"] for answer in answers).items():
            self.records.labels(status).inc(count)
        self.batch_seconds.observe(seconds)
        if self.shared is not None:
            # Other processes cannot ask this one's queue at a scrape, so each process writes its own down after
            # every push it answers (the last push answered leaves the queue empty, and the gauge at 0).
            self.queue.set(self._storage.queued_records())

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format: this process's, or every live process's added up."""
        if self.shared is None:
            return generate_latest(self.registry)
        self.queue.set(self._storage.queued_records())
        for gauge in Path(self.shared).glob("gauge_livesum_*.db"):   # a worker that died: its queue is gone
            pid = gauge.stem.rsplit("_", 1)[1]
            if pid.isdigit() and not _alive(int(pid)):
                mark_process_dead(int(pid), self.shared)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.shared)
        return generate_latest(registry)


def install_operations(app: FastAPI, storage: Storage) -> Metrics:
    """/v1/ready and /metrics on ``app``; the metrics, for the endpoints to count with."""
    metrics = Metrics(storage)

    @app.get(READY_PATH, responses={503: {"description": "The database cannot be read now."}})
    def ready() -> Response:
        problem = storage.ready()
        if problem is not None:
            return JSONResponse({"status": "unavailable", "detail": f"database: {problem}"}, status_code=503)
        return JSONResponse({"status": "ready", "database": storage.describe()})

    @app.get(METRICS_PATH, include_in_schema=False)
    def prometheus() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return metrics


class AccessLogMiddleware:
    """One JSON line per request: when, client, method, path (never the query: it may hold a join token),
    status, bytes sent and milliseconds."""

    def __init__(self, app: ASGIApp, *, out: TextIO):
        self.app, self.out = app, out

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, answer = time.perf_counter(), {"status": 500, "bytes": 0, "logged": False}

        def log() -> None:
            answer["logged"] = True
            client = scope.get("client")
            line = {"at": utc_now_text(), "client": client[0] if client else None, "method": scope["method"],
                    "path": scope["path"], "status": answer["status"], "bytes": answer["bytes"],
                    "ms": round((time.perf_counter() - started) * 1000, 1)}
            try:
                self.out.write(orjson.dumps(line).decode() + "\n")
                self.out.flush()
            except (OSError, ValueError):   # a closed pipe or file: the answer matters more than its log line
                pass

        async def noting(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            elif message["type"] == "http.response.body":
                answer["bytes"] += len(message.get("body", b""))
                if not message.get("more_body", False):
                    log()     # before the last part leaves: whoever got the answer finds its line
            await send(message)

        try:
            await self.app(scope, receive, noting)
        finally:
            if not answer["logged"]:    # no answer at all (the client left, the app failed)
                log()


def access_log_stream(setting: str) -> TextIO | None:
    """Where the access log goes: "-" standard output, "off" nowhere, else a file appended to."""
    if setting == "off":
        return None
    if setting == "-":
        return sys.stdout
    # Owner only, like the audit log: client addresses are in it.
    fd = os.open(Path(setting), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    return os.fdopen(fd, "a", encoding="utf-8", buffering=1)
