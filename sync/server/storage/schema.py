"""The city server's schema: named, append-only migrations written once, in SQL both backends read.

The scripts are written for SQLite; ``postgresql_script`` gives PostgreSQL's reading of the same script:
wider number types (SQLite's INTEGER is 64-bit and its REAL a double, PostgreSQL's are 32-bit), and the
few additions PostgreSQL needs (``records.rowid``, the storage order SQLite keeps by itself). Never edit a
migration that has shipped: add a new one after it.
"""

from __future__ import annotations

import operator
import re
import sqlite3
from typing import Any

from sync.server import city_counts

RECORD_FIELDS = ("id", "device_id", "seq", "kind", "subject", "event_id", "booth_id", "captured_at",
                 "refers_to", "payload", "payload_sha256", "sealed", "received_at")

record_values = operator.itemgetter(*RECORD_FIELDS)  # a row dict's values in column order

INSERT_RECORD = (f"INSERT INTO records ({', '.join(RECORD_FIELDS)}) VALUES ({', '.join('?' * len(RECORD_FIELDS))}) "
                 "ON CONFLICT DO NOTHING")

MARK_TOKEN_USED = "UPDATE devices SET first_used_at = ? WHERE token_hash = ? AND first_used_at IS NULL"

MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("001_core", """
        CREATE TABLE booths (
            booth_id TEXT PRIMARY KEY, event_id TEXT NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE enrollment_codes (
            code_hash TEXT PRIMARY KEY, booth_id TEXT NOT NULL REFERENCES booths(booth_id),
            uses_left INTEGER NOT NULL, expires_at TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE devices (
            device_id TEXT PRIMARY KEY, booth_id TEXT NOT NULL REFERENCES booths(booth_id),
            token_hash TEXT NOT NULL UNIQUE, enrolled_at TEXT NOT NULL, revoked_at TEXT);
        CREATE TABLE records (
            id TEXT PRIMARY KEY, device_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,
            subject TEXT, event_id TEXT NOT NULL, booth_id TEXT NOT NULL, captured_at TEXT NOT NULL,
            refers_to TEXT, payload TEXT NOT NULL, payload_sha256 TEXT NOT NULL, sealed TEXT,
            received_at TEXT NOT NULL,
            UNIQUE (device_id, seq));
        CREATE TABLE distributions (
            event_id TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL, sha256 TEXT NOT NULL,
            content TEXT NOT NULL, published_at TEXT NOT NULL,
            PRIMARY KEY (event_id, name, version));
    """),
    # City-wide numbers and member export (issue 7): where each booth stands.
    ("city_001_booth_places", """
        CREATE TABLE booth_places (
            booth_id TEXT PRIMARY KEY REFERENCES booths(booth_id), district TEXT NOT NULL, street TEXT NOT NULL,
            organisation TEXT NOT NULL, venue_type TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE INDEX records_refers_to ON records (refers_to) WHERE refers_to IS NOT NULL;
    """),
    # In the database, not in memory: with several server processes (--workers) each would
    # otherwise grant its own allowance.
    ("002_enrollment_attempts", """
        CREATE TABLE enrollment_attempts (address TEXT NOT NULL, at REAL NOT NULL);
        CREATE INDEX enrollment_attempts_by_address ON enrollment_attempts (address, at);
    """),
    # Which code enrolled a device, and when its token was first used: a retry of that code before
    # the first use is the same enrolment (its answer was lost); after it, only the token re-enrols.
    ("003_device_enrolment", """
        ALTER TABLE devices ADD COLUMN code_hash TEXT;
        ALTER TABLE devices ADD COLUMN first_used_at TEXT;
    """),
    # One prize per person per event, city-wide (issue 21): the event's key for claim lookups, and the
    # claims granted online. Offline claims reach the server inside their quiz records.
    ("prize_001_city_claims", """
        CREATE TABLE prize_claim_keys (event_id TEXT PRIMARY KEY, secret TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE prize_claims (
            event_id TEXT NOT NULL, claim_key TEXT NOT NULL, voucher TEXT NOT NULL, device_id TEXT NOT NULL,
            booth_id TEXT NOT NULL, claimed_at TEXT NOT NULL,
            PRIMARY KEY (event_id, claim_key));
    """),
    # Joining on one's own phone (issue 15): each booth's join secret (its offline join-code tokens), submissions
    # counted per booth and per client (in the database: several server processes share the allowance), and the
    # event's keyed lookup hashes of members' ID numbers and phones, kept up to date from the stored registrations,
    # so a duplicate is found city-wide without opening every sealed record at each join.
    ("join_001_phone_join", """
        CREATE TABLE join_secrets (booth_id TEXT PRIMARY KEY REFERENCES booths(booth_id), secret TEXT NOT NULL,
                                   created_at TEXT NOT NULL);
        CREATE TABLE join_attempts (scope TEXT NOT NULL, at REAL NOT NULL);
        CREATE INDEX join_attempts_by_scope ON join_attempts (scope, at);
        CREATE TABLE member_lookup_keys (event_id TEXT PRIMARY KEY, secret TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE member_lookups (event_id TEXT NOT NULL, purpose TEXT NOT NULL, hash TEXT NOT NULL,
                                     record_id TEXT NOT NULL, PRIMARY KEY (event_id, purpose, hash, record_id));
        CREATE TABLE member_lookup_cursors (event_id TEXT PRIMARY KEY, last_rowid INTEGER NOT NULL);
    """),
)

