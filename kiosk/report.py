"""The booth's day figures, as district unions report them, and the day report export (masked)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from booth_common.records import Kind
from kiosk.audit import Audit
from kiosk.config import Booth, Config
from kiosk.employers import EmployerMeetings
from kiosk.private_files import private_file
from kiosk.record_writer import Concept, RecordWriter

if TYPE_CHECKING:
    from kiosk.ledger import Ledger

BEIJING = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class DayFigures:
    """One booth's figures: the same numbers feed the console dashboard and the exported report."""

    new_members: int
    consultations: int          # 咨询人次: consultation-desk visits plus service uses
    consultation_desk: int
    service_uses: dict[str, int]
    service_items: int
    handouts: dict[str, int]
    handouts_total: int
    stock_left: dict[str, int]
    quiz_attempts: int
    quiz_passed: int
    prizes_claimed: int
    card_requests: int
    per_hour_members: dict[str, int]
    per_hour_visits: dict[str, int]
    pending: int
    needs_attention: int
    # 企业沟通会 (kiosk/employers.py): meetings held, enterprises that agreed to found a union, their workers
    employer_meetings: int = 0
    employers_agreed: int = 0
    workers_covered: int = 0
    new_form_workers: int = 0
    employers_by_street: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # "区 街道" -> (held, agreed, workers)


class DayReport(Concept):
    """The booth's day as district unions count it: the dashboard, a desk's counters and ``kiosk report``
    read its figures; its export is recorded by the ``audit``."""

    def __init__(self, writer: RecordWriter, *, employers: EmployerMeetings, audit: Audit):
        super().__init__(writer)
        self.employers, self.audit = employers, audit

    @property
    def booth(self) -> Booth:
        return self.writer.booth

    @property
    def event_id(self) -> str:
        return self.writer.event_id

    @property
    def booth_id(self) -> str:
        return self.writer.booth_id

    @contextmanager
    def detached(self) -> Iterator[DayReport]:
        """The report over a connection of its own, for a worker thread (the export, kiosk/ui/background.py)."""
        with self.writer.detached() as writer:
            yield DayReport(writer, employers=EmployerMeetings(writer), audit=Audit(writer))


def day_figures(service: DayReport) -> DayFigures:
    ledger, config = service.ledger, service.config
    counts = ledger.effective_counts()
    uses = ledger.effective_subjects(Kind.SERVICE_USE)
    handed = ledger.effective_subjects(Kind.HANDOUT)
    quiz = ledger.effective_subjects(Kind.QUIZ_ATTEMPT)
    status = ledger.status()
    visits: dict[str, int] = {}
    for kind in (Kind.CONSULTATION, Kind.SERVICE_USE):
        for hour, n in _local_hours(ledger.effective_hours(kind)).items():
            visits[hour] = visits.get(hour, 0) + n
    return DayFigures(
        new_members=counts.get(Kind.REGISTRATION, 0),
        consultations=counts.get(Kind.CONSULTATION, 0) + counts.get(Kind.SERVICE_USE, 0),
        consultation_desk=counts.get(Kind.CONSULTATION, 0),
        service_uses={s.id: uses.get(s.id, 0) for s in config.services},
        service_items=len(config.services),
        handouts={h.id: handed.get(h.id, 0) for h in config.handouts},
        handouts_total=counts.get(Kind.HANDOUT, 0),
        stock_left={h.id: h.stock - handed.get(h.id, 0) for h in config.handouts},
        quiz_attempts=counts.get(Kind.QUIZ_ATTEMPT, 0),
        quiz_passed=quiz.get("passed", 0),
        prizes_claimed=handed.get(config.quiz.prize_item, 0) if config.quiz.prize_item else 0,
        card_requests=counts.get(Kind.CARD_REQUEST, 0),
        per_hour_members=_local_hours(ledger.effective_hours(Kind.REGISTRATION)),
        per_hour_visits=dict(sorted(visits.items())),
        pending=status.pending,
        needs_attention=status.needs_attention,
        **_employer_figures(service),
    )


