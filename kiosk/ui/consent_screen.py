"""Notice and consent (PIPL): who collects what, what for, how long, who receives it; an unticked box."""

from __future__ import annotations

from pathlib import Path
from string import Template

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QScroller, QTextBrowser, QVBoxLayout, QWidget

from kiosk.config import Config
from kiosk.settings import RESOURCES
from kiosk.ui.i18n import Language
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, big_button

NOTICE_DIR = RESOURCES / "notice"


def notice_markdown(config: Config, language: Language, *, folder: Path = NOTICE_DIR) -> str:
    """The notice in one language, filled from the configuration.

    Kept as Markdown files so the operator's privacy note can generate them; ``$names`` are
    replaced, anything else is left alone (safe_substitute) so a stray dollar sign cannot break it."""
    suffix = "en" if language is Language.EN else "zh"
    text = (folder / f"notice.{suffix}.md").read_text(encoding="utf-8")
    return Template(text).safe_substitute(organisation=config.booth.organisation,
                                          retention_days=config.retention_days,
                                          notice_version=config.registration.notice_version)


class ConsentScreen(ScreenBase):
    """Shows the notice; ``accepted`` only after the worker ticks the box and continues."""

    accepted = Signal(str)  # the notice version agreed to
    declined = Signal()

    def __init__(self, config: Config, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._config = config
        self._presentation = presentation
        self.title = QLabel(objectName="title", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.notice = QTextBrowser(objectName="notice", openExternalLinks=False)
        self.notice.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        QScroller.grabGesture(self.notice.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        self.agree_box = QCheckBox(objectName="agree")
        self.agree_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.agree_box.toggled.connect(self._sync_continue)
        self.decline_button = big_button("small")
        self.continue_button = big_button("primary")
        self.decline_button.clicked.connect(self.declined)
        self.continue_button.clicked.connect(self._accept)
        self._build_layout()
        self.retranslate()
        self._sync_continue()

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.setSpacing(24)
        buttons.addWidget(self.decline_button, 1)
        buttons.addWidget(self.continue_button, 2)
        root = QVBoxLayout(self)
        root.setContentsMargins(40, 16, 40, 16)
        root.setSpacing(12)
        root.addWidget(self.title)
        root.addWidget(self.notice, 1)
        root.addWidget(self.agree_box)
        root.addLayout(buttons)

    def retranslate(self) -> None:
        self.title.setText(self.tr("入会须知与个人信息告知"))
        self.notice.setMarkdown(notice_markdown(self._config, self._presentation.language))
        self.agree_box.setText(self.tr("我已阅读并同意以上告知"))
        self.decline_button.setText(self.tr("不同意，返回首页"))
        self.continue_button.setText(self.tr("同意并继续"))

    def wipe(self) -> None:
        self.agree_box.setChecked(False)
        self.notice.verticalScrollBar().setValue(0)

    def _sync_continue(self) -> None:
        self.continue_button.setEnabled(self.agree_box.isChecked())

    def _accept(self) -> None:
        # The button is disabled while unticked; checking again keeps a stray signal from storing anything.
        if self.agree_box.isChecked():
            self.accepted.emit(self._config.registration.notice_version)
