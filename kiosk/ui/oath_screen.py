"""The membership oath (入会誓词): the configured text and a 我宣誓 button; skipped when switched off."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.config import Config
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, big_button, screen_title


class OathScreen(ScreenBase):
    sworn = Signal()
    back_requested = Signal()

    def __init__(self, config: Config, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._config = config
        self._presentation = presentation
        self.title = screen_title()
        self.instruction = QLabel(objectName="subtitle", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        # The oath is the organising union's official text: shown as configured, never translated.
        self.oath = QLabel(config.registration.oath_text, objectName="oath", wordWrap=True,
                           alignment=Qt.AlignmentFlag.AlignCenter)
        self.back_button = big_button("small")
        self.swear_button = big_button("primary")
        self.back_button.clicked.connect(self.back_requested)
        self.swear_button.clicked.connect(self.sworn)
        buttons = QHBoxLayout()
        buttons.setSpacing(24)
        buttons.addWidget(self.back_button, 1)
        buttons.addWidget(self.swear_button, 3)
        root = QVBoxLayout(self)
        root.setContentsMargins(64, 24, 64, 24)
        root.setSpacing(16)
        root.addWidget(self.title)
        root.addWidget(self.instruction)
        root.addStretch(1)
        root.addWidget(self.oath)
        root.addStretch(1)
        root.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("入会宣誓"))
        self.instruction.setText(self.tr("请读一遍入会誓词，然后点“我宣誓”"))
        self.back_button.setText(self.tr("上一步"))
        self.swear_button.setText(self.tr("我宣誓"))
