"""The request and answer bodies of protocol v1 as pydantic models: validation and the OpenAPI schema."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from booth_common.protocol import PROTOCOL_VERSION


def _encodable(text: str) -> str:
    # JSON may carry lone surrogates ("\ud800") that no database or hash can take as UTF-8;
    # refusing them here turns a would-be 500 into a precise 422.
    text.encode("utf-8")
    return text


# Text read by pydantic's own JSON parser is always valid Unicode: it refuses lone surrogates and broken
# UTF-8 as invalid JSON. So the push's body, parsed from its JSON bytes, goes into the Json* twins of the
# models, which call no Python for each field of each record (_encodable was a third of a push's parse);
# text from Python objects (a bundle, the standard parser's fallback) goes into the models with _encodable.
JsonIdentifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
Identifier = Annotated[JsonIdentifier, AfterValidator(_encodable)]
JsonPayload = Annotated[str, Field(min_length=2, max_length=1_000_000)]
Label = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_encodable)]  # a booth or event id
Version = Literal[1]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Seq = Annotated[int, Field(ge=1, le=2**53, strict=True)]   # strict: "7" or 7.0 is no sequence number
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Sealed = Annotated[str, Field(pattern=r"^hpke[12]:[A-Za-z0-9+/=]+$", max_length=200_000)]


class PushRecord(Strict):
    id: Identifier
    device_id: Identifier
    seq: Seq
    payload: Annotated[JsonPayload, AfterValidator(_encodable)]
    payload_sha256: Sha256
    sealed: Sealed | None = None


class PushBatch(Strict):
    protocol: Version
    device_id: Identifier
    records: Annotated[list[PushRecord], Field(min_length=1)]


class PushRecordJson(Strict):
    """``PushRecord`` for text from pydantic's JSON parser (see ``JsonIdentifier``)."""

    id: JsonIdentifier
    device_id: JsonIdentifier
    seq: Seq
    payload: JsonPayload
    payload_sha256: Sha256
    sealed: Sealed | None = None


class PushBatchJson(Strict):
    """``PushBatch`` for a body parsed from its JSON bytes by pydantic (see ``JsonIdentifier``)."""

    protocol: Version
    device_id: JsonIdentifier
    records: Annotated[list[PushRecordJson], Field(min_length=1)]


class RecordResult(BaseModel):
    id: str
    status: Literal["accepted", "duplicate", "conflict", "rejected"]
    reason: str | None


class PushAnswer(BaseModel):
    protocol: Version = PROTOCOL_VERSION
    received_at: str = Field(description="The server's own receive time (UTC), whatever the device clock says.")
    results: list[RecordResult]
    digest: str = Field(description="SHA-256 of the canonical JSON of `results`; a mismatch means a garbled answer.")


class EnrollRequest(Strict):
    protocol: Version
    code: Annotated[str, Field(min_length=4, max_length=64), AfterValidator(_encodable)]
    device_id: Identifier
    booth_id: Label | None = Field(None, description="The booth the kiosk's configuration names; another "
                                                          "booth than the code's is refused (409), nothing spent.")
    event_id: Label | None = Field(None, description="The event the kiosk's configuration names (as booth_id).")


class EnrollAnswer(BaseModel):
    protocol: Version = PROTOCOL_VERSION
    device_id: str
    device_token: str
    city_public_key: str = Field(description="X25519 public key, base64 of the raw 32 bytes.")
    booth_id: str
    event_id: str
    join_secret: str = Field("", description="The booth's secret for its phone-join code tokens "
                                             "(booth_common/join_token.py): the kiosk shows /join/{event}/{booth}?t=...")


class HeldAnswer(BaseModel):
    protocol: Version = PROTOCOL_VERSION
    device_id: str
    ranges: list[tuple[int, int]] = Field(description="Inclusive runs of the sequence numbers the server holds.")


class DistributionAnswer(BaseModel):
    protocol: Version = PROTOCOL_VERSION
    event_id: str
    name: Literal["config", "quiz-bank"]
    version: int
    content: dict[str, Any]


class Health(BaseModel):
    protocol: Version = PROTOCOL_VERSION
    status: Literal["ok"] = "ok"


class Problem(BaseModel):
    detail: Any = Field(description="Why the request was refused.")
