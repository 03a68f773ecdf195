"""The city server's HTTP API (FastAPI): enrolment, push, reconciliation and distribution.

``create_app`` receives its storage, key and settings; nothing is global, so tests run
several servers side by side. Every refusal is a 4xx with a ``detail`` saying why.
"""

# No "from __future__ import annotations": FastAPI must see the closures used in Depends().

import asyncio
import datetime as dt
import json
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Annotated, Literal, TypeVar

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError
from starlette.middleware.gzip import GZipMiddleware

from booth_common import protocol
from booth_common.protocol import ranges_of
from booth_common.join_token import new_join_secret
from booth_common.records import format_utc, sha256_hex
from booth_common.sealing import Opener, public_key_to_text
from sync.server import accounts, page, prizes
from sync.server.audit import AdminAuditMiddleware
from sync.server.city_api import install_city_routes
from sync.server.docs_page import install_docs_page
from sync.server.ingest import ingest_async
from sync.server.join import install_join_routes
from sync.server.operations import AccessLogMiddleware, Metrics, access_log_stream, install_operations
from sync.server.models import (DistributionAnswer, EnrollAnswer, EnrollRequest, HeldAnswer, Health, Problem,
                                PushAnswer, PushBatch, PushBatchJson)
from sync.server.middleware import PageHeadersMiddleware, RequestBodyMiddleware
from sync.server.settings import ServerSettings
from sync.server.storage import DatabaseUnavailable, Device, JoinStorage, Storage

Model = TypeVar("Model", bound=BaseModel)
REFUSALS = {code: {"model": Problem} for code in (400, 401, 403, 404, 413, 415, 422, 429)}
RETRY_AFTER_UNAVAILABLE_S = 5   # seconds a booth waits before it pushes again to a server whose database is down


def create_app(settings: ServerSettings, *, storage: Storage, city_key: X25519PrivateKey) -> FastAPI:
    if settings.api_docs not in ("on", "off"):
        raise ValueError(f"api_docs must be on or off, not {settings.api_docs!r}")
    # No Swagger UI: it loads its code from a public CDN (no intranet, no integrity check) and admins
    # would paste the admin token into it. With api_docs on, the schema and a plain page of it.
    app = FastAPI(title="Union booth city server", version=f"protocol-{protocol.PROTOCOL_VERSION}",
                  description="Reference server of the booth sync protocol; see sync/PROTOCOL.md.",
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json" if settings.api_docs == "on" else None)
    app.state.storage = storage
    current_device, device_and_note = _device_dependencies(storage)

    @app.get(protocol.HEALTH_PATH, response_model=Health)
    def health() -> Health:
        return Health()

    metrics = app.state.metrics = install_operations(app, storage)
    _add_enrolment(app, storage, city_key, accounts.EnrollmentLimiter(storage, settings.enroll_per_minute), metrics)
    _add_records(app, storage, Opener(city_key), current_device, device_and_note, metrics, max_batch=settings.max_batch)
    _add_distribution(app, storage, current_device)
    prizes.install_prize_routes(app, storage, current_device, refusals=REFUSALS)
    install_city_routes(app, settings, storage=storage, city_key=city_key, refusals=REFUSALS)
    install_join_routes(app, storage, city_key)
    _with_body_models(app, PushBatch)
    if settings.api_docs == "on":
        install_docs_page(app)
    app.add_exception_handler(RequestValidationError, _validation_refusal)
    app.add_exception_handler(RecursionError, _too_deep)
    app.add_exception_handler(DatabaseUnavailable, _database_unavailable)
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=1)
    app.add_middleware(RequestBodyMiddleware, max_bytes=settings.max_body_bytes, part_timeout_s=settings.body_timeout_s)
    app.add_middleware(PageHeadersMiddleware, content_security_policy=page.CONTENT_SECURITY_POLICY)
    app.add_middleware(AdminAuditMiddleware, path=settings.audit_log)
    if (access_log := access_log_stream(settings.access_log)) is not None:
        app.add_middleware(AccessLogMiddleware, out=access_log)   # outermost: sees every answer, refusals too
    return app


