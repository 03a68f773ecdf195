"""Employer meetings (企业沟通会): an officer's visit to an enterprise, recorded, corrected and followed up.

The other half of 双沟通: the officer writes down the enterprise (name, 统一社会信用代码, industry, size),
whether it has a union, its workers and new-employment-form workers, the contact person (name and phone
sealed like a member's, only masked forms in the payload), the needs heard (tiles from the event
configuration plus free text), the 服务包 items agreed, the outcome and a follow-up date. A meeting is
never edited: a correction record points at it, a void takes it back. The follow-up list holds the
meetings whose follow-up date is near or past and those whose enterprise agreed to found a union.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from booth_common import masking, validation
from booth_common.records import Kind, Record
from kiosk.record_writer import Concept

MEETING_KIND = Kind.EMPLOYER_MEETING
MAX_WORKERS = 1_000_000
ENTERPRISE_NAME_MAX = 60
FOLLOW_UP_MAX_DAYS = 366
FOLLOW_UP_SOON_DAYS = 7
# Size bands by the number of workers (the officer's own count, not the statistical classification).
SIZE_BANDS = {"lt20": ("20人以下", "Under 20"), "20_99": ("20–99人", "20–99"), "100_299": ("100–299人", "100–299"),
              "300_999": ("300–999人", "300–999"), "ge1000": ("1000人及以上", "1,000 or more")}


class Outcome(StrEnum):
    AGREED_TO_FOUND = "agreed_to_found"
    WILL_CONSIDER = "will_consider"
    DECLINED = "declined"

    @property
    def zh(self) -> str:
        return OUTCOME_NAMES[self][0]

    @property
    def en(self) -> str:
        return OUTCOME_NAMES[self][1]


OUTCOME_NAMES = {Outcome.AGREED_TO_FOUND: ("同意建会", "Agreed to found a union"),
                 Outcome.WILL_CONSIDER: ("考虑中", "Will consider"),
                 Outcome.DECLINED: ("暂不建会", "Declined")}


@dataclass
class MeetingForm:
    """What the officer entered; the contact's name and phone are plain text only until sealed."""

    enterprise_name: str = ""
    uscc: str = ""
    industry: str = ""
    size_band: str = ""
    union_exists: bool = False
    workers: int | str = 0
    new_form_workers: int | str = 0
    contact_name: str = ""
    contact_phone: str = ""
    needs: list[str] = field(default_factory=list)
    needs_other: str = ""
    package: list[str] = field(default_factory=list)
    outcome: str = ""
    follow_up: str = ""      # YYYY-MM-DD or empty
    district: str = ""       # the enterprise's; the booth's when empty
    street: str = ""


@dataclass(frozen=True)
class EmployerMeeting:
    """A meeting as it stands after its corrections; the contact masked."""

    record_id: str
    captured_at: str
    enterprise_name: str
    uscc: str
    industry: str
    size_band: str
    union_exists: bool
    workers: int
    new_form_workers: int
    masked_contact_name: str
    masked_contact_phone: str
    needs: tuple[str, ...]
    needs_other: str
    package: tuple[str, ...]
    outcome: Outcome
    follow_up: dt.date | None
    district: str
    street: str
    corrections: int


