"""How the kiosk presents itself right now: language, large-text mode and window shape, shared by the screens."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.settings import RESOURCES
from kiosk.ui.i18n import Language, LanguageSwitcher

LARGE_TEXT_FACTOR = 1.3
# Narrower windows (a portrait 800x1280 screen) stack side-by-side content: two columns of quiz answers
# need up to ~960 px (long answers, large text). A fixed width, not the content's size hint: the choice
# never changes the window's width, so it cannot flip back and forth.
NARROW_BELOW_PX = 1000
STYLESHEET = RESOURCES / "style.qss"


def scaled_stylesheet(text: str, factor: float) -> str:
    """Every point size in the stylesheet multiplied by ``factor`` (large-text mode)."""
    return re.sub(r"(\d+(?:\.\d+)?)pt", lambda m: f"{round(float(m.group(1)) * factor)}pt", text)


class Presentation(QObject):
    """Language, text size and window shape; screens read it to pick config names (``name`` or ``name_en``)
    and, on a narrow window, to stack what stands side by side on a wide one."""

    changed = Signal()

    def __init__(self, app: QApplication, switcher: LanguageSwitcher, *, default_language: Language = Language.ZH):
        super().__init__(app)
        self._app = app
        self._switcher = switcher
        self.default_language = default_language
        if default_language is not switcher.language:
            switcher.set_language(default_language)
        self._stylesheet = STYLESHEET.read_text(encoding="utf-8")
        self.large_text = False
        self.narrow = False
        self._window: QWidget | None = None
        self._apply_style()

    def attach(self, window: QWidget | None) -> None:
        """The window whose widgets must follow a language change at once."""
        self._window = window

    @property
    def language(self) -> Language:
        return self._switcher.language

    @property
    def english(self) -> bool:
        return self._switcher.language is Language.EN

    def pick(self, zh: str, en: str) -> str:
        """The text of a configured item in the current language (Chinese when no English given)."""
        return en if self.english and en else zh

    def set_language(self, language: Language) -> None:
        if language is not self._switcher.language:
            self._switcher.set_language(language)
            # Qt only posts LanguageChange; send it to our window now so no screen shows a mix of
            # languages, even briefly (the posted one arrives later and changes nothing more).
            if self._window is not None:
                QCoreApplication.sendEvent(self._window, QEvent(QEvent.Type.LanguageChange))
            self.changed.emit()

    def toggle_language(self) -> None:
        self.set_language(Language.ZH if self.english else Language.EN)

    def set_large_text(self, on: bool) -> None:
        if on != self.large_text:
            self.large_text = on
            self._apply_style()
            self.changed.emit()

    def follow_window_width(self, width: int) -> None:
        """Called by the main window on every resize; ``changed`` only when the window turns narrow or wide."""
        narrow = width < NARROW_BELOW_PX
        if narrow != self.narrow:
            self.narrow = narrow
            self.changed.emit()

    def reset(self) -> None:
        """Back to the defaults for the next person (after idle or at the end of a visit)."""
        self.set_language(self.default_language)
        self.set_large_text(False)

    def _apply_style(self) -> None:
        factor = LARGE_TEXT_FACTOR if self.large_text else 1.0
        self._app.setStyleSheet(scaled_stylesheet(self._stylesheet, factor))
