"""The operator's privacy note quotes exactly the notice the kiosk shows."""

from pathlib import Path

from PySide6.QtGui import QTextDocument

from kiosk.config import load_config
from kiosk.notice import DOC_BEGIN, DOC_END, documented_section, notice_markdown
from kiosk.settings import DEMO_CONFIG
from kiosk.ui.i18n import Language
from kiosk.ui.screens import Screen

NOTE = Path(__file__).resolve().parent.parent / "docs" / "privacy.md"


def _documented_block() -> str:
    text = NOTE.read_text(encoding="utf-8")
    return text[text.index(DOC_BEGIN):text.index(DOC_END) + len(DOC_END)]


def test_the_documented_note_is_generated_from_the_notice_source():
    assert _documented_block() == documented_section(load_config(DEMO_CONFIG))


def _plain(markdown: str) -> str:
    doc = QTextDocument()
    doc.setMarkdown(markdown)
    return doc.toPlainText().strip()


def test_the_notice_on_screen_equals_the_documented_note_in_both_languages(gui, core, qapp):
    block = _documented_block()
    zh_doc, en_doc = block.split("\n---\n")
    consent = gui.window.screens[Screen.CONSENT]
    for language, documented in ((Language.ZH, zh_doc), (Language.EN, en_doc)):
        gui.presentation.set_language(language)
        gui.window.show_screen(Screen.CONSENT)
        shown = consent.notice.toPlainText().strip()
        assert shown == _plain(documented.replace(DOC_BEGIN, "").replace(DOC_END, ""))
        assert core.config.booth.organisation in shown
        assert shown == _plain(notice_markdown(core.config, "en" if language is Language.EN else "zh"))
