"""The pages of the registration form: name, phone, ID, and one page for work (occupation, employer, place).

A page only collects values and shows the errors it is given; the register screen validates.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (QBoxLayout, QButtonGroup, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QSizePolicy, QVBoxLayout, QWidget)

from kiosk.config import Config
from booth_common.validation import DocumentKind
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import DigitsField, NumericKeypad, WholeRowsScrollArea, arrange_in_rows, big_button

MIDDLE_DOT = "\u00b7"


class FormPage(QWidget):
    """One page: a question, its inputs, a hint and the current error (if any)."""

    changed = Signal()
    fields: tuple[str, ...] = ()

    def __init__(self, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._presentation = presentation
        self.question = QLabel(objectName="question", wordWrap=True)
        self.hint = QLabel(objectName="fieldHint", wordWrap=True)
        self.error = QLabel(objectName="fieldError", wordWrap=True)
        self._hint_yielded = False  # the hint hidden while an error shows
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(10)
        self.body.addWidget(self.question)

    def finish_layout(self) -> None:
        self.body.addWidget(self.hint)
        self.body.addWidget(self.error)
        self.body.addStretch(1)
        self.error.hide()

    def values(self) -> dict[str, str]:
        raise NotImplementedError

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        for field in self.findChildren(QLineEdit):   # red border and pink: the one look of "wrong", never of focus
            if field.property("invalid") != bool(text):
                field.setProperty("invalid", bool(text))
                field.style().polish(field)
        self.error.setVisible(bool(text))  # an empty line would cost a large-text page its fit
        # With the on-screen keyboard open, 1280x800 has no room for both lines (seen on a real display: the
        # keyboard's last row pushed off the screen): the error, which says what to do, takes the hint's place.
        if text and not self.hint.isHidden():
            self.hint.hide()
            self._hint_yielded = True
        elif not text and self._hint_yielded:
            self.hint.show()
            self._hint_yielded = False

    def show_errors(self, messages: dict[str, str]) -> None:
        """The errors to show now, by field (a page of one field shows its first)."""
        self.show_error(next(iter(messages.values()), ""))

    def focus_first(self) -> None:
        """Put the cursor where typing starts (text pages); keypad and tile pages need no focus."""

    def wipe(self) -> None:
        self.error.clear()

    def retranslate(self) -> None:
        raise NotImplementedError


def _text_field(*, max_length: int) -> QLineEdit:
    field = QLineEdit()
    field.setMaxLength(max_length)
    # Personal free text (employer, street): no input method may learn it.
    field.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText)
    field.setAttribute(Qt.WidgetAttribute.WA_MacShowFocusRect, False)
    return field


def _tile(text: str = "") -> QPushButton:
    tile = big_button("tile")
    tile.setCheckable(True)
    tile.setText(text)
    return tile


class NamePage(FormPage):
    fields = ("name",)

    def __init__(self, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(presentation, parent)
        self.name_edit = _text_field(max_length=40)
        # Sensitive: the Pinyin keyboard's user dictionary learned names with NoPredictiveText alone.
        self.name_edit.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText)
        self.name_edit.textChanged.connect(self.changed)
        # Minority and foreign names need the middle dot, which few on-screen layouts offer.
        self.dot_button = big_button("key")
        self.dot_button.setText(MIDDLE_DOT)
        self.dot_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.dot_button.clicked.connect(lambda: self.name_edit.insert(MIDDLE_DOT))
        self.dot_button.setAccessibleName(self.tr("间隔号"))
        # A tap on a button that takes no focus hands focus to the first parent that does (the form, which
        # takes it to close the keyboard): through the field as its proxy, the tap leaves focus where it is.
        self.dot_button.setFocusProxy(self.name_edit)
        row = QHBoxLayout()
        row.addWidget(self.name_edit, 1)
        row.addWidget(self.dot_button)
        self.body.addLayout(row)
        self.finish_layout()

    def values(self) -> dict[str, str]:
        return {"name": self.name_edit.text()}

    def focus_first(self) -> None:
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def wipe(self) -> None:
        super().wipe()
        self.name_edit.clear()

    def retranslate(self) -> None:
        self.question.setText(self.tr("您的姓名"))
        self.name_edit.setPlaceholderText(self.tr("请输入身份证上的姓名"))
        self.hint.setText(self.tr("用下方键盘输入拼音，在候选字中点选。少数民族姓名中间的点请按“·”键。"))
        self.name_edit.setAccessibleName(self.tr("姓名"))
        self.dot_button.setAccessibleName(self.tr("间隔号"))


class DigitsPage(FormPage):
    """A number typed on the app's keypad: the mobile number, or the ID number (keypad with X)."""

    def __init__(self, presentation: Presentation, *, field_name: str, length: int, with_x: bool,
                 groups: tuple[int, ...], parent: QWidget | None = None):
        super().__init__(presentation, parent)
        self.fields = (field_name,)
        self.length = length
        self.digits = DigitsField(length=length, groups=groups)
        self.digits.textChanged.connect(self.changed)
        self.keypad = NumericKeypad(with_x=with_x)
        self.keypad.attach(self.digits)
        # The ID page names the documents whose numbers it takes (booth_common/validation.py tells them apart).
        self.documents = QLabel(objectName="fieldHint", wordWrap=True)
        self.documents.setVisible(field_name == "id_number")
        self._document: DocumentKind | None = None  # the kind a valid ID number was read as
        # The keypad beside the field, not under it: the page then fits a landscape screen's height.
        left = QVBoxLayout()
        left.setSpacing(10)
        self.body.removeWidget(self.question)
        left.addWidget(self.question)
        left.addWidget(self.documents)
        left.addWidget(self.digits)
        left.addWidget(self.hint)
        left.addWidget(self.error)
        left.addStretch(1)
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.row.setSpacing(32)
        self.row.addLayout(left, 1)
        self.row.addWidget(self.keypad, 0, Qt.AlignmentFlag.AlignTop)
        self.body.addLayout(self.row)
        self.arrange()
        presentation.changed.connect(self.arrange)

    def arrange(self) -> None:
        """The keypad beside the field on a wide window; under it on a narrow (portrait) one, where beside it
        the field would show only the last digits and a refusal would wrap a word a line.
        Follows the window's width (``Presentation.narrow``), never the content's size hint."""
        narrow = self._presentation.narrow
        self.row.setDirection(QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight)
        self.row.setStretch(0, 0 if narrow else 1)

    def values(self) -> dict[str, str]:
        return {self.fields[0]: self.digits.text()}

    def show_document(self, kind: DocumentKind | None) -> None:
        """Name the document a valid ID number was read as, in the hint's place (None: the usual hint)."""
        self._document = kind
        self.retranslate()

    def wipe(self) -> None:
        super().wipe()
        self.digits.clear()
        self.show_document(None)

    def retranslate(self) -> None:
        self.keypad.retranslate()
        if self.fields[0] == "phone":
            self.question.setText(self.tr("您的手机号"))
            self.hint.setText(self.tr("11位中国大陆手机号"))
        else:
            self.question.setText(self.tr("您的证件号码"))
            self.documents.setText(" / ".join(self._presentation.pick(kind.zh, kind.en) for kind in DocumentKind))
            self.hint.setText(self.tr("已识别：%1").replace("%1", self._presentation.pick(
                self._document.zh, self._document.en)) if self._document else self.tr("18位；最后一位是X的，请按X键"))
        self.digits.setAccessibleName(self.question.text())


