"""The engine against the real loopback server: a plain push, and pulling config and quiz-bank updates."""

import pytest

from loopback import city, enrolled_engine, assert_exactly_once  # noqa: F401

from kiosk.simulate import simulate


# On SQLite only (one_backend, tests/conftest.py): the kiosk's sync engine; the server's storage part runs on both
# databases in the storage and API suites.
pytestmark = pytest.mark.one_backend


def test_records_reach_the_city_exactly_once(core, city):
    simulate(core.booth, members=5, services=10, quiz=3, handouts=2, seed=1)
    engine = enrolled_engine(core, city)
    report = engine.sync_once()
    assert report.error is None, report.error
    assert report.settled == 20
    assert_exactly_once(city, core.ledger)



def test_config_and_quiz_bank_updates_are_pulled_once_per_version(core, city):
    import json

    from sync.server.app import publish_distribution

    engine = enrolled_engine(core, city)
    event = core.config.event.id
    assert engine.pull_updates(event) == ["prize-claim-key"]      # nothing published yet: not an error; the
    assert engine.pull_updates(event) == []                       # event's claim key is made once, then 304
    publish_distribution(city.storage, event_id=event, name="quiz-bank", content={"questions": ["Q1"]})
    assert engine.sync_once(event_id=event).error is None
    assert json.loads(core.ledger.get_meta("pulled:quiz-bank")) == {"questions": ["Q1"]}
    assert core.ledger.get_meta("pulled:quiz-bank:version") == "1"
    assert engine.pull_updates(event) == []                       # same ETag: 304, nothing new
    publish_distribution(city.storage, event_id=event, name="quiz-bank", content={"questions": ["Q1", "Q2"]})
    publish_distribution(city.storage, event_id=event, name="config", content={"services": ["tcm"]})
    assert sorted(engine.pull_updates(event)) == ["config", "quiz-bank"]
    assert core.ledger.get_meta("pulled:quiz-bank:version") == "2"
