"""Enrolment: swap the device's own sealing key for the city's, and keep the device token.

Order matters for a crash at any step: the answer is saved first, then new records are
sealed to the city key, then old envelopes are re-sealed (one transaction), and only then is
the device's private key destroyed. ``finish_enrollment`` completes an interrupted run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from booth_common.protocol import CityKeyMismatch, Enrollment, EnrollmentMismatch
from booth_common.sealing import KeyRing, Opener, Sealer, key_id, public_key_from_text
from kiosk.ledger import Ledger

META_URL, META_TOKEN, META_EVENT, META_CITY_KEY = "sync_server_url", "sync_token", "sync_event_id", "city_public_key"
META_JOIN_SECRET = "join_secret"   # the attract screen's phone-join code (booth_common/join_token.py)


class EnrollingClient(Protocol):
    """The one call enrolment needs; ``SyncClient`` provides it."""

    def enroll(self, *, code: str, device_id: str, proof: str | None = None, booth_id: str | None = None,
               event_id: str | None = None) -> Enrollment: ...


@dataclass(frozen=True)
class ServerLink:
    """Where and as whom this device syncs, as saved at enrolment."""

    url: str
    token: str
    event_id: str


def enroll_device(ledger: Ledger, keys: KeyRing, client: EnrollingClient, *, server_url: str, code: str,
                  booth_id: str | None = None, event_id: str | None = None) -> Enrollment:
    """Enrol with ``code`` and switch to the city key; nothing is saved when the server refuses.

    ``booth_id``/``event_id`` are what the kiosk's configuration names: enrolment for another booth or
    event is refused (``EnrollmentMismatch``), so records captured before enrolment, which carry the
    configured booth and event, are the enrolled booth's. A device enrolled before proves itself
    with its current token, sent only to the server that issued it.
    """
    same_server = ledger.get_meta(META_URL) == server_url
    enrollment = client.enroll(code=code, device_id=ledger.device_id,
                               proof=ledger.get_protected_meta(META_TOKEN) if same_server else None,
                               booth_id=booth_id, event_id=event_id)
    if booth_id not in (None, enrollment.booth_id) or event_id not in (None, enrollment.event_id):
        raise EnrollmentMismatch(enrolled=(enrollment.booth_id, enrollment.event_id), configured=(booth_id, event_id))
    if keys.device_private_key() is None and ledger.get_meta(META_CITY_KEY) is None \
            and keys.seal_public_text() != enrollment.city_public_key:
        raise CityKeyMismatch()  # a real event sealed to its configured city key from the start (docs/privacy.md)
    ledger.set_protected_meta(META_TOKEN, enrollment.device_token)  # wrapped by the vault (docs/privacy.md)
    for key, value in ((META_URL, server_url), (META_EVENT, enrollment.event_id),
                       (META_CITY_KEY, enrollment.city_public_key), ("booth_id", enrollment.booth_id),
                       (META_JOIN_SECRET, enrollment.join_secret)):
        ledger.set_meta(key, value)
    finish_enrollment(ledger, keys)
    return enrollment


def finish_enrollment(ledger: Ledger, keys: KeyRing) -> int:
    """Adopt the saved city key, re-seal what the device key sealed, destroy the device key.

    Idempotent; returns how many envelopes were re-sealed (0 when there was nothing left to do).
    """
    city_text = ledger.get_meta(META_CITY_KEY)
    device_private = keys.device_private_key()
    if city_text is None or device_private is None:
        return 0
    city_key = public_key_from_text(city_text)
    keys.adopt_city_key(city_key)
    device_key_id = key_id(device_private.public_key())
    opener, sealer = Opener(device_private), Sealer(city_key)
    resealed = [(record_id, sealer.seal(opener.open(envelope, record_id=record_id), record_id=record_id))
                for record_id, envelope in ledger.sealed_envelopes(key_id=device_key_id)]
    ledger.replace_sealed(resealed, key_id=key_id(city_key))
    keys.destroy_device_private_key()
    return len(resealed)


def server_link(ledger: Ledger) -> ServerLink | None:
    """The saved server and token, or None before enrolment."""
    url, event_id = ledger.get_meta(META_URL), ledger.get_meta(META_EVENT)
    token = ledger.get_protected_meta(META_TOKEN)
    return ServerLink(url, token, event_id) if url and token and event_id else None
