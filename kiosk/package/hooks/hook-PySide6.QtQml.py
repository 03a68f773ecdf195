"""Replaces PyInstaller's own hook for PySide6.QtQml, which collects every QML module of the wheel (Qt 3D,
Quick 3D, WebEngine, Location, ...) and, through their plugins, most of Qt's libraries. The kiosk's QML
is the on-screen keyboard alone (resources/keyboard/panel.qml): keep what it imports and what the
keyboard's own qmldir files depend on, nothing else."""
from PyInstaller.utils.hooks.qt import add_qt6_dependencies, pyside6_library_info

from kiosk.package.spec_rules import keep_plugin, keep_qml

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [entry for entry in binaries if keep_plugin(entry[0])]  # the QML debugger's plugins
qml_binaries, qml_datas = pyside6_library_info.collect_qtqml_files()
binaries += [entry for entry in qml_binaries if keep_qml(entry[1])]
datas += [entry for entry in qml_datas if keep_qml(entry[1])]