def _device_dependencies(storage: Storage) -> tuple[Callable[..., Device], Callable[..., tuple[Device, Future | None]]]:
    """The FastAPI dependencies resolving the bearer token to a live device, or 401.

    A token's first use is noted on disk before the call is answered (after it, only the token re-enrols its
    device). ``current_device`` waits for that note before the endpoint runs; ``device_and_note`` hands the
    note over undone, for the push, which waits for it with its records: queued just before them, it rides in
    the same group commit, instead of costing a booth's first push a commit of its own.
    """
    bearer = HTTPBearer(auto_error=False, description="The device token received at enrolment.")
    used: set[str] = set()   # tokens whose first use this process has noted

    async def device_and_note(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
                              ) -> tuple[Device, Future | None]:
        if credentials is None:
            raise HTTPException(401, "no device token: send 'Authorization: Bearer <token>'",
                                headers={"WWW-Authenticate": "Bearer"})
        device = accounts.authenticate(storage, credentials.credentials)
        if device is None:
            raise HTTPException(401, "device token unknown or revoked: enrol again",
                                headers={"WWW-Authenticate": "Bearer"})
        return device, accounts.note_first_use(storage, device, credentials.credentials, noted=used)

    async def current_device(authorised: Annotated[tuple[Device, Future | None], Depends(device_and_note)]) -> Device:
        device, noting = authorised
        if noting is not None:
            await asyncio.wrap_future(noting)   # with the writer's next group commit, off the event loop
        return device

    return current_device, device_and_note


def _add_enrolment(app: FastAPI, storage: Storage, city_key: X25519PrivateKey,
                   limiter: accounts.EnrollmentLimiter, metrics: Metrics) -> None:
    proof_bearer = HTTPBearer(auto_error=False, description="Re-enrolment only: the device's current token.")
    status_of = {"no_code": 403, "revoked": 403, "taken": 409, "mismatch": 409}

    @app.post(protocol.ENROLL_PATH, response_model=EnrollAnswer, responses={**REFUSALS, 409: {"model": Problem}})
    def enroll(body: EnrollRequest, request: Request,
               proof: Annotated[HTTPAuthorizationCredentials | None, Depends(proof_bearer)]) -> Response:
        wait = limiter.retry_after(request.client.host if request.client else "unknown")
        if wait is not None:
            raise HTTPException(429, "too many enrolment attempts from this address",
                                headers={"Retry-After": str(max(1, round(wait)))})
        enrolled = accounts.enroll(storage, code=body.code, device_id=body.device_id,
                                   proof=proof.credentials if proof else None, booth_id=body.booth_id,
                                   event_id=body.event_id)
        metrics.enrolments.labels(enrolled.kind if not isinstance(enrolled, tuple) else "enrolled").inc()
        if not isinstance(enrolled, tuple):
            detail = accounts.refusal_text(enrolled, device_id=body.device_id, booth_id=body.booth_id,
                                           event_id=body.event_id)
            if enrolled.kind == "mismatch":   # the kiosk names both sides in its own words
                return JSONResponse({"detail": detail, "enrolled_booth_id": enrolled.booth_id,
                                     "enrolled_event_id": enrolled.event_id}, status_code=409)
            raise HTTPException(status_of[enrolled.kind], detail)
        device, token = enrolled
        join_secret = JoinStorage(storage).join_secret(device.booth_id, new_secret=new_join_secret(),
                                                       at=format_utc(dt.datetime.now(dt.timezone.utc)))
        answer = EnrollAnswer(device_id=device.device_id, device_token=token, booth_id=device.booth_id,
                              event_id=device.event_id, city_public_key=public_key_to_text(city_key.public_key()),
                              join_secret=join_secret)
        return JSONResponse(answer.model_dump())


