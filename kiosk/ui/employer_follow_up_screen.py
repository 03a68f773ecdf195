"""企业沟通会 on the console: the follow-up list (dates near or past, enterprises that agreed to found) and the way to a new meeting."""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from kiosk.booth import BoothService
from kiosk.employers import EmployerMeeting, Outcome
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, back_button, big_button, enable_touch_scrolling, screen_title

ROW_HEIGHT_PX = 64  # two lines a row, a touch target


class EmployerFollowUpScreen(ScreenBase):
    back_requested = Signal()
    new_meeting_requested = Signal()
    idle_return = False

    def __init__(self, booth: BoothService, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._booth, self._presentation = booth, presentation
        self.meetings: list[EmployerMeeting] = []
        self.title = screen_title(wrap=True)
        self.summary = QLabel(objectName="subtitle", wordWrap=True)
        self.list_label = QLabel(objectName="hint", wordWrap=True)
        self.follow_list = QListWidget()
        self.touch_scrolling = enable_touch_scrolling(self.follow_list)
        self.empty = QLabel(objectName="hint", wordWrap=True)
        self.message = QLabel(objectName="result", wordWrap=True, visible=False)
        self.new_button = big_button("primary")
        self.new_button.clicked.connect(self.new_meeting_requested)
        self.back_button = back_button()
        self.back_button.clicked.connect(self.back_requested)
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
        presentation.changed.connect(self.retranslate)
        self.retranslate()

    def on_shown(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.meetings = self._booth.employers.follow_ups()
        self.retranslate()

    def show_saved(self, meeting: EmployerMeeting) -> None:
        """After the form saved a meeting: say so (the list shows it when it needs a follow-up)."""
        self.message.setProperty("ok", "true")
        self.message.setText(self.tr("已保存：%1").replace("%1", meeting.enterprise_name))
        self.message.show()

    def wipe(self) -> None:
        self.message.clear()
        self.message.hide()

    def retranslate(self) -> None:
        p = self._presentation
        self.title.setText(self.tr("企业沟通会"))
        everyone = self._booth.employers.meetings()
        agreed = sum(m.outcome is Outcome.AGREED_TO_FOUND for m in everyone)
        self.summary.setText(self.tr("本机已记录 %1 场，同意建会 %2 家，覆盖职工 %3 人").replace("%1", str(len(everyone)))
                             .replace("%2", str(agreed)).replace("%3", str(sum(m.workers for m in everyone))))
        self.new_button.setText(self.tr("记录一场新的企业沟通会"))
        self.back_button.setText(self.tr("返回"))
        self.list_label.setText(self.tr("待回访：7天内或已过回访日期的企业，以及同意建会的企业"))
        self.empty.setText(self.tr("暂无待回访的企业"))
        self.empty.setVisible(not self.meetings)
        self.follow_list.clear()
        for meeting in self.meetings:
            item = QListWidgetItem(self._row_text(meeting, english=p.english))
            item.setSizeHint(QSize(0, ROW_HEIGHT_PX))
            self.follow_list.addItem(item)

    def _row_text(self, m: EmployerMeeting, *, english: bool) -> str:
        if m.follow_up is None:
            when = self.tr("未定回访日期")
        elif self._booth.employers.is_overdue(m):
            when = self.tr("已逾期：%1").replace("%1", m.follow_up.isoformat())
        else:
            when = self.tr("回访：%1").replace("%1", m.follow_up.isoformat())
        outcome = m.outcome.en if english else m.outcome.zh
        people = self.tr("职工 %1 人").replace("%1", str(m.workers))
        return f"{m.enterprise_name} · {outcome}\n{when} · {people} · {m.masked_contact_name} {m.masked_contact_phone}"

    def overdue_rows(self) -> list[int]:
        return [i for i, m in enumerate(self.meetings) if self._booth.employers.is_overdue(m)]

    def screenshot_states(self):  # type: ignore[no-untyped-def]
        return [("", self.refresh)]
