"""Member lookup for corrections: find by name (matched masked) or phone tail; correct any field or void, with a reason."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (QApplication, QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QScrollArea, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget)

from kiosk import corrections
from kiosk.corrections import Corrections
from kiosk.errors import BoothError
from kiosk.membership import MemberSummary
from kiosk.ui.background import BackgroundTask, run_in_background
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, back_button, big_button, enable_touch_scrolling, screen_title

ROW_HEIGHT_PX = 56  # a result row is a touch target: at least 48 px
BEIJING = dt.timezone(dt.timedelta(hours=8))


def local_time(captured_at: str) -> str:
    """'2026-11-30T05:43:12Z' (UTC, as records keep it) → '13:43' in Beijing time."""
    try:
        moment = dt.datetime.fromisoformat(captured_at.replace("Z", "+00:00"))
    except ValueError:
        return captured_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(BEIJING).strftime("%H:%M")


class MembersScreen(ScreenBase):
    back_requested = Signal()
    searched = Signal(int)  # members found, -1 when the search failed
    idle_return = False

    def __init__(self, corrections: Corrections, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._corrections, self._presentation = corrections, presentation
        self.members: list[MemberSummary] = []
        self._search_task: BackgroundTask | None = None
        self.title = screen_title()
        self.query = QLineEdit()
        self.query.returnPressed.connect(self.search)
        self.search_button = big_button("primary")
        self.search_button.clicked.connect(self.search)
        self.results = QListWidget()
        self.results.setUniformItemSizes(True)
        # The list takes the height the rest leaves (two rows at least), never asks for more: asking for its full
        # hint made the page taller than 1280x800 in large text, the back and void buttons cut at the bottom.
        self.results.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.results.setMinimumHeight(120)
        self.touch_scrolling = enable_touch_scrolling(self.results)
        self.results.currentRowChanged.connect(self._selection_changed)
        self.current = QLabel(objectName="hint", wordWrap=True)
        self.field = QComboBox()
        self.field.currentIndexChanged.connect(self._field_changed)
        self.value_text = QLineEdit()
        # A name or a phone is personal: no input-method dictionary may learn it.
        self.value_text.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText)
        self.value_choice = QComboBox()
        self.value = QStackedWidget()
        self.value.addWidget(self.value_text)
        self.value.addWidget(self.value_choice)
        self.reason = QLineEdit()
        self.correct_button = big_button("small")
        self.void_button = big_button("danger")
        self.void_button.clicked.connect(self.void_selected)
        self.correct_button.clicked.connect(self.correct_selected)
        self.message = QLabel(objectName="result", wordWrap=True)
        self.back_button = back_button()
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
        bottom = QHBoxLayout()
        bottom.addWidget(self.back_button)
        bottom.addStretch()
        bottom.addWidget(self.void_button)
        # The screen scrolls when the on-screen keyboard takes the lower half of the window: the field being
        # typed in is scrolled into view, and nothing is squeezed over anything else.
        body = QWidget()
        self.scroll = QScrollArea(widgetResizable=True)
        self.scroll.setWidget(body)
        # no bar: its width appearing would reflow the form under the finger (the result list keeps its own)
        self.body_scrolling = enable_touch_scrolling(self.scroll, bar=False)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        QApplication.instance().focusChanged.connect(self._focus_changed)  # a bound slot: dropped with the screen
        root = QVBoxLayout(body)
        root.setContentsMargins(32, 16, 32, 16)
        root.addWidget(self.title)
        root.addLayout(search)
        root.addWidget(self.results, 1)
        root.addWidget(self.current)
        root.addLayout(self.actions)
        root.addWidget(self.message)
        root.addLayout(bottom)

    @Slot(QWidget, QWidget)
    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        self._keep_in_view(new)

    def _keep_in_view(self, widget: QWidget | None) -> None:
        if widget is not None and self.scroll.widget().isAncestorOf(widget):
            # with focus Qt keeps the text cursor in view, not the field: the margin brings in the whole field
            self.scroll.ensureWidgetVisible(widget, 0, 48)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().resizeEvent(event)
        self._keep_in_view(self.focusWidget())  # the keyboard opened below the field just tapped

    def _follow_window_shape(self) -> None:
        """Field and value in one row, reason and correct in the next on a wide window; on a narrow (portrait)
        one each on its own row, the reason's full width for its placeholder. Follows the window's width."""
        narrow = self._presentation.narrow
        if narrow == self._narrow:
            return
        self._narrow = narrow
        cells = ((self.field, 0, 0, 1, 1), (self.value, 0, 1, 1, 2), (self.reason, 1, 0, 1, 2),
                 (self.correct_button, 1, 2, 1, 1))
        if narrow:
            cells = ((self.field, 0, 0, 1, 3), (self.value, 1, 0, 1, 3), (self.reason, 2, 0, 1, 3),
                     (self.correct_button, 3, 0, 1, 3))
        for widget, *_ in cells:
            self.actions.removeWidget(widget)
        for widget, *cell in cells:
            self.actions.addWidget(widget, *cell)
        for column, stretch in enumerate((1, 2, 0)):
            self.actions.setColumnStretch(column, stretch)

    def retranslate(self) -> None:
        p = self._presentation
        self.title.setText(self.tr("会员查询与更正"))
        self.query.setPlaceholderText(self.tr("姓名，或手机号后四位"))
        self.search_button.setText(self.tr("查询"))
        self.reason.setPlaceholderText(self.tr("原因（必填）"))
        self.void_button.setText(self.tr("作废此登记"))
        self.correct_button.setText(self.tr("更正"))
        self.back_button.setText(self.tr("返回控制台"))
        current = max(0, self.field.currentIndex())
        self.field.blockSignals(True)
        self.field.clear()
        for f in corrections.FIELDS:
            self.field.addItem(self.tr("更正：") + p.pick(f.name, f.name_en), f.key)
        self.field.setCurrentIndex(current)
        self.field.blockSignals(False)
        self._field_changed()
        self._show_current()
        if self.members:
            self._fill_results()

    # -- search -------------------------------------------------------------------------

    def search(self, *, keep: MemberSummary | None = None, done: str = "") -> BackgroundTask:
        """Look the query up off the GUI thread (a million records take a while on a tablet); the list
        fills when the answer comes and ``searched`` says so. A newer search supersedes an older one.
        After a correction, ``keep`` stays listed and selected and ``done`` is said."""
        query = self.query.text()

        def look_up(_progress):  # type: ignore[no-untyped-def]  # on a pool thread, with its own connection
            with self._corrections.members.detached() as members:
                return members.search_members(query)

        self.search_button.setEnabled(False)
        self._search_task = task = run_in_background(
            look_up, lambda found: self._show_found(task, found, keep=keep, done=done),
            lambda exc: self._search_failed(task, exc), parent=self)
        return task

    def _show_found(self, task: BackgroundTask | None, found: list[MemberSummary], *, keep: MemberSummary | None,
                    done: str) -> None:
        if task is not self._search_task:
            return  # an older search's answer, or one for a volunteer who has gone
        self.search_button.setEnabled(True)
        self.members = found
        ids = [m.record_id for m in self.members]
        if keep is not None and keep.record_id not in ids:  # a corrected name may no longer match the search
            self.members.insert(0, self._corrections.members.member_by_pass(keep.pass_token) or keep)
            ids.insert(0, keep.record_id)
        self._fill_results()
        if done:
            self.results.setCurrentRow(ids.index(keep.record_id) if keep is not None else -1)
            self._show_current()
            self._say(done, ok=True)
        else:
            self.message.setText(self.tr("找到 %1 人").replace("%1", str(len(self.members))))
        self.searched.emit(len(found))

    def _search_failed(self, task: BackgroundTask, exc: Exception) -> None:
        if task is not self._search_task:
            return
        self.search_button.setEnabled(True)
        self._say(self.tr("查询失败：") + f"{type(exc).__name__}: {exc}", ok=False)
        self.searched.emit(-1)

    def _fill_results(self) -> None:
        row = self.results.currentRow()
        self.results.clear()
        registered = self.tr("登记于")
        for m in self.members:
            item = QListWidgetItem(f"{m.masked_name}    {m.masked_phone}    {registered} {local_time(m.registered_at)}")
            item.setSizeHint(QSize(0, ROW_HEIGHT_PX))
            self.results.addItem(item)
        if 0 <= row < len(self.members):
            self.results.setCurrentRow(row)

    def selected(self) -> MemberSummary | None:
        row = self.results.currentRow()
        return self.members[row] if 0 <= row < len(self.members) else None

    def _selection_changed(self, _row: int) -> None:
        for button in (self.void_button, self.correct_button):
            button.setEnabled(self.selected() is not None)
        self._show_current()

    def _show_current(self) -> None:
        """The selected member's fields as they stand (masked where personal), so a correction starts from them."""
        member = self.selected()
        self.current.setVisible(member is not None)
        if member is None:
            return
        p, values = self._presentation, self._corrections.current_values(member.record_id)
        shown = []
        for f in corrections.FIELDS:
            value = values[f.key]
            names = {v: p.pick(zh, en) for v, zh, en in self._corrections.choices(f.key)}
            shown.append(f"{p.pick(f.name, f.name_en)}{p.pick('：', ': ')}{names.get(value, value) or '—'}")
        self.current.setText("  ·  ".join(shown))

    # -- corrections --------------------------------------------------------------------

    def _field_changed(self, _index: int = -1) -> None:
        """A choice field (occupation, district) gets a list; a free-text one a line to type in."""
        key = self.field.currentData()
        if key is None:
            return
        options = self._corrections.choices(key)
        self.value.setCurrentWidget(self.value_choice if options else self.value_text)
        self.value_choice.clear()
        for value, zh, en in options:
            self.value_choice.addItem(self._presentation.pick(zh, en), value)
        self.value_text.clear()
        self.value_text.setPlaceholderText(self.tr("新的%1").replace(
            "%1", self._presentation.pick(corrections.field(key).name, corrections.field(key).name_en)))

    def choose_field(self, key: str) -> None:
        self.field.setCurrentIndex(self.field.findData(key))

    def new_value(self) -> str:
        return self.value_choice.currentData() if self.value.currentWidget() is self.value_choice else self.value_text.text()

    def void_selected(self) -> None:
        member = self.selected()
        if member is not None:
            self._apply(lambda: self._corrections.void(member.record_id, self.reason.text()), self.tr("已作废（原记录保留）"),
                        keep=None)

    def correct_selected(self) -> None:
        member = self.selected()
        if member is not None:
            key, value = self.field.currentData(), self.new_value()
            self._apply(lambda: self._corrections.correct(member.record_id, key, value, reason=self.reason.text()),
                        self.tr("已更正（原记录保留）"), keep=member)

    def _apply(self, action, done: str, *, keep: MemberSummary | None) -> None:  # type: ignore[no-untyped-def]
        """Run a void or a correction; afterwards the list is searched again, and a corrected member stays in it
        and selected (a corrected name may no longer match the search)."""
        try:
            action()
        except BoothError as exc:
            self._say(self._presentation.pick(exc.zh, exc.en), ok=False)
            return
        self.reason.clear()
        self.value_text.clear()
        self._say(done, ok=True)  # at once; the list refills from the search below
        self.search(keep=keep, done=done)

    def _say(self, text: str, *, ok: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("ok", "true" if ok else "false")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def wipe(self) -> None:
        self._search_task = None  # an answer still on its way is for a volunteer who has gone
        self.search_button.setEnabled(True)
        self.query.clear()
        self.reason.clear()
        self.value_text.clear()
        self.results.clear()
        self.members = []
        self.message.clear()
        self._selection_changed(-1)

    def screenshot_states(self):  # type: ignore[no-untyped-def]
        def found() -> None:  # searched here, not in the background: the picture is taken right after
            self.query.setText(self._corrections.sample_query() or "王*明")
            self._search_task = None
            self._show_found(None, self._corrections.members.search_members(self.query.text()), keep=None, done="")
            if self.members:
                self.results.setCurrentRow(0)
        return [("", lambda: None), ("found", found)]
