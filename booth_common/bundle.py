"""The offline bundle: every record of a booth in one file that only the city server can open.

This module is the format, shared by both sides; the kiosk's writer is ``sync/bundle.py``.
A booth that never gets online writes ``kiosk export --format bundle --out FILE``; the file travels
(USB stick, e-mail) and ``kiosk-server import-bundle FILE`` ingests it with the same checks and the
same exactly-once guarantees as a push. The format (also in ``sync/PROTOCOL.md``)::

    UNION-BOOTH-BUNDLE/1\\n
    <header: canonical JSON on one line>\\n
    <HPKE ciphertext to the city key, of gzip(canonical JSON body)>

The header names the device, booth, event, record count and the id of the city key; HPKE's
``info`` carries the header's SHA-256, so a changed header does not open. The body repeats the
header's fields and holds the device token (the server authenticates the bundle as it does a
push) and the records exactly as pushed: frozen payloads and their sealed envelopes, which stay
sealed to the city key inside. Only an enrolled device can write a bundle: before enrolment the
personal fields are sealed to the device's own key, which the server cannot open.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from booth_common.protocol import WireRecord
from booth_common.records import canonical_json, utc_now_text
from booth_common.sealing import SUITE, key_id

MAGIC = b"UNION-BOOTH-BUNDLE/1\n"
INFO_PREFIX = b"union-booth-kiosk/bundle/v1/"
FORMAT_VERSION = 1
HEADER_FIELDS = ("device_id", "booth_id", "event_id", "created_at", "records", "city_key_id")
MAX_HEADER_BYTES = 4096
# A day of a busy booth is a few thousand records of about 1 kB: 256 MiB of JSON is far beyond
# any real bundle and still bounds what a crafted gzip bomb can make the server allocate.
MAX_BODY_BYTES = 256 * 1024 * 1024


class BundleError(ValueError):
    """A file that is not a good bundle for this city key; ``str(err)`` says why."""


@dataclass(frozen=True)
class BundleHeader:
    device_id: str
    booth_id: str
    event_id: str
    created_at: str
    records: int
    city_key_id: str


@dataclass(frozen=True)
class Bundle:
    header: BundleHeader
    device_token: str
    records: list[dict[str, Any]]    # as pushed: id, device_id, seq, payload, payload_sha256, sealed


# -- packing (the kiosk writes what this packs: sync/bundle.py) -----------------------------------

def pack_bundle(records: Sequence[WireRecord], *, device_id: str, booth_id: str, event_id: str, device_token: str,
                city_public_key: X25519PublicKey, created_at: str | None = None) -> tuple[BundleHeader, bytes]:
    """The bundle's bytes (the kiosk writes them; tests build odd bundles with it)."""
    header = BundleHeader(device_id, booth_id, event_id, created_at or utc_now_text(), len(records),
                          key_id(city_public_key))
    header_line = canonical_json({"bundle": FORMAT_VERSION, **header.__dict__}).encode()
    body = {"bundle": FORMAT_VERSION, "device_id": device_id, "booth_id": booth_id, "event_id": event_id,
            "created_at": header.created_at, "device_token": device_token, "records": [r.to_json() for r in records]}
    plaintext = gzip.compress(canonical_json(body).encode(), compresslevel=6)
    ciphertext = SUITE.encrypt(plaintext, city_public_key, info=_info(header_line))
    return header, MAGIC + header_line + b"\n" + ciphertext


def _info(header_line: bytes) -> bytes:
    return INFO_PREFIX + hashlib.sha256(header_line).hexdigest().encode()


# -- reading (the city server) --------------------------------------------------------------------

def read_bundle(data: bytes, city_key: X25519PrivateKey) -> Bundle:
    """Open and check a bundle; ``BundleError`` with the reason when anything is wrong with it."""
    header_line, ciphertext = _split(data)
    header = _header(header_line)
    if header.city_key_id != key_id(city_key.public_key()):
        raise BundleError("bundle is sealed to another city key (another server, or a replaced key)")
    try:
        plaintext = SUITE.decrypt(ciphertext, city_key, info=_info(header_line))
    except (InvalidTag, ValueError):
        raise BundleError("bundle does not open: its bytes or its header were changed") from None
    body = _body(_gunzip(plaintext))
    for name in ("device_id", "booth_id", "event_id", "created_at"):
        if body.get(name) != getattr(header, name):
            raise BundleError(f"bundle header and body disagree on {name}")
    records, token = body.get("records"), body.get("device_token")
    if not isinstance(records, list) or len(records) != header.records or not all(isinstance(r, dict) for r in records):
        raise BundleError("bundle body does not hold the records its header counts")
    if not isinstance(token, str) or not token:
        raise BundleError("bundle body lacks the device token")
    return Bundle(header, token, records)


def _split(data: bytes) -> tuple[bytes, bytes]:
    if not data.startswith(MAGIC):
        raise BundleError("not a booth bundle (it does not start with UNION-BOOTH-BUNDLE/1)")
    rest = data[len(MAGIC):]
    end = rest.find(b"\n", 0, MAX_HEADER_BYTES)
    if end < 0:
        raise BundleError("bundle header is missing or too long")
    return rest[:end], rest[end + 1:]


def _header(line: bytes) -> BundleHeader:
    try:
        fields = json.loads(line)
    except ValueError:
        raise BundleError("bundle header is not JSON") from None
    if not isinstance(fields, dict) or fields.get("bundle") != FORMAT_VERSION:
        raise BundleError(f"bundle format version {fields.get('bundle') if isinstance(fields, dict) else '?'!r} "
                          f"is not {FORMAT_VERSION}")
    if not all(isinstance(fields.get(n), str) and fields[n] for n in HEADER_FIELDS if n != "records") or \
            type(fields.get("records")) is not int or fields["records"] < 0:
        raise BundleError("bundle header lacks a field")
    return BundleHeader(*(fields[n] for n in HEADER_FIELDS))


def _gunzip(data: bytes) -> bytes:
    inflater = zlib.decompressobj(wbits=31)
    try:
        body = inflater.decompress(data, MAX_BODY_BYTES)
    except zlib.error:
        raise BundleError("bundle body is not valid gzip") from None
    if inflater.unconsumed_tail:
        raise BundleError(f"bundle body is larger than {MAX_BODY_BYTES} bytes")
    if not inflater.eof:
        raise BundleError("bundle body is truncated")
    return body


def _body(text: bytes) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except ValueError:
        raise BundleError("bundle body is not JSON") from None
    if not isinstance(body, dict) or body.get("bundle") != FORMAT_VERSION:
        raise BundleError("bundle body is not a version 1 bundle")
    return body
