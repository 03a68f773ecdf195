"""Every console action leaves its record (an audit, or an export record), with no PIN and no personal data;
the console's purge takes every synced record's sealed bytes and keeps unsynced ones whole."""

from __future__ import annotations

import json

import pytest

from console_helpers import FakeClock, close_gui, open_gui, unlock
from booth_common.records import Kind
from kiosk.membership import RegistrationForm
from kiosk.simulate import iter_fake_people
from kiosk.ui.console import ConfirmPurge, ConfirmQuit
from kiosk.ui.dashboard_screen import ExportFolder
from kiosk.ui.screens import Screen

NEW_PIN = "80537196"  # long and unusual: it cannot turn up in the ledger file by chance


@pytest.fixture
def console(qtbot, tmp_path):
    core, gui = open_gui(tmp_path, FakeClock())
    yield core, gui
    close_gui(core, gui)


def audits(core):
    return [(r.data["action"], r.data["details"]) for r in core.ledger.records(kind=Kind.AUDIT)]


def raw_ledger(core) -> bytes:
    """The ledger file, its WAL and shared memory, as a thief copying the folder would get them."""
    folder = core.ledger.path.parent
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())


def assert_no_secrets(core, *secrets: str) -> None:
    for record in core.ledger.records():
        payload = json.dumps(record.data, ensure_ascii=False)
        assert not any(s in payload for s in secrets), record.kind
    raw = raw_ledger(core)
    assert not any(s.encode() in raw for s in secrets)


def register(core, n, seed):
    people = []
    for (name, phone, id_number), _ in zip(iter_fake_people(seed), range(n), strict=False):
        core.booth.members.register(RegistrationForm(name=name, phone=phone, id_number=id_number, occupation="courier",
                                             consent_given=True))
        people.append((name, phone, id_number))
    return people


def test_unlocking_the_console_is_audited(console):
    core, gui = console
    unlock(gui)
    assert gui.console.unlocked
    assert audits(core) == [("console_unlock", {})]


def test_a_lock_out_is_audited_and_wrong_pins_are_not_kept(console):
    core, gui = console
    gui.window.show_screen(Screen.CONSOLE_PIN)
    for _ in range(5):
        gui.console.pin.pin_field.setText("97531")
        gui.console.pin.submit()
    assert "秒后再试" in gui.console.pin.message.text()
    assert audits(core) == [("console_lockout", {"seconds": 30, "lockout": 1})]
    assert_no_secrets(core, "97531")


def test_leaving_and_entering_fullscreen_is_audited(console):
    core, gui = console
    unlock(gui)
    gui.console.home.fullscreen_button.click()
    assert gui.window.isFullScreen()
    gui.console.home.fullscreen_button.click()
    assert not gui.window.isFullScreen()
    assert audits(core)[1:] == [("fullscreen_toggle", {"fullscreen": True, "via": "console"}),
                                ("fullscreen_toggle", {"fullscreen": False, "via": "console"})]


def test_quitting_from_the_unlocked_console_records_the_kiosk_exit(console, monkeypatch):
    core, gui = console
    window = gui.window
    assert window.close() is False and window.isVisible()  # locked: the close request is ignored
    unlock(gui)
    monkeypatch.setattr(ConfirmQuit, "ask", classmethod(lambda cls, parent: False))
    gui.console.home.quit_button.click()
    assert window.isVisible() and [a for a, _ in audits(core)] == ["console_unlock"]
    monkeypatch.setattr(ConfirmQuit, "ask", classmethod(lambda cls, parent: True))
    gui.console.home.quit_button.click()
    assert not window.isVisible()
    assert audits(core)[-1] == ("kiosk_exit", {"via": "console"})


def test_each_console_export_is_recorded(console, tmp_path, monkeypatch, qtbot):
    core, gui = console
    people = register(core, 2, seed=7)
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(ExportFolder, "ask", classmethod(lambda cls, parent, default: usb))
    unlock(gui)
    gui.console.home.dashboard_button.click()
    for fmt in ("csv", "xlsx", "csv"):
        with qtbot.waitSignal(gui.console.dashboard.exported, timeout=20_000):
            assert gui.console.dashboard.export(fmt) is not None
        assert gui.console.dashboard.export_task is None  # one at a time; the next may start
    exports = list(core.ledger.records(kind=Kind.EXPORT))
    assert [r.data["format"] for r in exports] == ["csv", "xlsx", "csv"]
    assert_no_secrets(core, *(value for person in people for value in person))


def test_pin_change_from_the_console_is_audited_and_the_new_pin_opens_it(console):
    core, gui = console
    unlock(gui)
    gui.console.home.pin_change_button.click()
    screen = gui.console.pin_change
    assert gui.window.current is Screen.CONSOLE_PIN_CHANGE
    for digit in "2468":  # the keypad types into the field last tapped: the current PIN at first
        screen.keypad.buttons[digit].click()
    assert screen.fields["old"].text() == "2468"
    screen.fields["new"].setText(NEW_PIN)
    screen.fields["again"].setText(NEW_PIN[:-1] + "0")
    screen.save_button.click()
    assert "不一致" in screen.message.text() and all(not f.text() for f in screen.fields.values())
    for old in ("1111", "2468"):
        screen.fields["old"].setText(old)
        screen.fields["new"].setText(NEW_PIN)
        screen.fields["again"].setText(NEW_PIN)
        screen.save_button.click()
        if old == "1111":
            assert "PIN错误" in screen.message.text() and gui.window.current is Screen.CONSOLE_PIN_CHANGE
    assert gui.window.current is Screen.CONSOLE and "PIN已修改" in gui.console.home.message.text()
    assert [a for a, _ in audits(core)] == ["console_unlock", "pin_change"]
    gui.console.home.lock_button.click()
    unlock(gui, "2468")
    assert not gui.console.unlocked
    unlock(gui, NEW_PIN)
    assert gui.console.unlocked
    assert_no_secrets(core, NEW_PIN)


