"""Realistic booth traffic for demos, tests and benchmarks, written through the service layer."""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
from collections.abc import Callable, Iterator
from typing import TextIO

from booth_common import tokens
from booth_common.records import Record, format_utc
from booth_common.validation import id_check_char
from kiosk.booth import BoothService
from kiosk.errors import BoothError
from kiosk.membership import RegistrationForm

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国志红玉梅飞鹏辉斌波宇浩凯健俊帆帅旭宁"
MINORITY_NAMES = ("买买提·艾力", "阿依古丽·吐尔逊", "扎西·多吉", "次仁·卓玛")
BEIJING_AREAS = ("110101", "110102", "110105", "110106", "110107", "110108", "110109", "110111",
                 "110112", "110113", "110114", "110115", "110116", "110117", "110118", "110119")
BEIJING = dt.timezone(dt.timedelta(hours=8))
PHONE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                  "156", "157", "158", "159", "166", "176", "177", "180", "181", "185", "186", "187", "188", "189", "199")


def fake_name(rng: random.Random) -> str:
    if rng.random() < 0.03:
        return rng.choice(MINORITY_NAMES)
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def fake_phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def fake_id_number(rng: random.Random, *, min_year: int = 1966, max_year: int = 2005) -> str:
    first17 = (rng.choice(BEIJING_AREAS) + f"{rng.randint(min_year, max_year):04d}"
               + f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" + f"{rng.randint(0, 999):03d}")
    return first17 + id_check_char(first17)


def fake_registration(rng: random.Random, service: BoothService) -> RegistrationForm:
    reg = service.config.registration
    weights = [30, 25, 15, 10, 8, 6, 6][: len(reg.occupations)] + [1] * max(0, len(reg.occupations) - 7)
    occupation = rng.choices(reg.occupations, weights=weights)[0].id
    employer = rng.choice(reg.employer_picks) if reg.employer_picks and rng.random() < 0.8 else ""
    return RegistrationForm(name=fake_name(rng), phone=fake_phone(rng), id_number=fake_id_number(rng),
                            occupation=occupation, employer=employer, consent_given=True,
                            oath_taken=reg.oath_enabled and rng.random() < 0.4)


def simulate(service: BoothService, *, members: int, services: int, quiz: int, handouts: int, employers: int = 0,
             seed: int | None = None, on_record: Callable[[Record], None] | None = None) -> dict[str, int]:
    """Write the asked numbers of records in a shuffled, lunch-hour-like order; returns what was written."""
    rng = random.Random(seed)
    plan = ["member"] * members + ["service"] * services + ["quiz"] * quiz + ["handout"] * handouts
    plan += ["employer"] * employers
    rng.shuffle(plan)
    passes: list[str] = []
    written = {"member": 0, "service": 0, "quiz": 0, "handout": 0, "employer": 0}
    for step in plan:
        record = _one(step, service, rng, passes)
        if record is not None:
            written[step] += 1
            if on_record:
                on_record(record)
    return written


def _one(step: str, service: BoothService, rng: random.Random, passes: list[str]) -> Record | None:
    for _ in range(20):  # a duplicate random person or an empty stock: try another
        try:
            return _attempt(step, service, rng, passes)
        except BoothError:
            continue
    return None


def _attempt(step: str, service: BoothService, rng: random.Random, passes: list[str]) -> Record | None:
    config = service.config
    member = rng.choice(passes) if passes and rng.random() < 0.5 else None
    if step == "member":
        summary = service.members.register(fake_registration(rng, service))
        passes.append(summary.pass_token)
        return service.ledger.get(summary.record_id)
    if step == "service":
        if config.consultation_topics and rng.random() < 0.3:
            return service.desks.record_consultation(rng.choice(config.consultation_topics).id, member_pass=member)
        return service.desks.record_service_use(rng.choice(config.services).id, member_pass=member)
    if step == "quiz":
        return _quiz_attempt(service, rng)
    if step == "employer":
        return service.ledger.get(service.employers.record_meeting(fake_meeting(rng, service)).record_id)
    item = rng.choice([h for h in config.handouts if not h.one_per_member] or list(config.handouts))
    if item.one_per_member:
        member = member or (rng.choice(passes) if passes else None)
    return service.desks.record_handout(item.id, member_pass=member if item.one_per_member else None)


def _quiz_attempt(service: BoothService, rng: random.Random) -> Record:
    n = service.config.quiz.questions_per_round
    score = min(n, max(0, round(rng.gauss(n * 0.75, 1))))
    passed = score >= service.config.quiz.pass_mark
    voucher = tokens.new_voucher_token() if passed and rng.random() < 0.7 else None
    phone = fake_phone(rng) if voucher else None
    questions = [f"Q{rng.randint(1, 60):03d}" for _ in range(n)]
    return service.prizes.record_quiz_attempt(questions=questions, answers=[["A"]] * n, score=score, passed=passed,
                                       duration_s=rng.uniform(40, 180), voucher=voucher, claimant_phone=phone)


def print_record_line(stream: TextIO | None = None) -> Callable[[Record], None]:
    """The ``<kind> <record-id>`` line, flushed right after the record committed."""

    def emit(record: Record) -> None:
        out = stream or sys.stdout  # looked up per call: a redirected stdout must be honoured
        out.write(f"{record.kind} {record.id}\n")
        out.flush()

    return emit


def iter_fake_people(seed: int) -> Iterator[tuple[str, str, str]]:
    rng = random.Random(seed)
    while True:
        yield fake_name(rng), fake_phone(rng), fake_id_number(rng)


# -- a simulated morning: the booth's day as the README's pictures and `kiosk screenshots` show it --------------

MORNING_START, MORNING_END = dt.time(9, 30), dt.time(13, 0)  # Beijing time: set-up to the end of the lunch break
LUNCH_PEAK = dt.time(12, 0)


def morning_times(day: dt.date, count: int, rng: random.Random) -> list[str]:
    """``count`` capture times (UTC record text) over the morning, busiest around the lunch break."""
    start = dt.datetime.combine(day, MORNING_START, BEIJING)
    span = (dt.datetime.combine(day, MORNING_END, BEIJING) - start).total_seconds()
    peak = (dt.datetime.combine(day, LUNCH_PEAK, BEIJING) - start).total_seconds()
    times = []
    while len(times) < count:  # rejection sampling of 1 + 3·exp(-((t - noon) / 40 min)²)
        t = rng.uniform(0, span)
        if rng.uniform(0, 4) <= 1 + 3 * math.exp(-((t - peak) / 2400) ** 2):
            times.append(t)
    return [format_utc(start + dt.timedelta(seconds=t)) for t in sorted(times)]


def simulate_morning(service: BoothService, *, seed: int = 2026, day: dt.date | None = None,
                     members: int = 46, services: int = 150, quiz: int = 38, handouts: int = 70) -> dict[str, int]:
    """A booth's morning through the service layer: members joining, services and consultations, the quiz,
    leaflets and gifts, welfare packs and mutual-aid cards for new members, quiz prizes redeemed by voucher —
    each record captured at a time of the morning (Beijing), so the dashboard's per-hour chart has a shape."""
    rng = random.Random(seed)
    plan = (["member"] * members + ["service"] * services + ["quiz"] * quiz + ["handout"] * handouts
            + ["welfare"] * (members // 2) + ["card"] * (members // 5) + ["prize"] * (quiz // 3))
    rng.shuffle(plan)
    plan = _interleave(plan, rng)  # a pass or a voucher exists before it is used
    times = morning_times(day or dt.date.today(), len(plan), rng)  # one record per step at most
    ledger = service.ledger
    ledger.clock = lambda: times.pop(0) if len(times) > 1 else times[0]  # type: ignore[method-assign]
    passes: list[str] = []
    vouchers: list[str] = []
    written: dict[str, int] = {}
    try:
        for step in plan:
            if _morning_step(step, service, rng, passes, vouchers) is not None:
                written[step] = written.get(step, 0) + 1
    finally:
        del ledger.clock  # back to the class's: now
    return written


def _interleave(plan: list[str], rng: random.Random) -> list[str]:
    """Uses of a pass or a voucher spread among the rest, each after at least a third of the morning."""
    later = [s for s in plan if s in ("welfare", "card", "prize")]
    rest = [s for s in plan if s not in ("welfare", "card", "prize")]
    third = len(rest) // 3
    for step in later:
        rest.insert(rng.randint(third, len(rest)), step)
    return rest


def _morning_step(step: str, service: BoothService, rng: random.Random, passes: list[str],
                  vouchers: list[str]) -> Record | None:
    for _ in range(20):
        try:
            if step == "quiz":
                record = _quiz_attempt(service, rng)
                if record.data.get("prize_voucher"):
                    vouchers.append(record.data["prize_voucher"])
                return record
            if step in ("welfare", "card"):
                if not passes:
                    return None
                member = passes.pop(rng.randrange(len(passes))) if step == "card" else rng.choice(passes)
                if step == "card":
                    return service.desks.record_card_request(member)
                pack = next((h.id for h in service.config.handouts if h.kind == "welfare_pack"), None)
                return service.desks.record_handout(pack, member_pass=member) if pack else None
            if step == "prize":
                if not vouchers or not service.config.quiz.prize_item:
                    return None
                return service.desks.record_handout(service.config.quiz.prize_item, voucher=vouchers.pop(0))
            return _attempt(step, service, rng, passes)
        except (BoothError, KeyError):
            continue
    return None


# -- employer meetings (企业沟通会) ---------------------------------------------------------------------------

ENTERPRISE_WORDS = ("鑫达", "华通", "远航", "恒信", "盛世", "锦程", "安达", "捷迅", "优鲜", "智联", "蓝海", "新城")
ENTERPRISE_KINDS = (("物流有限公司", "物流"), ("餐饮管理有限公司", "餐饮"), ("科技有限公司", "信息技术"),
                    ("物业管理有限公司", "物业"), ("家政服务有限公司", "家政"), ("商贸有限公司", "批发零售"))


def fake_uscc(rng: random.Random) -> str:
    """A code that passes GB 32100: a company (91) registered in a Beijing district, any organisation code."""
    from booth_common.validation import USCC_ALPHABET, uscc_check_char

    first17 = "91" + rng.choice(BEIJING_AREAS) + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return first17 + uscc_check_char(first17)


def fake_meeting(rng: random.Random, service: BoothService):  # type: ignore[no-untyped-def]
    """An officer's visit to an enterprise of the booth's street, as one would fill the form."""
    from kiosk.employers import SIZE_BANDS, MeetingForm, Outcome

    suffix, industry = rng.choice(ENTERPRISE_KINDS)
    workers = int(rng.lognormvariate(4, 1.1)) + 3
    band = next(b for b, top in zip(SIZE_BANDS, (20, 100, 300, 1000, math.inf)) if workers < top)
    outcome = rng.choices(list(Outcome), weights=(35, 45, 20))[0]
    needs = [n.id for n in service.config.employer_needs if rng.random() < 0.4]
    package = [p.id for p in service.config.employer_package if rng.random() < 0.3] if outcome != Outcome.DECLINED else []
    today = service.employers.today
    follow = "" if outcome is Outcome.DECLINED else (today + dt.timedelta(days=rng.randint(0, 30))).isoformat()
    return MeetingForm(enterprise_name=f"北京{rng.choice(ENTERPRISE_WORDS)}{suffix}", uscc=fake_uscc(rng),
                       industry=industry, size_band=band, union_exists=rng.random() < 0.15, workers=workers,
                       new_form_workers=int(workers * rng.choice((0, 0, 0.1, 0.5, 0.9))),
                       contact_name=fake_name(rng), contact_phone=fake_phone(rng), needs=needs,
                       needs_other="希望安排夜间培训" if rng.random() < 0.1 else "", package=package,
                       outcome=outcome.value, follow_up=follow)
