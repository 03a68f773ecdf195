"""企业沟通会 on the console: the follow-up list (dates near or past, enterprises that agreed to found) and the way to a new meeting."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (QButtonGroup, QHBoxLayout, QLabel, QListWidgetItem,
                               QPushButton, QVBoxLayout, QWidget)

from kiosk.employers import EmployerMeeting, EmployerMeetings, Outcome
from kiosk.errors import BoothError
from kiosk.ui.employer_meeting_screen import relayout, tile_button
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, TileFlowLayout, WholeRowsList, back_button, big_button, screen_title

ROW_HEIGHT_PX = 64  # two lines a row, a touch target
NEXT_VISIT_DAYS = (None, 7, 14, 30)
FOLLOW_UP_REASON = "回访后更新 / updated after a follow-up visit"


class EmployerFollowUpScreen(ScreenBase):
    back_requested = Signal()
    new_meeting_requested = Signal()
    idle_return = False

    def __init__(self, employers: EmployerMeetings, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._employers, self._presentation = employers, presentation
        self.meetings: list[EmployerMeeting] = []
        self.title = screen_title(wrap=True)
        self.summary = QLabel(objectName="subtitle", wordWrap=True)
        self.list_label = QLabel(objectName="hint", wordWrap=True)
        self.follow_list = WholeRowsList()  # never half a meeting at its bottom edge
        self.touch_scrolling = self.follow_list.touch_scrolling
        self.empty = QLabel(objectName="hint", wordWrap=True)
        self.message = QLabel(objectName="result", wordWrap=True, visible=False)
        self.new_button = big_button("primary")
        self.new_button.clicked.connect(self.new_meeting_requested)
        self.back_button = back_button()
        self.back_button.clicked.connect(self.back_requested)
        self.follow_list.currentRowChanged.connect(self._selection_changed)
        self.visit_label = QLabel(objectName="hint", wordWrap=True)
        self.outcome_buttons = self._choices([o.value for o in Outcome])
        self.next_buttons = self._choices([str(d) for d in NEXT_VISIT_DAYS])
        self.record_visit_button = big_button("primary")
        self.record_visit_button.clicked.connect(self.record_visit)
        self.visit_panel = QWidget()
        panel = QVBoxLayout(self.visit_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.addWidget(self.visit_label)
        for buttons in (self.outcome_buttons, self.next_buttons):  # one row each where the width takes it
            flow = TileFlowLayout(max_columns=len(buttons))
            for button in buttons.values():
                flow.addWidget(button)
            panel.addLayout(flow)
        panel.addWidget(self.record_visit_button)
        self.visit_panel.hide()
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        root = QVBoxLayout(self)
        root.setContentsMargins(32, 16, 32, 16)
        root.addLayout(top)
        root.addWidget(self.summary)
        root.addWidget(self.message)
        root.addWidget(self.new_button)
        root.addWidget(self.list_label)
        root.addWidget(self.follow_list, 1)
        root.addWidget(self.empty)
        root.addWidget(self.visit_panel)
        presentation.changed.connect(self.retranslate)
        self.retranslate()

    def _choices(self, keys: list[str]) -> dict[str, QPushButton]:
        group = QButtonGroup(self)
        buttons = {}
        for key in keys:
            buttons[key] = tile_button()
            buttons[key].setCheckable(True)
            group.addButton(buttons[key])
        return buttons

    def _selection_changed(self, row: int) -> None:
        """A meeting picked in the list: record what the follow-up visit brought (a correction of the meeting)."""
        self._show_visit_panel(0 <= row < len(self.meetings))
        if 0 <= row < len(self.meetings):
            self.outcome_buttons[self.meetings[row].outcome.value].setChecked(True)
            self.next_buttons[str(NEXT_VISIT_DAYS[0])].setChecked(True)
            self._retranslate_panel()
            relayout(self)

    def record_visit(self) -> None:
        row = self.follow_list.currentRow()
        if not 0 <= row < len(self.meetings):
            return
        meeting = self.meetings[row]
        outcome = next(k for k, b in self.outcome_buttons.items() if b.isChecked())
        days = next(d for d, b in zip(NEXT_VISIT_DAYS, self.next_buttons.values(), strict=True) if b.isChecked())
        follow = "" if days is None else (self._employers.today + dt.timedelta(days=days)).isoformat()
        try:
            self._employers.correct_meeting(meeting.record_id, reason=FOLLOW_UP_REASON, outcome=outcome,
                                                  follow_up=follow)
        except BoothError as exc:
            self._say(self._presentation.pick(exc.zh, exc.en), ok=False)
            return
        self.follow_list.setCurrentRow(-1)
        self.refresh()
        self._say(self.tr("已记录回访：%1").replace("%1", meeting.enterprise_name), ok=True)

    def _say(self, text: str, *, ok: bool) -> None:
        self.message.setProperty("ok", "true" if ok else "false")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.show()

    def _retranslate_panel(self) -> None:
        p = self._presentation
        row = self.follow_list.currentRow()
        name = self.meetings[row].enterprise_name if 0 <= row < len(self.meetings) else ""
        self.visit_label.setText(self.tr("回访 %1 后：沟通结果与下次回访").replace("%1", name))
        for outcome in Outcome:
            self.outcome_buttons[outcome.value].setText(p.pick(outcome.zh, outcome.en))
        for days, button in zip(NEXT_VISIT_DAYS, self.next_buttons.values(), strict=True):
            button.setText(self.tr("不再回访") if days is None else self.tr("%1 天后").replace("%1", str(days)))
        self.record_visit_button.setText(self.tr("保存回访结果"))

    def on_shown(self) -> None:
        self.refresh()
        relayout(self)

    def refresh(self) -> None:
        self.meetings = self._employers.follow_ups()
        self.retranslate()

    def show_saved(self, meeting: EmployerMeeting) -> None:
        """After the form saved a meeting: say so (the list shows it when it needs a follow-up)."""
        self._say(self.tr("已保存：%1").replace("%1", meeting.enterprise_name), ok=True)

    def wipe(self) -> None:
        self.message.clear()
        self.message.hide()
        self.follow_list.setCurrentRow(-1)

    def retranslate(self) -> None:
        p = self._presentation
        self.title.setText(self.tr("企业沟通会"))
        everyone = self._employers.meetings()
        agreed = sum(m.outcome is Outcome.AGREED_TO_FOUND for m in everyone)
        self.summary.setText(self.tr("本机已记录 %1 场，同意建会 %2 家，覆盖职工 %3 人").replace("%1", str(len(everyone)))
                             .replace("%2", str(agreed)).replace("%3", str(sum(m.workers for m in everyone))))
        self.new_button.setText(self.tr("记录一场新的企业沟通会"))
        self.back_button.setText(self.tr("返回"))
        self.list_label.setText(self.tr("待回访：7天内或已过回访日期的企业，以及同意建会的企业"))
        self.empty.setText(self.tr("暂无待回访的企业"))
        self.empty.setVisible(not self.meetings)
        row = self.follow_list.currentRow()  # a language change keeps the meeting picked
        self.follow_list.blockSignals(True)
        self.follow_list.clear()
        self.follow_list.ensurePolished()  # large text: two lines of the larger font
        height = max(ROW_HEIGHT_PX, 2 * self.follow_list.fontMetrics().lineSpacing() + 8)
        for meeting in self.meetings:
            item = QListWidgetItem(self._row_text(meeting, english=p.english))
            item.setSizeHint(QSize(0, height))
            self.follow_list.addItem(item)
        self.follow_list.setCurrentRow(row if 0 <= row < len(self.meetings) else -1)
        self.follow_list.blockSignals(False)
        self.follow_list.fit_rows()
        self._show_visit_panel(0 <= self.follow_list.currentRow())
        self._retranslate_panel()

    def _show_visit_panel(self, shown: bool) -> None:
        """While a visit is recorded the day's summary and the list's heading step aside: with them, the panel
        had no room at 1280x800 in large text (its tiles drawn over one another, the save button cut)."""
        self.visit_panel.setVisible(shown)
        self.summary.setVisible(not shown)
        self.list_label.setVisible(not shown)

    def _row_text(self, m: EmployerMeeting, *, english: bool) -> str:
        if m.follow_up is None:
            when = self.tr("未定回访日期")
        elif self._employers.is_overdue(m):
            when = self.tr("已逾期：%1").replace("%1", m.follow_up.isoformat())
        else:
            when = self.tr("回访：%1").replace("%1", m.follow_up.isoformat())
        outcome = m.outcome.en if english else m.outcome.zh
        people = self.tr("职工 %1 人").replace("%1", str(m.workers))
        return f"{m.enterprise_name} · {outcome}\n{when} · {people} · {m.masked_contact_name} {m.masked_contact_phone}"

    def overdue_rows(self) -> list[int]:
        return [i for i, m in enumerate(self.meetings) if self._employers.is_overdue(m)]

    def screenshot_states(self):  # type: ignore[no-untyped-def]
        def visit() -> None:
            self.refresh()
            if self.meetings:
                self.follow_list.setCurrentRow(0)

        return [("", self.refresh), ("visit", visit)]
