"""``kiosk screenshots``: every screen, in both languages, rendered offscreen to PNG."""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kiosk.ui.i18n import Language
from kiosk.ui.screens import Screen

SIZES = {"landscape": (1280, 800), "fullhd": (1920, 1080), "portrait": (800, 1280)}


def screenshot_states(window, keyboard=None) -> list[tuple[str, Screen, Callable[[], None]]]:  # type: ignore[no-untyped-def]
    """(name, screen, prepare) for every screen and every state a screen declares worth a picture; with the
    on-screen ``keyboard``, also the name page with Pinyin typed (its candidates showing)."""
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
    if keyboard is not None:
        register = window.screens[Screen.REGISTER]
        states.append(("register-1-name-pinyin", Screen.REGISTER,
                       lambda: (register.go_to(0), keyboard.settle(), keyboard.type_letters("li"),
                                keyboard.settle(steady_ms=400))))
    return states


def render_all(gui, out: Path, *, sizes: tuple[str, ...] = ("landscape",), large_text: bool = False,  # type: ignore[no-untyped-def]
               only: Collection[str] | None = None) -> list[Path]:
    """Render every screen state (or the states named in ``only``) in Chinese and English at the given sizes;
    returns the files written."""
    window, presentation, keyboard = gui.window, gui.presentation, gui.keyboard
    if keyboard is not None:  # the keyboard opens for a focused field only in an active window
        window.show()
        window.activateWindow()
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for size_name in sizes:
        width, height = SIZES[size_name]
        window.resize(width, height)
        for language in (Language.ZH, Language.EN):
            for name, screen, prepare in screenshot_states(window, keyboard):
                if only is not None and name not in only:
                    continue
                window.go_home()
                presentation.set_language(language)
                presentation.set_large_text(large_text)
                window.show_screen(screen)
                prepare()
                for _ in range(3):  # again after the layout settled: a resize is clamped to the old minimum, and a
                    # screen that follows the window's width (the quiz's answer columns) settles a round later
                    window.resize(width, height)  # the window never outgrows it: a screen too big shows squeezed
                    QApplication.processEvents()
                if keyboard is not None:
                    keyboard.settle()  # open (a text field has focus) or closed, and done moving
                suffix = "" if size_name == "landscape" else f"-{size_name}"
                path = out / f"{language.value}-{name}{'-large' if large_text else ''}{suffix}.png"
                if not window.grab().save(str(path)):
                    raise OSError(f"cannot write {path}")
                written.append(path)
    window.go_home()
    return written
