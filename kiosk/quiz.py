"""The prize quiz (有奖答题): question bank, rounds, scoring and prize claims, without Qt.

Errors, smallest first:
- ``QuizBankError``: the bank file cannot be used; names the file and the question id at fault.
- ``InvalidAnswer``: an answer that does not fit the question (no choice, unknown option,
  two choices for a single-choice question); bilingual, nothing is scored.
- ``BoothError`` subclasses from ``kiosk.errors`` for refused prize claims: ``NotPassed``,
  ``AttemptAlreadyRecorded``, ``ClaimantRequired``, ``PrizeAlreadyClaimed``, ``OutOfStock``,
  ``UnknownPass``, ``InvalidInput`` (a mobile number that is not one).

The UI uses three objects: a ``QuizDesk`` (made once by the composition root), the ``QuizRound``
it deals out (``question()``, ``answer(choice_ids)`` → ``Feedback``, ``finished``, ``score``,
``passed``), and ``desk.claim_prize(round, phone=… | member_pass=…)`` or
``desk.record_attempt(round)`` to file the attempt.
"""

from __future__ import annotations

import dataclasses
import random
import re
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from booth_common import tokens, validation
from booth_common.protocol import PRIZE_CLAIM_KEY, SyncError
from booth_common.records import Record
from booth_common.sealing import keyed_hash
from kiosk.errors import (AttemptAlreadyRecorded, ClaimantRequired, InvalidInput, NotPassed, OutOfStock,
                          PrizeAlreadyClaimed, PrizeClaimedElsewhere, UnknownPass)
from kiosk.config import QuizSettings
from kiosk.desks import Desks
from kiosk.prizes import Prizes
from kiosk.pulled import pulled_distribution

QUESTION_TYPES = ("single", "multiple", "true_false")
MIN_OPTIONS, MAX_OPTIONS = 3, 6
FORMAT_VERSION = 1
CHECKED_DATE = re.compile(r"20\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")


class QuizBankError(ValueError):
    """A question bank that cannot be used, with the file and question id at fault."""

    def __init__(self, path: Path, question_id: str, message: str):
        super().__init__(f"{path}: question {question_id}: {message}")
        self.path, self.question_id, self.message = path, question_id, message


class InvalidAnswer(ValueError):
    """An answer that does not fit the question; nothing was scored."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


class CityClaims(Protocol):
    """The city server's prize-claim check (``POST /v1/prize-claims``): True when granted, False when the person
    already has a prize in the event; any ``SyncError`` (offline, timed out, not enrolled) means undecided."""

    def claim(self, *, voucher: str, keys: Sequence[str]) -> bool: ...


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    en: str


TRUE_FALSE_OPTIONS = (Option("true", "对", "True"), Option("false", "错", "False"))


@dataclass(frozen=True)
class Question:
    """One question as shown: options in display order, the correct option ids, why, and where it is written."""

    id: str
    type: str
    topic: str
    text: str
    text_en: str
    options: tuple[Option, ...]
    correct: frozenset[str]
    explanation: str
    explanation_en: str
    source: str
    source_en: str
    review: str = ""
    checked: str = ""  # the day its facts were last checked against the source, YYYY-MM-DD
    excludes: frozenset[str] = frozenset()  # questions never drawn in the same round (either way)

    def is_correct(self, chosen: Iterable[str]) -> bool:
        """All and only the correct options (for multiple choice, a partial answer is wrong)."""
        return frozenset(chosen) == self.correct


@dataclass(frozen=True)
class QuizBank:
    path: Path
    title: str
    title_en: str
    questions: tuple[Question, ...]

    @property
    def active(self) -> tuple[Question, ...]:
        """Questions that may be drawn: those still awaiting a reviewer's check are left out."""
        return tuple(q for q in self.questions if not q.review)

    def draw(self, count: int, rng: random.Random, *,
             topic_weights: Mapping[str, int] | None = None) -> list[Question]:
        """``count`` different questions, each with its options shuffled; never two that exclude each other.

        A topic's weight (default 1) makes its questions that many times as likely at each pick; however
        a topic is weighted, it fills at most half the round (rounded up), so a round still spans topics
        (unless the bank has too few other questions to fill the round)."""
        pool = self.active
        if count > len(pool):
            raise QuizBankError(self.path, "-", f"a round needs {count} questions, the bank has {len(pool)} usable ones")
        weights = topic_weights or {}
        for _ in range(DRAW_ATTEMPTS):
            picked = _pick(pool, count, rng, weights)
            if picked is not None:
                return [shuffle_options(q, rng) for q in picked]
        raise QuizBankError(self.path, "-", f"no round of {count} questions fits the exclusions and topic limits")