def _employer_figures(service: DayReport) -> dict[str, Any]:
    meetings = service.employers.meetings()
    streets: dict[str, tuple[int, int, int]] = {}
    for m in meetings:
        held, agreed, workers = streets.get(f"{m.district} {m.street}".strip(), (0, 0, 0))
        streets[f"{m.district} {m.street}".strip()] = (held + 1, agreed + (m.outcome == "agreed_to_found"),
                                                       workers + m.workers)
    return {"employer_meetings": len(meetings),
            "employers_agreed": sum(m.outcome == "agreed_to_found" for m in meetings),
            "workers_covered": sum(m.workers for m in meetings),
            "new_form_workers": sum(m.new_form_workers for m in meetings),
            "employers_by_street": dict(sorted(streets.items()))}


def _local_hours(utc_hours: dict[str, int]) -> dict[str, int]:
    """'2026-11-25T04' (UTC) → '12:00' Beijing time, summed."""
    out: dict[str, int] = {}
    for key, n in utc_hours.items():
        moment = dt.datetime.strptime(key, "%Y-%m-%dT%H").replace(tzinfo=dt.timezone.utc).astimezone(BEIJING)
        label = moment.strftime("%H:00")
        out[label] = out.get(label, 0) + n
    return dict(sorted(out.items()))


def summary_rows(service: DayReport, figures: DayFigures) -> list[tuple[str, str, Any]]:
    """(Chinese label, English label, value) rows of the report's summary block."""
    config, booth = service.config, service.booth
    rows: list[tuple[str, str, Any]] = [
        ("活动", "Event", config.event.name),
        ("展位", "Booth", booth.name),
        ("区 / 街道", "District / street", f"{booth.district} {booth.street}"),
        ("会场类型", "Venue type", "主会场" if booth.venue_type == "main" else "分会场"),
        ("服务项目数", "Service items", figures.service_items),
        ("咨询人次", "Consultations (person-times)", figures.consultations),
        ("发展会员", "New members", figures.new_members),
        ("发放宣传品及礼品", "Gifts and leaflets handed out", figures.handouts_total),
        ("有奖答题人次", "Quiz attempts", figures.quiz_attempts),
        ("答题通过", "Quiz passed", figures.quiz_passed),
        ("互助服务卡申请", "Mutual-aid card applications", figures.card_requests),
    ]
    rows += [("企业沟通会", "Employer meetings", figures.employer_meetings),
             ("同意建会企业", "Enterprises agreed to found a union", figures.employers_agreed),
             ("覆盖职工", "Workers covered", figures.workers_covered),
             ("其中新就业形态劳动者", "Of them new-employment-form workers", figures.new_form_workers)]
    for place, (held, agreed, workers) in figures.employers_by_street.items():
        rows.append((f"企业沟通会：{place}", f"Employer meetings: {place}",
                     f"{held} / 同意建会 agreed {agreed} / 职工 workers {workers}"))
    rows += [(f"服务：{s.name}", f"Service: {s.name_en}", figures.service_uses[s.id]) for s in config.services]
    rows += [(f"发放：{h.name}", f"Handed out: {h.name_en}", figures.handouts[h.id]) for h in config.handouts]
    return rows


# Rows per batch of the export. Writing a batch (csv's writerows) and making one (the cursor's rows) are each
# one C call that keeps the interpreter lock throughout; the GUI thread needs that lock at every event it
# hands to Python. 2,000 rows held it 15-20 ms a call (60-90 ms on a loaded 2-core machine); 250 keep it
# near a millisecond (tests/benchmarks/bench_background.py measures the GUI thread's longest stall).
EXPORT_BATCH_ROWS = 250

RECORD_HEADER = ("seq", "record_id", "kind", "subject", "captured_at_utc", "refers_to", "voided", "sync_state",
                 "details_masked")


def export_day_report(service: DayReport, out: Path, *, fmt: str,
                      progress: Callable[[int, int], None] | None = None) -> Path:
    """Write the day report (summary block, then records) as CSV or XLSX in this thread; the export is itself
    recorded. ``progress(done, total)`` hears of the records written. The file appears whole or not at all:
    it is written beside and renamed."""
    _check_format(fmt)
    summary = summary_rows(service, day_figures(service))
    total = service.ledger.status().total_records
    tell = progress or (lambda done, total: None)
    with _written_beside(out) as part:
        done = write_report_file(service.ledger, part, fmt=fmt, summary=summary, total=total, progress=tell)
    service.audit.record_export(fmt=fmt, records=done)
    return out


