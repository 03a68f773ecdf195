"""Member lookup for corrections: find by name (matched masked) or phone tail; void or correct with a reason."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QVBoxLayout, QWidget)

from kiosk.booth import BoothError, BoothService, MemberSummary
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, big_button


class MembersScreen(ScreenBase):
    back_requested = Signal()
    idle_return = False

    def __init__(self, booth: BoothService, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._booth, self._presentation = booth, presentation
        self.members: list[MemberSummary] = []
        self.title = QLabel(objectName="title", alignment=Qt.AlignmentFlag.AlignCenter)
        self.query = QLineEdit()
        self.query.returnPressed.connect(self.search)
        self.search_button = big_button("primary")
        self.search_button.clicked.connect(self.search)
        self.results = QListWidget()
        self.results.currentRowChanged.connect(self._selection_changed)
        self.reason = QLineEdit()
        self.occupation = QComboBox()
        self.void_button, self.correct_button = big_button("small"), big_button("small")
        self.void_button.clicked.connect(self.void_selected)
        self.correct_button.clicked.connect(self.correct_selected)
        self.message = QLabel(objectName="result", wordWrap=True)
        self.back_button = big_button("small")
        self.back_button.clicked.connect(self.back_requested)
        self._build_layout()
        self._narrow: bool | None = None
        self._follow_window_shape()
        presentation.changed.connect(self._follow_window_shape)
        self.retranslate()
        self._selection_changed(-1)

    def _build_layout(self) -> None:
        search = QHBoxLayout()
        search.addWidget(self.query, 1)
        search.addWidget(self.search_button)
        self.actions = QGridLayout()
        root = QVBoxLayout(self)
        root.setContentsMargins(32, 16, 32, 16)
        root.addWidget(self.title)
        root.addLayout(search)
        root.addWidget(self.results, 1)
        root.addLayout(self.actions)
        root.addWidget(self.message)
        root.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)

    def _follow_window_shape(self) -> None:
        """The reason, void, occupation and correct in one row on a wide window; on a narrow (portrait) one,
        which has no width for four, voiding and correcting a row each. Follows the window's width."""
        narrow = self._presentation.narrow
        if narrow == self._narrow:
            return
        self._narrow = narrow
        widgets = (self.reason, self.void_button, self.occupation, self.correct_button)
        for widget in widgets:
            self.actions.removeWidget(widget)
        for i, widget in enumerate(widgets):
            self.actions.addWidget(widget, i // 2 if narrow else 0, i % 2 if narrow else i)
        for column, stretch in enumerate((1, 0, 0, 0) if narrow else (2, 0, 1, 0)):
            self.actions.setColumnStretch(column, stretch)

    def retranslate(self) -> None:
        p = self._presentation
        self.title.setText(self.tr("会员查询与更正"))
        self.query.setPlaceholderText(self.tr("姓名，或手机号后四位"))
        self.search_button.setText(self.tr("查询"))
        self.reason.setPlaceholderText(self.tr("原因（必填）"))
        self.void_button.setText(self.tr("作废此登记"))
        self.correct_button.setText(self.tr("更正职业"))
        self.back_button.setText(self.tr("返回控制台"))
        current = self.occupation.currentIndex()
        self.occupation.clear()
        for o in self._booth.config.registration.occupations:
            self.occupation.addItem(p.pick(o.name, o.name_en), o.id)
        self.occupation.setCurrentIndex(max(0, current))

    def search(self) -> None:
        self.members = self._booth.search_members(self.query.text())
        self.results.clear()
        for m in self.members:
            self.results.addItem(QListWidgetItem(f"{m.masked_name}   {m.masked_phone}   {m.registered_at[:16]}Z"))
        self.message.setText(self.tr("找到 %1 人").replace("%1", str(len(self.members))))

    def selected(self) -> MemberSummary | None:
        row = self.results.currentRow()
        return self.members[row] if 0 <= row < len(self.members) else None

    def _selection_changed(self, _row: int) -> None:
        for button in (self.void_button, self.correct_button):
            button.setEnabled(self.selected() is not None)

    def void_selected(self) -> None:
        member = self.selected()
        if member is not None:
            self._apply(lambda: self._booth.void(member.record_id, self.reason.text()), self.tr("已作废（原记录保留）"))

    def correct_selected(self) -> None:
        member = self.selected()
        if member is not None:
            occupation = self.occupation.currentData()
            self._apply(lambda: self._booth.correct_registration(member.record_id, reason=self.reason.text(),
                                                                 occupation=occupation), self.tr("已更正（原记录保留）"))

    def _apply(self, action, done: str) -> None:  # type: ignore[no-untyped-def]
        try:
            action()
        except BoothError as exc:
            self.message.setText(self._presentation.pick(exc.zh, exc.en))
            return
        self.reason.clear()
        self.search()
        self.message.setText(done)

    def wipe(self) -> None:
        self.query.clear()
        self.reason.clear()
        self.results.clear()
        self.members = []
        self.message.clear()
