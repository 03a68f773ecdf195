"""The bundled question bank: structure, completeness, and the loader's refusals."""

import re

import pytest

from kiosk.quiz import QUESTION_TYPES, QuizBankError, load_bank
from kiosk.settings import RESOURCES

BANK_PATH = RESOURCES / "quiz-bank.toml"
BANK = load_bank(BANK_PATH)
TOPICS = {"union-law", "union-constitution", "union-dues", "new-employment-forms", "hotline-12351",
          "mutual-aid-card", "labour-contract", "probation", "overtime", "minimum-wage", "workplace-safety"}
# A source names a document in 《》 and the version checked: a year of amendment or publication.
SOURCE = re.compile(r"《[^》]+》.*\d{4}年")


def test_bank_has_at_least_sixty_drawable_questions():
    assert len(BANK.active) >= 60


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
            "labour-contract", "probation", "overtime", "minimum-wage", "workplace-safety"} <= covered


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
