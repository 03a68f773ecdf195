"""Membership (入会): who may join, who already is a member, and the registration itself.

``admit(form)`` answers "new" or "already a member" and whether to offer the member's pass — offered only
when the ID number and the phone both match the same member, so that knowing someone's phone (or ID
number) alone never shows their pass. The screens ask and show the answer; ``register`` applies the same rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from booth_common import tokens, validation
from booth_common.records import Kind, Record, new_record_id, utc_now_text
from kiosk import masking
from kiosk.errors import AlreadyRegistered, ConsentRequired, InvalidInput, UnknownPass
from kiosk.record_writer import Concept

PERSONAL_LOOKUPS = ("id_number", "phone")


@dataclass
class RegistrationForm:
    """What a worker entered; personal fields are plain text only until ``register`` seals them."""

    name: str = ""
    phone: str = ""
    id_number: str = ""
    occupation: str = ""
    employer: str = ""
    district: str = ""
    street: str = ""
    consent_given: bool = False
    oath_taken: bool = False
    extras: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CleanRegistration:
    name: str
    phone: str
    resident_id: validation.ResidentId
    occupation: str
    employer: str
    district: str
    street: str


@dataclass(frozen=True)
class MemberSummary:
    """What may be shown of a registration: masked forms and the pass token, nothing more."""

    record_id: str
    masked_name: str
    masked_phone: str
    pass_token: str
    registered_at: str


@dataclass(frozen=True)
class Admission:
    """The answer to "may this person join?": new (``member`` None), or already a member, with the member's
    pass offered only when the ID number and the phone are both that member's."""

    member: MemberSummary | None = None
    offer_pass: bool = False
    matched: tuple[str, ...] = ()  # which of "id_number" and "phone" are that member's (the screen says so)

    @property
    def is_new(self) -> bool:
        return self.member is None


