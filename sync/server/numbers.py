"""City-wide numbers: the day as the city union reports it, by event, district, street, organisation, booth and hour.

Counting follows the booth's own day report (``kiosk/report.py``): new members are registrations,
consultations (咨询人次) are consultation-desk visits plus service uses, handouts are gifts, leaflets
and packs handed out, and a record taken back by a void of its own device counts nowhere. Hours are
Beijing time of capture (the device's clock: a bundle imported days later still lands in the hour it happened).

The fine counts per (booth, kind, subject, hour) are kept by the database itself, in the transaction that
stores the records (``sync/server/city_counts.py``), with their sums by booth, by hour and by subject. At
each request ``CityTally`` reads those sums (a few thousand rows, whatever the number of records): a server
process answers its first page at once, and every process of a city sees the same figures. The roll-ups by district, street and organisation are made here from the booths' figures.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from booth_common.records import format_utc
from sync.server import city_counts
from sync.server.employers import employer_numbers
from sync.server.storage import Storage

BEIJING = dt.timezone(dt.timedelta(hours=8))
UNKNOWN = "未登记"   # a booth whose district (street, organisation) nobody gave
COUNTED_KINDS = city_counts.COUNTED_KINDS
PLACE_FIELDS = ("district", "street", "organisation", "venue_type", "name")


@dataclass
class BoothTally:
    """Everything counted for one booth of one event."""

    counts: Counter = field(default_factory=Counter)          # (kind, 'passed' or '') -> n
    records: int = 0
    last_received_at: str = ""
    setup: dict[str, str] = field(default_factory=dict)        # the newest booth_setup profile
    service_items: int = 0                                     # services used at least once


@dataclass
class EventTally:
    """One event's counts as the page rolls them up: by booth, by hour, by subject."""

    booths: dict[str, BoothTally] = field(default_factory=dict)
    hours: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))   # Beijing hour -> (kind, mark)
    subjects: Counter = field(default_factory=Counter)                                  # (kind, subject) -> n


class CityTally:
    """The city's counts as the database keeps them; holds nothing between requests."""

    def __init__(self, storage: Storage):
        self.storage = storage

    def events(self) -> list[str]:
        """Events with a stored record."""
        with self.storage.reading() as conn:
            return city_counts.counted_events(conn)

    def event(self, event_id: str) -> EventTally:
        """One event's sums as the database keeps them, read in one statement (one consistent snapshot)."""
        counted = EventTally()
        booths = counted.booths
        with self.storage.reading() as conn:
            rows = city_counts.event_rollups(conn, event_id)
        for part, place, kind, detail, n in rows:
            if part == "place":
                booths[place] = BoothTally(Counter(), n, kind, _setup_profile(detail) if detail is not None else {})
            elif part == "booth":
                booths.setdefault(place, BoothTally()).counts[(kind, detail)] += n
            elif part == "service":
                booths.setdefault(place, BoothTally()).service_items += n > 0
            elif part == "hour":
                counted.hours[beijing_hour(place)][(kind, detail)] += n
            elif part == "subject":
                counted.subjects[(kind, detail)] += n
        return counted

    def booths_of(self, event_id: str) -> dict[str, BoothTally]:
        return self.event(event_id).booths


@functools.lru_cache(maxsize=4096)
def beijing_hour(utc_hour: str) -> str:
    """'2026-11-25T04' (the first 13 characters of a UTC capture time) -> '2026-11-25T12'; 'unknown' if not a time."""
    try:
        moment = dt.datetime.strptime(utc_hour, "%Y-%m-%dT%H").replace(tzinfo=dt.timezone.utc)
        # A device's clock can say anything: '9999-12-31T23' is a time, but 8 hours later is past the last year
        # Python's dates hold (OverflowError), and one such record made every numbers page answer 500. isoformat,
        # not strftime: glibc writes year 1 as '1', not '0001'.
        return moment.astimezone(BEIJING).isoformat()[:13]
    except (ValueError, OverflowError):
        return "unknown"


