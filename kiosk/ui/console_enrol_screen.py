"""The console's enrolment: type or scan the code from the city union (a scanner types it and presses Enter).

Thin: the work is ``sync.enrol_job.EnrolJob.run``, passed in as ``enrol`` and run off the GUI thread
(``run_in_background``);
this screen collects the text, shows the outcome in the current language and says when it worked.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.ui.background import run_in_background
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, back_button, big_button


class ConsoleEnrolScreen(ScreenBase):
    enrolled = Signal(object)  # EnrolOutcome, when the device is enrolled
    back_requested = Signal()
    idle_return = False

    def __init__(self, enrol: Callable[[str, str], object], presentation: Presentation, *, server_url: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._enrol, self._presentation, self._server_url = enrol, presentation, server_url
        self.title = QLabel(objectName="title", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.explanation = QLabel(objectName="hint", wordWrap=True)
        self.server_label, self.code_label = QLabel(objectName="hint"), QLabel(objectName="hint")
        self.server_field = QLineEdit(server_url)
        self.code_field = QLineEdit()
        # A code enrols devices: no input method may learn it.
        self.code_field.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText)
        self.code_field.returnPressed.connect(self.enrol)       # a scanner ends with Enter
        self.message = QLabel(objectName="result", wordWrap=True)
        self.enrol_button = big_button("primary")
        self.enrol_button.clicked.connect(self.enrol)
        self.back_button = back_button()
        self.back_button.clicked.connect(self.back_requested)
        self._outcome: object | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(32, 16, 32, 16)
        for widget in (self.title, self.explanation, self.server_label, self.server_field, self.code_label,
                       self.code_field, self.message, self.enrol_button):
            column.addWidget(widget)
        column.addStretch()
        column.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("注册本设备"))
        self.explanation.setText(self.tr("输入或扫描市总工会给的注册码。注册后，本机的个人信息只能由市总工会的服务器打开。"))
        self.server_label.setText(self.tr("城市服务器地址"))
        self.code_label.setText(self.tr("注册码（扫码枪扫描，或手动输入）"))
        self.enrol_button.setText(self.tr("注册"))
        self.back_button.setText(self.tr("返回控制台"))
        for widget, name in ((self.server_field, self.tr("城市服务器地址")), (self.code_field, self.tr("注册码"))):
            widget.setAccessibleName(name)
        if self._outcome is not None:
            self.message.setText(self._presentation.pick(self._outcome.zh, self._outcome.en))  # type: ignore[attr-defined]

    def on_shown(self) -> None:
        self.wipe()
        self.code_field.setFocus()

    def wipe(self) -> None:
        self.code_field.clear()
        self.server_field.setText(self._server_url)
        self.message.clear()
        self.message.setObjectName("result")
        self._outcome = None
        self.enrol_button.setEnabled(True)

    def enrol(self) -> None:
        if not self.enrol_button.isEnabled():
            return                               # one attempt at a time
        self.enrol_button.setEnabled(False)
        self.message.setText(self.tr("正在注册…"))
        code, server = self.code_field.text(), self.server_field.text()
        run_in_background(lambda _progress: self._enrol(code, server), self._show_outcome, self._failed, parent=self)

    def _failed(self, exc: Exception) -> None:
        """Not a refusal (those are outcomes) but a fault: a locked ledger, a full disk. Said, never swallowed."""
        from types import SimpleNamespace

        self._show_outcome(SimpleNamespace(ok=False, zh=f"注册未完成：{exc}", en=f"Enrolment did not complete: {exc}"))

    def _show_outcome(self, outcome: object) -> None:
        self._outcome = outcome
        self.enrol_button.setEnabled(True)
        self.message.setObjectName("result" if outcome.ok else "error")  # type: ignore[attr-defined]
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(self._presentation.pick(outcome.zh, outcome.en))  # type: ignore[attr-defined]
        if outcome.ok:  # type: ignore[attr-defined]
            self.code_field.clear()
            self.enrolled.emit(outcome)
