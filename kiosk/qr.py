"""QR codes as plain module matrices (no Pillow): the UI paints them, tests read them back.

``qrcode`` is imported only when a matrix is made: the attract screen's join code is read from a cache
file on every start but the first, so the first paint does not wait for the library (~30 ms) and the
computation (~20 ms).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Stored with a cached matrix: a matrix made with other settings is made again, not reused.
QR_SETTINGS = "error-correction M, border 2"


def qr_matrix(text: str) -> list[list[bool]]:
    """Dark/light modules of a QR code for ``text``, quiet zone included."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)
    code.add_data(text)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def cached_qr_matrix(text: str, *, cache_file: Path) -> list[list[bool]]:
    """``qr_matrix(text)``, kept in ``cache_file`` with its exact text: a restart with the same text reads it
    back, any other text makes it anew and replaces it. Only for what is no secret (the join link): the
    file stays on disk, so a member's pass or a prize voucher never comes here.

    The file is plain lines, not JSON (json would load before the first paint only for this, ~3 ms): the
    settings, the text, then one line of 0 and 1 per row. A text of more than one line is never kept."""
    try:
        settings, stored_text, *rows = cache_file.read_text(encoding="utf-8").split("\n")
        if settings == QR_SETTINGS and stored_text == text:
            return _matrix_from_rows(rows)
    except (OSError, ValueError):
        pass  # no cache yet, or one that cannot be used: made anew below
    matrix = qr_matrix(text)
    if "\n" in text or "\r" in text:
        return matrix
    rows = ["".join("1" if dark else "0" for dark in row) for row in matrix]
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        partial = cache_file.with_suffix(".partial")
        partial.write_text("\n".join([QR_SETTINGS, text, *rows]), encoding="utf-8")
        os.replace(partial, cache_file)  # a start interrupted mid-write leaves the old file or none
    except OSError:
        pass  # a read-only cache folder only costs the next start the ~50 ms saved here
    return matrix


def _matrix_from_rows(rows: list[str]) -> list[list[bool]]:
    if not rows or any(len(row) != len(rows) or row.strip("01") for row in rows):
        raise ValueError("not a square matrix of 0 and 1")
    return [[cell == "1" for cell in row] for row in rows]


def phone_join_link(server_url: str, secret: str, *, event_id: str, booth_id: str, now: float | None = None) -> str:
    """The city server's join page for this booth with this minute's token (booth_common/join_token.py)."""
    from urllib.parse import quote

    from booth_common.join_token import join_token

    token = join_token(secret, event_id=event_id, booth_id=booth_id, now=now)
    return f"{server_url.rstrip('/')}/join/{quote(event_id, safe='')}/{quote(booth_id, safe='')}?t={token}"


def join_url_with_booth(join_url: str, *, event_id: str, booth_id: str) -> str:
    """The phone-join link with booth attribution appended to any query it already has."""
    parts = urlsplit(join_url)
    query = parse_qsl(parts.query, keep_blank_values=True) + [("event", event_id), ("booth", booth_id)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
