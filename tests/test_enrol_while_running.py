"""Enrolling from another process while the kiosk GUI's core is open loses nothing (issue #12).

The GUI's core stays open in this process, as in a running kiosk; ``kiosk enroll`` runs as a separate
process against the real city server on loopback, swapping the device key for the city's and
destroying the device key. Registrations written by the open core before and after it must both
open with the city's private key.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from booth_common.sealing import open_sealed
from booth_common.validation import id_check_char
from kiosk.membership import RegistrationForm
from loopback import booth_code, city  # noqa: F401 (city is a fixture)


# On SQLite only (one_backend, tests/conftest.py): the kiosk's key handling across processes; enrolment on the
# server runs on both databases in test_enrolment.py.
pytestmark = pytest.mark.one_backend


def _form(phone: str, serial: str) -> RegistrationForm:
    body = "11010519900307" + serial
    return RegistrationForm(name="王小明", phone=phone, id_number=body + id_check_char(body),
                            occupation="food-delivery", consent_given=True)


def test_a_registration_written_after_enrolment_in_another_process_opens_with_the_city_key(core, city, data_dir):
    before = core.booth.members.register(_form("13812345678", "123"))
    code = booth_code(city, core)
    enrol = subprocess.run([sys.executable, "-m", "kiosk", "enroll", "--server", city.url, "--code", code,
                            "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=120)
    assert enrol.returncode == 0, enrol.stderr
    assert core.keys.device_private_key() is None  # the other process destroyed the device key

    after = core.booth.members.register(_form("13912345678", "456"))  # the same open core, never restarted

    for member, phone in ((before, "13812345678"), (after, "13912345678")):
        envelope = core.ledger.sealed_envelope(member.record_id)
        fields = open_sealed(envelope, city.city_key, record_id=member.record_id)
        assert fields["phone"] == phone


def test_a_real_event_whose_configured_city_key_is_not_the_servers_is_not_enrolled(tmp_path, city, capsys,
                                                                                   monkeypatch):
    import io

    from console_helpers import event_config
    from kiosk.app import build_core
    from kiosk.cli import main

    from kiosk.access import ConsoleAccess
    from kiosk.vault import DEMO_COST

    config = event_config(tmp_path, demo=False)  # a city key of its own, not this server's
    core = build_core(data_dir=tmp_path / "data", config_path=config)
    ConsoleAccess(core.ledger, core.booth.vault, cost=DEMO_COST).set_pin("112358")
    code = booth_code(city, core)
    core.close()
    monkeypatch.setattr("sys.stdin", io.StringIO("112358\n"))
    assert main(["enroll", "--server", city.url, "--code", code, "--data-dir", str(tmp_path / "data"),
                 "--config", str(config), "--pin-stdin"]) == 3
    err = capsys.readouterr().err
    assert "sync.city_public_key" in err and "Not enrolled" in err
    core = build_core(data_dir=tmp_path / "data", config_path=config)
    try:
        assert core.ledger.get_meta("sync_token") is None  # nothing saved
    finally:
        core.close()


def test_a_real_event_with_the_servers_city_key_enrols_and_its_first_envelopes_open_there(tmp_path, city):
    from booth_common.sealing import public_key_to_text
    from console_helpers import CITY_PUBLIC_KEY, event_config
    from kiosk.access import ConsoleAccess
    from kiosk.app import build_core
    from kiosk.vault import DEMO_COST

    server_key = public_key_to_text(city.city_key.public_key())
    config = event_config(tmp_path, demo=False, replace=((CITY_PUBLIC_KEY, server_key),))
    core = build_core(data_dir=tmp_path / "data", config_path=config)
    ConsoleAccess(core.ledger, core.booth.vault, cost=DEMO_COST).set_pin("112358")
    before = core.booth.members.register(_form("13812345678", "123"))  # sealed to the city key before enrolment
    code = booth_code(city, core)
    command = [sys.executable, "-m", "kiosk", "enroll", "--server", city.url, "--code", code,
               "--data-dir", str(tmp_path / "data"), "--config", str(config)]
    locked = subprocess.run(command, capture_output=True, text=True, timeout=120)
    enrol = subprocess.run([*command, "--pin-stdin"], input="112358\n", capture_output=True, text=True, timeout=120)
    try:
        assert locked.returncode == 3 and "--pin-stdin" in locked.stderr
        assert enrol.returncode == 0, enrol.stderr
        # the device token is in the ledger wrapped by the vault, never in clear
        token = core.ledger.get_protected_meta("sync_token")
        assert token and token not in core.ledger.get_meta("sync_token")
        raw = b"".join(p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file())
        assert token.encode() not in raw
        envelope = core.ledger.sealed_envelope(before.record_id)
        assert open_sealed(envelope, city.city_key, record_id=before.record_id)["phone"] == "13812345678"
    finally:
        core.close()
