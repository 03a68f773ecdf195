"""QR codes as plain module matrices (no Pillow): the UI paints them, tests read them back."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit, parse_qsl

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_matrix(text: str) -> list[list[bool]]:
    """Dark/light modules of a QR code for ``text``, quiet zone included."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)
    code.add_data(text)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def join_url_with_booth(join_url: str, *, event_id: str, booth_id: str) -> str:
    """The phone-join link with booth attribution appended to any query it already has."""
    parts = urlsplit(join_url)
    query = parse_qsl(parts.query, keep_blank_values=True) + [("event", event_id), ("booth", booth_id)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
