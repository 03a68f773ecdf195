"""Quiz rounds, scoring, prize claims and vouchers, on a fresh booth ledger per test."""

import random

import pytest

from kiosk.app import build_core
from kiosk.errors import (AlreadyReceived, AttemptAlreadyRecorded, ClaimantRequired, InvalidInput, NotPassed, OutOfStock,
                          PrizeAlreadyClaimed, UnknownPass)
from kiosk.membership import RegistrationForm
from kiosk.quiz import InvalidAnswer, QuizRound, build_quiz_desk, load_bank, shuffle_options
from booth_common.records import Kind
from booth_common.validation import id_check_char
from kiosk.settings import DEMO_CONFIG, RESOURCES

BANK = load_bank(RESOURCES / "quiz-bank.toml")
PHONE = "13812345678"
ID = "11010519900307123" + id_check_char("11010519900307123")


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def desk(booth, clock):
    return build_quiz_desk(booth.prizes, booth.desks, rng=random.Random(7), clock=clock)


def wrong_choice(question):
    """A choice that is surely wrong: one wrong option (for multiple choice, a partial answer is wrong too)."""
    return [next(o.id for o in question.options if o.id not in question.correct)]


def play(quiz_round, *, right):
    """Answer every question: the first ``right`` correctly, the rest wrongly."""
    feedback = []
    while not quiz_round.finished:
        q = quiz_round.question()
        feedback.append(quiz_round.answer(sorted(q.correct) if len(feedback) < right else wrong_choice(q)))
    return feedback


def passed_round(desk):
    quiz_round = desk.new_round()
    play(quiz_round, right=quiz_round.total)
    return quiz_round


def register_member(booth, phone=PHONE):
    return booth.members.register(RegistrationForm(name="王小明", phone=phone, id_number=ID, occupation="courier",
                                           consent_given=True))


def test_a_round_passed_is_recorded_with_questions_answers_score_and_time(desk, booth, clock):
    quiz_round = desk.new_round()
    assert quiz_round.total == 5 and quiz_round.pass_mark == 4
    clock.now += 30
    feedback = play(quiz_round, right=4)
    assert [f.correct for f in feedback] == [True] * 4 + [False]
    assert all(f.explanation and f.explanation_en and f.source for f in feedback)
    assert quiz_round.finished and quiz_round.score == 4 and quiz_round.passed
    clock.now += 100  # time after the last answer does not count
    record = desk.record_attempt(quiz_round)
    data = record.data
    assert record.kind == Kind.QUIZ_ATTEMPT and record.subject == "passed"
    assert data["questions"] == quiz_round.question_ids and len(data["answers"]) == 5
    assert data["score"] == 4 and data["passed"] and data["completed"] and data["duration_s"] == 30.0
    assert data["prize_voucher"] is None


def test_a_round_failed_is_recorded_and_gets_no_prize(desk):
    quiz_round = desk.new_round()
    play(quiz_round, right=3)
    assert quiz_round.finished and not quiz_round.passed
    with pytest.raises(NotPassed):
        desk.claim_prize(quiz_round, phone=PHONE)
    record = desk.record_attempt(quiz_round)
    assert record.subject == "failed" and record.data["score"] == 3


def test_multiple_choice_needs_all_and_only_the_correct_options():
    question = next(q for q in BANK.active if q.type == "multiple")
    quiz_round = QuizRound([question] * 3, pass_mark=3)
    assert not quiz_round.answer(sorted(question.correct)[:1]).correct
    wrong = next(o.id for o in question.options if o.id not in question.correct)
    assert not quiz_round.answer(sorted(question.correct) + [wrong]).correct
    feedback = quiz_round.answer(sorted(question.correct))
    assert feedback.correct and set(feedback.correct_ids) == question.correct


@pytest.mark.parametrize("choice, words", [([], "choose an answer"), (["zz"], "not one of"),
                                           (["true", "false"], "exactly one")])