class EmployerMeetings(Concept):
    """Records employer meetings through the booth's writer and reads them back as they stand."""

    @property
    def today(self) -> dt.date:
        """The day follow-ups are reckoned from (fixed in tests by the writer)."""
        return self.writer.today or dt.date.today()

    def check(self, form: MeetingForm) -> tuple[dict[str, Any] | None, dict[str, str] | None,
                                                list[validation.ValidationError]]:
        """(payload data, sealed fields, errors): every field checked, each error in both languages."""
        errors: list[validation.ValidationError] = []

        def attempt(fn: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except validation.ValidationError as exc:
                errors.append(exc)
                return None

        data = {
            "enterprise_name": attempt(validation.validate_free_text, form.enterprise_name, field="enterprise_name",
                                       limit=ENTERPRISE_NAME_MAX, required=True),
            "uscc": attempt(validation.validate_uscc, form.uscc),
            "industry": attempt(validation.validate_free_text, form.industry, field="industry", limit=40),
            "size_band": attempt(_choice, form.size_band, SIZE_BANDS, field="size_band"),
            "union_exists": bool(form.union_exists),
            "workers": attempt(validate_count, form.workers, field="workers"),
            "new_form_workers": attempt(validate_count, form.new_form_workers, field="new_form_workers"),
            "needs": attempt(_tiles, form.needs, self.needs_ids(), field="needs"),
            "needs_other": attempt(validation.validate_free_text, form.needs_other, field="needs_other"),
            "package": attempt(_tiles, form.package, self.package_ids(), field="package"),
            "outcome": attempt(_choice, form.outcome, {o.value: o for o in Outcome}, field="outcome"),
            "follow_up": attempt(self._follow_up, form.follow_up),
            "district": form.district.strip() or self.writer.booth.district,
            "street": attempt(validation.validate_free_text, form.street or self.writer.booth.street,
                              field="street", limit=40),
        }
        name = attempt(validation.validate_name, form.contact_name)
        phone = attempt(validation.validate_mobile, form.contact_phone)
        if errors:
            return None, None, errors
        data.update(masked_contact_name=masking.mask_name(name), masked_contact_phone=masking.mask_phone(phone))
        return data, {"contact_name": name, "contact_phone": phone}, []

    def record_meeting(self, form: MeetingForm) -> EmployerMeeting:
        """Validate, seal the contact and write one meeting; ``InvalidInput`` (nothing written) on any error."""
        data, personal, errors = self.check(form)
        if errors:
            raise _invalid(errors)
        assert data is not None
        record = self.writer.write(MEETING_KIND, data, subject=data["outcome"], personal=personal)
        return _meeting(record, [])

    def correct_meeting(self, record_id: str, *, reason: str, **fields: Any) -> Record:
        """Correct fields of a meeting: the meeting stays, a correction points at it (contact fields sealed)."""
        reason = _validated(validation.validate_free_text, reason, field="reason", required=True)
        target = self.ledger.get(record_id)
        if target.kind != MEETING_KIND or self.ledger.is_voided(record_id):
            raise _invalid([validation.ValidationError("record", "not_meeting", "只能更正有效的企业沟通会记录",
                                                       "Only a valid employer meeting can be corrected")])
        current = self._as_form(target, fields)
        data, personal, errors = self.check(current)
        if errors:
            raise _invalid(errors)
        assert data is not None and personal is not None
        for masked, given in (("masked_contact_name", "contact_name"), ("masked_contact_phone", "contact_phone")):
            if given not in fields:
                data.pop(masked)  # the placeholder's, not a change
        old = self._current_data(target)
        changes = {k: v for k, v in data.items() if old.get(k) != v}
        sealed = {k: personal[k] for k in ("contact_name", "contact_phone") if k in fields}
        if not changes and not sealed:
            raise _invalid([validation.ValidationError("changes", "required", "没有要更正的内容", "Nothing to correct")])
        return self.writer.write(Kind.CORRECTION, {"reason": reason, "changes": changes}, refers_to=record_id,
                                 subject=MEETING_KIND, personal=sealed or None)

    def meetings(self) -> list[EmployerMeeting]:
        """Every meeting not taken back, corrections applied, newest first."""
        ledger = self.ledger
        voided = ledger.voided_ids()
        found = [_meeting(r, [c for c in ledger.references_to(r.id) if c.kind == Kind.CORRECTION])
                 for r in ledger.records(kind=MEETING_KIND) if r.id not in voided]
        return sorted(found, key=lambda m: m.captured_at, reverse=True)

    def follow_ups(self, *, within_days: int = FOLLOW_UP_SOON_DAYS) -> list[EmployerMeeting]:
        """Meetings whose follow-up date is past or within ``within_days``, and those that agreed to found a
        union; soonest follow-up first (an agreement without a date last)."""
        horizon = self.today + dt.timedelta(days=within_days)
        due = [m for m in self.meetings() if (m.follow_up is not None and m.follow_up <= horizon)
               or m.outcome is Outcome.AGREED_TO_FOUND]
        return sorted(due, key=lambda m: (m.follow_up is None, m.follow_up or dt.date.max, m.enterprise_name))

    def is_overdue(self, meeting: EmployerMeeting) -> bool:
        return meeting.follow_up is not None and meeting.follow_up < self.today

    def needs_ids(self) -> list[str]:
        return [n.id for n in self.config.employer_needs]

    def package_ids(self) -> list[str]:
        return [p.id for p in self.config.employer_package]

    def _follow_up(self, text: str) -> str | None:
        text = text.strip()
        if not text:
            return None
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise validation.ValidationError("follow_up", "format", f"回访日期格式应为 年-月-日：{text[:20]}",
                                             "The follow-up date is written year-month-day (2026-12-01)") from None
        if not self.today <= day <= self.today + dt.timedelta(days=FOLLOW_UP_MAX_DAYS):
            raise validation.ValidationError("follow_up", "range", "回访日期应在今天至一年之内",
                                             "The follow-up date lies between today and one year from now")
        return day.isoformat()

    def _current_data(self, target: Record) -> dict[str, Any]:
        data = dict(target.data)
        for later in self.ledger.references_to(target.id):
            if later.kind == Kind.CORRECTION:
                data.update(later.data["changes"])
        return data

    def _as_form(self, target: Record, fields: dict[str, Any]) -> MeetingForm:
        """The meeting as it stands with ``fields`` changed; the contact, unknown here (sealed), is checked only
        when given, otherwise stands in as a valid placeholder whose masked form is the stored one's."""
        unknown = set(fields) - set(MeetingForm.__dataclass_fields__)
        if unknown:
            raise ValueError(f"not meeting fields: {sorted(unknown)}")
        data = self._current_data(target)
        base = {k: data.get(k) for k in MeetingForm.__dataclass_fields__ if k in data}
        base["follow_up"] = data.get("follow_up") or ""
        base.setdefault("needs_other", "")
        form = MeetingForm(**{**base, "contact_name": "占位", "contact_phone": "13800000000", **fields})
        return form


def validate_count(raw: int | str, *, field: str) -> int:
    """A number of workers: a whole number from 0 to a million."""
    text = str(raw).strip()
    if not text.isascii() or not text.isdigit():
        raise validation.ValidationError(field, "number", "请输入整数人数", "Enter a whole number of people")
    value = int(text)
    if value > MAX_WORKERS:
        raise validation.ValidationError(field, "too_many", f"人数不能超过{MAX_WORKERS}",
                                         f"At most {MAX_WORKERS:,} people")
    return value


def _choice(value: str, allowed: dict[str, Any], *, field: str) -> str:
    if value not in allowed:
        raise validation.ValidationError(field, "required", "请选择一项", "Please choose one")
    return value


def _tiles(values: list[str], allowed: list[str], *, field: str) -> list[str]:
    if not isinstance(values, list) or any(v not in allowed for v in values):
        raise validation.ValidationError(field, "unknown", "含有未配置的选项", "Contains an option the event does not offer")
    return [v for v in allowed if v in values]  # configuration order, each once


def _meeting(record: Record, corrections: list[Record]) -> EmployerMeeting:
    data = dict(record.data)
    for correction in sorted(corrections, key=lambda r: r.seq):
        data.update(correction.data["changes"])
    follow = data.get("follow_up")
    return EmployerMeeting(
        record.id, record.captured_at, data["enterprise_name"], data["uscc"], data.get("industry", ""),
        data["size_band"], bool(data["union_exists"]), int(data["workers"]), int(data["new_form_workers"]),
        data["masked_contact_name"], data["masked_contact_phone"], tuple(data.get("needs", ())),
        data.get("needs_other", ""), tuple(data.get("package", ())), Outcome(data["outcome"]),
        dt.date.fromisoformat(follow) if follow else None, data.get("district", ""), data.get("street", ""),
        len(corrections))


def _invalid(errors: list[validation.ValidationError]) -> Exception:
    from kiosk.errors import InvalidInput  # the booth's refusal, shown by the console like every other

    return InvalidInput(errors)


def _validated(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except validation.ValidationError as exc:
        raise _invalid([exc]) from None
