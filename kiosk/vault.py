"""The kiosk's lookup keys at rest: wrapped by a key derived from the volunteer PIN, open only in memory.

The keyed hashes that find a duplicate registration or a second prize claim (HMAC-SHA256 of a phone or
ID number) are only as secret as their key: with the key, the ~10⁴–10⁷ numbers a mask leaves open fall
in seconds. So the key never touches the disk unwrapped. ``vault.json`` in the key folder holds it
encrypted (AES-256-GCM) under a key derived from the volunteer's PIN with scrypt, a memory-hard function
(``REAL_COST``: 128 MiB and about a second per try here), so a thief with the copied folder must pay that
for every PIN guessed (docs/privacy.md has the figures). The PIN itself is checked by unwrapping: no
faster hash of it is stored anywhere.

It also holds the key that wraps the device token in the ledger (``protect``/``reveal``): a copied
folder does not let its thief act as the device towards the city server.

There is one random key per event day. Keys of past days are dropped from the vault the first time it
is opened on a later day, and the ledger's hashes made with them are deleted (``kiosk.record_writer.RecordWriter``): the
duplicate and one-prize checks work offline for the day, the city server does the event-wide ones.

The demo event's vault is wrapped by the demo PIN, which is public (README), at ``DEMO_COST``: no cost
protects a known PIN, and the demo and test runs open it at every start.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from booth_common.sealing import write_secret

VAULT_FILE = "vault.json"
AAD = b"union-booth-kiosk/vault/v1"
TOKEN_AAD = b"union-booth-kiosk/device-token/v1"
PROTECTED_PREFIX = "vault1:"  # also kiosk.ledger.PROTECTED_PREFIX, which reads it without loading this module


class ScryptCost(NamedTuple):
    n: int
    r: int
    p: int

    @property
    def memory_bytes(self) -> int:
        return 128 * self.r * self.n


REAL_COST = ScryptCost(2**17, 8, 1)   # 128 MiB a try: one GPU holds few at once, each costs ~1 s of a core
DEMO_COST = ScryptCost(2**10, 8, 1)   # the demo PIN is printed in the README


class VaultError(RuntimeError):
    """The vault file cannot be used (damaged, or written by another version)."""


def derive_wrapping_key(pin: str, salt: bytes, cost: ScryptCost) -> bytes:
    """The key that wraps the vault: scrypt of the PIN (what an attacker must compute for every guess)."""
    return hashlib.scrypt(pin.encode(), salt=salt, n=cost.n, r=cost.r, p=cost.p,
                          maxmem=2 * cost.memory_bytes + (1 << 20), dklen=32)


class Vault:
    """The wrapped lookup keys of one kiosk (``folder/vault.json``); locked until ``unlock`` or ``create``."""

    def __init__(self, folder: Path, *, today: Callable[[], dt.date] = dt.date.today):
        self.path = folder / VAULT_FILE
        self._today = today
        self._wrapping_key: bytes | None = None
        self._salt, self._cost = b"", REAL_COST
        self._days: dict[str, str] = {}
        self._token_key = b""  # wraps the device token in the ledger (``protect``/``reveal``)
        self._demo = False
        self._pin_check: tuple[bytes, bytes] | None = None  # (in-memory key, HMAC of the PIN): never on disk

    @property
    def exists(self) -> bool:
        return self.path.exists()

    @property
    def is_open(self) -> bool:
        return self._wrapping_key is not None

    @property
    def cost(self) -> ScryptCost:
        return self._read()[1] if self.exists else self._cost

    @property
    def is_demo(self) -> bool:
        """Wrapped by the demo's public PIN (``create(..., demo=True)``): any process may open it."""
        try:
            return bool(json.loads(self.path.read_text(encoding="ascii")).get("demo"))
        except (OSError, ValueError):
            return False

    def create(self, pin: str, *, cost: ScryptCost = REAL_COST, demo: bool = False) -> None:
        """A new vault for ``pin``, with no day keys yet, open."""
        self._open_with(pin, secrets.token_bytes(16), cost, {"days": {}, "token_key": secrets.token_hex(32)})
        self._demo = demo
        self._write()
        self.lookup_key()

    def unlock(self, pin: str) -> bool:
        """Open the vault with ``pin`` (one scrypt: slow on purpose); False when the PIN is wrong."""
        salt, cost, nonce, wrapped = self._read()
        key = derive_wrapping_key(pin, salt, cost)
        try:
            content = _decrypt(key, nonce, wrapped)
        except InvalidTag:
            return False
        self._open_with(pin, salt, cost, content, key=key)
        self._demo = self.is_demo
        self.lookup_key()  # today's key made, past days' keys dropped, at once
        return True

    def matches(self, pin: str) -> bool:
        """Whether ``pin`` is the one the open vault was unlocked with (in memory, fast); False when locked."""
        if self._pin_check is None:
            return False
        memory_key, digest = self._pin_check
        return hmac.compare_digest(hmac.new(memory_key, pin.encode(), hashlib.sha256).digest(), digest)

    def rewrap(self, pin: str, *, cost: ScryptCost | None = None) -> None:
        """Wrap the open vault's keys for a new PIN (a PIN change)."""
        self._require_open()
        self._open_with(pin, secrets.token_bytes(16), cost or self._cost,
                        {"days": self._current_days(), "token_key": self._token_key.hex()})
        self._demo = False  # a PIN a volunteer chose is no longer the public one
        self._write()

    def lock(self) -> None:
        self._wrapping_key, self._pin_check, self._days, self._token_key = None, None, {}, b""

    def lookup_key(self) -> bytes | None:
        """Today's lookup key (made on the day's first use), or None while locked. Keys of past days are
        dropped here, so a hash made on an earlier day can no longer be matched or tested against."""
        if not self.is_open:
            return None
        day = self._today().isoformat()
        if day not in self._days:
            days = self._current_days()  # another process (kiosk simulate, a second window) may have made it
            if day not in days:
                days = {d: k for d, k in days.items() if d >= day}
                days[day] = secrets.token_bytes(32).hex()
                self._days = days
                self._write()
            else:
                self._days = days
        return bytes.fromhex(self._days[day])

    def today(self) -> dt.date:
        """The day whose key ``lookup_key`` gives (the kiosk's local date)."""
        return self._today()

    def days_kept(self) -> list[str]:
        """The days whose keys the open vault holds (today's, and any later one a wrong clock made)."""
        return sorted(self._days)

    # -- internals ---------------------------------------------------------------------

    def protect(self, text: str) -> str:
        """``text`` encrypted under the vault's token key, for the ledger (the device token)."""
        self._require_open()
        nonce = os.urandom(12)
        sealed = AESGCM(self._token_key).encrypt(nonce, text.encode(), TOKEN_AAD)
        return PROTECTED_PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def reveal(self, stored: str) -> str | None:
        """What ``protect`` made, in clear; a value never protected (an older ledger) as it is; None while
        locked."""
        if not stored.startswith(PROTECTED_PREFIX):
            return stored
        if not self.is_open:
            return None
        blob = base64.b64decode(stored[len(PROTECTED_PREFIX):])
        try:
            return AESGCM(self._token_key).decrypt(blob[:12], blob[12:], TOKEN_AAD).decode()
        except InvalidTag:
            return None

    def _open_with(self, pin: str, salt: bytes, cost: ScryptCost, content: dict, *,
                   key: bytes | None = None) -> None:
        self._wrapping_key = key or derive_wrapping_key(pin, salt, cost)
        days, token_key = _parts(content)
        self._salt, self._cost, self._days, self._token_key = salt, cost, days, token_key
        memory_key = secrets.token_bytes(32)
        self._pin_check = (memory_key, hmac.new(memory_key, pin.encode(), hashlib.sha256).digest())

    def _current_days(self) -> dict[str, str]:
        """The day keys as the file holds them now, when it is still wrapped for our PIN; else ours."""
        try:
            salt, _cost, nonce, wrapped = self._read()
            if salt == self._salt and self._wrapping_key is not None:
                return _parts(_decrypt(self._wrapping_key, nonce, wrapped))[0]
        except (VaultError, InvalidTag, OSError):
            pass
        return dict(self._days)

    def _require_open(self) -> None:
        if not self.is_open:
            raise VaultError("the vault is locked")

    def _read(self) -> tuple[bytes, ScryptCost, bytes, bytes]:
        try:
            doc = json.loads(self.path.read_text(encoding="ascii"))
            kdf = doc["kdf"]
            if doc.get("version") != 1 or kdf["name"] != "scrypt":
                raise VaultError(f"{self.path}: unknown vault version")
            return (bytes.fromhex(kdf["salt"]), ScryptCost(int(kdf["n"]), int(kdf["r"]), int(kdf["p"])),
                    bytes.fromhex(doc["nonce"]), base64.b64decode(doc["wrapped"], validate=True))
        except (KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
            if isinstance(exc, VaultError):
                raise
            raise VaultError(f"{self.path}: damaged vault file") from exc

    def _write(self) -> None:
        assert self._wrapping_key is not None
        nonce = os.urandom(12)
        content = {"days": self._days, "token_key": self._token_key.hex()}
        wrapped = AESGCM(self._wrapping_key).encrypt(nonce, json.dumps(content, sort_keys=True).encode(), AAD)
        doc = {"version": 1, "kdf": {"name": "scrypt", "n": self._cost.n, "r": self._cost.r, "p": self._cost.p,
                                     "salt": self._salt.hex()},
               "nonce": nonce.hex(), "wrapped": base64.b64encode(wrapped).decode("ascii"), "demo": self._demo}
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_secret(self.path, json.dumps(doc, indent=1).encode("ascii"))


def _decrypt(key: bytes, nonce: bytes, wrapped: bytes) -> dict:
    return json.loads(AESGCM(key).decrypt(nonce, wrapped, AAD))


def _parts(content: dict) -> tuple[dict[str, str], bytes]:
    """(day keys, token key) of the vault's content."""
    return dict(content.get("days", {})), bytes.fromhex(content.get("token_key") or secrets.token_hex(32))

