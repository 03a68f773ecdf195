import pytest

from kiosk.errors import (AlreadyReceived, AlreadyRegistered, CannotVoid, ConsentRequired, InvalidInput, OutOfStock,
                          PassRequired, UnknownPass)
from kiosk.membership import RegistrationForm
from booth_common.records import Kind
from booth_common.tokens import normalise_token
from booth_common.validation import id_check_char

ID = "11010519900307123" + id_check_char("11010519900307123")


def form(**kw):
    base = dict(name="王小明", phone="13812345678", id_number=ID, occupation="food-delivery", consent_given=True)
    base.update(kw)
    return RegistrationForm(**base)


def test_registration_is_written_with_masked_data_and_a_pass(booth):
    member = booth.members.register(form(employer="美团"))
    assert (member.masked_name, member.masked_phone) == ("王*明", "*******5678")
    assert normalise_token(member.pass_token) == member.pass_token and member.pass_token.isascii()
    record = booth.ledger.get(member.record_id)
    assert record.kind == Kind.REGISTRATION
    data = record.data
    assert data["sex"] == "male" and data["age"] >= 36 and data["district"] == "朝阳区"
    assert data["consent"]["notice_version"] == booth.config.registration.notice_version
    assert "13812345678" not in record.payload and ID not in record.payload


def test_without_consent_nothing_is_stored(booth):
    with pytest.raises(ConsentRequired):
        booth.members.register(form(consent_given=False))
    assert booth.ledger.status().total_records == 0


def test_every_bad_field_is_reported_at_once_and_nothing_written(booth):
    with pytest.raises(InvalidInput) as err:
        booth.members.register(form(name="王", phone="123", id_number="110105", occupation=""))
    assert {e.field for e in err.value.errors} == {"name", "phone", "id_number", "occupation"}
    assert booth.ledger.status().total_records == 0


@pytest.mark.parametrize("change", [dict(phone="13900000000"), dict(id_number="11010819850101456"
                                                                       + id_check_char("11010819850101456"))])
def test_same_id_number_or_phone_is_a_duplicate_shown_masked(booth, change):
    first = booth.members.register(form())
    again = form(**change)
    with pytest.raises(AlreadyRegistered) as err:
        booth.members.register(again)
    assert err.value.member.pass_token == first.pass_token
    assert "13812345678" not in err.value.zh and "王小明" not in err.value.zh
    assert booth.ledger.effective_counts()[Kind.REGISTRATION] == 1


def test_a_voided_registration_frees_the_person_to_register_again(booth):
    first = booth.members.register(form())
    booth.corrections.void(first.record_id, "录入错误")
    second = booth.members.register(form())
    assert second.record_id != first.record_id
    with pytest.raises(CannotVoid):
        booth.corrections.void(first.record_id, "again")
    with pytest.raises(InvalidInput):
        booth.corrections.void(second.record_id, "   ")


def test_one_welfare_pack_per_member_and_stock_goes_down(booth):
    member = booth.members.register(form())
    before = booth.desks.stock_left("welfare-pack")
    booth.desks.record_handout("welfare-pack", member_pass=member.pass_token)
    assert booth.desks.stock_left("welfare-pack") == before - 1
    with pytest.raises(AlreadyReceived):
        booth.desks.record_handout("welfare-pack", member_pass=member.pass_token)
    with pytest.raises(PassRequired):
        booth.desks.record_handout("welfare-pack")
    with pytest.raises(UnknownPass):
        booth.desks.record_handout("welfare-pack", member_pass="UM1-0000000000000000")


def test_out_of_stock_is_refused(booth, monkeypatch):
    monkeypatch.setattr(booth.desks, "stock_left", lambda item_id: 0)
    with pytest.raises(OutOfStock):
        booth.desks.record_handout("leaflet")


def test_voucher_is_redeemed_once(booth):
    booth.prizes.record_quiz_attempt(questions=["q1"], answers=[["A"]], score=5, passed=True, duration_s=60,
                              voucher="UV1-ABCDEFGHJKMNPQRS", claimant_phone="13812345678")
    assert booth.prizes.has_claimed_prize(phone="13812345678")
    assert not booth.prizes.has_claimed_prize(phone="13900000000")
    booth.desks.record_handout("quiz-prize", voucher="UV1-ABCDEFGHJKMNPQRS")
    with pytest.raises(AlreadyReceived):
        booth.desks.record_handout("quiz-prize", voucher="UV1-ABCDEFGHJKMNPQRS")
    with pytest.raises(UnknownPass):
        booth.desks.record_handout("quiz-prize", voucher="UV1-0000000000000000")


def test_correction_is_a_new_record_pointing_at_the_old(booth):
    member = booth.members.register(form())
    fix = booth.corrections.correct_registration(member.record_id, reason="职业选错", occupation="courier", phone="13900000001")
    assert fix.refers_to == member.record_id and fix.kind == Kind.CORRECTION
    assert fix.data["changes"] == {"occupation": "courier", "masked_phone": "*******0001"}
    assert booth.ledger.get(member.record_id).data["occupation"] == "food-delivery"  # never edited
    assert booth.members.find_member(phone="13900000001").record_id == member.record_id
