"""The dashboard shows what the ledger holds after `kiosk simulate`; the day report parses back to the same figures."""

from __future__ import annotations

import csv
import re
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from console_helpers import FakeClock, close_gui, open_gui, unlock
from booth_common.records import Kind
from kiosk.ui.dashboard_screen import ExportFolder, axis_top
from kiosk.ui.screens import Screen

CLEAR_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# Record ids are random hex: about one in 3,000 holds eleven digits that look like a mobile number.
HEX_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{64}")


@pytest.fixture
def simulated(qtbot, tmp_path):
    # The real command, in its own process, as a volunteer would run it.
    subprocess.run([sys.executable, "-m", "kiosk", "simulate", "--data-dir", str(tmp_path / "data"), "--members", "30",
                    "--services", "90", "--quiz", "20", "--handouts", "40", "--seed", "11"],
                   check=True, capture_output=True)
    core, gui = open_gui(tmp_path, FakeClock())
    unlock(gui)
    gui.console.home.dashboard_button.click()
    assert gui.window.current is Screen.DASHBOARD
    yield core, gui, gui.console.dashboard
    close_gui(core, gui)


def ledger_truth(ledger):
    """The figures counted straight from the records, not from the tallies the dashboard reads."""
    voided = ledger.voided_ids()
    live = [r for r in ledger.records() if r.id not in voided and r.kind != Kind.VOID]
    of = lambda kind: [r for r in live if r.kind == kind]  # noqa: E731
    return {"new_members": len(of(Kind.REGISTRATION)),
            "consultations": len(of(Kind.CONSULTATION)) + len(of(Kind.SERVICE_USE)),
            "handouts_total": len(of(Kind.HANDOUT)),
            "quiz": (len(of(Kind.QUIZ_ATTEMPT)), sum(r.data["passed"] for r in of(Kind.QUIZ_ATTEMPT))),
            "uses": {s: sum(r.subject == s for r in of(Kind.SERVICE_USE)) for s in {r.subject for r in of(Kind.SERVICE_USE)}},
            "items": {s: sum(r.subject == s for r in of(Kind.HANDOUT)) for s in {r.subject for r in of(Kind.HANDOUT)}}}


def test_dashboard_figures_equal_the_ledger_after_simulate(simulated):
    core, gui, dash = simulated
    truth = ledger_truth(core.ledger)
    assert truth["new_members"] == 30 and truth["consultations"] == 90
    shown = {k: dash.tile_values[k].text() for k in dash.tile_values}
    assert shown["new_members"] == str(truth["new_members"])
    assert shown["consultations"] == str(truth["consultations"])
    assert shown["handouts_total"] == str(truth["handouts_total"])
    assert shown["quiz"].split(" / ")[:2] == [str(n) for n in truth["quiz"]]
    assert shown["service_items"] == str(len(core.config.services))
    assert shown["sync"] == f"{core.ledger.status().pending} / 0"
    table = {dash.table.item(r, 0).text(): dash.table.item(r, 1).text() for r in range(dash.table.rowCount())}
    for s in core.config.services:
        assert table[s.name] == str(truth["uses"].get(s.id, 0))
    for h in core.config.handouts:
        assert table[h.name] == str(truth["items"].get(h.id, 0))
    bars = dash.chart.series()[0].barSets()
    assert sum(bars[0].at(i) for i in range(bars[0].count())) == truth["consultations"]
    assert sum(bars[1].at(i) for i in range(bars[1].count())) == truth["new_members"]
    peak = max(bars[n].at(i) for n in (0, 1) for i in range(bars[n].count()))
    top, ticks = dash.y_axis.max(), dash.y_axis.tickCount()
    assert peak <= top and top % (ticks - 1) == 0  # every tick label is the whole number it stands for


@pytest.mark.parametrize("peak, top", [(0, 4), (1, 4), (4, 4), (5, 8), (37, 40)])
def test_the_chart_axis_ends_where_every_tick_is_a_whole_number(peak, top):
    assert axis_top(peak) == top


def test_a_void_in_the_ledger_shows_on_refresh(simulated):
    core, gui, dash = simulated
    use = next(core.ledger.records(kind=Kind.SERVICE_USE))
    core.booth.corrections.void(use.id, "重复计数")
    dash.refresh()
    assert dash.tile_values["consultations"].text() == str(ledger_truth(core.ledger)["consultations"]) == "89"


def export(qtbot, dash, fmt):
    """Click export and wait for the file: the export runs off the GUI thread, its bar showing meanwhile."""
    with qtbot.waitSignal(dash.exported, timeout=20_000) as done:
        dash.csv_button.click() if fmt == "csv" else dash.xlsx_button.click()
        assert dash.progress.isVisible() and not dash.csv_button.isEnabled()
        assert not dash._timer.isActive()  # no figures refresh on the GUI thread meanwhile
    assert not dash.progress.isVisible() and dash.csv_button.isEnabled() and dash._timer.isActive()
    return done.args[0]


