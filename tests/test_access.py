"""The volunteer PIN, its lock-out across restarts, booth setup and the member lookup for corrections."""

import pytest

from booth_common.records import Kind
from booth_common.validation import id_check_char
from kiosk.access import ConsoleAccess, hash_pin, lockout_delay, verify_pin
from kiosk.errors import BadPin, LockedOut, WrongPin
from kiosk.app import build_core
from kiosk.errors import InvalidInput
from kiosk.membership import RegistrationForm
from kiosk.booth_setup import BoothSetup, apply_setup, ensure_demo_pin, needs_setup, DEMO_PIN
from kiosk.report import day_figures, summary_rows
from kiosk.settings import DEMO_CONFIG
from kiosk.vault import DEMO_COST

from console_helpers import event_config


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_pin_hash_is_salted_and_verifies():
    a, b = hash_pin("2468"), hash_pin("2468")
    assert a != b and a.startswith("scrypt$") and "2468" not in a
    assert verify_pin("2468", a) and not verify_pin("2469", a) and not verify_pin("2468", "garbage")


def test_five_wrong_tries_lock_out_with_a_growing_delay_that_survives_a_restart(data_dir):
    clock = Clock()
    core = build_core(data_dir=data_dir, config_path=DEMO_CONFIG)
    access = ConsoleAccess(core.ledger, core.booth.vault, clock=clock, cost=DEMO_COST)
    access.set_pin("135790")
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongPin) as err:
            access.unlock("0000")
        assert err.value.tries_left == left
    with pytest.raises(LockedOut) as err:
        access.unlock("0000")
    assert err.value.seconds_left == lockout_delay(1) == 30
    core.close()

    core = build_core(data_dir=data_dir, config_path=DEMO_CONFIG)  # a restart: the vault is locked again
    access = ConsoleAccess(core.ledger, core.booth.vault, clock=clock, cost=DEMO_COST)
    assert not access.is_unlocked
    with pytest.raises(LockedOut):
        access.unlock("135790")  # even the right PIN waits
    clock.now += 31
    for _ in range(4):
        with pytest.raises(WrongPin):
            access.unlock("0000")
    with pytest.raises(LockedOut) as err:
        access.unlock("0000")
    assert err.value.seconds_left == 60
    clock.now += 61
    access.unlock("135790")
    assert access.seconds_locked() == 0
    with pytest.raises(WrongPin) as err:
        access.unlock("0000")
    assert err.value.tries_left == 4  # a right PIN starts the count afresh
    core.close()


def _audits(ledger):
    return [(r.data["action"], r.data["details"]) for r in ledger.records(kind=Kind.AUDIT)]


def test_unlocks_and_lock_outs_are_audited_without_the_pin(booth):
    access = ConsoleAccess(booth.ledger, booth.vault, clock=Clock(), audit=booth.audit.record_audit, cost=DEMO_COST)
    access.set_pin("807140")
    access.unlock("807140")
    for _ in range(4):
        with pytest.raises(WrongPin):
            access.unlock("11111")
    assert _audits(booth.ledger) == [("console_unlock", {})]  # wrong tries alone are not records
    with pytest.raises(LockedOut):
        access.unlock("11111")
    assert _audits(booth.ledger)[1:] == [("console_lockout", {"seconds": 30, "lockout": 1})]
    assert not any("807140" in r.payload or "11111" in r.payload for r in booth.ledger.records())


