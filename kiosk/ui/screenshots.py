"""``kiosk screenshots``: every screen, in both languages, rendered offscreen to PNG."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kiosk.ui.i18n import Language
from kiosk.ui.screens import Screen

SIZES = {"landscape": (1280, 800), "fullhd": (1920, 1080), "portrait": (800, 1280)}


def screenshot_states(window) -> list[tuple[str, Screen, Callable[[], None]]]:  # type: ignore[no-untyped-def]
    """(name, screen, prepare) for every screen and every state a screen declares worth a picture."""
    states = []
    window.build_deferred_screens()
    for screen, widget in window.screens.items():
        extra = getattr(widget, "screenshot_states", None)
        variants = extra() if extra else [("", lambda: None)]
        for suffix, prepare in variants:
            name = screen.value + (f"-{suffix}" if suffix else "")
            states.append((name, screen, prepare))
    # The idle return's "还在吗？" over a form a worker left half filled.
    states.append(("idle-overlay", Screen.REGISTER, window.overlay.preview))
    return states


def render_all(gui, out: Path, *, sizes: tuple[str, ...] = ("landscape",), large_text: bool = False) -> list[Path]:  # type: ignore[no-untyped-def]
    """Render every screen state in Chinese and English at the given sizes; returns the files written."""
    window, presentation = gui.window, gui.presentation
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for size_name in sizes:
        width, height = SIZES[size_name]
        window.resize(width, height)
        for language in (Language.ZH, Language.EN):
            for name, screen, prepare in screenshot_states(window):
                window.go_home()
                presentation.set_language(language)
                presentation.set_large_text(large_text)
                window.show_screen(screen)
                prepare()
                for _ in range(3):  # again after the layout settled: a resize is clamped to the old minimum, and a
                    # screen that follows the window's width (the quiz's answer columns) settles a round later
                    window.resize(width, height)  # a screen too big for the size shows up as a bigger picture
                    QApplication.processEvents()
                suffix = "" if size_name == "landscape" else f"-{size_name}"
                path = out / f"{language.value}-{name}{'-large' if large_text else ''}{suffix}.png"
                if not window.grab().save(str(path)):
                    raise OSError(f"cannot write {path}")
                written.append(path)
    window.go_home()
    return written
