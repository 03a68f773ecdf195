"""Camera scanning: the project's own pass and voucher QR codes, rendered into camera-like frames (rotated, scaled,
off-centre, on a textured background), read by the decoder; the camera widget decodes off the GUI thread, flashes,
ignores a code still held up, sends a code down the scanner's path; with no camera it says so."""

from __future__ import annotations

import random
import threading

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from booth_common import tokens
from booth_common.records import Kind
from console_helpers import FakeClock, close_gui, open_gui, unlock
from kiosk.membership import RegistrationForm
from kiosk.code_reading import read_code, shrunk_size
from kiosk.qr import qr_matrix
from kiosk.stations import Station, StationKind
from kiosk.ui.camera_scanner import CameraScanner, grey_frame
from booth_common.validation import id_check_char


def camera_image(text: str, *, module: float, angle: float, width: int = 1280, height: int = 720,
                 centre: tuple[float, float] = (0.5, 0.5), seed: int = 0) -> QImage:
    """A frame as a camera sees a code held up: a textured grey scene, the code on a light card, turned."""
    rng = random.Random(seed)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(128, 120, 110))
    painter = QPainter(image)
    for _ in range(400):  # clutter: blotches of every shade, as a room behind the person
        shade = rng.randint(40, 220)
        painter.fillRect(QRectF(rng.uniform(0, width), rng.uniform(0, height), rng.uniform(4, 60), rng.uniform(4, 60)),
                         QColor(shade, shade, shade))
    matrix = qr_matrix(text)
    side = len(matrix) * module
    painter.translate(width * centre[0], height * centre[1])
    painter.rotate(angle)
    painter.translate(-side / 2, -side / 2)
    painter.fillRect(QRectF(-module, -module, side + 2 * module, side + 2 * module), QColor(235, 232, 225))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect(QRectF(x * module, y * module, module, module), QColor(30, 30, 35))
    painter.end()
    return image


CODES = [pytest.param(tokens.new_pass_token, id="member-pass"), pytest.param(tokens.new_voucher_token, id="voucher")]


@pytest.mark.parametrize("make", CODES)
@pytest.mark.parametrize("angle", [0, 12, 45, 90, 167, 270, 331])
@pytest.mark.parametrize("module", [3, 4.5, 8])  # px a module at 1280x720: a phone at arm's length to close up
def test_the_decoder_reads_our_codes_turned_and_scaled_in_a_cluttered_frame(make, angle, module):
    token = make()
    image = camera_image(token, module=module, angle=angle, centre=(0.35, 0.6), seed=angle)
    assert read_code(grey_frame(image)) == token


def test_the_decoder_reads_a_lower_resolution_camera_and_ignores_codes_that_are_not_ours():
    token = tokens.new_voucher_token()
    assert read_code(grey_frame(camera_image(token, module=3, angle=20, width=640, height=480))) == token
    assert read_code(grey_frame(camera_image("https://example.org/join", module=5, angle=0))) is None
    assert read_code(grey_frame(camera_image(token, module=5, angle=0, centre=(3.0, 3.0)))) is None  # out of view
    assert shrunk_size(1920, 1080) == (960, 540) and shrunk_size(640, 480) == (640, 480)


def test_the_widget_decodes_off_the_gui_thread_flashes_and_takes_a_held_up_code_once(qtbot):
    threads = []

    def decoder(frame):  # type: ignore[no-untyped-def]
        threads.append(threading.get_ident())
        return read_code(frame)

    scanner = CameraScanner(devices=[], decoder=decoder, repeat_after_ms=60_000)
    qtbot.addWidget(scanner)
    token = tokens.new_pass_token()
    frame = camera_image(token, module=4, angle=30)
    with qtbot.waitSignal(scanner.scanned, timeout=5000) as got:
        scanner.submit_frame(frame)
    assert got.args == [token] and scanner.flashing
    assert threads and threading.get_ident() not in threads  # decoded on a pool thread
    assert not scanner.preview.pixmap().isNull()  # the live preview shows the frame
    with qtbot.assertNotEmitted(scanner.scanned, wait=300):  # the same code still held up: not a second entry
        scanner.submit_frame(frame)
        qtbot.waitUntil(lambda: not scanner.busy)
    qtbot.waitUntil(lambda: not scanner.flashing, timeout=2000)


