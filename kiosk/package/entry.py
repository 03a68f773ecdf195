"""The packaged executable's entry point: the same ``kiosk`` command as ``uv run kiosk``."""

import multiprocessing
import sys

from kiosk.cli import main

if __name__ == "__main__":
    # The day report export runs in a process of its own (kiosk/export_process.py): a frozen executable
    # started as that process must run it, not the kiosk.
    multiprocessing.freeze_support()
    sys.exit(main())
