"""Employer meetings (企业沟通会) on the city server: the figures the federation reports, and the admin export.

Figures count meetings as they stand: a void by the device that wrote a meeting takes it out, its
corrections apply in order. Held meetings, enterprises that agreed to found a union, workers covered
(the workers of the enterprises met) and new-employment-form workers among them, in total and by the
enterprise's district and street. No contact field is read here except by ``collect_meetings`` with
the city key, for the admin export.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from booth_common.sealing import Opener, SealError
from booth_common.validation import ValidationError, validate_uscc
from sync.server.members import as_text_cell
from sync.server.storage import Storage

KIND = "employer_meeting"
OUTCOMES = ("agreed_to_found", "will_consider", "declined")
MAX_WORKERS = 1_000_000
FIGURES = ("employer_meetings", "agreed_to_found", "workers_covered", "new_form_workers")
CORRECTABLE = ("enterprise_name", "uscc", "industry", "size_band", "union_exists", "workers", "new_form_workers",
               "masked_contact_name", "masked_contact_phone", "needs", "needs_other", "package", "outcome",
               "follow_up", "district", "street")
COLUMNS = ("record_id", "booth_id", "met_at_utc", "enterprise_name", "uscc", "industry", "size_band", "union_exists",
           "workers", "new_form_workers", "contact_name", "contact_phone", "needs", "needs_other", "package",
           "outcome", "follow_up", "district", "street", "corrections")


def misshapen_meeting(data: dict[str, Any]) -> str | None:
    """Why a pushed meeting cannot be counted or exported, or None (ingest refuses it with this reason)."""
    try:
        validate_uscc(data["uscc"] if isinstance(data.get("uscc"), str) else "")
    except ValidationError as exc:
        return f"an employer meeting's uscc is refused by the kiosk's own rules ({exc.code})"
    return misshapen_changes(data, required=True)


def misshapen_changes(data: dict[str, Any], *, required: bool) -> str | None:
    for name in ("workers", "new_form_workers"):
        value = data.get(name, 0 if not required else None)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_WORKERS:
            return f"an employer meeting's {name!r} must be a whole number from 0 to {MAX_WORKERS}"
    if data.get("outcome", OUTCOMES[0] if not required else None) not in OUTCOMES:
        return f"an employer meeting's 'outcome' must be one of {', '.join(OUTCOMES)}"
    for name in ("enterprise_name", "district", "street"):
        if not isinstance(data.get(name, ""), str):
            return f"an employer meeting's {name!r} must be text"
    if "uscc" in data and not required:
        try:
            validate_uscc(data["uscc"] if isinstance(data["uscc"], str) else "")
        except ValidationError as exc:
            return f"an employer meeting's uscc is refused by the kiosk's own rules ({exc.code})"
    return None


def collect_meetings(storage: Storage, event_id: str, *, city_key: X25519PrivateKey | None = None
                     ) -> list[dict[str, Any]]:
    """The event's meetings as they stand, oldest first; with ``city_key`` the contact opened (admin export)."""
    rows = storage.rows_with_references(event_id, KIND)
    meetings = {r["id"]: r for r in rows if r["kind"] == KIND}
    later: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        target = meetings.get(row["refers_to"] or "")
        if row["kind"] != KIND and target is not None and target["device_id"] == row["device_id"]:
            later[target["id"]].append(row)
    opener = Opener(city_key) if city_key is not None else None
    found = []
    for record_id, row in meetings.items():
        changes = sorted(later[record_id], key=lambda r: r["seq"])
        if any(r["kind"] == "void" for r in changes):
            continue
        found.append(_meeting(row, [r for r in changes if r["kind"] == "correction"], opener))
    return found


def _meeting(row: dict[str, Any], corrections: list[dict[str, Any]], opener: Opener | None) -> dict[str, Any]:
    data = _data(row)
    contact = _opened(row, opener)
    for correction in corrections:
        changes = _data(correction).get("changes")
        if isinstance(changes, dict) and misshapen_changes(changes, required=False) is None:
            data.update({k: v for k, v in changes.items() if k in CORRECTABLE})
            contact.update(_opened(correction, opener) if correction["sealed"] else {})
    return {**data, "record_id": row["id"], "booth_id": row["booth_id"], "met_at_utc": row["captured_at"],
            "contact_name": contact.get("contact_name", ""), "contact_phone": contact.get("contact_phone", ""),
            "corrections": len(corrections)}


def _data(row: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(row["payload"]).get("data")
    except (ValueError, AttributeError):
        data = None
    return dict(data) if isinstance(data, dict) else {}


def _opened(row: dict[str, Any], opener: Opener | None) -> dict[str, str]:
    if opener is None or not row["sealed"]:
        return {}
    try:
        fields = opener.open(row["sealed"], record_id=row["id"])
    except SealError:
        return {"contact_name": "(无法打开 / does not open)", "contact_phone": ""}
    return {k: str(v) for k, v in fields.items() if k in ("contact_name", "contact_phone")} if isinstance(fields, dict) else {}


def employer_numbers(storage: Storage, event_id: str) -> dict[str, Any]:
    """Totals and the same figures by the enterprise's district and street."""
    meetings = collect_meetings(storage, event_id)
    by_district: dict[tuple[str, ...], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    by_street: dict[tuple[str, ...], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    totals = dict.fromkeys(FIGURES, 0)
    for m in meetings:
        district, street = m.get("district") or "未登记", m.get("street") or "未登记"
        for figures in (totals, by_district[(district,)], by_street[(district, street)]):
            figures["employer_meetings"] += 1
            figures["agreed_to_found"] += m.get("outcome") == "agreed_to_found"
            figures["workers_covered"] += m.get("workers", 0)
            figures["new_form_workers"] += m.get("new_form_workers", 0)
    return {"totals": totals,
            "by_district": [{"district": d, **f} for (d,), f in sorted(by_district.items())],
            "by_street": [{"district": d, "street": s, **f} for (d, s), f in sorted(by_street.items())]}


def meetings_csv(meetings: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte-order mark, formula-looking text neutralised (as the member export)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    for m in meetings:
        row = {**m, "needs": " ".join(m.get("needs", [])), "package": " ".join(m.get("package", [])),
               "union_exists": "yes" if m.get("union_exists") else "no", "follow_up": m.get("follow_up") or ""}
        writer.writerow({k: as_text_cell(row.get(k, "")) for k in COLUMNS})
    return buffer.getvalue().encode("utf-8-sig")
