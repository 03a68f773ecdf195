"""Telling a USB scanner from a person by keystroke timing: scanners type a code a few ms per key, then Enter."""

from __future__ import annotations

# A scanner types a character every 1–15 ms; the fastest touch typist needs about 60 ms between
# keys, and a finger on a touchscreen keyboard far more. 35 ms sits safely between the two.
MAX_SCAN_GAP_MS = 35.0
MIN_SCAN_LENGTH = 8


class KeystrokeTiming:
    """The times of the keystrokes typed into a field since it was last empty."""

    def __init__(self, *, max_gap_ms: float = MAX_SCAN_GAP_MS, min_length: int = MIN_SCAN_LENGTH):
        self.max_gap_ms, self.min_length = max_gap_ms, min_length
        self._times: list[float] = []

    def reset(self) -> None:
        self._times.clear()

    def key(self, at_ms: float) -> None:
        self._times.append(at_ms)

    def is_scan(self, enter_at_ms: float) -> bool:
        """Whether every key, and the final Enter, came within ``max_gap_ms`` of the one before."""
        times = self._times + [enter_at_ms]
        if len(self._times) < self.min_length:
            return False
        return all(b - a <= self.max_gap_ms for a, b in zip(times, times[1:]))
