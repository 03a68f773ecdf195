"""kiosk simulate killed with SIGKILL at random moments: nothing it announced is lost."""

import os
import random
import signal
import subprocess
import sys
import time

from kiosk.ledger import Ledger

ROUNDS = 20


def test_sigkill_never_loses_an_acknowledged_record(tmp_path):
    data_dir = tmp_path / "data"
    rng = random.Random(20261125)
    printed: list[str] = []
    env = {**os.environ, "KIOSK_DATA_DIR": str(data_dir)}
    for round_no in range(ROUNDS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "simulate", "--members", "400", "--services", "400",
             "--quiz", "100", "--handouts", "100", "--seed", str(round_no)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
        # wait for the first record so the kill lands among writes, not during start-up
        first = proc.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.4))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        lines = [first] + out.splitlines()
        printed += [line.split()[1] for line in lines if line.strip()]
    assert len(printed) > ROUNDS, "the kills came too early to test anything"
    with Ledger(data_dir / "ledger.sqlite3") as ledger:
        assert ledger.integrity_check() == "ok"
        stored = {r.id for r in ledger.records()}
        missing = [rid for rid in printed if rid not in stored]
        assert missing == []
        assert ledger.sequence_gaps() == 0
        status = ledger.status()
        assert status.total_records == len(stored) == status.pending
