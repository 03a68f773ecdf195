"""Membership.admit: new, or already a member, with the pass offered only when ID number and phone both match."""

from __future__ import annotations

import pytest

from booth_common.validation import id_check_char
from kiosk.errors import AlreadyRegistered
from kiosk.membership import RegistrationForm

ID = "11010519900307123" + id_check_char("11010519900307123")
OTHER_ID = "11010519850101234" + id_check_char("11010519850101234")


def form(**kw):
    base = dict(name="王小明", phone="13812345678", id_number=ID, occupation="courier", consent_given=True)
    return RegistrationForm(**{**base, **kw})


def test_a_new_person_is_new(booth):
    assert booth.members.admit(form()).is_new


@pytest.mark.parametrize("change, offered", [
    ({}, True),                                               # the same ID number and phone: the member's own pass
    ({"phone": "13900000000"}, False),                        # the ID number only
    ({"id_number": OTHER_ID}, False),                         # the phone only
    ({"id_number": OTHER_ID, "phone": "13900000000"}, None),  # neither: new
])
def test_the_pass_is_offered_only_when_id_number_and_phone_both_match(booth, change, offered):
    member = booth.members.register(form())
    admission = booth.members.admit(form(**change))
    if offered is None:
        assert admission.is_new and not admission.offer_pass
        return
    assert admission.member == member and admission.offer_pass is offered
    assert admission.matched == (("id_number", "phone") if offered else ("phone",) if "id_number" in change
                                 else ("id_number",))
    with pytest.raises(AlreadyRegistered) as refused:  # registering anyway: the same answer, nothing written
        booth.members.register(form(**change))
    assert refused.value.offer_pass is offered


def test_the_id_of_one_member_and_the_phone_of_another_offer_no_pass(booth):
    first = booth.members.register(form())
    booth.members.register(form(name="李大伟", phone="13900000000", id_number=OTHER_ID))
    admission = booth.members.admit(form(phone="13900000000"))  # first's ID, second's phone
    assert admission.member == first and not admission.offer_pass


def test_an_invalid_form_is_left_to_register_to_refuse(booth):
    assert booth.members.admit(form(id_number="123")).is_new


def test_a_replaced_configuration_reaches_every_concept(booth):
    """A configuration pulled from the city replaces the booth's (kiosk/live_config.py): every concept writes with it."""
    booth.config = booth.config._replace(event=booth.config.event._replace(id="another-event"))
    member = booth.members.register(form())
    use = booth.desks.record_service_use(booth.config.services[0].id, member_pass=member.pass_token)
    assert {booth.ledger.get(member.record_id).event_id, use.event_id} == {"another-event"}
    assert booth.members.config is booth.desks.config is booth.prizes.config is booth.corrections.config
