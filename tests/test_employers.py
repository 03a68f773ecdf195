"""Employer meetings (企业沟通会) on a real ledger: validation, sealing of the contact, corrections, the follow-up list."""

import datetime as dt
import json
import random
import sqlite3

import pytest

from booth_common.records import Kind
from booth_common.sealing import open_sealed
from kiosk.errors import InvalidInput
from kiosk.employers import MeetingForm, Outcome
from kiosk.simulate import fake_meeting, simulate

GOOD_USCC = "91110000600037341L"


def form(**changes):
    base = dict(enterprise_name="北京鑫达物流有限公司", uscc=GOOD_USCC, industry="物流", size_band="100_299",
                union_exists=False, workers="180", new_form_workers="60", contact_name="王建国",
                contact_phone="13912345678", needs=["legal", "welfare"], needs_other="夜班职工子女托管",
                package=["legal_checkup"], outcome="agreed_to_found", follow_up="")
    base.update(changes)
    return MeetingForm(**base)


def test_a_meeting_is_stored_with_the_contact_sealed_and_only_masked_in_the_payload(booth, core):
    meeting = booth.employers.record_meeting(form())
    record = core.ledger.get(meeting.record_id)
    assert record.kind == Kind.EMPLOYER_MEETING and record.subject == "agreed_to_found"
    assert "王建国" not in record.payload and "13912345678" not in record.payload
    assert record.data["masked_contact_name"] == "王*国" and record.data["masked_contact_phone"].endswith("5678")
    assert record.data["needs"] == ["welfare", "legal"]  # configuration order
    assert record.data["district"] == booth.profile.booth.district  # the booth's, when not given
    raw = sqlite3.connect(core.ledger.path).execute("select * from sealed where record_id = ?",
                                                    (record.id,)).fetchone()
    assert raw is not None and "王建国" not in str(raw)
    opened = open_sealed(core.ledger.sealed_envelope(record.id), core.keys.device_private_key(),
                         record_id=record.id)
    assert opened == {"contact_name": "王建国", "contact_phone": "13912345678"}


@pytest.mark.parametrize("changes, field, code", [
    ({"uscc": "91110000600037341X"}, "uscc", "checksum"),
    ({"uscc": "9111000060003734"}, "uscc", "length"),
    ({"enterprise_name": "  "}, "enterprise_name", "required"),
    ({"workers": "-3"}, "workers", "number"),
    ({"new_form_workers": "2000000"}, "new_form_workers", "too_many"),
    ({"size_band": "huge"}, "size_band", "required"),
    ({"needs": ["free_beer"]}, "needs", "unknown"),
    ({"outcome": "maybe"}, "outcome", "required"),
    ({"follow_up": "2026-13-01"}, "follow_up", "format"),
    ({"follow_up": "2020-01-01"}, "follow_up", "range"),
    ({"contact_phone": "12345"}, "phone", "length"),
    ({"contact_name": "x"}, "name", "too_short"),
])
def test_each_bad_field_is_refused_in_both_languages_and_nothing_is_written(booth, core, changes, field, code):
    before = core.ledger.status().total_records
    with pytest.raises(InvalidInput) as caught:
        booth.employers.record_meeting(form(**changes))
    assert (field, code) in [(e.field, e.code) for e in caught.value.errors]
    assert caught.value.zh and caught.value.en
    assert core.ledger.status().total_records == before


def test_a_correction_points_at_the_meeting_and_the_meeting_reads_corrected(booth, core):
    meeting = booth.employers.record_meeting(form(outcome="will_consider"))
    correction = booth.employers.correct_meeting(meeting.record_id, reason="回访后同意建会",
                                                 outcome="agreed_to_found", workers="200",
                                                 contact_phone="13800001234")
    assert correction.kind == Kind.CORRECTION and correction.refers_to == meeting.record_id
    assert correction.data["changes"] == {"outcome": "agreed_to_found", "workers": 200,
                                          "masked_contact_phone": "*******1234"}
    [now] = booth.employers.meetings()
    assert (now.outcome, now.workers, now.masked_contact_name, now.corrections) == \
        (Outcome.AGREED_TO_FOUND, 200, "王*国", 1)
    assert json.loads(core.ledger.get(meeting.record_id).payload)["data"]["workers"] == 180  # never edited
    with pytest.raises(InvalidInput):
        booth.employers.correct_meeting(meeting.record_id, reason="无", workers="200")  # nothing changes


