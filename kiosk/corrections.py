"""Corrections: which fields of a registration may be corrected, their current values, a correction, a void.

Every correction or void is a new record pointing at the one it changes, with a reason; the record itself is
never changed. The console's member screen asks ``Corrections`` what may be corrected and shows the answer.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from booth_common import validation
from booth_common.records import Kind, Record
from kiosk import masking
from kiosk.errors import CannotVoid, InvalidInput, PhoneTaken
from kiosk.record_writer import Concept, validated


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


def field(key: str) -> CorrectableField:
    return next(f for f in FIELDS if f.key == key)


class Corrections(Concept):
    """Voids and corrections, each with a reason, each a new record; and what the screen needs to offer them."""

    def choices(self, key: str) -> list[tuple[str, str, str]]:
        """(value, Chinese, English) of a choice field's allowed values; [] for a free-text field."""
        source = field(key).choices
        if source == "occupations":
            return [(o.id, o.name, o.name_en) for o in self.config.registration.occupations]
        if source == "districts":
            return [(d, d, d) for d in self.config.registration.districts]
        return []

    def current_values(self, record_id: str) -> dict[str, str]:
        """Each correctable field as it stands now (corrections applied; personal fields masked)."""
        registration = self.ledger.get(record_id)
        data: dict[str, Any] = dict(registration.data)
        for later in self.ledger.references_to(record_id):
            if later.kind == Kind.CORRECTION:
                data.update(later.data["changes"])
        return {f.key: str(data.get(_SHOWN_AS.get(f.key, f.key), "") or "") for f in FIELDS}

    def correct(self, record_id: str, key: str, value: str, *, reason: str) -> Record:
        """One field corrected, with a reason; a phone already another member's is refused."""
        field(key)  # an unknown field is a programming error, not a volunteer's
        if key == "phone":
            owner = self.members.find_member(phone=_digits_or_text(value))
            if owner is not None and owner.record_id != record_id:
                raise PhoneTaken()
        return self.correct_registration(record_id, reason=reason, **{key: value})

    def sample_query(self) -> str:
        """The masked name of the ledger's first valid registration (screenshots search for a real-looking member)."""
        voided = self.ledger.voided_ids()
        first = next((r for r in self.ledger.records(kind=Kind.REGISTRATION) if r.id not in voided), None)
        return first.data["masked_name"] if first else ""

    def void(self, record_id: str, reason: str) -> Record:
        """Take a record back with a reason: a new record, never a delete."""
        reason = _reason(reason)
        target = self.ledger.get(record_id)
        if target.kind in (Kind.VOID, Kind.CORRECTION):
            raise CannotVoid("更正或作废记录本身不能作废", "A correction or void cannot itself be voided")
        if self.ledger.is_voided(record_id):
            raise CannotVoid("该记录已作废", "This record is already void")
        return self.writer.write(Kind.VOID, {"reason": reason, "target_kind": target.kind}, refers_to=record_id,
                                 subject=target.kind)

    def correct_registration(self, record_id: str, *, reason: str, name: str | None = None,
                             phone: str | None = None, occupation: str | None = None,
                             employer: str | None = None, district: str | None = None,
                             street: str | None = None) -> Record:
        """Correct fields of a registration: the old record stays, the correction points at it."""
        reason = _reason(reason)
        target = self.ledger.get(record_id)
        if target.kind != Kind.REGISTRATION or self.ledger.is_voided(record_id):
            raise CannotVoid("只能更正有效的入会登记", "Only a valid registration can be corrected")
        changes: dict[str, Any] = {}
        personal: dict[str, str] = {}
        lookups: list[tuple[str, str]] = []
        if name is not None:
            personal["name"] = validated(validation.validate_name, name)
            changes["masked_name"] = masking.mask_name(personal["name"])
        if phone is not None:
            personal["phone"] = validated(validation.validate_mobile, phone)
            changes["masked_phone"] = masking.mask_phone(personal["phone"])
            lookups.append(("phone", self.writer.lookup_hash("phone", personal["phone"])))
        if occupation is not None:
            if occupation not in {o.id for o in self.config.registration.occupations}:
                raise InvalidInput([validation.ValidationError("occupation", "unknown", "未知职业", "Unknown occupation")])
            changes["occupation"] = occupation
        if employer is not None:
            changes["employer"] = validated(validation.validate_free_text, employer, field="employer", limit=60)
        changes.update(self._place_changes(district, street))
        if not changes:
            raise InvalidInput([validation.ValidationError("changes", "required", "没有要更正的内容", "Nothing to correct")])
        return self.writer.write(Kind.CORRECTION, {"reason": reason, "changes": changes}, refers_to=record_id,
                                 subject=target.kind, personal=personal or None, lookups=lookups)

    def _place_changes(self, district: str | None, street: str | None) -> dict[str, str]:
        """A corrected district (one of the configured ones) and street (free text, as at registration)."""
        changes: dict[str, str] = {}
        if district is not None:
            known = self.config.registration.districts
            if not district or (known and district not in known):
                raise InvalidInput([validation.ValidationError("district", "unknown", "请选择所在区", "Please choose a district")])
            changes["district"] = district
        if street is not None:
            changes["street"] = validated(validation.validate_free_text, street, field="street", limit=40, required=True)
        return changes


def _reason(reason: str) -> str:
    return validated(validation.validate_free_text, reason, field="reason", limit=200, required=True)


def _digits_or_text(value: str) -> str:
    from booth_common.validation import ValidationError, validate_mobile

    try:
        return validate_mobile(value)
    except ValidationError:
        return value  # the correction itself reports the invalid number
