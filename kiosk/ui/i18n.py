"""Languages of the kiosk through Qt's translation system: Chinese sources, compiled English .ts.

The sources in the code are Simplified Chinese (``tr("我要入会")``); ``resources/i18n/kiosk_en_US.ts``
holds the English. A packaged kiosk (``kiosk-package``) ships the .qm compiled at build time beside
where the .ts would be and never runs a tool; a source run compiles the .ts with the lrelease tool that ships in
the PySide6 wheel when it first needs English, into the cache folder (so a read-only checkout works too).
After changing strings run ``uv run python -m kiosk.ui.i18n``: it refreshes the .ts from the code
and lists the strings still without English, which you then fill in the .ts (a test fails until
every string is translated).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import PySide6
from PySide6.QtCore import QCoreApplication, QStandardPaths, QTranslator

from kiosk.settings import RESOURCES

TS_DIR = RESOURCES / "i18n"


class Language(Enum):
    ZH = "zh_CN"
    EN = "en_US"


def _tool(name: str) -> Path:
    return Path(PySide6.__file__).parent / (f"{name}.exe" if sys.platform == "win32" else name)


def lrelease_path() -> Path:
    return _tool("lrelease")


def update_ts(ts_file: Path, *, sources: list[Path] | None = None) -> None:
    """Refresh ``ts_file`` from every tr() in kiosk/ui (no line numbers, so merges stay quiet)."""
    import subprocess

    files = sources or sorted((RESOURCES.parent / "kiosk" / "ui").glob("*.py"))
    subprocess.run([str(_tool("lupdate")), *map(str, files), "-source-language", "zh_CN", "-target-language",
                    ts_file.stem.split("_", 1)[1], "-locations", "none", "-no-obsolete", "-silent",
                    "-ts", str(ts_file)], check=True)


def untranslated(ts_file: Path) -> list[tuple[str, str]]:
    """(context, source) of every message without a finished, non-empty translation."""
    import xml.etree.ElementTree as ET

    missing = []
    for context in ET.parse(ts_file).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            tr = message.find("translation")
            numerus = tr.findall("numerusform") if tr is not None else []
            texts = [n.text for n in numerus] if numerus else [tr.text if tr is not None else None]
            if tr is None or tr.get("type") in ("unfinished", "vanished", "obsolete") or not all(texts):
                missing.append((name, message.findtext("source", "")))
    return missing


def compile_translation(ts_file: Path, qm_file: Path) -> Path:
    """Compile a .ts to .qm with lrelease (at build time for a package; on demand for a source run)."""
    import subprocess  # here, not at the top: most starts (in Chinese, or compiled before) run no tool

    qm_file.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(lrelease_path()), "-silent", str(ts_file), "-qm", str(qm_file)], check=True)
    return qm_file


def compiled_translation(language: Language, *, cache_dir: Path | None = None) -> Path | None:
    """The .qm for a language; None for the source language. A shipped .qm (a package has one and no .ts) is
    used as it is; else the .ts is compiled into the cache folder when that copy is missing or older."""
    if language is Language.ZH:
        return None
    source = TS_DIR / f"kiosk_{language.value}.ts"
    shipped = source.with_suffix(".qm")
    if shipped.exists() and (not source.exists() or shipped.stat().st_mtime >= source.stat().st_mtime):
        return shipped
    if not source.exists():
        raise FileNotFoundError(f"no translation for {language.value}: neither {shipped.name} nor {source.name} "
                                f"in {TS_DIR}")
    folder = cache_dir or Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation)) / "i18n"
    target = folder / f"kiosk_{language.value}.qm"
    if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
        compile_translation(source, target)
    return target


class LanguageSwitcher:
    """Installs the translator of the chosen language; Qt then sends every widget a LanguageChange."""

    def __init__(self, app: QCoreApplication, *, cache_dir: Path | None = None):
        self._app = app
        self._cache_dir = cache_dir
        self._translator: QTranslator | None = None
        self.language = Language.ZH

    def set_language(self, language: Language) -> None:
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None
        qm = compiled_translation(language, cache_dir=self._cache_dir)
        if qm is not None:
            translator = QTranslator(self._app)
            if not translator.load(str(qm)):
                raise RuntimeError(f"cannot load translation {qm}")
            self._app.installTranslator(translator)
            self._translator = translator
        self.language = language


if __name__ == "__main__":
    for ts in sorted(TS_DIR.glob("kiosk_*.ts")):
        update_ts(ts)
        for context, source in untranslated(ts):
            print(f"{ts.name}: [{context}] {source}")