DRAW_ATTEMPTS = 50


def topic_cap(count: int) -> int:
    """The most questions one topic may fill in a round of ``count``: half, rounded up."""
    return (count + 1) // 2


def _pick(pool: Sequence[Question], count: int, rng: random.Random,
          weights: Mapping[str, int]) -> list[Question] | None:
    """One weighted draw without replacement; None when it runs into a dead end (the caller tries again)."""
    picked: list[Question] = []
    barred: set[str] = set()
    per_topic: dict[str, int] = {}
    cap = topic_cap(count)
    while len(picked) < count:
        allowed = [q for q in pool if q.id not in barred]
        # the cap yields only to a bank too narrow to fill a round without it (one topic, say)
        candidates = [q for q in allowed if per_topic.get(q.topic, 0) < cap] or allowed
        if not candidates:
            return None
        q = rng.choices(candidates, weights=[weights.get(c.topic, 1) for c in candidates])[0]
        picked.append(q)
        barred |= {q.id} | q.excludes
        per_topic[q.topic] = per_topic.get(q.topic, 0) + 1
    return picked


def shuffle_options(question: Question, rng: random.Random) -> Question:
    """The same question with its options in a new order; true/false keeps 对 before 错, as people expect."""
    if question.type == "true_false":
        return question
    options = list(question.options)
    rng.shuffle(options)
    return dataclasses.replace(question, options=tuple(options))


