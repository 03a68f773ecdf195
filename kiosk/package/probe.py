"""Watches a starting kiosk GUI from inside, the same way for the source run and the packaged executable.

``KIOSK_PACKAGE_PROBE=painted``: print ``painted`` and exit at the first frame drawn of the attract screen
(the cold-start benchmark). ``KIOSK_PACKAGE_PROBE=keyboard``: once the on-screen keyboard is installed, focus
a text field and print what the keyboard reports: loaded, shown, its height and languages (the smoke test;
offscreen, a QQuickWidget's pixels cannot be grabbed, so the state is what is compared).
``KIOSK_PACKAGE_PROBE=refusal=FILE``: when the GUI refuses a newer ledger, save its message box to FILE, print
its text and close it as a volunteer would (the kiosk then exits with its code).
``KIOSK_PACKAGE_PROBE=camera``: hand the camera scanner a frame holding a member pass QR code (decoded by
zxing-cpp on a pool thread, as a camera frame is), ask Qt Multimedia for the cameras and the formats its
backend decodes, print what came out, and exit.
``KIOSK_PACKAGE_PROBE=paths``: print where the kiosk finds its resources and Qt its plugins and QML, and exit. The packaged kiosk runs this
from a runtime hook only when the variable is set; nothing here changes what the kiosk does otherwise.
"""

from __future__ import annotations

import os
import sys


def install(mode: str) -> None:
    if mode == "paths":
        _print_paths()
    if mode == "camera":
        _try_camera()
    import kiosk.app

    if mode == "painted":
        _watch_first_paint(kiosk.app)
    elif mode == "keyboard":
        _watch_keyboard()
    elif mode.startswith("refusal="):
        _watch_refusal(mode.removeprefix("refusal="))
    else:
        print(f"kiosk probe: unknown mode {mode!r}", file=sys.stderr)
        os._exit(70)


def _print_paths() -> None:
    from PySide6.QtCore import QLibraryInfo

    from kiosk.settings import RESOURCES

    lib = QLibraryInfo.LibraryPath
    _done(f"resources={RESOURCES}\nplugins={QLibraryInfo.path(lib.PluginsPath)}\n"
          f"qml={QLibraryInfo.path(lib.QmlImportsPath)}\nexecutable={sys.executable}")


def _code_frame(text: str):  # type: ignore[no-untyped-def]
    """A 1280x720 frame with the code on a card, turned 20 degrees, as held up to a tablet's camera."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    from kiosk.qr import qr_matrix

    image = QImage(1280, 720, QImage.Format.Format_RGB32)
    image.fill(QColor(120, 115, 105))
    matrix, module = qr_matrix(text), 6.0
    side = len(matrix) * module
    painter = QPainter(image)
    painter.translate(640, 360)
    painter.rotate(20)
    painter.translate(-side / 2, -side / 2)
    painter.fillRect(QRectF(-4 * module, -4 * module, side + 8 * module, side + 8 * module), QColor(235, 232, 225))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect(QRectF(x * module, y * module, module, module), QColor(30, 30, 35))
    painter.end()
    return image


def _try_camera() -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtMultimedia import QMediaDevices, QMediaFormat
    from PySide6.QtWidgets import QApplication

    from booth_common import tokens
    from kiosk.ui.camera_scanner import CameraScanner

    app = QApplication.instance() or QApplication([])
    token = tokens.new_pass_token()
    scanner = CameraScanner(devices=None)
    decode_formats = len(QMediaFormat().supportedFileFormats(QMediaFormat.ConversionMode.Decode))
    cameras = len(QMediaDevices.videoInputs())

    def report(found: str) -> None:
        _done(f"camera decoded={found == token} cameras={cameras} decode_formats={decode_formats} "
              f"started_without_camera={scanner.start() if cameras == 0 else 'n/a'} says={scanner.status.text()!r}")

    scanner.scanned.connect(report)
    scanner.submit_frame(_code_frame(token))
    QTimer.singleShot(20_000, lambda: _done("camera decoded=False (no answer in 20 s)", 1))
    app.exec()


def _done(line: str, code: int = 0) -> None:
    print(line, flush=True)
    os._exit(code)


def _watch_first_paint(app_module) -> None:  # type: ignore[no-untyped-def]
    # "Painted" is the next turn of the event loop after the first paint event: an event filter sees the
    # event before the widget draws. PySide is imported only once the shell exists, as the product does.
    build_shell = app_module.build_shell

    def watched_shell(*args, **kwargs):  # type: ignore[no-untyped-def]
        gui = build_shell(*args, **kwargs)
        from PySide6.QtCore import QEvent, QObject, QTimer

        class Painted(QObject):
            def eventFilter(self, obj, event):  # type: ignore[no-untyped-def]
                if event.type() == QEvent.Type.Paint:
                    QTimer.singleShot(0, lambda: _done("painted"))
                return False

        gui.window.attract.join_button.installEventFilter(Painted(gui.window))
        return gui

    app_module.build_shell = watched_shell


def _watch_keyboard() -> None:
    import kiosk.ui.keyboard

    install_keyboard = kiosk.ui.keyboard.install_keyboard

    def watched(app, area, presentation):  # type: ignore[no-untyped-def]
        keyboard = install_keyboard(app, area, presentation)
        from PySide6.QtCore import Qt, QTimer
        from PySide6.QtGui import QGuiApplication

        if keyboard is None:
            QTimer.singleShot(0, lambda: _done("keyboard unavailable", 1))
            return keyboard

        def shown() -> None:
            root = keyboard.root
            locales = root.property("activeLocales")
            locales = locales.toVariant() if hasattr(locales, "toVariant") else locales
            _done(f"keyboard loaded={keyboard.loaded} visible={QGuiApplication.inputMethod().isVisible()} "
                  f"active={root.property('keyboardActive')} height={round(root.property('keyboardHeight'))} "
                  f"area={area.isVisible()} locale={root.property('currentLocale')} locales={','.join(sorted(locales))}")

        # A text field of the probe's own, focused as the flow focuses the name field: the keyboard opens on focus.
        from PySide6.QtWidgets import QLineEdit

        field = QLineEdit(area.window())
        # As the kiosk marks its own fields: no input method may learn what is typed (no Pinyin user dictionary).
        field.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText)
        field.setGeometry(40, 60, 400, 64)
        field.show()
        field.window().activateWindow()  # a tap on the screen would; offscreen nothing else does
        field.setFocus()
        QTimer.singleShot(1000, shown)
        return keyboard

    kiosk.ui.keyboard.install_keyboard = watched


def _watch_refusal(out: str) -> None:
    import kiosk.ui.refusal

    show_refusal = kiosk.ui.refusal.show_refusal

    def watched(parent, text, *, on_closed):  # type: ignore[no-untyped-def]
        box = show_refusal(parent, text, on_closed=on_closed)
        from PySide6.QtCore import QTimer

        def look_and_close() -> None:
            box.grab().save(out)
            print(f"refusal title={box.windowTitle()!r} shown={box.isVisible()} text={box.text()!r}", flush=True)
            box.buttons()[0].click()

        QTimer.singleShot(300, look_and_close)
        return box

    kiosk.ui.refusal.show_refusal = watched
