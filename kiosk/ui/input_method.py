"""The input method, chosen before the QApplication exists: the embedded on-screen keyboard when it ships.

Qt reads QT_IM_MODULE once, at start, so ``kiosk.app.run_gui`` calls ``prepare_virtual_keyboard`` before
the first paint; this module needs QtCore only, so that call does not load QtQuick (``kiosk.ui.keyboard``
embeds the panel after the first paint).
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

from PySide6.QtCore import QLibraryInfo

IM_MODULE = "qtvirtualkeyboard"


def virtual_keyboard_available() -> bool:
    """The input-context plugin and the InputPanel QML both ship with this Qt."""
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforminputcontexts"
    qml = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.QmlImportsPath)) / "QtQuick" / "VirtualKeyboard"
    has_plugin = any(IM_MODULE in p.name for p in plugins.glob("*")) if plugins.is_dir() else False
    return has_plugin and (qml / "InputPanel.qml").is_file()


def prepare_virtual_keyboard(environ: MutableMapping[str, str] = os.environ) -> bool:
    """Ask Qt for the embedded virtual keyboard; an operator's own QT_IM_MODULE choice is kept."""
    if environ.get("QT_IM_MODULE", IM_MODULE) != IM_MODULE or not virtual_keyboard_available():
        return False
    environ["QT_IM_MODULE"] = IM_MODULE
    # Without this the keyboard opens as a separate window over the lower half of the screen.
    environ["QT_VIRTUALKEYBOARD_DESKTOP_DISABLE"] = "1"
    return True
