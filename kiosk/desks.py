"""The service desks: consultations, service uses, mutual-aid card requests and handouts with their stock."""

from __future__ import annotations

from booth_common import validation
from booth_common.records import Kind, Record
from kiosk.config import ConfigError
from kiosk.errors import AlreadyReceived, OutOfStock, PassRequired, UnknownPass, VoucherUsed, WrongCode
from kiosk.record_writer import Concept, validated


class Desks(Concept):
    """What the desks record, each tap one record; a member pass, when scanned, must be a member's."""

    def record_consultation(self, topic_id: str, *, member_pass: str | None = None, note: str = "") -> Record:
        if topic_id not in {t.id for t in self.config.consultation_topics}:
            raise ConfigError(self.config.path, "consultation_topics", f"no topic with id {topic_id!r}")
        note = validated(validation.validate_free_text, note, field="note")
        member = self.members.member_or_none(member_pass)
        return self.writer.write(Kind.CONSULTATION, {"topic": topic_id, "member": member},
                                 subject=topic_id, personal={"note": note} if note else None)

    def record_service_use(self, service_id: str, *, member_pass: str | None = None) -> Record:
        self.config.service(service_id)
        member = self.members.member_or_none(member_pass)
        return self.writer.write(Kind.SERVICE_USE, {"service": service_id, "member": member}, subject=service_id)

    def record_card_request(self, member_pass: str) -> Record:
        """A member applied for the mutual-aid service card (互助服务卡) at the bank desk."""
        member = self.members.member_or_none(member_pass)
        if member is None:
            raise UnknownPass()
        return self.writer.write(Kind.CARD_REQUEST, {"member": member}, subject="mutual-aid-card")

    def stock_left(self, item_id: str) -> int:
        item = self.config.handout(item_id)
        return item.stock - self.ledger.effective_subjects(Kind.HANDOUT).get(item_id, 0)

    def record_handout(self, item_id: str, *, member_pass: str | None = None, voucher: str | None = None) -> Record:
        """One item handed out; one-per-member items need a pass or a voucher, each used once. A quiz voucher
        is for the quiz prize only, and the quiz prize is for a voucher only."""
        item = self.config.handout(item_id)
        is_prize = bool(self.config.quiz.prize_item) and item_id == self.config.quiz.prize_item
        if (voucher is not None) != is_prize:
            raise WrongCode(*(("兑奖码只能兑换答题奖品", "A voucher is for the quiz prize only") if voucher is not None
                              else ("答题奖品须凭答题兑奖码领取", "The quiz prize is given for a quiz voucher only")))
        if self.stock_left(item_id) <= 0:
            raise OutOfStock(item.name, item.name_en)
        member = self.members.member_or_none(member_pass)
        lookups: list[tuple[str, str]] = []
        if voucher is not None:
            if not self.ledger.find_by_lookup("voucher", voucher):
                raise UnknownPass()
            if self.ledger.find_by_lookup("voucher_redeemed", voucher):
                raise VoucherUsed()
            lookups.append(("voucher_redeemed", voucher))
        if item.one_per_member:
            if member is None and voucher is None:
                raise PassRequired(item.name, item.name_en)
            if member is not None:
                if self.ledger.find_by_lookup(f"handout:{item_id}", member):
                    raise AlreadyReceived(item.name, item.name_en)
                lookups.append((f"handout:{item_id}", member))
        return self.writer.write(Kind.HANDOUT, {"item": item_id, "member": member, "voucher": voucher},
                                 subject=item_id, lookups=lookups)
