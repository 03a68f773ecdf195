"""Station mode: a tablet working as one desk's counter (a service, consultation, handouts, the card desk).

Every entry goes through the ``Desks`` (kiosk/desks.py); an undo within a short window is a void record
(``Corrections``). A code is read for its kind first (``booth_common.tokens.CodeKind``): a desk takes only the
kinds it serves, refuses the others with where to go instead, and spends nothing by a refusal. A quiz voucher scanned at the handout desk
while another item is chosen is unambiguous (it is for the quiz prize): the desk switches to that item.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from booth_common import tokens
from booth_common.records import Record
from kiosk.config import Config
from kiosk.corrections import Corrections
from kiosk.desks import Desks
from kiosk.errors import BoothError, MemberOnly, NoPrizeHere, NotAToken, PassNotForPrize, VoucherNotHere

UNDO_WINDOW_S = 30.0
UNDO_REASON = "服务台撤销误操作 / undone at the desk"


class StationKind(StrEnum):
    SERVICE = "service"
    CONSULTATION = "consultation"
    HANDOUT = "handout"
    CARD = "card"


@dataclass(frozen=True)
class Station:
    """A desk: ``service_id`` only for a service station (the others choose per entry: topic, item)."""

    kind: StationKind
    service_id: str = ""

    def name(self, config: Config) -> tuple[str, str]:
        if self.kind is StationKind.SERVICE:
            s = config.service(self.service_id)
            return s.name, s.name_en
        return STATION_NAMES[self.kind]

    @property
    def takes_anonymous(self) -> bool:
        """The bank's card desk serves members only; every other desk counts passers-by too."""
        return self.kind is not StationKind.CARD


STATION_NAMES = {
    StationKind.CONSULTATION: ("咨询台", "Consultation desk"),
    StationKind.HANDOUT: ("发放台", "Handout desk"),
    StationKind.CARD: ("互助服务卡", "Mutual-aid card"),
}


class Entry(NamedTuple):
    """What a desk recorded, and the handout item it switched to (a voucher at the handout desk), if any."""

    record: Record
    code: tokens.Code | None
    switched_to: str | None = None


def all_stations(config: Config) -> list[Station]:
    """Every desk a volunteer may pick: each service, then the consultation, handout and card desks."""
    return ([Station(StationKind.SERVICE, s.id) for s in config.services]
            + [Station(StationKind.CONSULTATION), Station(StationKind.HANDOUT), Station(StationKind.CARD)])


def parse_code(raw: str) -> tokens.Code:
    code = tokens.parse_code(raw)
    if code is None:
        raise NotAToken()
    return code


def prize_name(config: Config) -> tuple[str, str] | None:
    if not config.quiz.prize_item:
        return None
    item = config.handout(config.quiz.prize_item)
    return item.name, item.name_en


def check_code(config: Config, station: Station, choice: str, code: tokens.Code) -> str:
    """The choice this code is entered under at this desk; raises ``WrongCode`` for a code of the wrong kind.
    The rule for every kind of code × every desk lives here (and tests walk every pair)."""
    prize = prize_name(config)
    if code.kind is tokens.CodeKind.QUIZ_VOUCHER:
        if prize is None:
            raise NoPrizeHere()
        if station.kind is not StationKind.HANDOUT:
            raise VoucherNotHere(prize)
        return config.quiz.prize_item  # the only item a voucher is for: switch to it if another was chosen
    if station.kind is StationKind.HANDOUT and prize is not None and choice == config.quiz.prize_item:
        raise PassNotForPrize(prize)
    return choice


def record_at(desks: Desks, station: Station, *, choice: str = "", token: str | None = None) -> Record:
    """One visitor at the desk: anonymous when ``token`` is None; ``choice`` is the topic or the item."""
    return enter_at(desks, station, choice=choice, token=token).record


def enter_at(desks: Desks, station: Station, *, choice: str = "", token: str | None = None) -> Entry:
    """``record_at`` with what the desk read: the code's kind and the item it switched to."""
    code = parse_code(token) if token is not None else None
    if code is not None:
        checked = check_code(desks.config, station, choice, code)
        switched, choice = (checked if checked != choice else None), checked
    else:
        switched = None
    member = code.token if code is not None and code.kind is tokens.CodeKind.MEMBER_PASS else None
    voucher = code.token if code is not None and code.kind is tokens.CodeKind.QUIZ_VOUCHER else None
    if station.kind is StationKind.SERVICE:
        record = desks.record_service_use(station.service_id, member_pass=member)
    elif station.kind is StationKind.CONSULTATION:
        record = desks.record_consultation(choice, member_pass=member)
    elif station.kind is StationKind.HANDOUT:
        record = desks.record_handout(choice, member_pass=member, voucher=voucher)
    elif member is None:
        raise MemberOnly()
    else:
        record = desks.record_card_request(member)
    return Entry(record, code, switched)


class UndoWindow:
    """The desk's last entry, which may be taken back (as a void) for ``seconds`` after it was made."""

    def __init__(self, *, seconds: float = UNDO_WINDOW_S, clock: Callable[[], float] = time.monotonic):
        self.seconds, self._clock = seconds, clock
        self._last: tuple[Record, float] | None = None

    def remember(self, record: Record) -> None:
        self._last = (record, self._clock())

    def forget(self) -> None:
        self._last = None

    def pending(self) -> Record | None:
        if self._last is None or self._clock() - self._last[1] > self.seconds:
            return None
        return self._last[0]

    def undo(self, corrections: Corrections) -> Record:
        """Void the last entry; raises ``BoothError`` when the window has passed."""
        record = self.pending()
        if record is None:
            raise BoothError("没有可撤销的记录（已超过撤销时限）", "Nothing to undo (the undo time has passed)")
        self._last = None
        return corrections.void(record.id, UNDO_REASON)
