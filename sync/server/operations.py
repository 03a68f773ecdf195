"""What the city IT team watches: readiness, Prometheus metrics at /metrics and a JSON-lines access log.

Metrics live in a registry of the app (not prometheus_client's global one), so that several servers in
one test process keep their own counts. With several worker processes each keeps its own: a scrape
reads the process that answers it (docs/server.md says how to scrape each).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

import orjson
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from booth_common.records import utc_now_text
from sync.server.storage import Storage

READY_PATH = "/v1/ready"
METRICS_PATH = "/metrics"
RECORD_STATUSES = ("accepted", "duplicate", "conflict", "rejected")


class Metrics:
    """The server's Prometheus metrics, in a registry of their own."""

    def __init__(self, storage: Storage):
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
        queue = Gauge("kiosk_server_ingest_queue_records", "Records waiting for the writer's group commit.",
                      registry=self.registry)
        queue.set_function(storage.queued_records)

    def pushed(self, answers: Iterable[dict[str, Any]], seconds: float) -> None:
        for answer in answers:
            self.records.labels(answer["status"]).inc()
        self.batch_seconds.observe(seconds)


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
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

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
    import os

    # Owner only, like the audit log: client addresses are in it.
    fd = os.open(Path(setting), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    return os.fdopen(fd, "a", encoding="utf-8", buffering=1)
