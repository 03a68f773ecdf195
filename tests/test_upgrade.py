"""Updating a booth keeps its data: a newer kiosk migrates an older ledger; an older kiosk refuses a newer one.

With real ledger files written through the service layer. The same checks run against the packaged kiosk in
tests/benchmarks/bench_package.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

from kiosk.cli import main
from kiosk.migrations import migrations
from kiosk.schema import EXIT_LEDGER_TOO_NEW, KNOWN_MIGRATIONS
from ledger_versions import (FUTURE_MIGRATION, applied_migrations, booth_with_records, folder_digest, make_newer,
                             make_older, payload_hashes)


def test_the_known_migrations_are_the_registered_ones():
    registered = migrations.names
    assert list(KNOWN_MIGRATIONS) == registered, "add the new migration's name to kiosk/schema.py"


def test_a_newer_kiosk_migrates_an_older_ledger_and_keeps_every_record(data_dir, capsys):
    written = booth_with_records(data_dir)
    hashes = make_older(data_dir)
    assert applied_migrations(data_dir) == [KNOWN_MIGRATIONS[0]]
    assert len(hashes) == written["records"]
    capsys.readouterr()

    assert main(["status", "--json", "--data-dir", str(data_dir)]) == 0
    status = json.loads(capsys.readouterr().out)
    assert applied_migrations(data_dir) == list(KNOWN_MIGRATIONS)
    assert payload_hashes(data_dir) == hashes
    assert status["total_records"] == status["pending"] == written["records"]
    assert status["counts"]["registration"] == 6
    # and it goes on writing where the old kiosk stopped
    assert main(["simulate", "--members", "1", "--data-dir", str(data_dir)]) == 0
    assert payload_hashes(data_dir)[:-1] == hashes


def test_an_older_kiosk_refuses_a_newer_ledger_with_a_bilingual_message_and_changes_nothing(data_dir, capsys):
    booth_with_records(data_dir)
    make_newer(data_dir)
    before = folder_digest(data_dir)
    capsys.readouterr()
    for command in (["status"], ["status", "--json"], ["simulate", "--members", "1"],
                    ["export", "--format", "csv", "--out", str(data_dir.parent / "day.csv")]):
        assert main([*command, "--data-dir", str(data_dir)]) == EXIT_LEDGER_TOO_NEW, command
        err = capsys.readouterr().err
        assert "更新版本" in err and "newer version of the kiosk" in err and FUTURE_MIGRATION in err
    assert folder_digest(data_dir) == before
    assert not (data_dir.parent / "day.csv").exists()


def test_the_gui_of_an_older_kiosk_shows_the_refusal_and_exits_with_the_documented_code(data_dir, tmp_path):
    booth_with_records(data_dir)
    make_newer(data_dir)
    before = folder_digest(data_dir)
    picture = tmp_path / "refusal.png"
    # The probe (kiosk/package/probe.py) photographs the message box and taps its button, as a volunteer would.
    watched = ("import os, sys; from kiosk.package.probe import install; install(os.environ['KIOSK_PACKAGE_PROBE']); "
               "from kiosk.cli import main; sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", watched, "--windowed", "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=120,
                          env={"QT_QPA_PLATFORM": "offscreen", "XDG_CACHE_HOME": str(tmp_path / "cache"),
                               "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                               "KIOSK_PACKAGE_PROBE": f"refusal={picture}"})
    assert done.returncode == EXIT_LEDGER_TOO_NEW, done.stderr[-2000:]
    shown = [line for line in done.stdout.splitlines() if line.startswith("refusal ")]
    assert shown and "shown=True" in shown[0] and "无法打开本机数据 / Cannot open" in shown[0]
    assert "更新版本" in shown[0] and "newer version of the kiosk" in shown[0] and FUTURE_MIGRATION in shown[0]
    assert picture.stat().st_size > 5000
    assert "更新版本" in done.stderr and FUTURE_MIGRATION in done.stderr
    assert folder_digest(data_dir) == before
