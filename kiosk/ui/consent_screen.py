"""Notice and consent (PIPL): who collects what, what for, how long, who receives it; one explicit 同意 button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QLabel, QScroller, QTextBrowser, QVBoxLayout, QWidget

from kiosk.config import Config
from kiosk.notice import notice_markdown as render_notice
from kiosk.ui.i18n import Language
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, big_button, screen_title

def notice_markdown(config: Config, language: Language) -> str:
    """The notice in the kiosk's language (kiosk.notice holds the one source, shared with docs/privacy.md)."""
    return render_notice(config, "en" if language is Language.EN else "zh")


class ConsentScreen(ScreenBase):
    """Shows the notice; ``accepted`` only when the worker taps 我已阅读并同意，继续.

    That tap is the consent itself (recorded with the notice version): one large button that says what it
    does, instead of a small box to tick and a second button to continue. Nothing is pre-ticked or implied."""

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
        self.decline_button = big_button("small")
        self.continue_button = big_button("consent")
        self.decline_button.clicked.connect(self.declined)
        self.continue_button.clicked.connect(self._accept)
        self._build_layout()
        self.retranslate()

    def _build_layout(self) -> None:
        self.buttons = buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        buttons.setSpacing(24)
        buttons.addWidget(self.decline_button, 1)
        buttons.addWidget(self.continue_button, 3)
        root = QVBoxLayout(self)
        root.setContentsMargins(40, 16, 40, 16)
        root.setSpacing(12)
        root.addWidget(self.title)
        root.addWidget(self.notice, 1)
        root.addLayout(buttons)
        self._presentation.changed.connect(self._arrange)
        self._arrange()

    def _arrange(self) -> None:
        # A portrait screen in large text has no width for both side by side: the consent on top, full width.
        narrow = self._presentation.narrow
        self.buttons.setDirection(QBoxLayout.Direction.BottomToTop if narrow else QBoxLayout.Direction.LeftToRight)

    def retranslate(self) -> None:
        self.title.setText(self.tr("入会须知与个人信息告知"))
        self.notice.setMarkdown(notice_markdown(self._config, self._presentation.language))
        self.decline_button.setText(self.tr("不同意，返回首页"))
        self.continue_button.setText(self.tr("我已阅读并同意，继续"))

    def wipe(self) -> None:
        self.notice.verticalScrollBar().setValue(0)

    def _accept(self) -> None:
        self.accepted.emit(self._config.registration.notice_version)
