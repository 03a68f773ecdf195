"""The volunteer console's home: pick a desk (station mode), see the numbers, find a member, device actions."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from kiosk.booth_setup import BoothProfile
from kiosk.config import Booth
from kiosk.errors import PurgeFailed
from kiosk.places import district_en
from kiosk.stations import Station, all_stations
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, WholeRowsScrollArea, arrange_in_rows, big_button, screen_title


def booth_line(booth: Booth, *, english: bool) -> str:
    """The booth and where it is: in English its English name and the district's (the street has none, and
    the booth's English name usually says it), never a Chinese place name in an English line."""
    if not english:
        return f"{booth.name} · {booth.district} {booth.street}".strip()
    district = district_en(booth.district)
    return f"{booth.name_en or booth.id}" + (f" · {district} District" if district and "Area" not in district
                                            else f" · {district}" if district else "")


class ConsoleHomeScreen(ScreenBase):
    station_chosen = Signal(object)  # Station
    dashboard_requested = Signal()
    members_requested = Signal()
    employers_requested = Signal()
    lock_requested = Signal()
    fullscreen_requested = Signal()
    quit_requested = Signal()
    purge_requested = Signal()
    pin_change_requested = Signal()
    enrol_requested = Signal()
    idle_return = False

    def __init__(self, profile: BoothProfile, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._profile, self._presentation = profile, presentation
        self._booth = profile.booth  # read again when shown (setup may change it), not on language changes
        self.title = screen_title()
        self.booth_label = QLabel(objectName="subtitle", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.stations_label = QLabel(objectName="hint")
        self.config_note = QLabel(objectName="result", wordWrap=True, visible=False)  # 配置已更新: stays until the next
        self.stations: list[Station] = []
        self.station_buttons: list[QPushButton] = []
        grid_host = QWidget()
        self.station_grid = QGridLayout(grid_host)
        self._build_station_buttons()
        scroll = WholeRowsScrollArea(grid_host)  # at rest no desk row is cut at its edge (large text, portrait)
        self.touch_scrolling = scroll.touch_scrolling
        self.dashboard_button, self.members_button = big_button("primary"), big_button("primary")
        self.employers_button = big_button("primary")
        self.lock_button, self.fullscreen_button, self.quit_button = (big_button("small") for _ in range(3))
        self.pin_change_button, self.purge_button = big_button("small"), big_button("small")
        self.enrol_button = big_button("small")
        for button, signal in ((self.dashboard_button, self.dashboard_requested),
                               (self.members_button, self.members_requested),
                               (self.employers_button, self.employers_requested), (self.lock_button, self.lock_requested),
                               (self.fullscreen_button, self.fullscreen_requested),
                               (self.quit_button, self.quit_requested), (self.purge_button, self.purge_requested),
                               (self.pin_change_button, self.pin_change_requested),
                               (self.enrol_button, self.enrol_requested)):
            button.clicked.connect(signal)
        self.message = QLabel(objectName="result", wordWrap=True, visible=False)  # only with a result: desks need room
        self.device_buttons = [self.lock_button, self.pin_change_button, self.enrol_button, self.purge_button,
                               self.fullscreen_button,
                               self.quit_button]
        self._build_layout(scroll)
        self._shape: tuple[bool, bool] | None = None
        self._config_note: tuple[str, tuple[str, ...], bool] | None = None
        self._arrange()
        presentation.changed.connect(self._arrange)
        presentation.changed.connect(self._make_room_for_message)
        self.retranslate()

    def _build_station_buttons(self) -> None:
        """One button per desk of the booth's configuration (again when a new configuration is adopted)."""
        for button in self.station_buttons:
            self.station_grid.removeWidget(button)  # at once: the deletion waits for the event loop
            button.hide()
            button.deleteLater()
        self.stations = all_stations(self._profile.config)
        self.station_buttons = []
        for station in self.stations:
            button = big_button("choice")
            button.clicked.connect(lambda _=False, s=station: self.station_chosen.emit(s))
            self.station_buttons.append(button)

    def config_adopted(self, version: str, changed: tuple[str, ...]) -> None:
        """A configuration from the city server is in use: the desks follow it, and a note says so."""
        self._build_station_buttons()
        arrange_in_rows(self.station_grid, self.station_buttons, self.station_columns, stretch=1)
        self._config_note = (version, changed, True)
        self.retranslate()

    def config_refused(self, problem: str) -> None:
        self._config_note = (problem, (), False)
        self.retranslate()

    def _forget_config_note(self) -> None:
        self._config_note = None
        self.config_note.hide()

    def _show_config_note(self) -> None:
        if self._config_note is None:
            return
        what, changed, ok = self._config_note
        if ok:
            names = {"event": self.tr("活动"), "registration": self.tr("入会登记"), "services": self.tr("服务项目"),
                     "consultation_topics": self.tr("咨询主题"), "handouts": self.tr("发放物品"), "quiz": self.tr("有奖答题"),
                     "idle": self.tr("空闲超时"), "retention_days": self.tr("保留天数")}
            text = self.tr("配置已更新（城市服务器版本 %1）").replace("%1", what)
            if changed:
                text += self.tr("：") + self.tr("、").join(names.get(c, c) for c in changed)
        else:
            text = self.tr("城市服务器下发的配置未通过检查，继续使用当前配置：") + what
        self.config_note.setText(text)
        self.config_note.setProperty("ok", "true" if ok else "false")
        self.config_note.style().unpolish(self.config_note)
        self.config_note.style().polish(self.config_note)
        self.config_note.show()

    def _build_layout(self, scroll: QScrollArea) -> None:
        self.tools = QGridLayout()
        self.tool_buttons = [self.dashboard_button, self.members_button, self.employers_button]
        self.device_grid = QGridLayout()
        root = QVBoxLayout(self)
        root.setContentsMargins(32, 16, 32, 16)
        root.addWidget(self.title)
        root.addWidget(self.booth_label)
        root.addWidget(self.config_note)
        root.addLayout(self.tools)
        root.addWidget(self.stations_label)
        root.addWidget(scroll, 1)
        root.addWidget(self.message)
        root.addLayout(self.device_grid)

    @property
    def station_columns(self) -> int:
        return 2 if self._presentation.narrow else 3 if self._presentation.large_text else 4

    @property
    def device_columns(self) -> int:
        return 2 if self._presentation.narrow else 3 if self._presentation.large_text else 5

    def _arrange(self) -> None:
        """Four desks a row and the device actions in one row on a wide window; fewer a row in large text,
        and on a narrow (portrait) window two a row, the two big buttons one under the other. The choice
        follows the window's width and the text size, never the buttons' size hints."""
        shape = (self._presentation.narrow, self._presentation.large_text)
        if shape == self._shape:
            return
        self._shape = shape
        # The big buttons side by side; one under the other on a narrow window; two a row in large text.
        arrange_in_rows(self.tools, self.tool_buttons, 1 if shape[0] else 2 if shape[1] else 3, stretch=1)
        arrange_in_rows(self.station_grid, self.station_buttons, self.station_columns, stretch=1)
        arrange_in_rows(self.device_grid, self.device_buttons, self.device_columns)

    def retranslate(self) -> None:
        p, booth = self._presentation, self._booth
        self.title.setText(self.tr("志愿者控制台"))
        self.booth_label.setText(booth_line(booth, english=p.english))
        self.stations_label.setText(self.tr("选择服务台，本机即作为该服务台的计数器："))
        for button, station in zip(self.station_buttons, self.stations, strict=True):
            button.setText(p.pick(*station.name(self._profile.config)))
        self.dashboard_button.setText(self.tr("今日数据与日报导出"))
        self.members_button.setText(self.tr("会员查询与更正"))
        self.employers_button.setText(self.tr("企业沟通会"))
        self.lock_button.setText(self.tr("锁定并返回首页"))
        self.fullscreen_button.setText(self.tr("切换全屏"))
        self.quit_button.setText(self.tr("退出程序"))
        self.pin_change_button.setText(self.tr("修改PIN"))
        self.purge_button.setText(self.tr("清除本机个人信息"))
        self.enrol_button.setText(self.tr("注册设备"))
        self._show_config_note()

    def on_shown(self) -> None:
        self._booth = self._profile.booth  # the booth's names may have just been set up
        self.wipe()
        self.retranslate()
        self._lay_out_desks()

    def _lay_out_desks(self) -> None:
        """Lay the desks out again for the width they have now: a grid rearranged or restyled (large text,
        language) while the home was hidden kept the geometry of an earlier width, cutting its last column."""
        self.station_grid.invalidate()
        self.station_grid.setGeometry(self.station_grid.parentWidget().rect())

    def wipe(self) -> None:
        self.message.clear()
        self.message.hide()
        self._make_room_for_message()

    def _make_room_for_message(self) -> None:
        """In large text a result (two or three lines) takes the place of the booth line and the desk hint: with
        all of them 1280x800 left the desks 68-79 px of their 84 px tiles, not one whole row."""
        room = self.message.isHidden() or not self._presentation.large_text
        self.booth_label.setVisible(room)
        self.stations_label.setVisible(room)

    def show_purge_result(self, purged: int, kept_unsynced: int) -> None:
        text = self.tr("已清除 %1 条已同步记录的个人信息。").replace("%1", str(purged))
        if kept_unsynced:
            text += self.tr("%1 条未同步的记录仍保留在本机：请先同步，再清除一次。").replace("%1", str(kept_unsynced))
        self._show(text, ok=not kept_unsynced)

    def show_purge_failed(self, error) -> None:  # type: ignore[no-untyped-def]
        """A purge that did not finish, in red, with what to do (kiosk.errors.PurgeFailed)."""
        self._show(self._presentation.pick(error.zh, error.en), ok=False)

    def show_purge_error(self, reason: str) -> None:
        """A purge that broke off with an unexpected error (a locked or damaged ledger file)."""
        self._show(self.tr("清除未完成，请重试：") + reason, ok=False)

    def show_pin_changed(self) -> None:
        self._show(self.tr("志愿者PIN已修改。"), ok=True)

    def _show(self, text: str, *, ok: bool) -> None:
        self.message.setProperty("ok", "true" if ok else "false")
        self.message.style().unpolish(self.message)  # the colour follows the property
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.show()
        self._make_room_for_message()

    def screenshot_states(self):  # type: ignore[no-untyped-def]
        return [("", self._forget_config_note), ("purged", lambda: self.show_purge_result(12, 3)),
                ("purge-failed", lambda: self.show_purge_failed(PurgeFailed.incomplete(12))),
                ("config-updated", lambda: self.config_adopted("3", ("services", "handouts")))]

    def station(self, kind_and_id: tuple[str, str]) -> Station:
        """The station with this kind and service id (tests and screenshots pick desks this way)."""
        return next(s for s in self.stations if (s.kind, s.service_id) == kind_and_id)
