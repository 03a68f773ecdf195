"""The day report export: every record once, in capture order, whatever the batches it is written in."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from kiosk.report import EXPORT_BATCH_ROWS, export_day_report

RECORDS = 2 * EXPORT_BATCH_ROWS + 7  # three batches, the last one short


@pytest.fixture
def busy_day(core):
    ledger = core.ledger
    with ledger.db.atomic():
        for i in range(RECORDS):
            ledger.append(record_id=f"use-{i:04d}", kind="service_use", event_id="e",
                          booth_id="b", data={"service": "tcm", "member": None}, subject="tcm")
    return core


def exported_ids(path):
    if path.suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = [r for r in csv.reader(fh) if r and r[0].isdigit()]
    else:
        rows = list(load_workbook(path, read_only=True)["记录 Records"].iter_rows(min_row=2, values_only=True))
    return [int(r[0]) for r in rows], [r[1] for r in rows]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_record_is_written_once_in_order_and_the_bar_hears_each_batch(busy_day, tmp_path, fmt):
    steps: list[tuple[int, int]] = []
    out = export_day_report(busy_day.booth.report, tmp_path / f"day.{fmt}", fmt=fmt,
                            progress=lambda done, total: steps.append((done, total)))
    seqs, ids = exported_ids(out)
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) == busy_day.ledger.status().total_records - 1
    assert [i for i in ids if i.startswith("use-")] == [f"use-{i:04d}" for i in range(RECORDS)]
    assert [done for done, _ in steps[:3]] == [EXPORT_BATCH_ROWS, 2 * EXPORT_BATCH_ROWS, len(seqs)]
    assert steps[-1] == (len(seqs), len(seqs))
