"""A real X server (Xvfb, no window manager) for tests that look at what a person sees, and the real kiosk on it.

Not a test module. The kiosk runs in its own process (tests/kiosk_remote.py) with QT_QPA_PLATFORM=xcb; the
test taps with real X pointer events (xdotool, through the XTEST extension) and reads the pixels back from
the X server. A missing Xvfb or xdotool is an error, never a skip: .ci/run installs them.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QColor, QImage

ROOT = Path(__file__).resolve().parent.parent
REMOTE = Path(__file__).resolve().parent / "kiosk_remote.py"
# How long a finger stays on the glass in a tap (a quick tap is ~50-150 ms). xdotool's own click lets go at once,
# and a press released in the same breath hid a bug that a finger meets every time: the keyboard closing on the
# press moved 下一步 down before the release, and the tap was lost (test_form_taps_on_x.py).
FINGER_S = 0.08


def need(tool: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} is missing: these tests need a real X server and pointer (.ci/run installs them)"
    return path


class Xvfb:
    """One X server on a display number it picks itself (-displayfd), so parallel runs never collide."""

    def __init__(self, width: int, height: int) -> None:
        read, write = os.pipe()
        self.process = subprocess.Popen(
            [need("Xvfb"), "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp",
             "-noreset"], pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()  # written once the server accepts connections
        assert number.isdigit(), "Xvfb did not start"
        self.display = f":{number}"

    def env(self) -> dict[str, str]:
        return {**os.environ, "DISPLAY": self.display}

    def tap(self, x: int, y: int, *, hold: float = FINGER_S) -> None:
        """A real pointer press at (x, y) of the screen, released ``hold`` seconds later (0: at once)."""
        press = ["click", "1"] if hold <= 0 else ["mousedown", "1", "sleep", f"{hold:.3f}", "mouseup", "1"]
        subprocess.run([need("xdotool"), "mousemove", "--sync", str(x), str(y), *press],
                       env=self.env(), check=True, timeout=10)

    def press(self, x: int, y: int) -> None:
        """A finger put down at (x, y) and kept there until ``release``."""
        subprocess.run([need("xdotool"), "mousemove", "--sync", str(x), str(y), "mousedown", "1"],
                       env=self.env(), check=True, timeout=10)

    def release(self) -> None:
        subprocess.run([need("xdotool"), "mouseup", "1"], env=self.env(), check=True, timeout=10)

    def window_geometry(self, window_id: int) -> dict[str, int]:
        """The X server's own view of a window: xwininfo's absolute position and size."""
        out = subprocess.run([need("xwininfo"), "-id", str(window_id)], env=self.env(), capture_output=True,
                             text=True, check=True, timeout=10).stdout
        fields = {"Absolute upper-left X": "x", "Absolute upper-left Y": "y", "Width": "width", "Height": "height"}
        found = {}
        for line in out.splitlines():
            name, _, value = line.strip().partition(":")
            if name in fields:
                found[fields[name]] = int(value)
        return found

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class KioskOnX:
    """``kiosk ARGS`` on ``xvfb``'s display, with its data, cache and config folders under ``home``."""

    def __init__(self, xvfb: Xvfb, home: Path, *args: str) -> None:
        self.xvfb = xvfb
        self.home = home
        env = {**xvfb.env(), "QT_QPA_PLATFORM": "xcb", "XDG_DATA_HOME": str(home / "data"),
               "XDG_CACHE_HOME": str(home / "cache"), "XDG_CONFIG_HOME": str(home / "config"),
               "XDG_RUNTIME_DIR": str(home / "runtime"), "PYTHONPATH": str(ROOT)}
        env.pop("QT_IM_MODULE", None)  # the kiosk chooses its own input method, as on a booth
        (home / "runtime").mkdir(parents=True, exist_ok=True, mode=0o700)
        self.log = open(home / "kiosk.log", "w+", encoding="utf-8")  # noqa: SIM115 — closed in stop()
        self.process = subprocess.Popen([sys.executable, str(REMOTE), *args], cwd=ROOT, env=env, text=True,
                                        encoding="utf-8", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.log)
        self._answers: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            if line.startswith("@@"):
                self._answers.put(line[2:])
            else:
                self.log.write(line)

    def ask(self, op: str, **args: object) -> object:
        assert self.process.poll() is None, f"the kiosk exited ({self.process.returncode}): {self.tail()}"
        self.process.stdin.write(json.dumps({"op": op, "args": args}) + "\n")
        self.process.stdin.flush()
        try:
            answer = json.loads(self._answers.get(timeout=20))
        except queue.Empty:
            raise AssertionError(f"the kiosk did not answer {op}: {self.tail()}") from None
        assert "error" not in answer, answer["error"]
        return answer["ok"]

    def tail(self) -> str:
        self.log.flush()
        return (self.home / "kiosk.log").read_text(encoding="utf-8")[-3000:]

    def wait(self, condition: Callable[[], object], what: str, timeout: float = 10) -> object:
        """Polls ``condition`` (which asks the kiosk) until it holds."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def tap_widget(self, name: str, *, left: bool = False, hold: float = FINGER_S) -> None:
        """A tap in the middle of the widget, or at its left end (a check box's box)."""
        widget = self.ask("widget", name=name)
        assert widget["visible"], f"{name} is not on screen"
        x, y, w, h = widget["rect"]
        self.xvfb.tap(x + (h // 2 if left else w // 2), y + h // 2, hold=hold)

    def items(self) -> list[dict]:
        return self.ask("items")

    def key(self, label: str) -> dict | None:
        """The keyboard key showing ``label`` (its ``text`` or ``displayText``), as the item tree places it."""
        return next((i for i in self.items()
                     if "Key" in i["class"] and label in (i.get("text"), i.get("displayText"))), None)

    def tap_rect(self, rect: list[int], *, hold: float = FINGER_S) -> None:
        x, y, w, h = rect
        self.xvfb.tap(x + w // 2, y + h // 2, hold=hold)

    def grab(self, path: Path) -> QImage:
        self.ask("grab", path=str(path))
        image = QImage(str(path))
        assert not image.isNull()
        return image.convertToFormat(QImage.Format.Format_RGB32)

    def stop(self) -> int:
        if self.process.poll() is None:
            try:
                self.ask("quit")
                self.process.wait(timeout=10)
            except (AssertionError, subprocess.TimeoutExpired, OSError):
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()
        return self.process.returncode


def share_of(image: QImage, rect: list[int], matches: Callable[[QColor], bool], step: int = 3) -> float:
    """The share of the pixels of ``rect`` (sampled every ``step`` pixels) that ``matches`` accepts."""
    x0, y0, w, h = rect
    hits = total = 0
    for y in range(max(0, y0), min(image.height(), y0 + h), step):
        for x in range(max(0, x0), min(image.width(), x0 + w), step):
            total += 1
            hits += bool(matches(image.pixelColor(x, y)))
    return hits / total if total else 0.0


def near(colour: str, tolerance: int = 24) -> Callable[[QColor], bool]:
    target = QColor(colour)
    return lambda c: (abs(c.red() - target.red()) + abs(c.green() - target.green())
                      + abs(c.blue() - target.blue())) <= tolerance
