"""Quiz attempts and prize claims: one prize per person, whether they claim by phone or by member pass."""

from __future__ import annotations

from collections.abc import Sequence

from booth_common.records import Kind, Record
from kiosk.record_writer import Concept


class Prizes(Concept):
    """The quiz desk's records (kiosk/quiz.py draws the questions and runs a round)."""

    def record_quiz_attempt(self, *, questions: list[str], answers: list[list[str]], score: int, passed: bool,
                            duration_s: float, voucher: str | None = None, claimant_phone: str | None = None,
                            claimant_pass: str | None = None, completed: bool = True,
                            city_claim: str | None = None, claim_keys: Sequence[str] = ()) -> Record:
        """A quiz round, finished or abandoned; a voucher (if a prize was claimed) becomes redeemable at the handout desk.
        With a voucher, ``city_claim`` says how the city-wide check went and ``claim_keys`` are the event-keyed
        hashes it was filed under, so the city server can find double claims once this record is synced.

        The claim keys are sealed to the city key with the record, never in its payload: the payload stays on
        the device, and a thief who also got the event's claim key (the device token fetches it) could test
        every phone number against them. ``data["claim_keys"]`` says only how many there are."""
        lookups: list[tuple[str, str]] = []
        data = {"questions": questions, "answers": answers, "score": score, "passed": passed,
                "duration_s": round(duration_s, 1), "prize_voucher": voucher, "completed": completed}
        personal = None
        if voucher is not None:
            lookups.append(("voucher", voucher))
            lookups.extend(("prize_claim", key) for key in self._claim_keys(claimant_phone, claimant_pass))
            data.update(city_claim=city_claim or "booth", claim_keys=len(claim_keys))
            personal = {"claim_keys": list(claim_keys)} if claim_keys else None
        subject = ("passed" if passed else "failed") if completed else "abandoned"
        return self.writer.write(Kind.QUIZ_ATTEMPT, data, subject=subject, lookups=lookups, personal=personal)

    def has_claimed_prize(self, *, phone: str | None = None, member_pass: str | None = None) -> bool:
        """Whether this person already claimed a prize, by the same phone, the same pass, or the other one of a member."""
        return any(self.ledger.find_by_lookup("prize_claim", k) for k in self._claim_keys(phone, member_pass))

    def prize_vouchers_outstanding(self) -> int:
        """Vouchers issued by valid quiz attempts and not yet redeemed: prizes promised but still on the shelf."""
        voided = self.ledger.voided_ids()
        issued = {r.data.get("prize_voucher") for r in self.ledger.records(kind=Kind.QUIZ_ATTEMPT) if r.id not in voided}
        issued.discard(None)
        return sum(1 for v in issued if not self.ledger.find_by_lookup("voucher_redeemed", v))

    def _claim_keys(self, phone: str | None, member_pass: str | None) -> list[str]:
        """Every key one person's prize claim is filed under: the phone's keyed hash, the pass, and (for a member)
        the other of the two, so a claim by phone blocks a later claim by that member's pass and vice versa."""
        keys: list[str] = []
        if phone:
            keys.append(self.writer.lookup_hash("phone", phone))
            member = self.members.find_member(phone=phone)
            if member is not None:
                keys.append(member.pass_token)
        if member_pass:
            keys.append(member_pass)
            member = self.members.member_by_pass(member_pass)
            if member is not None:
                keys.extend(self._phone_hashes_of(member.record_id))
        return list(dict.fromkeys(keys))

    def _phone_hashes_of(self, registration_id: str) -> list[str]:
        """The phone hashes of a registration and of its corrections (a corrected phone is the member's too)."""
        ids = [registration_id] + [r.id for r in self.ledger.references_to(registration_id) if r.kind == Kind.CORRECTION]
        return [h for rid in ids for p, h in self.ledger.lookups_of(rid) if p == "phone"]