def _add_records(app: FastAPI, storage: Storage, opener: Opener, current_device: Callable[..., Device],
                 device_and_note: Callable[..., tuple[Device, Future | None]], metrics: Metrics, *,
                 max_batch: int) -> None:
    # Async, with the body parsed by pydantic straight from its JSON bytes: on the thread pool,
    # dozens of request threads fought over the GIL while hundreds of booths pushed at once, and
    # FastAPI's json.loads-then-validate made every record twice. The checks run on the event
    # loop; only the insert leaves it, for the storage's one writer thread (group commit).
    @app.post(protocol.PUSH_PATH, response_model=PushAnswer, responses=REFUSALS,
              openapi_extra=_json_body(PushBatch))
    async def push(request: Request,
                   authorised: Annotated[tuple[Device, Future | None], Depends(device_and_note)]) -> Response:
        started = time.perf_counter()
        device, noting = authorised
        try:
            batch = _parsed(PushBatch, request.headers.get("content-type"), await request.body(),
                            from_json=PushBatchJson)
            _check_batch(batch, device, max_batch=max_batch)
            received_at = format_utc(dt.datetime.now(dt.timezone.utc))
            # The parsed records go to the checks as they are: they have WireRecord's attributes.
            results = await ingest_async(storage, batch.records, device=device, opener=opener,
                                         received_at=received_at)
        finally:
            if noting is not None:   # the token's first use is on disk before any answer, a refusal too
                await asyncio.wrap_future(noting)
        metrics.pushed(results, time.perf_counter() - started)
        # Built by hand rather than through the response model: the digest must cover exactly
        # the bytes of ``results`` as sent, and re-validating thousands of answers costs time.
        return Response(protocol.push_answer_body(received_at, results), media_type=protocol.JSON_TYPE)

    @app.get(protocol.HELD_PATH, response_model=HeldAnswer, responses=REFUSALS)
    def held(device: Annotated[Device, Depends(current_device)]) -> HeldAnswer:
        runs = ranges_of(storage.held_sequence_numbers(device.device_id))
        return HeldAnswer(device_id=device.device_id, ranges=[(a, b) for a, b in runs])


def _add_distribution(app: FastAPI, storage: Storage, current_device: Callable[..., Device]) -> None:
    @app.get("/v1/events/{event_id}/{name}", response_model=DistributionAnswer,
             responses={**REFUSALS, 304: {"description": "The copy named by If-None-Match is current."}})
    def distribution(event_id: str, name: Literal["config", "quiz-bank", "prize-claim-key"],
                     device: Annotated[Device, Depends(current_device)],
                     if_none_match: Annotated[str | None, Header()] = None) -> Response:
        if event_id != device.event_id:
            raise HTTPException(403, "this device is enrolled for another event")
        latest = (prizes.claim_key_distribution(storage, event_id) if name == protocol.PRIZE_CLAIM_KEY
                  else storage.latest_distribution(event_id, name))
        if latest is None:
            raise HTTPException(404, f"no {name} published for event {event_id}")
        version, digest, content = latest
        etag = f'"{digest}"'
        if if_none_match is not None and etag in [t.strip().removeprefix("W/") for t in if_none_match.split(",")]:
            return Response(status_code=304, headers={"ETag": etag})
        body = {"protocol": protocol.PROTOCOL_VERSION, "event_id": event_id, "name": name, "version": version,
                "content": json.loads(content)}
        return JSONResponse(body, headers={"ETag": etag})