class Membership(Concept):
    """Registrations: validation, the duplicate rule, lookup by ID number, phone, pass or masked name."""

    @contextmanager
    def detached(self) -> Iterator[Membership]:
        """Membership over a connection of its own, for a worker thread (a member search at a million records)."""
        with self.writer.detached() as writer:
            yield Membership(writer)

    def check_registration(self, form: RegistrationForm) -> tuple[CleanRegistration | None, list[validation.ValidationError]]:
        """Validate every field; the UI shows the errors live, ``register`` refuses on any."""
        errors: list[validation.ValidationError] = []
        reg = self.config.registration

        def attempt(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
            try:
                return fn(*args, **kwargs)
            except validation.ValidationError as exc:
                errors.append(exc)
                return None

        name = attempt(validation.validate_name, form.name)
        phone = attempt(validation.validate_mobile, form.phone)
        rid = attempt(validation.validate_resident_id, form.id_number, today=self.writer.today,
                      min_age=reg.min_age, max_age=reg.max_age)
        attempt(validation.validate_occupation, form.occupation, {o.id for o in reg.occupations})
        employer = attempt(validation.validate_free_text, form.employer, field="employer", limit=60)
        booth = self.writer.booth
        district = form.district or booth.district
        street = attempt(validation.validate_free_text, form.street or booth.street, field="street", limit=40)
        if errors:
            return None, errors
        return CleanRegistration(name, phone, rid, form.occupation, employer, district, street), []

    def id_document(self, id_number: str) -> validation.DocumentKind | None:
        """The document an ID number belongs to when it passes that kind's rules (the ID page names it), else None."""
        reg = self.config.registration
        try:
            checked = validation.validate_resident_id(id_number, today=self.writer.today, min_age=reg.min_age,
                                                      max_age=reg.max_age)
        except validation.ValidationError:
            return None
        return checked.kind

    def admit(self, form: RegistrationForm) -> Admission:
        """New, or already a member by ID number or phone; the pass is offered only when both match one member.
        A form that does not validate is "new" here: ``register`` refuses it with the reasons."""
        clean, _errors = self.check_registration(form)
        return Admission() if clean is None else self._admission(clean)

    def _admission(self, clean: CleanRegistration) -> Admission:
        by_id = self.find_member(id_number=clean.resident_id.number)
        by_phone = self.find_member(phone=clean.phone)
        member = by_id or by_phone
        if member is None:
            return Admission()
        both = by_id is not None and by_phone is not None and by_id.record_id == by_phone.record_id
        matched = ("id_number", "phone") if both else ("id_number",) if by_id is not None else ("phone",)
        return Admission(member, offer_pass=both, matched=matched)

    def find_member(self, *, phone: str | None = None, id_number: str | None = None) -> MemberSummary | None:
        """The registration matching a normalised phone or ID number, shown masked only."""
        for purpose, value in (("id_number", id_number), ("phone", phone)):
            if value:
                found = self.ledger.find_by_lookup(purpose, self.writer.lookup_hash(purpose, value))
                if found:
                    return self.summary(found[0])
        return None

    def member_by_pass(self, token: str) -> MemberSummary | None:
        found = self.ledger.find_by_lookup("pass", token)
        return self.summary(found[0]) if found else None

    def member_or_none(self, member_pass: str | None) -> str | None:
        """The pass if it is a member's here; None for no pass; ``UnknownPass`` for a pass nobody holds."""
        if member_pass is None:
            return None
        if self.member_by_pass(member_pass) is None:
            raise UnknownPass()
        return member_pass

    def search_members(self, query: str, *, limit: int = 20) -> list[MemberSummary]:
        """Members by a name (matched in its masked form, e.g. 王*明) or the last four phone digits;
        voided registrations left out, corrections applied."""
        text = query.strip()
        if not text:
            return []
        tail = text if text.isascii() and text.isdigit() and len(text) == 4 else None
        name = None if tail else (text if "*" in text else masking.mask_name(text))
        found: dict[str, MemberSummary] = {}
        for record in self.ledger.find_registrations(masked_name=name, phone_tail=tail, limit=limit):
            target = record.refers_to if record.kind == Kind.CORRECTION else record.id
            if target in found or self.ledger.is_voided(target):
                continue
            member = self.summary(self.ledger.get(target))
            if member.masked_name == name or (tail and member.masked_phone.endswith(tail)):
                found[target] = member
        return list(found.values())

    def register(self, form: RegistrationForm) -> MemberSummary:
        """Validate, check duplicates, seal and write one registration; returns the member's pass."""
        if not form.consent_given:
            raise ConsentRequired()
        clean, errors = self.check_registration(form)
        if errors:
            raise InvalidInput(errors)
        assert clean is not None
        admission = self._admission(clean)
        if admission.member is not None:
            raise AlreadyRegistered(admission.member, offer_pass=admission.offer_pass, matched=admission.matched)
        record_id = new_record_id()
        pass_token = tokens.new_pass_token()
        today = self.writer.today or dt.date.today()
        rid = clean.resident_id
        data = {
            "masked_name": masking.mask_name(clean.name),
            "masked_phone": masking.mask_phone(clean.phone),
            "masked_id_number": masking.mask_id_number(rid.number),
            "document_kind": rid.kind.value,
            "sex": rid.sex,
            "age": rid.age_on(today),
            "occupation": clean.occupation,
            "employer": clean.employer,
            "district": clean.district,
            "street": clean.street,
            "consent": {"notice_version": self.config.registration.notice_version, "given_at": utc_now_text()},
            "oath_taken": form.oath_taken,
            "pass_token": pass_token,
            "extras": dict(form.extras),
        }
        personal = {"name": clean.name, "phone": clean.phone, "id_number": rid.number}
        if rid.birth_date is not None:  # a foreign permanent residence ID tells none (booth_common/validation.py)
            personal["birth_date"] = rid.birth_date.isoformat()
        lookups = [("id_number", self.writer.lookup_hash("id_number", rid.number)),
                   ("phone", self.writer.lookup_hash("phone", clean.phone)),
                   ("pass", pass_token)]
        record = self.writer.write(Kind.REGISTRATION, data, record_id=record_id, subject=clean.occupation,
                                   personal=personal, lookups=lookups)
        return self.summary(record)

    def summary(self, record: Record) -> MemberSummary:
        """The member as corrected so far: a correction found by lookup leads back to its registration."""
        if record.kind == Kind.CORRECTION and record.refers_to:
            record = self.ledger.get(record.refers_to)
        data = dict(record.data)
        for later in self.ledger.references_to(record.id):
            if later.kind == Kind.CORRECTION:
                data.update(later.data["changes"])
        return MemberSummary(record.id, data["masked_name"], data["masked_phone"], data["pass_token"],
                             record.captured_at)
