"""The vault: lookup keys wrapped by the volunteer PIN, one key per event day, hashes gone with their day."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from booth_common.validation import id_check_char
from console_helpers import event_config
from kiosk.access import META_HASH, ConsoleAccess, hash_pin
from kiosk.errors import WrongPin
from kiosk.app import build_core
from kiosk.booth import BoothService
from kiosk.errors import AlreadyRegistered, KioskLocked
from kiosk.membership import RegistrationForm
from kiosk.vault import DEMO_COST, REAL_COST, Vault, derive_wrapping_key


def form(phone="13812345678", serial="123"):
    body = "11010519900307" + serial
    return RegistrationForm(name="王小明", phone=phone, id_number=body + id_check_char(body), occupation="courier",
                            consent_given=True)


class Day:
    def __init__(self, day: dt.date):
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


def test_the_vault_file_holds_no_key_and_opens_only_with_the_pin(tmp_path):
    vault = Vault(tmp_path)
    vault.create("314159", cost=DEMO_COST)
    key = vault.lookup_key()
    assert len(key) == 32 and key.hex() not in vault.path.read_text() and key not in vault.path.read_bytes()
    assert vault.path.stat().st_mode & 0o077 == 0
    again = Vault(tmp_path)
    assert again.lookup_key() is None  # locked: no key at all
    assert not again.unlock("314158") and not again.is_open
    assert again.unlock("314159") and again.lookup_key() == key
    assert again.matches("314159") and not again.matches("314158")


def test_a_real_vault_pays_the_memory_hard_cost_per_guess(tmp_path):
    vault = Vault(tmp_path)
    vault.create("271828")
    doc = json.loads(vault.path.read_text())
    assert (doc["kdf"]["n"], doc["kdf"]["r"], doc["kdf"]["p"]) == tuple(REAL_COST) == (2**17, 8, 1)
    assert REAL_COST.memory_bytes == 128 * 2**20
    # what a guess is: the whole scrypt, with the file's salt (no shortcut stored anywhere)
    assert derive_wrapping_key("271828", bytes.fromhex(doc["kdf"]["salt"]), REAL_COST) == vault._wrapping_key


def test_each_day_has_its_own_key_and_a_past_days_key_is_gone_from_the_file(tmp_path):
    day = Day(dt.date(2026, 11, 25))
    vault = Vault(tmp_path, today=day)
    vault.create("161803", cost=DEMO_COST)
    first = vault.lookup_key()
    day.day = dt.date(2026, 11, 26)
    second = vault.lookup_key()
    assert second != first and vault.days_kept() == ["2026-11-26"]
    reopened = Vault(tmp_path, today=day)
    assert reopened.unlock("161803") and reopened.lookup_key() == second and reopened.days_kept() == ["2026-11-26"]


def test_duplicates_are_caught_within_the_day_and_hashes_expire_with_it(core):
    day = Day(dt.date.today())
    vault = Vault(core.data_dir / "keys", today=day)
    ConsoleAccess(core.ledger, vault, cost=DEMO_COST).set_pin("577215")
    booth = BoothService(core.ledger, core.config, core.keys, vault)
    member = booth.members.register(form())
    with pytest.raises(AlreadyRegistered):
        booth.members.register(form(serial="456"))  # the same phone, the same day, offline
    assert booth.prizes.has_claimed_prize(phone="13812345678") is False
    booth.prizes.record_quiz_attempt(questions=["q"], answers=[["a"]], score=5, passed=True, duration_s=50,
                              voucher="UV1-0000000000000001", claimant_phone="13912345678")
    assert booth.prizes.has_claimed_prize(phone="13912345678")
    assert {p for p, _ in core.ledger.lookups_of(member.record_id)} >= {"phone", "id_number"}

    day.day += dt.timedelta(days=1)  # the next event day: hashes made with yesterday's key are deleted
    # (the records were captured today by the wall clock; a day later they are "before today's midnight")
    from kiosk.retention import start_of_local_day_utc
    assert core.ledger.expire_day_lookups(before=start_of_local_day_utc(day.day)) >= 3
    assert {p for p, _ in core.ledger.lookups_of(member.record_id)} == {"pass"}
    assert booth.members.find_member(phone="13812345678") is None  # the city server does the event-wide check
    assert not booth.prizes.has_claimed_prize(phone="13912345678")


def test_a_real_event_registers_nothing_until_unlocked(tmp_path):
    config = event_config(tmp_path, demo=False)
    core = build_core(data_dir=tmp_path / "data", config_path=config)
    access = ConsoleAccess(core.ledger, core.booth.vault, cost=DEMO_COST)
    access.set_pin("662607")
    core.close()
    core = build_core(data_dir=tmp_path / "data", config_path=config)  # restarted: locked
    try:
        with pytest.raises(KioskLocked) as locked:
            core.booth.members.register(form())
        assert "尚未解锁" in locked.value.zh and "locked" in locked.value.en
        assert core.ledger.status().total_records == 0
        access = ConsoleAccess(core.ledger, core.booth.vault)
        with pytest.raises(WrongPin):
            access.unlock("662606")
        access.unlock("662607")
        assert core.booth.members.register(form()).masked_phone == "*******5678"
        assert core.keys.device_private_key() is None  # sealed to the configured city key from the start
        assert core.keys.seal_public_text() == core.config.city_public_key
    finally:
        core.close()


def test_a_ledger_from_before_the_vault_moves_to_it_at_the_first_right_pin(tmp_path):
    config = event_config(tmp_path, demo=False)
    core = build_core(data_dir=tmp_path / "data", config_path=config)
    core.ledger.set_meta(META_HASH, hash_pin("135791"))  # as the earlier version stored it
    core.close()
    (tmp_path / "data" / "keys" / "hmac.key").write_bytes(b"k" * 32)  # and its plain lookup key
    core = build_core(data_dir=tmp_path / "data", config_path=config)
    try:
        assert not (tmp_path / "data" / "keys" / "hmac.key").exists()  # destroyed at start
        access = ConsoleAccess(core.ledger, core.booth.vault, cost=DEMO_COST)
        assert access.has_pin and not access.is_unlocked
        access.unlock("135791")
        assert core.booth.vault.exists and access.is_unlocked and not core.ledger.get_meta(META_HASH)
        raw = b"".join(p.read_bytes() for p in (tmp_path / "data").iterdir() if p.is_file())
        assert b"scrypt$" not in raw  # the old, cheaper hash of the PIN is gone from the file and its WAL
    finally:
        core.close()


def test_a_real_event_without_the_city_key_is_refused(tmp_path):
    from kiosk.config import ConfigError, load_config

    path = event_config(tmp_path, demo=False)
    text = path.read_text(encoding="utf-8")
    start = text.index("city_public_key")
    path.write_text(text[:start] + text[text.index("\n", start) + 1:], encoding="utf-8")
    with pytest.raises(ConfigError, match="city_public_key"):
        load_config(path)
    path.write_text(text.replace('city_public_key = "', 'city_public_key = "x'), encoding="utf-8")
    with pytest.raises(ConfigError, match="32-byte"):
        load_config(path)


def test_kiosk_simulate_on_a_locked_real_event_asks_the_pin_on_stdin(tmp_path):
    import subprocess
    import sys

    config = event_config(tmp_path, demo=False)
    core = build_core(data_dir=tmp_path / "data", config_path=config)
    ConsoleAccess(core.ledger, core.booth.vault, cost=DEMO_COST).set_pin("141421")
    core.close()
    base = [sys.executable, "-m", "kiosk", "simulate", "--members", "2", "--data-dir", str(tmp_path / "data"),
            "--config", str(config)]
    locked = subprocess.run(base, capture_output=True, text=True, timeout=120)
    assert locked.returncode == 3 and "--pin-stdin" in locked.stderr
    wrong = subprocess.run([*base, "--pin-stdin"], input="141420\n", capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 3 and "Wrong PIN" in wrong.stderr
    right = subprocess.run([*base, "--pin-stdin"], input="141421\n", capture_output=True, text=True, timeout=120)
    assert right.returncode == 0 and right.stdout.count("registration ") == 2


def test_kiosk_server_city_key_prints_the_key_a_real_event_seals_to(tmp_path, capsys):
    from booth_common.sealing import open_sealed, public_key_from_text, seal
    from sync.server.citykey import load_or_create_city_key
    from sync.server.cli import main

    assert main(["--city-key", str(tmp_path / "city.key"), "--database", str(tmp_path / "c.sqlite3"),
                 "city-key"]) == 0
    printed = capsys.readouterr().out.strip()
    envelope = seal({"phone": "13812345678"}, public_key_from_text(printed), record_id="r")
    assert open_sealed(envelope, load_or_create_city_key(tmp_path / "city.key"), record_id="r")["phone"] == "13812345678"


def test_a_device_token_an_older_version_kept_in_clear_is_wrapped_at_the_first_read(tmp_path):
    config = event_config(tmp_path, demo=False)
    core = build_core(data_dir=tmp_path / "data", config_path=config)
    ConsoleAccess(core.ledger, core.booth.vault, cost=DEMO_COST).set_pin("299792")
    core.ledger.set_meta("sync_token", "tok-0123456789abcdef")  # as an older kiosk stored it
    core.close()
    core = build_core(data_dir=tmp_path / "data", config_path=config)
    try:
        assert core.ledger.get_protected_meta("sync_token") == "tok-0123456789abcdef"  # clear: read as it is
        assert core.ledger.get_meta("sync_token") == "tok-0123456789abcdef"  # locked: cannot wrap it yet
        ConsoleAccess(core.ledger, core.booth.vault).unlock("299792")
        assert core.ledger.get_protected_meta("sync_token") == "tok-0123456789abcdef"
        assert core.ledger.get_meta("sync_token").startswith("vault1:")
        core.ledger.checkpoint_wal()
        raw = b"".join(p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file())
        assert b"tok-0123456789abcdef" not in raw
        core.booth.vault.lock()
        assert core.ledger.get_protected_meta("sync_token") is None  # locked: no token at all
    finally:
        core.close()
