"""PyInstaller runtime hook of the packaged kiosk: inert unless KIOSK_PACKAGE_PROBE is set, when the benchmark
and the smoke test watch the packaged kiosk exactly as they watch the source run (kiosk.package.probe)."""
import os

if os.environ.get("KIOSK_PACKAGE_PROBE"):
    from kiosk.package.probe import install

    install(os.environ["KIOSK_PACKAGE_PROBE"])
