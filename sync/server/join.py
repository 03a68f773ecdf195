"""Joining on one's own phone (扫码入会): the booth's join code leads to a page served here, no app, no login.

``GET /join/{event_id}/{booth_id}?t=<token>`` shows the personal-information notice (the kiosk's text, from
booth_common.notice) and, after the explicit 我已阅读并同意，继续, the form: the kiosk's validation rules and
messages (booth_common.validation, the same code), occupation tiles, the oath; ``POST`` of the form registers.

- The token is the booth's offline join-code token (booth_common.join_token): older than 10 minutes it is
  refused with a message saying to scan the booth's code again, so one photo of the code does not work for ever.
- Submissions are counted per booth and per client address in the database (several server processes share
  the allowance); over it, 429 and a page saying when to try again.
- A phone join is a registration of the booth (device ``phone:<booth_id>``), sealed to the city key here and
  stored like a pushed record: counted in the booth's and the city's numbers and in the member export.
- A person already registered at any booth or by phone (the event's keyed hashes of ID numbers and phones,
  kept up to date from the stored registrations) gets the masked 您已登记, never a second member; the pass is
  shown again only when the ID number and the phone both match that member, as at the kiosk. The database
  decides (a claim of each hash, stored in the registration's own transaction), so several server processes
  on one machine or several admit one person once.
"""

# No "from __future__ import annotations": FastAPI must see the route functions' annotations.

import datetime as dt
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from booth_common import masking, tokens, validation
from booth_common.join_token import MAX_AGE_MINUTES, TokenVerdict, check_join_token, new_join_secret
from booth_common.notice import render_notice
from booth_common.records import format_utc, freeze_payload, new_record_id
from booth_common.sealing import Opener, SealError, Sealer, keyed_hash
from sync.server import join_page
from sync.server.accounts import address_key
from sync.server.numbers import UNKNOWN, booth_places
from sync.server.storage import ClaimTaken, DatabaseUnavailable, JoinStorage, SequenceTaken, Storage

WINDOW_S = 600.0
PER_CLIENT = 10     # submissions from one address in 10 minutes: a few corrections, not a script
PER_BOOTH = 300     # submissions for one booth in 10 minutes: a long queue scanning at once
MAX_FIELD_CHARS = 200
FORM_FIELDS = ("t", "lang", "consent", "name", "phone", "id_number", "occupation", "employer", "district",
               "street", "oath", "edit")


@dataclass(frozen=True)
class JoinEvent:
    """What the phone page needs of the event's published configuration and the booth's registered place."""

    event_id: str
    booth_id: str
    event_name: str
    event_name_en: str
    booth_name: str
    organisation: str
    district: str
    street: str
    notice_version: str
    retention_days: int
    min_age: int
    max_age: int
    oath_enabled: bool
    oath_text: str
    occupations: tuple[tuple[str, str, str], ...]   # (id, 中文, English)
    districts: tuple[str, ...]

    def notice(self, language: str) -> str:
        return render_notice(language, organisation=self.organisation, retention_days=self.retention_days,
                             notice_version=self.notice_version)


@dataclass
class Outcome:
    """What a submission came to: a new member, an earlier one (您已登记), or errors by field."""

    errors: dict[str, validation.ValidationError] = field(default_factory=dict)
    member: dict[str, Any] | None = None
    already: dict[str, Any] | None = None
    matched: tuple[str, ...] = ()
    pass_offered: bool = False


class Refusal(Exception):
    def __init__(self, status: int, zh: str, en: str):
        super().__init__(en)
        self.status, self.zh, self.en = status, zh, en


