"""The volunteer console's home: pick a desk (station mode), see the numbers, find a member, lock or quit."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from kiosk.booth import BoothService
from kiosk.stations import Station, all_stations
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, big_button


COLUMNS = 4


class ConsoleHomeScreen(ScreenBase):
    station_chosen = Signal(object)  # Station
    dashboard_requested = Signal()
    members_requested = Signal()
    lock_requested = Signal()
    fullscreen_requested = Signal()
    quit_requested = Signal()
    idle_return = False

    def __init__(self, booth: BoothService, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._booth, self._presentation = booth, presentation
        self._profile = booth.booth  # read again when shown (setup may change it), not on language changes
        self.title = QLabel(objectName="title", alignment=Qt.AlignmentFlag.AlignCenter)
        self.booth_label = QLabel(objectName="subtitle", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.stations_label = QLabel(objectName="hint")
        self.stations = all_stations(booth.config)
        self.station_buttons = []
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        for i, station in enumerate(self.stations):
            button = big_button("choice")
            button.clicked.connect(lambda _=False, s=station: self.station_chosen.emit(s))
            grid.addWidget(button, i // COLUMNS, i % COLUMNS)
            self.station_buttons.append(button)
        for column in range(COLUMNS):
            grid.setColumnStretch(column, 1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(grid_host)
        self.dashboard_button, self.members_button = big_button("primary"), big_button("primary")
        self.lock_button, self.fullscreen_button, self.quit_button = (big_button("small") for _ in range(3))
        for button, signal in ((self.dashboard_button, self.dashboard_requested),
                               (self.members_button, self.members_requested), (self.lock_button, self.lock_requested),
                               (self.fullscreen_button, self.fullscreen_requested),
                               (self.quit_button, self.quit_requested)):
            button.clicked.connect(signal)
        self._build_layout(scroll)
        self.retranslate()

    def _build_layout(self, scroll: QScrollArea) -> None:
        tools = QHBoxLayout()
        tools.addWidget(self.dashboard_button)
        tools.addWidget(self.members_button)
        bottom = QHBoxLayout()
        for button in (self.lock_button, self.fullscreen_button, self.quit_button):
            bottom.addWidget(button)
        root = QVBoxLayout(self)
        root.setContentsMargins(32, 16, 32, 16)
        root.addWidget(self.title)
        root.addWidget(self.booth_label)
        root.addLayout(tools)
        root.addWidget(self.stations_label)
        root.addWidget(scroll, 1)
        root.addLayout(bottom)

    def retranslate(self) -> None:
        p, booth = self._presentation, self._profile
        self.title.setText(self.tr("志愿者控制台"))
        self.booth_label.setText(f"{p.pick(booth.name, booth.name_en)} · {booth.district} {booth.street}")
        self.stations_label.setText(self.tr("选择服务台，本机即作为该服务台的计数器："))
        for button, station in zip(self.station_buttons, self.stations, strict=True):
            button.setText(p.pick(*station.name(self._booth.config)))
        self.dashboard_button.setText(self.tr("今日数据与日报导出"))
        self.members_button.setText(self.tr("会员查询与更正"))
        self.lock_button.setText(self.tr("锁定并返回首页"))
        self.fullscreen_button.setText(self.tr("切换全屏"))
        self.quit_button.setText(self.tr("退出程序"))

    def on_shown(self) -> None:
        self._profile = self._booth.booth  # the booth's names may have just been set up
        self.retranslate()

    def station(self, kind_and_id: tuple[str, str]) -> Station:
        """The station with this kind and service id (tests and screenshots pick desks this way)."""
        return next(s for s in self.stations if (s.kind, s.service_id) == kind_and_id)
