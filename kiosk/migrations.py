"""The ledger's schema as append-only, named migrations (booth_common/migrations.py, the one mechanism the
city server's storage uses too: each in its own BEGIN IMMEDIATE transaction, race-free between processes).

Never edit a migration that has shipped: add a new one below it. The applied names are kept where sqlite-utils
kept them before (``_sqlite_migrations``), so ledgers written by earlier kiosks open as they are.
"""

from __future__ import annotations

import sqlite3

from booth_common.migrations import MigrationLog, Migrations, run_script
from kiosk.schema import MIGRATION_SET

LEDGER_LOG = MigrationLog(
    create=("CREATE TABLE IF NOT EXISTS [_sqlite_migrations] ([id] INTEGER PRIMARY KEY, [migration_set] TEXT, "
            "[name] TEXT, [applied_at] TEXT)",
            "CREATE UNIQUE INDEX IF NOT EXISTS [idx__sqlite_migrations_migration_set_name] "
            "ON [_sqlite_migrations] ([migration_set], [name])"),
    applied="SELECT name FROM _sqlite_migrations WHERE migration_set = :set ORDER BY id",
    record="INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (:set, :name, :at)",
)
migrations = Migrations(MIGRATION_SET, LEDGER_LOG)
_run_script = run_script


@migrations()
def m001_records_and_outbox(db: sqlite3.Connection) -> None:
    _run_script(db, """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        -- seq is the per-device sequence number: INTEGER PRIMARY KEY without AUTOINCREMENT takes
        -- max(seq)+1, and since rows are never deleted the numbers have no gaps.
        CREATE TABLE records (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            subject TEXT,
            event_id TEXT NOT NULL,
            booth_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            captured_at TEXT NOT NULL,
            refers_to TEXT,
            payload TEXT NOT NULL,
            payload_sha256 TEXT NOT NULL
        );
        CREATE INDEX records_refers_to ON records(refers_to) WHERE refers_to IS NOT NULL;
        CREATE TRIGGER records_no_update BEFORE UPDATE ON records
            BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
        CREATE TRIGGER records_no_delete BEFORE DELETE ON records
            BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
        -- Personal fields, sealed; kept apart from the frozen payload so that re-sealing at
        -- enrolment and purging after retention never touch the record itself.
        CREATE TABLE sealed (
            record_id TEXT PRIMARY KEY REFERENCES records(id),
            envelope TEXT NOT NULL,
            key_id TEXT NOT NULL
        );
        -- Keyed hashes (never clear values) that find a record: id number, phone, pass token.
        CREATE TABLE lookup (
            purpose TEXT NOT NULL,
            hash TEXT NOT NULL,
            record_id TEXT NOT NULL REFERENCES records(id),
            PRIMARY KEY (purpose, hash, record_id)
        ) WITHOUT ROWID;
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY REFERENCES records(seq),
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'synced', 'needs_attention')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_attempt_at TEXT,
            last_error TEXT,
            synced_at TEXT
        );
        CREATE INDEX outbox_state ON outbox(state, seq);
    """)


