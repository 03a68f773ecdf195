"""Enrolling from another process while the kiosk GUI's core is open loses nothing (issue #12).

The GUI's core stays open in this process, as in a running kiosk; ``kiosk enroll`` runs as a separate
process against the real city server on loopback, swapping the device key for the city's and
destroying the device key. Registrations written by the open core before and after it must both
open with the city's private key.
"""

from __future__ import annotations

import subprocess
import sys

from booth_common.sealing import open_sealed
from booth_common.validation import id_check_char
from kiosk.booth import RegistrationForm
from loopback import booth_code, city  # noqa: F401 (city is a fixture)


def _form(phone: str, serial: str) -> RegistrationForm:
    body = "11010519900307" + serial
    return RegistrationForm(name="王小明", phone=phone, id_number=body + id_check_char(body),
                            occupation="food-delivery", consent_given=True)


def test_a_registration_written_after_enrolment_in_another_process_opens_with_the_city_key(core, city, data_dir):
    before = core.booth.register(_form("13812345678", "123"))
    code = booth_code(city, core)
    enrol = subprocess.run([sys.executable, "-m", "kiosk", "enroll", "--server", city.url, "--code", code,
                            "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=120)
    assert enrol.returncode == 0, enrol.stderr
    assert core.keys.device_private_key() is None  # the other process destroyed the device key

    after = core.booth.register(_form("13912345678", "456"))  # the same open core, never restarted

    for member, phone in ((before, "13812345678"), (after, "13912345678")):
        envelope = core.ledger.sealed_envelope(member.record_id)
        fields = open_sealed(envelope, city.city_key, record_id=member.record_id)
        assert fields["phone"] == phone