def test_with_no_camera_the_widget_says_so_and_does_not_crash(qtbot):
    scanner = CameraScanner(devices=[])
    qtbot.addWidget(scanner)
    scanner.show()
    assert scanner.start() is False
    assert "未找到摄像头" in scanner.status.text() and scanner.camera is None
    scanner.stop()
    scanner.hide()


def test_the_real_device_list_is_read_and_an_empty_one_handled(qtbot):
    scanner = CameraScanner()  # the machine's own cameras (none on CI): whatever there is, no crash
    qtbot.addWidget(scanner)
    started = scanner.start()
    assert started == bool(scanner.available_devices())
    scanner.stop()


def test_a_code_from_the_camera_goes_the_scanners_way_at_the_handout_desk(qtbot, tmp_path):
    """A voucher held up to the camera at the handout desk, welfare pack chosen: switched and redeemed once,
    exactly as by a USB scanner; a member pass at the card desk is recorded for the member."""
    core, gui = open_gui(tmp_path, FakeClock())
    try:
        unlock(gui)
        voucher = tokens.new_voucher_token()
        core.booth.prizes.record_quiz_attempt(questions=["q"], answers=[["A"]], score=5, passed=True, duration_s=60,
                                       voucher=voucher, claimant_phone="13812345678")
        gui.console.open_station(Station(StationKind.HANDOUT))
        screen = gui.console.station
        screen.choose("welfare-pack")
        screen.open_camera()
        assert screen.camera.isVisible() and not screen.plus_button.isVisible()
        with qtbot.waitSignal(screen.recorded, timeout=5000):
            screen.camera.submit_frame(camera_image(voucher, module=4, angle=-25))
        assert screen.choice == "quiz-prize" and "已切换到" in screen.message.text() and "扫码" in screen.message.text()
        assert core.ledger.effective_subjects(Kind.HANDOUT) == {"quiz-prize": 1}
        id17 = "11010519900307123"
        member = core.booth.members.register(RegistrationForm(name="王小明", phone="13900001111",
                                                      id_number=id17 + id_check_char(id17), occupation="courier",
                                                      consent_given=True))
        gui.console.open_station(Station(StationKind.CARD))
        assert not screen.camera.isVisible()  # another desk: the camera is closed
        screen.open_camera()
        with qtbot.waitSignal(screen.recorded, timeout=5000):
            screen.camera.submit_frame(camera_image(member.pass_token, module=5, angle=90))
        [card] = list(core.ledger.records(kind=Kind.CARD_REQUEST))
        assert card.data["member"] == member.pass_token
        screen.close_camera()
        assert screen.plus_button.isVisible() and screen.camera.camera is None
    finally:
        close_gui(core, gui)


def test_no_camera_at_a_desk_is_said_in_the_current_language_and_the_scan_field_stays(qtbot, tmp_path):
    from kiosk.ui.i18n import Language

    core, gui = open_gui(tmp_path, FakeClock())
    try:
        unlock(gui)
        gui.console.open_station(Station(StationKind.SERVICE, "tcm"))
        screen = gui.console.station
        screen.camera._devices = []  # this desk's tablet has none
        screen.open_camera()
        assert "未找到摄像头" in screen.camera.status.text()
        gui.presentation.set_language(Language.EN)
        assert "No camera found" in screen.camera.status.text()
        assert screen.camera.close_button.text() == "Close the camera"
        assert screen.scan_field.isVisible()
    finally:
        close_gui(core, gui)
