"""The packaged build's rules, checked without building (the build itself: tests/benchmarks/bench_package.py).

What the spec leaves out, that translations ship compiled and are never compiled at run time from a package,
and that the kiosk's version is one number.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator

import kiosk
import kiosk.ui.i18n as i18n
from kiosk.ui.i18n import Language
from kiosk.package.build import SPEC, stage_resources
from kiosk.package.spec_rules import EXCLUDED_MODULES, keep_plugin, keep_qml, keep_qt_file

ROOT = Path(__file__).resolve().parent.parent


def test_the_spec_uses_the_rules_and_its_own_qt_hooks():
    spec = SPEC.read_text(encoding="utf-8")
    assert "excludes=list(EXCLUDED_MODULES)" in spec and "keep_qt_file(entry[0])" in spec
    hooks = {p.name for p in (SPEC.parent / "hooks").glob("hook-*.py")}
    assert {"hook-PySide6.QtQml.py", "hook-PySide6.QtGui.py"} <= hooks


@pytest.mark.parametrize("module", ["PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtPdf",
                                    "PySide6.Qt3DCore", "PySide6.QtQuick3D", "sync.server", "pytest", "selenium",
                                    "schemathesis", "fastapi", "PyInstaller", "tkinter"])
def test_unused_qt_modules_the_server_and_dev_tools_stay_out(module):
    assert module in EXCLUDED_MODULES


@pytest.mark.parametrize(("dest", "kept"), [
    ("PySide6/Qt/qml/QtQuick/VirtualKeyboard/Plugins/Pinyin", True),
    ("PySide6/Qt/qml/QtQuick/VirtualKeyboard/Styles/Builtin", True),
    ("PySide6/Qt/qml/QtQuick", True),
    ("PySide6/Qt/qml/QtQuick/Layouts", True),
    ("PySide6/Qt/qml/Qt/labs/folderlistmodel", True),
    ("PySide6/Qt/qml/QtMultimedia", True),
    ("PySide6/Qt/qml/QtWebEngine", False),
    ("PySide6/Qt/qml/Qt3D/Render", False),
    ("PySide6/Qt/qml/QtQuick3D", False),
    ("PySide6/Qt/qml/QtQuick/Controls/Material", False),
    ("PySide6/Qt/qml/QtQuick/Pdf", False),
    ("PySide6/Qt/qml/QtLocation", False),
])
def test_only_the_qml_the_keyboard_loads_is_kept(dest, kept):
    assert keep_qml(dest) is kept


@pytest.mark.parametrize(("path", "kept"), [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
    ("PySide6/Qt/plugins/platforms/qwindows.dll", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", True),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/imageformats/libqpdf.so", False),
    ("PySide6/Qt/plugins/imageformats/qpdf.dll", False),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
    ("PySide6/Qt/plugins/qmltooling/libqmldbg_tcp.so", False),
])
def test_plugins_the_kiosk_never_loads_are_dropped(path, kept):
    assert keep_plugin(path) is kept


def test_qt_translations_only_in_the_kiosks_languages():
    assert keep_qt_file("PySide6/Qt/translations/qtbase_zh_CN.qm")
    assert keep_qt_file("PySide6/Qt/translations/qtbase_en.qm")
    assert not keep_qt_file("PySide6/Qt/translations/qtbase_de.qm")
    assert not keep_qt_file("PySide6/Qt/translations/qtwebengine_zh_CN.qm")
    assert not keep_qt_file("PySide6/translations/qtbase_de.qm")  # Windows: no Qt/ folder level
    assert keep_qt_file("PySide6/translations/qtbase_zh_CN.qm")
    assert keep_qt_file("resources/i18n/kiosk_en_US.qm")


def test_staged_resources_ship_compiled_translations_and_no_sources(tmp_path):
    staged = stage_resources(tmp_path)
    assert not list(staged.rglob("*.ts"))
    qm = staged / "i18n" / "kiosk_en_US.qm"
    translator = QTranslator()
    assert translator.load(str(qm))
    assert translator.translate("AttractScreen", "我要入会") == "Join the union"
    for needed in ("demo-event.toml", "quiz-bank.toml", "style.qss", "keyboard/panel.qml", "notice/notice.zh.md"):
        assert (staged / needed).is_file(), needed


def test_a_shipped_translation_is_used_as_it_is_and_no_tool_runs(tmp_path, monkeypatch):
    shipped = tmp_path / "i18n"
    i18n.compile_translation(ROOT / "resources" / "i18n" / "kiosk_en_US.ts", shipped / "kiosk_en_US.qm")
    monkeypatch.setattr(i18n, "TS_DIR", shipped)  # as in a package: the .qm, no .ts
    monkeypatch.setattr(i18n, "lrelease_path", lambda: tmp_path / "no-such-lrelease")
    cache = tmp_path / "cache"
    assert i18n.compiled_translation(Language.EN, cache_dir=cache) == shipped / "kiosk_en_US.qm"
    assert not cache.exists()


def test_a_package_without_its_translation_says_which_file_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(i18n, "TS_DIR", tmp_path)
    monkeypatch.setattr(i18n, "lrelease_path", lambda: tmp_path / "no-such-lrelease")
    with pytest.raises(FileNotFoundError, match="kiosk_en_US.qm"):
        i18n.compiled_translation(Language.EN, cache_dir=tmp_path / "cache")


def test_version_is_the_projects_and_the_command_prints_it():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert kiosk.__version__ == project["version"]
    done = subprocess.run([sys.executable, "-m", "kiosk", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"kiosk {project['version']}"


def test_kiosk_package_without_pyinstaller_says_how_to_get_it(tmp_path, monkeypatch, capsys):
    from kiosk.package.build import main

    monkeypatch.setitem(sys.modules, "PyInstaller", None)  # as in an install without the dev group
    assert main(["--out", str(tmp_path / "dist")]) == 3
    assert "uv sync" in capsys.readouterr().err
    assert not (tmp_path / "dist").exists()


def test_every_qml_module_the_kiosk_imports_is_kept_in_the_package():
    # The package keeps only the QML modules listed in spec_rules: a new import in the keyboard's QML must be
    # added there, or the packaged keyboard would fail to load while the source run works.
    imports = set()
    for qml in (ROOT / "resources").rglob("*.qml"):
        for line in qml.read_text(encoding="utf-8").splitlines():
            if line.startswith("import ") and not line.split()[1].startswith('"'):
                imports.add(line.split()[1])
    assert "QtQuick.VirtualKeyboard" in imports
    for module in imports:
        assert keep_qml("PySide6/Qt/qml/" + module.replace(".", "/")), module