def test_an_answer_that_does_not_fit_is_refused_and_not_scored(choice, words):
    question = next(q for q in BANK.active if q.type == "true_false")
    quiz_round = QuizRound([question], pass_mark=1)
    with pytest.raises(InvalidAnswer, match=words):
        quiz_round.answer(choice)
    assert quiz_round.position == 0


def test_a_prize_is_claimed_by_phone_with_an_opaque_voucher(desk, booth):
    left = desk.prizes_left()
    claim = desk.claim_prize(passed_round(desk), phone="138 1234 5678")
    assert claim.voucher.startswith("UV1-") and claim.voucher.isascii() and PHONE not in claim.voucher
    assert claim.record.data["prize_voucher"] == claim.voucher
    assert PHONE not in claim.record.payload
    assert desk.prizes_left() == left - 1  # promised, although still on the shelf
    assert booth.desks.stock_left("quiz-prize") == left


def test_the_same_phone_cannot_claim_twice(desk):
    desk.claim_prize(passed_round(desk), phone=PHONE)
    second = passed_round(desk)
    with pytest.raises(PrizeAlreadyClaimed):
        desk.claim_prize(second, phone="+86 138-1234-5678")
    assert desk.record_attempt(second).data["prize_voucher"] is None  # the round itself is still recorded


@pytest.mark.parametrize("first, second", [("phone", "pass"), ("pass", "phone"), ("pass", "pass")])
def test_a_member_cannot_claim_again_by_the_other_route(desk, booth, first, second):
    member = register_member(booth)
    by = {"phone": {"phone": PHONE}, "pass": {"member_pass": member.pass_token.lower()}}
    desk.claim_prize(passed_round(desk), **by[first])
    with pytest.raises(PrizeAlreadyClaimed):
        desk.claim_prize(passed_round(desk), **by[second])


def test_another_person_may_claim(desk):
    desk.claim_prize(passed_round(desk), phone=PHONE)
    assert desk.claim_prize(passed_round(desk), phone="13912345678").voucher


@pytest.mark.parametrize("kwargs, error", [
    ({}, ClaimantRequired),
    ({"phone": PHONE, "member_pass": "UM1-0000000000000000"}, ClaimantRequired),
    ({"phone": "12345"}, InvalidInput),
    ({"member_pass": "UM1-0000000000000000"}, UnknownPass),
    ({"member_pass": "UV1-0000000000000000"}, UnknownPass),
])
def test_a_claim_without_a_valid_claimant_is_refused_in_both_languages(desk, kwargs, error):
    quiz_round = passed_round(desk)
    with pytest.raises(error) as err:
        desk.claim_prize(quiz_round, **kwargs)
    assert err.value.zh and err.value.en
    assert not quiz_round.recorded


def test_a_round_is_recorded_only_once(desk):
    quiz_round = passed_round(desk)
    desk.claim_prize(quiz_round, phone=PHONE)
    with pytest.raises(AttemptAlreadyRecorded):
        desk.record_attempt(quiz_round)
    with pytest.raises(AttemptAlreadyRecorded):
        desk.claim_prize(quiz_round, phone="13912345678")


def test_voucher_is_redeemed_once_at_the_handout_desk(desk, booth):
    claim = desk.claim_prize(passed_round(desk), phone=PHONE)
    stock = booth.desks.stock_left("quiz-prize")
    booth.desks.record_handout("quiz-prize", voucher=claim.voucher)
    assert booth.desks.stock_left("quiz-prize") == stock - 1
    assert booth.prizes.prize_vouchers_outstanding() == 0
    with pytest.raises(AlreadyReceived):
        booth.desks.record_handout("quiz-prize", voucher=claim.voucher)
    assert booth.desks.stock_left("quiz-prize") == stock - 1


@pytest.fixture
def one_prize_core(tmp_path):
    """The demo event with a single quiz prize in stock."""
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    bank = (RESOURCES / "quiz-bank.toml").as_posix()
    text = text.replace("stock = 150", "stock = 1").replace('bank = "quiz-bank.toml"', f'bank = "{bank}"')
    config = tmp_path / "event.toml"
    config.write_text(text, encoding="utf-8")
    core = build_core(data_dir=tmp_path / "data", config_path=config)
    yield core
    core.close()


