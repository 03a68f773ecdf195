"""The bundled question bank: structure, completeness, and the loader's refusals."""

import datetime
import random
import re
from itertools import combinations

import pytest

from kiosk.quiz import QUESTION_TYPES, QuizBankError, load_bank, topic_cap
from kiosk.settings import RESOURCES

BANK_PATH = RESOURCES / "quiz-bank.toml"
BANK = load_bank(BANK_PATH)
TOPICS = {"union-law", "union-constitution", "union-dues", "new-employment-forms", "hotline-12351",
          "mutual-aid-card", "labour-contract", "probation", "overtime", "minimum-wage", "workplace-safety",
          "labour-disputes", "occupational-injury", "road-safety"}
# A source names a document in 《》 and the version checked: a year of amendment or publication.
SOURCE = re.compile(r"《[^》]+》.*\d{4}年")


def test_bank_has_at_least_sixty_drawable_questions():
    assert len(BANK.active) >= 60


RIDER_TOPICS = {"new-employment-forms", "labour-disputes", "occupational-injury", "road-safety"}


def test_riders_couriers_and_drivers_have_at_least_thirty_questions_of_their_own():
    # issue 21: about 3 of 85 questions concerned them; the bank now speaks to the people at the booth
    assert len([q for q in BANK.active if q.topic in RIDER_TOPICS]) >= 30


def test_ids_are_unique():
    ids = [q.id for q in BANK.questions]
    assert len(ids) == len(set(ids))


def test_no_question_text_repeats():
    texts = [q.text for q in BANK.questions] + [q.text_en for q in BANK.questions]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("question", BANK.questions, ids=lambda q: q.id)
def test_question_is_well_formed(question):
    assert question.type in QUESTION_TYPES
    option_ids = [o.id for o in question.options]
    assert len(option_ids) == len(set(option_ids))
    assert question.correct <= set(option_ids)
    if question.type == "single":
        assert len(question.correct) == 1 and len(option_ids) >= 3
    elif question.type == "multiple":
        assert 2 <= len(question.correct) < len(option_ids)
    else:
        assert option_ids == ["true", "false"] and len(question.correct) == 1


@pytest.mark.parametrize("question", BANK.questions, ids=lambda q: q.id)
def test_question_has_both_languages_explanation_and_versioned_source(question):
    assert question.text and question.text_en and question.explanation and question.explanation_en
    assert all(o.text and o.en for o in question.options)
    assert SOURCE.search(question.source), question.source
    assert question.topic in TOPICS


def test_every_required_topic_is_covered_by_drawable_questions():
    covered = {q.topic for q in BANK.active}
    assert {"union-law", "union-dues", "new-employment-forms", "hotline-12351", "mutual-aid-card",
            "labour-contract", "probation", "overtime", "minimum-wage", "workplace-safety",
            "labour-disputes", "occupational-injury", "road-safety"} <= covered


@pytest.mark.parametrize("question", BANK.questions, ids=lambda q: q.id)
def test_every_question_says_when_it_was_last_checked(question):
    checked = datetime.date.fromisoformat(question.checked)
    assert datetime.date(2026, 11, 1) <= checked <= datetime.date.today()


def test_true_false_answers_are_balanced_so_always_answering_true_does_not_pay():
    answers = [q.correct == {"true"} for q in BANK.active if q.type == "true_false"]
    assert len(answers) >= 30
    assert 0.40 <= sum(answers) / len(answers) <= 0.60, f"{sum(answers)} of {len(answers)} are true"


def test_ticking_all_but_one_option_is_not_a_winning_habit_in_multiple_choice():
    multiple = [q for q in BANK.active if q.type == "multiple"]
    all_but_one = [q.id for q in multiple if len(q.correct) == len(q.options) - 1]
    assert len(all_but_one) <= 0.75 * len(multiple), all_but_one


# Pairs where one question's text or options give the other's answer away (found in the review of issue 21).
REVEALING = [("tul-43-fund-sources", "tul-43-two-percent"),          # the options show the 2%
             ("tul-11-small-units", "tul-11-twenty-five-members"),    # the text says 二十五人
             ("lcl-82-double-wages", "lcl-10-written-contract"),      # "超过一个月" gives the one month
             ("hotline-12351-services", "hotline-12351-number"),      # the text names 12351
             ("lcl-47-severance", "lcl-47-half-year-counts"),
             ("ll-56-refuse-unsafe-orders", "lcl-32-refusal-not-breach")]


