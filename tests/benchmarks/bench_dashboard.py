"""Dashboard benchmark: one full refresh (figures, table, per-hour chart) on a 1,000,000-record ledger, under 100 ms."""

from __future__ import annotations

import pytest

from benchmarks.bench_ledger import BIG, _bulk_fill, _report_percentiles
from console_helpers import FakeClock, close_gui, open_gui, unlock
from kiosk.app import build_core
from kiosk.settings import DEMO_CONFIG

BUDGET_MS = 100


@pytest.fixture(scope="module")
def big_data(tmp_path_factory):
    root = tmp_path_factory.mktemp("dash")
    core = build_core(data_dir=root / "data", config_path=DEMO_CONFIG)
    _bulk_fill(core, BIG)
    core.close()
    return root


def test_dashboard_refresh_on_1m_records(benchmark, qtbot, big_data):
    core, gui = open_gui(big_data, FakeClock())
    try:
        unlock(gui)
        gui.console.home.dashboard_button.click()
        dash = gui.console.dashboard
        benchmark.pedantic(dash.refresh, rounds=50, iterations=1, warmup_rounds=2)
        assert int(dash.tile_values["consultations"].text()) > BIG // 2
    finally:
        close_gui(core, gui)
    _report_percentiles(benchmark)
    assert benchmark.extra_info["p99_ms"] < BUDGET_MS
