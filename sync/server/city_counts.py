"""The city numbers' counters, kept in the database in the same transaction that stores the records.

``count_inserted`` is called by the storage with the rows its insert transaction actually stored, so a
count never disagrees with the records: a server process starts and answers its first page by reading a
few thousand counter rows, whatever the number of records, and every process sees the same figures.

What is counted (``sync/server/numbers.py`` rolls it up by district, street and organisation):

- ``city_counts``: per (event, booth, kind, subject, UTC hour of capture) how many records of a counted
  kind are live (a subject counted by its first 100 characters). The hour is kept as the captured time's
  first 13 characters ('2026-11-25T04'); the reader turns it into a Beijing hour.
- ``city_rollups``: the sums of those the page shows (per booth and kind, per hour and kind, quiz passes
  apart; per occupation, service and item; per booth and service), so a page sums nothing.
- ``city_booths``: per (event, booth) how many records of any kind are stored, when the last was
  received, and the payload of the newest booth setup (by capture time; the later stored wins a tie).

A void takes its target out of the count when it was written by the target's own device (a device
cannot erase another booth's work), whichever of the two is stored first: a record arriving after its
void is never counted, a void arriving after its record takes one back, and a second void of the same
record takes nothing more. The statements are plain SQL that SQLite and PostgreSQL both run
(``INSERT … ON CONFLICT … DO UPDATE``, ``?`` placeholders).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

COUNTED_KINDS = ("registration", "consultation", "service_use", "handout", "quiz_attempt", "card_request")
_COUNTED = frozenset(COUNTED_KINDS)
_IN_CHUNK = 500   # ids per IN (...) list: well under both databases' limits on parameters
# A subject is an id (a service, an item, an occupation, 'passed'): counted by its first 100 characters, so a
# device sending a huge one cannot make a counter key PostgreSQL refuses to index (~2,700 bytes), which
# would fail the whole group commit, other booths' records with it.
SUBJECT_CHARS = 100
_KIND_LIST = ", ".join(f"'{kind}'" for kind in COUNTED_KINDS)

# What the page shows of a count beside its kind: quiz passes apart from other attempts.
_MARK = "CASE WHEN kind = 'quiz_attempt' AND subject = 'passed' THEN 'passed' ELSE '' END"
SUBJECT_KINDS = ("registration", "service_use", "handout")   # summed per subject: occupations, services, items
_SUBJECT_KIND_LIST = ", ".join(f"'{kind}'" for kind in SUBJECT_KINDS)

# The backfill counts what is already stored (a database made before the counters): one aggregate per
# table, each a single pass over the records, the void rule as a NOT EXISTS on the refers_to index.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("city_002_counters", f"""
        CREATE TABLE city_counts (
            event_id TEXT NOT NULL, booth_id TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,
            utc_hour TEXT NOT NULL, n BIGINT NOT NULL,
            PRIMARY KEY (event_id, booth_id, kind, subject, utc_hour));
        CREATE TABLE city_booths (
            event_id TEXT NOT NULL, booth_id TEXT NOT NULL, records BIGINT NOT NULL,
            last_received_at TEXT NOT NULL, setup TEXT, setup_at TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (event_id, booth_id));
        INSERT INTO city_counts (event_id, booth_id, kind, subject, utc_hour, n)
            SELECT r.event_id, r.booth_id, r.kind, substr(coalesce(r.subject, ''), 1, {SUBJECT_CHARS}),
                   substr(r.captured_at, 1, 13), count(*)
            FROM records r
            WHERE r.kind IN ({_KIND_LIST}) AND NOT EXISTS (
                SELECT 1 FROM records v WHERE v.refers_to = r.id AND v.kind = 'void' AND v.device_id = r.device_id)
            GROUP BY r.event_id, r.booth_id, r.kind, substr(coalesce(r.subject, ''), 1, {SUBJECT_CHARS}),
                     substr(r.captured_at, 1, 13);
        INSERT INTO city_booths (event_id, booth_id, records, last_received_at, setup, setup_at)
            SELECT event_id, booth_id, 0, '', payload, captured_at FROM (
                SELECT event_id, booth_id, payload, captured_at, row_number() OVER (
                    PARTITION BY event_id, booth_id ORDER BY captured_at DESC, received_at DESC, seq DESC) AS place
                FROM records WHERE kind = 'audit' AND subject = 'booth_setup') setups
            WHERE place = 1;
        INSERT INTO city_booths (event_id, booth_id, records, last_received_at)
            SELECT event_id, booth_id, count(*), max(received_at) FROM records WHERE true GROUP BY event_id, booth_id
            ON CONFLICT (event_id, booth_id) DO UPDATE SET
            records = excluded.records, last_received_at = excluded.last_received_at;
    """),
    # The event's employer meetings, read at every view of the city page (their figures), found without a
    # scan of the records; a partial index: the other records' inserts do not pay for it.
    ("city_003_employer_meeting_index", """
        CREATE INDEX records_employer_meetings ON records (event_id) WHERE kind = 'employer_meeting';
    """),
    # The sums the city page shows, kept beside the fine counts (and made from them here): a page reads a few
    # thousand rows and sums nothing, however many booths, subjects and hours the fine counts hold.
    ("city_004_rollups", f"""
        CREATE TABLE city_rollups (
            event_id TEXT NOT NULL, part TEXT NOT NULL, place TEXT NOT NULL, kind TEXT NOT NULL,
            detail TEXT NOT NULL, n BIGINT NOT NULL,
            PRIMARY KEY (event_id, part, place, kind, detail));
        INSERT INTO city_rollups (event_id, part, place, kind, detail, n)
            SELECT event_id, 'booth', booth_id, kind, {_MARK}, sum(n) FROM city_counts
            GROUP BY event_id, booth_id, kind, {_MARK};
        INSERT INTO city_rollups (event_id, part, place, kind, detail, n)
            SELECT event_id, 'hour', utc_hour, kind, {_MARK}, sum(n) FROM city_counts
            GROUP BY event_id, utc_hour, kind, {_MARK};
        INSERT INTO city_rollups (event_id, part, place, kind, detail, n)
            SELECT event_id, 'subject', '', kind, subject, sum(n) FROM city_counts
            WHERE kind IN ({_SUBJECT_KIND_LIST}) GROUP BY event_id, kind, subject;
        INSERT INTO city_rollups (event_id, part, place, kind, detail, n)
            SELECT event_id, 'service', booth_id, kind, subject, sum(n) FROM city_counts
            WHERE kind = 'service_use' GROUP BY event_id, booth_id, kind, subject;
    """),
)

ADD_COUNTS = """INSERT INTO city_counts (event_id, booth_id, kind, subject, utc_hour, n) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (event_id, booth_id, kind, subject, utc_hour) DO UPDATE SET n = city_counts.n + excluded.n"""
ADD_ROLLUPS = """INSERT INTO city_rollups (event_id, part, place, kind, detail, n) VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (event_id, part, place, kind, detail) DO UPDATE SET n = city_rollups.n + excluded.n"""
# A NULL setup_at in the new values means "no booth setup among these records": the stored one stays.
ADD_BOOTH = """INSERT INTO city_booths (event_id, booth_id, records, last_received_at, setup, setup_at)
               VALUES (?, ?, ?, ?, ?, coalesce(?, ''))
               ON CONFLICT (event_id, booth_id) DO UPDATE SET
               records = city_booths.records + excluded.records,
               last_received_at = CASE WHEN excluded.last_received_at > city_booths.last_received_at
                                       THEN excluded.last_received_at ELSE city_booths.last_received_at END,
               setup = CASE WHEN excluded.setup IS NOT NULL AND excluded.setup_at >= city_booths.setup_at
                            THEN excluded.setup ELSE city_booths.setup END,
               setup_at = CASE WHEN excluded.setup IS NOT NULL AND excluded.setup_at >= city_booths.setup_at
                               THEN excluded.setup_at ELSE city_booths.setup_at END"""

# The same three upserts for a database that binds a whole column as one array (PostgreSQL: ``binds_arrays``):
# one statement per table for a whole group commit, where executemany ran one statement per counter row, a
# few thousand of them per group with hundreds of booths pushing, each a round of the server's executor. The
# rows are distinct on the conflict key (aggregated first), as one INSERT ... ON CONFLICT DO UPDATE requires.
ADD_COUNTS_ARRAYS = """INSERT INTO city_counts (event_id, booth_id, kind, subject, utc_hour, n)
                       SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[])
                       ON CONFLICT (event_id, booth_id, kind, subject, utc_hour)
                       DO UPDATE SET n = city_counts.n + excluded.n"""
ADD_ROLLUPS_ARRAYS = """INSERT INTO city_rollups (event_id, part, place, kind, detail, n)
                        SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[])
                        ON CONFLICT (event_id, part, place, kind, detail) DO UPDATE SET n = city_rollups.n + excluded.n"""
ADD_BOOTH_ARRAYS = ADD_BOOTH.replace(
    "VALUES (?, ?, ?, ?, ?, coalesce(?, ''))",
    """SELECT event_id, booth_id, records, last_received_at, setup, coalesce(setup_at, '')
       FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[])
            AS v (event_id, booth_id, records, last_received_at, setup, setup_at)""")
assert ADD_BOOTH_ARRAYS != ADD_BOOTH


class _Booth:
    """What one insert transaction adds to one booth's row."""

    __slots__ = ("records", "last_received_at", "setup", "setup_at")

    def __init__(self) -> None:
        self.records, self.last_received_at, self.setup, self.setup_at = 0, "", None, ""


