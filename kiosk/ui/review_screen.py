"""Review and oath (核对并宣誓): every entry with an edit link, the oath, and one button that swears and submits."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.config import Config
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, arrange_in_rows, big_button, screen_title

class ReviewScreen(ScreenBase):
    """Shows what will be stored; the oath (when switched on) is taken by the same tap that submits."""

    confirmed = Signal()     # 我宣誓，提交登记 (or 提交登记 without the oath)
    edit_requested = Signal(str)  # the field whose page to show
    back_requested = Signal()

    def __init__(self, config: Config, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._config = config
        self._presentation = presentation
        self._entries: list[tuple[str, str, str]] = []
        self._source: Callable[[], list[tuple[str, str, str]]] | None = None
        self.title = screen_title(wrap=True)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(24)
        self.grid.setVerticalSpacing(8)
        self.rows: list[QWidget] = []
        self.edit_buttons: dict[str, QPushButton] = {}
        self.instruction = QLabel(objectName="subtitle", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        # The oath is the organising union's official text: shown as configured, never translated.
        self.oath = QLabel(config.registration.oath_text, objectName="oath", wordWrap=True,
                           alignment=Qt.AlignmentFlag.AlignCenter)
        self.oath.setVisible(config.registration.oath_enabled)
        self.back_button = big_button("small")
        self.submit_button = big_button("primary")
        self.back_button.clicked.connect(self.back_requested)
        self.submit_button.clicked.connect(self.confirmed)
        buttons = QHBoxLayout()
        buttons.setSpacing(24)
        buttons.addWidget(self.back_button, 1)
        buttons.addWidget(self.submit_button, 3)
        root = QVBoxLayout(self)
        root.setContentsMargins(40, 12, 40, 12)
        root.setSpacing(12)
        root.addWidget(self.title)
        root.addLayout(self.grid)
        root.addStretch(1)
        root.addWidget(self.instruction)
        root.addWidget(self.oath)
        root.addStretch(1)
        root.addLayout(buttons)
        presentation.changed.connect(self._arrange)
        self.retranslate()

    @property
    def oath_enabled(self) -> bool:
        return self._config.registration.oath_enabled

    def show_form(self, source: Callable[[], list[tuple[str, str, str]]]) -> None:
        """Show the entries ``source`` gives (asked again when the language changes)."""
        self._source = source
        self.show_entries(source())

    def show_entries(self, entries: list[tuple[str, str, str]]) -> None:
        """(field, name, entry as shown), in form order."""
        self._entries = entries
        for row in self.rows:
            self.grid.removeWidget(row)
            row.setParent(None)  # gone from the screen at once, not at the next event loop turn
            row.deleteLater()
        self.rows, self.edit_buttons = [], {}
        for field, name, value in entries:
            self.rows.append(self._row(field, name, value))
        self._arrange()

    def _row(self, field: str, name: str, value: str) -> QWidget:
        row = QWidget(objectName="entry")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(name, objectName="fieldHint")
        label.setMinimumWidth(label.sizeHint().width())
        shown = QLabel(value, objectName="question", wordWrap=True)
        shown.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        edit = big_button("small")
        edit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        edit.setText(self.tr("修改"))
        edit.setAccessibleName(self.tr("修改%1").replace("%1", name))
        edit.clicked.connect(lambda _=False, f=field: self.edit_requested.emit(f))
        self.edit_buttons[field] = edit
        layout.addWidget(label)
        layout.addWidget(shown, 1)
        layout.addWidget(edit)
        return row

    def _arrange(self) -> None:
        # Two columns side by side on a wide screen (the oath must fit under them); one on a narrow one.
        arrange_in_rows(self.grid, self.rows, 1 if self._presentation.narrow else 2, stretch=1)

    def entry_text(self, field: str) -> str:
        return next(value for f, _name, value in self._entries if f == field)

    def wipe(self) -> None:
        self._source = None
        self.show_entries([])

    def screenshot_states(self) -> list[tuple[str, object]]:
        return [("", lambda: self.show_form(self._sample_entries))]

    def _sample_entries(self) -> list[tuple[str, str, str]]:
        """Made-up entries for ``kiosk screenshots`` (a valid-looking number, never a real person's)."""
        p = self._presentation
        return [("name", p.pick("姓名", "Name"), p.pick("王小明", "Wang Xiaoming")),
                ("phone", p.pick("手机号", "Phone"), "138 0013 8000"),
                ("id_number", p.pick("身份证号", "ID number"), "110105 19900307 1231"),
                ("occupation", p.pick("职业", "Occupation"), p.pick("外卖配送员", "Food-delivery rider")),
                ("employer", p.pick("工作单位", "Employer"), "美团"),
                ("district", p.pick("所在区", "District"), self._config.booth.district)]

    def retranslate(self) -> None:
        self.title.setText(self.tr("请核对您的信息"))
        if self.oath_enabled:
            self.instruction.setText(self.tr("无误后，请读一遍入会誓词，再点“我宣誓，提交登记”"))
            self.submit_button.setText(self.tr("我宣誓，提交登记"))
        else:
            self.instruction.setText(self.tr("无误后，请点“提交登记”"))
            self.submit_button.setText(self.tr("提交登记"))
        self.back_button.setText(self.tr("上一步"))
        for button in self.edit_buttons.values():
            button.setText(self.tr("修改"))
        if self._source is not None:
            self.show_entries(self._source())
