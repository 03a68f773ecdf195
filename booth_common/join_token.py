"""The phone-join code's token: an HMAC of the current minute, computed offline by the booth, checked by the server.

The booth receives a join secret at enrolment. Its attract screen shows ``/join/{event}/{booth}?t=<token>`` and
makes a new token every minute without the network; the server, which holds the same secret, accepts a token
up to ``MAX_AGE_MINUTES`` old (a photo of the code stops working soon after) and a minute ahead (clocks differ).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from enum import StrEnum

MAX_AGE_MINUTES = 10
CLOCK_SKEW_MINUTES = 1
MAC_CHARS = 16


class TokenVerdict(StrEnum):
    OK = "ok"
    MALFORMED = "malformed"   # not a token of ours, or another booth's
    EXPIRED = "expired"       # older than MAX_AGE_MINUTES: scan the booth's code again
    FUTURE = "future"         # from a clock far ahead


def new_join_secret() -> str:
    return secrets.token_urlsafe(32)


def current_minute(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // 60)


def _mac(secret: str, *, event_id: str, booth_id: str, minute: int) -> str:
    message = f"join/{event_id}/{booth_id}/{minute}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:MAC_CHARS]


def join_token(secret: str, *, event_id: str, booth_id: str, now: float | None = None) -> str:
    """``<minute>-<mac>``: ASCII, short enough for a small QR code."""
    minute = current_minute(now)
    return f"{minute}-{_mac(secret, event_id=event_id, booth_id=booth_id, minute=minute)}"


def check_join_token(token: str, secret: str, *, event_id: str, booth_id: str, now: float | None = None) -> TokenVerdict:
    minute_text, _, mac = (token or "").partition("-")
    if not (minute_text.isascii() and minute_text.isdigit() and len(minute_text) <= 12 and len(mac) == MAC_CHARS):
        return TokenVerdict.MALFORMED
    minute = int(minute_text)
    if not hmac.compare_digest(mac, _mac(secret, event_id=event_id, booth_id=booth_id, minute=minute)):
        return TokenVerdict.MALFORMED
    age = current_minute(now) - minute
    if age > MAX_AGE_MINUTES:
        return TokenVerdict.EXPIRED
    if age < -CLOCK_SKEW_MINUTES:
        return TokenVerdict.FUTURE
    return TokenVerdict.OK