def load_bank(path: Path | str) -> QuizBank:
    """Read and check a question bank; raises ``QuizBankError`` naming the file and question."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise QuizBankError(path, "-", "file not found / 题库文件不存在") from None
    except tomllib.TOMLDecodeError as exc:
        raise QuizBankError(path, "-", f"not valid TOML: {exc}") from None
    return parse_bank(raw, path=path)


def parse_bank(raw: Any, *, path: Path | str) -> QuizBank:
    """Check a bank already read (from its TOML file, or as pulled from the city server)."""
    if not isinstance(raw, dict):
        raise QuizBankError(path, "-", "a question bank is a table")
    if raw.get("format") != FORMAT_VERSION:
        raise QuizBankError(path, "-", f"format must be {FORMAT_VERSION}, not {raw.get('format')!r}")
    items = raw.get("questions")
    if not isinstance(items, list) or not items:
        raise QuizBankError(path, "-", "no [[questions]] found")
    questions = _symmetric_excludes(path, tuple(_question(path, i, item) for i, item in enumerate(items)))
    _check_unique(path, questions)
    return QuizBank(path, _text(path, "-", raw, "title"), _text(path, "-", raw, "title_en"), questions)


def _symmetric_excludes(path: Path, questions: tuple[Question, ...]) -> tuple[Question, ...]:
    """Exclusion works both ways, so a pair is declared once; an unknown id is refused, not ignored."""
    ids = {q.id for q in questions}
    both: dict[str, set[str]] = {q.id: set(q.excludes) for q in questions}
    for q in questions:
        unknown = sorted(q.excludes - ids)
        if unknown:
            raise QuizBankError(path, q.id, f"excludes names unknown questions: {unknown}")
        if q.id in q.excludes:
            raise QuizBankError(path, q.id, "a question cannot exclude itself")
        for other in q.excludes:
            both[other].add(q.id)
    return tuple(dataclasses.replace(q, excludes=frozenset(both[q.id])) for q in questions)


def _question(path: Path, index: int, raw: Any) -> Question:
    qid = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(qid, str) or not qid.strip():
        raise QuizBankError(path, f"#{index + 1}", "every question needs a text id")
    kind = raw.get("type")
    if kind not in QUESTION_TYPES:
        raise QuizBankError(path, qid, f"type must be one of {', '.join(QUESTION_TYPES)}, not {kind!r}")
    options, correct = (_true_false(path, qid, raw) if kind == "true_false" else _choices(path, qid, kind, raw))
    texts = {key: _text(path, qid, raw, key) for key in ("topic", "text", "text_en", "explanation",
                                                         "explanation_en", "source", "source_en")}
    review = raw.get("review", "")
    if not isinstance(review, str):
        raise QuizBankError(path, qid, "review must be a text")
    checked = raw.get("checked", "")
    if not isinstance(checked, str) or (checked and not CHECKED_DATE.fullmatch(checked)):
        raise QuizBankError(path, qid, "checked must be a date written YYYY-MM-DD")
    excludes = raw.get("excludes", [])
    if not isinstance(excludes, list) or not all(isinstance(e, str) and e for e in excludes):
        raise QuizBankError(path, qid, "excludes must be a list of question ids")
    return Question(id=qid, type=kind, options=options, correct=correct, review=review.strip(), checked=checked,
                    excludes=frozenset(excludes), **texts)


def _true_false(path: Path, qid: str, raw: dict[str, Any]) -> tuple[tuple[Option, ...], frozenset[str]]:
    if "options" in raw:
        raise QuizBankError(path, qid, "a true_false question has no options (对/错 are implied)")
    answer = raw.get("answer")
    if not isinstance(answer, bool):
        raise QuizBankError(path, qid, "a true_false answer is true or false")
    return TRUE_FALSE_OPTIONS, frozenset({"true" if answer else "false"})


def _choices(path: Path, qid: str, kind: str, raw: dict[str, Any]) -> tuple[tuple[Option, ...], frozenset[str]]:
    items = raw.get("options")
    if not isinstance(items, list) or not MIN_OPTIONS <= len(items) <= MAX_OPTIONS:
        raise QuizBankError(path, qid, f"needs {MIN_OPTIONS} to {MAX_OPTIONS} options")
    options = tuple(Option(*(_text(path, qid, o, k) for k in ("id", "text", "en"))) if isinstance(o, dict)
                    else _bad(path, qid, "each option is a table {id, text, en}") for o in items)
    ids = [o.id for o in options]
    if len(set(ids)) != len(ids):
        raise QuizBankError(path, qid, "option ids repeat")
    answer = raw.get("answer")
    if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer) or len(set(answer)) != len(answer):
        raise QuizBankError(path, qid, "answer must be a list of different option ids")
    if not set(answer) <= set(ids):
        raise QuizBankError(path, qid, f"answer names unknown options: {sorted(set(answer) - set(ids))}")
    if kind == "single" and len(answer) != 1:
        raise QuizBankError(path, qid, "a single-choice question has exactly one correct option")
    if kind == "multiple" and not 2 <= len(answer) < len(options):
        raise QuizBankError(path, qid, "a multiple-choice question has at least two correct options and one wrong one")
    return options, frozenset(answer)


def _text(path: Path, qid: str, raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise QuizBankError(path, qid, f"{key} must be a non-empty text")
    return value.strip()


def _bad(path: Path, qid: str, message: str) -> Option:
    raise QuizBankError(path, qid, message)


def _check_unique(path: Path, questions: Sequence[Question]) -> None:
    seen_ids: set[str] = set()
    seen_texts: dict[str, str] = {}
    for q in questions:
        if q.id in seen_ids:
            raise QuizBankError(path, q.id, "duplicate question id")
        if q.text in seen_texts:
            raise QuizBankError(path, q.id, f"same question text as {seen_texts[q.text]}")
        seen_ids.add(q.id)
        seen_texts[q.text] = q.id


@dataclass(frozen=True)
class Feedback:
    """What the screen shows right after an answer."""

    question_id: str
    correct: bool
    chosen: tuple[str, ...]
    correct_ids: tuple[str, ...]
    explanation: str
    explanation_en: str
    source: str
    source_en: str


class QuizRound:
    """One person's round: questions in order, their answers, score and time taken."""

    def __init__(self, questions: Sequence[Question], *, pass_mark: int, clock: Callable[[], float] = time.monotonic):
        if not questions:
            raise ValueError("a round needs at least one question")
        self._questions = tuple(questions)
        self._answers: list[tuple[str, ...]] = []
        self._right: list[bool] = []
        self._clock = clock
        self._started = clock()
        self._ended: float | None = None
        self.pass_mark = pass_mark
        self.recorded = False  # set by the desk once the attempt is in the ledger

    @property
    def total(self) -> int:
        return len(self._questions)

    @property
    def position(self) -> int:
        """How many questions have been answered (also the index of the current one)."""
        return len(self._answers)

    @property
    def finished(self) -> bool:
        return self.position == self.total

    @property
    def score(self) -> int:
        return sum(self._right)

    @property
    def passed(self) -> bool:
        return self.finished and self.score >= self.pass_mark

    @property
    def duration_s(self) -> float:
        end = self._ended if self._ended is not None else self._clock()
        return max(0.0, end - self._started)

    @property
    def question_ids(self) -> list[str]:
        return [q.id for q in self._questions]

    @property
    def answers(self) -> list[list[str]]:
        return [list(a) for a in self._answers]

    def question(self) -> Question:
        if self.finished:
            raise IndexError("the round is finished")
        return self._questions[self.position]

    def answer(self, choice_ids: Iterable[str]) -> Feedback:
        """Score the current question and move on; the explanation comes back whether right or wrong."""
        question = self.question()
        chosen = tuple(dict.fromkeys(choice_ids))
        _check_answer(question, chosen)
        right = question.is_correct(chosen)
        self._answers.append(chosen)
        self._right.append(right)
        if self.finished:
            self._ended = self._clock()
        in_order = tuple(o.id for o in question.options if o.id in question.correct)
        return Feedback(question.id, right, chosen, in_order, question.explanation, question.explanation_en,
                        question.source, question.source_en)


