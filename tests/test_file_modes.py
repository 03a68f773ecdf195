"""Everything the kiosk keeps is its account's alone: data folder 0700, every file in it 0600 (POSIX).

The files are made the way a booth makes them — ``kiosk simulate``, a GUI-less purge, an export, an
enrolment against the real loopback server — in processes of their own, then every path under the data
folder is stat'ed. Windows: docs/deployment.md (the profile folder's ACL).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from loopback import booth_code, city  # noqa: F401 (city is a fixture)

# one_backend: the city server's database does not change the booth's files (tests/conftest.py).
pytestmark = [pytest.mark.skipif(os.name != "posix", reason="POSIX modes; Windows relies on the profile's ACL"),
              pytest.mark.one_backend]


def kiosk(*args, data_dir):
    result = subprocess.run([sys.executable, "-m", "kiosk", *args, "--data-dir", str(data_dir)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def modes(folder):
    found = {folder: stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        found[path] = stat.S_IMODE(path.stat().st_mode)
    return found


def test_every_folder_is_0700_and_every_file_0600_after_a_booth_day(core, city, data_dir, tmp_path):
    code = booth_code(city, core)
    core.close()
    os.chmod(data_dir, 0o755)  # as an older kiosk left it
    os.chmod(data_dir / "ledger.sqlite3", 0o644)
    kiosk("simulate", "--members", "5", "--services", "3", "--quiz", "3", "--handouts", "2", "--seed", "3",
          data_dir=data_dir)
    kiosk("enroll", "--server", city.url, "--code", code, data_dir=data_dir)
    kiosk("export", "--format", "csv", "--out", str(data_dir / "exports" / "day.csv"), data_dir=data_dir)
    kiosk("export", "--format", "xlsx", "--out", str(data_dir / "exports" / "day.xlsx"), data_dir=data_dir)
    kiosk("sync", "--once", data_dir=data_dir)
    kiosk("purge", "--now", data_dir=data_dir)
    found = modes(data_dir)
    names = {p.name for p in found}
    assert {"ledger.sqlite3", "keys", "exports", "day.csv", "day.xlsx"} <= names
    wrong = {str(p.relative_to(tmp_path)): oct(m) for p, m in found.items()
             if m != (0o700 if p.is_dir() else 0o600)}
    assert not wrong


def test_the_wal_and_shm_of_an_open_ledger_are_0600(core, data_dir):
    core.ledger.set_meta("probe", "1")  # an open connection in WAL mode keeps both files
    for suffix in ("-wal", "-shm"):
        path = data_dir / f"ledger.sqlite3{suffix}"
        assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "keys").stat().st_mode) == 0o700


def test_a_day_report_is_0600_from_the_first_byte_even_in_a_shared_folder(core, tmp_path):
    from kiosk.report import export_day_report

    shared = tmp_path / "usb"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    out = export_day_report(core.booth.report, shared / "day.csv", fmt="csv")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755  # a folder the volunteer chose is left as it is
