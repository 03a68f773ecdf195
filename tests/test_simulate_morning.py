"""The simulated morning behind `kiosk screenshots`: a realistic day through the service layer, read back from the
ledger; and the command that renders it leaves the booth's own ledger alone."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import Counter

from booth_common.records import Kind
from kiosk.app import build_core
from kiosk.report import day_figures
from kiosk.settings import DEMO_CONFIG
from kiosk.simulate import BEIJING, simulate_morning

DAY = dt.date(2026, 11, 25)


def test_a_morning_spreads_every_kind_of_booth_fact_over_the_morning_with_a_lunch_peak(booth):
    written = simulate_morning(booth, seed=7, day=DAY)
    records = list(booth.ledger.records())
    kinds = Counter(r.kind for r in records)
    assert kinds[Kind.REGISTRATION] == written["member"] >= 40
    assert kinds[Kind.CARD_REQUEST] == written["card"] > 0
    local = [dt.datetime.fromisoformat(r.captured_at.replace("Z", "+00:00")).astimezone(BEIJING) for r in records]
    assert all(t.date() == DAY and dt.time(9, 30) <= t.time() <= dt.time(13, 0) for t in local)
    per_hour = Counter(t.hour for t in local)
    assert set(per_hour) == {9, 10, 11, 12} and max(per_hour, key=per_hour.get) in (11, 12)  # busiest at lunch
    assert [r.captured_at for r in records] == sorted(r.captured_at for r in records)  # captured in order
    handouts = Counter(r.subject for r in booth.ledger.records(kind=Kind.HANDOUT))
    assert handouts["welfare-pack"] > 0 and handouts["quiz-prize"] == written["prize"] > 0
    issued = {r.data["prize_voucher"] for r in booth.ledger.records(kind=Kind.QUIZ_ATTEMPT) if r.data["prize_voucher"]}
    for prize in (r for r in booth.ledger.records(kind=Kind.HANDOUT) if r.subject == "quiz-prize"):
        assert prize.data["voucher"] in issued and prize.data["member"] is None  # redeemed by voucher, as at a desk
    figures = day_figures(booth.report)
    assert figures.prizes_claimed == written["prize"] and len(figures.per_hour_visits) == 4
    later = booth.desks.record_service_use("tcm")  # the ledger's clock is back to now afterwards
    assert later.captured_at[:10] == dt.datetime.now(dt.timezone.utc).date().isoformat()


def test_kiosk_screenshots_renders_a_simulated_morning_without_writing_the_booths_ledger(tmp_path):
    data = tmp_path / "data"
    core = build_core(data_dir=data, config_path=DEMO_CONFIG)
    before = core.ledger.status().total_records
    core.close()
    out = tmp_path / "shots"
    done = subprocess.run([sys.executable, "-m", "kiosk", "screenshots", "--out", str(out), "--data-dir", str(data)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    names = {p.name for p in out.glob("*.png")}
    for name in ("zh_CN-dashboard.png", "en_US-dashboard.png", "zh_CN-idle-overlay.png", "zh_CN-members-found.png",
                 "zh_CN-console-config-updated.png"):
        assert name in names
    core = build_core(data_dir=data, config_path=DEMO_CONFIG)
    try:
        assert core.ledger.status().total_records == before  # the booth's own ledger was not written
    finally:
        core.close()
