"""Runs the real ``kiosk`` (its command line, run_gui and all) on an X display and answers questions about it.

Started by tests/xdisplay.py as ``python tests/kiosk_remote.py KIOSK-ARGS...`` with DISPLAY set and
QT_QPA_PLATFORM=xcb. Each line on stdin is a JSON request; each answer is one JSON line on stdout, prefixed
with ``@@`` (Qt and QML write their own lines to stdout and stderr). Requests run on the GUI thread, between
two turns of the kiosk's own event loop; nothing here clicks or types: the test does that with real X
pointer events (xdotool), and reads the screen's pixels from the X server (``grab``).
"""

from __future__ import annotations

import json
import sys
import threading

from PySide6.QtCore import QObject, QRect, Signal

ANSWER = "@@"


class Remote(QObject):
    request = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.request.connect(self.answer)  # queued: emitted by the reader thread, run on the GUI thread

    def answer(self, line: str) -> None:
        try:
            request = json.loads(line)
            result = {"ok": OPS[request["op"]](**request.get("args", {}))}
        except Exception as error:  # the test shows what went wrong; the kiosk keeps running
            result = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(ANSWER + json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def window():  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.main_window import MainWindow

    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))


def resolve(path: str):  # type: ignore[no-untyped-def]
    """``screens.register.pages.0.name_edit`` → that object of the main window."""
    from kiosk.ui.screens import Screen

    obj = window()
    for part in path.split("."):
        if part.isdigit():
            obj = obj[int(part)]
        elif isinstance(obj, dict):
            obj = obj[Screen(part)]
        else:
            obj = getattr(obj, part)
    return obj


def global_rect(widget) -> list[int]:  # type: ignore[no-untyped-def]
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


def keyboard_view():  # type: ignore[no-untyped-def]
    from PySide6.QtQuickWidgets import QQuickWidget

    return window().keyboard_area.findChild(QQuickWidget)


def op_state() -> dict:
    from PySide6.QtGui import QGuiApplication

    win = window()
    view = keyboard_view()
    state = {"ready": view is not None and "register" in {s.value for s in win.screens},
             "current": win.current.value,
             "window": [win.x(), win.y(), win.width(), win.height()],
             "window_id": int(win.winId()),
             "screen": QGuiApplication.primaryScreen().geometry().getRect(),
             "keyboard_visible": win.keyboard_area.isVisible(),
             "input_method_visible": QGuiApplication.inputMethod().isVisible()}
    if view is not None:
        state["view"] = global_rect(view)
        state["area"] = global_rect(win.keyboard_area)
        root = view.rootObject()
        state["root"] = [root.width(), root.height()]
        state["locale"] = root.property("inputLocale")
    focus = QGuiApplication.focusObject()
    state["focus"] = focus.objectName() or type(focus).__name__ if focus is not None else None
    return state


def op_widget(name: str) -> dict:
    widget = resolve(name)
    return {"rect": global_rect(widget), "visible": widget.isVisible(),
            "text": widget.text() if hasattr(widget, "text") else None}


def op_items() -> list[dict]:
    """The keyboard's visible items that carry a text, a key code or a name, with their rectangles on the
    screen: where the item tree says each key (and each Pinyin candidate) is drawn."""
    view = keyboard_view()
    origin = view.mapToGlobal(view.rect().topLeft())
    found: list[dict] = []

    def walk(item, inside: list[str]) -> None:  # type: ignore[no-untyped-def]
        for child in item.childItems():
            if not child.isVisible() or child.opacity() == 0:
                continue
            props = {n: child.property(n) for n in ("text", "displayText", "key", "objectName")}
            props = {n: v for n, v in props.items() if v not in (None, "")}
            if props:
                corner = child.mapToScene(child.boundingRect().topLeft())
                rect = QRect(round(corner.x()) + origin.x(), round(corner.y()) + origin.y(),
                             round(child.width()), round(child.height()))
                found.append({**props, "class": child.metaObject().className().split("_")[0],
                              "rect": list(rect.getRect()), "inside": inside})
            walk(child, inside + ([props["objectName"]] if props.get("objectName") else []))

    walk(view.rootObject(), [])
    return found


def op_grab(path: str) -> list[int]:
    """The whole screen as the X server holds it (the root window), saved as a PNG."""
    from PySide6.QtGui import QGuiApplication

    pixmap = QGuiApplication.primaryScreen().grabWindow(0)
    pixmap.save(path)
    return [pixmap.width(), pixmap.height()]


def op_quit() -> bool:
    win = window()
    win.allow_close()
    win.close()
    return True


OPS = {"state": op_state, "widget": op_widget, "items": op_items, "grab": op_grab, "quit": op_quit}


def read_requests(remote: Remote) -> None:
    import time

    from PySide6.QtCore import QCoreApplication

    while QCoreApplication.instance() is None:  # a request queued before the application exists is lost
        time.sleep(0.02)
    for line in sys.stdin:
        remote.request.emit(line)


def main(argv: list[str]) -> int:
    from kiosk.cli import main as kiosk_main

    remote = Remote()
    threading.Thread(target=read_requests, args=(remote,), daemon=True).start()
    return kiosk_main(argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