def test_pin_change_fields_are_wiped_when_the_console_locks(qtbot, tmp_path):
    core, gui = open_gui(tmp_path, FakeClock(), lock_ms=300)
    try:
        unlock(gui)
        gui.console.home.pin_change_button.click()
        gui.console.pin_change.fields["old"].setText("2468")
        qtbot.waitUntil(lambda: gui.window.current is Screen.CONSOLE_PIN, timeout=3000)
        assert not gui.console.pin_change.fields["old"].text()
    finally:
        close_gui(core, gui)


def test_purge_from_the_console_leaves_no_sealed_bytes_keeps_counts_and_unsynced_records(console, monkeypatch, qtbot):
    core, gui = console
    ledger = core.ledger
    people = register(core, 4, seed=11)
    ids = [r.id for r in ledger.records()]
    ledger.outbox.mark_synced(ids[:3])
    envelopes = dict(ledger.sealed_envelopes())
    asked = []
    monkeypatch.setattr(ConfirmPurge, "ask", classmethod(lambda cls, parent, on_device: asked.append(on_device)))
    unlock(gui)
    with qtbot.waitSignal(gui.console.purge_declined, timeout=20_000):
        gui.console.home.purge_button.click()  # counted off the GUI thread, then the volunteer says no
        assert not gui.console.home.purge_button.isEnabled() and not asked  # the button waits for the count
    assert (asked[0].purgeable, asked[0].kept_unsynced) == (3, 1) and gui.console.home.purge_button.isEnabled()
    assert dict(ledger.sealed_envelopes()) == envelopes and [a for a, _ in audits(core)] == ["console_unlock"]

    monkeypatch.setattr(ConfirmPurge, "ask", classmethod(lambda cls, parent, on_device: True))
    with qtbot.waitSignal(gui.console.purge_finished, timeout=20_000):
        gui.console.home.purge_button.click()  # off the GUI thread; the button waits meanwhile
        assert not gui.console.home.purge_button.isEnabled()
    assert gui.console.home.purge_button.isEnabled()
    assert audits(core)[-1] == ("purge", {"records": 3, "all_synced": True, "via": "console", "complete": True})
    text = gui.console.home.message.text()
    assert "已清除 3 条" in text and "1 条未同步" in text
    raw = raw_ledger(core)
    for record_id in ids[:3]:
        assert envelopes[record_id].encode() not in raw
        # Not even a fragment of the record's own ciphertext. (The session header before it, a
        # sealed key, is shared with the other envelopes of its session, the kept one among them.)
        assert envelopes[record_id][6 + 124:6 + 164].encode() not in raw
    assert ledger.sealed_envelope(ids[3]) == envelopes[ids[3]]  # the unsynced one is the only copy: kept
    assert core.booth.members.find_member(phone=people[3][1]) is not None
    assert core.booth.members.find_member(phone=people[0][1]) is None
    assert ledger.status().counts["registration"] == 4  # counts and masked forms stay
    assert all("*" in r.data["masked_name"] for r in ledger.records(kind=Kind.REGISTRATION))
    assert_no_secrets(core, *(value for person in people for value in person))


def test_audit_records_carry_no_personal_data_and_are_synced_like_the_rest(console, monkeypatch, qtbot):
    core, gui = console
    monkeypatch.setattr(ConfirmPurge, "ask", classmethod(lambda cls, parent, on_device: True))
    unlock(gui)
    gui.console.home.fullscreen_button.click()
    with qtbot.waitSignal(gui.console.purge_finished, timeout=20_000):
        gui.console.home.purge_button.click()
    records = list(core.ledger.records(kind=Kind.AUDIT))
    assert {r.data["action"] for r in records} <= set(core.booth.audit.AUDIT_ACTIONS)
    assert all(core.ledger.sealed_envelope(r.id) is None for r in records)  # nothing personal to seal
    pending = {entry.record.id for entry in core.ledger.outbox.pending()}
    assert {r.id for r in records} <= pending  # in the outbox like every other record


def test_a_purge_that_cannot_finish_says_so_on_the_console_in_red(console, monkeypatch, qtbot):
    import subprocess
    import sys

    core, gui = console
    register(core, 2, seed=12)
    core.ledger.outbox.mark_synced([r.id for r in core.ledger.records()])
    reader = subprocess.Popen([sys.executable, "-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1]); "
                               "c.execute('BEGIN'); c.execute('SELECT count(*) FROM sealed').fetchone(); "
                               "print('reading', flush=True); time.sleep(60)", str(core.ledger.path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "reading"
        monkeypatch.setattr(ConfirmPurge, "ask", classmethod(lambda cls, parent, on_device: True))
        unlock(gui)
        with qtbot.waitSignal(gui.console.purge_finished, timeout=20_000):  # the purge runs off the GUI thread
            gui.console.home.purge_button.click()
    finally:
        reader.kill()
        reader.wait()
    message = gui.console.home.message
    assert message.isVisible() and "清除未完成" in message.text() and message.property("ok") == "false"
    assert "已清除" not in message.text()
    assert audits(core)[-1][1]["complete"] is False
