"""Everything the booth refuses, each a ``BoothError`` with its reason in Chinese and English (the screens show
``zh`` or ``en``; nothing was written when one is raised, unless its docstring says otherwise).

Declared here and nowhere else (tests/test_architecture.py): registration and the record writer, the desks'
stock and one-per-member rules, the purge, then the volunteer PIN, the prize quiz, a desk's scanner and
corrections, each under a heading naming the module that raises them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from booth_common import validation

if TYPE_CHECKING:
    from kiosk.membership import MemberSummary


class BoothError(Exception):
    """A request the booth refuses, with a reason to show in both languages."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


class ConsentRequired(BoothError):
    def __init__(self) -> None:
        super().__init__("未同意个人信息告知，未保存任何信息", "Consent was not given; nothing was stored")


class InvalidInput(BoothError):
    """One or more fields failed validation; nothing was written."""

    def __init__(self, errors: list[validation.ValidationError]):
        super().__init__("；".join(e.zh for e in errors), "; ".join(e.en for e in errors))
        self.errors = errors


class AlreadyRegistered(BoothError):
    """The ID number or the phone is already a member's; ``offer_pass`` only when both are that member's
    (``kiosk.membership.Membership.admit``)."""

    def __init__(self, member: MemberSummary, *, offer_pass: bool = False,
                 matched: tuple[str, ...] = ("id_number", "phone")):
        super().__init__(f"您已登记（{member.masked_name}，{member.masked_phone}）",
                         f"You are already registered ({member.masked_name}, {member.masked_phone})")
        self.member, self.offer_pass, self.matched = member, offer_pass, matched


class UnknownPass(BoothError):
    def __init__(self) -> None:
        super().__init__("无法识别的会员码或兑奖码", "This member pass or voucher is not known at this booth")


class AlreadyReceived(BoothError):
    def __init__(self, item_name: str, item_name_en: str):
        super().__init__(f"每位会员限领一份{item_name}，此会员已领取",
                         f"One {item_name_en} per member: this member already received one")


class OutOfStock(BoothError):
    def __init__(self, item_name: str, item_name_en: str):
        super().__init__(f"{item_name}已发完", f"{item_name_en}: out of stock")


class PassRequired(BoothError):
    def __init__(self, item_name: str, item_name_en: str):
        super().__init__(f"{item_name}每人限领一份，请扫描会员码或兑奖码",
                         f"{item_name_en} is one per person: scan a member pass or voucher")


class CannotVoid(BoothError):
    pass


class WrongCode(BoothError):
    """A code of a kind this desk or item does not take (``booth_common.tokens.CodeKind``); nothing was spent.
    ``switch_to``: the handout item the code is for, when the desk can switch to it."""

    def __init__(self, zh: str, en: str, *, switch_to: str | None = None):
        super().__init__(zh, en)
        self.switch_to = switch_to


class VoucherUsed(AlreadyReceived):
    def __init__(self) -> None:  # said of the voucher, not of a member: a voucher holder need not be one
        BoothError.__init__(self, "此兑奖码已兑换过", "This voucher has already been redeemed")


class KioskLocked(BoothError):
    """The lookup key is wrapped by the volunteer PIN and the kiosk has not been unlocked since it started."""

    def __init__(self) -> None:
        super().__init__("服务台尚未解锁：请志愿者输入密码后再登记", "The kiosk is locked: a volunteer must enter the PIN first")


class PurgeFailed(BoothError):
    """A purge that did not wipe everything it should have; the volunteer is told, never shown a count."""

    @classmethod
    def incomplete(cls, deleted: int) -> PurgeFailed:
        return cls(f"清除未完成：{deleted} 条记录的个人信息已删除，但另一个程序仍在读取数据，旧数据尚未从文件中抹去。"
                   "请关闭其他程序后再清除一次。",
                   f"Purge incomplete: personal data of {deleted} records deleted, but another program is still "
                   "reading the ledger and the old bytes are not yet wiped from the file. Close it and purge again.")

    @classmethod
    def sync_running(cls) -> PurgeFailed:
        return cls("正在同步，未清除任何信息：请稍后再试", "A sync is running; nothing was purged. Try again shortly")


# -- the volunteer PIN (kiosk/access.py) --
class BadPin(BoothError):
    """A PIN that may not be set (too short, not digits)."""


class WrongPin(BoothError):
    def __init__(self, tries_left: int):
        super().__init__(f"PIN错误，还可尝试 {tries_left} 次", f"Wrong PIN: {tries_left} tries left")
        self.tries_left = tries_left


class LockedOut(BoothError):
    def __init__(self, seconds_left: int):
        super().__init__(f"错误次数过多，请 {seconds_left} 秒后再试",
                         f"Too many wrong tries: try again in {seconds_left} s")
        self.seconds_left = seconds_left


# -- the prize quiz (kiosk/quiz.py, kiosk/prizes.py) --
class NotPassed(BoothError):
    def __init__(self) -> None:
        super().__init__("未达到及格分数，不能领奖", "The pass mark was not reached: no prize for this round")


class AttemptAlreadyRecorded(BoothError):
    def __init__(self) -> None:
        super().__init__("本轮答题已经登记", "This round has already been recorded")


class ClaimantRequired(BoothError):
    def __init__(self) -> None:
        super().__init__("请输入手机号或扫描会员码（二选一）", "Enter a mobile number or scan a member pass (one of the two)")


class PrizeAlreadyClaimed(BoothError):
    def __init__(self) -> None:
        super().__init__("每人限领一份奖品，您已领过", "One prize per person: you have already claimed yours")


class PrizeClaimedElsewhere(PrizeAlreadyClaimed):
    """The city server says this person already has a prize from another booth of the event."""

    def __init__(self) -> None:
        BoothError.__init__(self, "每人每次活动限领一份奖品，您已在本次活动的其他展位领过",
                            "One prize per person per event: you already claimed one at another booth of this event")


# -- a desk's scanner (kiosk/stations.py) --
class NotAToken(BoothError):
    def __init__(self) -> None:
        super().__init__("这不是会员码或兑奖码，请重新扫描", "This is not a member pass or voucher: scan again")


class VoucherNotHere(WrongCode):
    def __init__(self, prize: tuple[str, str]) -> None:
        super().__init__(f"这是答题兑奖码，请在发放台的{prize[0]}处兑换",
                         f"This is a quiz prize voucher: redeem it at the handout desk ({prize[1]})")


class PassNotForPrize(WrongCode):
    def __init__(self, prize: tuple[str, str]) -> None:
        super().__init__(f"这是会员码，{prize[0]}须凭答题兑奖码领取",
                         f"This is a member pass: the {prize[1]} is given for a quiz prize voucher only")


class NoPrizeHere(WrongCode):
    def __init__(self) -> None:
        super().__init__("这是答题兑奖码，本次活动没有可兑换的奖品", "This is a quiz prize voucher: this event has no prize to redeem")


class MemberOnly(BoothError):
    def __init__(self) -> None:
        super().__init__("此服务台只为会员办理，请扫描会员码", "This desk serves members only: scan a member pass")


# -- corrections (kiosk/corrections.py) --
class PhoneTaken(BoothError):
    def __init__(self) -> None:
        super().__init__("此手机号已登记为另一位会员，未更正", "This mobile number belongs to another member: nothing was corrected")
