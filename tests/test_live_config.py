"""A configuration published on the city server reaches a running kiosk: pulled by the real sync engine from the
real server on loopback, checked, adopted at the next safe moment (never mid-form), audited, shown on the console;
one that fails the checks is refused and the current one stays."""

from __future__ import annotations

import copy
import json
import tomllib

import pytest

from booth_common.records import Kind
from city_helpers import EVENT, Kiosk
from kiosk.live_config import ConfigFollower, check_pulled
from kiosk.settings import DEMO_CONFIG
from kiosk.ui.screens import Screen
from loopback import city  # noqa: F401  (fixture)
from registration_driver import start_gui, stop_gui
from sync.server.app import publish_distribution

NEW_SERVICE = {"id": "massage", "name": "推拿理疗", "name_en": "Massage therapy", "location": "B区", "location_en": "Area B"}


# On SQLite only (one_backend, tests/conftest.py): the kiosk adopting a published configuration; publishing runs on
# both databases in test_city_server.py.
pytestmark = pytest.mark.one_backend


def demo_raw() -> dict:
    return tomllib.loads(DEMO_CONFIG.read_text(encoding="utf-8"))


def with_new_service(raw: dict) -> dict:
    raw = copy.deepcopy(raw)
    raw["services"] = [s for s in raw["services"] if s["id"] != "keys"] + [NEW_SERVICE]
    raw["idle"]["timeout_s"] = 90
    raw["idle"]["countdown_s"] = 15
    return raw


def audits(core, action):  # type: ignore[no-untyped-def]
    return [r for r in core.ledger.records(kind=Kind.AUDIT) if r.subject == action]


@pytest.fixture
def kiosk(tmp_path, city):  # noqa: F811
    k = Kiosk(tmp_path / "booth", city, booth_id="b-live")
    yield k
    k.close()


def test_a_running_kiosk_changes_its_service_list_at_the_next_safe_moment_never_mid_form(qtbot, tmp_path, city, kiosk):  # noqa: F811
    core = kiosk.core
    gui = start_gui(core, tmp_path)
    window, live = gui.window, gui.live_config
    try:
        window.show_screen(Screen.SERVICES)  # the worker-facing list, as built from the file
        assert "推拿理疗" not in texts(window.screens[Screen.SERVICES])
        window.show_screen(Screen.REGISTER)  # a worker is in the middle of the form
        form_before = window.screens[Screen.REGISTER]
        publish_distribution(city.storage, event_id=EVENT, name="config", content=with_new_service(demo_raw()))
        kiosk.sync()  # the real pull stores it in the ledger
        live.check()
        assert live.pending is not None and window.current is Screen.REGISTER
        assert "massage" not in {s.id for s in core.booth.config.services}  # not mid-form
        assert audits(core, "config_applied") == []
        assert window.screens[Screen.REGISTER] is form_before
        window.go_home()  # the worker is done (or the idle return wiped the form): a safe moment
        assert live.pending is None
        assert [s.id for s in core.booth.config.services][-1] == "massage"
        assert "keys" not in {s.id for s in core.booth.config.services}
        window.show_screen(Screen.SERVICES)  # built again from the new configuration, no restart
        shown = texts(window.screens[Screen.SERVICES])
        assert "推拿理疗" in shown and "配钥匙" not in shown
        assert gui.idle._timer.interval() == 90_000
        window.overlay.preview()  # the idle return's countdown follows the new configuration too
        assert "15" in window.overlay.count_label.text()
        window.overlay.hide()
        [audit] = audits(core, "config_applied")
        assert audit.data["details"]["version"] and "services" in audit.data["details"]["changed"]
        home = gui.console.home
        assert "massage" in {s.service_id for s in home.stations}  # the volunteer's desks follow it
        # ... and the desk takes it: a +1 for the new service is a record in the ledger, not a refusal
        # (each concept reads the one configuration the update replaced, never a copy made at start)
        use = core.booth.desks.record_service_use("massage")
        assert [r.id for r in core.ledger.records(kind=Kind.SERVICE_USE) if r.data.get("service") == "massage"] == [use.id]
        window.show_screen(Screen.CONSOLE)
        assert home.config_note.isVisible() and "配置已更新" in home.config_note.text()
        live.check()  # the same version again: nothing new, no second audit
        assert len(audits(core, "config_applied")) == 1
    finally:
        stop_gui(gui)


def texts(widget) -> str:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in widget.findChildren(QLabel))


@pytest.mark.parametrize("damage, key", [
    (lambda raw: raw["quiz"].update(prize_item="no-such-item"), "quiz.prize_item"),
    (lambda raw: raw.update(services="all of them"), "services"),
    (lambda raw: raw["idle"].update(timeout_s=1), "idle.timeout_s"),
    (lambda raw: raw["event"].update(id="another-event"), "event.id"),
])
def test_a_pulled_configuration_that_fails_the_checks_is_refused_and_the_current_one_stays(booth, damage, key):
    raw = demo_raw()
    damage(raw)
    booth.ledger.set_meta("pulled:config", json.dumps(raw, ensure_ascii=False))  # as the sync engine stores it
    booth.ledger.set_meta("pulled:config:version", "7")
    before = booth.config
    follower = ConfigFollower(booth.writer, booth.audit)
    assert follower.check() is None
    assert booth.config is before and key in follower.problem
    assert follower.check() is None  # asked again: refused once, audited once
    [audit] = [r for r in booth.ledger.records(kind=Kind.AUDIT) if r.subject == "config_refused"]
    assert audit.data["details"]["version"] == "7" and key in audit.data["details"]["problem"]


@pytest.mark.parametrize("hostile", [None, [], "text", {"event": []}, {"event": {"id": {"x": 1}}},
                                     json.loads("[" * 50 + "]" * 50)])
def test_hostile_shapes_are_refused_with_a_reason_not_an_exception(booth, hostile):
    update = check_pulled(booth.config, "9", hostile)
    assert update.config is None and update.problem


def test_a_refused_configuration_is_told_on_the_console_and_the_kiosk_keeps_running(qtbot, core, tmp_path):
    gui = start_gui(core, tmp_path)
    try:
        raw = demo_raw()
        raw["handouts"][0]["stock"] = -5
        core.ledger.set_meta("pulled:config", json.dumps(raw, ensure_ascii=False))
        core.ledger.set_meta("pulled:config:version", "4")
        gui.live_config.check()
        home = gui.console.home
        gui.window.show_screen(Screen.CONSOLE)
        assert home.config_note.isVisible() and "未通过检查" in home.config_note.text()
        assert "handouts" in home.config_note.text()
        assert len(home.stations) == len(core.booth.config.services) + 3
    finally:
        stop_gui(gui)