def count_inserted(tx: Any, rows: Sequence[dict[str, Any]], *, arrays: bool = False) -> None:
    """Add the rows just stored by ``tx``'s transaction to the counters (inside that transaction).

    The rows are aggregated here first, so a batch costs one upsert per (booth, kind, subject, hour)
    and per booth it touches, and one look-up of the voids referring to its counted records. With
    ``arrays`` (the database binds a column as one array parameter) each table's upserts are one
    statement, and the look-ups one each."""
    if not rows:
        return
    booths: dict[tuple[str, str], _Booth] = {}
    counts: Counter = Counter()
    counted_ids: list[str] = []
    voids: list[dict[str, Any]] = []
    for row in rows:
        event, booth_id, kind = row["event_id"], row["booth_id"], row["kind"]
        booth = booths.get((event, booth_id))
        if booth is None:
            booth = booths[(event, booth_id)] = _Booth()
        booth.records += 1
        if row["received_at"] > booth.last_received_at:
            booth.last_received_at = row["received_at"]
        if kind in _COUNTED:
            counts[(event, booth_id, kind, (row["subject"] or "")[:SUBJECT_CHARS], row["captured_at"][:13])] += 1
            counted_ids.append(row["id"])
        elif kind == "void":
            if row["refers_to"]:
                voids.append(row)
        elif kind == "audit" and row["subject"] == "booth_setup" and row["captured_at"] >= booth.setup_at:
            booth.setup, booth.setup_at = row["payload"], row["captured_at"]
    _take_voided_out(tx, counts, rows, counted_ids, voids, arrays=arrays)
    add = _add_columns if arrays else _add_rows
    add(tx, ADD_COUNTS_ARRAYS if arrays else ADD_COUNTS, [(*key, n) for key, n in counts.items() if n])
    add(tx, ADD_ROLLUPS_ARRAYS if arrays else ADD_ROLLUPS, [(*key, n) for key, n in _rollups(counts).items() if n])
    add(tx, ADD_BOOTH_ARRAYS if arrays else ADD_BOOTH,
        [(event, booth_id, b.records, b.last_received_at, b.setup, b.setup_at or None)
         for (event, booth_id), b in booths.items()])


