"""Opaque ASCII tokens for QR codes: member passes and prize vouchers.

Upper-case Crockford base32 only, so cheap USB scanners (which type the code as keystrokes)
cannot mangle it, and nothing personal can ever be read from it.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PASS_PREFIX = "UM1-"
VOUCHER_PREFIX = "UV1-"
TOKEN_LENGTH = 16  # 80 random bits
_PATTERN = re.compile(r"^(UM1|UV1)-[" + ALPHABET + "]{16}$")


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


def is_pass(token: str) -> bool:
    return token.startswith(PASS_PREFIX)


def is_voucher(token: str) -> bool:
    return token.startswith(VOUCHER_PREFIX)