class PhoneJoin:
    """The phone join of every booth of the server."""

    def __init__(self, storage: Storage, city_key: X25519PrivateKey, *, now=time.time,  # type: ignore[no-untyped-def]
                 places=None):
        """``places(event_id)``: each booth's place as the city numbers know it (its volunteers' setup, else the
        city's registry); without it the registry alone."""
        self._storage = storage
        self._places = places
        self._store = JoinStorage(storage)
        self._opener = Opener(city_key)
        self._sealer = Sealer(city_key.public_key())
        self._now = now

    # -- the booth, its code, its configuration --------------------------------------------------

    def join_secret(self, booth_id: str) -> str:
        """The booth's secret for its join-code tokens (given with the enrolment answer)."""
        return self._store.join_secret(booth_id, new_secret=new_join_secret(), at=self._stamp())

    def event(self, event_id: str, booth_id: str, token: str) -> JoinEvent:
        """The booth's join page data, or a Refusal saying why the code does not work."""
        if self._store.booth_event(booth_id) != event_id:
            raise Refusal(404, "没有这个展位：请扫描展位屏幕上的二维码", "No such booth: scan the code on the booth's screen")
        secret = self._store.stored_join_secret(booth_id)
        if secret is None:
            raise Refusal(404, "这个展位还没有开通扫码入会：请到展位现场登记",
                          "This booth does not take phone joins yet: please join at the booth")
        verdict = check_join_token(token, secret, event_id=event_id, booth_id=booth_id, now=self._now())
        if verdict is TokenVerdict.EXPIRED:
            raise Refusal(403, f"二维码已过期（超过{MAX_AGE_MINUTES}分钟）：请重新扫描展位屏幕上的二维码",
                          f"This code has expired (older than {MAX_AGE_MINUTES} minutes): scan the code on the "
                          "booth's screen again")
        if verdict is not TokenVerdict.OK:
            raise Refusal(403, "二维码无效：请扫描展位屏幕上的二维码", "This code is not valid: scan the code on the booth's screen")
        return self._join_event(event_id, booth_id)

    def _join_event(self, event_id: str, booth_id: str) -> JoinEvent:
        published = self._storage.latest_distribution(event_id, "config")
        if published is None:
            raise Refusal(404, "活动配置尚未发布：请到展位现场登记", "The event is not set up for phone joins: please join at the booth")
        config = json.loads(published[2])
        event, booth, reg = (config.get(k) if isinstance(config.get(k), dict) else {}
                             for k in ("event", "booth", "registration"))
        place = self._place(event_id, booth_id)
        own = booth if booth.get("id") == booth_id else {}
        occupations = tuple((str(o.get("id")), str(o.get("name")), str(o.get("name_en", o.get("name"))))
                            for o in reg.get("occupations", []) if isinstance(o, dict) and o.get("id"))
        return JoinEvent(
            event_id=event_id, booth_id=booth_id, event_name=str(event.get("name", event_id)),
            event_name_en=str(event.get("name_en", event.get("name", event_id))),
            booth_name=str(place.get("name") or own.get("name") or booth_id),
            organisation=str(place.get("organisation") or own.get("organisation") or ""),
            district=str(place.get("district") or own.get("district") or ""),
            street=str(place.get("street") or own.get("street") or ""),
            notice_version=str(reg.get("notice_version", "")),
            retention_days=int((config.get("retention") or {}).get("days", 7)),
            min_age=int(reg.get("min_age", 16)), max_age=int(reg.get("max_age", 80)),
            oath_enabled=bool(reg.get("oath_enabled", True)), oath_text=str(reg.get("oath_text", "")),
            occupations=occupations, districts=tuple(str(d) for d in reg.get("districts", [])))

    def _place(self, event_id: str, booth_id: str) -> dict[str, str]:
        if self._places is not None:
            found = self._places(event_id).get(booth_id)
            if found is not None:
                return {k: ("" if v == UNKNOWN else v) for k, v in vars(found).items()}
        return next((b for b in self._storage.registered_booths(event_id) if b["booth_id"] == booth_id), {})

    # -- a submission ------------------------------------------------------------------------------

    def count_submission(self, booth_id: str, client: str) -> None:
        """Count one submission, or refuse it (429) when the booth's or the client's allowance is used up."""
        over = self._store.count_attempt({f"booth:{booth_id}": PER_BOOTH,
                                          f"client:{address_key(client)}": PER_CLIENT},
                                         now=self._now(), window_s=WINDOW_S)
        if over is not None:
            who = ("这个展位", "this booth") if over.startswith("booth:") else ("您的网络", "your network")
            raise Refusal(429, f"{who[0]}提交次数过多，请10分钟后再试，或到展位现场登记",
                          f"Too many submissions from {who[1]}: try again in 10 minutes, or join at the booth")

    def submit(self, join: JoinEvent, form: dict[str, str]) -> Outcome:
        outcome = Outcome()
        clean = self._checked(join, form, outcome.errors)
        if outcome.errors:
            return outcome
        self._catch_up(join.event_id)
        claims = [(p, self._hash(join.event_id, p, clean[p])) for p in ("id_number", "phone")]
        for _ in range(5):   # another server process may take the booth's next sequence number first
            by_id, by_phone = (self._store.members_matching(join.event_id, p, [h]) for p, h in claims)
            if by_id or by_phone:
                return self._already(by_id, by_phone)
            try:
                outcome.member = self._register(join, clean, claims=claims)
                return outcome
            except ClaimTaken:
                continue   # stored by another process a moment ago: answered from its lookups above
            except SequenceTaken:
                continue
        raise Refusal(503, "服务器繁忙，请稍后再试", "The server is busy: please try again in a moment")

    def _checked(self, join: JoinEvent, form: dict[str, str], errors: dict[str, validation.ValidationError]
                 ) -> dict[str, Any]:
        """The kiosk's rules (booth_common.validation), field by field; errors collected by field."""
        clean: dict[str, Any] = {}
        today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()   # Beijing's date decides the age
        checks = {
            "name": lambda: validation.validate_name(form.get("name", "")),
            "phone": lambda: validation.validate_mobile(form.get("phone", "").replace(" ", "")),
            "id_number": lambda: validation.validate_resident_id(form.get("id_number", "").replace(" ", ""), today=today,
                                                                 min_age=join.min_age, max_age=join.max_age),
            "occupation": lambda: validation.validate_occupation(form.get("occupation", ""),
                                                                 {o[0] for o in join.occupations}),
            "employer": lambda: validation.validate_free_text(form.get("employer", ""), field="employer", limit=60),
            "street": lambda: validation.validate_free_text(form.get("street", "") or join.street, field="street",
                                                            limit=40),
        }
        for name, check in checks.items():
            try:
                clean[name] = check()
            except validation.ValidationError as exc:
                errors[name] = exc
        # The form offers a district only from the event's list; without one, the booth's own place says it (a
        # district posted anyway was stored as sent, U+0000 and all).
        district = (form.get("district", "") or join.district) if join.districts else join.district
        if join.districts and district not in join.districts:
            errors["district"] = validation.ValidationError("district", "required", "请选择所在区",
                                                            "Please choose a district")
        clean["district"] = district
        if form.get("consent") != join.notice_version:
            errors["consent"] = validation.ValidationError("consent", "required", "请先阅读并同意个人信息告知",
                                                           "Please read and agree to the notice first")
        if join.oath_enabled and form.get("oath") != "1":
            errors["oath"] = validation.ValidationError("oath", "required", "请读入会誓词，再点“我宣誓，提交登记”",
                                                        "Read the oath, then tap “I so swear, submit”")
        if "id_number" in clean:
            clean["resident_id"], clean["id_number"] = clean["id_number"], clean["id_number"].number
        return clean

    def _register(self, join: JoinEvent, clean: dict[str, Any], *, claims: list[tuple[str, str]]) -> dict[str, Any]:
        """Store the new member, unless a live member holds its ID number's or phone's claim (``ClaimTaken``):
        the database decides, so two server processes never admit one person twice."""
        rid: validation.ResidentId = clean["resident_id"]
        now = dt.datetime.now(dt.timezone.utc)
        captured_at, pass_token, record_id = format_utc(now), tokens.new_pass_token(), new_record_id()
        data = {"masked_name": masking.mask_name(clean["name"]), "masked_phone": masking.mask_phone(clean["phone"]),
                "masked_id_number": masking.mask_id_number(rid.number), "document_kind": rid.kind.value,
                "sex": rid.sex, "age": rid.age_on(now.date()), "occupation": clean["occupation"],
                "employer": clean["employer"], "district": clean["district"], "street": clean["street"],
                "consent": {"notice_version": join.notice_version, "given_at": captured_at},
                "oath_taken": join.oath_enabled, "pass_token": pass_token, "extras": {}, "channel": "phone"}
        personal = {"name": clean["name"], "phone": clean["phone"], "id_number": rid.number}
        if rid.birth_date is not None:
            personal["birth_date"] = rid.birth_date.isoformat()
        device_id = f"phone:{join.booth_id}"
        sealed = self._sealer.seal(personal, record_id=record_id)

        def row(seq: int) -> dict[str, Any]:
            payload, digest = freeze_payload(record_id=record_id, seq=seq, kind="registration",
                                             subject=clean["occupation"], event_id=join.event_id,
                                             booth_id=join.booth_id, device_id=device_id, captured_at=captured_at,
                                             refers_to=None, data=data)
            return {"id": record_id, "device_id": device_id, "seq": seq, "kind": "registration",
                    "subject": clean["occupation"], "event_id": join.event_id, "booth_id": join.booth_id,
                    "captured_at": captured_at, "refers_to": None, "payload": payload, "payload_sha256": digest,
                    "sealed": sealed, "received_at": captured_at}

        self._store.register_once(join.event_id, claims=claims, record_id=record_id, device_id=device_id,
                                  make_row=row)
        return {"record_id": record_id, "masked_name": data["masked_name"], "masked_phone": data["masked_phone"],
                "pass_token": pass_token}

    def _already(self, by_id: list[tuple[str, str]], by_phone: list[tuple[str, str]]) -> Outcome:
        ids, phones = {r[0] for r in by_id}, {r[0] for r in by_phone}
        both = ids & phones
        record_id, payload = next((r for r in by_id if r[0] in both), None) or (by_id or by_phone)[0]
        data = json.loads(payload).get("data") or {}
        matched = ("id_number", "phone") if both else ("id_number",) if by_id else ("phone",)
        shown = {"masked_name": data.get("masked_name", ""), "masked_phone": data.get("masked_phone", ""),
                 "pass_token": data.get("pass_token", "") if both else ""}
        return Outcome(already=shown, matched=matched, pass_offered=bool(both))

    # -- the event's lookup hashes -------------------------------------------------------------------

    def _hash(self, event_id: str, purpose: str, value: str) -> str:
        key = self._store.member_lookup_key(event_id, new_secret=secrets.token_hex(32), at=self._stamp())
        return keyed_hash(bytes.fromhex(key), purpose, value)

    def _catch_up(self, event_id: str) -> None:
        """Hash the ID numbers and phones of registrations stored since the last join (kiosk pushes included)."""
        rows = self._store.registrations_after(event_id)
        if not rows:
            return
        lookups = []
        for _rowid, record_id, sealed in rows:
            try:
                personal = self._opener.open(sealed, record_id=record_id) if sealed else {}
            except SealError:
                continue   # the member export reports it; it cannot be matched
            for purpose in ("id_number", "phone"):
                if isinstance(personal.get(purpose), str):
                    lookups.append((purpose, self._hash(event_id, purpose, personal[purpose]), record_id))
        self._store.add_member_lookups(event_id, lookups, last_rowid=rows[-1][0])

    def _stamp(self) -> str:
        return format_utc(dt.datetime.now(dt.timezone.utc))


