"""Masked forms of personal data: one code for the kiosk and the city server (booth_common/masking.py)."""

from booth_common.masking import mask_id_number, mask_name, mask_phone

__all__ = ["mask_id_number", "mask_name", "mask_phone"]
