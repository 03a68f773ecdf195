"""All SQL of the city server: booths, enrolment codes, devices, records, distributions, numbers, claims, joins.

One storage interface, two databases: ``Storage(path)`` opens an SQLite file (the default, WAL mode,
``synchronous=FULL``), ``Storage("postgresql://user@host/db")`` a PostgreSQL database through a connection
pool. The SQL is written once (``schema.py`` and the SQL classes here); the backends (``sqlite.py``,
``postgres.py``) give connections that take it, the serialised write transaction, the one-statement insert
of a batch, the migrations and what else differs. Guarantees, on both: a record answered "accepted" is
committed; the unique constraints decide inside the insert transaction (each record stored once, also under
concurrent identical pushes from several processes); cursors over "records stored after X" see each record
exactly once; migrations are applied once each, under a lock, by however many processes start together.
"""

from __future__ import annotations

from sync.server.storage.accounts import AccountsSQL, Device, EnrolRefusal
from sync.server.storage.backend import Backend, DatabaseUnavailable, is_postgresql_url
from sync.server.storage.core import INSERTED, InsertOutcome, StorageError, StoredRecord
from sync.server.storage.join import ClaimTaken, JoinStorage, SequenceTaken
from sync.server.storage.records import RecordsSQL
from sync.server.storage.schema import MIGRATIONS, RECORD_FIELDS, _run_statements
from sync.server.storage.sqlite import SERVER_LOG

__all__ = ["INSERTED", "MIGRATIONS", "RECORD_FIELDS", "SERVER_LOG", "Backend", "ClaimTaken", "DatabaseUnavailable", "Device", "EnrolRefusal",
           "InsertOutcome", "JoinStorage", "SequenceTaken", "Storage", "StorageError", "StoredRecord",
           "_run_statements", "is_postgresql_url"]


class Storage(AccountsSQL, RecordsSQL):
    """The server database, SQLite or PostgreSQL: one writer at a time, reads from any thread."""
