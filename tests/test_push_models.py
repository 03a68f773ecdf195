"""The push body is parsed into JSON-only twins of its models (no Python call per field of each record): they
must take exactly the bodies the models take, and lean on pydantic's JSON parser for what they leave out."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from sync.server.models import PushBatch, PushBatchJson


def _schema(model) -> str:
    def undescribed(node):
        if isinstance(node, dict):
            return {k: undescribed(v) for k, v in node.items() if k != "description"}
        return [undescribed(v) for v in node] if isinstance(node, list) else node

    text = json.dumps(undescribed(model.model_json_schema()), sort_keys=True)
    return text.replace("PushRecordJson", "PushRecord").replace('"PushBatchJson"', '"PushBatch"')


def test_the_json_twins_declare_the_same_fields_and_limits():
    assert _schema(PushBatchJson) == _schema(PushBatch)


RECORD = {"id": "r-1", "device_id": "dev-a", "seq": 1, "payload": "{}", "payload_sha256": "0" * 64, "sealed": None}


@pytest.mark.parametrize("raw", [
    b'{"protocol":1,"device_id":"dev-a","records":[{"id":"r-1","device_id":"dev-a","seq":1,"payload":"\\ud800x",'
    b'"payload_sha256":"' + b"0" * 64 + b'"}]}',
    b'{"protocol":1,"device_id":"dev-a","records":[{"id":"r-1","device_id":"dev-a","seq":1,"payload":"\xed\xa0\x80x",'
    b'"payload_sha256":"' + b"0" * 64 + b'"}]}',
])
def test_text_no_hash_or_database_could_take_never_passes_pydantics_json_parser(raw):
    # What _encodable catches in the models; the push falls back to them to name the field (a 422).
    with pytest.raises(ValidationError) as refused:
        PushBatchJson.model_validate_json(raw)
    assert {e["type"] for e in refused.value.errors()} == {"json_invalid"}


@pytest.mark.parametrize("change", [{}, {"seq": 0}, {"id": "-bad"}, {"payload": "x"}, {"payload_sha256": "A" * 64},
                                    {"sealed": "plain"}, {"extra": 1}])
def test_the_twin_accepts_and_refuses_as_the_model(change):
    body = json.dumps({"protocol": 1, "device_id": "dev-a", "records": [{**RECORD, **change}]}).encode()
    outcomes = []
    for model in (PushBatch, PushBatchJson):
        try:
            outcomes.append(model.model_validate_json(body).model_dump())
        except ValidationError as exc:
            outcomes.append([(e["loc"], e["type"]) for e in exc.errors()])
    assert outcomes[0] == outcomes[1]
