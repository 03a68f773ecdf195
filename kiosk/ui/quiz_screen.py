"""The prize quiz (有奖答题): questions on big tiles, instant feedback, result, prize claim, voucher QR.

All quiz logic lives in ``kiosk.quiz``; this screen holds the round, calls the ``QuizDesk`` and turns the
pages (``kiosk.ui.quiz_pages``, one widget each). Every attempt reaches the ledger: a claim files it, and
``wipe`` (idle timeout, going home) files whatever round is still open, as abandoned when unfinished.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.errors import BoothError
from kiosk.quiz import Feedback, PendingClaim, Question, QuizDesk, QuizRound
from kiosk.ui.background import BackgroundTask, run_in_background
from kiosk.ui.presentation import Presentation
from kiosk.ui.quiz_pages import ClaimPage, ClaimRoute, QuestionPage, ResultPage, VoucherPage
from kiosk.ui.widgets import CurrentPageStack, ScreenBase

SAMPLE_VOUCHER = "UV1-0000000000000000"  # screenshots only; never issued
__all__ = ["ClaimRoute", "QuizPage", "QuizScreen", "SAMPLE_VOUCHER"]


class QuizPage(Enum):
    QUESTION = 0
    RESULT = 1
    CLAIM = 2
    VOUCHER = 3


class QuizScreen(ScreenBase):
    home_requested = Signal()

    def __init__(self, desk: QuizDesk, presentation: Presentation, parent: QWidget | None = None):
        super().__init__(parent)
        self._desk = desk
        self._presentation = presentation
        self.current_round: QuizRound | None = None
        self._feedback: Feedback | None = None
        self._shown: Question | None = None  # the question on screen
        self._city_check: BackgroundTask | None = None  # the city-wide prize check under way, if any
        self.question, self.result = QuestionPage(presentation), ResultPage()
        self.claim, self.voucher_page = ClaimPage(presentation), VoucherPage(presentation)
        self.pages = CurrentPageStack()
        for page in (self.question, self.result, self.claim, self.voucher_page):
            self.pages.addWidget(page)
        self._connect()
        self._narrow = presentation.narrow
        presentation.changed.connect(self._follow_window_shape)
        root = QVBoxLayout(self)
        root.setContentsMargins(48, 12, 48, 12)
        root.addWidget(self.pages)
        self.retranslate()

    def _connect(self) -> None:
        self.question.chosen.connect(self._submit)
        self.question.next_requested.connect(self._on_next)
        self.question.quit_requested.connect(self.home_requested)
        self.result.claim_requested.connect(self._open_claim)
        self.result.retry_requested.connect(self._on_retry)
        self.result.finish_requested.connect(self.home_requested)
        self.claim.submitted.connect(self._on_submit_claim)
        self.claim.back_requested.connect(lambda: self._show(QuizPage.RESULT))
        self.voucher_page.done_requested.connect(self.home_requested)

    @property
    def voucher(self) -> str:
        return self.voucher_page.voucher

    def _follow_window_shape(self) -> None:
        if self._presentation.narrow != self._narrow:
            self._narrow = self._presentation.narrow
            self.question.arrange()
            self.claim.arrange()

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
        self.claim.error = None
        self.voucher_page.clear()
        self.claim.clear()
        self._show(QuizPage.QUESTION)

    @property
    def page(self) -> QuizPage:
        return QuizPage(self.pages.currentIndex())

    def _show(self, page: QuizPage) -> None:
        self.pages.setCurrentIndex(page.value)

    # -- questions ----------------------------------------------------------------------

    def _render_question(self) -> None:
        quiz_round = self.current_round
        if quiz_round is None or (quiz_round.finished and self._feedback is None):
            return
        if self._feedback is None:
            self._shown = quiz_round.question()
        assert self._shown is not None  # after an answer the round has moved on, the screen not yet
        number = quiz_round.position if self._feedback is not None else quiz_round.position + 1
        self.question.show_question(self._shown, number=number, total=quiz_round.total,
                                    position=quiz_round.position, prizes_out=self._desk.prizes_left() <= 0)
        self.question.show_feedback(self._feedback, finished=quiz_round.finished)

    def _submit(self, chosen: list[str]) -> None:
        if self.current_round is None or self._feedback is not None:
            return
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
        if self.current_round is not None and self.current_round.finished:
            self.result.show_result(self.current_round, prizes=self._desk.prizes_left() > 0)

    def _on_retry(self) -> None:
        if self.current_round is not None and not self.current_round.recorded:
            self._desk.record_attempt(self.current_round)
        self.start_round()

    def _open_claim(self, route: ClaimRoute) -> None:
        self._show(QuizPage.CLAIM)
        self.claim.open(route)

    def _on_submit_claim(self) -> None:
        if self.current_round is None or self._city_check is not None:
            return
        phone = self.claim.route is ClaimRoute.PHONE
        try:
            pending = self._desk.start_claim(self.current_round,
                                             phone=self.claim.phone_field.text() if phone else None,
                                             member_pass=None if phone else self.claim.pass_field.text())
            if not self._desk.asks_network(pending):
                self._finish_claim(pending, self._desk.ask_city(pending))
                return
        except BoothError as exc:
            self.claim.refuse(exc)
            return
        # The city server may take seconds to answer: ask off the GUI thread, the screen stays live
        self.claim.submit_claim_button.setEnabled(False)
        self.claim.claim_error.setText(self._presentation.pick("正在与全市各展位核对，请稍候……",
                                                               "Checking with the city's other booths, one moment…"))
        self._city_check = run_in_background(lambda _progress: self._desk.ask_city(pending),
                                             lambda decided: self._city_answered(pending, decided),
                                             lambda exc: self._city_answered(pending, exc), parent=self)

    def _city_answered(self, pending: PendingClaim, answer: str | Exception) -> None:
        self._city_check = None
        self.claim.submit_claim_button.setEnabled(True)
        if pending.round is not self.current_round:  # wiped or replaced while the city answered
            return
        if isinstance(answer, BoothError):
            self.claim.refuse(answer)
        elif isinstance(answer, Exception):
            self.claim.refuse(BoothError("核对没有完成，请再试一次", "The check did not finish: please try again"))
        else:
            try:
                self._finish_claim(pending, answer)
            except BoothError as exc:
                self.claim.refuse(exc)

    def _finish_claim(self, pending: PendingClaim, decided: str) -> None:
        claim = self._desk.finish_claim(pending, decided)
        self.claim.phone_field.clear()  # the number is not kept on screen once used
        self.show_voucher(claim.voucher)

    def show_voucher(self, voucher: str) -> None:
        self.voucher_page.show_voucher(voucher, self._desk.prize_name())
        self._show(QuizPage.VOUCHER)

    # -- language -----------------------------------------------------------------------

    def retranslate(self) -> None:
        self.question.retranslate()
        self._render_question()
        self._render_result()
        self.claim.render()
        self.voucher_page.render()

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
