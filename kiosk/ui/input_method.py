"""The input method, chosen before the QApplication exists: the embedded on-screen keyboard when it ships.

Qt reads QT_IM_MODULE once, at start, so ``kiosk.app.run_gui`` calls ``prepare_virtual_keyboard`` before
the first paint; this module needs QtCore only, so that call does not load QtQuick (``kiosk.ui.keyboard``
embeds the panel after the first paint).
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import MutableMapping
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QStandardPaths

IM_MODULE = "qtvirtualkeyboard"
# Where Qt Virtual Keyboard keeps what it learns (pinyin/usr_dict.dat: words typed, in clear UTF-16), and
# where its other engines may: each folder is deleted whole.
_LEARNED = "qtvirtualkeyboard"
_LOCATIONS = (QStandardPaths.StandardLocation.GenericConfigLocation, QStandardPaths.StandardLocation.ConfigLocation,
              QStandardPaths.StandardLocation.GenericDataLocation, QStandardPaths.StandardLocation.AppDataLocation,
              QStandardPaths.StandardLocation.AppLocalDataLocation, QStandardPaths.StandardLocation.GenericCacheLocation)
log = logging.getLogger(__name__)


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


def remove_keyboard_dictionaries() -> list[Path]:
    """Delete every user dictionary the on-screen keyboard keeps (at start and at the console's purge).

    Text fields are marked sensitive so nothing is learned (kiosk.ui.keyboard.keep_typing_private); this
    removes what an older version, or another program under the booth account, left. Returns the folders
    deleted; one that cannot be deleted is logged (its path only) and the others still go."""
    removed: list[Path] = []
    for location in _LOCATIONS:
        base = QStandardPaths.writableLocation(location)
        folder = Path(base) / _LEARNED
        if not base or not folder.exists() or folder in removed:
            continue
        try:
            shutil.rmtree(folder)
        except OSError as error:
            log.warning("could not delete the keyboard's dictionary folder %s: %s", folder, error.strerror)
            continue
        removed.append(folder)
    return removed
