"""The volunteer console's access: demo start, setup of a real event, the hidden gesture, PIN lock-out, idle lock, quit."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from console_helpers import FakeClock, close_gui, event_config, open_gui, unlock
from booth_common.records import Kind
from kiosk.ui.console import ConfirmQuit
from kiosk.ui.screens import Screen


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def demo(qtbot, tmp_path, clock):
    core, gui = open_gui(tmp_path, clock, lock_ms=300)
    yield core, gui
    close_gui(core, gui)


@pytest.fixture
def real(qtbot, tmp_path, clock):
    core, gui = open_gui(tmp_path, clock, config=event_config(tmp_path, demo=False))
    yield core, gui
    close_gui(core, gui)


def press_corner(qtbot, window, at=QPoint(5, 5)):
    target = window.childAt(at)
    qtbot.mousePress(target, Qt.MouseButton.LeftButton, pos=target.mapFrom(window, at))
    return target


def test_demo_event_starts_at_the_attract_screen_with_the_banner(demo):
    core, gui = demo
    assert gui.window.current is Screen.ATTRACT
    assert gui.window.banner.isVisible() and "演示" in gui.window.banner.text()
    assert core.ledger.status().total_records == 0  # the demo booth is set up without a record


def test_long_press_in_the_corner_then_the_pin_opens_the_console(qtbot, demo):
    core, gui = demo
    window, console = gui.window, gui.console
    with qtbot.assertNotEmitted(console.corner.triggered, wait=150):
        target = press_corner(qtbot, window, QPoint(600, 5))  # on the banner, but not in the corner
        qtbot.mouseRelease(target, Qt.MouseButton.LeftButton)
    with qtbot.assertNotEmitted(console.corner.triggered, wait=150):
        target = press_corner(qtbot, window)
        qtbot.mouseRelease(target, Qt.MouseButton.LeftButton)  # released too soon
    assert window.current is Screen.ATTRACT
    with qtbot.waitSignal(console.corner.triggered, timeout=2000):
        press_corner(qtbot, window)
    assert window.current is Screen.CONSOLE_PIN
    for digit in "2468":
        console.pin.keypad.buttons[digit].click()
    console.pin.ok_button.click()
    assert window.current is Screen.CONSOLE and console.unlocked


def test_wrong_pins_lock_the_console_out(demo):
    core, gui = demo
    console = gui.console
    gui.window.show_screen(Screen.CONSOLE_PIN)
    for _ in range(4):
        console.pin.pin_field.setText("1111")
        console.pin.submit()
    assert "还可尝试 1 次" in console.pin.message.text()
    console.pin.pin_field.setText("1111")
    console.pin.submit()
    assert "秒后再试" in console.pin.message.text()
    console.pin.pin_field.setText("2468")
    console.pin.submit()  # right, but locked out
    assert gui.window.current is Screen.CONSOLE_PIN and not console.unlocked


def test_console_locks_itself_when_idle_and_resumes_where_it_was(qtbot, demo):
    core, gui = demo
    unlock(gui)
    gui.console.home.dashboard_button.click()
    assert gui.window.current is Screen.DASHBOARD
    qtbot.waitUntil(lambda: gui.window.current is Screen.CONSOLE_PIN, timeout=3000)
    assert not gui.console.unlocked
    unlock_digits = "2468"
    for digit in unlock_digits:
        gui.console.pin.keypad.buttons[digit].click()
    gui.console.pin.ok_button.click()
    assert gui.window.current is Screen.DASHBOARD


def test_quitting_is_possible_only_from_the_console(demo, monkeypatch):
    core, gui = demo
    window = gui.window
    assert window.close() is False and window.isVisible()
    unlock(gui)
    monkeypatch.setattr(ConfirmQuit, "ask", classmethod(lambda cls, parent: False))
    gui.console.home.quit_button.click()
    assert window.isVisible()
    monkeypatch.setattr(ConfirmQuit, "ask", classmethod(lambda cls, parent: True))
    gui.console.home.quit_button.click()
    assert not window.isVisible()


def test_a_real_event_goes_through_setup_first(real):
    core, gui = real
    setup = gui.console.setup
    assert gui.window.current is Screen.CONSOLE_SETUP
    setup.fields["device_name"].setText("平板 1")
    setup.pin.setText("123456")
    setup.pin_again.setText("123465")
    setup.save_button.click()
    assert "两次输入的PIN不一致" in setup.message.text()
    assert core.ledger.status().total_records == 0 and gui.window.current is Screen.CONSOLE_SETUP
    setup.main_venue.click()
    setup.district.setCurrentText("海淀区")
    setup.pin_again.setText("123456")
    setup.save_button.click()
    assert gui.window.current is Screen.CONSOLE and gui.console.unlocked
    [record] = list(core.ledger.records(kind=Kind.AUDIT))
    assert record.data["booth"]["venue_type"] == "main" and record.data["device_name"] == "平板 1"
    assert core.booth.profile.booth.district == "海淀区"
    assert "海淀区" in gui.console.home.booth_label.text()


def test_a_real_event_restarted_asks_the_pin_first_and_registers_only_after_it(qtbot, tmp_path, clock):
    from booth_common.validation import id_check_char
    from kiosk.errors import KioskLocked
    from kiosk.membership import RegistrationForm

    config = event_config(tmp_path, demo=False)
    core, gui = open_gui(tmp_path, clock, config=config)
    setup = gui.console.setup
    setup.fields["device_name"].setText("平板 1")
    setup.pin.setText("864209")
    setup.pin_again.setText("864209")
    setup.save_button.click()
    assert gui.window.current is Screen.CONSOLE
    close_gui(core, gui)

    core, gui = open_gui(tmp_path, clock, config=config)  # the next morning's start
    try:
        pin_screen = gui.console.pin
        assert gui.window.current is Screen.CONSOLE_PIN and not pin_screen.cancel_button.isVisible()
        assert "解锁服务台" in pin_screen.title.text()
        form = RegistrationForm(name="王小明", phone="13812345678", id_number="11010519900307123"
                                + id_check_char("11010519900307123"), occupation="courier", consent_given=True)
        with pytest.raises(KioskLocked):
            core.booth.members.register(form)
        for digit in "864201":
            pin_screen.keypad.buttons[digit].click()
        pin_screen.ok_button.click()
        assert gui.window.current is Screen.CONSOLE_PIN and "PIN错误" in pin_screen.message.text()
        for digit in "864209":
            pin_screen.keypad.buttons[digit].click()
        pin_screen.ok_button.click()
        assert gui.window.current is Screen.ATTRACT and not gui.console.unlocked  # workers' screen, console shut
        assert core.booth.members.register(form).masked_phone == "*******5678"
        unlock(gui, "864209")  # the console itself still asks, and knows the PIN without another scrypt
        assert gui.window.current is Screen.CONSOLE
    finally:
        close_gui(core, gui)
