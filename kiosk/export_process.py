"""The day report's rows written by a process of their own, so that the GUI process's interpreter lock stays free.

A worker thread of the GUI process writing a million rows holds the interpreter lock whenever it runs, and the
GUI thread needs that lock at every event it hands to Python (the console's event filters see every event).
When the machine is busy the operating system pauses the worker while it holds the lock, and the screen
waits as long as the worker does: 50-240 ms seen on a loaded 2-core machine (tests/benchmarks/
bench_background.py). A process has a lock of its own. It opens its own connection to the ledger (WAL lets it
read beside the kiosk), counts the day's figures for the summary itself, and tells the calling thread of its progress over a pipe; an error in it comes back
as the same kind of error, and a process that dies without a word is an ``ExportProcessDied``.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.config import Config

PROGRESS_EVERY_S = 0.05  # the console's bar hears at most every 100 ms anyway


class ExportProcessDied(RuntimeError):
    """The export's process ended without finishing or saying why (killed, out of memory)."""

    def __init__(self, exitcode: int | None):
        super().__init__(f"the export process ended without finishing (exit code {exitcode})")
        self.exitcode = exitcode


def write_in_own_process(ledger_path: Path, part: Path, *, fmt: str, config: Config, today: dt.date | None,
                         progress: Callable[[int, int], None]) -> int:
    """``kiosk.report.write_whole_report`` (the day's figures, then every record) in a fresh process (spawned:
    forking a process with Qt's threads is not safe); blocks the calling thread, not the interpreter, until
    it ends. The records written."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_write, args=(str(ledger_path), str(part), fmt, config, today, send),
                            name="day-report-export", daemon=True)
    child.start()
    send.close()  # the child's end only: when it dies, recv() sees the pipe close
    try:
        return _relay(receive, child, progress)
    finally:
        receive.close()
        if child.is_alive():  # the caller is gone (an error relaying): the file it writes is discarded anyway
            child.kill()
        child.join()


def _relay(receive: Connection, child: Any, progress: Callable[[int, int], None]) -> int:
    while True:
        try:
            kind, *details = receive.recv()
        except EOFError:
            child.join()
            raise ExportProcessDied(child.exitcode) from None
        if kind == "progress":
            progress(*details)
        elif kind == "done":
            return int(details[0])
        elif kind == "oserror":  # a full or pulled USB stick: the console words it as the system does
            raise OSError(*details)
        else:
            raise RuntimeError(": ".join(details))


def _write(ledger_path: str, part: str, fmt: str, config: Config, today: dt.date | None, send: Connection) -> None:
    """The child's whole life: count the day, write the file, say how it went."""
    from kiosk.ledger import Ledger
    from kiosk.report import write_whole_report

    last = 0.0

    def progress(done: int, of: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done >= of or now - last >= PROGRESS_EVERY_S:
            last = now
            send.send(("progress", done, of))

    try:
        with Ledger(Path(ledger_path)) as ledger:
            done = write_whole_report(ledger, config, Path(part), fmt=fmt, today=today, progress=progress)
    except OSError as exc:
        send.send(("oserror", exc.errno, exc.strerror, exc.filename))
    except Exception as exc:  # noqa: BLE001 - every failure goes back to the console, worded
        send.send(("error", type(exc).__name__, str(exc)))
    else:
        send.send(("done", done))
    finally:
        send.close()