def _setup_profile(payload: str) -> dict[str, str]:
    try:
        booth = json.loads(payload)["data"]["booth"]
    except (ValueError, KeyError, TypeError):
        return {}
    if not isinstance(booth, dict):
        return {}
    return {k: booth[k].strip() for k in PLACE_FIELDS if isinstance(booth.get(k), str) and booth[k].strip()}


# -- roll-ups ---------------------------------------------------------------------------------------

FIGURES = ("venues", "main_venues", "sub_venues", "service_items", "consultations", "consultation_desk",
           "service_uses", "new_members", "handouts", "quiz_attempts", "quiz_passed", "card_requests", "records")
HOUR_FIGURES = ("consultations", "service_uses", "new_members", "handouts", "quiz_attempts")


@dataclass(frozen=True)
class BoothPlace:
    booth_id: str
    name: str
    district: str
    street: str
    organisation: str
    venue_type: str          # 'main', 'sub' or '' when nobody said


def booth_places(registered: list[dict[str, Any]], tallies: dict[str, BoothTally]) -> dict[str, BoothPlace]:
    """Each booth's place: what its volunteers entered at setup, else what the city registered."""
    registry = {b["booth_id"]: b for b in registered}
    places = {}
    for booth_id in sorted(set(registry) | set(tallies)):
        given = registry.get(booth_id, {})
        setup = tallies[booth_id].setup if booth_id in tallies else {}
        pick = {k: setup.get(k) or given.get(k) or "" for k in PLACE_FIELDS}
        venue = pick["venue_type"] if pick["venue_type"] in ("main", "sub") else ""
        places[booth_id] = BoothPlace(booth_id, pick["name"] or booth_id, pick["district"] or UNKNOWN,
                                      pick["street"] or UNKNOWN, pick["organisation"] or UNKNOWN, venue)
    return places


def booth_figures(tally: BoothTally | None, place: BoothPlace) -> dict[str, Any]:
    """One booth's figures."""
    figures: dict[str, Any] = dict.fromkeys(FIGURES, 0)
    for (kind, mark), n in (tally.counts.items() if tally else ()):
        _add_count(figures, kind, mark, n)
    active = tally is not None and tally.records > 0
    figures.update(venues=int(active), main_venues=int(active and place.venue_type == "main"),
                   sub_venues=int(active and place.venue_type != "main"),
                   service_items=tally.service_items if tally else 0, records=tally.records if tally else 0)
    return figures


def _add_count(figures: dict[str, Any], kind: str, subject: str, n: int) -> None:
    if kind == "registration":
        figures["new_members"] += n
    elif kind == "consultation":
        figures["consultations"] += n
        figures["consultation_desk"] += n
    elif kind == "service_use":
        figures["consultations"] += n
        figures["service_uses"] += n
    elif kind == "handout":
        figures["handouts"] += n
    elif kind == "quiz_attempt":
        figures["quiz_attempts"] += n
        figures["quiz_passed"] += n if subject == "passed" else 0
    elif kind == "card_request":
        figures["card_requests"] += n


def event_numbers(tally: CityTally, storage: Storage, event_id: str, *, now: dt.datetime | None = None
                  ) -> dict[str, Any] | None:
    """The whole picture of one event as JSON-ready data; None when nothing is known of the event."""
    counted = tally.event(event_id)
    tallies = counted.booths
    registered = storage.registered_booths(event_id)
    if not tallies and not registered:
        return None
    places = booth_places(registered, tallies)
    booths = {b: booth_figures(tallies.get(b), place) for b, place in places.items()}
    names = published_names(storage, event_id)
    return {
        "event_id": event_id,
        "event_name": names["event"],
        "generated_at": format_utc(now or dt.datetime.now(dt.timezone.utc)),
        "totals": _sum_figures(booths.values()),
        "service_uses": _named_counts(_subjects(counted, "service_use"), names["services"]),
        "handouts": _named_counts(_subjects(counted, "handout"), names["handouts"]),
        "new_members_by_occupation": _named_counts(_subjects(counted, "registration"), names["occupations"]),
        "by_district": _grouped(places, booths, lambda p: {"district": p.district}),
        "by_street": _grouped(places, booths, lambda p: {"district": p.district, "street": p.street}),
        "by_organisation": _grouped(places, booths, lambda p: {"district": p.district,
                                                                 "organisation": p.organisation}),
        "by_booth": [{"booth_id": b, "name": p.name, "district": p.district, "street": p.street,
                      "organisation": p.organisation, "venue_type": p.venue_type or "unknown",
                      "last_received_at": tallies[b].last_received_at if b in tallies else None,
                      **booths[b]} for b, p in places.items()],
        "by_hour": _hours(counted.hours),
        "employers": employer_numbers(storage, event_id),
    }


