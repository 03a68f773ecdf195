"""Opaque ASCII tokens for QR codes: member passes and prize vouchers, each saying what kind of code it is.

Upper-case Crockford base32 only, so cheap USB scanners (which type the code as keystrokes)
cannot mangle it, and nothing personal can ever be read from it. The prefix is the code's kind
(``CodeKind``): a desk reads the kind before anything else, so a code is only ever used for what it is.
A new kind of code is one new prefix in ``CODE_KINDS``.
"""

from __future__ import annotations

import re
import secrets
from enum import StrEnum
from typing import NamedTuple

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PASS_PREFIX = "UM1-"
VOUCHER_PREFIX = "UV1-"
TOKEN_LENGTH = 16  # 80 random bits


class CodeKind(StrEnum):
    MEMBER_PASS = "member_pass"
    QUIZ_VOUCHER = "quiz_voucher"


class CodeKindInfo(NamedTuple):
    prefix: str
    name: str
    name_en: str


# Each kind's prefix and its name as a volunteer says it (in refusals: "这是答题兑奖码，…").
CODE_KINDS = {
    CodeKind.MEMBER_PASS: CodeKindInfo(PASS_PREFIX, "会员码", "member pass"),
    CodeKind.QUIZ_VOUCHER: CodeKindInfo(VOUCHER_PREFIX, "答题兑奖码", "quiz prize voucher"),
}
_PATTERN = re.compile(r"^(" + "|".join(re.escape(k.prefix[:-1]) for k in CODE_KINDS.values()) + ")-["
                      + ALPHABET + "]{16}$")


class Code(NamedTuple):
    """A scanned or typed code: what kind it is, and the token in canonical form."""

    kind: CodeKind
    token: str

    @property
    def info(self) -> CodeKindInfo:
        return CODE_KINDS[self.kind]


def _random_part() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH))


def new_pass_token() -> str:
    return PASS_PREFIX + _random_part()


def new_voucher_token() -> str:
    return VOUCHER_PREFIX + _random_part()


def normalise_token(raw: str) -> str | None:
    """The token in canonical form, or None when the text is not one of ours."""
    text = raw.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")
    return text if _PATTERN.match(text) else None


def parse_code(raw: str) -> Code | None:
    """The code's kind and canonical token, or None when the text is not one of ours."""
    token = normalise_token(raw)
    if token is None:
        return None
    return next(Code(kind, token) for kind, info in CODE_KINDS.items() if token.startswith(info.prefix))


def is_pass(token: str) -> bool:
    return token.startswith(PASS_PREFIX)


def is_voucher(token: str) -> bool:
    return token.startswith(VOUCHER_PREFIX)
