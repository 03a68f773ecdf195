"""Replaces PyInstaller's hook for PySide6.QtGui, leaving out the plugins the kiosk never loads (and so the
libraries they link): see kiosk.package.spec_rules."""
from PyInstaller.utils.hooks.qt import add_qt6_dependencies

from kiosk.package.spec_rules import keep_plugin

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [entry for entry in binaries if keep_plugin(entry[0])]
