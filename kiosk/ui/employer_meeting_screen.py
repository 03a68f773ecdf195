"""The employer meeting form (企业沟通会) on the console: the enterprise and its contact, then what was heard and agreed."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (QButtonGroup, QGridLayout, QHBoxLayout, QLabel, QLayout, QLineEdit, QPushButton,
                               QSizePolicy, QVBoxLayout, QWidget)

from kiosk.errors import InvalidInput
from kiosk.employers import SIZE_BANDS, EmployerMeetings, MeetingForm, Outcome
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import (CurrentPageStack, ScreenBase, TileFlowLayout, WholeRowsScrollArea, arrange_in_rows,
                              back_button, big_button, screen_title)

TEXT_FIELDS = ("enterprise_name", "uscc", "industry", "workers", "new_form_workers", "contact_name", "contact_phone")
FOLLOW_UP_DAYS = (None, 7, 14, 30)
# Which page holds a field, so a refusal shows the page with the field at fault (the rest are on the first).
FIELD_PAGES = {"contact_name": 1, "contact_phone": 1, "needs": 1, "needs_other": 1, "package": 2, "outcome": 2,
               "follow_up": 2}


class EmployerMeetingScreen(ScreenBase):
    back_requested = Signal()
    saved = Signal(object)  # EmployerMeeting

    def __init__(self, employers: EmployerMeetings, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._employers, self._presentation = employers, presentation
        self.title = screen_title(wrap=True)
        self.fields = {name: QLineEdit() for name in TEXT_FIELDS}
        for name in ("workers", "new_form_workers"):
            self.fields[name].setValidator(QIntValidator(0, 1_000_000, self))
            self.fields[name].setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.fields["contact_phone"].setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly
                                                         | Qt.InputMethodHint.ImhSensitiveData)
        self.fields["contact_name"].setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData
                                                        | Qt.InputMethodHint.ImhNoPredictiveText)
        self.fields["uscc"].setInputMethodHints(Qt.InputMethodHint.ImhPreferUppercase
                                                | Qt.InputMethodHint.ImhNoPredictiveText)
        self.fields["uscc"].setMaxLength(24)
        self.needs_other = QLineEdit()
        self.size_buttons = self._choices(list(SIZE_BANDS))
        self.union_button = tile_button()
        self.union_button.setCheckable(True)
        config = employers.config
        self.need_buttons = self._tiles([n.id for n in config.employer_needs])
        self.package_buttons = self._tiles([p.id for p in config.employer_package])
        self.outcome_buttons = self._choices([o.value for o in Outcome])
        self.follow_buttons = self._choices([str(d) for d in FOLLOW_UP_DAYS])
        self.labels: dict[str, QLabel] = {}
        self.message = QLabel(objectName="error", wordWrap=True)
        self.back_button = back_button()
        self.next_button, self.previous_button = big_button("primary"), big_button("small")
        self.save_button = big_button("primary")
        self.back_button.clicked.connect(self.back_requested)
        self.next_button.clicked.connect(lambda: self.go_to(self.pages.currentIndex() + 1))
        self.previous_button.clicked.connect(lambda: self.go_to(self.pages.currentIndex() - 1))
        self.save_button.clicked.connect(self.save)
        self.pages = CurrentPageStack()
        self._field_grids: list[tuple[QGridLayout, list[QWidget]]] = []
        for parts in ([("", ["enterprise_name", "uscc", "industry", "union_exists", "workers", "new_form_workers"]),
                       ("size_band", self.size_buttons)],
                      [("", ["contact_name", "contact_phone"]), ("needs", self.need_buttons)],
                      [("package", self.package_buttons), ("outcome", self.outcome_buttons),
                       ("follow_up", self.follow_buttons)]):
            self.pages.addWidget(self._scrolled(self._page(parts)))
        self._build_layout()
        for field in (*self.fields.values(), self.needs_other):
            field.installEventFilter(self)
        self._arrange()
        presentation.changed.connect(self._arrange)
        self.wipe()
        self.retranslate()

    # -- building ---------------------------------------------------------------------------

    def _choices(self, keys: list[str]) -> dict[str, QPushButton]:
        group = QButtonGroup(self)
        buttons = self._tiles(keys)
        for button in buttons.values():
            group.addButton(button)
        return buttons

    def _tiles(self, keys: list[str]) -> dict[str, QPushButton]:
        buttons = {key: tile_button() for key in keys}
        for button in buttons.values():
            button.setCheckable(True)
        return buttons

    def _label(self, name: str) -> QLabel:
        self.labels[name] = QLabel(objectName="hint", wordWrap=True)
        return self.labels[name]

    def _cell(self, name: str, widget: QWidget) -> QWidget:
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._label(name))
        column.addWidget(widget)
        return cell

    def _page(self, parts: list[tuple[str, object]]) -> QWidget:
        """A page of fields (a list of names, laid out two a row) and tile rows (a dict of buttons)."""
        page = QWidget()
        column = QVBoxLayout(page)
        # Little above the first row: with the on-screen keyboard open at 1280x800 in large text, a label and its
        # field need all of the page's height but a few pixels.
        column.setContentsMargins(9, 2, 9, 9)
        for name, part in parts:
            if isinstance(part, list):
                grid = QGridLayout()
                grid.setHorizontalSpacing(24)
                self._field_grids.append((grid, [self._cell(n, self._field_widget(n)) for n in part]))
                column.addLayout(grid)
            else:
                column.addWidget(self._label(name))
                column.addLayout(self._button_grid(part))  # type: ignore[arg-type]
                if name == "needs":
                    column.addWidget(self.needs_other)
        column.addStretch(1)
        return page

    def _field_widget(self, name: str) -> QWidget:
        return self.union_button if name == "union_exists" else self.fields[name]

    def _button_grid(self, buttons: dict[str, QPushButton]) -> TileFlowLayout:
        """Tiles as many a row as the width takes: three (a short choice all in one row) on a wide window, fewer
        as the width or the text size asks, so none is cut at the side of the page."""
        short = buttons is not self.need_buttons and buttons is not self.package_buttons
        flow = TileFlowLayout(max_columns=len(buttons) if short else 3)
        for button in buttons.values():
            flow.addWidget(button)
        return flow

    def _scrolled(self, page: QWidget) -> WholeRowsScrollArea:
        return WholeRowsScrollArea(page)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        self.step_label = QLabel(objectName="hint", alignment=Qt.AlignmentFlag.AlignRight)
        nav = QHBoxLayout()
        nav.addWidget(self.previous_button)
        nav.addWidget(self.next_button)
        nav.addWidget(self.save_button)
        root = QVBoxLayout(self)
        root.setContentsMargins(32, 16, 32, 16)
        root.addLayout(top)
        root.addWidget(self.step_label)
        root.addWidget(self.pages, 1)
        root.addWidget(self.message)
        root.addLayout(nav)

    def _arrange(self) -> None:
        """Two fields a row, one on a narrow window in large text (the tiles follow the width by themselves)."""
        narrow, large = self._presentation.narrow, self._presentation.large_text
        for grid, cells in self._field_grids:
            arrange_in_rows(grid, cells, 1 if narrow and large else 2, stretch=1)
        for index in range(self.pages.count()):  # every step, not only the one showing: each may be shown next
            relayout(self.pages.widget(index))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # While a field is typed in, the step line makes way for the on-screen keyboard: at 1280x800 in large text
        # the page above it had 82-130 px, less than a label and its field.
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut) and watched in (*self.fields.values(),
                                                                                       self.needs_other):
            self.step_label.setVisible(event.type() == QEvent.Type.FocusOut)
        return False

    # -- texts ------------------------------------------------------------------------------

    def retranslate(self) -> None:
        p, config = self._presentation, self._employers.config
        self.title.setText(self.tr("企业沟通会记录"))
        texts = {"enterprise_name": self.tr("企业名称"), "uscc": self.tr("统一社会信用代码（18位）"),
                 "industry": self.tr("所属行业"), "workers": self.tr("职工人数"),
                 "new_form_workers": self.tr("其中新就业形态劳动者（骑手、快递员等）"),
                 "contact_name": self.tr("联系人姓名"), "contact_phone": self.tr("联系人手机号"),
                 "union_exists": self.tr("是否已建工会"), "size_band": self.tr("企业规模（职工人数）"),
                 "needs": self.tr("了解到的需求（可多选）"), "package": self.tr("商定的服务包项目（可多选）"),
                 "outcome": self.tr("沟通结果"), "follow_up": self.tr("回访")}
        for name, text in texts.items():
            self.labels[name].setText(text)
            if name in self.fields:
                self.fields[name].setAccessibleName(text)
        self.needs_other.setPlaceholderText(self.tr("其他需求（选填）"))
        self.needs_other.setAccessibleName(self.tr("其他需求（选填）"))
        for key, button in self.size_buttons.items():
            button.setText(p.pick(*SIZE_BANDS[key]))
        self.union_button.setText(self.tr("已建工会") if self.union_button.isChecked() else self.tr("尚未建会"))
        for tiles, named in ((self.need_buttons, config.employer_needs), (self.package_buttons, config.employer_package)):
            for item in named:
                tiles[item.id].setText(p.pick(item.name, item.name_en))
        for outcome in Outcome:
            self.outcome_buttons[outcome.value].setText(p.pick(outcome.zh, outcome.en))
        for days, button in zip(FOLLOW_UP_DAYS, self.follow_buttons.values(), strict=True):
            button.setText(self.tr("不安排") if days is None else self._follow_text(days))
        self.back_button.setText(self.tr("返回"))
        self.next_button.setText(self.tr("下一步"))
        self.previous_button.setText(self.tr("上一步"))
        self.save_button.setText(self.tr("保存记录"))
        self.step_label.setText(self.tr("第 %1 / %2 步").replace("%1", str(self.pages.currentIndex() + 1))
                                .replace("%2", str(self.pages.count())))

    def _follow_text(self, days: int) -> str:
        day = self._today() + dt.timedelta(days=days)
        return self.tr("%1 天后（%2）").replace("%1", str(days)).replace("%2", day.strftime("%m-%d"))

    def _today(self) -> dt.date:
        return self._employers.today

    # -- state ------------------------------------------------------------------------------

    def go_to(self, page: int) -> None:
        last = self.pages.count() - 1
        self.pages.setCurrentIndex(page)
        self.previous_button.setVisible(page > 0)
        self.save_button.setVisible(page == last)
        self.next_button.setVisible(page < last)
        self.retranslate()
        relayout(self.pages.currentWidget())

    def on_shown(self) -> None:
        relayout(self)
        relayout(self.pages.currentWidget())

    def wipe(self) -> None:
        for field in (*self.fields.values(), self.needs_other):
            field.clear()
            if field.hasFocus():
                field.clearFocus()  # the step line comes back; the keyboard closes
        for buttons in (self.size_buttons, self.outcome_buttons, self.follow_buttons):
            for button in buttons.values():
                group = button.group()
                group.setExclusive(False)
                button.setChecked(False)
                group.setExclusive(True)
        for button in (*self.need_buttons.values(), *self.package_buttons.values(), self.union_button):
            button.setChecked(False)
        self.follow_buttons[str(FOLLOW_UP_DAYS[2])].setChecked(True)
        self.message.clear()
        self.go_to(0)

    def current_form(self) -> MeetingForm:
        values = {name: self.fields[name].text() for name in TEXT_FIELDS}
        follow = next((d for d, b in zip(FOLLOW_UP_DAYS, self.follow_buttons.values(), strict=True) if b.isChecked()),
                      None)
        return MeetingForm(
            **values, size_band=_checked(self.size_buttons), union_exists=self.union_button.isChecked(),
            needs=[k for k, b in self.need_buttons.items() if b.isChecked()], needs_other=self.needs_other.text(),
            package=[k for k, b in self.package_buttons.items() if b.isChecked()],
            outcome=_checked(self.outcome_buttons),
            follow_up="" if follow is None else (self._today() + dt.timedelta(days=follow)).isoformat())

    def save(self) -> None:
        try:
            meeting = self._employers.record_meeting(self.current_form())
        except InvalidInput as exc:
            self.show_errors(exc)
            return
        self.wipe()
        self.saved.emit(meeting)

    def show_errors(self, exc: InvalidInput) -> None:
        """Each refusal under its field's name; the page of the first one comes to the front."""
        names = {"name": "contact_name", "phone": "contact_phone"}
        lines = []
        for error in exc.errors:
            label = self.labels.get(names.get(error.field, error.field))
            text = self._presentation.pick(error.zh, error.en)
            lines.append(f"{label.text()}：{text}" if label else text)
        first = names.get(exc.errors[0].field, exc.errors[0].field)
        self.go_to(FIELD_PAGES.get(first, 0))
        self.message.setText("\n".join(lines[:4]) + ("\n…" if len(lines) > 4 else ""))

    def screenshot_states(self):  # type: ignore[no-untyped-def]
        def refused() -> None:
            self.fields["enterprise_name"].setText("北京鑫达物流有限公司")
            self.fields["uscc"].setText("91110000600O37341L")
            self.fields["workers"].setText("180")
            self.save()

        def second_page() -> None:
            self.fields["enterprise_name"].setText("北京鑫达物流有限公司")
            self.need_buttons[next(iter(self.need_buttons))].setChecked(True)
            self.outcome_buttons[Outcome.AGREED_TO_FOUND.value].setChecked(True)
            self.package_buttons[next(iter(self.package_buttons))].setChecked(True)
            self.go_to(2)

        def contact_page() -> None:
            self.need_buttons[next(iter(self.need_buttons))].setChecked(True)
            self.go_to(1)

        def typing(page: int, field: QLineEdit) -> None:  # the on-screen keyboard open under the form
            self.go_to(page)
            field.setFocus()

        return [("", lambda: None), ("refused", refused), ("contact", contact_page), ("outcome", second_page),
                ("typing", lambda: typing(0, self.fields["new_form_workers"])),
                ("contact-typing", lambda: typing(1, self.needs_other))]


def relayout(widget: QWidget) -> None:
    """Lay ``widget`` out again from its children's present size hints. Large text or a language set while it
    was hidden (or on a page not shown) left the tiles at their earlier heights, drawn over one another."""
    if isinstance(widget, WholeRowsScrollArea):
        relayout(widget.page)
        widget.refit()
        return
    for child in widget.findChildren(QWidget):
        child.ensurePolished()  # the stylesheet's min-height of a tile is known only once polished
        child.updateGeometry()
    for layout in [widget.layout(), *widget.findChildren(QLayout)]:
        if layout is not None:
            layout.invalidate()
    if widget.layout() is not None:
        widget.layout().activate()


def tile_button() -> QPushButton:
    """A choice tile that keeps its height: squeezed, tiles were drawn over one another in large text; at full
    height the page scrolls instead."""
    button = big_button("choice")
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return button


def _checked(buttons: dict[str, QPushButton]) -> str:
    return next((key for key, button in buttons.items() if button.isChecked()), "")
