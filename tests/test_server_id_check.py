"""The city server refuses a registration whose identity number the kiosk's own rules refuse (same code,
booth_common/validation.py): a kiosk of an older version, or one made to lie, cannot put such a number
into the member list. The record stays on the kiosk, parked with the reason; the reason never holds the number."""

import random

import pytest

from booth_common import validation
from booth_common.validation import DocumentKind, ResidentId, id_check_char
from city_helpers import ADMIN_TOKEN, EVENT, Kiosk, admin_city  # noqa: F401 (admin_city is a fixture)
from kiosk.simulate import fake_registration
from sync.server.members import collect_members


@pytest.fixture
def kiosk(tmp_path, admin_city):
    made = Kiosk(tmp_path / "kiosk", admin_city, booth_id="cy-wangjing")
    yield made
    made.close()


def _register(kiosk, number):
    form = fake_registration(random.Random(number), kiosk.booth)
    form.id_number = number
    return kiosk.booth.members.register(form)


def _sync(kiosk):
    return kiosk.engine.sync_once(attempts=1, event_id=EVENT)


def _parked(kiosk):
    return kiosk.core.ledger.db.execute(
        "SELECT r.id, o.last_error FROM outbox o JOIN records r ON r.seq = o.seq WHERE o.state = 'needs_attention'"
    ).fetchall()


def _lenient(raw, **_kwargs):
    """What an older kiosk did: only the first two digits and the check character."""
    number = raw.strip().upper()
    assert number[:2] in {"11", "12", "81", "82", "83"} and id_check_char(number[:17]) == number[17]
    return ResidentId(number, None, None, DocumentKind.RESIDENT_ID)


def test_a_number_the_kiosk_rules_refuse_is_refused_by_the_server_too(kiosk, admin_city, monkeypatch):
    good = _register(kiosk, "110105199003071239")
    bad_number = "11019919900307123" + id_check_char("11019919900307123")  # 110199 names no county
    monkeypatch.setattr(validation, "validate_resident_id", _lenient)
    bad = _register(kiosk, bad_number)
    report = _sync(kiosk)
    assert report.parked == 1
    [(record_id, reason)] = _parked(kiosk)
    assert record_id == bad.record_id
    assert "identity number refused by the kiosk's own rules (region)" in reason and bad_number[:6] not in reason
    members, problems = collect_members(admin_city.storage, EVENT, city_key=admin_city.city_key)
    assert [m["record_id"] for m in members] == [good.record_id] and problems == []


def test_a_registration_claiming_another_document_kind_is_refused(kiosk, admin_city, monkeypatch):
    number = "110105199003071239"
    monkeypatch.setattr(validation, "validate_resident_id",
                        lambda raw, **_: ResidentId(number, None, None, DocumentKind.FOREIGN_PERMANENT_RESIDENCE))
    _register(kiosk, number)
    assert _sync(kiosk).parked == 1
    [(_, reason)] = _parked(kiosk)
    assert reason.endswith("payload document_kind 'foreign_permanent_residence' is not the kind of the sealed number "
                           "(resident_id)")


@pytest.mark.parametrize("number", ["110105199003071239", "830000199003071230", "931000840198001018"])
def test_every_kind_the_kiosk_accepts_the_server_accepts(kiosk, admin_city, number):
    member = _register(kiosk, number)
    report = _sync(kiosk)
    assert report.parked == 0 and report.pending == 0
    members, _ = collect_members(admin_city.storage, EVENT, city_key=admin_city.city_key)
    assert [(m["record_id"], m["id_number"]) for m in members] == [(member.record_id, number)]
