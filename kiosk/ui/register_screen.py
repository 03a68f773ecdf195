"""The registration form: name, phone, ID and work pages, live validation, numbers that advance by themselves."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from booth_common.validation import ValidationError
from kiosk.membership import Membership, RegistrationForm
from kiosk.ui.form_pages import DetailsPage, DigitsPage, FormPage, NamePage
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import CurrentPageStack, ScreenBase, WrappingButton, big_button

# Errors that only mean "not finished yet": shown once the worker tries to go on, not while typing.
INCOMPLETE_CODES = {"required", "length", "too_short"}
# A made-up residence permit number born 1899-12-31 (check character right): its refusal is the longest there is.
SAMPLE_REFUSED_ID = "810000189912311235"
# A made-up valid residence permit number (the longest document name to show as recognised).
SAMPLE_PERMIT_ID = "830000199003071230"
# Which page holds each field (the review page's edit links and 您已登记's 返回修改 lead there).
PAGE_OF_FIELD = {"name": 0, "phone": 1, "id_number": 2, "occupation": 3, "employer": 3, "district": 3, "street": 3}


class RegisterScreen(ScreenBase):
    submitted = Signal(object)  # RegistrationForm, every field valid
    back_requested = Signal()   # 上一步 on the first page: back to the notice
    cancelled = Signal()        # 取消入会, after asking when something was entered

    def __init__(self, members: Membership, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._members = members
        self._presentation = presentation
        self._errors: dict[str, ValidationError] = {}
        self._attempted: set[int] = set()
        self._editing = False  # came from the review page: 下一步 goes straight back there
        config = members.config
        self.phone_page = DigitsPage(presentation, field_name="phone", length=11, with_x=False, groups=(3, 4, 4))
        self.id_page = DigitsPage(presentation, field_name="id_number", length=18, with_x=True, groups=(6, 8, 4))
        self.details_page = DetailsPage(config, presentation)
        self.pages: list[FormPage] = [NamePage(presentation), self.phone_page, self.id_page, self.details_page]
        self._default_place = self.details_page.place.values()
        self.stack = CurrentPageStack()
        self.steps: list[QPushButton] = []
        for i, page in enumerate(self.pages):
            self.stack.addWidget(page)
            page.changed.connect(self._refresh)
            step = big_button("step")
            step.setCheckable(True)
            step.clicked.connect(lambda _=False, i=i: self.go_to(i))
            self.steps.append(step)
        for page in (self.phone_page, self.id_page):
            # Connected after the field's own typing: the number is complete when this runs.
            page.keypad.pressed.connect(lambda _key, page=page: self._number_typed(page))
        self.cancel_button = big_button("small")
        self.back_button = big_button("small")
        self.next_button = WrappingButton("primary")
        self.cancel_button.clicked.connect(self._ask_to_leave)
        self.back_button.clicked.connect(self._back)
        self.next_button.clicked.connect(self._next)
        self.leave_question = QLabel(objectName="fieldError", wordWrap=True)
        self.stay_button = big_button("small")
        self.leave_button = big_button("danger")
        self.stay_button.clicked.connect(self._stay)
        self.leave_button.clicked.connect(self._leave)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # takes focus off text fields so the keyboard hides
        self._build_layout()
        self.retranslate()

    def _build_layout(self) -> None:
        step_row = QHBoxLayout()
        step_row.setSpacing(6)
        for step in self.steps:
            step_row.addWidget(step, 2)
        step_row.addSpacing(12)
        step_row.addWidget(self.cancel_button, 1)  # its own place, never where 上一步 stands
        self.nav = QWidget()
        nav = QHBoxLayout(self.nav)
        nav.setContentsMargins(0, 0, 0, 0)
        nav.setSpacing(24)
        nav.addWidget(self.back_button, 1)
        nav.addWidget(self.next_button, 3)
        self.leave_bar = QWidget()
        bar = QHBoxLayout(self.leave_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(16)
        bar.addWidget(self.leave_question, 2)
        bar.addWidget(self.stay_button, 1)
        bar.addWidget(self.leave_button, 1)
        self.leave_bar.hide()
        root = QVBoxLayout(self)
        root.setContentsMargins(32, 8, 32, 12)
        root.setSpacing(8)
        root.addLayout(step_row)
        root.addWidget(self.stack, 1)
        root.addWidget(self.nav)
        root.addWidget(self.leave_bar)

    # -- state --------------------------------------------------------------------------

    @property
    def page_index(self) -> int:
        return self.stack.currentIndex()

    def form(self) -> RegistrationForm:
        values: dict[str, str] = {}
        for page in self.pages:
            values.update(page.values())
        return RegistrationForm(**values)

    def has_entries(self) -> bool:
        """Has the worker typed or picked anything (the booth's defaults do not count)?"""
        form = self.form()
        return bool(form.name or form.phone or form.id_number or form.occupation or form.employer) or \
            self.details_page.place.values() != self._default_place

    def review_entries(self) -> list[tuple[str, str, str]]:
        """(field, its name, the entry as shown) for the review page: numbers grouped as written."""
        form, details = self.form(), self.details_page
        occupation = details.occupation.chosen()
        occupations = self._members.config.registration.occupations
        return [
            ("name", self._field_name("name"), form.name),
            ("phone", self._field_name("phone"), self.phone_page.digits.displayText()),
            ("id_number", self._field_name("id_number"), self.id_page.digits.displayText()),
            ("occupation", self._field_name("occupation"), self._presentation.pick(
                occupations[occupation].name, occupations[occupation].name_en) if occupation >= 0 else ""),
            ("employer", self._field_name("employer"), form.employer or self.tr("（未填）")),
            ("district", self._field_name("district"), f"{form.district} {form.street}".strip()),
        ]

    def missing_fields(self) -> list[str]:
        """Fields still invalid, in page order."""
        return [f for page in self.pages for f in page.fields if f in self._errors]

    def _page_errors(self, index: int) -> list[ValidationError]:
        return [self._errors[f] for f in self.pages[index].fields if f in self._errors]

    def _refresh(self) -> None:
        _clean, errors = self._members.check_registration(self.form())
        self._errors = {}
        for error in errors:
            # Kept for display only: without its traceback, which would keep every calling frame
            # (the window's builder included) alive after the window is deleted.
            self._errors.setdefault(error.field, error.with_traceback(None))
        id_number = self.id_page.values()["id_number"]
        self.id_page.show_document(None if "id_number" in self._errors else self._members.id_document(id_number))
        for i, page in enumerate(self.pages):
            shown = {e.field: self._presentation.pick(e.zh, e.en) for e in self._page_errors(i)
                     if i in self._attempted or e.code not in INCOMPLETE_CODES}
            page.show_errors(shown)
            state = "done" if not self._page_errors(i) else "error" if shown else "todo"
            self._label_step(i, state)
        self._label_next()

    # -- navigation ---------------------------------------------------------------------

    def go_to(self, index: int) -> None:
        if index != self.page_index:  # leaving a page shows what it lacks; tapping its own step does not
            self._attempted.add(self.page_index)
        self.stack.setCurrentIndex(index)
        self._refresh()
        page = self.pages[index]
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        page.focus_first()

    def edit(self, field: str) -> None:
        """From the review page or 您已登记: the page of ``field``; 下一步 then returns to the review."""
        self._editing = True
        self.go_to(PAGE_OF_FIELD[field])

    def _number_typed(self, page: DigitsPage) -> None:
        """A complete, valid number moves on by itself (one tap saved per number)."""
        field = page.fields[0]
        if self.pages[self.page_index] is page and len(page.values()[field]) == page.length \
                and field not in self._errors:
            self._next()

    def _back(self) -> None:
        if self.page_index == 0:
            self.back_requested.emit()
        else:
            self.go_to(self.page_index - 1)

    def _next(self) -> None:
        index = self.page_index
        if self._page_errors(index) and (self._editing or index < len(self.pages) - 1):
            self._attempted.add(index)  # stay, and say exactly what is wrong
            self._refresh()
        elif self._editing or index == len(self.pages) - 1:
            self._submit()  # the last page: on to the review, or to the first thing still missing
        else:
            self.go_to(index + 1)

    def _submit(self) -> None:
        self._refresh()
        if not self._errors:
            self._editing = False
            self._label_next()
            self.submitted.emit(self.form())
            return
        self._attempted.update(range(len(self.pages)))
        first = next(i for i in range(len(self.pages)) if self._page_errors(i))
        self.go_to(first)

    def _ask_to_leave(self) -> None:
        if not self.has_entries():
            self.cancelled.emit()
            return
        self.nav.hide()
        self.leave_bar.show()

    def _stay(self) -> None:
        self.leave_bar.hide()
        self.nav.show()

    def _leave(self) -> None:
        self._stay()
        self.cancelled.emit()

    def show_refusal(self, text: str) -> None:
        """A refusal from the booth service that live validation could not foresee."""
        self.pages[self.page_index].show_error(text)

    # -- ScreenBase ---------------------------------------------------------------------

    def on_shown(self) -> None:
        self.pages[self.page_index].focus_first()

    def wipe(self) -> None:
        for page in self.pages:
            page.wipe()
        self._default_place = self.details_page.place.values()
        self._attempted.clear()
        self._editing = False
        self._stay()
        self.stack.setCurrentIndex(0)
        self._refresh()

    def screenshot_states(self) -> list[tuple[str, object]]:
        """Every page, plus a refused 下一步 (the error shown) for ``kiosk screenshots``."""
        states: list[tuple[str, object]] = [
            (f"{i + 1}-{page.fields[0]}", lambda i=i: self.go_to(i)) for i, page in enumerate(self.pages)]
        return [*states, ("1-name-error", self._next), ("3-id_number-error", self._show_longest_id_refusal),
                ("3-id_number-recognised", self._show_recognised_permit), ("1-name-leave", self._show_leave)]

    def _show_leave(self) -> None:
        self.go_to(1)
        self.phone_page.digits.setText("1381234")
        self._ask_to_leave()

    def _show_recognised_permit(self) -> None:
        self.go_to(2)
        self.id_page.digits.setText(SAMPLE_PERMIT_ID)

    def _show_longest_id_refusal(self) -> None:
        """The ID page with the longest refusal there is (a residence permit's impossible birth date)."""
        self.go_to(2)
        self.id_page.digits.setText(SAMPLE_REFUSED_ID)
        self._next()

    def _label_step(self, i: int, state: str) -> None:
        """Number and name, with a mark that says what the colour says (✓ done, ! to fix)."""
        step, name = self.steps[i], self._step_name(i)
        mark = {"done": " ✓", "error": " !"}.get(state, "")
        step.setText(f"{i + 1} {name}{mark}")
        step.setProperty("state", state)
        step.setChecked(i == self.page_index)
        status = {"done": self.tr("已完成"), "error": self.tr("需要修改"), "todo": self.tr("未完成")}[state]
        step.setAccessibleName(self.tr("第%1步 %2").replace("%1", str(i + 1)).replace("%2", name))
        step.setAccessibleDescription(status)
        step.style().polish(step)

    def _step_name(self, i: int) -> str:
        return [self.tr("姓名"), self.tr("手机号"), self.tr("证件号"), self.tr("工作信息")][i]

    def _label_next(self) -> None:
        if self._editing and not self._page_errors(self.page_index):
            self.next_button.setText(self.tr("改好了，返回核对"))
        elif self.page_index < len(self.pages) - 1 or not self._errors:
            self.next_button.setText(self.tr("下一步"))
        else:
            names = (", " if self._presentation.english else "、").join(map(self._field_name, self.missing_fields()))
            self.next_button.setText(self.tr("尚未完成：%1").replace("%1", names))
        self.back_button.setText(self.tr("上一步"))
        self.back_button.setAccessibleName(self.tr("上一步") if self.page_index else self.tr("上一步：返回入会须知"))

    def _field_name(self, field: str) -> str:
        names = {"name": self.tr("姓名"), "phone": self.tr("手机号"), "id_number": self.tr("身份证号"),
                 "occupation": self.tr("职业"), "employer": self.tr("工作单位"), "district": self.tr("所在区"),
                 "street": self.tr("街道")}
        return names[field]

    def field_name(self, field: str) -> str:
        return self._field_name(field)

    def retranslate(self) -> None:
        for page in self.pages:
            page.retranslate()
        self.cancel_button.setText(self.tr("取消入会"))
        self.leave_question.setText(self.tr("已填写的内容将被清除，确定离开吗？"))
        self.stay_button.setText(self.tr("继续填写"))
        self.leave_button.setText(self.tr("清除并离开"))
        self._refresh()
