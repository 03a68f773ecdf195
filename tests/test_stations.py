"""Station mode in the core: each desk's records, vouchers, members-only card desk, undo as a void; scan timing."""

import pytest

from booth_common import tokens
from booth_common.records import Kind
from booth_common.tokens import CodeKind
from booth_common.validation import id_check_char
from kiosk.errors import (AlreadyReceived, BoothError, MemberOnly, NotAToken, PassRequired, VoucherNotHere, VoucherUsed,
                          WrongCode)
from kiosk.membership import RegistrationForm
from kiosk.scanning import KeystrokeTiming
from kiosk.stations import Station, StationKind, UndoWindow, all_stations, enter_at, record_at

ID17 = "11010519900307123"


@pytest.fixture
def member(booth):
    return booth.members.register(RegistrationForm(name="王小明", phone="13812345678", id_number=ID17 + id_check_char(ID17),
                                           occupation="courier", consent_given=True))


def test_every_service_and_the_three_desks_are_stations(booth):
    stations = all_stations(booth.config)
    assert len(stations) == len(booth.config.services) + 3
    assert {s.kind for s in stations} == set(StationKind)


def test_each_kind_of_station_writes_its_record(booth, member):
    p = member.pass_token
    assert record_at(booth.desks, Station(StationKind.SERVICE, "tcm")).kind == Kind.SERVICE_USE
    assert record_at(booth.desks, Station(StationKind.SERVICE, "tcm"), token=p.lower()).data["member"] == p
    assert record_at(booth.desks, Station(StationKind.CONSULTATION), choice="rights").subject == "rights"
    assert record_at(booth.desks, Station(StationKind.HANDOUT), choice="leaflet").subject == "leaflet"
    assert record_at(booth.desks, Station(StationKind.CARD), token=p).kind == Kind.CARD_REQUEST
    with pytest.raises(MemberOnly):
        record_at(booth.desks, Station(StationKind.CARD))
    with pytest.raises(NotAToken):
        record_at(booth.desks, Station(StationKind.SERVICE, "tcm"), token="13812345678")
    with pytest.raises(VoucherNotHere):
        record_at(booth.desks, Station(StationKind.SERVICE, "tcm"), token="UV1-ABCDEFGHJKMNPQRS")


def test_welfare_pack_one_per_member_at_the_handout_desk(booth, member):
    desk = Station(StationKind.HANDOUT)
    with pytest.raises(PassRequired):
        record_at(booth.desks, desk, choice="welfare-pack")
    left = booth.desks.stock_left("welfare-pack")
    record_at(booth.desks, desk, choice="welfare-pack", token=member.pass_token)
    assert booth.desks.stock_left("welfare-pack") == left - 1
    with pytest.raises(AlreadyReceived):
        record_at(booth.desks, desk, choice="welfare-pack", token=member.pass_token)


def test_undo_voids_the_last_entry_only_within_the_window(booth):
    now = [0.0]
    undo = UndoWindow(seconds=30, clock=lambda: now[0])
    first = record_at(booth.desks, Station(StationKind.SERVICE, "tcm"))
    undo.remember(first)
    void = undo.undo(booth.corrections)
    assert void.kind == Kind.VOID and void.refers_to == first.id
    assert booth.ledger.get(first.id).id == first.id  # still there: voided, never deleted
    assert booth.ledger.effective_subjects(Kind.SERVICE_USE).get("tcm", 0) == 0
    second = record_at(booth.desks, Station(StationKind.SERVICE, "tcm"))
    undo.remember(second)
    now[0] = 31
    with pytest.raises(BoothError):
        undo.undo(booth.corrections)
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


# -- typed codes: every kind of code at every desk -----------------------------------------------------------

DESKS = [pytest.param((StationKind.SERVICE, "tcm", ""), id="service"),
         pytest.param((StationKind.CONSULTATION, "", "rights"), id="consultation"),
         pytest.param((StationKind.HANDOUT, "", "welfare-pack"), id="handout-welfare-pack"),
         pytest.param((StationKind.HANDOUT, "", "leaflet"), id="handout-leaflet"),
         pytest.param((StationKind.HANDOUT, "", "gift"), id="handout-gift"),
         pytest.param((StationKind.HANDOUT, "", "quiz-prize"), id="handout-quiz-prize"),
         pytest.param((StationKind.CARD, "", ""), id="card")]

# (code kind, desk id) -> what the desk does: the record it writes (kind, subject), or the refusal's Chinese text.
EXPECTED = {
    (CodeKind.MEMBER_PASS, "service"): ("service_use", "tcm"),
    (CodeKind.MEMBER_PASS, "consultation"): ("consultation", "rights"),
    (CodeKind.MEMBER_PASS, "handout-welfare-pack"): ("handout", "welfare-pack"),
    (CodeKind.MEMBER_PASS, "handout-leaflet"): ("handout", "leaflet"),
    (CodeKind.MEMBER_PASS, "handout-gift"): ("handout", "gift"),
    (CodeKind.MEMBER_PASS, "handout-quiz-prize"): "这是会员码，答题奖品须凭答题兑奖码领取",
    (CodeKind.MEMBER_PASS, "card"): ("card_request", "mutual-aid-card"),
    (CodeKind.QUIZ_VOUCHER, "service"): "这是答题兑奖码，请在发放台的答题奖品处兑换",
    (CodeKind.QUIZ_VOUCHER, "consultation"): "这是答题兑奖码，请在发放台的答题奖品处兑换",
    # at the handout desk a voucher is unambiguous: whatever item is chosen, it is the quiz prize
    (CodeKind.QUIZ_VOUCHER, "handout-welfare-pack"): ("handout", "quiz-prize"),
    (CodeKind.QUIZ_VOUCHER, "handout-leaflet"): ("handout", "quiz-prize"),
    (CodeKind.QUIZ_VOUCHER, "handout-gift"): ("handout", "quiz-prize"),
    (CodeKind.QUIZ_VOUCHER, "handout-quiz-prize"): ("handout", "quiz-prize"),
    (CodeKind.QUIZ_VOUCHER, "card"): "这是答题兑奖码，请在发放台的答题奖品处兑换",
}


