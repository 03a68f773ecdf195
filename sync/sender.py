"""Who holds a ledger's sender lease, and whether that process is provably gone.

A lease holder names its process: ``<random>.<host>.<boot time>.<pid>.<process start time>``. The
lease is taken over at once when the holder ran on this host and its process is gone: the machine
was restarted since (another boot time), no process has its pid, or the pid now belongs to a process
started at another time (the pid was reused). Anything else (another host, a holder written by an
older version, a live process) is not provably gone, and the lease's expiry decides.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

import psutil

START_TOLERANCE_S = 0.5   # start times are derived from clock ticks and the boot time: allow for rounding


@dataclass(frozen=True)
class ProcessIdentity:
    host: str
    boot_time: float
    pid: int
    started: float


def this_process() -> ProcessIdentity:
    pid = os.getpid()
    return ProcessIdentity(_host(), psutil.boot_time(), pid, psutil.Process(pid).create_time())


def new_holder(identity: ProcessIdentity | None = None) -> str:
    """A lease holder name unique to one engine and naming its process (no '|', the lease's separator)."""
    me = identity or this_process()
    return f"{uuid.uuid4().hex}.{me.host}.{me.boot_time:.0f}.{me.pid}.{me.started:.3f}"


def identity_of(holder: str) -> ProcessIdentity | None:
    """The process a holder names, or None when it names none (an older holder's plain random name)."""
    parts = holder.split(".")
    if len(parts) < 6:
        return None
    try:
        # The host is what lies between the random part and the last four numbers (a host may hold dots).
        started = float(parts[-2] + "." + parts[-1])
        return ProcessIdentity(".".join(parts[1:-4]), float(parts[-4]), int(parts[-3]), started)
    except ValueError:
        return None


def holder_is_gone(holder: str) -> bool:
    """True only when the holder's process provably no longer runs."""
    named = identity_of(holder)
    if named is None or named.host != _host():
        return False
    if abs(named.boot_time - psutil.boot_time()) > 1.0:
        return True          # the machine has been restarted since
    try:
        started = psutil.Process(named.pid).create_time()
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:     # access denied and the like: alive as far as we can tell
        return False
    return abs(started - named.started) > START_TOLERANCE_S


def _host() -> str:
    return socket.gethostname().replace("|", "_") or "localhost"
