"""The service layer: every fact a booth captures goes through ``BoothService`` into the ledger.

The kiosk screens, the volunteer console and ``kiosk simulate`` all call these methods, so
validation, sealing and the outbox are the same whoever captures a record. Refusals are
``BoothError`` subclasses carrying a message in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Any

from booth_common import tokens, validation
from booth_common.records import Kind, Record, new_record_id, utc_now_text
from booth_common.sealing import KeyRing, Sealer, key_id, keyed_hash, public_key_from_text
from kiosk import masking
from kiosk.config import Booth, Config, ConfigError
from kiosk.ledger import Ledger, PurgeIncomplete, SealedField
from kiosk.retention import (PersonalDataOnDevice, SyncStillRunning, personal_data_now, purge_now,
                             start_of_local_day_utc)
from kiosk.vault import Vault


class BoothError(Exception):
    """A request the booth refuses, with a reason to show in both languages."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


class ConsentRequired(BoothError):
    def __init__(self) -> None:
        super().__init__("未同意个人信息告知，未保存任何信息", "Consent was not given; nothing was stored")


class InvalidInput(BoothError):
    """One or more fields failed validation; nothing was written."""

    def __init__(self, errors: list[validation.ValidationError]):
        super().__init__("；".join(e.zh for e in errors), "; ".join(e.en for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class MemberSummary:
    """What may be shown of a registration: masked forms and the pass token, nothing more."""

    record_id: str
    masked_name: str
    masked_phone: str
    pass_token: str
    registered_at: str


class AlreadyRegistered(BoothError):
    def __init__(self, member: MemberSummary):
        super().__init__(f"您已登记（{member.masked_name}，{member.masked_phone}）",
                         f"You are already registered ({member.masked_name}, {member.masked_phone})")
        self.member = member


class UnknownPass(BoothError):
    def __init__(self) -> None:
        super().__init__("无法识别的会员码或兑奖码", "This member pass or voucher is not known at this booth")


class AlreadyReceived(BoothError):
    def __init__(self, item_name: str, item_name_en: str):
        super().__init__(f"每位会员限领一份{item_name}，此会员已领取",
                         f"One {item_name_en} per member: this member already received one")


class OutOfStock(BoothError):
    def __init__(self, item_name: str, item_name_en: str):
        super().__init__(f"{item_name}已发完", f"{item_name_en}: out of stock")


class PassRequired(BoothError):
    def __init__(self, item_name: str, item_name_en: str):
        super().__init__(f"{item_name}每人限领一份，请扫描会员码或兑奖码",
                         f"{item_name_en} is one per person: scan a member pass or voucher")


class CannotVoid(BoothError):
    pass


class WrongCode(BoothError):
    """A code of a kind this desk or item does not take (``booth_common.tokens.CodeKind``); nothing was spent.
    ``switch_to``: the handout item the code is for, when the desk can switch to it."""

    def __init__(self, zh: str, en: str, *, switch_to: str | None = None):
        super().__init__(zh, en)
        self.switch_to = switch_to


class VoucherUsed(AlreadyReceived):
    def __init__(self) -> None:  # said of the voucher, not of a member: a voucher holder need not be one
        BoothError.__init__(self, "此兑奖码已兑换过", "This voucher has already been redeemed")


class KioskLocked(BoothError):
    """The lookup key is wrapped by the volunteer PIN and the kiosk has not been unlocked since it started."""

    def __init__(self) -> None:
        super().__init__("服务台尚未解锁：请志愿者输入密码后再登记", "The kiosk is locked: a volunteer must enter the PIN first")


class PurgeFailed(BoothError):
    """A purge that did not wipe everything it should have; the volunteer is told, never shown a count."""

    @classmethod
    def incomplete(cls, deleted: int) -> PurgeFailed:
        return cls(f"清除未完成：{deleted} 条记录的个人信息已删除，但另一个程序仍在读取数据，旧数据尚未从文件中抹去。"
                   "请关闭其他程序后再清除一次。",
                   f"Purge incomplete: personal data of {deleted} records deleted, but another program is still "
                   "reading the ledger and the old bytes are not yet wiped from the file. Close it and purge again.")

    @classmethod
    def sync_running(cls) -> PurgeFailed:
        return cls("正在同步，未清除任何信息：请稍后再试", "A sync is running; nothing was purged. Try again shortly")


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


PERSONAL_LOOKUPS = ("id_number", "phone")
BOOTH_PROFILE_META = "booth_profile"


class BoothService:
    """Captures records for one event at one booth through one ledger connection."""

    def __init__(self, ledger: Ledger, config: Config, keys: KeyRing, vault: Vault, *, today: dt.date | None = None):
        self.ledger, self.config, self.keys, self.vault = ledger, config, keys, vault
        self._today = today
        self._lookups_day = ""
        self._sealer, self._sealer_key_text, self._key_id = None, "", ""
        from kiosk.employers import EmployerMeetings

        self.employers = EmployerMeetings(self)

    @contextmanager
    def detached(self) -> Iterator[BoothService]:
        """This booth over a connection of its own, for a worker thread (an SQLite connection belongs to
        the thread that opened it; kiosk/ui/background.py runs slow work this way)."""
        ledger = Ledger(self.ledger.path, vault=self.vault)
        try:
            yield BoothService(ledger, self.config, self.keys, self.vault, today=self._today)
        finally:
            ledger.close()

    @property
    def event_id(self) -> str:
        return self.config.event.id

    @property
    def booth_id(self) -> str:
        return self.ledger.get_meta("booth_id") or self.config.booth.id

    @property
    def booth(self) -> Booth:
        """The booth as set up on this device (the console's setup screen), else as configured."""
        saved = self.ledger.get_meta(BOOTH_PROFILE_META)
        return self.config.booth._replace(**json.loads(saved)) if saved else self.config.booth

    @property
    def is_set_up(self) -> bool:
        return self.ledger.get_meta(BOOTH_PROFILE_META) is not None

    def set_up_booth(self, profile: dict[str, str], *, device_name: str) -> Record:
        """Store the booth's setup (names, district, venue type) and keep the setup itself as a record."""
        unknown = set(profile) - set(Booth._fields)
        if unknown:
            raise ValueError(f"not booth fields: {sorted(unknown)}")
        record = self._write(Kind.AUDIT, {"action": "booth_setup", "booth": profile, "device_name": device_name},
                             subject="booth_setup")
        self.ledger.set_meta("device_name", device_name)
        self.ledger.set_meta(BOOTH_PROFILE_META, json.dumps(profile, ensure_ascii=False, sort_keys=True))
        return record

    def reload_seal_key(self) -> None:
        """Nothing to do: the sealing key is read from the key ring at every write (kept for callers)."""

    def _lookup_key(self) -> bytes:
        """Today's lookup key from the open vault (``KioskLocked`` before the volunteer unlocked the kiosk).
        On a new day the hashes of earlier days are deleted from the ledger: their key is gone too."""
        key = self.vault.lookup_key()
        if key is None:
            raise KioskLocked()
        day = self.vault.today().isoformat()
        if day != self._lookups_day:
            self.ledger.expire_day_lookups(before=start_of_local_day_utc(self.vault.today()))
            self._lookups_day = day
        return key

    def _current_sealer(self) -> Sealer:
        """The sealer for the key the key ring holds now. Read at every write, never kept from the start:
        ``kiosk enroll`` in another process may have swapped the device key for the city's and destroyed
        the device key, and an envelope sealed to that key afterwards could never be opened."""
        text = self.keys.seal_public_text()
        if self._sealer is None or text != self._sealer_key_text:
            self._sealer, self._sealer_key_text = Sealer(public_key_from_text(text)), text
            self._key_id = _key_id(text)
        return self._sealer

    # -- membership ---------------------------------------------------------------------

    def check_registration(self, form: RegistrationForm) -> tuple[CleanRegistration | None, list[validation.ValidationError]]:
        """Validate every field; the UI shows the errors live, ``register`` refuses on any."""
        errors: list[validation.ValidationError] = []
        reg = self.config.registration

        def attempt(fn: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except validation.ValidationError as exc:
                errors.append(exc)
                return None

        name = attempt(validation.validate_name, form.name)
        phone = attempt(validation.validate_mobile, form.phone)
        rid = attempt(validation.validate_resident_id, form.id_number, today=self._today,
                      min_age=reg.min_age, max_age=reg.max_age)
        attempt(validation.validate_occupation, form.occupation, {o.id for o in reg.occupations})
        employer = attempt(validation.validate_free_text, form.employer, field="employer", limit=60)
        district = form.district or self.booth.district
        street = attempt(validation.validate_free_text, form.street or self.booth.street, field="street", limit=40)
        if errors:
            return None, errors
        return CleanRegistration(name, phone, rid, form.occupation, employer, district, street), []

    def id_document(self, id_number: str) -> validation.DocumentKind | None:
        """The document an ID number belongs to when it passes that kind's rules (the ID page names it), else None."""
        reg = self.config.registration
        try:
            checked = validation.validate_resident_id(id_number, today=self._today, min_age=reg.min_age,
                                                      max_age=reg.max_age)
        except validation.ValidationError:
            return None
        return checked.kind

    def find_member(self, *, phone: str | None = None, id_number: str | None = None) -> MemberSummary | None:
        """The registration matching a normalised phone or ID number, shown masked only."""
        for purpose, value in (("id_number", id_number), ("phone", phone)):
            if value:
                found = self.ledger.find_by_lookup(purpose, keyed_hash(self._lookup_key(), purpose, value))
                if found:
                    return self._summary(found[0])
        return None

    def member_by_pass(self, token: str) -> MemberSummary | None:
        found = self.ledger.find_by_lookup("pass", token)
        return self._summary(found[0]) if found else None

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
            member = self._summary(self.ledger.get(target))
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
        existing = self.find_member(phone=clean.phone, id_number=clean.resident_id.number)
        if existing:
            raise AlreadyRegistered(existing)
        record_id = new_record_id()
        pass_token = tokens.new_pass_token()
        today = self._today or dt.date.today()
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
        lookups = [("id_number", keyed_hash(self._lookup_key(), "id_number", rid.number)),
                   ("phone", keyed_hash(self._lookup_key(), "phone", clean.phone)),
                   ("pass", pass_token)]
        record = self._write(Kind.REGISTRATION, data, record_id=record_id, subject=clean.occupation,
                             personal=personal, lookups=lookups)
        return self._summary(record)

    # -- desks --------------------------------------------------------------------------

    def record_consultation(self, topic_id: str, *, member_pass: str | None = None, note: str = "") -> Record:
        if topic_id not in {t.id for t in self.config.consultation_topics}:
            raise ConfigError(self.config.path, "consultation_topics", f"no topic with id {topic_id!r}")
        note = self._clean_note(note)
        member = self._member_or_none(member_pass)
        return self._write(Kind.CONSULTATION, {"topic": topic_id, "member": member},
                           subject=topic_id, personal={"note": note} if note else None)

    def record_service_use(self, service_id: str, *, member_pass: str | None = None) -> Record:
        self.config.service(service_id)
        member = self._member_or_none(member_pass)
        return self._write(Kind.SERVICE_USE, {"service": service_id, "member": member}, subject=service_id)

    def record_card_request(self, member_pass: str) -> Record:
        """A member applied for the mutual-aid service card (互助服务卡) at the bank desk."""
        member = self._member_or_none(member_pass)
        if member is None:
            raise UnknownPass()
        return self._write(Kind.CARD_REQUEST, {"member": member}, subject="mutual-aid-card")

    def stock_left(self, item_id: str) -> int:
        item = self.config.handout(item_id)
        return item.stock - self.ledger.effective_subjects(Kind.HANDOUT).get(item_id, 0)

    def record_handout(self, item_id: str, *, member_pass: str | None = None, voucher: str | None = None) -> Record:
        """One item handed out; one-per-member items need a pass or a voucher, each used once. A quiz voucher
        is for the quiz prize only, and the quiz prize is for a voucher only."""
        item = self.config.handout(item_id)
        is_prize = bool(self.config.quiz.prize_item) and item_id == self.config.quiz.prize_item
        if (voucher is not None) != is_prize:
            raise WrongCode(*(("兑奖码只能兑换答题奖品", "A voucher is for the quiz prize only") if voucher is not None
                              else ("答题奖品须凭答题兑奖码领取", "The quiz prize is given for a quiz voucher only")))
        if self.stock_left(item_id) <= 0:
            raise OutOfStock(item.name, item.name_en)
        member = self._member_or_none(member_pass)
        lookups: list[tuple[str, str]] = []
        if voucher is not None:
            if not self.ledger.find_by_lookup("voucher", voucher):
                raise UnknownPass()
            if self.ledger.find_by_lookup("voucher_redeemed", voucher):
                raise VoucherUsed()
            lookups.append(("voucher_redeemed", voucher))
        if item.one_per_member:
            if member is None and voucher is None:
                raise PassRequired(item.name, item.name_en)
            if member is not None:
                if self.ledger.find_by_lookup(f"handout:{item_id}", member):
                    raise AlreadyReceived(item.name, item.name_en)
                lookups.append((f"handout:{item_id}", member))
        return self._write(Kind.HANDOUT, {"item": item_id, "member": member, "voucher": voucher},
                           subject=item_id, lookups=lookups)

    def record_quiz_attempt(self, *, questions: list[str], answers: list[list[str]], score: int, passed: bool,
                            duration_s: float, voucher: str | None = None, claimant_phone: str | None = None,
                            claimant_pass: str | None = None, completed: bool = True,
                            city_claim: str | None = None, claim_keys: Sequence[str] = ()) -> Record:
        """A quiz round, finished or abandoned; a voucher (if a prize was claimed) becomes redeemable at the handout desk.
        With a voucher, ``city_claim`` says how the city-wide check went and ``claim_keys`` are the event-keyed
        hashes it was filed under, so the city server can find double claims once this record is synced.

        The claim keys are sealed to the city key with the record, never in its payload: the payload stays on
        the device, and a thief who also got the event's claim key (the device token fetches it) could test
        every phone number against them. ``data["claim_keys"]`` says only how many there are."""
        lookups: list[tuple[str, str]] = []
        data = {"questions": questions, "answers": answers, "score": score, "passed": passed,
                "duration_s": round(duration_s, 1), "prize_voucher": voucher, "completed": completed}
        personal = None
        if voucher is not None:
            lookups.append(("voucher", voucher))
            lookups.extend(("prize_claim", key) for key in self._claim_keys(claimant_phone, claimant_pass))
            data.update(city_claim=city_claim or "booth", claim_keys=len(claim_keys))
            personal = {"claim_keys": list(claim_keys)} if claim_keys else None
        subject = ("passed" if passed else "failed") if completed else "abandoned"
        return self._write(Kind.QUIZ_ATTEMPT, data, subject=subject, lookups=lookups, personal=personal)

    def has_claimed_prize(self, *, phone: str | None = None, member_pass: str | None = None) -> bool:
        """Whether this person already claimed a prize, by the same phone, the same pass, or the other one of a member."""
        return any(self.ledger.find_by_lookup("prize_claim", k) for k in self._claim_keys(phone, member_pass))

    def prize_vouchers_outstanding(self) -> int:
        """Vouchers issued by valid quiz attempts and not yet redeemed: prizes promised but still on the shelf."""
        voided = self.ledger.voided_ids()
        issued = {r.data.get("prize_voucher") for r in self.ledger.records(kind=Kind.QUIZ_ATTEMPT) if r.id not in voided}
        issued.discard(None)
        return sum(1 for v in issued if not self.ledger.find_by_lookup("voucher_redeemed", v))

    def _claim_keys(self, phone: str | None, member_pass: str | None) -> list[str]:
        """Every key one person's prize claim is filed under: the phone's keyed hash, the pass, and (for a member)
        the other of the two, so a claim by phone blocks a later claim by that member's pass and vice versa."""
        keys: list[str] = []
        if phone:
            keys.append(keyed_hash(self._lookup_key(), "phone", phone))
            member = self.find_member(phone=phone)
            if member is not None:
                keys.append(member.pass_token)
        if member_pass:
            keys.append(member_pass)
            member = self.member_by_pass(member_pass)
            if member is not None:
                keys.extend(self._phone_hashes_of(member.record_id))
        return list(dict.fromkeys(keys))

    def _phone_hashes_of(self, registration_id: str) -> list[str]:
        """The phone hashes of a registration and of its corrections (a corrected phone is the member's too)."""
        ids = [registration_id] + [r.id for r in self.ledger.references_to(registration_id) if r.kind == Kind.CORRECTION]
        return [h for rid in ids for p, h in self.ledger.lookups_of(rid) if p == "phone"]

    # Console and device actions that leave an audit record. Exports, corrections and voids are not
    # here: each is a record of its own kind (Kind.EXPORT, Kind.CORRECTION, Kind.VOID).
    # "enrolment" is reserved for `kiosk enroll`, which does not write it yet.
    AUDIT_ACTIONS = ("booth_setup", "pin_change", "console_unlock", "console_lockout", "fullscreen_toggle",
                     "kiosk_exit", "purge", "enrolment", "config_applied", "config_refused")

    def record_audit(self, action: str, *, details: dict[str, Any] | None = None) -> Record:
        """A console action, kept append-only and synced like every other record (never personal data)."""
        if action not in self.AUDIT_ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        return self._write(Kind.AUDIT, {"action": action, "details": details or {}}, subject=action)

    def personal_data_on_device(self) -> PersonalDataOnDevice:
        """How many synced records a purge would take now, and how many unsynced ones it would keep."""
        return personal_data_now(self.ledger)

    def purge_personal_data(self, *, via: str, now: dt.datetime | None = None) -> int:
        """Purge every synced record's personal fields now (unsynced ones stay) and audit it; ``PurgeFailed``
        when it could not finish (the audit record says so too)."""
        try:
            purged = purge_now(self.ledger, now=now)
        except SyncStillRunning:
            raise PurgeFailed.sync_running() from None
        except PurgeIncomplete as exc:
            self.record_audit("purge", details={"records": exc.purged, "all_synced": True, "via": via,
                                                "complete": False})
            raise PurgeFailed.incomplete(exc.purged) from None
        self.record_audit("purge", details={"records": purged, "all_synced": True, "via": via, "complete": True})
        return purged

    def pulled_distribution(self, name: str) -> tuple[str, Any] | None:
        """(version, content) of a config or quiz bank the sync pulled from the city server, if any."""
        import json

        content, version = self.ledger.get_meta(f"pulled:{name}"), self.ledger.get_meta(f"pulled:{name}:version")
        if content is None or version is None:
            return None
        return version, json.loads(content)

    def record_export(self, *, fmt: str, records: int) -> Record:
        """Each export of the day report leaves a record of itself."""
        return self._write(Kind.EXPORT, {"format": fmt, "records": records}, subject=fmt)

    # -- corrections --------------------------------------------------------------------

    def void(self, record_id: str, reason: str) -> Record:
        """Take a record back with a reason: a new record, never a delete."""
        reason = self._reason(reason)
        target = self.ledger.get(record_id)
        if target.kind in (Kind.VOID, Kind.CORRECTION):
            raise CannotVoid("更正或作废记录本身不能作废", "A correction or void cannot itself be voided")
        if self.ledger.is_voided(record_id):
            raise CannotVoid("该记录已作废", "This record is already void")
        return self._write(Kind.VOID, {"reason": reason, "target_kind": target.kind}, refers_to=record_id,
                           subject=target.kind)

    def correct_registration(self, record_id: str, *, reason: str, name: str | None = None,
                             phone: str | None = None, occupation: str | None = None,
                             employer: str | None = None, district: str | None = None,
                             street: str | None = None) -> Record:
        """Correct fields of a registration: the old record stays, the correction points at it."""
        reason = self._reason(reason)
        target = self.ledger.get(record_id)
        if target.kind != Kind.REGISTRATION or self.ledger.is_voided(record_id):
            raise CannotVoid("只能更正有效的入会登记", "Only a valid registration can be corrected")
        changes: dict[str, Any] = {}
        personal: dict[str, str] = {}
        lookups: list[tuple[str, str]] = []
        if name is not None:
            personal["name"] = _validated(validation.validate_name, name)
            changes["masked_name"] = masking.mask_name(personal["name"])
        if phone is not None:
            personal["phone"] = _validated(validation.validate_mobile, phone)
            changes["masked_phone"] = masking.mask_phone(personal["phone"])
            lookups.append(("phone", keyed_hash(self._lookup_key(), "phone", personal["phone"])))
        if occupation is not None:
            if occupation not in {o.id for o in self.config.registration.occupations}:
                raise InvalidInput([validation.ValidationError("occupation", "unknown", "未知职业", "Unknown occupation")])
            changes["occupation"] = occupation
        if employer is not None:
            changes["employer"] = _validated(validation.validate_free_text, employer, field="employer", limit=60)
        changes.update(self._place_changes(district, street))
        if not changes:
            raise InvalidInput([validation.ValidationError("changes", "required", "没有要更正的内容", "Nothing to correct")])
        return self._write(Kind.CORRECTION, {"reason": reason, "changes": changes}, refers_to=record_id,
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
            changes["street"] = _validated(validation.validate_free_text, street, field="street", limit=40, required=True)
        return changes

    # -- internals ----------------------------------------------------------------------

    @property
    def today(self) -> dt.date | None:
        return self._today

    def write(self, kind: Kind, data: dict[str, Any], **options: Any) -> Record:
        """The one record writer, for the concepts kept in modules of their own (kiosk/employers.py)."""
        return self._write(kind, data, **options)

    def _write(self, kind: Kind, data: dict[str, Any], *, record_id: str | None = None, subject: str | None = None,
               refers_to: str | None = None, personal: dict[str, str] | None = None,
               lookups: list[tuple[str, str]] | None = None) -> Record:
        record_id = record_id or new_record_id()
        sealed = None
        if personal:
            sealer = self._current_sealer()
            sealed = SealedField(sealer.seal(personal, record_id=record_id), self._key_id)
        return self.ledger.append(record_id=record_id, kind=kind, event_id=self.event_id, booth_id=self.booth_id,
                                  data=data, subject=subject, refers_to=refers_to, sealed=sealed,
                                  lookups=lookups or ())

    def _member_or_none(self, member_pass: str | None) -> str | None:
        if member_pass is None:
            return None
        if self.member_by_pass(member_pass) is None:
            raise UnknownPass()
        return member_pass

    def _summary(self, record: Record) -> MemberSummary:
        """The member as corrected so far: a correction found by lookup leads back to its registration."""
        if record.kind == Kind.CORRECTION and record.refers_to:
            record = self.ledger.get(record.refers_to)
        data = dict(record.data)
        for later in self.ledger.references_to(record.id):
            if later.kind == Kind.CORRECTION:
                data.update(later.data["changes"])
        return MemberSummary(record.id, data["masked_name"], data["masked_phone"], data["pass_token"],
                             record.captured_at)

    @staticmethod
    def _clean_note(note: str) -> str:
        return _validated(validation.validate_free_text, note, field="note")

    @staticmethod
    def _reason(reason: str) -> str:
        return _validated(validation.validate_free_text, reason, field="reason", limit=200, required=True)


def _validated(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except validation.ValidationError as exc:
        raise InvalidInput([exc]) from None




def _key_id(public_text: str) -> str:
    return key_id(public_key_from_text(public_text))
