"""The member export for the union's membership system: registrations with their personal fields opened.

This is the one place where personal data leaves the server in clear, and only to the admin
token (``sync/server/app.py``) or the server's own command line. Voided registrations are left
out; corrections are applied in the order they were made. A registration whose sealed fields
(or whose correction's) do not open is reported as a problem and left out: a half-opened member
in the membership system would be worse than a missing one that someone looks into.
Nothing here logs a personal field.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from booth_common.sealing import Opener, SealError
from sync.server.storage import Storage

COLUMNS = ("record_id", "event_id", "booth_id", "registered_at_utc", "name", "phone", "id_number", "document_kind",
           "birth_date", "sex", "age", "occupation", "employer", "district", "street", "oath_taken", "consent_notice_version",
           "consent_given_at_utc", "corrections")
PERSONAL = ("name", "phone", "id_number", "birth_date")
CORRECTABLE = ("occupation", "employer")


@dataclass(frozen=True)
class Problem:
    """A registration that could not be exported, and why (no personal data in either)."""

    record_id: str
    booth_id: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"record_id": self.record_id, "booth_id": self.booth_id, "reason": self.reason}


def collect_members(storage: Storage, event_id: str, *, city_key: X25519PrivateKey
                    ) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The event's members as export rows (oldest first), and the registrations left out with a reason."""
    rows = storage.membership_rows(event_id)
    registrations = {r["id"]: r for r in rows if r["kind"] == "registration"}
    later: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        target = registrations.get(row["refers_to"] or "")
        # Only the device that made a registration can void or correct it.
        if row["kind"] != "registration" and target is not None and target["device_id"] == row["device_id"]:
            later[target["id"]].append(row)
    members, problems, opener = [], [], Opener(city_key)
    for record_id, registration in registrations.items():
        changes = sorted(later[record_id], key=lambda r: r["seq"])
        if any(r["kind"] == "void" for r in changes):
            continue
        try:
            members.append(_member(registration, [r for r in changes if r["kind"] == "correction"], opener))
        except (SealError, Unreadable) as exc:
            problems.append(Problem(record_id, registration["booth_id"], str(exc)))
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            # Stored before ingest checked its shape (or by a server that did not): one unreadable
            # registration is reported, it never takes the whole event's export down.
            problems.append(Problem(record_id, registration["booth_id"], f"unreadable record: {type(exc).__name__}"))
    return members, problems


class Unreadable(Exception):
    """A stored record whose data has not the shape the export reads."""


def _member(registration: dict[str, Any], corrections: list[dict[str, Any]], opener: Opener) -> dict[str, Any]:
    data = _data(registration)
    personal = _opened(registration, opener, what="registration")
    for correction in corrections:
        changes = _data(correction).get("changes") or {}
        if not isinstance(changes, dict):
            raise Unreadable(f"correction {correction['id']}: 'changes' is not an object")
        data.update({k: v for k, v in changes.items() if k in CORRECTABLE})
        if correction["sealed"]:
            personal.update(_opened(correction, opener, what=f"correction {correction['id']}"))
    consent = data.get("consent") if isinstance(data.get("consent"), dict) else {}
    return {"record_id": registration["id"], "event_id": registration["event_id"],
            "booth_id": registration["booth_id"], "registered_at_utc": registration["captured_at"],
            **{k: personal.get(k, "") for k in PERSONAL}, "document_kind": data.get("document_kind", ""),
            "sex": data.get("sex") or "", "age": "" if data.get("age") is None else data["age"],
            "occupation": data.get("occupation", ""), "employer": data.get("employer", ""),
            "district": data.get("district", ""), "street": data.get("street", ""),
            "oath_taken": "yes" if data.get("oath_taken") else "no",
            "consent_notice_version": consent.get("notice_version", ""),
            "consent_given_at_utc": consent.get("given_at", ""), "corrections": len(corrections)}


def _data(row: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(row["payload"]).get("data")
    except (ValueError, AttributeError):
        data = None
    if not isinstance(data, dict):
        raise SealError(f"record {row['id']} has no data object in its payload")
    return dict(data)


def _opened(row: dict[str, Any], opener: Opener, *, what: str) -> dict[str, str]:
    if not row["sealed"]:
        raise SealError(f"{what}: no sealed personal fields on the server")
    try:
        fields = opener.open(row["sealed"], record_id=row["id"])
    except SealError as exc:
        raise SealError(f"{what}: {exc}") from None
    if not isinstance(fields, dict):
        raise SealError(f"{what}: sealed fields are not an object")
    return {k: str(v) for k, v in fields.items() if k in PERSONAL}


FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def as_text_cell(value: Any) -> Any:
    """A text value that Excel or LibreOffice would run as a formula (``=HYPERLINK(...)``, ``+1+cmd|...``)
    gets a leading apostrophe: the spreadsheet shows it as text (OWASP's advice for CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def members_csv(members: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on the union's Windows PCs keeps the Chinese intact.
    Every text cell goes through ``as_text_cell``: a worker's employer may begin with '='."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: as_text_cell(v) for k, v in member.items()} for member in members)
    return buffer.getvalue().encode("utf-8-sig")