def export_in_own_process(service: DayReport, out: Path, *, fmt: str,
                          progress: Callable[[int, int], None] | None = None) -> Path:
    """``export_day_report`` for a worker thread of the GUI process (the console's export): the day's figures,
    the count and the rows are all made by a process of its own (kiosk/export_process.py), so this thread
    runs next to no Python while a million rows go out: a thread of the GUI process running Python holds the
    interpreter lock the GUI thread needs, and on a busy machine the system pauses it holding that lock (a
    284 ms stall at an export's start when the figures were counted here). It reads only the service's
    configuration and ledger path, never its connection; the export is recorded at the end over a
    connection of its own."""
    from kiosk.export_process import write_in_own_process

    _check_format(fmt)
    tell = progress or (lambda done, total: None)
    with _written_beside(out) as part:
        done = write_in_own_process(service.ledger.path, part, fmt=fmt, config=service.config,
                                    today=service.writer.today, progress=tell)
    with service.detached() as own:
        own.audit.record_export(fmt=fmt, records=done)
    return out


def write_whole_report(ledger: Ledger, config: Config, part: Path, *, fmt: str, today: dt.date | None,
                       progress: Callable[[int, int], None]) -> int:
    """The day's figures counted over ``ledger`` and ``config``, then the summary block and every record,
    into ``part`` (the export's own process does this); the number of records written."""
    writer = RecordWriter(ledger, config, None, None, today=today)  # type: ignore[arg-type]  # reads only: no keys
    report = DayReport(writer, employers=EmployerMeetings(writer), audit=Audit(writer))
    summary = summary_rows(report, day_figures(report))
    total = ledger.status().total_records
    return write_report_file(ledger, part, fmt=fmt, summary=summary, total=total, progress=progress)


def _check_format(fmt: str) -> None:
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r} (csv or xlsx)")


@contextmanager
def _written_beside(out: Path) -> Iterator[Path]:
    """A ``.part`` file beside ``out``, renamed to it when the block ends well, removed otherwise."""
    part = private_file(out.with_name(out.name + ".part"))  # 0600 from the first byte: it lists pass and voucher codes
    try:
        yield part
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)


def write_report_file(ledger: Ledger, part: Path, *, fmt: str, summary: list[tuple[str, str, Any]], total: int,
                      progress: Callable[[int, int], None]) -> int:
    """The summary block, then every record of ``ledger``, into ``part``; the number of records written."""
    batches = _counted(ledger.report_batches(size=EXPORT_BATCH_ROWS), total, progress)
    WRITERS[fmt](part, summary, batches)
    return batches.done


class _counted:  # noqa: N801 - used as an iterator, named like one
    """Passes batches of rows through, counting the rows and telling ``progress`` after each batch."""

    def __init__(self, batches: Iterator[list[tuple[Any, ...]]], total: int, progress: Callable[[int, int], None]):
        self._batches, self._total, self._progress = batches, total, progress
        self.done = 0

    def __iter__(self) -> Iterator[list[tuple[Any, ...]]]:
        for batch in self._batches:
            yield batch
            self.done += len(batch)
            self._progress(self.done, max(self._total, self.done))
        self._progress(self.done, max(self.done, 1))


def _write_csv(out: Path, summary: list[tuple[str, str, Any]], batches: Iterable[list[tuple[Any, ...]]]) -> None:
    # utf-8-sig: Excel on a volunteer's Windows laptop opens it with Chinese intact.
    with open(out, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(("summary", "项目", "item", "value"))
        for zh, en, value in summary:
            writer.writerow(("summary", zh, en, value))
        writer.writerow(())
        writer.writerow(RECORD_HEADER)
        for batch in batches:
            writer.writerows(batch)


def _write_xlsx(out: Path, summary: list[tuple[str, str, Any]], batches: Iterable[list[tuple[Any, ...]]]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("汇总 Summary")
    ws.append(("项目", "Item", "Value"))
    for row in summary:
        ws.append(row)
    ws = wb.create_sheet("记录 Records")
    ws.append(RECORD_HEADER)
    for batch in batches:
        for row in batch:
            ws.append(row)
    wb.save(out)


WRITERS = {"csv": _write_csv, "xlsx": _write_xlsx}
