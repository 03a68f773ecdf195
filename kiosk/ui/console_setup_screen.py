"""First start of a real event's booth: district, street, organisation, venue type, names and the PIN."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.access import PIN_MAX, ConsoleAccess
from kiosk.booth_setup import BoothProfile, BoothSetup, apply_setup, setup_defaults
from kiosk.errors import InvalidInput
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import PinField, ScreenBase, WholeRowsScrollArea, arrange_in_rows, big_button, screen_title

TEXT_FIELDS = ("street", "organisation", "booth_name", "device_name")


class ConsoleSetupScreen(ScreenBase):
    completed = Signal()
    idle_return = False  # nobody may leave setup by waiting

    def __init__(self, profile: BoothProfile, access: ConsoleAccess, presentation: Presentation,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._profile, self._access, self._presentation = profile, access, presentation
        self.title = screen_title()
        self.event_label = QLabel(objectName="subtitle", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.district = QComboBox(editable=not profile.config.registration.districts)
        self.district.addItems(list(profile.config.registration.districts))
        self.fields = {name: QLineEdit() for name in TEXT_FIELDS}
        self.pin, self.pin_again = PinField(max_length=PIN_MAX), PinField(max_length=PIN_MAX)
        self.main_venue, self.sub_venue = big_button("choice"), big_button("choice")
        self._venues = QButtonGroup(self)
        for button in (self.main_venue, self.sub_venue):
            button.setCheckable(True)
            self._venues.addButton(button)
        self.message = QLabel(objectName="error", wordWrap=True)
        self.save_button = big_button("primary")
        self.save_button.clicked.connect(self.save)
        self._labels: dict[str, QLabel] = {}
        self._build_layout()
        self.fill_defaults()
        self.retranslate()

    def _build_layout(self) -> None:
        """The fields on a page that scrolls (whole rows at rest): two a row on a wide window, one on a narrow one,
        where two side by side cut their labels and the venue buttons' texts in large text."""
        venue = QHBoxLayout()
        venue.setContentsMargins(0, 0, 0, 0)
        venue.addWidget(self.main_venue)
        venue.addWidget(self.sub_venue)
        rows = [("district", self.district), ("street", self.fields["street"]),
                ("organisation", self.fields["organisation"]), ("venue", venue),
                ("booth_name", self.fields["booth_name"]), ("device_name", self.fields["device_name"]),
                ("pin", self.pin), ("pin_again", self.pin_again)]
        page = QWidget()
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(32)
        self._cells = [self._cell(name, field) for name, field in rows]
        column = QVBoxLayout(page)
        column.addLayout(self._grid)
        column.addStretch(1)
        self.form_area = WholeRowsScrollArea(page)
        root = QVBoxLayout(self)
        root.setContentsMargins(48, 16, 48, 16)
        root.addWidget(self.title)
        root.addWidget(self.event_label)
        root.addWidget(self.form_area, 1)
        root.addWidget(self.message)
        root.addWidget(self.save_button)
        self._arrange()
        self._presentation.changed.connect(self._arrange)

    def _cell(self, name: str, field: QWidget | QHBoxLayout) -> QWidget:
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        self._labels[name] = QLabel(objectName="hint", wordWrap=True)
        column.addWidget(self._labels[name])
        column.addLayout(field) if isinstance(field, QHBoxLayout) else column.addWidget(field)
        return cell

    def _arrange(self) -> None:
        arrange_in_rows(self._grid, self._cells, 1 if self._presentation.narrow else 2, stretch=1)

    def on_shown(self) -> None:
        self.form_area.refit()

    def wipe(self) -> None:
        """The PINs and a refusal go; the booth's details stay as typed (setup is never left by waiting)."""
        self.pin.clear()
        self.pin_again.clear()
        self.message.clear()

    def retranslate(self) -> None:
        event = self._profile.config.event
        self.title.setText(self.tr("展位设置（首次启动）"))
        self.event_label.setText(self._presentation.pick(event.name, event.name_en) + f" · {event.date}")
        texts = {"district": self.tr("区"), "street": self.tr("街道 / 乡镇"), "organisation": self.tr("工会组织"),
                 "venue": self.tr("会场类型"), "booth_name": self.tr("展位名称"), "device_name": self.tr("设备名称"),
                 "pin": self.tr("志愿者PIN（6–12 位数字）"), "pin_again": self.tr("再次输入PIN")}
        for name, text in texts.items():
            self._labels[name].setText(text)
        self.main_venue.setText(self.tr("主会场"))
        self.sub_venue.setText(self.tr("分会场"))
        self.save_button.setText(self.tr("保存并开始"))

    def fill_defaults(self) -> None:
        defaults = setup_defaults(self._profile)
        self.district.setCurrentText(defaults.district)
        for name in TEXT_FIELDS:
            self.fields[name].setText(getattr(defaults, name))
        (self.main_venue if defaults.venue_type == "main" else self.sub_venue).setChecked(True)

    def current_setup(self) -> BoothSetup:
        values = {name: self.fields[name].text() for name in TEXT_FIELDS}
        return BoothSetup(district=self.district.currentText(), venue_type="main" if self.main_venue.isChecked() else "sub",
                          pin=self.pin.text(), pin_again=self.pin_again.text(), **values)

    def _describe(self, error) -> str:  # type: ignore[no-untyped-def]
        label = self._labels.get("venue" if error.field == "venue_type" else error.field)
        text = self._presentation.pick(error.zh, error.en)
        return f"{label.text()}：{text}" if label else text

    def save(self) -> None:
        try:
            apply_setup(self._profile, self._access, self.current_setup())
        except InvalidInput as exc:
            self.message.setText("\n".join(self._describe(e) for e in exc.errors))
            return
        self.pin.clear()
        self.pin_again.clear()
        self.message.clear()
        self.completed.emit()

    def screenshot_states(self):  # type: ignore[no-untyped-def]
        def refused() -> None:  # the PINs differ and are too short: the message takes room from the form
            self.pin.setText("1234")
            self.pin_again.setText("1235")
            self.save()

        return [("", lambda: None), ("refused", refused)]