@migrations()
def m002_tallies(db: sqlite3.Connection) -> None:
    """Running counts kept by triggers, so status and dashboards never scan a million rows."""
    _run_script(db, """
        CREATE TABLE tally (
            metric TEXT NOT NULL,
            key TEXT NOT NULL,
            n INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (metric, key)
        ) WITHOUT ROWID;

        CREATE TRIGGER tally_record AFTER INSERT ON records BEGIN
            INSERT INTO tally VALUES ('kind', NEW.kind, 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
            INSERT INTO tally SELECT 'subject:' || NEW.kind, NEW.subject, 1 WHERE NEW.subject IS NOT NULL
                ON CONFLICT DO UPDATE SET n = n + 1;
            INSERT INTO tally VALUES ('hour:' || NEW.kind, substr(NEW.captured_at, 1, 13), 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
        END;

        -- A void takes its target out of the effective counts; the void itself is counted as a kind.
        CREATE TRIGGER tally_void AFTER INSERT ON records WHEN NEW.kind = 'void' BEGIN
            INSERT INTO tally SELECT 'effective_minus', t.kind, 1 FROM records t WHERE t.id = NEW.refers_to
                ON CONFLICT DO UPDATE SET n = n + 1;
            INSERT INTO tally SELECT 'subject_minus:' || t.kind, t.subject, 1 FROM records t
                WHERE t.id = NEW.refers_to AND t.subject IS NOT NULL
                ON CONFLICT DO UPDATE SET n = n + 1;
            INSERT INTO tally SELECT 'hour_minus:' || t.kind, substr(t.captured_at, 1, 13), 1 FROM records t
                WHERE t.id = NEW.refers_to
                ON CONFLICT DO UPDATE SET n = n + 1;
        END;

        CREATE TRIGGER tally_outbox_insert AFTER INSERT ON outbox BEGIN
            INSERT INTO tally VALUES ('state', NEW.state, 1) ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER tally_outbox_update AFTER UPDATE OF state ON outbox WHEN OLD.state != NEW.state BEGIN
            UPDATE tally SET n = n - 1 WHERE metric = 'state' AND key = OLD.state;
            INSERT INTO tally VALUES ('state', NEW.state, 1) ON CONFLICT DO UPDATE SET n = n + 1;
        END;
    """)
    # Backfill from a ledger written before this migration.
    _run_script(db, """
        INSERT INTO tally SELECT 'kind', kind, count(*) FROM records GROUP BY kind;
        INSERT INTO tally SELECT 'subject:' || kind, subject, count(*) FROM records
            WHERE subject IS NOT NULL GROUP BY kind, subject;
        INSERT INTO tally SELECT 'hour:' || kind, substr(captured_at, 1, 13), count(*) FROM records
            GROUP BY kind, substr(captured_at, 1, 13);
        INSERT INTO tally SELECT 'effective_minus', t.kind, count(*) FROM records v JOIN records t
            ON t.id = v.refers_to WHERE v.kind = 'void' GROUP BY t.kind;
        INSERT INTO tally SELECT 'subject_minus:' || t.kind, t.subject, count(*) FROM records v JOIN records t
            ON t.id = v.refers_to WHERE v.kind = 'void' AND t.subject IS NOT NULL GROUP BY t.kind, t.subject;
        INSERT INTO tally SELECT 'hour_minus:' || t.kind, substr(t.captured_at, 1, 13), count(*)
            FROM records v JOIN records t ON t.id = v.refers_to WHERE v.kind = 'void'
            GROUP BY t.kind, substr(t.captured_at, 1, 13);
        INSERT INTO tally SELECT 'state', state, count(*) FROM outbox GROUP BY state;
    """)


MASKED_NAME = ("coalesce(json_extract(payload, '$.data.masked_name'), "
               "json_extract(payload, '$.data.changes.masked_name'))")
PHONE_TAIL = ("substr(coalesce(json_extract(payload, '$.data.masked_phone'), "
              "json_extract(payload, '$.data.changes.masked_phone')), -4)")


@migrations()
def m003_member_search_indexes(db: sqlite3.Connection) -> None:
    """The console's member search by masked name or phone tail, newest first, reads an index instead of
    every payload of the ledger (the benchmark: tests/benchmarks/bench_background.py).
    The ledger's find_registrations uses exactly these expressions, or SQLite cannot use the indexes."""
    for name, expression in (("records_masked_name", MASKED_NAME), ("records_phone_tail", PHONE_TAIL)):
        db.execute(f"CREATE INDEX {name} ON records({expression}, seq) "
                   "WHERE kind IN ('registration', 'correction')")


@migrations()
def m004_records_by_kind(db: sqlite3.Connection) -> None:
    """Records of one kind (employer meetings, voids, quiz attempts) read an index, not a million payloads: the
    dashboard's periodic refresh asked for the employer meetings by a full scan, 1.6 s on the GUI thread at a
    million records (tests/benchmarks/bench_background.py caught it as the export's longest stall)."""
    db.execute("CREATE INDEX records_kind ON records(kind, seq)")
