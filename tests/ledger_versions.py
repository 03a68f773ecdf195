"""Real booth data folders as older and newer kiosks leave them, for the upgrade and downgrade tests.

Shared by tests/test_upgrade.py (the source run) and tests/benchmarks/bench_package.py (the packaged kiosk);
not a test module itself.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from kiosk.schema import KNOWN_MIGRATIONS, MIGRATION_SET
from kiosk.settings import LEDGER_FILE

FUTURE_MIGRATION = "m900_written_by_a_newer_kiosk"


def booth_with_records(data_dir: Path, *, seed: int = 7) -> dict[str, int]:
    """A data folder whose ledger holds records written through the service layer (``kiosk simulate``)."""
    from kiosk.cli import main

    assert main(["simulate", "--members", "6", "--services", "5", "--quiz", "3", "--handouts", "4",
                 "--seed", str(seed), "--data-dir", str(data_dir)]) == 0
    return {"records": 6 + 5 + 3 + 4}


def make_older(data_dir: Path) -> list[str]:
    """Rewrite the folder's ledger as the first shipped kiosk left it: only the first migration applied,
    the same records, outbox, sealed fields, lookups and meta rows. Returns the records' payload hashes."""
    ledger = data_dir / LEDGER_FILE
    current = data_dir / "current.sqlite3"
    with sqlite3.connect(ledger) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    ledger.replace(current)
    for suffix in ("-wal", "-shm"):
        Path(f"{ledger}{suffix}").unlink(missing_ok=True)

    from sqlite_utils import Database

    from kiosk.migrations import migrations

    db = Database(sqlite3.connect(ledger))
    migrations.apply(db.conn, stop_before=KNOWN_MIGRATIONS[1])
    db.execute("ATTACH DATABASE ? AS cur", [str(current)])
    with db.conn:
        for table in ("meta", "records", "sealed", "lookup", "outbox"):
            columns = ", ".join(row[1] for row in db.execute(f"PRAGMA main.table_info({table})"))
            db.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM cur.{table}")
    db.execute("DETACH DATABASE cur")
    hashes = [row[0] for row in db.execute("SELECT payload_sha256 FROM records ORDER BY seq")]
    db.close()
    current.unlink()
    return hashes


def applied_migrations(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / LEDGER_FILE) as conn:
        rows = conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id",
                            [MIGRATION_SET]).fetchall()
    conn.close()
    return [name for (name,) in rows]


def payload_hashes(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / LEDGER_FILE) as conn:
        rows = conn.execute("SELECT payload_sha256 FROM records ORDER BY seq").fetchall()
    conn.close()
    return [digest for (digest,) in rows]


def make_newer(data_dir: Path) -> None:
    """Mark the folder's ledger as migrated by a kiosk newer than this one (a migration it does not know)."""
    with sqlite3.connect(data_dir / LEDGER_FILE) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
                     [MIGRATION_SET, FUTURE_MIGRATION, "2027-09-01 08:00:00.000000+00:00"])
    conn.close()


def folder_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (to show that nothing was changed)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}
