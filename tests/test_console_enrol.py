"""Enrolment from the volunteer console, against the real city server on loopback: the code scanned (a
scanner types the enrolment QR's text and Enter) or typed, with the GUI's core open all along; the
registration written afterwards opens with the city key, and refusals are shown in the volunteer's language."""

from __future__ import annotations

import random

import pytest

from booth_common.protocol import enrolment_qr_text
from booth_common.sealing import open_sealed
from console_helpers import FakeClock, close_gui, open_gui, unlock
from kiosk.simulate import fake_registration
from kiosk.ui.presentation import Language
from kiosk.ui.screens import Screen
from loopback import city  # noqa: F401 (a fixture)
from sync.server.accounts import create_booth


# On SQLite only (one_backend, tests/conftest.py): the console's screen; enrolment on the server runs on both
# databases in test_enrolment.py.
pytestmark = pytest.mark.one_backend


@pytest.fixture
def console(qtbot, tmp_path):
    core, gui = open_gui(tmp_path, FakeClock())
    unlock(gui)
    gui.console.home.enrol_button.click()
    assert gui.window.current is Screen.CONSOLE_ENROL
    yield core, gui, gui.console.enrol
    close_gui(core, gui)


def scan(qtbot, screen, text):
    screen.code_field.setText(text)
    screen.code_field.returnPressed.emit()          # what a keyboard-wedge scanner ends with
    qtbot.waitUntil(lambda: screen.enrol_button.isEnabled(), timeout=30_000)


def test_scanning_the_enrolment_qr_enrols_the_running_kiosk(qtbot, console, city):
    core, gui, screen = console
    before = core.booth.members.register(fake_registration(random.Random(1), core.booth))
    code = create_booth(city.storage, booth_id=core.config.booth.id, event_id=core.config.event.id, name="望京")
    screen.server_field.clear()                     # the QR code names the server itself
    with qtbot.waitSignal(screen.enrolled, timeout=30_000):
        scan(qtbot, screen, enrolment_qr_text(code, server_url=city.url))
    assert f"booth {core.config.booth.id}" in screen.message.text() or core.config.booth.id in screen.message.text()
    assert core.ledger.get_meta("sync_token", ) and core.keys.device_private_key() is None
    after = core.booth.members.register(fake_registration(random.Random(2), core.booth))   # the same open core
    for member in (before, after):
        fields = open_sealed(core.ledger.sealed_envelope(member.record_id), city.city_key, record_id=member.record_id)
        assert fields["name"]
    audits = [r.data for r in core.ledger.records(kind="audit") if r.data.get("action") == "enrolment"]
    assert audits and audits[-1]["details"]["via"] == "console"


def test_a_typed_code_for_another_booth_is_refused_in_the_volunteers_language(qtbot, console, city):
    core, gui, screen = console
    code = create_booth(city.storage, booth_id="sjs-gucheng", event_id=core.config.event.id, name="古城")
    screen.server_field.setText(city.url)
    gui.presentation.set_language(Language.EN)
    scan(qtbot, screen, code)
    text = screen.message.text()
    assert "This code enrols booth sjs-gucheng" in text and core.config.booth.id in text and "注册码" not in text
    assert screen.message.objectName() == "error"
    assert core.ledger.get_meta("sync_token") is None
    gui.presentation.set_language(Language.ZH)
    assert "此注册码属于" in screen.message.text()


def test_an_unreachable_server_says_so_and_the_retry_spends_nothing(qtbot, console, city):
    core, gui, screen = console
    code = create_booth(city.storage, booth_id=core.config.booth.id, event_id=core.config.event.id, name="望京",
                        devices=1)
    screen.server_field.setText("http://127.0.0.1:9")      # nothing listens there
    scan(qtbot, screen, code)
    assert "连不上城市服务器" in screen.message.text() or "Cannot reach" in screen.message.text()
    screen.server_field.setText(city.url)
    with qtbot.waitSignal(screen.enrolled, timeout=30_000):
        scan(qtbot, screen, code)
    assert gui.window.current is Screen.CONSOLE_ENROL and screen.code_field.text() == ""
