"""Station mode on screen: each kind of desk, scanner input told from typing, one per member, stock, undo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from console_helpers import FakeClock, close_gui, event_config, open_gui, unlock
from booth_common.records import Kind
from booth_common.validation import id_check_char
from kiosk.membership import RegistrationForm
from kiosk.stations import Station, StationKind
from kiosk.ui.i18n import Language
from kiosk.ui.screens import Screen

SCANNER_GAP_S, PERSON_GAP_S = 0.004, 0.15


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def desk(qtbot, tmp_path, clock):
    # A tiny welfare-pack stock, so the low-stock warning and the empty shelf are reached in a few entries.
    config = event_config(tmp_path, replace=(("stock = 300\nlow_stock = 20", "stock = 3\nlow_stock = 2"),))
    core, gui = open_gui(tmp_path, clock, config=config)
    unlock(gui)
    yield core, gui, gui.console.station
    close_gui(core, gui)


def member(core, phone="13812345678", id17="11010519900307123"):
    return core.booth.members.register(RegistrationForm(name="王小明", phone=phone, id_number=id17 + id_check_char(id17),
                                                occupation="courier", consent_given=True))


def type_into(qtbot, field, clock, text, gap_s):
    for ch in text:
        clock.advance(gap_s)
        qtbot.keyClick(field, ch)
    clock.advance(gap_s)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def open_station(gui, kind, service_id=""):
    gui.console.open_station(Station(kind, service_id))
    assert gui.window.current is Screen.STATION
    return gui.console.station


def test_another_desk_replaces_the_choice_buttons_at_once(desk):
    _core, gui, screen = desk
    open_station(gui, StationKind.HANDOUT)
    open_station(gui, StationKind.CONSULTATION)  # no event loop turn between: the old buttons await deletion
    assert screen.choice_grid.count() == len(screen.choice_buttons) == len(screen._choice_items())


def test_station_is_picked_from_the_console_home(desk):
    core, gui, screen = desk
    home = gui.console.home
    i = next(i for i, s in enumerate(home.stations) if s.kind is StationKind.CARD)
    home.station_buttons[i].click()
    assert gui.window.current is Screen.STATION and screen.station.kind is StationKind.CARD
    assert not screen.plus_button.isEnabled()  # the card desk serves members only


def test_service_desk_counts_passers_by_and_scanned_members(qtbot, desk, clock):
    core, gui, _ = desk
    screen = open_station(gui, StationKind.SERVICE, "tcm")
    pass_token = member(core).pass_token
    for _ in range(3):
        screen.plus_button.click()
    type_into(qtbot, screen.scan_field, clock, pass_token, SCANNER_GAP_S)
    assert "扫码" in screen.message.text() and "王*明" in screen.message.text()
    uses = list(core.ledger.records(kind=Kind.SERVICE_USE))
    assert [r.data["member"] for r in uses] == [None, None, None, pass_token]
    assert screen.count_today() == 4 and "4" in screen.count_label.text()


def test_scanner_bursts_are_told_from_typing(qtbot, desk, clock):
    core, gui, _ = desk
    screen = open_station(gui, StationKind.SERVICE, "legal")
    pass_token = member(core).pass_token
    with qtbot.waitSignal(screen.scan_field.scanned) as scanned:
        type_into(qtbot, screen.scan_field, clock, pass_token, SCANNER_GAP_S)
    assert scanned.args == [pass_token]
    with qtbot.assertNotEmitted(screen.scan_field.scanned), qtbot.waitSignal(screen.scan_field.typed) as typed:
        type_into(qtbot, screen.scan_field, clock, pass_token, PERSON_GAP_S)
    assert typed.args == [pass_token] and "手动输入" in screen.message.text()
    assert screen.scan_field.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled) is False
    assert screen.scan_field.inputMethodHints() & Qt.InputMethodHint.ImhLatinOnly
    type_into(qtbot, screen.scan_field, clock, "HELLO-WORLD-1234", SCANNER_GAP_S)
    assert "不是会员码" in screen.message.text()
    assert core.ledger.effective_subjects(Kind.SERVICE_USE)["legal"] == 2


def test_consultation_desk_records_the_chosen_topic(desk):
    core, gui, _ = desk
    screen = open_station(gui, StationKind.CONSULTATION)
    screen.choose("rights")
    screen.plus_button.click()
    screen.choose("benefits")
    screen.plus_button.click()
    assert core.ledger.effective_subjects(Kind.CONSULTATION) == {"rights": 1, "benefits": 1}
    assert screen.count_today() == 2


def test_card_desk_logs_an_application_for_a_scanned_member(qtbot, desk, clock):
    core, gui, _ = desk
    screen = open_station(gui, StationKind.CARD)
    type_into(qtbot, screen.scan_field, clock, member(core).pass_token, SCANNER_GAP_S)
    assert core.ledger.effective_counts()[Kind.CARD_REQUEST] == 1 and screen.count_today() == 1


def test_welfare_pack_one_per_member_with_stock_and_low_stock_warning(qtbot, desk, clock):
    core, gui, _ = desk
    screen = open_station(gui, StationKind.HANDOUT)
    screen.choose("welfare-pack")
    assert not screen.plus_button.isEnabled()  # one per member: a pass is needed
    first, second = member(core), member(core, "13900001111", "11010519910307123")
    type_into(qtbot, screen.scan_field, clock, first.pass_token, SCANNER_GAP_S)
    assert "库存剩余：2" in screen.stock_label.text() and "库存不足" in screen.stock_label.text()
    type_into(qtbot, screen.scan_field, clock, first.pass_token, SCANNER_GAP_S)
    assert "此会员已领取" in screen.message.text()
    type_into(qtbot, screen.scan_field, clock, second.pass_token, SCANNER_GAP_S)
    assert core.booth.desks.stock_left("welfare-pack") == 1
    assert core.ledger.effective_subjects(Kind.HANDOUT) == {"welfare-pack": 2}
    screen.choose("leaflet")
    assert screen.plus_button.isEnabled() and "库存不足" not in screen.stock_label.text()


def test_quiz_voucher_is_redeemed_once_at_the_handout_desk(qtbot, desk, clock):
    core, gui, _ = desk
    voucher = "UV1-ABCDEFGHJKMNPQRS"
    core.booth.prizes.record_quiz_attempt(questions=["q"], answers=[["A"]], score=5, passed=True, duration_s=60,
                                   voucher=voucher, claimant_phone="13812345678")
    screen = open_station(gui, StationKind.HANDOUT)
    screen.choose("quiz-prize")
    type_into(qtbot, screen.scan_field, clock, voucher, SCANNER_GAP_S)
    assert "兑奖码" in screen.message.text()
    type_into(qtbot, screen.scan_field, clock, voucher, SCANNER_GAP_S)
    assert "此兑奖码已兑换过" in screen.message.text()
    assert core.ledger.effective_subjects(Kind.HANDOUT) == {"quiz-prize": 1}


def test_a_voucher_scanned_with_the_welfare_pack_chosen_switches_to_the_prize_and_spends_no_pack(qtbot, desk, clock):
    """The mix-up seen at a booth: a quiz voucher taken as a welfare pack. The ledger says what was handed out."""
    core, gui, _ = desk
    voucher = "UV1-ABCDEFGHJKMNPQRS"
    core.booth.prizes.record_quiz_attempt(questions=["q"], answers=[["A"]], score=5, passed=True, duration_s=60,
                                   voucher=voucher, claimant_phone="13812345678")
    screen = open_station(gui, StationKind.HANDOUT)
    screen.choose("welfare-pack")
    packs = core.booth.desks.stock_left("welfare-pack")
    type_into(qtbot, screen.scan_field, clock, voucher, SCANNER_GAP_S)
    assert screen.choice == "quiz-prize" and "已切换到：答题奖品" in screen.message.text()
    assert core.ledger.effective_subjects(Kind.HANDOUT) == {"quiz-prize": 1}
    assert core.booth.desks.stock_left("welfare-pack") == packs
    pass_token = member(core).pass_token  # the other way round: a member pass is no quiz voucher
    type_into(qtbot, screen.scan_field, clock, pass_token, SCANNER_GAP_S)
    assert "这是会员码，答题奖品须凭答题兑奖码领取" in screen.message.text()
    assert core.ledger.effective_subjects(Kind.HANDOUT) == {"quiz-prize": 1}


def test_a_voucher_at_a_service_desk_says_where_to_go_and_records_nothing(qtbot, desk, clock):
    core, gui, _ = desk
    screen = open_station(gui, StationKind.SERVICE, "tcm")
    gui.presentation.set_language(Language.EN)
    type_into(qtbot, screen.scan_field, clock, "UV1-ABCDEFGHJKMNPQRS", SCANNER_GAP_S)
    assert "quiz prize voucher: redeem it at the handout desk (Quiz prize)" in screen.message.text()
    assert list(core.ledger.records(kind=Kind.SERVICE_USE)) == []


def test_a_disabled_plus_one_says_why_and_each_desk_asks_only_for_the_codes_it_takes(desk):
    _core, gui, _ = desk
    screen = open_station(gui, StationKind.CARD)
    assert not screen.plus_button.isEnabled() and "只为会员办理" in screen.plus_button.text()
    assert "兑奖码" not in screen.scan_hint.text() and "会员码" in screen.scan_hint.text()
    screen = open_station(gui, StationKind.HANDOUT)
    screen.choose("welfare-pack")
    assert not screen.plus_button.isEnabled() and "每人限领一份" in screen.plus_button.text()
    assert "答题兑奖码" in screen.scan_hint.text()
    screen.choose("quiz-prize")
    assert "凭答题兑奖码领取" in screen.plus_button.text()
    screen.choose("leaflet")
    assert screen.plus_button.isEnabled() and screen.plus_button.text().startswith("+1")


def test_undo_is_a_void_within_the_window_only(desk, clock):
    core, gui, _ = desk
    screen = open_station(gui, StationKind.SERVICE, "haircut")
    assert not screen.undo_button.isEnabled()
    screen.plus_button.click()
    screen.plus_button.click()
    assert screen.undo_button.isEnabled()
    screen.undo_button.click()
    assert core.ledger.effective_subjects(Kind.SERVICE_USE)["haircut"] == 1
    kinds = [r.kind for r in core.ledger.records()]
    assert kinds == ["audit", "service_use", "service_use", "void"]  # the unlock, two uses and a void: nothing deleted
    assert not screen.undo_button.isEnabled()  # only the last entry
    screen.plus_button.click()
    clock.advance(31)
    screen.refresh_undo()
    assert not screen.undo_button.isEnabled()
    screen.undo()
    assert "没有可撤销" in screen.message.text()
    assert core.ledger.effective_subjects(Kind.SERVICE_USE)["haircut"] == 2
