"""A fault proxy as its own process: ``python tests/proxy_process.py UPSTREAM_PORT FAULT...``.

Prints its port on the first line of stdout, then serves until killed. Each request takes the next
fault of the command line (``pass``, ``cut``: forward, let the server commit, drop the answer with the
connection); when they run out, requests pass. The tests that need a hostile network between two
processes (a kiosk command and the server) run this, so the kiosk meets a real broken connection.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from loopback import FaultProxy, cut_after_commit, passthrough  # noqa: E402

FAULTS = {"pass": passthrough, "cut": cut_after_commit}


def main(argv: list[str]) -> None:
    proxy = FaultProxy(int(argv[0]))
    proxy.plan = [FAULTS[name] for name in argv[1:]]
    print(proxy.port, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main(sys.argv[1:])
