"""Today's services (今日服务): what the booth offers and where to find each desk."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from kiosk.config import Config
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, big_button


class ServicesScreen(ScreenBase):
    back_requested = Signal()

    def __init__(self, config: Config, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._config = config
        self._presentation = presentation
        self.title = QLabel(objectName="title", alignment=Qt.AlignmentFlag.AlignCenter)
        self.back_button = big_button("small")
        self.back_button.clicked.connect(self.back_requested)
        self._cards: list[tuple[QLabel, QLabel]] = []
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setSpacing(16)
        for i, _service in enumerate(config.services):
            card = QFrame(objectName="card")
            box = QVBoxLayout(card)
            name = QLabel(objectName="subtitle", wordWrap=True)
            where = QLabel(objectName="hint", wordWrap=True)
            box.addWidget(name)
            box.addWidget(where)
            grid.addWidget(card, i // 3, i % 3)
            self._cards.append((name, where))
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(grid_host)
        root = QVBoxLayout(self)
        root.setContentsMargins(48, 24, 48, 24)
        root.addWidget(self.title)
        root.addWidget(scroll, 1)
        root.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.retranslate()

    def retranslate(self) -> None:
        p = self._presentation
        self.title.setText(self.tr("今日服务"))
        self.back_button.setText(self.tr("返回首页"))
        for (name, where), service in zip(self._cards, self._config.services, strict=True):
            name.setText(p.pick(service.name, service.name_en))
            where.setText(p.pick(service.location, service.location_en))
