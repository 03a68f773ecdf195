"""The registration form: one page per group of fields, live validation, a submit button that says what is missing."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from booth_common.validation import ValidationError
from kiosk.booth import BoothService, RegistrationForm
from kiosk.ui.form_pages import DigitsPage, EmployerPage, FormPage, NamePage, OccupationPage, PlacePage
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import CurrentPageStack, ScreenBase, WrappingButton, big_button

# Errors that only mean "not finished yet": shown once the worker tries to go on, not while typing.
INCOMPLETE_CODES = {"required", "length", "too_short"}
# A made-up residence permit number born 1899-12-31 (check character right): its refusal is the longest there is.
SAMPLE_REFUSED_ID = "810000189912311235"
# A made-up valid residence permit number (the longest document name to show as recognised).
SAMPLE_PERMIT_ID = "830000199003071230"


class RegisterScreen(ScreenBase):
    submitted = Signal(object)  # RegistrationForm, every field valid
    cancelled = Signal()

    def __init__(self, booth: BoothService, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._booth = booth
        self._presentation = presentation
        self._errors: dict[str, ValidationError] = {}
        self._attempted: set[int] = set()
        config = booth.config
        self.id_page = DigitsPage(presentation, field_name="id_number", length=18, with_x=True)
        self.pages: list[FormPage] = [
            NamePage(presentation), DigitsPage(presentation, field_name="phone", length=11, with_x=False),
            self.id_page,
            OccupationPage(config, presentation), EmployerPage(config, presentation), PlacePage(config, presentation)]
        self.stack = CurrentPageStack()
        self.steps: list[QPushButton] = []
        for i, page in enumerate(self.pages):
            self.stack.addWidget(page)
            page.changed.connect(self._refresh)
            step = big_button("step")
            step.setCheckable(True)
            step.clicked.connect(lambda _=False, i=i: self.go_to(i))
            self.steps.append(step)
        self.back_button = big_button("small")
        self.next_button = WrappingButton("primary")
        self.back_button.clicked.connect(self._back)
        self.next_button.clicked.connect(self._next)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # takes focus off text fields so the keyboard hides
        self._build_layout()
        self.retranslate()

    def _build_layout(self) -> None:
        step_row = QHBoxLayout()
        step_row.setSpacing(6)
        for step in self.steps:
            step_row.addWidget(step)
        nav = QHBoxLayout()
        nav.setSpacing(24)
        nav.addWidget(self.back_button, 1)
        nav.addWidget(self.next_button, 3)
        root = QVBoxLayout(self)
        root.setContentsMargins(32, 8, 32, 12)
        root.setSpacing(8)
        root.addLayout(step_row)
        root.addWidget(self.stack, 1)
        root.addLayout(nav)

    # -- state --------------------------------------------------------------------------

    @property
    def page_index(self) -> int:
        return self.stack.currentIndex()

    def form(self) -> RegistrationForm:
        values: dict[str, str] = {}
        for page in self.pages:
            values.update(page.values())
        return RegistrationForm(**values)

    def missing_fields(self) -> list[str]:
        """Fields still invalid, in page order."""
        return [f for page in self.pages for f in page.fields if f in self._errors]

    def _page_errors(self, index: int) -> list[ValidationError]:
        return [self._errors[f] for f in self.pages[index].fields if f in self._errors]

    def _refresh(self) -> None:
        _clean, errors = self._booth.check_registration(self.form())
        self._errors = {}
        for error in errors:
            # Kept for display only: without its traceback, which would keep every calling frame
            # (the window's builder included) alive after the window is deleted.
            self._errors.setdefault(error.field, error.with_traceback(None))
        id_number = self.id_page.values()["id_number"]
        self.id_page.show_document(None if "id_number" in self._errors else self._booth.id_document(id_number))
        for i, page in enumerate(self.pages):
            shown = [e for e in self._page_errors(i) if i in self._attempted or e.code not in INCOMPLETE_CODES]
            page.show_error(self._presentation.pick(shown[0].zh, shown[0].en) if shown else "")
            self.steps[i].setProperty("state", "done" if not self._page_errors(i) else
                                      "error" if shown else "todo")
            self.steps[i].setChecked(i == self.page_index)
            self.steps[i].style().polish(self.steps[i])
        self._label_next()

    # -- navigation ---------------------------------------------------------------------

    def go_to(self, index: int) -> None:
        self._attempted.add(self.page_index)
        self.stack.setCurrentIndex(index)
        self._refresh()
        page = self.pages[index]
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        page.focus_first()

    def _back(self) -> None:
        if self.page_index == 0:
            self.cancelled.emit()
        else:
            self.go_to(self.page_index - 1)

    def _next(self) -> None:
        index = self.page_index
        if index < len(self.pages) - 1:
            if self._page_errors(index):
                self._attempted.add(index)  # stay, and say exactly what is wrong
                self._refresh()
            else:
                self.go_to(index + 1)
            return
        self._submit()

    def _submit(self) -> None:
        self._refresh()
        if not self._errors:
            self.submitted.emit(self.form())
            return
        self._attempted.update(range(len(self.pages)))
        first = next(i for i in range(len(self.pages)) if self._page_errors(i))
        self.go_to(first)

    def show_refusal(self, text: str) -> None:
        """A refusal from the booth service that live validation could not foresee."""
        self.pages[self.page_index].show_error(text)

    # -- ScreenBase ---------------------------------------------------------------------

    def on_shown(self) -> None:
        self.pages[self.page_index].focus_first()

    def wipe(self) -> None:
        for page in self.pages:
            page.wipe()
        self._attempted.clear()
        self.stack.setCurrentIndex(0)
        self._refresh()

    def screenshot_states(self) -> list[tuple[str, object]]:
        """Every page, plus a refused 下一步 (the error shown) for ``kiosk screenshots``."""
        states: list[tuple[str, object]] = [
            (f"{i + 1}-{page.fields[0]}", lambda i=i: self.go_to(i)) for i, page in enumerate(self.pages)]
        return [*states, ("1-name-error", self._next), ("3-id_number-error", self._show_longest_id_refusal),
                ("3-id_number-recognised", self._show_recognised_permit)]

    def _show_recognised_permit(self) -> None:
        self.go_to(2)
        self.id_page.digits.setText(SAMPLE_PERMIT_ID)

    def _show_longest_id_refusal(self) -> None:
        """The ID page with the longest refusal there is (a residence permit's impossible birth date)."""
        self.go_to(2)
        self.id_page.digits.setText(SAMPLE_REFUSED_ID)
        self._next()

    def _label_next(self) -> None:
        if self.page_index < len(self.pages) - 1:
            self.next_button.setText(self.tr("下一步"))
        elif not self._errors:
            self.next_button.setText(self.tr("提交登记"))
        else:
            names = (", " if self._presentation.english else "、").join(map(self._field_name, self.missing_fields()))
            self.next_button.setText(self.tr("尚未完成：%1").replace("%1", names))
        self.back_button.setText(self.tr("取消") if self.page_index == 0 else self.tr("上一步"))

    def _field_name(self, field: str) -> str:
        names = {"name": self.tr("姓名"), "phone": self.tr("手机号"), "id_number": self.tr("身份证号"),
                 "occupation": self.tr("职业"), "employer": self.tr("工作单位"), "district": self.tr("所在区"),
                 "street": self.tr("街道")}
        return names[field]

    def retranslate(self) -> None:
        for page in self.pages:
            page.retranslate()
        for i, step in enumerate(self.steps):
            # Numbers only: six named chips do not fit a portrait screen in large text; the page names itself.
            step.setText(str(i + 1))
        self._refresh()