def test_a_voided_meeting_is_left_out(booth):
    meeting = booth.employers.record_meeting(form())
    booth.corrections.void(meeting.record_id, "重复录入")
    assert booth.employers.meetings() == []


def test_the_follow_up_list_holds_near_or_past_dates_and_agreements(core, booth):
    today = dt.date.today()
    soon = booth.employers.record_meeting(form(enterprise_name="甲公司", outcome="will_consider",
                                               follow_up=(today + dt.timedelta(days=3)).isoformat()))
    booth.employers.record_meeting(form(enterprise_name="乙公司", outcome="will_consider",
                                        follow_up=(today + dt.timedelta(days=30)).isoformat()))
    agreed = booth.employers.record_meeting(form(enterprise_name="丙公司", outcome="agreed_to_found"))
    booth.employers.record_meeting(form(enterprise_name="丁公司", outcome="declined"))
    today_due = booth.employers.record_meeting(form(enterprise_name="戊公司", outcome="will_consider",
                                                    follow_up=today.isoformat()))
    listed = [m.record_id for m in booth.employers.follow_ups()]
    assert listed == [today_due.record_id, soon.record_id, agreed.record_id]
    booth.writer.today = today + dt.timedelta(days=5)  # days pass: the meeting due today is now overdue
    overdue = [m for m in booth.employers.follow_ups() if booth.employers.is_overdue(m)]
    assert [m.enterprise_name for m in overdue] == ["戊公司", "甲公司"]


def test_simulated_meetings_pass_the_same_service_layer(booth, core):
    written = simulate(booth, members=0, services=0, quiz=0, handouts=0, employers=25, seed=7)
    assert written["employer"] == 25
    meetings = booth.employers.meetings()
    assert len(meetings) == 25 and len({m.uscc for m in meetings}) == 25
    assert {m.outcome for m in meetings} == set(Outcome)
    for m in meetings:
        assert core.ledger.sealed_envelope(m.record_id) is not None


def test_fake_meetings_always_validate(booth):
    rng = random.Random(1)
    for _ in range(200):
        _, _, errors = booth.employers.check(fake_meeting(rng, booth))
        assert errors == []


def test_the_day_report_counts_meetings_agreements_and_workers_by_street(booth, tmp_path):
    import csv

    from kiosk.report import day_figures, export_day_report

    booth.employers.record_meeting(form(workers="180", new_form_workers="60", outcome="agreed_to_found",
                                        district="朝阳区", street="望京街道"))
    booth.employers.record_meeting(form(workers="40", new_form_workers="0", outcome="declined",
                                        district="朝阳区", street="酒仙桥街道"))
    taken_back = booth.employers.record_meeting(form(workers="999", district="朝阳区", street="望京街道"))
    booth.corrections.void(taken_back.record_id, "重复录入")
    figures = day_figures(booth.report)
    assert (figures.employer_meetings, figures.employers_agreed, figures.workers_covered,
            figures.new_form_workers) == (2, 1, 220, 60)
    assert figures.employers_by_street == {"朝阳区 望京街道": (1, 1, 180), "朝阳区 酒仙桥街道": (1, 0, 40)}
    out = export_day_report(booth.report, tmp_path / "day.csv", fmt="csv")
    summary = {row[1]: row[3] for row in csv.reader(out.open(encoding="utf-8-sig")) if row and row[0] == "summary"}
    assert (summary["企业沟通会"], summary["同意建会企业"], summary["覆盖职工"]) == ("2", "1", "220")
    assert out.read_text(encoding="utf-8-sig").count("王建国") == 0


def test_kiosk_simulate_employers_writes_meetings_and_prints_each(data_dir, capsys):
    from kiosk.cli import main

    assert main(["simulate", "--employers", "4", "--seed", "5", "--data-dir", str(data_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["employer_meeting"] * 4
    assert main(["status", "--json", "--data-dir", str(data_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["employer_meeting"] == 4
