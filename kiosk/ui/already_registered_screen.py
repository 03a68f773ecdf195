"""您已登记: the ID number or phone is already in this booth's ledger; masked data only."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.membership import MemberSummary
from kiosk.ui.member_pass import MemberPassCard
from kiosk.ui.presentation import Presentation
from kiosk.ui.welcome_screen import SAMPLE_MEMBER
from kiosk.ui.widgets import ScreenBase, big_button, screen_title


class AlreadyRegisteredScreen(ScreenBase):
    """The pass is offered again only when both the ID number and the phone match that member:
    one matching number alone could be someone else's, whose pass must not be handed out."""

    done = Signal()
    edit_requested = Signal(str)  # the page of the number that matched

    def __init__(self, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._presentation = presentation
        self._pass_offered = False
        self._matched: tuple[str, ...] = ("id_number", "phone")
        self.title = screen_title()
        self.explanation = QLabel(objectName="subtitle", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.masked = QLabel(objectName="question", alignment=Qt.AlignmentFlag.AlignCenter)
        self.card = MemberPassCard()
        self.card.who.hide()  # the masked line above already says who
        self.desk_hint = QLabel(objectName="hint", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.edit_button = big_button("small")
        self.done_button = big_button("primary")
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self._matched[0]))
        self.done_button.clicked.connect(self.done)
        buttons = QHBoxLayout()
        buttons.setSpacing(24)
        buttons.addWidget(self.edit_button, 1)
        buttons.addWidget(self.done_button, 2)
        root = QVBoxLayout(self)
        root.setContentsMargins(48, 16, 48, 16)
        root.setSpacing(12)
        root.addWidget(self.title)
        root.addWidget(self.explanation)
        root.addWidget(self.masked)
        root.addWidget(self.card, 1)
        root.addWidget(self.desk_hint)
        root.addLayout(buttons)
        self.wipe()
        self.retranslate()

    def show_member(self, member: MemberSummary, *, offer_pass: bool,
                    matched: tuple[str, ...] = ("id_number", "phone")) -> None:
        """``matched``: the numbers found already registered (id_number, phone or both), named on screen."""
        self._pass_offered = offer_pass
        self._matched = matched
        self.masked.setText(f"{member.masked_name}  {member.masked_phone}")
        if offer_pass:
            self.card.show_member(member)
        self.card.setVisible(offer_pass)
        self.retranslate()

    def wipe(self) -> None:
        self._pass_offered = False
        self._matched = ("id_number", "phone")
        self.masked.clear()
        self.card.wipe()
        self.card.hide()

    def screenshot_states(self) -> list[tuple[str, object]]:
        return [("", lambda: self.show_member(SAMPLE_MEMBER, offer_pass=True)),
                ("desk", lambda: self.show_member(SAMPLE_MEMBER, offer_pass=False, matched=("phone",)))]

    def retranslate(self) -> None:
        self.title.setText(self.tr("您已登记"))
        if len(self._matched) > 1:
            self.explanation.setText(self.tr("这个身份证号和手机号已经登记过，无需再次入会。"))
        elif self._matched[0] == "phone":
            self.explanation.setText(self.tr("这个手机号已经登记过（身份证号不同）。如果号码输错了，请返回修改。"))
        else:
            self.explanation.setText(self.tr("这个身份证号已经登记过（手机号不同）。如果号码输错了，请返回修改。"))
        self.desk_hint.setText(self.tr("这是您的会员码，可再次拍照保存") if self._pass_offered else
                               self.tr("如需补发会员码，请到服务台，由工作人员帮您核实"))
        self.edit_button.setText(self.tr("返回修改手机号") if self._matched[0] == "phone" else
                                 self.tr("返回修改证件号"))
        self.done_button.setText(self.tr("返回首页"))
