"""Station mode: the tablet as one desk's counter — a big +1 for a passer-by, member passes scanned, undo."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.corrections import Corrections
from kiosk.desks import Desks
from kiosk.errors import BoothError
from kiosk.report import DayReport, day_figures
from kiosk.stations import UNDO_WINDOW_S, Entry, Station, StationKind, UndoWindow, enter_at
from booth_common.tokens import CodeKind
from kiosk.ui.camera_scanner import CameraScanner
from kiosk.ui.presentation import Presentation
from kiosk.ui.scan_field import ScanField, monotonic_ms
from kiosk.ui.widgets import ScreenBase, arrange_in_rows, back_button, big_button, screen_title, wrap_button_text


class StationScreen(ScreenBase):
    back_requested = Signal()
    recorded = Signal(object)  # Record
    idle_return = False

    def __init__(self, desks: Desks, corrections: Corrections, report: DayReport, presentation: Presentation, *,
                 undo_seconds: float = UNDO_WINDOW_S, clock: Callable[[], float] = time.monotonic,
                 clock_ms: Callable[[], float] = monotonic_ms, camera_devices: list | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._desks, self._presentation = desks, presentation
        self._corrections, self._report = corrections, report  # the undo is a void; the count is the day's
        self.station: Station | None = None
        self.undo_window = UndoWindow(seconds=undo_seconds, clock=clock)
        self.title = screen_title()
        self.count_label = QLabel(objectName="subtitle", alignment=Qt.AlignmentFlag.AlignCenter)
        self.choice_host = QWidget()
        self.choice_grid = QGridLayout(self.choice_host)
        self.choices = QButtonGroup(self)
        self.choice_buttons: dict[str, QPushButton] = {}
        self.plus_button = big_button("plus")
        self.plus_button.clicked.connect(lambda: self._enter(None, scanned=False))
        self.scan_hint = QLabel(objectName="hint", wordWrap=True)
        self.scan_field = ScanField(clock_ms=clock_ms)
        self.scan_field.scanned.connect(lambda text: self._enter(text, scanned=True))
        self.scan_field.typed.connect(lambda text: self._enter(text, scanned=False))
        self.message = QLabel(objectName="result", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.stock_label = QLabel(objectName="hint", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.camera_button = big_button("small")
        self.camera_button.clicked.connect(self.open_camera)
        self.camera = CameraScanner(devices=camera_devices)
        self.camera.hide()
        self.camera.scanned.connect(lambda text: self._enter(text, scanned=True))  # the scanner's own path
        self.camera.close_button.clicked.connect(self.close_camera)
        self.undo_button = big_button("small")
        self.undo_button.clicked.connect(self.undo)
        self.back_button = back_button()
        self.back_button.clicked.connect(self.back_requested)
        self._undo_timer = QTimer(self, singleShot=True, interval=int(undo_seconds * 1000) + 50)
        self._undo_timer.timeout.connect(self.refresh_undo)
        self._build_layout()
        self._narrow = presentation.narrow
        presentation.changed.connect(self._follow_window_shape)
        self.retranslate()

    def _build_layout(self) -> None:
        self.bottom = bottom = QGridLayout()
        self._arrange_bottom()
        root = QVBoxLayout(self)
        root.setContentsMargins(32, 16, 32, 16)
        for w in (self.title, self.count_label, self.choice_host, self.plus_button, self.camera, self.message,
                  self.stock_label, self.scan_hint, self.scan_field):
            root.addWidget(w)
        root.addStretch()
        root.addLayout(bottom)

    # -- the desk -----------------------------------------------------------------------

    def set_station(self, station: Station) -> None:
        self.close_camera()
        self.station = station
        self.undo_window.forget()
        self.message.clear()
        self._build_choices()
        self.retranslate()
        self.refresh()

    def _build_choices(self) -> None:
        for button in self.choice_buttons.values():
            self.choices.removeButton(button)
            self.choice_grid.removeWidget(button)  # at once: the deletion waits for the event loop
            button.hide()
            button.deleteLater()
        self.choice_buttons = {}
        for i, (item_id, _zh, _en) in enumerate(self._choice_items()):
            button = big_button("tile")
            button.setCheckable(True)
            button.setChecked(i == 0)
            button.toggled.connect(self.refresh)
            self.choices.addButton(button)
            self.choice_buttons[item_id] = button
        self._arrange_choices()
        self.choice_host.setVisible(bool(self.choice_buttons))

    @property
    def choice_columns(self) -> int:
        return 2 if self._presentation.narrow else 4

    def _arrange_choices(self) -> None:
        """Four topics or handouts a row, two on a narrow (portrait) window; the choice follows the window's width."""
        arrange_in_rows(self.choice_grid, list(self.choice_buttons.values()), self.choice_columns)

    def _arrange_bottom(self) -> None:
        """Back, camera and undo in one row on a wide window; on a narrow one the camera button over the other two."""
        for widget in (self.back_button, self.camera_button, self.undo_button):
            self.bottom.removeWidget(widget)
        if self._presentation.narrow:
            cells = ((self.camera_button, 0, 0, 1, 3), (self.back_button, 1, 0, 1, 1), (self.undo_button, 1, 2, 1, 1))
        else:
            cells = ((self.back_button, 0, 0, 1, 1), (self.camera_button, 0, 2, 1, 1), (self.undo_button, 0, 3, 1, 1))
        for widget, *cell in cells:
            self.bottom.addWidget(widget, *cell)
        self.bottom.setColumnStretch(1, 1)

    def _follow_window_shape(self) -> None:
        if self._presentation.narrow != self._narrow:
            self._narrow = self._presentation.narrow
            self._arrange_choices()
            self._arrange_bottom()
            self._refresh_plus()
        self._place_scan_hint()

    def _plus_text(self) -> str:
        """On a narrow (portrait) window the bracketed part goes on a second line: the button has the height
        for two lines there, and in large text no width for one."""
        text = self.tr("+1 来访（未出示会员码）")
        return re.sub(r"\s*([（(])", r"\n\1", text, count=1) if self._presentation.narrow else text

    def _place_scan_hint(self) -> None:
        """In large text on a wide window the hint goes inside the empty scan field, and the margins shrink:
        a 1280x800 screen has no height for a handout desk's every line at that size (a portrait one has,
        but no width for the hint in the field)."""
        tight = self._presentation.large_text and not self._presentation.narrow
        self.scan_hint.setVisible(not tight)
        self.scan_field.setPlaceholderText(self.scan_hint.text() if tight else "")
        self.layout().setContentsMargins(32, 8 if tight else 16, 32, 8 if tight else 16)

    def _choice_items(self) -> list[tuple[str, str, str]]:
        config = self._desks.config
        if self.station and self.station.kind is StationKind.CONSULTATION:
            return [(t.id, t.name, t.name_en) for t in config.consultation_topics]
        if self.station and self.station.kind is StationKind.HANDOUT:
            return [(h.id, h.name, h.name_en) for h in config.handouts]
        return []

    @property
    def choice(self) -> str:
        return next((k for k, b in self.choice_buttons.items() if b.isChecked()), "")

    def choose(self, item_id: str) -> None:
        self.choice_buttons[item_id].setChecked(True)

    def _enter(self, token: str | None, *, scanned: bool) -> None:
        """One entry at the desk, through the core's rule for which codes this desk takes (nothing is spent by
        a refusal); a voucher at the handout desk switches the chosen item to the prize it is for."""
        assert self.station is not None
        try:
            entry = enter_at(self._desks, self.station, choice=self.choice, token=token)
        except BoothError as exc:
            self._show(self._presentation.pick(exc.zh, exc.en), ok=False)
            return
        if entry.switched_to and entry.switched_to in self.choice_buttons:
            self.choose(entry.switched_to)
        self.undo_window.remember(entry.record)
        self._undo_timer.start()
        self._show(self._recorded_text(entry, scanned), ok=True)
        self.refresh()
        self.recorded.emit(entry.record)

    def _recorded_text(self, entry: Entry, scanned: bool) -> str:
        if entry.code is None:
            return self.tr("已记录 +1")
        how = self.tr("扫码") if scanned else self.tr("手动输入")
        if entry.code.kind is CodeKind.MEMBER_PASS:
            member = self._desks.members.member_by_pass(entry.code.token)
            who = member.masked_name if member else entry.code.token
        else:
            who = self.tr("答题兑奖码")
        text = self.tr("已记录：%1（%2）").replace("%1", who).replace("%2", how)
        if entry.switched_to:
            item = self._desks.config.handout(entry.switched_to)
            text += "\n" + self.tr("已切换到：%1，请发放此物品").replace("%1", self._presentation.pick(item.name, item.name_en))
        return text

    def undo(self) -> None:
        try:
            self.undo_window.undo(self._corrections)
        except BoothError as exc:
            self._show(self._presentation.pick(exc.zh, exc.en), ok=False)
        else:
            self._show(self.tr("已撤销上一条（作废记录已保存）"), ok=True)
        self.refresh()

    def _show(self, text: str, *, ok: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("ok", ok)
        self.message.style().polish(self.message)

    # -- display ------------------------------------------------------------------------

    def count_today(self) -> int:
        figures, station = day_figures(self._report), self.station
        if station is None:
            return 0
        return {StationKind.SERVICE: lambda: figures.service_uses.get(station.service_id, 0),
                StationKind.CONSULTATION: lambda: figures.consultation_desk,
                StationKind.HANDOUT: lambda: figures.handouts.get(self.choice, 0),
                StationKind.CARD: lambda: figures.card_requests}[station.kind]()

    def refresh(self) -> None:
        if self.station is None:
            return
        self.count_label.setText(self.tr("本台今日：%1 人次").replace("%1", str(self.count_today())))
        self._refresh_stock()
        self._refresh_plus()
        self.refresh_undo()

    def _refresh_stock(self) -> None:
        is_handout = self.station is not None and self.station.kind is StationKind.HANDOUT and self.choice
        self.stock_label.setVisible(bool(is_handout))
        if not is_handout:
            return
        item = self._desks.config.handout(self.choice)
        left = self._desks.stock_left(item.id)
        text = self.tr("库存剩余：%1").replace("%1", str(left))
        if left <= item.low_stock:
            text += " · " + self.tr("库存不足，请及时补货")
        self.stock_label.setText(text)
        self.stock_label.setProperty("warning", left <= item.low_stock)
        self.stock_label.style().polish(self.stock_label)

    def _refresh_plus(self) -> None:
        """+1 is for passers-by: not at the members-only card desk, nor for one-per-member items. When it cannot
        be used, the button says why (it is the largest thing on the desk)."""
        reason = self._plus_refused()
        self.plus_button.setEnabled(self.station is not None and not reason)
        self.plus_button.setText(self.tr("+1 不适用") + "\n" + wrap_button_text(reason, width=40) if reason
                                 else self._plus_text())
        self.plus_button.setAccessibleDescription(reason)
        if self.plus_button.property("refused") != bool(reason):
            self.plus_button.setProperty("refused", bool(reason))  # smaller, darker text: a reason to read
            self.plus_button.style().unpolish(self.plus_button)
            self.plus_button.style().polish(self.plus_button)

    def _plus_refused(self) -> str:
        """Why +1 is not available here, or "" when it is."""
        station, config = self.station, self._desks.config
        if station is not None and not station.takes_anonymous:
            return self.tr("此服务台只为会员办理，请扫描会员码")
        if station is not None and station.kind is StationKind.HANDOUT and self.choice:
            item = config.handout(self.choice)
            name = self._presentation.pick(item.name, item.name_en)
            if item.id == config.quiz.prize_item:
                return self.tr("%1凭答题兑奖码领取，请扫码").replace("%1", name)
            if item.one_per_member:
                return self.tr("%1每人限领一份，请扫描会员码").replace("%1", name)
        return ""

    def _scan_hint_text(self) -> str:
        """What this desk takes: a voucher only at the handout desk, a member pass everywhere."""
        if self.station is not None and self.station.kind is StationKind.HANDOUT:
            return self.tr("扫描会员码或答题兑奖码；也可手动输入后按回车")
        return self.tr("扫描会员码；也可手动输入后按回车")

    def refresh_undo(self) -> None:
        self.undo_button.setEnabled(self.undo_window.pending() is not None)

    def retranslate(self) -> None:
        p = self._presentation
        if self.station is not None:
            self.title.setText(p.pick(*self.station.name(self._desks.config)))
        for (item_id, zh, en) in self._choice_items():
            if item_id in self.choice_buttons:
                self.choice_buttons[item_id].setText(p.pick(zh, en))
        self._refresh_plus()
        self.scan_hint.setText(self._scan_hint_text())
        self._place_scan_hint()
        self.undo_button.setText(self.tr("撤销上一条"))
        self.camera_button.setText(self.tr("摄像头扫码"))
        self.back_button.setText(self.tr("返回控制台"))
        if self.isVisible():  # a hidden screen reads the ledger when shown, not on every language change
            self.refresh()

    def open_camera(self) -> None:
        """The camera's preview where +1 stands (a code at a time: a passer-by is counted with the camera off)."""
        self.plus_button.hide()
        self.camera.show()
        self.camera_button.setEnabled(False)
        self.camera.start()

    def close_camera(self) -> None:
        self.camera.hide()  # hiding stops the camera
        self.plus_button.show()
        self.camera_button.setEnabled(True)

    def wipe(self) -> None:
        self.close_camera()

    def on_shown(self) -> None:
        self.refresh()
        self.scan_field.setFocus()

    def screenshot_states(self):  # type: ignore[no-untyped-def]
        config = self._desks.config
        states = [("service", lambda: self.set_station(Station(StationKind.SERVICE, config.services[0].id)))]
        if config.handouts:
            states.append(("handout", lambda: self.set_station(Station(StationKind.HANDOUT))))
        states.append(("card", lambda: self.set_station(Station(StationKind.CARD))))
        states.append(("camera", lambda: (self.set_station(Station(StationKind.HANDOUT)), self.open_camera())))
        return states