def _check_answer(question: Question, chosen: tuple[str, ...]) -> None:
    if not chosen:
        raise InvalidAnswer("请选择答案", "Please choose an answer")
    if not set(chosen) <= {o.id for o in question.options}:
        raise InvalidAnswer("所选答案不属于本题", "That choice is not one of this question's options")
    if question.type != "multiple" and len(chosen) != 1:
        raise InvalidAnswer("本题只能选一个答案", "Choose exactly one answer for this question")


class PendingClaim(NamedTuple):
    """A claim that passed this booth's checks and waits for the city's answer; nothing is written yet."""

    round: QuizRound
    voucher: str
    phone: str | None
    member_pass: str | None
    keys: tuple[str, ...]


@dataclass(frozen=True)
class PrizeClaim:
    """A granted claim: the voucher token to show as a QR code (opaque, nothing personal in it)."""

    voucher: str
    record: Record


class QuizDesk:
    """The quiz station of one booth: deals rounds, files every attempt, and issues prize vouchers."""

    def __init__(self, prizes: Prizes, desks: Desks, bank: QuizBank, settings: QuizSettings, *,
                 rng: random.Random | None = None, clock: Callable[[], float] = time.monotonic,
                 city: CityClaims | None = None):
        _check_enough(bank, settings)
        self.prizes, self.desks, self.bank, self.settings, self.city = prizes, desks, bank, settings, city
        self._rng = rng or random.Random()
        self._clock = clock
        self._pulled_version: str | None = None
        self.bank_problem: QuizBankError | None = None  # a pulled bank that was refused, for the console

    def adopt_pulled_bank(self) -> None:
        """Use the bank the city server distributed, once per new version, from the next round on.
        A pulled bank that fails the checks is refused and the current bank stays."""
        pulled = pulled_distribution(self.prizes.ledger, "quiz-bank")
        if pulled is None or pulled[0] == self._pulled_version:
            return
        version, content = pulled
        self._pulled_version = version
        try:
            bank = parse_bank(content, path=f"city server quiz-bank v{version}")
            _check_enough(bank, self.settings)
        except QuizBankError as exc:
            self.bank_problem = exc
            return
        self.bank, self.bank_problem = bank, None

    def new_round(self) -> QuizRound:
        self.adopt_pulled_bank()
        questions = self.bank.draw(self.settings.questions_per_round, self._rng,
                                   topic_weights=dict(self.settings.topic_weights))
        return QuizRound(questions, pass_mark=self.settings.pass_mark, clock=self._clock)

    def prizes_left(self) -> int:
        """Prizes that can still be promised: stock on the shelf minus vouchers not yet redeemed."""
        if not self.settings.prize_item:
            return 0
        left = self.desks.stock_left(self.settings.prize_item) - self.prizes.prize_vouchers_outstanding()
        return max(0, left)

    def prize_name(self) -> tuple[str, str]:
        if not self.settings.prize_item:
            return "奖品", "Prize"
        item = self.prizes.config.handout(self.settings.prize_item)
        return item.name, item.name_en

    def record_attempt(self, quiz_round: QuizRound) -> Record:
        """File a round without a prize: failed, passed but not claimed, or abandoned (idle wipe)."""
        self._check_unrecorded(quiz_round)
        record = self._write(quiz_round)
        quiz_round.recorded = True
        return record

    def claim_prize(self, quiz_round: QuizRound, *, phone: str | None = None,
                    member_pass: str | None = None) -> PrizeClaim:
        """One prize per person per event: this booth's own check (keyed hash of the phone, or the member
        pass), then, when the booth knows the event's claim key and reaches the city server, the city-wide one.
        Offline the booth's check decides, and the record carries the keys for the server to check on sync.
        The screen runs the three steps itself, the middle one off the GUI thread when it goes to the network."""
        pending = self.start_claim(quiz_round, phone=phone, member_pass=member_pass)
        return self.finish_claim(pending, self.ask_city(pending))

    def start_claim(self, quiz_round: QuizRound, *, phone: str | None = None,
                    member_pass: str | None = None) -> PendingClaim:
        """This booth's checks, a new voucher and the city-wide keys; nothing is written yet."""
        self._check_unrecorded(quiz_round)
        if not quiz_round.passed:
            raise NotPassed()
        clean_phone, clean_pass = self._claimant(phone, member_pass)
        if self.prizes_left() <= 0:
            raise OutOfStock(*self.prize_name())
        if self.prizes.has_claimed_prize(phone=clean_phone, member_pass=clean_pass):
            raise PrizeAlreadyClaimed()
        keys = self.city_claim_keys(phone=clean_phone, member_pass=clean_pass)
        return PendingClaim(quiz_round, tokens.new_voucher_token(), clean_phone, clean_pass, tuple(keys))

    def asks_network(self, pending: PendingClaim) -> bool:
        """Whether ``ask_city`` will talk to the server (and may take seconds)."""
        return bool(pending.keys) and self.city is not None

    def ask_city(self, pending: PendingClaim) -> str:
        """How the city-wide check went: granted, offline (undecided: the booth's check stands), or no_key.
        Raises ``PrizeClaimedElsewhere``. Touches no ledger, so it may run on any thread."""
        if not pending.keys:
            return "no_key"
        if self.city is None:
            return "offline"
        try:
            granted = self.city.claim(voucher=pending.voucher, keys=pending.keys)
        except SyncError:
            return "offline"
        if not granted:
            raise PrizeClaimedElsewhere()
        return "granted"

    def finish_claim(self, pending: PendingClaim, decided: str) -> PrizeClaim:
        """File the attempt with its voucher (the round must still be unrecorded: a double tap files once)."""
        self._check_unrecorded(pending.round)
        if self.prizes.has_claimed_prize(phone=pending.phone, member_pass=pending.member_pass):
            raise PrizeAlreadyClaimed()
        record = self._write(pending.round, voucher=pending.voucher, claimant_phone=pending.phone,
                             claimant_pass=pending.member_pass, city_claim=decided, claim_keys=list(pending.keys))
        pending.round.recorded = True
        return PrizeClaim(pending.voucher, record)

    def city_claim_keys(self, *, phone: str | None, member_pass: str | None) -> list[str]:
        """The event-keyed hashes a claim is filed under city-wide: the phone's, the pass's, and for a phone
        that is a member here the member's pass too. Empty while the booth has not pulled the event's key."""
        pulled = pulled_distribution(self.prizes.ledger, PRIZE_CLAIM_KEY)
        secret = pulled[1].get("key") if pulled and isinstance(pulled[1], dict) else None
        if not isinstance(secret, str) or not re.fullmatch(r"[0-9a-f]{64}", secret):
            return []
        key = bytes.fromhex(secret)
        keys = []
        if phone:
            keys.append(keyed_hash(key, "prize-phone", phone))
            member = self.prizes.members.find_member(phone=phone)
            if member is not None:
                keys.append(keyed_hash(key, "prize-pass", member.pass_token))
        if member_pass:
            keys.append(keyed_hash(key, "prize-pass", member_pass))
        return keys


    def _claimant(self, phone: str | None, member_pass: str | None) -> tuple[str | None, str | None]:
        """Exactly one of a valid mobile number or a known member pass, in canonical form."""
        if bool(phone) == bool(member_pass):
            raise ClaimantRequired()
        if phone:
            try:
                return validation.validate_mobile(phone), None
            except validation.ValidationError as exc:
                raise InvalidInput([exc]) from None
        token = tokens.normalise_token(member_pass or "")
        if token is None or not tokens.is_pass(token) or self.prizes.members.member_by_pass(token) is None:
            raise UnknownPass()
        return None, token

    def _write(self, quiz_round: QuizRound, **claim: Any) -> Record:
        return self.prizes.record_quiz_attempt(
            questions=quiz_round.question_ids, answers=quiz_round.answers, score=quiz_round.score,
            passed=quiz_round.passed, duration_s=quiz_round.duration_s, completed=quiz_round.finished, **claim)

    @staticmethod
    def _check_unrecorded(quiz_round: QuizRound) -> None:
        if quiz_round.recorded:
            raise AttemptAlreadyRecorded()


def _check_enough(bank: QuizBank, settings: QuizSettings) -> None:
    if settings.questions_per_round > len(bank.active):
        raise QuizBankError(bank.path, "-", f"questions_per_round is {settings.questions_per_round} "
                                            f"but only {len(bank.active)} questions are usable")
    topics = {q.topic for q in bank.active}
    unknown = sorted(t for t, _ in settings.topic_weights if t not in topics)
    if unknown:
        raise QuizBankError(bank.path, "-", f"quiz.topic_weights names topics with no usable question: {unknown}")
    bank.draw(settings.questions_per_round, random.Random(0), topic_weights=dict(settings.topic_weights))


def build_quiz_desk(prizes: Prizes, desks: Desks, *, rng: random.Random | None = None,
                    clock: Callable[[], float] = time.monotonic, city: CityClaims | None = None) -> QuizDesk:
    """The desk for the configured event, with the bank named in its [quiz] section: its records through
    ``prizes``, the prize's stock from the handout ``desks``."""
    settings = prizes.config.quiz
    return QuizDesk(prizes, desks, load_bank(settings.bank), settings, rng=rng, clock=clock, city=city)