def test_day_report_csv_and_xlsx_parse_back_to_the_dashboard_figures(simulated, tmp_path, monkeypatch, qtbot):
    core, gui, dash = simulated
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(ExportFolder, "ask", classmethod(lambda cls, parent, default: usb))
    csv_path = export(qtbot, dash, "csv")
    shown = {k: v.text() for k, v in dash.tile_values.items()}  # after the first export was recorded
    xlsx_path = export(qtbot, dash, "xlsx")
    assert csv_path.parent == xlsx_path.parent == usb and "已导出" in dash.message.text()

    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    summary = {r[2]: r[3] for r in rows if r and r[0] == "summary"}
    assert summary["New members"] == shown["new_members"]
    assert summary["Consultations (person-times)"] == shown["consultations"]
    assert summary["Gifts and leaflets handed out"] == shown["handouts_total"]
    assert f'{summary["Quiz attempts"]} / {summary["Quiz passed"]}' == " / ".join(shown["quiz"].split(" / ")[:2])
    records_at = rows.index(next(r for r in rows if r and r[0] == "seq"))
    assert len(rows) - records_at - 1 == core.ledger.status().total_records - 2  # before its own export record
    sheet = load_workbook(xlsx_path, read_only=True)["汇总 Summary"]
    xlsx_summary = {row[1]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {k: str(v) for k, v in xlsx_summary.items() if k in summary} == {k: summary[k] for k in xlsx_summary}

    for path in (csv_path, xlsx_path):
        text = path.read_bytes().decode("utf-8", errors="ignore") if path.suffix == ".csv" else "\n".join(
            str(c) for ws in load_workbook(path, read_only=True) for row in ws.iter_rows(values_only=True) for c in row)
        assert not CLEAR_PHONE.search(HEX_ID.sub("", text))  # masked only
    exports = list(core.ledger.records(kind=Kind.EXPORT))
    assert [r.data["format"] for r in exports] == ["csv", "xlsx"]


def test_member_lookup_corrects_and_voids_with_a_reason(simulated, qtbot):
    core, gui, _ = simulated
    gui.console.home.members_button.click()
    screen = gui.console.members
    registration = next(core.ledger.records(kind=Kind.REGISTRATION))
    tail = registration.data["masked_phone"][-4:]
    screen.query.setText(tail)
    with qtbot.waitSignal(screen.searched, timeout=10_000):
        screen.search()  # off the GUI thread: the list fills when the answer comes
    assert screen.members and all(m.masked_phone.endswith(tail) for m in screen.members)
    assert all("*" in screen.results.item(i).text() for i in range(screen.results.count()))
    row = next(i for i, m in enumerate(screen.members) if m.record_id == registration.id)
    screen.results.setCurrentRow(row)
    screen.choose_field("occupation")
    screen.value_choice.setCurrentIndex(screen.value_choice.findData("truck-driver"))
    screen.correct_button.click()
    assert "不能为空" in screen.message.text()  # a reason is required
    screen.results.setCurrentRow(next(i for i, m in enumerate(screen.members) if m.record_id == registration.id))
    screen.reason.setText("职业选错")
    screen.choose_field("occupation")
    screen.value_choice.setCurrentIndex(screen.value_choice.findData("truck-driver"))
    with qtbot.waitSignal(screen.searched, timeout=10_000):
        screen.correct_button.click()
    assert screen.message.text() == "已更正（原记录保留）"
    [fix] = list(core.ledger.records(kind=Kind.CORRECTION))
    assert fix.refers_to == registration.id and fix.data["changes"] == {"occupation": "truck-driver"}
    screen.results.setCurrentRow(next(i for i, m in enumerate(screen.members) if m.record_id == registration.id))
    screen.reason.setText("重复登记")
    before = core.ledger.effective_counts()[Kind.REGISTRATION]
    with qtbot.waitSignal(screen.searched, timeout=10_000):
        screen.void_button.click()
    assert core.ledger.effective_counts()[Kind.REGISTRATION] == before - 1
    assert registration.id not in {m.record_id for m in screen.members}


def test_an_export_that_cannot_be_written_says_why_and_leaves_the_dashboard_usable(simulated, tmp_path, monkeypatch,
                                                                                    qtbot):
    core, gui, dash = simulated
    not_a_folder = tmp_path / "usb"
    not_a_folder.write_text("a file where the folder should be")
    monkeypatch.setattr(ExportFolder, "ask", classmethod(lambda cls, parent, default: not_a_folder))
    with qtbot.waitSignal(dash.export_failed, timeout=20_000) as failed:
        dash.csv_button.click()
    assert "导出失败" in dash.message.text() and failed.args[0] in dash.message.text()
    assert dash.csv_button.isEnabled() and not dash.progress.isVisible()
    assert not list(core.ledger.records(kind=Kind.EXPORT))  # nothing was exported, so nothing is recorded
