"""The day report export: every record once, in capture order, whatever the batches it is written in, in this
process or in one of its own (as the console writes it); an error in that process comes back as itself."""

from __future__ import annotations

import csv
import errno
import multiprocessing
import os
import threading
import time

import pytest
from openpyxl import load_workbook

from kiosk.export_process import ExportProcessDied, write_in_own_process
from kiosk.report import EXPORT_BATCH_ROWS, export_day_report, export_in_own_process

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
@pytest.mark.parametrize("own_process", [False, True])
def test_every_record_is_written_once_in_order_and_the_bar_hears_each_batch(busy_day, tmp_path, fmt, own_process):
    steps: list[tuple[int, int]] = []
    export = export_in_own_process if own_process else export_day_report
    out = export(busy_day.booth.report, tmp_path / f"day.{fmt}", fmt=fmt,
                 progress=lambda done, total: steps.append((done, total)))
    seqs, ids = exported_ids(out)
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) == busy_day.ledger.status().total_records - 1
    assert [i for i in ids if i.startswith("use-")] == [f"use-{i:04d}" for i in range(RECORDS)]
    dones = [done for done, _ in steps]
    assert dones == sorted(dones) and steps[-1] == (len(seqs), len(seqs))
    if not own_process:  # the other process tells at most every 50 ms
        assert dones[:3] == [EXPORT_BATCH_ROWS, 2 * EXPORT_BATCH_ROWS, len(seqs)]


def test_an_error_in_the_export_process_comes_back_as_the_same_error(busy_day, tmp_path):
    nowhere = tmp_path / "pulled-usb-stick" / "day.csv.part"
    with pytest.raises(OSError) as raised:
        write_in_own_process(busy_day.ledger.path, nowhere, fmt="csv", config=busy_day.config, today=None,
                             progress=lambda done, total: None)
    assert raised.value.errno == errno.ENOENT and raised.value.filename == str(nowhere)


def test_an_export_process_that_dies_is_an_error_not_a_short_file(busy_day, tmp_path):
    part = tmp_path / "day.csv.part"
    os.mkfifo(part)  # the child's open() waits for a reader that never comes: it cannot finish before the kill

    def kill_it() -> None:
        while not multiprocessing.active_children():
            time.sleep(0.01)
        for child in multiprocessing.active_children():
            child.kill()

    killer = threading.Thread(target=kill_it)
    killer.start()
    with pytest.raises(ExportProcessDied):
        write_in_own_process(busy_day.ledger.path, part, fmt="csv", config=busy_day.config, today=None,
                             progress=lambda done, total: None)
    killer.join()
    assert not multiprocessing.active_children()


def summary_block(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [row for row in csv.reader(fh) if row and row[0] == "summary"]


def test_the_export_process_counts_the_same_summary_and_the_export_is_recorded(busy_day, tmp_path):
    """The console's export counts the day's figures in its own process: the same summary block as counted
    here, and the export still leaves its record (written over a connection of the caller's own)."""
    here = export_day_report(busy_day.booth.report, tmp_path / "here.csv", fmt="csv")
    there = export_in_own_process(busy_day.booth.report, tmp_path / "there.csv", fmt="csv")
    assert summary_block(here)[-12:] and summary_block(here) == summary_block(there)
    exports = [r.data for r in busy_day.ledger.records(kind="export")]
    assert exports == [{"format": "csv", "records": RECORDS}, {"format": "csv", "records": RECORDS + 1}]