def _add_rows(tx: Any, sql: str, rows: list[tuple[Any, ...]]) -> None:
    tx.executemany(sql, rows)


def _add_columns(tx: Any, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """``rows`` as one statement taking each column as an array."""
    if rows:
        tx.execute(sql, [list(column) for column in zip(*rows)])


def _take_voided_out(tx: Any, counts: Counter, rows: Sequence[dict[str, Any]], counted_ids: list[str],
                     voids: list[dict[str, Any]], *, arrays: bool) -> None:
    """-1 for each new record a void of its own device refers to (stored before it, or with it), and for
    each earlier record whose first void by its own device is among the new rows."""
    new_ids = {row["id"] for row in rows} if voids else set()
    earlier_targets = sorted({v["refers_to"] for v in voids} - new_ids)
    stored_voids = _voids_of(tx, counted_ids + earlier_targets, arrays=arrays)
    if not stored_voids:
        return
    for row in rows:
        if row["kind"] in _COUNTED and (row["id"], row["device_id"]) in stored_voids:
            counts[_key(row)] -= 1
    for target in _rows_of(tx, earlier_targets, arrays=arrays):
        by_owner = stored_voids.get((target["id"], target["device_id"]), set())
        if target["kind"] in _COUNTED and by_owner and by_owner <= new_ids:
            counts[_key(target)] -= 1


def _rollups(counts: Counter) -> Counter:
    """The page's sums of fine counts: (event, part, place, kind, detail) -> n, where part is 'booth' (per booth
    and kind, quiz passes apart), 'hour' (per UTC hour and kind, all booths), 'subject' (per occupation, service
    and item, all booths) or 'service' (per booth and service: the services used there at least once)."""
    rolled: Counter = Counter()
    for (event, booth, kind, subject, hour), n in counts.items():
        if not n:
            continue
        mark = "passed" if kind == "quiz_attempt" and subject == "passed" else ""
        rolled[(event, "booth", booth, kind, mark)] += n
        rolled[(event, "hour", hour, kind, mark)] += n
        if kind in SUBJECT_KINDS:
            rolled[(event, "subject", "", kind, subject)] += n
        if kind == "service_use":
            rolled[(event, "service", booth, kind, subject)] += n
    return rolled


def _voids_of(tx: Any, record_ids: list[str], *, arrays: bool) -> dict[tuple[str, str], set[str]]:
    """(target id, void's device) -> the ids of the stored voids, for voids referring to ``record_ids``."""
    found: dict[tuple[str, str], set[str]] = {}
    for target, device, void_id in _select_in(tx, "SELECT refers_to, device_id, id FROM records WHERE kind = 'void' "
                                              "AND refers_to", record_ids, arrays=arrays):
        found.setdefault((target, device), set()).add(void_id)
    return found


def _rows_of(tx: Any, record_ids: list[str], *, arrays: bool) -> Iterable[dict[str, Any]]:
    names = ("id", "device_id", "event_id", "booth_id", "kind", "subject", "captured_at")
    for row in _select_in(tx, f"SELECT {', '.join(names)} FROM records WHERE id", record_ids, arrays=arrays):
        yield dict(zip(names, row))


def _select_in(tx: Any, select: str, ids: list[str], *, arrays: bool) -> Iterable[tuple[Any, ...]]:
    """The rows of ``select`` (ending in the column compared) whose column is one of ``ids``: one statement with
    the ids as one array when the database binds arrays, else IN lists of at most _IN_CHUNK."""
    if arrays:
        if ids:
            yield from tx.execute(f"{select} = ANY(?::text[])", [ids]).fetchall()
        return
    for chunk in _chunks(ids):
        yield from tx.execute(f"{select} IN ({_marks(chunk)})", chunk).fetchall()


def _key(row: dict[str, Any]) -> tuple[str, str, str, str, str]:
    return (row["event_id"], row["booth_id"], row["kind"], (row["subject"] or "")[:SUBJECT_CHARS],
            row["captured_at"][:13])


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start:start + _IN_CHUNK]


def _marks(chunk: list[str]) -> str:
    return ", ".join("?" * len(chunk))


# -- reading ------------------------------------------------------------------------------------------

ROLLUPS = """SELECT 'place', booth_id, last_received_at, setup, records FROM city_booths WHERE event_id = ?
             UNION ALL
             SELECT part, place, kind, detail, n FROM city_rollups WHERE event_id = ? AND n <> 0"""


def event_rollups(conn: Any, event_id: str) -> list[tuple[str, str, str | None, str | None, int]]:
    """One event's sums as the city page shows them, in one statement (one snapshot): ('place', booth, last
    received, newest setup payload or None, records) per booth with a record, then the rows of ``city_rollups``
    (see ``_rollups``) that are not zero."""
    return conn.execute(ROLLUPS, [event_id, event_id]).fetchall()


def counted_events(conn: Any) -> list[str]:
    """Every event with a stored record."""
    return [row[0] for row in conn.execute("SELECT DISTINCT event_id FROM city_booths ORDER BY 1").fetchall()]
