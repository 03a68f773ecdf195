"""Booths, enrolment codes and device tokens: secrets are shown once and stored only as hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Callable
from concurrent.futures import Future

from booth_common.records import format_utc
from booth_common.tokens import ALPHABET
from sync.server.storage import Device, EnrolRefusal, Storage

TOKEN_PREFIX = "kdt1_"
CODE_GROUPS = 4


def hash_secret(secret: str) -> str:
    # Codes and tokens carry 80+ random bits, so a plain SHA-256 is enough: there is no small
    # password space for a slow hash to protect.
    return hashlib.sha256(secret.encode()).hexdigest()


def new_enrollment_code() -> str:
    """Four groups of four Crockford base32 characters (80 bits), easy to read out over the phone."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(CODE_GROUPS))


def normalise_code(code: str) -> str:
    return code.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")


def create_booth(storage: Storage, *, booth_id: str, event_id: str, name: str, devices: int = 3,
                 valid_days: int = 30, now: dt.datetime | None = None) -> str:
    """Register a booth and return a fresh enrolment code good for ``devices`` enrolments."""
    now = now or dt.datetime.now(dt.timezone.utc)
    storage.add_booth(booth_id=booth_id, event_id=event_id, name=name, at=format_utc(now))
    code = new_enrollment_code()
    storage.add_enrollment_code(code_hash=hash_secret(normalise_code(code)), booth_id=booth_id, uses=devices,
                                expires_at=format_utc(now + dt.timedelta(days=valid_days)), at=format_utc(now))
    return code


def enroll(storage: Storage, *, code: str, device_id: str, proof: str | None = None, booth_id: str | None = None,
           event_id: str | None = None) -> tuple[Device, str] | EnrolRefusal:
    """Enrol a device with a code: the device and its new token, or why not (``Storage.enroll_device``).

    ``proof`` is the device's current token, when it has one; ``booth_id`` and ``event_id`` are what
    the kiosk's configuration names, when it says.
    """
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    outcome = storage.enroll_device(code_hash=hash_secret(normalise_code(code)), device_id=device_id,
                                    token_hash=hash_secret(token), proof_hash=hash_secret(proof) if proof else None,
                                    at=format_utc(dt.datetime.now(dt.timezone.utc)), booth_id=booth_id,
                                    event_id=event_id)
    return (outcome, token) if isinstance(outcome, Device) else outcome


def refusal_text(refusal: EnrolRefusal, *, device_id: str, booth_id: str | None, event_id: str | None) -> str:
    """The ``detail`` of a refused enrolment: what is wrong and who can put it right."""
    if refusal.kind == "revoked":
        return (f"device {device_id} is revoked; it stays so until an admin runs "
                f"`kiosk-server reset-device --device {device_id}`")
    if refusal.kind == "taken":
        return (f"device id {device_id} is already enrolled (booth {refusal.booth_id}); only that device, with its "
                "current token, can enrol it again, or an admin runs `kiosk-server reset-device`")
    if refusal.kind == "mismatch":
        return (f"this code enrols booth {refusal.booth_id} of event {refusal.event_id}; the kiosk's configuration "
                f"names booth {booth_id} of event {event_id}")
    return "enrolment code unknown, used up or expired"


def authenticate(storage: Storage, token: str) -> Device | None:
    """The live device holding this token; None for unknown or revoked tokens."""
    device = storage.device_by_token(hash_secret(token))
    return device if device is not None and not device.revoked else None


def note_first_use(storage: Storage, device: Device, token: str, *, noted: set[str]) -> Future | None:
    """Record that a new token has been used (``Storage.mark_token_used``: a future, done once on disk),
    once: ``noted`` holds the hashes of the tokens this process has recorded already, so a device costs
    one note, not one per request. None when there is nothing to record."""
    token_hash = hash_secret(token)
    if device.token_used or token_hash in noted:
        return None
    noted.add(token_hash)
    noting = storage.mark_token_used(token_hash, at=format_utc(dt.datetime.now(dt.timezone.utc)))
    # A note that failed (the database unavailable) is not written: the token's next call notes it again. Kept as
    # written, the token stayed unused in the database and its enrolment code enrolled the device id anew.
    noting.add_done_callback(lambda done: noted.discard(token_hash) if done.exception() is not None else None)
    return noting


MAX_ADDRESS_CHARS = 64   # an IPv6 address with its zone fits; a longer "address" is one only a client wrote


def address_key(address: str) -> str:
    """A client address as the rate limits count it: as it is, or a long one (an X-Forwarded-For a client wrote,
    passed on by a trusted proxy) as a digest. PostgreSQL's index of the attempts refused a 6,000-character key
    (ProgramLimitExceeded: enrolment answered 500 there); different long ones stay different."""
    if len(address) <= MAX_ADDRESS_CHARS:
        return address
    return "sha256:" + hashlib.sha256(address.encode("utf-8", "replace")).hexdigest()


class EnrollmentLimiter:
    """At most ``per_minute`` enrolment attempts per client address, counted in the database so
    that every server process (``--workers``) shares one allowance."""

    def __init__(self, storage: Storage, per_minute: int, *, clock: Callable[[], float] = time.time):
        self.storage, self.per_minute, self.clock = storage, per_minute, clock

    def retry_after(self, address: str) -> float | None:
        """None when an attempt is allowed now (and count it), else seconds to wait."""
        return self.storage.count_enrollment_attempt(address_key(address), now=self.clock(), window_s=60.0,
                                                     limit=self.per_minute)
