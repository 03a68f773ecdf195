"""Station mode in the core: each desk's records, vouchers, members-only card desk, undo as a void; scan timing."""

import pytest

from booth_common.records import Kind
from kiosk.booth import AlreadyReceived, BoothError, PassRequired, RegistrationForm
from kiosk.scanning import KeystrokeTiming
from kiosk.stations import (MemberOnly, NotAToken, Station, StationKind, UndoWindow, VoucherNotHere,
                            all_stations, record_at)
from booth_common.validation import id_check_char

ID17 = "11010519900307123"


@pytest.fixture
def member(booth):
    return booth.register(RegistrationForm(name="王小明", phone="13812345678", id_number=ID17 + id_check_char(ID17),
                                           occupation="courier", consent_given=True))


def test_every_service_and_the_three_desks_are_stations(booth):
    stations = all_stations(booth.config)
    assert len(stations) == len(booth.config.services) + 3
    assert {s.kind for s in stations} == set(StationKind)


def test_each_kind_of_station_writes_its_record(booth, member):
    p = member.pass_token
    assert record_at(booth, Station(StationKind.SERVICE, "tcm")).kind == Kind.SERVICE_USE
    assert record_at(booth, Station(StationKind.SERVICE, "tcm"), token=p.lower()).data["member"] == p
    assert record_at(booth, Station(StationKind.CONSULTATION), choice="rights").subject == "rights"
    assert record_at(booth, Station(StationKind.HANDOUT), choice="leaflet").subject == "leaflet"
    assert record_at(booth, Station(StationKind.CARD), token=p).kind == Kind.CARD_REQUEST
    with pytest.raises(MemberOnly):
        record_at(booth, Station(StationKind.CARD))
    with pytest.raises(NotAToken):
        record_at(booth, Station(StationKind.SERVICE, "tcm"), token="13812345678")
    with pytest.raises(VoucherNotHere):
        record_at(booth, Station(StationKind.SERVICE, "tcm"), token="UV1-ABCDEFGHJKMNPQRS")


def test_welfare_pack_one_per_member_at_the_handout_desk(booth, member):
    desk = Station(StationKind.HANDOUT)
    with pytest.raises(PassRequired):
        record_at(booth, desk, choice="welfare-pack")
    left = booth.stock_left("welfare-pack")
    record_at(booth, desk, choice="welfare-pack", token=member.pass_token)
    assert booth.stock_left("welfare-pack") == left - 1
    with pytest.raises(AlreadyReceived):
        record_at(booth, desk, choice="welfare-pack", token=member.pass_token)


def test_undo_voids_the_last_entry_only_within_the_window(booth):
    now = [0.0]
    undo = UndoWindow(seconds=30, clock=lambda: now[0])
    first = record_at(booth, Station(StationKind.SERVICE, "tcm"))
    undo.remember(first)
    void = undo.undo(booth)
    assert void.kind == Kind.VOID and void.refers_to == first.id
    assert booth.ledger.get(first.id).id == first.id  # still there: voided, never deleted
    assert booth.ledger.effective_subjects(Kind.SERVICE_USE).get("tcm", 0) == 0
    second = record_at(booth, Station(StationKind.SERVICE, "tcm"))
    undo.remember(second)
    now[0] = 31
    with pytest.raises(BoothError):
        undo.undo(booth)
    assert booth.ledger.effective_subjects(Kind.SERVICE_USE)["tcm"] == 1


@pytest.mark.parametrize("gaps, scanned", [([5] * 20, True), ([120] * 20, False), ([5] * 10 + [200] + [5] * 9, False),
                                            ([5] * 5, False)])
def test_scanner_is_told_from_typing_by_keystroke_gaps(gaps, scanned):
    timing = KeystrokeTiming()
    t = 0.0
    for gap in gaps:
        t += gap
        timing.key(t)
    assert timing.is_scan(t + gaps[-1]) is scanned