def test_when_prizes_are_gone_the_quiz_still_runs_and_says_so(one_prize_core):
    desk = build_quiz_desk(one_prize_core.booth.prizes, one_prize_core.booth.desks, rng=random.Random(3))
    assert desk.prizes_left() == 1
    desk.claim_prize(passed_round(desk), phone=PHONE)
    assert desk.prizes_left() == 0  # the one prize is promised to a voucher
    quiz_round = passed_round(desk)
    assert quiz_round.passed
    with pytest.raises(OutOfStock) as err:
        desk.claim_prize(quiz_round, phone="13912345678")
    assert "答题奖品" in err.value.zh and "Quiz prize" in err.value.en
    assert desk.record_attempt(quiz_round).subject == "passed"


def test_a_voided_attempt_releases_its_promised_prize(one_prize_core):
    booth = one_prize_core.booth
    desk = build_quiz_desk(booth.prizes, booth.desks, rng=random.Random(3))
    claim = desk.claim_prize(passed_round(desk), phone=PHONE)
    booth.corrections.void(claim.record.id, "志愿者误操作 / volunteer mistake")
    assert desk.prizes_left() == 1


def test_an_abandoned_round_is_recorded_as_abandoned(desk):
    quiz_round = desk.new_round()
    q = quiz_round.question()
    quiz_round.answer(sorted(q.correct))
    record = desk.record_attempt(quiz_round)
    assert record.subject == "abandoned" and not record.data["completed"] and not record.data["passed"]
    assert record.data["answers"] == [sorted(q.correct)] and len(record.data["questions"]) == 5


def test_no_question_repeats_within_a_round(booth):
    for seed in range(50):
        desk = build_quiz_desk(booth.prizes, booth.desks, rng=random.Random(seed))
        ids = desk.new_round().question_ids
        assert len(ids) == len(set(ids)) == 5


@pytest.mark.parametrize("question", [q for q in BANK.active if q.type != "true_false"], ids=lambda q: q.id)
def test_shuffling_keeps_the_correct_answer(question):
    rng = random.Random(question.id)
    orders = set()
    for _ in range(20):
        shuffled = shuffle_options(question, rng)
        assert sorted(shuffled.options, key=lambda o: o.id) == sorted(question.options, key=lambda o: o.id)
        assert shuffled.correct == question.correct
        right = {o.text for o in shuffled.options if o.id in shuffled.correct}
        assert right == {o.text for o in question.options if o.id in question.correct}
        orders.add(tuple(o.id for o in shuffled.options))
    assert len(orders) > 1


def test_true_false_keeps_true_before_false():
    question = next(q for q in BANK.active if q.type == "true_false")
    assert [o.id for o in shuffle_options(question, random.Random(1)).options] == ["true", "false"]


def _pulled_bank(keep: int) -> dict:
    import tomllib

    raw = tomllib.loads((RESOURCES / "quiz-bank.toml").read_text(encoding="utf-8"))
    raw["questions"] = [q for q in raw["questions"] if "review" not in q][:keep]
    kept = {q["id"] for q in raw["questions"]}
    for q in raw["questions"]:  # a bank names only its own questions in excludes
        q["excludes"] = [e for e in q.get("excludes", []) if e in kept]
    return raw


def _publish_to_ledger(booth, content, version: str) -> None:
    """What the sync engine does with a quiz bank pulled from the city server."""
    import json

    booth.ledger.set_meta("pulled:quiz-bank", json.dumps(content, ensure_ascii=False, sort_keys=True))
    booth.ledger.set_meta("pulled:quiz-bank:version", version)