def _subjects(counted: EventTally, kind: str) -> Counter:
    return Counter({subject: n for (of, subject), n in counted.subjects.items() if of == kind})


def _sum_figures(many: Any) -> dict[str, int]:
    total = dict.fromkeys(FIGURES, 0)
    for figures in many:
        for name in FIGURES:
            total[name] += figures[name]
    return total


def _grouped(places: dict[str, BoothPlace], booths: dict[str, dict[str, Any]], key: Any) -> list[dict[str, Any]]:
    groups: dict[tuple[tuple[str, str], ...], list[dict[str, int]]] = defaultdict(list)
    for booth_id, place in places.items():
        groups[tuple(key(place).items())].append(booths[booth_id])
    rows = [{**dict(k), "booths": len(v), **_sum_figures(v)} for k, v in groups.items()]
    return sorted(rows, key=lambda r: (r.get("district") == UNKNOWN, -r["consultations"] - r["new_members"],
                                       [str(v) for v in r.values()]))


def _hours(hours: dict[str, Counter]) -> list[dict[str, Any]]:
    rows = []
    for hour, counts in sorted(hours.items()):
        figures: dict[str, Any] = dict.fromkeys(FIGURES, 0)
        for (kind, mark), n in counts.items():
            _add_count(figures, kind, mark, n)
        if any(figures[name] for name in HOUR_FIGURES):
            rows.append({"hour": hour, **{name: figures[name] for name in HOUR_FIGURES}})
    return rows


def _named_counts(counts: Counter, names: dict[str, str]) -> list[dict[str, Any]]:
    rows = [{"id": key, "name": names.get(key, key), "count": n} for key, n in counts.items() if n > 0]
    return sorted(rows, key=lambda r: (-r["count"], r["id"]))


def published_names(storage: Storage, event_id: str) -> dict[str, Any]:
    """Display names of the event, its services, handout items and occupations, from the newest
    published config (``kiosk-server publish --name config``); ids stand in for names otherwise."""
    latest = storage.latest_distribution(event_id, "config")
    content = json.loads(latest[2]) if latest else {}
    event = content.get("event") if isinstance(content.get("event"), dict) else {}
    registration = content.get("registration") if isinstance(content.get("registration"), dict) else {}
    return {"event": str(event.get("name") or event_id),
            "services": _names(content.get("services")), "handouts": _names(content.get("handouts")),
            "occupations": _names(registration.get("occupations"))}


def _names(items: Any) -> dict[str, str]:
    if not isinstance(items, list):
        return {}
    return {str(i["id"]): str(i.get("name") or i["id"]) for i in items if isinstance(i, dict) and "id" in i}


def event_list(tally: CityTally, storage: Storage) -> list[dict[str, Any]]:
    """Every known event with its headline totals (the page's index)."""
    events = sorted(set(tally.events()) | set(storage.registered_event_ids()))
    listed = []
    for event_id in events:
        numbers = event_numbers(tally, storage, event_id)
        if numbers is not None:
            listed.append({"event_id": event_id, "event_name": numbers["event_name"],
                           "booths": len(numbers["by_booth"]), **numbers["totals"]})
    return listed


def is_known_event(tally: CityTally, storage: Storage, event_id: str) -> bool:
    return event_id in tally.events() or event_id in storage.registered_event_ids()
