"""Sealing of personal fields at rest: HPKE to a public key, keyed hashes for duplicate checks.

The kiosk seals with a public key only: the city's, shipped in a real event's configuration
(``sync.city_public_key``), so no key that opens an envelope is ever on the device. The demo event,
which ships no city key, seals to a device key pair of its own (the private half in the key folder,
needed only to re-seal at enrolment, then destroyed). The key is read from the key ring at every
write (``KeyRing.seal_public_text``), so a running kiosk follows an enrolment made by another process.
The keys of the keyed hashes are not here: they are wrapped by the volunteer PIN (``kiosk.vault``).

An envelope (``hpke2:``) carries a session header and the fields under AES-256-GCM. The header
is a fresh AES key sealed with HPKE base mode (X25519, HKDF-SHA256, AES-256-GCM) to the public
key; the AES key itself lives only in the ``Sealer``'s memory, so a copy of the disk opens
nothing without the private key. One session serves a run of envelopes (at most
``ROTATE_AFTER``): the X25519 work, which dominated both writing a registration and checking a
pushed one on the server, is paid once per session instead of once per record — the ``Opener``
keeps opened session keys. The record id (and the session header) are the GCM additional data,
so an envelope moved onto another record does not open. ``hpke1:`` envelopes (one HPKE
message per record) still open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
ENVELOPE_PREFIX = "hpke2:"
LEGACY_PREFIX = "hpke1:"
INFO_PREFIX = b"union-booth-kiosk/sealed/v1/"
SESSION_INFO = b"union-booth-kiosk/seal-session/v2"
SESSION_BYTES = 32 + 32 + 16   # X25519 encapsulated key, the sealed AES-256 key, its GCM tag
NONCE_BYTES = 12
ROTATE_AFTER = 1000            # envelopes per session key; far below the random-nonce bound of GCM


class SealError(ValueError):
    """A sealed envelope that cannot be opened: wrong key, wrong record or tampered bytes."""


class Sealer:
    """Seals personal fields to one public key, in sessions of at most ``rotate_after`` envelopes."""

    def __init__(self, public_key: X25519PublicKey, *, rotate_after: int = ROTATE_AFTER):
        self.public_key, self.rotate_after = public_key, rotate_after
        self._session, self._aead, self._used = b"", AESGCM(bytes(32)), rotate_after

    def seal(self, fields: dict[str, str], *, record_id: str) -> str:
        """An ASCII envelope of ``fields`` bound to ``record_id``."""
        if self._used >= self.rotate_after:
            self._new_session()
        self._used += 1
        plaintext = json.dumps(fields, sort_keys=True, ensure_ascii=False).encode("utf-8")
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext, _associated(record_id, self._session))
        return ENVELOPE_PREFIX + base64.b64encode(self._session + nonce + sealed).decode("ascii")

    def _new_session(self) -> None:
        key = AESGCM.generate_key(bit_length=256)
        self._session = SUITE.encrypt(key, self.public_key, info=SESSION_INFO)
        self._aead, self._used = AESGCM(key), 0


class Opener:
    """Opens envelopes with one private key, keeping the session keys it has opened (thread-safe)."""

    def __init__(self, private_key: X25519PrivateKey, *, cache_size: int = 4096):
        self.private_key, self.cache_size = private_key, cache_size
        self._sessions: dict[bytes, AESGCM] = {}
        self._lock = threading.Lock()

    def open(self, envelope: str, *, record_id: str) -> dict[str, str]:
        """The fields sealed by ``Sealer.seal`` (or the older ``seal`` format); ``SealError`` on any mismatch."""
        try:
            if envelope.startswith(ENVELOPE_PREFIX):
                blob = base64.b64decode(envelope[len(ENVELOPE_PREFIX):], validate=True)
                plaintext = self._open_in_session(blob, record_id)
            elif envelope.startswith(LEGACY_PREFIX):
                blob = base64.b64decode(envelope[len(LEGACY_PREFIX):], validate=True)
                plaintext = SUITE.decrypt(blob, self.private_key, info=INFO_PREFIX + record_id.encode())
            else:
                raise SealError("unknown envelope format")
            return json.loads(plaintext)
        except (InvalidTag, ValueError) as exc:
            if isinstance(exc, SealError):
                raise
            raise SealError("sealed fields do not open: tampered, or sealed for another key or record") from exc

    def _open_in_session(self, blob: bytes, record_id: str) -> bytes:
        if len(blob) < SESSION_BYTES + NONCE_BYTES + 16:
            raise ValueError("envelope too short")
        session, nonce, sealed = blob[:SESSION_BYTES], blob[SESSION_BYTES:SESSION_BYTES + NONCE_BYTES], \
            blob[SESSION_BYTES + NONCE_BYTES:]
        return self._session_aead(session).decrypt(nonce, sealed, _associated(record_id, session))

    def _session_aead(self, session: bytes) -> AESGCM:
        with self._lock:
            aead = self._sessions.get(session)
        if aead is None:
            aead = AESGCM(SUITE.decrypt(session, self.private_key, info=SESSION_INFO))
            with self._lock:
                if len(self._sessions) >= self.cache_size:
                    self._sessions.pop(next(iter(self._sessions)))
                self._sessions[session] = aead
        return aead


def _associated(record_id: str, session: bytes) -> bytes:
    return INFO_PREFIX + record_id.encode() + b"\0" + session


def seal(fields: dict[str, str], public_key: X25519PublicKey, *, record_id: str) -> str:
    """One envelope in a session of its own (one-off use; a kiosk keeps a ``Sealer``)."""
    return Sealer(public_key).seal(fields, record_id=record_id)


def open_sealed(envelope: str, private_key: X25519PrivateKey, *, record_id: str) -> dict[str, str]:
    """Open one envelope (one-off use; a server keeps an ``Opener``)."""
    return Opener(private_key).open(envelope, record_id=record_id)


def public_key_to_text(key: X25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def public_key_from_text(text: str) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))


def key_id(public_key: X25519PublicKey) -> str:
    """A short name for a public key, stored beside each envelope sealed to it."""
    return hashlib.sha256(public_key_to_text(public_key).encode()).hexdigest()[:16]


def private_key_to_bytes(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


def keyed_hash(secret: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 of a normalised value, separated by purpose (``id_number``, ``phone``)."""
    return hmac.new(secret, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


@dataclass
class KeyRing:
    """The key files of one kiosk, in its data folder."""

    folder: Path

    @property
    def _hmac_path(self) -> Path:
        return self.folder / "hmac.key"

    @property
    def _device_private_path(self) -> Path:
        return self.folder / "device-seal.key"

    @property
    def _seal_public_path(self) -> Path:
        return self.folder / "seal-public.txt"

    def ensure(self, *, city_public: str | None = None) -> None:
        """On first start: seal to ``city_public`` (the city's key from the event configuration) when given,
        so no private key that opens the envelopes is ever on the device; else (the demo event) to a
        device key pair of its own, whose private half stays in the key folder until enrolment."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.name == "posix":
            os.chmod(self.folder, 0o700)  # the key folder is the booth account's alone
        if self._seal_public_path.exists():
            return
        if city_public is not None:
            write_secret(self._seal_public_path, public_key_to_text(public_key_from_text(city_public)).encode())
            return
        private = X25519PrivateKey.generate()
        write_secret(self._device_private_path, private_key_to_bytes(private))
        write_secret(self._seal_public_path, public_key_to_text(private.public_key()).encode())

    def drop_legacy_hmac_key(self) -> bool:
        """Destroy the plain lookup key of versions before the vault (``hmac.key``); True if there was one."""
        if not self._hmac_path.exists():
            return False
        _shred(self._hmac_path)
        return True

    def seal_public_text(self) -> str:
        """The public key to seal to now, as text (read from the file each time: enrolment may change it)."""
        return self._seal_public_path.read_text().strip()

    def seal_public_key(self) -> X25519PublicKey:
        return public_key_from_text(self.seal_public_text())

    def device_private_key(self) -> X25519PrivateKey | None:
        """The device's own private key, or None once it was destroyed at enrolment."""
        if not self._device_private_path.exists():
            return None
        return X25519PrivateKey.from_private_bytes(self._device_private_path.read_bytes())

    def is_enrolled(self) -> bool:
        return not self._device_private_path.exists()

    def adopt_city_key(self, city_public: X25519PublicKey) -> None:
        """Seal to the city's key from now on (the caller re-seals old envelopes first)."""
        write_secret(self._seal_public_path, public_key_to_text(city_public).encode())

    def destroy_device_private_key(self) -> None:
        _shred(self._device_private_path)


def _shred(path: Path) -> None:
    if path.exists():
        # Overwrite before unlinking: on most file systems this keeps the key out of freed blocks.
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            fh.write(secrets.token_bytes(size))
            fh.flush()
            os.fsync(fh.fileno())
        path.unlink()


def write_secret(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, the file 0600 from its first byte and synced before the swap."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