def _json_body(model: type[BaseModel]) -> dict:
    """The OpenAPI request body of an endpoint that parses ``model`` itself (see ``_with_body_models``)."""
    return {"requestBody": {"required": True, "content": {protocol.JSON_TYPE: {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


def _with_body_models(app: FastAPI, *models: type[BaseModel]) -> None:
    """Publish in the OpenAPI schema the body models that endpoints parse themselves."""
    generate = app.openapi

    def openapi() -> dict:
        fresh = app.openapi_schema is None
        schema = generate()
        if fresh:
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in models:
                body = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(body.pop("$defs", {}))
                components[model.__name__] = body
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _parsed(model: type[Model], content_type: str | None, body: bytes, *,
            from_json: type[BaseModel] | None = None) -> Model:
    """``body`` validated as ``model`` in one pass over its JSON (as ``from_json``, a twin of ``model`` for
    text from pydantic's parser, when given: models.JsonIdentifier); refusals as FastAPI words them."""
    if content_type is not None and content_type.split(";")[0].strip().lower() != protocol.JSON_TYPE:
        raise HTTPException(415, f"send the body as {protocol.JSON_TYPE}, not {content_type}")
    try:
        return (from_json or model).model_validate_json(body)  # type: ignore[return-value]
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
    if any(error["type"] == "json_invalid" for error in errors):
        # pydantic's parser refuses text such as a lone surrogate without naming the field;
        # the standard parser accepts it, so validation can say which field holds it.
        try:
            return model.model_validate(json.loads(body))
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_input=False)
        except ValueError as exc:
            errors = [{"loc": (), "msg": f"JSON decode error: {exc}", "type": "json_invalid"}]
        except RecursionError:   # thousands of nested arrays: no request of the protocol nests so
            errors = [{"loc": (), "msg": "JSON nested too deeply", "type": "json_invalid"}]
    raise RequestValidationError([{**error, "loc": ("body", *error["loc"])} for error in errors])


async def _validation_refusal(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 naming each field and what is wrong with it, without echoing the input back: it may
    hold personal data, or text (lone surrogates) that cannot even be encoded into an answer."""
    detail = [{"loc": [_printable(part) for part in error.get("loc", ())], "msg": _printable(error.get("msg", "")),
               "type": _printable(error.get("type", ""))} for error in exc.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


async def _too_deep(request: Request, exc: RecursionError) -> JSONResponse:
    """Anything nested beyond Python's recursion limit on its way through a parser: the client's fault."""
    return JSONResponse({"detail": "request nested too deeply"}, status_code=400)


async def _database_unavailable(request: Request, exc: DatabaseUnavailable) -> JSONResponse:
    """The database cannot serve now (stopped, restarting, unreachable, full, read-only): 503, which booths retry
    after Retry-After; never a 500. Why is told to /v1/ready, not to every client; /metrics counts them."""
    request.app.state.metrics.unavailable.inc()
    return JSONResponse({"detail": "the database is unavailable now: retry later"}, status_code=503,
                        headers={"Retry-After": str(RETRY_AFTER_UNAVAILABLE_S)})


def _printable(value: object) -> str | int:
    if isinstance(value, int):
        return value
    return str(value).encode("utf-8", "replace").decode("utf-8")


def _check_batch(batch: PushBatch | PushBatchJson, device: Device, *, max_batch: int) -> None:
    if len(batch.records) > max_batch:
        raise HTTPException(413, f"at most {max_batch} records per push")
    if batch.device_id != device.device_id or {r.device_id for r in batch.records} != {device.device_id}:
        raise HTTPException(403, "a device may push only records carrying its own device id")
    if len({r.id for r in batch.records}) != len(batch.records):
        raise HTTPException(422, "the same record id appears twice in one push")


def publish_distribution(storage: Storage, *, event_id: str, name: str, content: dict) -> int:
    """Store a new version of an event's config or quiz bank (the ``kiosk-server publish`` command)."""
    if name not in protocol.DISTRIBUTION_NAMES:
        raise ValueError(f"unknown distribution {name!r}")
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return storage.publish(event_id=event_id, name=name, content=text, sha256=sha256_hex(text),
                           at=format_utc(dt.datetime.now(dt.timezone.utc)))
