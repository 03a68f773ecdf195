from loopback import city, enrolled_engine, assert_exactly_once  # noqa: F401

from kiosk.simulate import simulate


def test_records_reach_the_city_exactly_once(core, city):
    simulate(core.booth, members=5, services=10, quiz=3, handouts=2, seed=1)
    engine = enrolled_engine(core, city)
    report = engine.sync_once()
    assert report.error is None, report.error
    assert report.settled == 20
    assert_exactly_once(city, core.ledger)

