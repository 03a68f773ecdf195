"""The volunteer PIN: it unwraps the kiosk's vault (``kiosk.vault``), and wrong tries lock the console out.

No hash of the PIN is stored: the PIN is checked by unwrapping the vault (scrypt, slow on purpose), at
the kiosk's start; once the vault is open, the console checks the PIN against an in-memory HMAC. A
ledger from before the vault (a scrypt hash in ``meta``) is moved to the vault at the first right PIN,
and the hash deleted. A real event's PIN has at least ``PIN_MIN`` digits; the demo's is public.

The lock-out state lives in the ledger's ``meta`` table (never in a record, so it is never synced).
Five wrong tries in a row lock the console for ``BASE_DELAY_S``; every further lock-out doubles the
delay, up to ``MAX_DELAY_S``. A right PIN clears it all. (It slows a person at the screen; a thief
with a copy of the disk is slowed by scrypt alone.)

Unlocks, lock-outs and PIN changes are reported to an ``audit`` hook (the composition root passes
``kiosk.audit.Audit.record_audit``), so they become append-only, synced records; the PIN never does.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any, Protocol

from kiosk.errors import BadPin, LockedOut, WrongPin
from kiosk.vault import DEMO_COST, REAL_COST, ScryptCost, Vault

MAX_TRIES = 5
BASE_DELAY_S = 30
MAX_DELAY_S = 3600
PIN_MIN, PIN_MAX = 6, 12
# The cost of the hashes of ledgers from before the vault (read once, at migration, never written).
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
    """Checks the volunteer PIN by the vault it unwraps, counting wrong tries in the ledger's meta."""

    def __init__(self, meta: MetaStore, vault: Vault, *, clock: Callable[[], float] = time.time,
                 audit: AuditHook | None = None, cost: ScryptCost = REAL_COST):
        """``cost``: the scrypt cost of a PIN set here (tests of the lock-out use a cheap one)."""
        self._meta, self.vault, self._cost = meta, vault, cost
        self._clock = clock
        self._audit = audit or (lambda action, *, details=None: None)

    @property
    def has_pin(self) -> bool:
        return self.vault.exists or bool(self._meta.get_meta(META_HASH))

    @property
    def is_unlocked(self) -> bool:
        """Whether the vault is open (the kiosk was unlocked since it started)."""
        return self.vault.is_open

    def set_pin(self, pin: str) -> None:
        """The first PIN (setup): a new vault wrapped for it, open."""
        self.vault.create(check_pin_format(pin), cost=self._cost)
        self._forget_old_hash()
        self._reset()

    def set_demo_pin(self, pin: str) -> None:
        """The demo event's public PIN, short and cheap on purpose (see ``kiosk.vault.DEMO_COST``)."""
        if not self.vault.exists:
            self.vault.create(pin, cost=DEMO_COST, demo=True)
        elif not self.vault.is_open:
            self.vault.unlock(pin)  # False if a volunteer changed it: then it is unlocked like a real one

    def seconds_locked(self) -> int:
        """Seconds until a PIN may be tried again (0 when not locked)."""
        until = float(self._meta.get_meta(META_LOCKED_UNTIL) or 0)
        return max(0, int(until - self._clock() + 0.999))

    def unlock(self, pin: str) -> None:
        """Returns when the PIN is right (opening the vault if it is still locked); raises ``LockedOut`` or
        ``WrongPin`` otherwise."""
        self._verify(pin)
        self._audit("console_unlock", details={})

    def change_pin(self, old: str, new: str, new_again: str) -> None:
        """Replace the PIN: the new one checked as at setup, the old one counted like any other try."""
        check_new_pin(new, new_again)
        if new == old:
            raise BadPin("新PIN不能与旧PIN相同", "The new PIN must differ from the old one")
        self._verify(old)
        self.vault.rewrap(new, cost=self._cost)
        self._audit("pin_change", details={})

    def _verify(self, pin: str) -> None:
        left = self.seconds_locked()
        if left:
            raise LockedOut(left)
        if self._pin_opens_vault(pin):
            self._reset()
            return
        self._count_failure()

    def _pin_opens_vault(self, pin: str) -> bool:
        if self.vault.is_open:
            return self.vault.matches(pin)
        if self.vault.exists:
            return self.vault.unlock(pin)
        stored = self._meta.get_meta(META_HASH)  # a ledger from before the vault: move to it now
        if stored and verify_pin(pin, stored):
            self.vault.create(pin, cost=self._cost)
            self._forget_old_hash()
            return True
        return False

    def _forget_old_hash(self) -> None:
        """Clear a PIN hash from before the vault: at 2¹⁴ scrypt it is a far cheaper way to test PIN guesses."""
        if self._meta.get_meta(META_HASH):
            self._meta.set_meta(META_HASH, "")
            wipe = getattr(self._meta, "checkpoint_wal", None)  # the ledger: old pages out of its WAL as well
            if wipe is not None:
                wipe()

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
