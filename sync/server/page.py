"""The live page of the city-wide day (server-rendered HTML, Chinese first), refreshing itself.

The page reads the same numbers as ``GET /v1/numbers/{event_id}``. Every few seconds a small script
fetches the page again and swaps its ``<main>``: one renderer (this module), no flicker on the big
screen, and a browser without JavaScript still refreshes through ``<noscript><meta refresh>``.
Every figure carries a ``data-figure`` attribute so tests and scrapers need not parse Chinese labels.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Any

from sync.server.numbers import UNKNOWN

TILES = (("consultations", "咨询人次", "Consultations"), ("new_members", "发展会员", "New members"),
         ("handouts", "发放宣传品及礼品", "Gifts and leaflets"), ("service_items", "服务项目", "Service items"),
         ("quiz_attempts", "有奖答题", "Quiz attempts"), ("card_requests", "互助服务卡", "Mutual-aid cards"))
DISTRICT_COLUMNS = (("main_venues", "主会场"), ("sub_venues", "分会场"), ("service_items", "服务项目"),
                    ("consultations", "咨询人次"), ("new_members", "发展会员"), ("handouts", "发放宣传品"),
                    ("quiz_attempts", "答题"))
HOUR_COLUMNS = (("consultations", "咨询人次"), ("new_members", "发展会员"), ("handouts", "发放"),
                ("quiz_attempts", "答题"))
BOOTH_COLUMNS = (("consultations", "咨询"), ("new_members", "会员"), ("handouts", "发放"))

STYLE = """
:root { --red: #b71c1c; --ink: #222; --soft: #6b6b6b; --line: #e4e0da; --paper: #faf8f5; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       color: var(--ink); background: var(--paper); }
header { background: var(--red); color: #fff; padding: 14px 28px; display: flex; align-items: baseline;
         justify-content: space-between; flex-wrap: wrap; gap: 8px; }
header h1 { margin: 0; font-size: 26px; }
header .en, .en { font-size: 12px; color: var(--soft); font-weight: normal; }
header .en, #status { color: #ffe9e9; }
#status { font-size: 14px; }
body.stale #status::after { content: " · 连接中断，数据可能不是最新 (offline)"; color: #ffd54f; }
section { padding: 8px 28px 4px; }
h2 { font-size: 18px; margin: 14px 0 8px; border-left: 5px solid var(--red); padding-left: 8px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; }
.tile .label { font-size: 16px; }
.tile .label .en { display: block; }
.tile b { display: block; font-size: 40px; color: var(--red); font-variant-numeric: tabular-nums; line-height: 1.2; }
.tile .sub { font-size: 13px; color: var(--soft); }
.cols { display: grid; grid-template-columns: 2fr 1fr; gap: 0 24px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child, .text { text-align: left; }
thead th { background: #f3efe9; font-weight: 600; }
tfoot td { font-weight: 700; background: #f3efe9; }
td.bar { width: 40%; }
td.bar span { display: block; height: 12px; background: var(--red); opacity: .75; border-radius: 2px; }
.empty { color: var(--soft); padding: 8px 0; }
details summary { cursor: pointer; font-size: 18px; font-weight: 600; margin: 14px 0 8px; }
footer { color: var(--soft); font-size: 12px; padding: 16px 28px; }
a { color: var(--red); }
"""

SCRIPT = """
(function () {
  var every = Number(document.documentElement.dataset.refresh) * 1000;
  function later() { window.setTimeout(tick, every); }
  function tick() {
    fetch(window.location.href, {cache: "no-store", headers: {"Accept": "text/html"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html").querySelector("main");
        if (!fresh) { throw new Error("no main"); }
        document.querySelector("main").replaceWith(fresh);
        document.body.classList.remove("stale");
      })
      .catch(function () { document.body.classList.add("stale"); })
      .then(later);
  }
  later();
})();
"""


# The one script is allowed by its hash, nothing else runs; the page fetches only itself. Styles stay
# inline (the bars' widths are style attributes), which CSP allows only as 'unsafe-inline'.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'sha256-"
                           + base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
                           + "'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'; base-uri 'none'; "
                           "form-action 'none'; frame-ancestors 'none'")


def render_event_page(numbers: dict[str, Any], *, refresh_s: int) -> str:
    """The whole page of one event."""
    title = f"{numbers['event_name']} · 实时数据"
    return _document(title, _main(numbers), refresh_s=refresh_s)


def render_index_page(events: list[dict[str, Any]], *, refresh_s: int) -> str:
    """The list of events, each with its headline figures and a link to its page."""
    rows = "".join(
        f"<tr data-event=\"{escape(e['event_id'])}\"><td class=\"text\"><a href=\"/city/{escape(e['event_id'])}\">"
        f"{escape(e['event_name'])}</a></td><td>{e['venues']}</td><td>{e['consultations']}</td>"
        f"<td>{e['new_members']}</td><td>{e['handouts']}</td></tr>" for e in events)
    table = (f"<table><thead><tr><th>活动 <span class=\"en\">Event</span></th><th>会场</th><th>咨询人次</th>"
             f"<th>发展会员</th><th>发放宣传品</th></tr></thead><tbody>{rows}</tbody></table>"
             if events else "<p class=\"empty\">还没有活动数据 No event yet</p>")
    main = (f"<main><header><h1>职工沟通会 · 全市数据 <span class=\"en\">City-wide numbers</span></h1></header>"
            f"<section>{table}</section></main>")
    return _document("职工沟通会 · 全市数据", main, refresh_s=refresh_s)


def render_not_found(event_id: str) -> str:
    main = (f"<main><header><h1>未找到活动 <span class=\"en\">No such event</span></h1></header>"
            f"<section><p>没有活动 “{escape(event_id)}” 的数据。<a href=\"/city\">全部活动</a></p></section></main>")
    return _document("未找到活动", main, refresh_s=0)


def _document(title: str, main: str, *, refresh_s: int) -> str:
    refresh = (f"<noscript><meta http-equiv=\"refresh\" content=\"{refresh_s}\"></noscript>"
               f"<script>{SCRIPT}</script>") if refresh_s else ""
    return (f"<!DOCTYPE html><html lang=\"zh-CN\" data-refresh=\"{refresh_s}\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{STYLE}</style>{refresh}</head><body>{main}</body></html>")


def _main(numbers: dict[str, Any]) -> str:
    totals = numbers["totals"]
    updated = _beijing_clock(numbers["generated_at"])
    header = (f"<header><h1>{escape(numbers['event_name'])} <span class=\"en\">live numbers</span></h1>"
              f"<span id=\"status\" data-generated-at=\"{escape(numbers['generated_at'])}\">"
              f"更新于 {updated}（北京时间）</span></header>")
    return (f"<main data-event=\"{escape(numbers['event_id'])}\">{header}"
            f"<section><div class=\"tiles\">{_venue_tile(totals)}{''.join(_tile(totals, *t) for t in TILES)}</div>"
            f"</section><section>{_districts(numbers)}</section>"
            f"<section>{_employers(numbers.get('employers'))}</section>"
            f"<section class=\"cols\"><div>{_hours(numbers['by_hour'])}</div>"
            f"<div>{_named('服务项目', 'Services used', 'service', numbers['service_uses'])}"
            f"{_named('发放物品', 'Handed out', 'handout', numbers['handouts'])}</div></section>"
            f"<section>{_booths(numbers['by_booth'])}</section>"
            f"<footer>数据来自各展位同步的记录，作废记录不计入。咨询人次 = 咨询台 + 服务项目使用；"
            f"会场按已上传记录的展位计。 · Voided records are not counted.</footer></main>")


def _venue_tile(totals: dict[str, int]) -> str:
    return (f"<div class=\"tile\"><div class=\"label\">会场 <span class=\"en\">Venues</span></div>"
            f"<b data-figure=\"totals.venues\">{totals['venues']}</b><div class=\"sub\">主会场 "
            f"<span data-figure=\"totals.main_venues\">{totals['main_venues']}</span> · 分会场 "
            f"<span data-figure=\"totals.sub_venues\">{totals['sub_venues']}</span></div></div>")


def _tile(totals: dict[str, int], name: str, zh: str, en: str) -> str:
    extra = (f"<div class=\"sub\">答题通过 <span data-figure=\"totals.quiz_passed\">{totals['quiz_passed']}</span></div>"
             if name == "quiz_attempts" else "")
    return (f"<div class=\"tile\"><div class=\"label\">{zh} <span class=\"en\">{en}</span></div>"
            f"<b data-figure=\"totals.{name}\">{totals[name]}</b>{extra}</div>")


def _districts(numbers: dict[str, Any]) -> str:
    head = "".join(f"<th>{zh}</th>" for _, zh in DISTRICT_COLUMNS)
    rows = "".join(
        f"<tr data-district=\"{escape(d['district'])}\"><td>{escape(d['district'])}</td>"
        + "".join(f"<td data-figure=\"{name}\">{d[name]}</td>" for name, _ in DISTRICT_COLUMNS) + "</tr>"
        for d in numbers["by_district"])
    total = ("<tr data-district=\"合计\"><td>合计</td>"
             + "".join(f"<td data-figure=\"{name}\">{numbers['totals'][name]}</td>" for name, _ in DISTRICT_COLUMNS)
             + "</tr>")
    return (f"<h2>各区 <span class=\"en\">By district</span></h2><table id=\"districts\"><thead><tr><th>区</th>"
            f"{head}</tr></thead><tbody>{rows}</tbody><tfoot>{total}</tfoot></table>")


EMPLOYER_COLUMNS = (("employer_meetings", "企业沟通会"), ("agreed_to_found", "同意建会"),
                    ("workers_covered", "覆盖职工"), ("new_form_workers", "新就业形态劳动者"))


def _employers(employers: dict[str, Any] | None) -> str:
    """企业沟通会 by district and street of the enterprise: meetings held, agreed to found, workers covered."""
    title = "<h2>企业沟通会 <span class=\"en\">Employer meetings</span></h2>"
    if not employers or not employers["totals"]["employer_meetings"]:
        return title + "<p class=\"empty\">暂无 None yet</p>"
    head = "".join(f"<th>{zh}</th>" for _, zh in EMPLOYER_COLUMNS)
    rows = "".join(
        f"<tr data-street=\"{escape(r['district'])} {escape(r['street'])}\"><td>{escape(r['district'])}</td>"
        f"<td class=\"text\">{escape(r['street'])}</td>"
        + "".join(f"<td data-figure=\"{name}\">{r[name]}</td>" for name, _ in EMPLOYER_COLUMNS) + "</tr>"
        for r in employers["by_street"])
    total = ("<tr data-street=\"合计\"><td>合计</td><td></td>"
             + "".join(f"<td data-figure=\"employers.{name}\">{employers['totals'][name]}</td>"
                       for name, _ in EMPLOYER_COLUMNS) + "</tr>")
    return (f"{title}<table id=\"employers\"><thead><tr><th>区</th><th class=\"text\">街道</th>{head}</tr></thead>"
            f"<tbody>{rows}</tbody><tfoot>{total}</tfoot></table>")


def _hours(hours: list[dict[str, Any]]) -> str:
    title = "<h2>分时段 <span class=\"en\">By hour (Beijing time)</span></h2>"
    if not hours:
        return title + "<p class=\"empty\">暂无数据 No records yet</p>"
    several_days = len({h["hour"][:10] for h in hours}) > 1
    peak = max(h["consultations"] + h["new_members"] for h in hours) or 1
    head = "".join(f"<th>{zh}</th>" for _, zh in HOUR_COLUMNS)
    rows = "".join(
        f"<tr data-hour=\"{escape(h['hour'])}\"><td>{escape(_hour_label(h['hour'], several_days))}</td>"
        + "".join(f"<td data-figure=\"{name}\">{h[name]}</td>" for name, _ in HOUR_COLUMNS)
        + f"<td class=\"bar\"><span style=\"width:{100 * (h['consultations'] + h['new_members']) // peak}%\"></span></td>"
        "</tr>" for h in hours)
    return f"{title}<table id=\"hours\"><thead><tr><th>时段</th>{head}<th></th></tr></thead><tbody>{rows}</tbody></table>"


def _named(zh: str, en: str, kind: str, items: list[dict[str, Any]]) -> str:
    title = f"<h2>{zh} <span class=\"en\">{en}</span></h2>"
    if not items:
        return title + "<p class=\"empty\">暂无 None yet</p>"
    rows = "".join(f"<tr data-{kind}=\"{escape(i['id'])}\"><td>{escape(i['name'])}</td>"
                   f"<td data-figure=\"count\">{i['count']}</td></tr>" for i in items)
    return f"{title}<table id=\"{kind}s\"><tbody>{rows}</tbody></table>"


def _booths(booths: list[dict[str, Any]]) -> str:
    head = "".join(f"<th>{zh}</th>" for _, zh in BOOTH_COLUMNS)
    rows = "".join(
        f"<tr data-booth=\"{escape(b['booth_id'])}\"><td>{escape(b['district'])}</td>"
        f"<td class=\"text\">{escape(b['street'] if b['street'] != UNKNOWN else b['organisation'])}</td>"
        f"<td class=\"text\">{escape(b['name'])}</td><td class=\"text\">{_venue_word(b['venue_type'])}</td>"
        + "".join(f"<td data-figure=\"{name}\">{b[name]}</td>" for name, _ in BOOTH_COLUMNS)
        + f"<td>{_beijing_clock(b['last_received_at']) if b['last_received_at'] else '未同步'}</td></tr>"
        for b in sorted(booths, key=lambda b: (b["district"], b["street"], b["name"])))
    return (f"<details open><summary>各会场 <span class=\"en\">Venues ({len(booths)})</span></summary>"
            f"<table id=\"booths\"><thead><tr><th>区</th><th class=\"text\">街道</th><th class=\"text\">展位</th>"
            f"<th class=\"text\">会场</th>{head}"
            f"<th>最后同步</th></tr></thead><tbody>{rows}</tbody></table></details>")


def _venue_word(venue_type: str) -> str:
    return {"main": "主会场", "sub": "分会场"}.get(venue_type, "—")


def _hour_label(hour: str, several_days: bool) -> str:
    if hour == "unknown":
        return "时间不明"
    return f"{hour[5:10]} {hour[11:13]}:00" if several_days else f"{hour[11:13]}:00–{hour[11:13]}:59"


def _beijing_clock(utc_text: str) -> str:
    """'2026-11-25T04:12:09.311Z' → '12:12:09' (Beijing is UTC+8 all year)."""
    try:
        hour = (int(utc_text[11:13]) + 8) % 24
        return f"{hour:02d}{utc_text[13:19]}"
    except (ValueError, IndexError):
        return escape(utc_text)
