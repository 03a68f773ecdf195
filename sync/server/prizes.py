"""One prize per person per event, city-wide: the event's claim key, online claims, and double claims.

A booth files a prize claim under keyed hashes of the claimant (HMAC-SHA256 with the event's claim
key, which this server makes and hands to the event's enrolled devices as the ``prize-claim-key``
distribution): the server never receives the phone number. Online, ``POST /v1/prize-claims`` grants
the claim unless another voucher already holds one of its keys (409). Offline, the booth decides
alone and its quiz record carries the keys, sealed to the city key with the record; once synced, a key held by two vouchers is a double
claim, listed for the city union at ``GET /v1/admin/events/{event_id}/double-claims``.
"""

# No "from __future__ import annotations": FastAPI must see the closures used in Depends().

import json
import secrets
from collections.abc import Callable
from typing import Annotated, Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import Field

from booth_common import protocol
from booth_common.records import sha256_hex, utc_now_text
from booth_common.sealing import Opener, SealError
from sync.server.models import Identifier, Strict, Version
from sync.server.storage import Device, Storage

ClaimKey = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Voucher = Annotated[str, Field(pattern=r"^UV1-[0-9A-Z]{16}$")]
MAX_KEYS = 4  # a phone, a pass, and the member's other one: never more


class PrizeClaim(Strict):
    protocol: Version
    event_id: Identifier
    voucher: Voucher
    keys: Annotated[list[ClaimKey], Field(min_length=1, max_length=MAX_KEYS)]


def claim_key_distribution(storage: Storage, event_id: str) -> tuple[int, str, str]:
    """(version, sha256, content) of the event's claim key, made on first request and never changed."""
    secret = storage.prize_claim_key(event_id, new_secret=secrets.token_hex(32), at=utc_now_text())
    content = json.dumps({"key": secret})
    return 1, sha256_hex(content), content


def install_prize_routes(app: FastAPI, storage: Storage, current_device: Callable[..., Device], *,
                         refusals: dict) -> None:
    @app.post(protocol.PRIZE_CLAIM_PATH, tags=["booth"], responses={**refusals, 409: {
        "description": "Another voucher of this event already holds one of the keys: no second prize."}})
    def claim_prize(claim: PrizeClaim, device: Annotated[Device, Depends(current_device)]) -> JSONResponse:
        """Grant a prize claim city-wide, or refuse it because the person already claimed one in this event."""
        if claim.event_id != device.event_id:
            raise HTTPException(403, "this device is enrolled for another event")
        held = storage.claim_prize(event_id=claim.event_id, keys=sorted(set(claim.keys)), voucher=claim.voucher,
                                   device_id=device.device_id, booth_id=device.booth_id,
                                   at=utc_now_text())
        if held is not None:
            return JSONResponse({"protocol": protocol.PROTOCOL_VERSION, "granted": False, **held}, status_code=409)
        return JSONResponse({"protocol": protocol.PROTOCOL_VERSION, "granted": True})


def double_claims(storage: Storage, event_id: str, *, city_key: X25519PrivateKey) -> list[dict[str, Any]]:
    """Every claim key held by more than one voucher of the event: online grants and synced quiz records
    (voided attempts left out), each voucher with its booth, time and how it was decided. A quiz record's
    claim keys are sealed with it (the booth keeps no hash of a claimant's phone in a payload it keeps);
    records of earlier kiosks carry them in the payload."""
    opener = Opener(city_key)
    by_key: dict[str, dict[str, dict[str, str]]] = {}
    for row in storage.prize_claims(event_id):
        by_key.setdefault(row["claim_key"], {})[row["voucher"]] = {
            "voucher": row["voucher"], "booth_id": row["booth_id"], "at": row["claimed_at"], "decided": "online"}
    for row in storage.quiz_attempts_with_prizes(event_id):
        data = json.loads(row["payload"]).get("data", {})
        voucher, keys = data.get("prize_voucher"), _claim_keys(data, row.get("sealed"), row["id"], opener)
        if not isinstance(voucher, str) or not isinstance(keys, list):
            continue
        for key in keys:
            if isinstance(key, str):
                seen = by_key.setdefault(key, {})
                seen.setdefault(voucher, {"voucher": voucher, "booth_id": row["booth_id"], "at": row["captured_at"],
                                          "decided": str(data.get("city_claim", "booth"))})
    doubles = []
    for key, vouchers in by_key.items():
        if len(vouchers) > 1:
            claims = sorted(vouchers.values(), key=lambda c: c["at"])
            doubles.append({"claim_key": key[:12], "claims": claims})
    return sorted(doubles, key=lambda d: d["claims"][-1]["at"])


def _claim_keys(data: dict[str, Any], sealed: str | None, record_id: str, opener: Opener) -> Any:
    if isinstance(data.get("claim_keys"), list):
        return data["claim_keys"]  # a record from before the keys were sealed
    if not sealed:
        return None
    try:
        return opener.open(sealed, record_id=record_id).get("claim_keys")
    except SealError:
        return None
