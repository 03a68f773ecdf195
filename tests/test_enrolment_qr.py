"""`kiosk-server new-booth` shows the enrolment code as a QR code in the terminal and writes it as a PNG;
both are read back with a real QR decoder (zxing-cpp), as a phone or the console's scanner would."""

import png
import zxingcpp

from booth_common.protocol import enrolment_qr_text, parse_enrolment_qr
from sync.server.cli import main as server_main

HALVES = {"█": (1, 1), "▀": (1, 0), "▄": (0, 1), " ": (0, 0), "\xa0": (0, 0)}


def decode(pixels: bytes, width: int, height: int) -> list[str]:
    view = zxingcpp.ImageView(pixels, width, height, zxingcpp.ImageFormat.Lum)
    return [found.text for found in zxingcpp.read_barcodes(view)]


def decode_png(path) -> list[str]:
    width, height, rows, info = png.Reader(filename=str(path)).asDirect()
    top = (1 << info["bitdepth"]) - 1
    pixels = bytes(value * 255 // top for row in rows for value in list(row)[::info["planes"]])
    return decode(pixels, width, height)


def decode_terminal(text: str, *, scale: int = 6) -> list[str]:
    """The half-block drawing as pixels: each character is one module wide and two high."""
    lines = [line for line in text.splitlines() if line and set(line) <= set(HALVES)]
    cells = [[HALVES[c][half] for c in line] for line in lines for half in (0, 1)]
    pixels = b"".join(bytes(b for v in row for b in [255 * v] * scale) * scale for row in cells)
    return decode(pixels, len(cells[0]) * scale, len(cells) * scale)


def test_new_booth_prints_and_writes_a_qr_code_that_decodes_to_the_code_and_server(tmp_path, capsys):
    png_path = tmp_path / "qr" / "wangjing.png"
    png_path.parent.mkdir()
    assert server_main(["--database", str(tmp_path / "c.sqlite3"), "--city-key", str(tmp_path / "k"), "new-booth",
                        "--booth", "cy-wangjing", "--event", "bj-2026-autumn", "--qr-png", str(png_path),
                        "--public-url", "https://city-sync.example.gov.cn"]) == 0
    out = capsys.readouterr().out
    code = out.splitlines()[0].rsplit(" ", 1)[-1]
    expected = enrolment_qr_text(code, server_url="https://city-sync.example.gov.cn")
    assert decode_terminal(out) == [expected]
    assert decode_png(png_path) == [expected]
    assert parse_enrolment_qr(expected) == (code, "https://city-sync.example.gov.cn")
    assert png_path.stat().st_mode & 0o777 == 0o600        # the code enrols devices: not for every reader


def test_without_a_public_url_the_qr_code_holds_the_code_alone(tmp_path, capsys):
    assert server_main(["--database", str(tmp_path / "c.sqlite3"), "--city-key", str(tmp_path / "k"), "new-booth",
                        "--booth", "b-1", "--event", "e-1"]) == 0          # the PNG beside the database
    code = capsys.readouterr().out.splitlines()[0].rsplit(" ", 1)[-1]
    [text] = decode_png(tmp_path / "enrolment-b-1.png")
    assert parse_enrolment_qr(text) == (code, None)
    assert parse_enrolment_qr(f"  {code.lower()} ") == (code.lower(), None)     # a typed code passes through