def install_join_routes(app: FastAPI, storage: Storage, city_key: X25519PrivateKey) -> PhoneJoin:
    tally = getattr(app.state, "city_tally", None)   # installed with the city routes, before these

    def places(event_id: str) -> dict[str, Any]:
        return booth_places(storage.registered_booths(event_id), tally.booths_of(event_id))

    joining = PhoneJoin(storage, city_key, places=places if tally is not None else None)
    app.state.phone_join = joining

    @app.get("/join/{event_id}/{booth_id}", tags=["join"], response_class=HTMLResponse)
    def join_page_get(event_id: str, booth_id: str, t: str = "", lang: str = "zh", step: str = "") -> HTMLResponse:
        language = "en" if lang == "en" else "zh"
        try:
            join = joining.event(event_id, booth_id, t[:64])
        except Refusal as refusal:
            return _html(join_page.refusal(refusal.zh, refusal.en, language=language), refusal.status)
        except DatabaseUnavailable:
            return _unavailable(language)
        if step == "form":
            return _html(join_page.form(join, token=t, language=language, values={}, errors={}))
        return _html(join_page.notice(join, token=t, language=language))

    @app.post("/join/{event_id}/{booth_id}", tags=["join"], response_class=HTMLResponse)
    async def join_page_post(event_id: str, booth_id: str, request: Request) -> HTMLResponse:
        form = _form(await request.body())
        language = "en" if form.get("lang") == "en" else "zh"
        try:
            join = joining.event(event_id, booth_id, form.get("t", "")[:64])
            if form.get("edit") in ("phone", "id_number"):   # 返回修改 from 您已登记: the form again, that field first
                return _html(join_page.form(join, token=form.get("t", ""), language=language, values=form, errors={},
                                            focus=form["edit"]))
            joining.count_submission(booth_id, request.client.host if request.client else "unknown")
            outcome = joining.submit(join, form)
        except Refusal as refusal:
            return _html(join_page.refusal(refusal.zh, refusal.en, language=language), refusal.status)
        except DatabaseUnavailable:
            return _unavailable(language)
        if outcome.member is not None:
            return _html(join_page.member_pass(join, outcome.member, language=language))
        if outcome.already is not None:
            return _html(join_page.already(join, outcome.already, matched=outcome.matched, token=form.get("t", ""),
                                           language=language, values=form))
        return _html(join_page.form(join, token=form.get("t", ""), language=language, values=form,
                                    errors=outcome.errors), 422)

    return joining


def _form(body: bytes) -> dict[str, str]:
    """The submitted fields we know, each the first value, cut to a sane length; anything else ignored."""
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {k: parsed[k][0][:MAX_FIELD_CHARS] for k in FORM_FIELDS if k in parsed}


def _unavailable(language: str) -> HTMLResponse:
    """The database cannot serve now: a page the phone shows (not the API's JSON), nothing stored."""
    answer = _html(join_page.refusal("服务器暂时无法登记，请稍后再试，或到展位现场登记",
                                     "The server cannot take joins at the moment: try again shortly, or join at the booth",
                                     language=language), 503)
    answer.headers["Retry-After"] = "5"
    return answer


def _html(text: str, status: int = 200) -> HTMLResponse:
    # Its own policy: a form posting to itself and the pass as an inline image; no script at all.
    return HTMLResponse(text, status_code=status, headers={
        "Content-Security-Policy": join_page.CONTENT_SECURITY_POLICY, "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer"})