def test_pin_change_follows_the_setup_rules_and_is_audited(booth):
    access = ConsoleAccess(booth.ledger, booth.vault, clock=Clock(), audit=booth.audit.record_audit, cost=DEMO_COST)
    access.set_pin("246800")
    for old, new, again, message in (("246800", "12", "12", "6–12 位数字"), ("246800", "1234x", "1234x", "6–12 位数字"),
                                      ("246800", "13579", "13579", "6–12 位数字"),
                                      ("246800", "135790", "135700", "不一致"),
                                      ("246800", "246800", "246800", "不能与旧PIN相同")):
        with pytest.raises(BadPin) as err:
            access.change_pin(old, new, again)
        assert message in err.value.zh and err.value.en
    with pytest.raises(WrongPin):
        access.change_pin("111111", "135790", "135790")  # a wrong old PIN counts as a wrong try
    assert _audits(booth.ledger) == []
    access.change_pin("246800", "135790", "135790")
    assert _audits(booth.ledger) == [("pin_change", {})]
    access.unlock("135790")
    booth.vault.lock()  # as at the next start: the new PIN unwraps the vault, the old one does not
    with pytest.raises(WrongPin):
        access.unlock("246800")
    access.unlock("135790")
    assert booth.vault.is_open
    with pytest.raises(WrongPin) as err:
        access.unlock("246800")
    assert err.value.tries_left == 4  # the earlier wrong old PIN was cleared by the right one


def real_event_config(folder):
    """The demo configuration as a real event (demo = false, the city key), beside the demo's quiz bank."""
    return event_config(folder, demo=False)


@pytest.fixture
def real_core(tmp_path):
    core = build_core(data_dir=tmp_path / "real", config_path=real_event_config(tmp_path))
    yield core
    core.close()


def test_real_event_needs_setup_and_setup_is_stored_and_recorded(real_core):
    booth = real_core.booth
    access = ConsoleAccess(booth.ledger, booth.vault, cost=DEMO_COST)
    assert needs_setup(booth.profile, access)
    bad = BoothSetup(district="火星区", venue_type="main", pin="12", pin_again="12")
    with pytest.raises(InvalidInput) as err:
        apply_setup(booth.profile, access, bad)
    fields = {e.field for e in err.value.errors}
    assert {"district", "street", "organisation", "booth_name", "device_name", "pin"} <= fields
    assert booth.ledger.status().total_records == 0 and not access.has_pin
    good = BoothSetup(district="海淀区", street="中关村街道", organisation="中关村街道总工会", venue_type="main",
                      booth_name="中关村广场展位", device_name="平板 1", pin="975310", pin_again="975310")
    apply_setup(booth.profile, access, good)
    assert not needs_setup(booth.profile, access)
    assert booth.profile.booth.district == "海淀区" and booth.profile.booth.venue_type == "main"
    [record] = list(booth.ledger.records(kind=Kind.AUDIT))
    assert record.data["booth"]["name"] == "中关村广场展位" and "975310" not in record.payload
    assert ("展位", "Booth", "中关村广场展位") in summary_rows(booth.report, day_figures(booth.report))
    access.unlock("975310")


def test_demo_event_skips_setup_with_the_demo_pin(booth):
    access = ConsoleAccess(booth.ledger, booth.vault)
    assert not needs_setup(booth.profile, access)
    ensure_demo_pin(booth.profile, access)
    access.unlock(DEMO_PIN)
    assert booth.ledger.status().total_records == 0


def _form(name, phone, id17):
    return RegistrationForm(name=name, phone=phone, id_number=id17 + id_check_char(id17),
                            occupation="courier", consent_given=True)


def test_member_lookup_by_masked_name_or_phone_tail_shows_masked_data_only(booth):
    a = booth.members.register(_form("王小明", "13812345678", "11010519900307123"))
    booth.members.register(_form("王大明", "13900005678", "11010519910307123"))
    booth.members.register(_form("李四", "13700001111", "11010519920307123"))
    found = booth.members.search_members("5678")
    assert len(found) == 2 and {m.masked_phone for m in found} == {"*******5678"}  # the last four only
    assert {m.masked_name for m in found} == {"王*明"}
    assert {m.masked_name for m in booth.members.search_members("王某明")} == {"王*明"}
    assert len(booth.members.search_members("王*明")) == 2
    booth.corrections.correct_registration(a.record_id, reason="电话填错", phone="13600002222")
    assert [m.masked_phone for m in booth.members.search_members("2222")] == ["*******2222"]
    assert [m.masked_phone for m in booth.members.search_members("5678")] == ["*******5678"]
    booth.corrections.void(a.record_id, "重复登记")
    assert booth.members.search_members("2222") == []
    assert booth.members.search_members("   ") == []
