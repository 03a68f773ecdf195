"""Which ledger schema this kiosk knows, and the refusal of a ledger written by a newer kiosk.

Kept apart from ``kiosk.migrations`` (which imports sqlite-utils, ~200 ms) so that ``kiosk status``, which
reads the file directly, can refuse a newer ledger as quickly as it reads one. A test holds
``KNOWN_MIGRATIONS`` equal to the migrations registered in ``kiosk.migrations``: add the name of a new
migration here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

KNOWN_MIGRATIONS = ("m001_records_and_outbox", "m002_tallies", "m003_member_search_indexes", "m004_records_by_kind")
MIGRATION_SET = "kiosk-ledger"  # the name sqlite-utils stores beside each applied migration
EXIT_LEDGER_TOO_NEW = 6  # every `kiosk` command, the GUI included (README, docs/deployment.md)
# A record's columns in the order of ``booth_common.records.Record``; ``R_``: as selected from ``records r``.
RECORD_COLUMNS = ("seq, id, kind, subject, event_id, booth_id, device_id, captured_at, "
                  "refers_to, payload, payload_sha256")
R_RECORD_COLUMNS = ", ".join("r." + c.strip() for c in RECORD_COLUMNS.split(","))


class LedgerTooNew(RuntimeError):
    """The ledger holds migrations this kiosk does not know: a newer kiosk wrote it. Nothing is changed."""

    exit_code = EXIT_LEDGER_TOO_NEW

    def __init__(self, path: Path, unknown: list[str]):
        self.path, self.unknown = path, unknown
        names = ", ".join(unknown)
        self.chinese = f"本机数据由更新版本的服务台程序写入（{names}），此版本无法打开，请安装新版本；数据未被改动。"
        self.english = (f"The ledger {path} was written by a newer version of the kiosk ({names}); this version "
                        f"cannot open it. Install the newer package; nothing was changed.")
        super().__init__(f"{self.chinese} / {self.english}")


def refuse_unknown(path: Path, applied: Iterable[str]) -> None:
    """Raise LedgerTooNew when ``applied`` (the ledger's applied migrations) names one this kiosk lacks."""
    unknown = [name for name in applied if name not in KNOWN_MIGRATIONS]
    if unknown:
        raise LedgerTooNew(path, unknown)
