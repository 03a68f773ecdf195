"""The city union's routes: city-wide numbers (JSON), the live page, and the admin-only member export
and bundle upload. ``create_app`` installs them beside the booth protocol's routes.

Numbers and the page show counts only, never a personal field, and need no token. The member
export and the bundle upload need the admin token (setting ``admin_token``), compared in
constant time; a device token is refused there.
"""

# No "from __future__ import annotations": FastAPI must see the closures used in Depends().

import hashlib
import hmac
import logging
from typing import Annotated

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from booth_common.bundle import BundleError
from sync.server import numbers, page, prizes
from sync.server.bundles import BundleRefused, import_bundle
from sync.server.employers import collect_meetings, meetings_csv
from sync.server.members import collect_members, members_csv
from sync.server.settings import ServerSettings
from sync.server.storage import Storage

log = logging.getLogger(__name__)

MIN_ADMIN_TOKEN = 24
EventId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$", description="The event's id.")]
NO_STORE = {"Cache-Control": "no-store"}


def install_city_routes(app: FastAPI, settings: ServerSettings, *, storage: Storage, city_key: X25519PrivateKey,
                        refusals: dict) -> None:
    if settings.admin_token and len(settings.admin_token) < MIN_ADMIN_TOKEN:
        raise ValueError(f"the admin token must be at least {MIN_ADMIN_TOKEN} characters long")
    tally = numbers.CityTally(storage)   # the database's counters: nothing to count at start
    app.state.city_tally = tally
    current_admin = _admin_check(settings.admin_token)

    @app.get("/v1/numbers", tags=["city"], responses=refusals)
    def event_list() -> JSONResponse:
        """Every event the server knows, with its headline totals."""
        return JSONResponse({"events": numbers.event_list(tally, storage)}, headers=NO_STORE)

    @app.get("/v1/numbers/{event_id}", tags=["city"], responses=refusals)
    def event_numbers(event_id: EventId) -> JSONResponse:
        """Totals of an event and the same figures by district, street, organisation, booth and hour (Beijing)."""
        return JSONResponse(_numbers_or_404(tally, storage, event_id), headers=NO_STORE)

    @app.get("/city", tags=["city"], response_class=HTMLResponse, responses=refusals)
    def index_page(refresh: Annotated[int | None, Query(ge=2, le=3600)] = None) -> HTMLResponse:
        """The live page's index: every event with its headline figures."""
        html = page.render_index_page(numbers.event_list(tally, storage), refresh_s=refresh or settings.page_refresh_s)
        return HTMLResponse(html, headers=NO_STORE)

    @app.get("/city/{event_id}", tags=["city"], response_class=HTMLResponse, responses=refusals)
    def event_page(event_id: EventId, refresh: Annotated[int | None, Query(ge=2, le=3600)] = None) -> HTMLResponse:
        """The live page of one event (Chinese first), refreshing itself every ``refresh`` seconds."""
        found = numbers.event_numbers(tally, storage, event_id)
        if found is None:
            return HTMLResponse(page.render_not_found(event_id), status_code=404, headers=NO_STORE)
        return HTMLResponse(page.render_event_page(found, refresh_s=refresh or settings.page_refresh_s),
                            headers=NO_STORE)

    @app.get("/v1/admin/events/{event_id}/members.csv", tags=["admin"], response_class=Response, responses={
        **refusals, 200: {"content": {"text/csv": {}}, "description": "One row per member, personal fields opened."}})
    def member_export(event_id: EventId, admin: Annotated[None, Depends(current_admin)]) -> Response:
        """The event's members for the membership system; ``X-Member-Problems`` counts those left out."""
        _known_or_404(tally, storage, event_id)
        members, problems = collect_members(storage, event_id, city_key=city_key)
        log.info("member export of event %s: %d members, %d left out", event_id, len(members), len(problems))
        headers = {**NO_STORE, "X-Members": str(len(members)), "X-Member-Problems": str(len(problems)),
                   "Content-Disposition": f'attachment; filename="members-{event_id}.csv"'}
        return Response(members_csv(members), media_type="text/csv; charset=utf-8", headers=headers)

    @app.get("/v1/admin/events/{event_id}/employer-meetings.csv", tags=["admin"], response_class=Response, responses={
        **refusals, 200: {"content": {"text/csv": {}}, "description": "One row per employer meeting, contact opened."}})
    def meeting_export(event_id: EventId, admin: Annotated[None, Depends(current_admin)]) -> Response:
        """The event's employer meetings (企业沟通会) as they stand, the contact person opened."""
        _known_or_404(tally, storage, event_id)
        meetings = collect_meetings(storage, event_id, city_key=city_key)
        log.info("employer meeting export of event %s: %d meetings", event_id, len(meetings))
        headers = {**NO_STORE, "X-Meetings": str(len(meetings)),
                   "Content-Disposition": f'attachment; filename="employer-meetings-{event_id}.csv"'}
        return Response(meetings_csv(meetings), media_type="text/csv; charset=utf-8", headers=headers)

    @app.get("/v1/admin/events/{event_id}/member-problems", tags=["admin"], responses=refusals)
    def member_problems(event_id: EventId, admin: Annotated[None, Depends(current_admin)]) -> JSONResponse:
        """Registrations left out of the export (sealed fields that do not open), with the reason."""
        _known_or_404(tally, storage, event_id)
        members, problems = collect_members(storage, event_id, city_key=city_key)
        return JSONResponse({"event_id": event_id, "members": len(members),
                             "problems": [p.to_json() for p in problems]},
                            headers={**NO_STORE, "X-Member-Problems": str(len(problems))})

    @app.get("/v1/admin/events/{event_id}/double-claims", tags=["admin"], responses=refusals)
    def double_claims(event_id: EventId, admin: Annotated[None, Depends(current_admin)]) -> JSONResponse:
        """People who got more than one prize voucher in the event (claims decided offline, found on sync)."""
        _known_or_404(tally, storage, event_id)
        doubles = prizes.double_claims(storage, event_id, city_key=city_key)
        return JSONResponse({"event_id": event_id, "double_claims": len(doubles), "claims": doubles},
                            headers=NO_STORE)

    # The body is read in the endpoint, after the admin check: no upload is buffered for a stranger.
    @app.post("/v1/admin/bundles", tags=["admin"], responses=refusals, openapi_extra={"requestBody": {
        "required": True, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
    async def bundle_upload(request: Request, admin: Annotated[None, Depends(current_admin)]) -> JSONResponse:
        """Import a booth's offline bundle (``kiosk export --format bundle``) as if it had been pushed."""
        bundle = await request.body()
        return await run_in_threadpool(_import_uploaded, bundle)

    def _import_uploaded(bundle: bytes) -> JSONResponse:
        if not bundle:
            raise HTTPException(400, "empty body: send the bundle file as application/octet-stream")
        try:
            report = import_bundle(storage, bundle, city_key=city_key)
        except BundleRefused as exc:
            raise HTTPException(403, f"bundle refused: {exc}") from None
        except BundleError as exc:
            raise HTTPException(422, f"bundle refused: {exc}") from None
        log.info("bundle of device %s imported: %s", report.device_id, report.counts)
        return JSONResponse(report.to_json(), headers={"X-Records": str(report.records)})


def _numbers_or_404(tally: numbers.CityTally, storage: Storage, event_id: str) -> dict:
    found = numbers.event_numbers(tally, storage, event_id)
    if found is None:
        raise HTTPException(404, f"no booth and no record of event {event_id}")
    return found


def _known_or_404(tally: numbers.CityTally, storage: Storage, event_id: str) -> None:
    if not numbers.is_known_event(tally, storage, event_id):
        raise HTTPException(404, f"no booth and no record of event {event_id}")


def _admin_check(admin_token: str):  # type: ignore[no-untyped-def]
    """The dependency guarding admin routes: 401 without a token, 403 with any other than the admin's."""
    bearer = HTTPBearer(auto_error=False, scheme_name="AdminToken",
                        description="The city union's admin token (setting admin_token).")
    # Digests of equal length, so compare_digest's time says nothing about the token's length either.
    expected = hashlib.sha256(admin_token.encode()).digest()

    def current_admin(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
        if credentials is None:
            raise HTTPException(401, "no admin token: send 'Authorization: Bearer <admin token>'",
                                headers={"WWW-Authenticate": "Bearer"})
        if not admin_token:
            raise HTTPException(403, "admin endpoints are off: no admin token is configured on this server")
        given = hashlib.sha256(credentials.credentials.encode("utf-8", "replace")).digest()
        if not hmac.compare_digest(given, expected):
            raise HTTPException(403, "this token may not use admin endpoints")

    return current_admin
