"""The volunteer PIN: a salted scrypt hash, and a lock-out after wrong tries that survives a restart.

The hash and the lock-out state live in the ledger's ``meta`` table (never in a record, so they are
never synced). Five wrong tries in a row lock the console for ``BASE_DELAY_S``; every further
lock-out doubles the delay, up to ``MAX_DELAY_S``. A right PIN clears it all.

Unlocks, lock-outs and PIN changes are reported to an ``audit`` hook (the composition root passes
``BoothService.record_audit``), so they become append-only, synced records; the PIN never does.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any, Protocol

from kiosk.booth import BoothError

MAX_TRIES = 5
BASE_DELAY_S = 30
MAX_DELAY_S = 3600
PIN_MIN, PIN_MAX = 4, 8
# scrypt cost: about 16 MB and a few tens of milliseconds per try, far too slow to guess a
# 4-digit PIN offline in bulk from a copied ledger file, and quick enough for one tap.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1

META_HASH = "console_pin_hash"
META_FAILURES = "console_pin_failures"
META_LOCKOUTS = "console_pin_lockouts"
META_LOCKED_UNTIL = "console_pin_locked_until"


class AuditHook(Protocol):
    def __call__(self, action: str, *, details: dict[str, Any] | None = None) -> object: ...


class MetaStore(Protocol):
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...


class BadPin(BoothError):
    """A PIN that may not be set (too short, not digits)."""


class WrongPin(BoothError):
    def __init__(self, tries_left: int):
        super().__init__(f"PIN错误，还可尝试 {tries_left} 次", f"Wrong PIN: {tries_left} tries left")
        self.tries_left = tries_left


class LockedOut(BoothError):
    def __init__(self, seconds_left: int):
        super().__init__(f"错误次数过多，请 {seconds_left} 秒后再试",
                         f"Too many wrong tries: try again in {seconds_left} s")
        self.seconds_left = seconds_left


def check_pin_format(pin: str) -> str:
    if not (pin.isascii() and pin.isdigit() and PIN_MIN <= len(pin) <= PIN_MAX):
        raise BadPin(f"PIN须为 {PIN_MIN}–{PIN_MAX} 位数字", f"The PIN must be {PIN_MIN}–{PIN_MAX} digits")
    return pin


def check_new_pin(pin: str, again: str) -> str:
    """A new PIN as setup and the PIN change take it: the right format, typed the same twice."""
    check_pin_format(pin)
    if pin != again:
        raise BadPin("两次输入的新PIN不一致", "The two new PINs differ")
    return pin


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """'scrypt$n$r$p$salt$hash' (hex), so the cost can be raised later without breaking old hashes."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                               dklen=len(digest) // 2)
    return hmac.compare_digest(candidate.hex(), digest)


def lockout_delay(lockouts: int) -> int:
    """Seconds of the n-th lock-out (1-based): 30, 60, 120 … capped."""
    return min(MAX_DELAY_S, BASE_DELAY_S * 2 ** max(0, lockouts - 1))


class ConsoleAccess:
    """Checks the volunteer PIN against the stored hash, counting wrong tries in the ledger's meta."""

    def __init__(self, meta: MetaStore, *, clock: Callable[[], float] = time.time, audit: AuditHook | None = None):
        self._meta = meta
        self._clock = clock
        self._audit = audit or (lambda action, *, details=None: None)

    @property
    def has_pin(self) -> bool:
        return self._meta.get_meta(META_HASH) is not None

    def set_pin(self, pin: str) -> None:
        self._meta.set_meta(META_HASH, hash_pin(check_pin_format(pin)))
        self._reset()

    def seconds_locked(self) -> int:
        """Seconds until a PIN may be tried again (0 when not locked)."""
        until = float(self._meta.get_meta(META_LOCKED_UNTIL) or 0)
        return max(0, int(until - self._clock() + 0.999))

    def unlock(self, pin: str) -> None:
        """Returns when the PIN is right; raises ``LockedOut`` or ``WrongPin`` otherwise."""
        self._verify(pin)
        self._audit("console_unlock", details={})

    def change_pin(self, old: str, new: str, new_again: str) -> None:
        """Replace the PIN: the new one checked as at setup, the old one counted like any other try."""
        check_new_pin(new, new_again)
        if new == old:
            raise BadPin("新PIN不能与旧PIN相同", "The new PIN must differ from the old one")
        self._verify(old)
        self._meta.set_meta(META_HASH, hash_pin(new))
        self._audit("pin_change", details={})

    def _verify(self, pin: str) -> None:
        left = self.seconds_locked()
        if left:
            raise LockedOut(left)
        stored = self._meta.get_meta(META_HASH)
        if stored is not None and verify_pin(pin, stored):
            self._reset()
            return
        self._count_failure()

    def _count_failure(self) -> None:
        failures = int(self._meta.get_meta(META_FAILURES) or 0) + 1
        if failures < MAX_TRIES:
            self._meta.set_meta(META_FAILURES, str(failures))
            raise WrongPin(MAX_TRIES - failures)
        lockouts = int(self._meta.get_meta(META_LOCKOUTS) or 0) + 1
        delay = lockout_delay(lockouts)
        self._meta.set_meta(META_LOCKOUTS, str(lockouts))
        self._meta.set_meta(META_FAILURES, "0")
        self._meta.set_meta(META_LOCKED_UNTIL, str(self._clock() + delay))
        self._audit("console_lockout", details={"seconds": delay, "lockout": lockouts})
        raise LockedOut(delay)

    def _reset(self) -> None:
        for key in (META_FAILURES, META_LOCKOUTS, META_LOCKED_UNTIL):
            self._meta.set_meta(key, "0")
