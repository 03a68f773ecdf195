"""The city server as operators run it: `python -m sync.server serve` in a process of its own on a loopback port.

Several of them on one database stand for several machines behind one load balancer (each its own
process, nothing shared but the database); ``workers`` above 1 is one machine's uvicorn supervisor.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`python -m sync.server serve` on the database (a file or a URL) and city key of ``folder``."""

    def __init__(self, folder: Path, *, workers: int = 1, database: str | None = None, options: tuple[str, ...] = ()):
        self.folder, self.port, self.workers = folder, free_port(), workers
        self.database = database or str(folder / "city.sqlite3")
        self.options = options
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def start(self, *, wait_for: str = "/v1/health") -> float:
        """Start it and wait until ``wait_for`` answers 200; the seconds from starting the process to that answer."""
        args = [sys.executable, "-m", "sync.server", "--data-dir", str(self.folder), "--database", self.database,
                "--city-key", str(self.folder / "city.key"), "--port", str(self.port), "--max-batch", "2000",
                "--workers", str(self.workers), "--access-log", "off", *self.options, "serve"]
        began = time.perf_counter()
        self.log = (self.folder / f"server-{self.port}.log").open("wb")   # a pipe nobody reads would fill and stall it
        # Python keeps compiled bytecode, as on an installed server: a shell that sets PYTHONDONTWRITEBYTECODE (these
        # machines do) would otherwise charge every start with compiling FastAPI, pydantic and the server again.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline, last = time.monotonic() + 60, "no answer"
        while True:
            try:
                answer = requests.get(self.url + wait_for, timeout=60)
                if answer.status_code == 200:
                    return time.perf_counter() - began
                last = f"{wait_for} answered {answer.status_code}"
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"{last}; " + Path(self.log.name).read_text(errors="replace")[-2000:])
            time.sleep(0.02)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.log.close()

    def __exit__(self, *exc: object) -> None:
        self.stop()