# The city numbers' counters (sync/server/city_counts.py), kept in the records' insert transaction.
MIGRATIONS = MIGRATIONS + city_counts.MIGRATIONS

# One phone join per person, decided by the database (issue 17): a join claims the event's keyed hash of the ID
# number and of the phone in the transaction that stores its registration. Two server processes, on one machine
# or several, admitting the same person at once meet on the primary key: one stores, the other finds the claim.
MIGRATIONS = MIGRATIONS + (
    ("join_002_member_claims", """
        CREATE TABLE member_claims (event_id TEXT NOT NULL, purpose TEXT NOT NULL, hash TEXT NOT NULL,
                                    record_id TEXT NOT NULL, PRIMARY KEY (event_id, purpose, hash));
    """),
)

# The city's public key, as the database was first served with it (issue 17): several machines share the database
# but each reads the city key from its own file; a machine holding another key would hand it to enrolling booths
# and could open none of the stored records. A server refuses to start with a key other than this one.
MIGRATIONS = MIGRATIONS + (
    ("ops_001_city_public_key", """
        CREATE TABLE city_public_key (id INTEGER PRIMARY KEY CHECK (id = 1), public_key TEXT NOT NULL,
                                      pinned_at TEXT NOT NULL);
    """),
)

# What PostgreSQL adds to a migration, in the same transaction. SQLite numbers every row of a table in the
# order it was stored (rowid); the cursors over "records stored after X" (the city numbers, the phone join's
# lookups) read that order, so PostgreSQL gets the same column, filled by an identity sequence. Its values
# are taken inside the ingest transaction, which holds the storage's write lock until it commits
# (postgres.py), so they become visible in the order they were taken and a cursor never passes a record
# that is still to commit.
POSTGRESQL_ADDITIONS: dict[str, str] = {
    "001_core": """
        ALTER TABLE records ADD COLUMN rowid BIGINT GENERATED ALWAYS AS IDENTITY;
        CREATE UNIQUE INDEX records_by_rowid ON records (rowid);
    """,
}


def statements(script: str) -> list[str]:
    """The statements of ``script``, cut where SQLite would end them: a ';' in a string literal or a
    trigger's body does not cut a statement in two."""
    found, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                found.append(pending.strip())
            pending = ""
    if pending.strip(" \t\r\n;"):
        raise ValueError(f"migration script ends inside a statement: {pending.strip()[:80]!r}")
    return found


def _run_statements(conn: Any, *, script: str) -> None:
    """Each statement of ``script`` inside the caller's transaction (executescript would commit it first)."""
    for statement in statements(script):
        conn.execute(statement)


_WIDER = {"INTEGER": "BIGINT", "REAL": "DOUBLE PRECISION"}


def postgresql_script(name: str, script: str) -> str:
    """PostgreSQL's reading of a migration: SQLite's 64-bit INTEGER and REAL as BIGINT and DOUBLE PRECISION
    (a REAL time in seconds would lose its minutes in PostgreSQL's 4-byte REAL), plus its additions."""
    wider = re.sub(r"\b(INTEGER|REAL)\b", lambda m: _WIDER[m.group(1)], script)
    return wider + POSTGRESQL_ADDITIONS.get(name, "")
