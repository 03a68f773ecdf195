"""The confirmation: a welcome, the member pass QR and what to do next at the booth."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.membership import MemberSummary
from kiosk.config import Config
from kiosk.ui.member_pass import MemberPassCard
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, big_button, screen_title

# Masked, made-up data for screenshots only; no ledger is touched to draw them.
SAMPLE_MEMBER = MemberSummary("sample", "王*明", "*******5678", "UM1-0123456789ABCDEF", "2026-11-25T04:00:00Z")


class WelcomeScreen(ScreenBase):
    done = Signal()

    def __init__(self, config: Config, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._config = config
        self._presentation = presentation
        self.title = screen_title(wrap=True)
        self.pass_caption = QLabel(objectName="subtitle", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.card = MemberPassCard()
        self.steps_title = QLabel(objectName="question", wordWrap=True)
        self.steps = [QLabel(objectName="step", wordWrap=True) for _ in range(3)]
        self.done_button = big_button("primary")
        self.done_button.clicked.connect(self.done)
        self._build_layout()
        self.retranslate()

    def _build_layout(self) -> None:
        left = QVBoxLayout()
        left.addWidget(self.pass_caption)
        left.addWidget(self.card, 1)
        right_frame = QFrame(objectName="card")
        right = QVBoxLayout(right_frame)
        right.setSpacing(12)
        right.addWidget(self.steps_title)
        for step in self.steps:
            right.addWidget(step)
        right.addStretch(1)
        middle = QHBoxLayout()
        middle.setSpacing(24)
        middle.addLayout(left, 2)
        middle.addWidget(right_frame, 3)
        root = QVBoxLayout(self)
        root.setContentsMargins(40, 16, 40, 16)
        root.setSpacing(12)
        root.addWidget(self.title)
        root.addLayout(middle, 1)
        root.addWidget(self.done_button)

    def show_member(self, member: MemberSummary) -> None:
        self.card.show_member(member)

    def wipe(self) -> None:
        self.card.wipe()

    def screenshot_states(self) -> list[tuple[str, object]]:
        return [("", lambda: self.show_member(SAMPLE_MEMBER))]

    def retranslate(self) -> None:
        p = self._presentation
        pack = next((h for h in self._config.handouts if h.kind == "welfare_pack"), None)
        pack_name = p.pick(pack.name, pack.name_en) if pack else self.tr("职工福利包")
        self.title.setText(self.tr("欢迎加入工会！"))
        self.pass_caption.setText(self.tr("这是您的会员码，请用手机拍下来"))
        self.steps_title.setText(self.tr("接下来"))
        self.steps[0].setText(self.tr("① 到各服务台出示会员码，享受今日服务"))
        self.steps[1].setText(self.tr("② 到发放台出示会员码，领取%1").replace("%1", pack_name))
        self.steps[2].setText(self.tr("③ 到银行服务台办理工会会员互助服务卡"))
        self.done_button.setText(self.tr("完成"))
