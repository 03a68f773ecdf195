"""Sealing of personal fields at rest: HPKE to a public key, keyed hashes for duplicate checks.

The kiosk seals with a public key only. Before enrolment that is the device's own key pair
(its private half stays in the key folder, needed only to re-seal at enrolment); after
enrolment it is the city server's key, and the device's private half is destroyed. The
envelope is bound to its record id through HPKE's ``info``, so an envelope moved onto
another record does not open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
ENVELOPE_PREFIX = "hpke1:"
INFO_PREFIX = b"union-booth-kiosk/sealed/v1/"


class SealError(ValueError):
    """A sealed envelope that cannot be opened: wrong key, wrong record or tampered bytes."""


def seal(fields: dict[str, str], public_key: X25519PublicKey, *, record_id: str) -> str:
    """Seal a dict of personal fields into an ASCII envelope bound to ``record_id``."""
    plaintext = json.dumps(fields, sort_keys=True, ensure_ascii=False).encode("utf-8")
    blob = SUITE.encrypt(plaintext, public_key, info=INFO_PREFIX + record_id.encode())
    return ENVELOPE_PREFIX + base64.b64encode(blob).decode("ascii")


def open_sealed(envelope: str, private_key: X25519PrivateKey, *, record_id: str) -> dict[str, str]:
    """Open an envelope made by ``seal``; raises ``SealError`` on any mismatch."""
    if not envelope.startswith(ENVELOPE_PREFIX):
        raise SealError("unknown envelope format")
    try:
        blob = base64.b64decode(envelope[len(ENVELOPE_PREFIX):], validate=True)
        plaintext = SUITE.decrypt(blob, private_key, info=INFO_PREFIX + record_id.encode())
        return json.loads(plaintext)
    except (InvalidTag, ValueError) as exc:
        raise SealError("sealed fields do not open: tampered, or sealed for another key or record") from exc


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

    def ensure(self) -> None:
        """Create the HMAC secret and the device key pair on first start."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self._hmac_path.exists():
            _write_secret(self._hmac_path, secrets.token_bytes(32))
        if not self._seal_public_path.exists():
            private = X25519PrivateKey.generate()
            _write_secret(self._device_private_path, private_key_to_bytes(private))
            _write_secret(self._seal_public_path, public_key_to_text(private.public_key()).encode())

    def hmac_secret(self) -> bytes:
        return self._hmac_path.read_bytes()

    def seal_public_key(self) -> X25519PublicKey:
        return public_key_from_text(self._seal_public_path.read_text().strip())

    def device_private_key(self) -> X25519PrivateKey | None:
        """The device's own private key, or None once it was destroyed at enrolment."""
        if not self._device_private_path.exists():
            return None
        return X25519PrivateKey.from_private_bytes(self._device_private_path.read_bytes())

    def is_enrolled(self) -> bool:
        return not self._device_private_path.exists()

    def adopt_city_key(self, city_public: X25519PublicKey) -> None:
        """Seal to the city's key from now on (the caller re-seals old envelopes first)."""
        _write_secret(self._seal_public_path, public_key_to_text(city_public).encode())

    def destroy_device_private_key(self) -> None:
        path = self._device_private_path
        if path.exists():
            # Overwrite before unlinking: on most file systems this keeps the key out of freed blocks.
            size = path.stat().st_size
            with open(path, "r+b") as fh:
                fh.write(secrets.token_bytes(size))
                fh.flush()
                os.fsync(fh.fileno())
            path.unlink()


def _write_secret(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
