"""Notice and consent (PIPL): who collects what, what for, how long, who receives it; an unticked box."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QScroller, QTextBrowser, QVBoxLayout, QWidget

from kiosk.config import Config
from kiosk.notice import notice_markdown as render_notice
from kiosk.ui.i18n import Language
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, big_button, screen_title

def notice_markdown(config: Config, language: Language) -> str:
    """The notice in the kiosk's language (kiosk.notice holds the one source, shared with docs/privacy.md)."""
    return render_notice(config, "en" if language is Language.EN else "zh")


class ConsentScreen(ScreenBase):
    """Shows the notice; ``accepted`` only after the worker ticks the box and continues."""

    accepted = Signal(str)  # the notice version agreed to
    declined = Signal()

    def __init__(self, config: Config, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._config = config
        self._presentation = presentation
        self.title = screen_title(wrap=True)
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
