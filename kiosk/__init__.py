"""Union booth kiosk: offline-first capture of a 职工沟通会 booth's records."""

__version__ = "0.1.0"
