"""Masked forms of personal data, the only forms ever shown on screen or exported (kiosk and city server)."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """王*明 for three characters, 王* for two, first and last kept for longer names."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """*******5678: the last four digits only, enough for a volunteer to tell two people apart. The first
    three (the carrier's prefix) would cut a guesser's work about fifty-fold and tell a volunteer nothing."""
    if len(phone) < 8:
        return "*" * len(phone)
    return "*" * (len(phone) - 4) + phone[-4:]


def mask_id_number(number: str) -> str:
    """**************123X: the last four only — neither the region (the first six) nor the birth date."""
    if len(number) < 8:
        return "*" * len(number)
    return "*" * (len(number) - 4) + number[-4:]
