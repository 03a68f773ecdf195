"""The member pass shown on screen: a QR code of the opaque token, with the masked name and phone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.membership import MemberSummary
from kiosk.ui.widgets import QrWidget


class MemberPassCard(QWidget):
    """Shows only what ``MemberSummary`` holds: masked forms and the pass token (ASCII, nothing personal)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.qr = QrWidget()
        self.qr.setMinimumSize(200, 200)
        self.who = QLabel(objectName="subtitle", alignment=Qt.AlignmentFlag.AlignCenter)
        self.token = QLabel(objectName="hint", alignment=Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.qr, 1)
        layout.addWidget(self.who)
        layout.addWidget(self.token)

    def show_member(self, member: MemberSummary) -> None:
        self.qr.set_text(member.pass_token)
        self.who.setText(f"{member.masked_name}  {member.masked_phone}")
        self.token.setText(member.pass_token)

    def wipe(self) -> None:
        self.qr.set_text("")
        self.who.clear()
        self.token.clear()
