"""Reading the booth's own codes (member passes, quiz vouchers) from camera frames with zxing-cpp, without Qt.

A frame arrives as 8-bit grey pixels (``GreyFrame``); the GUI converts and shrinks each camera frame and
calls ``read_code`` on a worker thread. Only QR codes are looked for, and only a text that is one of our
codes (``booth_common.tokens.parse_code``) is returned: a camera also sees posters, phones and price tags.
The text then goes the way a USB scanner's keystrokes go (``kiosk.stations.enter_at``).
"""

from __future__ import annotations

from typing import NamedTuple

import zxingcpp

from booth_common import tokens

# A tablet's front camera at arm's length: a pass on a phone screen fills a tenth to a third of a 720p frame.
# Shrunk to this many pixels on the long side, a code still has ≥ 3 px a module and decoding stays fast.
MAX_SIDE_PX = 960


class GreyFrame(NamedTuple):
    """One camera frame as 8-bit luminance, ``stride`` bytes a row."""

    pixels: bytes
    width: int
    height: int
    stride: int


def read_code(frame: GreyFrame) -> str | None:
    """The first of our codes in the frame, in canonical form, or None."""
    if frame.width <= 0 or frame.height <= 0 or len(frame.pixels) < frame.stride * frame.height:
        return None
    view = zxingcpp.ImageView(frame.pixels, frame.width, frame.height, zxingcpp.ImageFormat.Lum, frame.stride, 1)
    for found in zxingcpp.read_barcodes(view, formats=zxingcpp.BarcodeFormat.QRCode):
        code = tokens.parse_code(found.text)
        if code is not None:
            return code.token
    return None


def shrunk_size(width: int, height: int, *, max_side: int = MAX_SIDE_PX) -> tuple[int, int]:
    """The size a frame is scaled to before decoding (never enlarged)."""
    scale = min(1.0, max_side / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))