class ChoicePage(FormPage):
    """Large tiles, one of which is chosen (occupations, employer quick picks, districts)."""

    def __init__(self, presentation: Presentation, *, columns: int, parent: QWidget | None = None):
        super().__init__(presentation, parent)
        self.tiles: list[QPushButton] = []
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.grid = QGridLayout()
        self.grid.setSpacing(10)
        self._columns = columns
        self.body.addLayout(self.grid)

    def add_tiles(self, count: int, *, role: str = "tile") -> None:
        for i in range(count):
            tile = _tile()
            tile.setProperty("role", role)
            self.group.addButton(tile, i)
            self.grid.addWidget(tile, i // self._columns, i % self._columns)
            self.tiles.append(tile)
        self.group.idToggled.connect(lambda _id, on: on and self.changed.emit())

    def set_columns(self, columns: int) -> None:
        self._columns = columns
        arrange_in_rows(self.grid, self.tiles, columns)

    def chosen(self) -> int:
        return self.group.checkedId()

    def choose(self, index: int) -> None:
        if index < 0:
            # An exclusive group refuses to uncheck its last button; lift the rule for a moment.
            self.group.setExclusive(False)
            for tile in self.tiles:
                tile.setChecked(False)
            self.group.setExclusive(True)
        else:
            self.tiles[index].setChecked(True)


class OccupationPage(ChoicePage):
    fields = ("occupation",)

    def __init__(self, config: Config, presentation: Presentation, parent: QWidget | None = None):
        # Two columns: "Food-delivery rider" in large text is a third of a portrait screen wide.
        super().__init__(presentation, columns=2, parent=parent)
        self._occupations = config.registration.occupations
        self.add_tiles(len(self._occupations), role="pick")
        self.finish_layout()
        self.hint.hide()  # the tiles speak for themselves; the room goes to large text

    def values(self) -> dict[str, str]:
        i = self.chosen()
        return {"occupation": self._occupations[i].id if i >= 0 else ""}

    def wipe(self) -> None:
        super().wipe()
        self.choose(-1)

    def retranslate(self) -> None:
        self.question.setText(self.tr("您的职业"))
        for tile, occupation in zip(self.tiles, self._occupations, strict=True):
            tile.setText(self._presentation.pick(occupation.name, occupation.name_en))


class EmployerPage(ChoicePage):
    fields = ("employer",)

    def __init__(self, config: Config, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(presentation, columns=4, parent=parent)
        self._picks = config.registration.employer_picks
        self.add_tiles(len(self._picks), role="pick")
        self.other = _text_field(max_length=60)
        self.other.textEdited.connect(self._typed)
        self.other.textChanged.connect(self.changed)
        self.group.idClicked.connect(self._picked)
        self.other.installEventFilter(self)
        self.body.addWidget(self.other)
        self.finish_layout()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # While typing, the quick picks make way for the on-screen keyboard (a 1280x800 screen has no room for both).
        if watched is self.other and event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            for tile in self.tiles:
                tile.setVisible(event.type() == QEvent.Type.FocusOut)
        return False

    def _picked(self, index: int) -> None:
        self.other.setText(self._picks[index])

    def _typed(self, text: str) -> None:
        # Typing something else undoes the quick pick, so the tile and the text never disagree.
        if self.chosen() >= 0 and text != self._picks[self.chosen()]:
            self.choose(-1)

    def values(self) -> dict[str, str]:
        return {"employer": self.other.text()}

    def wipe(self) -> None:
        super().wipe()
        self.choose(-1)
        self.other.clear()

    def retranslate(self) -> None:
        self.question.setText(self.tr("您的工作单位或平台"))
        self.other.setPlaceholderText(self.tr("不在上面？请在这里输入"))
        self.other.setAccessibleName(self.tr("其他工作单位"))
        self.hint.setText(self.tr("点选常见单位，或输入其他单位名称；可以不填"))
        for tile, pick in zip(self.tiles, self._picks, strict=True):
            tile.setText(pick)


class PlacePage(ChoicePage):
    """District and street, the booth's by default: the district tiles open only when the worker changes it."""

    fields = ("district", "street")

    def __init__(self, config: Config, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(presentation, columns=5, parent=parent)
        self._booth = config.booth
        self._districts = config.registration.districts or (config.booth.district,)
        self.add_tiles(len(self._districts), role="pick")
        self.change_button = big_button("small")
        self.change_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.change_button.clicked.connect(self._open_districts)
        self.body.removeWidget(self.question)
        header = QHBoxLayout()
        header.addWidget(self.question, 1)
        header.addWidget(self.change_button)
        self.body.insertLayout(0, header)
        self.street_label = QLabel(objectName="question", wordWrap=True)
        self.booth_street = _tile()
        self.booth_street.setProperty("role", "pick")
        self.other_street = _text_field(max_length=40)
        self.other_street.textEdited.connect(lambda t: self.booth_street.setChecked(not t))
        self.booth_street.toggled.connect(self._booth_street_toggled)
        street_row = QHBoxLayout()  # one row, label included: the page must fit 800 px in large text
        street_row.addWidget(self.street_label)
        street_row.addWidget(self.booth_street, 2)
        street_row.addWidget(self.other_street, 2)
        self.body.addLayout(street_row)
        self.finish_layout()
        self.hint.hide()  # said in the question instead: the page must fit 800 px in large text
        self.group.idToggled.connect(lambda _id, on: on and self.retranslate())
        self.wipe()

    def _open_districts(self) -> None:
        for tile in self.tiles:
            tile.show()
        self.change_button.hide()

    def _booth_street_toggled(self, on: bool) -> None:
        if on:
            self.other_street.clear()
        self.changed.emit()

    def values(self) -> dict[str, str]:
        i = self.chosen()
        district = self._districts[i] if i >= 0 else self._booth.district
        street = self._booth.street if self.booth_street.isChecked() else self.other_street.text()
        return {"district": district, "street": street}

    def wipe(self) -> None:
        super().wipe()
        self.other_street.clear()
        self.booth_street.setChecked(True)
        self.choose(self._districts.index(self._booth.district) if self._booth.district in self._districts else -1)
        for tile in self.tiles:
            tile.hide()
        self.change_button.show()

    def retranslate(self) -> None:
        self.question.setText(self.tr("工作所在区：%1").replace("%1", self.values()["district"]))
        self.change_button.setText(self.tr("更改"))
        self.change_button.setAccessibleName(self.tr("更改所在区"))
        self.street_label.setText(self.tr("街道（乡镇）"))
        self.booth_street.setText(self._booth.street)
        self.other_street.setPlaceholderText(self.tr("其他街道，请输入"))
        self.other_street.setAccessibleName(self.tr("其他街道"))
        for tile, district in zip(self.tiles, self._districts, strict=True):
            tile.setText(district)


class DetailsPage(FormPage):
    """Occupation, employer and place on one page (one 下一步 instead of three), scrolling when they do not fit."""

    fields = ("occupation", "employer", "district", "street")

    def __init__(self, config: Config, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(presentation, parent)
        self.occupation = OccupationPage(config, presentation)
        self.employer = EmployerPage(config, presentation)
        self.place = PlacePage(config, presentation)
        self.sections: list[FormPage] = [self.occupation, self.employer, self.place]
        inner = QWidget(objectName="details")
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(18)
        for section in self.sections:
            section.changed.connect(self.changed)
            section.body.takeAt(section.body.count() - 1)  # their trailing stretch: the sections stack tightly
            column.addWidget(section)
        column.addStretch(1)
        # At rest no row is cut at its edge (the other-employer field half in view at 1280x800 in large text, the
        # street row under the bottom edge on a portrait window).
        self.area = WholeRowsScrollArea(inner)
        self.scrolling = self.area.touch_scrolling
        self.question.hide()  # each section asks its own question
        self.body.addWidget(self.area, 1)
        self.body.addWidget(self.error)
        self.error.hide()
        self.arrange()
        presentation.changed.connect(self.arrange)

    def arrange(self) -> None:
        narrow = self._presentation.narrow
        self.occupation.set_columns(2 if narrow else 4)
        self.employer.set_columns(3 if narrow else 4)
        self.place.set_columns(3 if narrow else 5)

    def values(self) -> dict[str, str]:
        return {k: v for section in self.sections for k, v in section.values().items()}

    def show_errors(self, messages: dict[str, str]) -> None:
        for section in self.sections:
            section.show_errors({f: m for f, m in messages.items() if f in section.fields})

    def wipe(self) -> None:
        super().wipe()
        for section in self.sections:
            section.wipe()
        self.area.verticalScrollBar().setValue(0)

    def retranslate(self) -> None:
        for section in self.sections:
            section.retranslate()