def issued_code(booth, kind: CodeKind, member) -> str:  # type: ignore[no-untyped-def]
    """A real code of this kind: the member's pass, or a voucher issued by a passed quiz round."""
    if kind is CodeKind.MEMBER_PASS:
        return member.pass_token
    voucher = tokens.new_voucher_token()
    booth.prizes.record_quiz_attempt(questions=["q"], answers=[["A"]], score=5, passed=True, duration_s=60,
                              voucher=voucher, claimant_phone="13900002222")
    return voucher


def ledger_state(booth):  # type: ignore[no-untyped-def]
    """Every record id and every handout or voucher lookup: what a redemption would spend."""
    records = [r.id for r in booth.ledger.records()]
    spent = {r: booth.ledger.lookups_of(r) for r in records}
    return records, spent, booth.ledger.effective_subjects(Kind.HANDOUT)


def test_every_code_kind_and_desk_pair_has_an_expected_outcome():
    desk_ids = [p.id for p in DESKS]
    assert set(EXPECTED) == {(k, d) for k in CodeKind for d in desk_ids}


@pytest.mark.parametrize("kind", list(CodeKind))
@pytest.mark.parametrize("desk", DESKS)
def test_a_desk_takes_a_code_only_for_what_it_is_and_a_refusal_spends_nothing(booth, member, kind, desk):
    station_kind, service_id, choice = desk
    desk_id = next(p.id for p in DESKS if p.values[0] == desk)
    code = issued_code(booth, kind, member)
    expected = EXPECTED[(kind, desk_id)]
    before = ledger_state(booth)
    station = Station(station_kind, service_id)
    # a scanner may send lower case; the code is read for its kind all the same
    if isinstance(expected, str):
        with pytest.raises(WrongCode) as refused:
            enter_at(booth.desks, station, choice=choice, token=code.lower())
        assert refused.value.zh == expected and refused.value.en
        assert ledger_state(booth) == before  # nothing written, nothing spent
        return
    entry = enter_at(booth.desks, station, choice=choice, token=code.lower())
    records, _, handouts = ledger_state(booth)
    assert records == before[0] + [entry.record.id]  # exactly one new record
    written = booth.ledger.get(entry.record.id)
    assert (written.kind, written.subject) == expected
    assert entry.code.kind is kind
    assert entry.switched_to == (expected[1] if kind is CodeKind.QUIZ_VOUCHER and choice != expected[1] else None)
    if kind is CodeKind.QUIZ_VOUCHER:
        assert written.data["voucher"] == code and written.data["member"] is None
        assert ("voucher_redeemed", code) in booth.ledger.lookups_of(written.id)
        assert handouts == {"quiz-prize": 1}
        with pytest.raises(VoucherUsed):  # spent once, and only once
            enter_at(booth.desks, station, choice=choice, token=code)
    else:
        assert written.data["member"] == code


@pytest.mark.parametrize("desk", DESKS)
def test_text_that_is_no_code_is_refused_at_every_desk(booth, desk):
    station_kind, service_id, choice = desk
    before = ledger_state(booth)
    for text in ("13812345678", "UX1-ABCDEFGHJKMNPQRS", "UV1-ABC", "https://example.org/UM1-ABCDEFGHJKMNPQRS"):
        with pytest.raises(NotAToken):
            enter_at(booth.desks, Station(station_kind, service_id), choice=choice, token=text)
    assert ledger_state(booth) == before


def test_the_core_itself_never_spends_a_voucher_on_another_item_nor_gives_the_prize_without_one(booth, member):
    voucher = issued_code(booth, CodeKind.QUIZ_VOUCHER, member)
    before = ledger_state(booth)
    with pytest.raises(WrongCode):
        booth.desks.record_handout("welfare-pack", voucher=voucher)
    with pytest.raises(WrongCode):
        booth.desks.record_handout("quiz-prize", member_pass=member.pass_token)
    with pytest.raises(WrongCode):
        booth.desks.record_handout("quiz-prize")
    assert ledger_state(booth) == before


def test_each_code_says_what_it_is():
    assert tokens.parse_code(tokens.new_pass_token()).kind is CodeKind.MEMBER_PASS
    assert tokens.parse_code(tokens.new_voucher_token()).kind is CodeKind.QUIZ_VOUCHER
    assert tokens.parse_code(" uv1-abcdefghjkmnpqrs\n") == (CodeKind.QUIZ_VOUCHER, "UV1-ABCDEFGHJKMNPQRS")
    assert tokens.parse_code("UZ1-ABCDEFGHJKMNPQRS") is None
    assert {info.prefix for info in tokens.CODE_KINDS.values()} == {tokens.PASS_PREFIX, tokens.VOUCHER_PREFIX}
