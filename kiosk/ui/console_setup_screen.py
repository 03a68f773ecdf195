"""First start of a real event's booth: district, street, organisation, venue type, names and the PIN."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.access import PIN_MAX, ConsoleAccess
from kiosk.booth_setup import BoothProfile, BoothSetup, apply_setup, setup_defaults
from kiosk.errors import InvalidInput
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import PinField, ScreenBase, big_button, screen_title

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
        venue = QHBoxLayout()
        venue.addWidget(self.main_venue)
        venue.addWidget(self.sub_venue)
        rows = [("district", self.district), ("street", self.fields["street"]),
                ("organisation", self.fields["organisation"]), ("venue", venue),
                ("booth_name", self.fields["booth_name"]), ("device_name", self.fields["device_name"]),
                ("pin", self.pin), ("pin_again", self.pin_again)]
        grid = QGridLayout()
        grid.setHorizontalSpacing(32)
        for i, (name, field) in enumerate(rows):  # two columns: a 1280x800 screen has no room for eight rows
            cell = QVBoxLayout()
            self._labels[name] = QLabel(objectName="hint")
            cell.addWidget(self._labels[name])
            cell.addLayout(field) if isinstance(field, QHBoxLayout) else cell.addWidget(field)
            grid.addLayout(cell, i // 2, i % 2)
        root = QVBoxLayout(self)
        root.setContentsMargins(48, 16, 48, 16)
        root.addWidget(self.title)
        root.addWidget(self.event_label)
        root.addLayout(grid, 1)
        root.addWidget(self.message)
        root.addWidget(self.save_button)

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
