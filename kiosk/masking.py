"""Masked forms of personal data, the only forms ever shown on screen or exported."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """王*明 for three characters, 王* for two, first and last kept for longer names."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """138****5678."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(number: str) -> str:
    """110***********123X: region kept, birth date and serial hidden but the last four."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
