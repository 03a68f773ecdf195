"""The attract screen: event and booth, three big actions, a QR code to join on one's own phone."""

from __future__ import annotations

from pathlib import Path

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.config import Config
from kiosk.qr import cached_qr_matrix, join_url_with_booth
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import QrWidget, ScreenBase, big_button, screen_title


class AttractScreen(ScreenBase):
    join_requested = Signal()
    quiz_requested = Signal()
    services_requested = Signal()

    def __init__(self, config: Config, presentation: Presentation, parent: QWidget | None = None, *,
                 qr_cache: Path | None = None):
        """``qr_cache``: the file that keeps the join code between starts (see ``kiosk.qr.cached_qr_matrix``)."""
        super().__init__(parent)
        self._config = config
        self._presentation = presentation
        self.title = screen_title(wrap=True)
        self.booth_label = QLabel(objectName="subtitle", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.join_button = big_button("action")
        self.quiz_button = big_button("action")
        self.services_button = big_button("action")
        self.join_button.clicked.connect(self.join_requested)
        self.quiz_button.clicked.connect(self.quiz_requested)
        self.services_button.clicked.connect(self.services_requested)
        join_url = join_url_with_booth(config.registration.join_url, event_id=config.event.id,
                                       booth_id=config.booth.id)
        self.qr = QrWidget(join_url, matrix=cached_qr_matrix(join_url, cache_file=qr_cache) if qr_cache else None)
        self.qr_caption = QLabel(objectName="hint", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self._join_link: Callable[[], str | None] | None = None
        # The city server's join link carries a token that changes every minute: looked at every 20 s.
        self._qr_timer = QTimer(self, interval=20_000)
        self._qr_timer.timeout.connect(self.refresh_join_code)
        self.language_button = big_button("small")
        self.language_button.clicked.connect(presentation.toggle_language)
        self.large_text_button = big_button("small")
        self.large_text_button.setCheckable(True)
        self.large_text_button.toggled.connect(presentation.set_large_text)
        presentation.changed.connect(self._sync_toggles)
        self._build_layout()
        self._space_actions()
        self.retranslate()

    def _build_layout(self) -> None:
        self.actions = actions = QVBoxLayout()
        for button in (self.join_button, self.quiz_button, self.services_button):
            actions.addWidget(button)
        qr_column = QVBoxLayout()
        qr_column.addWidget(self.qr, 1)
        qr_column.addWidget(self.qr_caption)
        self.side_toggles = QHBoxLayout()  # under the QR code on a wide window: the big buttons keep the height
        qr_column.addLayout(self.side_toggles)
        middle = QHBoxLayout()
        middle.addLayout(actions, 3)
        middle.addSpacing(32)
        middle.addLayout(qr_column, 2)
        self.bottom_toggles = toggles = QHBoxLayout()  # a row of their own on a narrow window: no width beside
        toggles.addStretch()
        root = QVBoxLayout(self)
        root.setContentsMargins(48, 16, 48, 16)  # tight enough for large text at 1280x800
        root.addWidget(self.title)
        root.addWidget(self.booth_label)
        root.addSpacing(8)
        root.addLayout(middle, 1)
        root.addLayout(toggles)

    def set_config(self, config: Config) -> None:
        self._config = config
        self.retranslate()
        self.refresh_join_code()

    def set_join_link(self, link: Callable[[], str | None]) -> None:
        """Where the QR code leads once the booth is enrolled (None from ``link``: the configured join_url)."""
        self._join_link = link
        self._qr_timer.start()
        self.refresh_join_code()

    def refresh_join_code(self) -> None:
        config = self._config
        link = self._join_link() if self._join_link else None
        text = link or join_url_with_booth(config.registration.join_url, event_id=config.event.id,
                                           booth_id=config.booth.id)
        if text != self.qr.text:
            self.qr.set_text(text)

    def retranslate(self) -> None:
        p, event, booth = self._presentation, self._config.event, self._config.booth
        self.title.setText(p.pick(event.name, event.name_en))
        self.booth_label.setText(p.pick(booth.name, booth.name_en))
        self.join_button.setText(self.tr("我要入会"))
        self.quiz_button.setText(self.tr("有奖答题"))
        self.services_button.setText(self.tr("今日服务"))
        self.qr_caption.setText(self.tr("用手机扫码，也可以入会"))
        self.language_button.setText(self.tr("English"))
        self.large_text_button.setText(self.tr("大字模式"))

    def _space_actions(self) -> None:
        """The text-size and language toggles under the QR code on a wide window, in a row of their own at the
        bottom of a narrow one; the big buttons closer in large text. At 1280x800 in large text the English title
        takes two lines, and with the toggles in a row of their own 今日服务 was drawn over the large-text toggle."""
        self.actions.setSpacing(8 if self._presentation.large_text else 20)
        row = self.bottom_toggles if self._presentation.narrow else self.side_toggles
        for button in (self.large_text_button, self.language_button):
            if button.parentWidget() is not None and row.indexOf(button) < 0:
                for other in (self.bottom_toggles, self.side_toggles):
                    other.removeWidget(button)
            if row.indexOf(button) < 0:
                row.addWidget(button)

    def _sync_toggles(self) -> None:
        self._space_actions()
        self.large_text_button.blockSignals(True)
        self.large_text_button.setChecked(self._presentation.large_text)
        self.large_text_button.blockSignals(False)
        self.retranslate()
