"""Station mode: a tablet working as one desk's counter (a service, consultation, handouts, the card desk).

Every entry goes through ``BoothService``; an undo within a short window is a void record.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from booth_common import tokens
from booth_common.records import Record
from kiosk.booth import BoothError, BoothService
from kiosk.config import Config

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


class NotAToken(BoothError):
    def __init__(self) -> None:
        super().__init__("这不是会员码或兑奖码，请重新扫描", "This is not a member pass or voucher: scan again")


class VoucherNotHere(BoothError):
    def __init__(self) -> None:
        super().__init__("兑奖码请到发放台兑换", "Vouchers are redeemed at the handout desk")


class MemberOnly(BoothError):
    def __init__(self) -> None:
        super().__init__("此服务台只为会员办理，请扫描会员码", "This desk serves members only: scan a member pass")


def all_stations(config: Config) -> list[Station]:
    """Every desk a volunteer may pick: each service, then the consultation, handout and card desks."""
    return ([Station(StationKind.SERVICE, s.id) for s in config.services]
            + [Station(StationKind.CONSULTATION), Station(StationKind.HANDOUT), Station(StationKind.CARD)])


def parse_token(raw: str) -> str:
    token = tokens.normalise_token(raw)
    if token is None:
        raise NotAToken()
    return token


def record_at(service: BoothService, station: Station, *, choice: str = "", token: str | None = None) -> Record:
    """One visitor at the desk: anonymous when ``token`` is None; ``choice`` is the topic or the item."""
    member = voucher = None
    if token is not None:
        token = parse_token(token)
        member, voucher = (None, token) if tokens.is_voucher(token) else (token, None)
    if voucher is not None and station.kind is not StationKind.HANDOUT:
        raise VoucherNotHere()
    if station.kind is StationKind.SERVICE:
        return service.record_service_use(station.service_id, member_pass=member)
    if station.kind is StationKind.CONSULTATION:
        return service.record_consultation(choice, member_pass=member)
    if station.kind is StationKind.HANDOUT:
        return service.record_handout(choice, member_pass=member, voucher=voucher)
    if member is None:
        raise MemberOnly()
    return service.record_card_request(member)


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

    def undo(self, service: BoothService) -> Record:
        """Void the last entry; raises ``BoothError`` when the window has passed."""
        record = self.pending()
        if record is None:
            raise BoothError("没有可撤销的记录（已超过撤销时限）", "Nothing to undo (the undo time has passed)")
        self._last = None
        return service.void(record.id, UNDO_REASON)
