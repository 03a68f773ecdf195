"""Corrections of a registration, field by field: each a new record with a reason, the registration never changed."""

from __future__ import annotations

import pytest

from booth_common.records import Kind
from booth_common.sealing import open_sealed
from booth_common.validation import id_check_char
from kiosk import corrections
from kiosk.errors import BoothError, InvalidInput, PhoneTaken
from kiosk.membership import RegistrationForm

ID17 = "11010519900307123"

# field -> (new value, what the correction record says about it)
CASES = {
    "name": ("李大伟", {"masked_name": "李*伟"}),
    "phone": ("13987654321", {"masked_phone": "*******4321"}),
    "employer": ("北京顺丰速运有限公司", {"employer": "北京顺丰速运有限公司"}),
    "occupation": ("truck-driver", {"occupation": "truck-driver"}),
    "district": ("海淀区", {"district": "海淀区"}),
    "street": ("中关村街道", {"street": "中关村街道"}),
}


@pytest.fixture
def member(booth):
    return booth.members.register(RegistrationForm(name="王小明", phone="13812345678", id_number=ID17 + id_check_char(ID17),
                                           occupation="courier", employer="美团", consent_given=True))


def test_every_field_the_core_supports_is_offered_on_screen():
    assert {f.key for f in corrections.FIELDS} == set(CASES)


@pytest.mark.parametrize("key", list(CASES))
def test_a_correction_is_a_new_record_with_its_reason_and_the_registration_stays(booth, member, key):
    value, changes = CASES[key]
    registration = booth.ledger.get(member.record_id)
    fix = booth.corrections.correct(member.record_id, key, value, reason="登记时填错")
    assert booth.ledger.get(member.record_id) == registration  # append-only: the original is untouched
    stored = booth.ledger.get(fix.id)
    assert stored.kind == Kind.CORRECTION and stored.refers_to == member.record_id
    assert stored.data == {"reason": "登记时填错", "changes": changes}
    shown = booth.corrections.current_values(member.record_id)
    assert shown[key] == next(iter(changes.values()))
    if corrections.field(key).personal:  # the clear value is sealed, never in the record's data
        assert value not in str(stored.data)
        envelope = booth.ledger.sealed_envelope(fix.id)
        assert envelope and open_sealed(envelope, booth.keys.device_private_key(), record_id=fix.id)[key] == value


@pytest.mark.parametrize("key", list(CASES))
def test_without_a_reason_nothing_is_written(booth, member, key):
    before = [r.id for r in booth.ledger.records()]
    with pytest.raises(InvalidInput):
        booth.corrections.correct(member.record_id, key, CASES[key][0], reason="  ")
    assert [r.id for r in booth.ledger.records()] == before


@pytest.mark.parametrize("key, bad", [("name", "X"), ("phone", "12345"), ("occupation", "astronaut"),
                                      ("district", "火星区"), ("district", ""), ("street", ""),
                                      ("employer", "单" * 61), ("street", "街\x07道")])
def test_a_bad_value_is_refused_with_a_message_and_nothing_written(booth, member, key, bad):
    before = [r.id for r in booth.ledger.records()]
    with pytest.raises(BoothError) as refused:
        booth.corrections.correct(member.record_id, key, bad, reason="更正")
    assert refused.value.zh and refused.value.en
    assert [r.id for r in booth.ledger.records()] == before


def test_a_corrected_phone_finds_the_member_and_another_members_phone_is_refused(booth, member):
    booth.corrections.correct(member.record_id, "phone", "139 8765 4321", reason="号码填错")
    assert booth.members.find_member(phone="13987654321").record_id == member.record_id
    other = booth.members.register(RegistrationForm(name="张三", phone="13700001111", id_number="11010519910307123" + id_check_char("11010519910307123"),
                                            occupation="courier", consent_given=True))
    with pytest.raises(PhoneTaken):
        booth.corrections.correct(other.record_id, "phone", "13987654321", reason="号码填错")


def test_later_corrections_win_and_a_voided_registration_cannot_be_corrected(booth, member):
    booth.corrections.correct(member.record_id, "street", "建外街道", reason="1")
    booth.corrections.correct(member.record_id, "street", "呼家楼街道", reason="2")
    assert booth.corrections.current_values(member.record_id)["street"] == "呼家楼街道"
    booth.corrections.void(member.record_id, "重复登记")
    with pytest.raises(BoothError):
        booth.corrections.correct(member.record_id, "street", "三里屯街道", reason="3")
