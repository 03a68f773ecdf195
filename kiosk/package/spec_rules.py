"""What goes into the packaged kiosk: the Python modules and Qt parts it leaves out, and the QML it keeps.

Plain data and two predicates, read by the PyInstaller spec and hook at build time and by a fast test
(tests/test_package.py) that needs no build.
"""

from __future__ import annotations

from pathlib import PurePath

# Never imported by the kiosk: the city server, the test and build tools, the parts of PySide6 it has no use
# for (the web engine alone would be 255 MB). PyInstaller follows imports, so most of these would stay out
# anyway; listing them keeps an optional import somewhere in a dependency from pulling them in.
EXCLUDED_MODULES = (
    "sync.server", "kiosk.package.build", "fastapi", "uvicorn", "starlette", "pydantic", "httptools", "uvloop",
    "pytest", "_pytest", "pytestqt", "pytest_benchmark", "hypothesis", "schemathesis", "selenium", "httpx",
    "PyInstaller", "tkinter", "_tkinter", "unittest", "pydoc_data", "lib2to3", "IPython", "numpy",
    # Build-time only (cffi's compiler imports them); with them in, PyInstaller adds a runtime hook that
    # imports setuptools at every start (~110 ms). (multiprocessing, whose hook costs ~15 ms, stays in: the
    # console's day report export runs in a process of its own, kiosk/export_process.py.)
    "setuptools", "pkg_resources", "distutils", "_distutils_hack",
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebEngineQuick", "PySide6.QtWebChannel",
    "PySide6.QtWebView", "PySide6.QtWebSockets", "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.Qt3DCore",
    "PySide6.Qt3DRender", "PySide6.Qt3DInput", "PySide6.Qt3DLogic", "PySide6.Qt3DAnimation", "PySide6.Qt3DExtras",
    "PySide6.QtQuick3D", "PySide6.QtDataVisualization", "PySide6.QtGraphs", "PySide6.QtGraphsWidgets",
    "PySide6.QtLocation", "PySide6.QtPositioning", "PySide6.QtBluetooth", "PySide6.QtNfc", "PySide6.QtSensors",
    "PySide6.QtSerialPort", "PySide6.QtSerialBus", "PySide6.QtTextToSpeech", "PySide6.QtSpatialAudio",
    "PySide6.QtRemoteObjects", "PySide6.QtScxml", "PySide6.QtStateMachine", "PySide6.QtHttpServer",
    "PySide6.QtNetworkAuth", "PySide6.QtDesigner", "PySide6.QtHelp", "PySide6.QtUiTools", "PySide6.QtSql",
    "PySide6.QtTest", "PySide6.QtXml", "PySide6.QtConcurrent", "PySide6.QtAxContainer",
    "PySide6.QtMultimediaWidgets", "PySide6.QtQuickControls2", "PySide6.QtQuickTest", "PySide6.QtCanvasPainter",
)

# QML modules the embedded keyboard loads: panel.qml imports QtQuick and QtQuick.VirtualKeyboard(.Settings);
# the keyboard's qmldir files add QtQuick.Window, QtQuick.Layouts, Qt.labs.folderlistmodel and QtMultimedia
# (for its key sounds; hence libpulse0 on Linux). All of the keyboard's input-method plugins are kept (the
# Plugins module imports each), they are small.
QML_KEPT = ("QtQml", "QtQuick/Window", "QtQuick/Layouts", "QtQuick/VirtualKeyboard", "Qt/labs/folderlistmodel",
            "QtMultimedia")
QML_TOP_FILES = ("QtQuick",)  # the files of this folder itself (QtQuick's own plugin), not its sub-modules

# Qt plugins the kiosk never loads, dropped in the hooks (so that what they link, e.g. GTK for the GTK theme
# and Qt Pdf for the PDF image format, stays out too): the platforms other than xcb, wayland (the cage
# session), windows and offscreen/minimal (tests, screenshots), the QML debugger, the GTK theme.
DROPPED_PLUGIN_FOLDERS = ("egldeviceintegrations", "qmltooling")
DROPPED_PLUGIN_NAMES = ("qgtk3", "qpdf", "qeglfs", "qlinuxfb", "qvnc", "qvkkhrdisplay", "qminimalegl")
# Qt data that arrives with kept parts but that the kiosk never reads: Qt's own translations other than the
# languages of the kiosk, the web engine's resources.
DROPPED_QT_DATA = ("translations/qtwebengine", "resources/qtwebengine", "qml/QtWebEngine")
KEPT_QT_TRANSLATION_LANGUAGES = ("zh_CN", "en")


def keep_qml(dest: str) -> bool:
    """Whether a file bound for the destination folder ``dest`` (PySide6/Qt/qml/...) is one the kiosk loads."""
    parts = PurePath(dest).parts
    if "qml" not in parts:
        return True
    module = "/".join(parts[parts.index("qml") + 1:])
    if module in QML_TOP_FILES or module == "":
        return True
    return any(module == kept or module.startswith(kept + "/") for kept in QML_KEPT)


def keep_plugin(path: str) -> bool:
    """Whether a Qt file (source or destination path) is not one of the dropped plugins."""
    parts = PurePath(path).parts
    if "plugins" not in parts:
        return True
    inside = parts[parts.index("plugins") + 1:]
    if inside and inside[0] in DROPPED_PLUGIN_FOLDERS:
        return False
    name = PurePath(path).name
    stem = name.removeprefix("lib").split(".")[0]
    return stem not in DROPPED_PLUGIN_NAMES


def keep_qt_file(dest: str) -> bool:
    """Whether a collected file (its destination path in the package) belongs in the kiosk."""
    if not keep_plugin(dest):
        return False
    parts = PurePath(dest).parts
    if "PySide6" not in parts:
        return True
    # PySide6/Qt/<folder> on Linux and macOS, PySide6/<folder> on Windows
    inside = "/".join(parts[parts.index("PySide6") + 1:]).removeprefix("Qt/")
    if any(inside.startswith(dropped) for dropped in DROPPED_QT_DATA):
        return False
    if inside.startswith("translations/"):
        stem = PurePath(inside).stem
        return any(stem.endswith("_" + lang) for lang in KEPT_QT_TRANSLATION_LANGUAGES)
    return True
