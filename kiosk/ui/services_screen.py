"""Today's services (今日服务): what the booth offers and where to find each desk."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from kiosk.config import Config
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, big_button, enable_touch_scrolling, screen_title


class ServicesScreen(ScreenBase):
    back_requested = Signal()

    def __init__(self, config: Config, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._config = config
        self._presentation = presentation
        self.title = screen_title()
        self.back_button = big_button("small")
        self.back_button.clicked.connect(self.back_requested)
        self._cards: list[tuple[QFrame, QLabel, QLabel]] = []
        grid_host = QWidget()
        self.grid = QGridLayout(grid_host)
        self.grid.setSpacing(16)
        for _service in config.services:
            card = QFrame(objectName="card")
            box = QVBoxLayout(card)
            name = QLabel(objectName="subtitle", wordWrap=True)
            where = QLabel(objectName="hint", wordWrap=True)
            box.addWidget(name)
            box.addWidget(where)
            self._cards.append((card, name, where))
        self._arrange_cards()
        presentation.changed.connect(self._arrange_cards)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(grid_host)
        self.touch_scrolling = enable_touch_scrolling(scroll)
        root = QVBoxLayout(self)
        root.setContentsMargins(48, 24, 48, 24)
        root.addWidget(self.title)
        root.addWidget(scroll, 1)
        root.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.retranslate()

    @property
    def columns(self) -> int:
        return 2 if self._presentation.narrow else 3

    def _arrange_cards(self) -> None:
        """Three cards a row, two on a narrow (portrait) window; the choice follows the window's width."""
        columns = self.columns
        for i, (card, _name, _where) in enumerate(self._cards):
            self.grid.removeWidget(card)
            self.grid.addWidget(card, i // columns, i % columns)

    def retranslate(self) -> None:
        p = self._presentation
        self.title.setText(self.tr("今日服务"))
        self.back_button.setText(self.tr("返回首页"))
        for (_card, name, where), service in zip(self._cards, self._config.services, strict=True):
            name.setText(p.pick(service.name, service.name_en))
            where.setText(p.pick(service.location, service.location_en))
