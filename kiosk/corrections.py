"""Corrections of a registration from the console: which fields may be corrected, their current values, one correction.

Every correction is a new record pointing at the registration (``BoothService.correct_registration``), with
a reason; the registration itself is never changed. The screen asks this module what may be corrected and
shows the answer.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from booth_common.records import Kind, Record
from kiosk.booth import BoothError, BoothService


class CorrectableField(NamedTuple):
    """A field of a registration a volunteer may correct; ``choices``: "" for free text, else where the
    allowed values come from ("occupations", "districts"). ``personal`` fields are sealed and shown masked."""

    key: str
    name: str
    name_en: str
    choices: str = ""
    personal: bool = False


FIELDS = (
    CorrectableField("name", "姓名", "Name", personal=True),
    CorrectableField("phone", "手机号", "Mobile number", personal=True),
    CorrectableField("employer", "工作单位", "Employer"),
    CorrectableField("occupation", "职业", "Occupation", choices="occupations"),
    CorrectableField("district", "所在区", "District", choices="districts"),
    CorrectableField("street", "街道/乡镇", "Sub-district / township"),
)
# What a registration's data calls each field (personal ones only in masked form).
_SHOWN_AS = {"name": "masked_name", "phone": "masked_phone"}


class PhoneTaken(BoothError):
    def __init__(self) -> None:
        super().__init__("此手机号已登记为另一位会员，未更正", "This mobile number belongs to another member: nothing was corrected")


def field(key: str) -> CorrectableField:
    return next(f for f in FIELDS if f.key == key)


def choices(booth: BoothService, key: str) -> list[tuple[str, str, str]]:
    """(value, Chinese, English) of a choice field's allowed values; [] for a free-text field."""
    source = field(key).choices
    if source == "occupations":
        return [(o.id, o.name, o.name_en) for o in booth.config.registration.occupations]
    if source == "districts":
        return [(d, d, d) for d in booth.config.registration.districts]
    return []


def current_values(booth: BoothService, record_id: str) -> dict[str, str]:
    """Each correctable field as it stands now (corrections applied; personal fields masked)."""
    registration = booth.ledger.get(record_id)
    data: dict[str, Any] = dict(registration.data)
    for later in booth.ledger.references_to(record_id):
        if later.kind == Kind.CORRECTION:
            data.update(later.data["changes"])
    return {f.key: str(data.get(_SHOWN_AS.get(f.key, f.key), "") or "") for f in FIELDS}


def correct(booth: BoothService, record_id: str, key: str, value: str, *, reason: str) -> Record:
    """One field corrected, with a reason; a phone already another member's is refused."""
    field(key)  # an unknown field is a programming error, not a volunteer's
    if key == "phone":
        owner = booth.find_member(phone=_digits_or_text(value))
        if owner is not None and owner.record_id != record_id:
            raise PhoneTaken()
    return booth.correct_registration(record_id, reason=reason, **{key: value})


def sample_query(booth: BoothService) -> str:
    """The masked name of the ledger's first valid registration (screenshots search for a real-looking member)."""
    voided = booth.ledger.voided_ids()
    first = next((r for r in booth.ledger.records(kind=Kind.REGISTRATION) if r.id not in voided), None)
    return first.data["masked_name"] if first else ""


def _digits_or_text(value: str) -> str:
    from booth_common.validation import ValidationError, validate_mobile

    try:
        return validate_mobile(value)
    except ValidationError:
        return value  # the correction itself reports the invalid number
