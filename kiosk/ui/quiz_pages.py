"""The prize quiz's four pages, one widget each: question (with feedback), result, prize claim, voucher.

Each page builds its own widgets, shows what it is given and says what was tapped by signal; the round,
the desk and the order of pages belong to ``kiosk.ui.quiz_screen.QuizScreen``.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QBoxLayout, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QVBoxLayout, QWidget)

from kiosk.errors import BoothError
from kiosk.quiz import MAX_OPTIONS, Feedback, Question, QuizRound
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import NumericKeypad, QrWidget, big_button, wrap_button_text


class ClaimRoute(Enum):
    PHONE = "phone"
    PASS = "pass"


def _label(name: str) -> QLabel:
    label = QLabel(objectName=name, wordWrap=True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


def _set_style_property(widget: QWidget, name: str, value: object) -> None:
    """Colour a widget through the stylesheet: a changed dynamic property takes effect only after a re-polish."""
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class QuestionPage(QWidget):
    """A question on big tiles; after an answer, the verdict, the explanation and its source."""

    chosen = Signal(list)        # option ids: a tap on a single-answer tile, or the confirmed multiple choice
    next_requested = Signal()
    quit_requested = Signal()

    def __init__(self, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._presentation = presentation
        self._question: Question | None = None
        self._answered = False
        self.progress_label = _label("subtitle")
        self.progress_bar = QProgressBar(textVisible=False)
        self.prize_note = _label("hint")
        self.question_label = _label("question")
        self.tiles = [big_button("tile") for _ in range(MAX_OPTIONS)]
        self.tile_grid = QGridLayout()
        self.tile_grid.setSpacing(16)
        for tile in self.tiles:
            tile.clicked.connect(lambda _=False, t=tile: self._on_tile(t))
        self.arrange()
        self.verdict_label = _label("verdict")
        self.explanation_label = _label("hint")
        self.source_label = _label("source")
        self.quit_button = big_button("small")
        self.quit_button.clicked.connect(self.quit_requested)
        self.confirm_button = big_button("primary")
        self.confirm_button.clicked.connect(self._on_confirm)
        self.next_button = big_button("primary")
        self.next_button.clicked.connect(self.next_requested)
        self._build_layout()

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.quit_button)
        buttons.addStretch()
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.next_button)
        progress = QHBoxLayout()  # one row: every pixel of height goes to the question and its answers
        progress.addWidget(self.progress_label)
        progress.addWidget(self.progress_bar, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(progress)
        box.addWidget(self.prize_note)
        box.addWidget(self.question_label)
        box.addLayout(self.tile_grid, 1)
        box.addWidget(self.verdict_label)
        box.addWidget(self.explanation_label)
        box.addWidget(self.source_label)
        box.addLayout(buttons)

    @property
    def tile_columns(self) -> int:
        return 1 if self._presentation.narrow else 2

    def arrange(self) -> None:
        """Answers two by two, or one under another on a narrow (portrait) window."""
        columns = self.tile_columns
        for i, tile in enumerate(self.tiles):
            self.tile_grid.removeWidget(tile)
            self.tile_grid.addWidget(tile, i // columns, i % columns)

    def visible_tiles(self) -> list[QPushButton]:
        return [t for t in self.tiles if not t.isHidden()]

    def show_question(self, question: Question, *, number: int, total: int, position: int, prizes_out: bool) -> None:
        p = self._presentation
        self._question = question
        self.progress_label.setText(self.tr("第 %1 / %2 题").replace("%1", str(number)).replace("%2", str(total)))
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(position)
        self.prize_note.setVisible(prizes_out)
        self.prize_note.setText(self.tr("今日奖品已发完，欢迎继续答题学习"))
        kind = {"single": self.tr("单选题"), "multiple": self.tr("多选题（选出全部正确答案）"),
                "true_false": self.tr("判断题")}[question.type]
        self.question_label.setText(f"{kind}\n{p.pick(question.text, question.text_en)}")
        for tile, option in zip(self.tiles, list(question.options) + [None] * MAX_OPTIONS):
            tile.setVisible(option is not None)
            if option is not None:
                tile.setProperty("option_id", option.id)
                text = p.pick(option.text, option.en)
                # Long answers get a smaller font and wider lines, so two tiles still fit side by side.
                long = len(text) > (30 if text.isascii() else 15)
                _set_style_property(tile, "long", long)
                width = (30 if long else 22) if not p.large_text else (24 if long else 16)
                tile.setText(wrap_button_text(text, width=width))
                tile.setCheckable(question.type == "multiple")

    def show_feedback(self, fb: Feedback | None, *, finished: bool) -> None:
        """The verdict on the tiles and below them; None: the question waits for an answer."""
        answered = self._answered = fb is not None
        multiple = not answered and self._question is not None and self._question.type == "multiple"
        self.confirm_button.setVisible(multiple)
        self.next_button.setVisible(answered)
        for label in (self.verdict_label, self.explanation_label, self.source_label):
            label.setVisible(answered)
        for tile in self.visible_tiles():
            tile.setEnabled(not answered)
            option_id = tile.property("option_id")
            verdict = "" if fb is None else ("right" if option_id in fb.correct_ids else
                                             "wrong" if option_id in fb.chosen else "")
            _set_style_property(tile, "verdict", verdict)
            if not answered:
                tile.setChecked(False)
        if fb is None:
            return
        p = self._presentation
        self.verdict_label.setText(self.tr("回答正确！") if fb.correct else self.tr("回答错误"))
        _set_style_property(self.verdict_label, "right", fb.correct)
        self.explanation_label.setText(p.pick(fb.explanation, fb.explanation_en))
        self.source_label.setText(self.tr("依据：%1").replace("%1", p.pick(fb.source, fb.source_en)))
        self.next_button.setText(self.tr("查看结果") if finished else self.tr("下一题"))

    def _on_tile(self, tile: QPushButton) -> None:
        if self._question is not None and not self._answered and self._question.type != "multiple":
            self.chosen.emit([tile.property("option_id")])

    def _on_confirm(self) -> None:
        chosen = [t.property("option_id") for t in self.visible_tiles() if t.isChecked()]
        if chosen:
            self.chosen.emit(chosen)

    def retranslate(self) -> None:
        self.quit_button.setText(self.tr("退出答题"))
        self.confirm_button.setText(self.tr("确定"))


class ResultPage(QWidget):
    """The score; a prize claim by phone or member pass when passed, another try when not."""

    claim_requested = Signal(object)  # ClaimRoute
    retry_requested = Signal()
    finish_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.result_title = _label("title")
        self.result_label = _label("subtitle")
        self.prize_label = _label("hint")
        self.claim_phone_button = big_button("action")
        self.claim_pass_button = big_button("action")
        self.claim_phone_button.clicked.connect(lambda: self.claim_requested.emit(ClaimRoute.PHONE))
        self.claim_pass_button.clicked.connect(lambda: self.claim_requested.emit(ClaimRoute.PASS))
        self.retry_button = big_button("primary")
        self.retry_button.clicked.connect(self.retry_requested)
        self.finish_button = big_button("small")
        self.finish_button.clicked.connect(self.finish_requested)
        box = QVBoxLayout(self)
        for widget in (self.result_title, self.result_label, self.prize_label, self.claim_phone_button,
                       self.claim_pass_button, self.retry_button):
            box.addWidget(widget)
        box.addStretch()
        box.addWidget(self.finish_button, 0, Qt.AlignmentFlag.AlignLeft)

    def show_result(self, quiz_round: QuizRound, *, prizes: bool) -> None:
        can_claim = quiz_round.passed and prizes and not quiz_round.recorded
        self.result_title.setText(self.tr("恭喜通过！") if quiz_round.passed else self.tr("差一点就通过了"))
        self.result_label.setText(self.tr("答对 %1 / %2 题（%3 题及格）").replace("%1", str(quiz_round.score))
                                  .replace("%2", str(quiz_round.total)).replace("%3", str(quiz_round.pass_mark)))
        if not quiz_round.passed:
            prize_text = self.tr("再试一次吧，每轮题目都不同")
        elif not prizes:
            prize_text = self.tr("奖品已发完，感谢参与！")
        else:
            prize_text = self.tr("请用手机号或会员码领取奖品（每人限领一份）")
        self.prize_label.setText(prize_text)
        self.claim_phone_button.setVisible(can_claim)
        self.claim_pass_button.setVisible(can_claim)
        self.retry_button.setVisible(not quiz_round.passed)
        self.claim_phone_button.setText(self.tr("输入手机号领奖"))
        self.claim_pass_button.setText(self.tr("扫描会员码领奖"))
        self.retry_button.setText(self.tr("再答一次"))
        self.finish_button.setText(self.tr("返回首页"))


class ClaimPage(QWidget):
    """The claim: a phone number on the keypad, or a member pass from the scanner."""

    submitted = Signal()
    back_requested = Signal()

    def __init__(self, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._presentation = presentation
        self.route = ClaimRoute.PHONE
        self.error: BoothError | None = None
        self.claim_title = _label("subtitle")
        self.claim_hint = _label("hint")
        self.phone_field = QLineEdit(maxLength=11, alignment=Qt.AlignmentFlag.AlignCenter)
        self.phone_field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        # The app's keypad types here: the on-screen keyboard stays closed (its digits covered the keypad).
        self.phone_field.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.keypad = NumericKeypad()
        self.keypad.attach(self.phone_field)
        # A USB scanner types the pass and presses Enter; keep the field ASCII (no input method).
        self.pass_field = QLineEdit(maxLength=40, alignment=Qt.AlignmentFlag.AlignCenter)
        self.pass_field.setInputMethodHints(Qt.InputMethodHint.ImhLatinOnly | Qt.InputMethodHint.ImhNoPredictiveText)
        self.pass_field.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)  # nor over the scanner's field
        self.pass_field.returnPressed.connect(self.submitted)
        self.claim_error = _label("error")
        self.back_button = big_button("small")
        self.back_button.clicked.connect(self.back_requested)
        self.submit_claim_button = big_button("primary")
        self.submit_claim_button.clicked.connect(self.submitted)
        self._build_layout()
        self.arrange()

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch()
        buttons.addWidget(self.submit_claim_button)
        fields = QVBoxLayout()
        for widget in (self.phone_field, self.pass_field, self.claim_error):
            fields.addWidget(widget)
        fields.addStretch()
        self.claim_body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.claim_body.addLayout(fields)
        self.claim_body.addWidget(self.keypad, 1)
        box = QVBoxLayout(self)
        box.addWidget(self.claim_title)
        box.addWidget(self.claim_hint)
        box.addLayout(self.claim_body, 1)
        box.addLayout(buttons)

    def arrange(self) -> None:
        """The keypad beside the number on a wide (landscape) window, which has no height for both stacked
        in large text; under it on a narrow one, which has no width for both side by side."""
        narrow = self._presentation.narrow
        self.claim_body.setDirection(QBoxLayout.Direction.TopToBottom if narrow else
                                     QBoxLayout.Direction.LeftToRight)
        self.claim_body.setSpacing(8 if narrow else 32)
        self.claim_body.setStretch(0, 0 if narrow else 1)

    def open(self, route: ClaimRoute) -> None:
        self.route, self.error = route, None
        self.clear()
        self.render()
        (self.phone_field if route is ClaimRoute.PHONE else self.pass_field).setFocus()

    def clear(self) -> None:
        self.phone_field.clear()
        self.pass_field.clear()
        self.claim_error.clear()

    def refuse(self, error: BoothError) -> None:
        self.error = error
        self.render()

    def render(self) -> None:
        phone = self.route is ClaimRoute.PHONE
        self.claim_title.setText(self.tr("输入手机号领奖") if phone else self.tr("扫描会员码领奖"))
        self.claim_hint.setText(self.tr("手机号只用于核对每人限领一份，不会保存号码本身") if phone
                                else self.tr("请将会员码对准扫描器"))
        self.phone_field.setVisible(phone)
        self.keypad.setVisible(phone)
        self.pass_field.setVisible(not phone)
        self.back_button.setText(self.tr("返回"))
        self.submit_claim_button.setText(self.tr("领取奖品"))
        self.claim_error.setText(self._presentation.pick(self.error.zh, self.error.en) if self.error else "")


class VoucherPage(QWidget):
    """The prize voucher as a QR code, to show at the handout desk."""

    done_requested = Signal()

    def __init__(self, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._presentation = presentation
        self.voucher = ""
        self._prize: tuple[str, str] = ("", "")
        self.voucher_title = _label("title")
        self.voucher_qr = QrWidget()
        self.voucher_hint = _label("subtitle")
        self.voucher_text = _label("hint")
        self.done_button = big_button("primary")
        self.done_button.clicked.connect(self.done_requested)
        box = QVBoxLayout(self)
        box.addWidget(self.voucher_title)
        box.addWidget(self.voucher_qr, 1)
        box.addWidget(self.voucher_hint)
        box.addWidget(self.voucher_text)
        box.addWidget(self.done_button)

    def show_voucher(self, voucher: str, prize: tuple[str, str]) -> None:
        self.voucher, self._prize = voucher, prize
        self.voucher_qr.set_text(voucher)
        self.render()

    def clear(self) -> None:
        self.voucher = ""
        self.voucher_qr.set_text("")

    def render(self) -> None:
        if not self.voucher:
            return
        self.voucher_title.setText(self.tr("领奖成功"))
        self.voucher_hint.setText(self.tr("请拍下或出示此二维码，到发放台领取%1").replace(
            "%1", self._presentation.pick(*self._prize)))
        self.voucher_text.setText(self.voucher)
        self.done_button.setText(self.tr("完成"))
