"""The server's push answer is written with orjson (fast), the booth checks its digest over json.dumps of the
results it read: the two must agree byte for byte on anything the server can say, or every answer would be
taken for garbled and nothing would ever settle."""

from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from booth_common.protocol import (PROTOCOL_VERSION, RecordStatus, _results_text, parse_push_answer,
                                   push_answer_body, results_digest)

# Any text the server can put in an answer: valid Unicode (pydantic and orjson refuse lone surrogates on
# the way in, so no reason can carry one), control characters, quotes, backslashes, CJK, emoji included.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
RESULT = st.fixed_dictionaries({"id": TEXT, "status": st.sampled_from([str(s) for s in RecordStatus]),
                                "reason": st.none() | TEXT.filter(bool)})


@settings(max_examples=500, deadline=None)
@given(st.lists(RESULT, min_size=1, max_size=20, unique_by=lambda r: r["id"]))
def test_the_answer_holds_the_same_bytes_and_digest_the_booth_computes(results):
    body = push_answer_body("2026-11-25T05:00:00.000Z", results)
    document = json.loads(body)
    assert document["protocol"] == PROTOCOL_VERSION and document["received_at"] == "2026-11-25T05:00:00.000Z"
    assert document["results"] == results
    assert body.split(b',"results":', 1)[1].rsplit(b',"digest":', 1)[0] == _results_text(results).encode()
    assert document["digest"] == results_digest(document["results"])


def test_a_booth_accepts_an_answer_of_every_kind():
    results = [{"id": "r-1", "status": "accepted", "reason": None},
               {"id": "r-2", "status": "rejected", "reason": "payload booth_id '展位\\n\"7\"' is not the booth…"},
               {"id": "r-3", "status": "duplicate", "reason": None},
               {"id": "r-4", "status": "conflict", "reason": "the server holds another payload under this record id"}]
    answer = parse_push_answer(json.loads(push_answer_body("2026-11-25T05:00:00.000Z", results)),
                               {"r-1", "r-2", "r-3", "r-4"})
    assert [(a.id, str(a.status), a.reason) for a in answer.answers] == [tuple(r.values()) for r in results]