@pytest.mark.parametrize("first, second", REVEALING)
def test_revealing_pairs_are_declared_both_ways(first, second):
    by_id = {q.id: q for q in BANK.questions}
    assert second in by_id[first].excludes and first in by_id[second].excludes


def test_an_explanation_that_names_12351_never_shares_a_round_with_the_question_asking_for_it():
    # explanations tell riders whom to call; shown after an answer, they would give the number away
    asking = next(q for q in BANK.questions if q.id == "hotline-12351-number")
    naming = [q.id for q in BANK.questions if q is not asking and "12351" in q.text + q.explanation]
    assert len(naming) >= 5 and set(naming) <= asking.excludes


def test_no_round_ever_holds_two_questions_that_exclude_each_other():
    topics = sorted({q.topic for q in BANK.active})
    for seed in range(1500):
        rng = random.Random(seed)
        weights = {t: rng.randint(1, 10) for t in topics} if seed % 2 else None  # weighted rounds obey it too
        drawn = BANK.draw(5, rng, topic_weights=weights)
        for a, b in combinations(drawn, 2):
            assert b.id not in a.excludes, (seed, a.id, b.id)


def test_no_topic_fills_more_than_half_a_round_even_when_weighted():
    weights = {q.topic: 10 for q in BANK.active if q.topic == "workplace-safety"}
    for seed in range(300):
        topics = [q.topic for q in BANK.draw(5, random.Random(seed), topic_weights=weights)]
        assert max(topics.count(t) for t in set(topics)) <= topic_cap(5) == 3


def test_questions_awaiting_review_are_never_drawn():
    pending = {q.id for q in BANK.questions if q.review}
    assert pending and not pending & {q.id for q in BANK.active}


def test_every_type_is_present():
    assert {q.type for q in BANK.active} == set(QUESTION_TYPES)


BROKEN = [
    ('answer = ["b"]\nexplanation = "在中国境内', 'answer = ["b", "c"]\nexplanation = "在中国境内',
     "tul-03-who-may-join", "exactly one correct"),
    ('answer = ["a", "b", "c"]\nexplanation = "不足二十五人',
     'answer = ["a"]\nexplanation = "不足二十五人', "tul-11-small-units", "at least two"),
    ('id = "tul-02-nature"', 'id = "tul-03-who-may-join"', "tul-03-who-may-join", "duplicate question id"),
    ('answer = ["b"]\nexplanation = "用人单位有会员', 'answer = ["z"]\nexplanation = "用人单位有会员',
     "tul-11-twenty-five-members", "unknown options"),
    ('source = "《中华人民共和国工会法》（2021年修正）第二条"', 'source = ""', "tul-02-nature", "source"),
    ('type = "true_false"\ntopic = "union-law"\ntext = "用人单位可以禁止',
     'type = "yes_no"\ntopic = "union-law"\ntext = "用人单位可以禁止', "tul-03-no-obstruction", "type"),
    ('excludes = ["tul-43-two-percent", "tul-43-members-pay-dues"]',
     'excludes = ["tul-43-two-percent", "tul-99-no-such-question"]', "tul-43-fund-sources", "unknown questions"),
    ('source_en = "Trade Union Law of the PRC (2021 amendment), Article 2"\nchecked = "2026-11-25"',
     'source_en = "Trade Union Law of the PRC (2021 amendment), Article 2"\nchecked = "25.11.2026"',
     "tul-02-nature", "YYYY-MM-DD"),
]


@pytest.mark.parametrize("old, new, qid, words", BROKEN, ids=[b[2] + ":" + b[3] for b in BROKEN])
def test_broken_bank_is_refused_naming_file_and_question(tmp_path, old, new, qid, words):
    text = BANK_PATH.read_text(encoding="utf-8")
    assert text.count(old) == 1
    broken = tmp_path / "bank.toml"
    broken.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(QuizBankError) as err:
        load_bank(broken)
    assert err.value.question_id == qid and words in str(err.value) and str(broken) in str(err.value)


def test_missing_bank_file_is_named(tmp_path):
    with pytest.raises(QuizBankError, match="file not found"):
        load_bank(tmp_path / "none.toml")


def test_the_docs_list_every_question_with_its_source_and_the_date_it_was_checked():
    doc = (RESOURCES.parent / "docs" / "quiz-bank.md").read_text(encoding="utf-8")
    rows = [line for line in doc.splitlines() if line.startswith("| `")]
    assert len(rows) == len(BANK.questions)
    for q, row in zip(BANK.questions, rows):
        assert row.startswith(f"| `{q.id}` | {q.topic} | {q.source} | {q.checked} |"), row
        assert row.endswith("| yes |") == (not q.review)
