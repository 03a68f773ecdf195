"""The packaged executable's entry point: the same ``kiosk`` command as ``uv run kiosk``."""

import sys

from kiosk.cli import main

if __name__ == "__main__":
    sys.exit(main())
