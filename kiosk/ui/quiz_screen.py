"""The prize quiz (有奖答题): questions on big tiles, instant feedback, result, prize claim, voucher QR.

All quiz logic lives in ``kiosk.quiz``; this screen only shows a ``QuizRound`` and calls the
``QuizDesk``. Every attempt reaches the ledger: a claim files it, and ``wipe`` (idle timeout,
going home) files whatever round is still open, as abandoned when unfinished.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QBoxLayout, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QStackedWidget, QVBoxLayout, QWidget)

from kiosk.booth import BoothError
from kiosk.quiz import MAX_OPTIONS, Feedback, Question, QuizDesk, QuizRound
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import CurrentPageStack, NumericKeypad, QrWidget, ScreenBase, big_button, wrap_button_text

SAMPLE_VOUCHER = "UV1-0000000000000000"  # screenshots only; never issued


class QuizPage(Enum):
    QUESTION = 0
    RESULT = 1
    CLAIM = 2
    VOUCHER = 3


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


class QuizScreen(ScreenBase):
    home_requested = Signal()

    def __init__(self, desk: QuizDesk, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._desk = desk
        self._presentation = presentation
        self.current_round: QuizRound | None = None
        self._feedback: Feedback | None = None
        self._shown: Question | None = None  # the question on screen
        self._route = ClaimRoute.PHONE
        self._error: BoothError | None = None
        self.voucher = ""
        self.pages = CurrentPageStack()
        self.pages.addWidget(self._build_question_page())
        self.pages.addWidget(self._build_result_page())
        self.pages.addWidget(self._build_claim_page())
        self.pages.addWidget(self._build_voucher_page())
        self._narrow = presentation.narrow
        presentation.changed.connect(self._follow_window_shape)
        root = QVBoxLayout(self)
        root.setContentsMargins(48, 12, 48, 12)
        root.addWidget(self.pages)
        self.retranslate()

    # -- building -----------------------------------------------------------------------

    def _build_question_page(self) -> QWidget:
        page = QWidget()
        self.progress_label = _label("subtitle")
        self.progress_bar = QProgressBar(textVisible=False)
        self.prize_note = _label("hint")
        self.question_label = _label("question")
        self.tiles = [big_button("tile") for _ in range(MAX_OPTIONS)]
        self.tile_grid = QGridLayout()
        self.tile_grid.setSpacing(16)
        for tile in self.tiles:
            tile.clicked.connect(lambda _=False, t=tile: self._on_tile(t))
        self._arrange_tiles()
        self.verdict_label = _label("verdict")
        self.explanation_label = _label("hint")
        self.source_label = _label("source")
        self.quit_button = big_button("small")
        self.quit_button.clicked.connect(self.home_requested)
        self.confirm_button = big_button("primary")
        self.confirm_button.clicked.connect(self._on_confirm)
        self.next_button = big_button("primary")
        self.next_button.clicked.connect(self._on_next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.quit_button)
        buttons.addStretch()
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.next_button)
        progress = QHBoxLayout()  # one row: every pixel of height goes to the question and its answers
        progress.addWidget(self.progress_label)
        progress.addWidget(self.progress_bar, 1)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(progress)
        box.addWidget(self.prize_note)
        box.addWidget(self.question_label)
        box.addLayout(self.tile_grid, 1)
        box.addWidget(self.verdict_label)
        box.addWidget(self.explanation_label)
        box.addWidget(self.source_label)
        box.addLayout(buttons)
        return page

    @property
    def tile_columns(self) -> int:
        return 1 if self._presentation.narrow else 2

    def _arrange_tiles(self) -> None:
        """Answers two by two, or one under another on a narrow (portrait) window."""
        columns = self.tile_columns
        for i, tile in enumerate(self.tiles):
            self.tile_grid.removeWidget(tile)
            self.tile_grid.addWidget(tile, i // columns, i % columns)

    def _build_result_page(self) -> QWidget:
        page = QWidget()
        self.result_title = _label("title")
        self.result_label = _label("subtitle")
        self.prize_label = _label("hint")
        self.claim_phone_button = big_button("action")
        self.claim_pass_button = big_button("action")
        self.claim_phone_button.clicked.connect(lambda: self._open_claim(ClaimRoute.PHONE))
        self.claim_pass_button.clicked.connect(lambda: self._open_claim(ClaimRoute.PASS))
        self.retry_button = big_button("primary")
        self.retry_button.clicked.connect(self._on_retry)
        self.finish_button = big_button("small")
        self.finish_button.clicked.connect(self.home_requested)
        box = QVBoxLayout(page)
        for widget in (self.result_title, self.result_label, self.prize_label, self.claim_phone_button,
                       self.claim_pass_button, self.retry_button):
            box.addWidget(widget)
        box.addStretch()
        box.addWidget(self.finish_button, 0, Qt.AlignmentFlag.AlignLeft)
        return page

    def _build_claim_page(self) -> QWidget:
        page = QWidget()
        self.claim_title = _label("subtitle")
        self.claim_hint = _label("hint")
        self.phone_field = QLineEdit(maxLength=11, alignment=Qt.AlignmentFlag.AlignCenter)
        self.phone_field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.keypad = NumericKeypad()
        self.keypad.attach(self.phone_field)
        # A USB scanner types the pass and presses Enter; keep the field ASCII (no input method).
        self.pass_field = QLineEdit(maxLength=40, alignment=Qt.AlignmentFlag.AlignCenter)
        self.pass_field.setInputMethodHints(Qt.InputMethodHint.ImhLatinOnly | Qt.InputMethodHint.ImhNoPredictiveText)
        self.pass_field.returnPressed.connect(self._on_submit_claim)
        self.claim_error = _label("error")
        self.back_button = big_button("small")
        self.back_button.clicked.connect(lambda: self._show(QuizPage.RESULT))
        self.submit_claim_button = big_button("primary")
        self.submit_claim_button.clicked.connect(self._on_submit_claim)
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
        box = QVBoxLayout(page)
        box.addWidget(self.claim_title)
        box.addWidget(self.claim_hint)
        box.addLayout(self.claim_body, 1)
        box.addLayout(buttons)
        self._arrange_claim()
        return page

    def _arrange_claim(self) -> None:
        """The keypad beside the number on a wide (landscape) window, which has no height for both stacked
        in large text; under it on a narrow one, which has no width for both side by side."""
        narrow = self._presentation.narrow
        self.claim_body.setDirection(QBoxLayout.Direction.TopToBottom if narrow else
                                     QBoxLayout.Direction.LeftToRight)
        self.claim_body.setSpacing(8 if narrow else 32)
        self.claim_body.setStretch(0, 0 if narrow else 1)

    def _build_voucher_page(self) -> QWidget:
        page = QWidget()
        self.voucher_title = _label("title")
        self.voucher_qr = QrWidget()
        self.voucher_hint = _label("subtitle")
        self.voucher_text = _label("hint")
        self.done_button = big_button("primary")
        self.done_button.clicked.connect(self.home_requested)
        box = QVBoxLayout(page)
        box.addWidget(self.voucher_title)
        box.addWidget(self.voucher_qr, 1)
        box.addWidget(self.voucher_hint)
        box.addWidget(self.voucher_text)
        box.addWidget(self.done_button)
        return page

    def _follow_window_shape(self) -> None:
        if self._presentation.narrow != self._narrow:
            self._narrow = self._presentation.narrow
            self._arrange_tiles()
            self._arrange_claim()

    # -- life cycle ---------------------------------------------------------------------

    def on_shown(self) -> None:
        if self.current_round is None:
            self.start_round()

    def start_round(self, quiz_round: QuizRound | None = None) -> None:
        """A new round from the desk, or the one given (tests of a chosen question)."""
        self.current_round = quiz_round or self._desk.new_round()
        self._feedback = None
        self._show(QuizPage.QUESTION)
        self._render_question()

    def wipe(self) -> None:
        """Forget the person: file the open round (abandoned if unfinished), clear every field."""
        if self.current_round is not None and not self.current_round.recorded:
            self._desk.record_attempt(self.current_round)
        self.current_round = None
        self._feedback = None
        self._shown = None
        self._error = None
        self.voucher = ""
        self.voucher_qr.set_text("")
        self.phone_field.clear()
        self.pass_field.clear()
        self.claim_error.clear()
        self._show(QuizPage.QUESTION)

    @property
    def page(self) -> QuizPage:
        return QuizPage(self.pages.currentIndex())

    def _show(self, page: QuizPage) -> None:
        self.pages.setCurrentIndex(page.value)

    # -- questions ----------------------------------------------------------------------

    def visible_tiles(self) -> list[QPushButton]:
        return [t for t in self.tiles if not t.isHidden()]

    def _render_question(self) -> None:
        quiz_round = self.current_round
        if quiz_round is None or (quiz_round.finished and self._feedback is None):
            return
        p = self._presentation
        if self._feedback is None:
            self._shown = quiz_round.question()
        question = self._shown  # after an answer the round has moved on, the screen not yet
        number = quiz_round.position if self._feedback is not None else quiz_round.position + 1
        self.progress_label.setText(self.tr("第 %1 / %2 题").replace("%1", str(number))
                                    .replace("%2", str(quiz_round.total)))
        self.progress_bar.setRange(0, quiz_round.total)
        self.progress_bar.setValue(quiz_round.position)
        self.prize_note.setVisible(self._desk.prizes_left() <= 0)
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
        self._render_feedback()

    def _render_feedback(self) -> None:
        fb = self._feedback
        answered = fb is not None
        multiple = not answered and self._shown is not None and self._shown.type == "multiple"
        self.confirm_button.setVisible(multiple)
        self.next_button.setVisible(answered)
        for label in (self.verdict_label, self.explanation_label, self.source_label):
            label.setVisible(answered)
        for tile in self.visible_tiles():
            tile.setEnabled(not answered)
            option_id = tile.property("option_id")
            verdict = "" if not answered else ("right" if option_id in fb.correct_ids else
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
        self.source_label.setText(self.tr("依据：%1").replace("%1", self._presentation.pick(fb.source, fb.source_en)))
        finished = self.current_round is not None and self.current_round.finished
        self.next_button.setText(self.tr("查看结果") if finished else self.tr("下一题"))

    def _on_tile(self, tile: QPushButton) -> None:
        if self.current_round is None or self._feedback is not None:
            return
        if self.current_round.question().type != "multiple":
            self._submit([tile.property("option_id")])

    def _on_confirm(self) -> None:
        chosen = [t.property("option_id") for t in self.visible_tiles() if t.isChecked()]
        if chosen:
            self._submit(chosen)

    def _submit(self, chosen: list[str]) -> None:
        assert self.current_round is not None
        self._feedback = self.current_round.answer(chosen)
        self._render_question()

    def _on_next(self) -> None:
        self._feedback = None
        if self.current_round is not None and self.current_round.finished:
            self._show_result()
        else:
            self._render_question()

    # -- result and prize ---------------------------------------------------------------

    def _show_result(self) -> None:
        self._render_result()
        self._show(QuizPage.RESULT)

    def _render_result(self) -> None:
        quiz_round = self.current_round
        if quiz_round is None or not quiz_round.finished:
            return
        prizes = self._desk.prizes_left() > 0
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

    def _on_retry(self) -> None:
        if self.current_round is not None and not self.current_round.recorded:
            self._desk.record_attempt(self.current_round)
        self.start_round()

    def _open_claim(self, route: ClaimRoute) -> None:
        self._route = route
        self._error = None
        self.phone_field.clear()
        self.pass_field.clear()
        self._render_claim()
        self._show(QuizPage.CLAIM)
        (self.phone_field if route is ClaimRoute.PHONE else self.pass_field).setFocus()

    def _render_claim(self) -> None:
        phone = self._route is ClaimRoute.PHONE
        self.claim_title.setText(self.tr("输入手机号领奖") if phone else self.tr("扫描会员码领奖"))
        self.claim_hint.setText(self.tr("手机号只用于核对每人限领一份，不会保存号码本身") if phone
                                else self.tr("请将会员码对准扫描器"))
        self.phone_field.setVisible(phone)
        self.keypad.setVisible(phone)
        self.pass_field.setVisible(not phone)
        self.back_button.setText(self.tr("返回"))
        self.submit_claim_button.setText(self.tr("领取奖品"))
        p = self._presentation
        self.claim_error.setText(p.pick(self._error.zh, self._error.en) if self._error else "")

    def _on_submit_claim(self) -> None:
        if self.current_round is None:
            return
        phone = self._route is ClaimRoute.PHONE
        try:
            claim = self._desk.claim_prize(self.current_round, phone=self.phone_field.text() if phone else None,
                                           member_pass=None if phone else self.pass_field.text())
        except BoothError as exc:
            self._error = exc
            self._render_claim()
            return
        self.phone_field.clear()  # the number is not kept on screen once used
        self.show_voucher(claim.voucher)

    def show_voucher(self, voucher: str) -> None:
        self.voucher = voucher
        self.voucher_qr.set_text(voucher)
        self._render_voucher()
        self._show(QuizPage.VOUCHER)

    def _render_voucher(self) -> None:
        name, name_en = self._desk.prize_name()
        self.voucher_title.setText(self.tr("领奖成功"))
        self.voucher_hint.setText(self.tr("请拍下或出示此二维码，到发放台领取%1").replace(
            "%1", self._presentation.pick(name, name_en)))
        self.voucher_text.setText(self.voucher)
        self.done_button.setText(self.tr("完成"))

    # -- language -----------------------------------------------------------------------

    def retranslate(self) -> None:
        self.quit_button.setText(self.tr("退出答题"))
        self.confirm_button.setText(self.tr("确定"))
        self._render_question()
        self._render_result()
        self._render_claim()
        if self.voucher:
            self._render_voucher()

    # -- screenshots --------------------------------------------------------------------

    def screenshot_states(self):  # type: ignore[no-untyped-def]
        """Pictures of each page. Their rounds are marked recorded: a picture is not an attempt."""

        def preview(right: int | None = None, then=None):  # type: ignore[no-untyped-def]
            def prepare() -> None:
                self.start_round()
                assert self.current_round is not None
                if right is None:
                    q = self.current_round.question()
                    self._submit(sorted(q.correct))
                else:
                    self._play(right)
                if then is not None:
                    then()
                self.current_round.recorded = True
            return prepare

        return [("question", lambda: setattr(self.current_round, "recorded", True)),
                ("feedback", preview()), ("passed", preview(5)), ("failed", preview(2)),
                ("claim-phone", preview(5, lambda: self._open_claim(ClaimRoute.PHONE))),
                ("claim-pass", preview(5, lambda: self._open_claim(ClaimRoute.PASS))),
                ("voucher", preview(5, lambda: self.show_voucher(SAMPLE_VOUCHER)))]

    def _play(self, right: int) -> None:
        """Answer the whole round, the first ``right`` questions correctly (screenshots only)."""
        assert self.current_round is not None
        while not self.current_round.finished:
            q = self.current_round.question()
            wrong = [o.id for o in q.options if o.id not in q.correct][:1]
            self.current_round.answer(sorted(q.correct) if self.current_round.position < right else wrong)
        self._show_result()
