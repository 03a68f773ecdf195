"""The packaged build of the kiosk: ``kiosk-package --out DIR`` freezes it with PyInstaller (a build tool, not a runtime part)."""