def test_a_bank_pulled_from_the_city_server_is_used_from_the_next_round(desk, booth):
    pulled = _pulled_bank(keep=6)
    wanted = {q["id"] for q in pulled["questions"]}
    assert set(desk.new_round().question_ids) <= {q.id for q in BANK.active}
    _publish_to_ledger(booth, pulled, "2")
    for _ in range(10):
        assert set(desk.new_round().question_ids) <= wanted
    assert desk.bank_problem is None


def test_a_broken_pulled_bank_is_refused_and_the_current_bank_stays(desk, booth):
    broken = _pulled_bank(keep=6)
    broken["format"] = 99
    _publish_to_ledger(booth, broken, "3")
    round_ = desk.new_round()
    assert round_.total == booth.config.quiz.questions_per_round
    assert desk.bank is BANK or {q.id for q in desk.bank.active} == {q.id for q in BANK.active}
    assert "format must be 1" in str(desk.bank_problem)
    too_small = _pulled_bank(keep=2)  # fewer questions than a round needs
    _publish_to_ledger(booth, too_small, "4")
    desk.new_round()
    assert "only 2 questions are usable" in str(desk.bank_problem)


def _event_with_quiz_lines(tmp_path, lines: str):
    """The demo event with extra lines in its [quiz] section and the bundled bank."""
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    bank = (RESOURCES / "quiz-bank.toml").as_posix()
    text = text.replace('bank = "quiz-bank.toml"', f'bank = "{bank}"\n{lines}')
    config = tmp_path / "event.toml"
    config.write_text(text, encoding="utf-8")
    return config


TOPIC_OF = {q.id: q.topic for q in BANK.questions}


def _topics(quiz_round):
    return [TOPIC_OF[qid] for qid in quiz_round.question_ids]


def _topic_share(desk, topic, rounds=300):
    drawn = [t for _ in range(rounds) for t in _topics(desk.new_round())]
    return drawn.count(topic) / len(drawn), len(set(drawn))


def test_a_rider_hub_may_weight_topics_and_a_round_still_spans_topics(tmp_path, booth):
    config = _event_with_quiz_lines(tmp_path, 'topic_weights = { "overtime" = 8 }')
    core = build_core(data_dir=tmp_path / "data", config_path=config)
    try:
        assert core.booth.config.quiz.topic_weights == (("overtime", 8),)
        weighted, _ = _topic_share(build_quiz_desk(core.booth.prizes, core.booth.desks, rng=random.Random(5)), "overtime")
    finally:
        core.close()
    plain, _ = _topic_share(build_quiz_desk(booth.prizes, booth.desks, rng=random.Random(5)), "overtime")
    assert weighted > 2 * plain
    heavy = build_quiz_desk(booth.prizes, booth.desks, rng=random.Random(9))
    heavy.settings = heavy.settings._replace(topic_weights=(("overtime", 10),))
    for _ in range(100):
        topics = _topics(heavy.new_round())
        assert topics.count("overtime") <= 3 and len(set(topics)) >= 2


@pytest.mark.parametrize("lines, words", [
    ('topic_weights = { "overtime" = 0 }', "from 1 to 10"),
    ('topic_weights = { "overtime" = "lots" }', "from 1 to 10"),
    ('topic_weights = ["overtime"]', "table of topic = weight"),
])
def test_a_bad_topic_weight_is_refused_at_start_naming_the_key(tmp_path, lines, words):
    from kiosk.config import ConfigError, load_config
    with pytest.raises(ConfigError) as err:
        load_config(_event_with_quiz_lines(tmp_path, lines))
    assert "quiz.topic_weights" in str(err.value) and words in str(err.value)


def test_a_weight_for_a_topic_the_bank_lacks_is_refused_when_the_desk_is_built(tmp_path):
    from kiosk.quiz import QuizBankError
    config = _event_with_quiz_lines(tmp_path, 'topic_weights = { "astronomy" = 3 }')
    core = build_core(data_dir=tmp_path / "data", config_path=config)
    try:
        with pytest.raises(QuizBankError, match="astronomy"):
            build_quiz_desk(core.booth.prizes, core.booth.desks)
    finally:
        core.close()
