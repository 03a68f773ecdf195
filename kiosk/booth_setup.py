"""First start of a booth device: who runs the booth, where, and the volunteer PIN (or the demo's)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from booth_common import validation
from booth_common.records import Kind, Record
from kiosk.access import ConsoleAccess, check_pin_format
from kiosk.config import VENUE_TYPES, Booth
from kiosk.errors import BadPin, InvalidInput
from kiosk.record_writer import BOOTH_PROFILE_META, Concept

# The bundled demo event's volunteer PIN (written in the README): demo booths skip the setup screen
# and the unlock at start. Shorter than a real event's PIN may be (kiosk.access.PIN_MIN): it is public anyway.
DEMO_PIN = "2468"


class BoothProfile(Concept):
    """The booth as set up on this device (names, district, venue type), else as configured; the console's
    home and setup screens show it, every record carries its booth id."""

    @property
    def booth(self) -> Booth:
        return self.writer.booth

    @property
    def is_set_up(self) -> bool:
        return self.ledger.get_meta(BOOTH_PROFILE_META) is not None

    def set_up(self, profile: dict[str, str], *, device_name: str) -> Record:
        """Store the booth's setup and keep the setup itself as a record."""
        unknown = set(profile) - set(Booth._fields)
        if unknown:
            raise ValueError(f"not booth fields: {sorted(unknown)}")
        record = self.writer.write(Kind.AUDIT, {"action": "booth_setup", "booth": profile,
                                                "device_name": device_name}, subject="booth_setup")
        self.ledger.set_meta("device_name", device_name)
        self.ledger.set_meta(BOOTH_PROFILE_META, json.dumps(profile, ensure_ascii=False, sort_keys=True))
        return record


@dataclass
class BoothSetup:
    """What a volunteer enters on the setup screen."""

    district: str = ""
    street: str = ""
    organisation: str = ""
    venue_type: str = "sub"
    booth_name: str = ""
    device_name: str = ""
    pin: str = ""
    pin_again: str = ""


def setup_defaults(profile: BoothProfile) -> BoothSetup:
    """The setup form pre-filled from the configuration (a volunteer mostly confirms)."""
    booth = profile.booth
    return BoothSetup(district=booth.district, street=booth.street, organisation=booth.organisation,
                      venue_type=booth.venue_type, booth_name=booth.name)


def check_setup(profile: BoothProfile, setup: BoothSetup) -> list[validation.ValidationError]:
    """Every problem with the form at once (empty list when it can be saved)."""
    errors: list[validation.ValidationError] = []
    for name in ("district", "street", "organisation", "booth_name", "device_name"):
        try:
            validation.validate_free_text(getattr(setup, name), field=name, limit=60, required=True)
        except validation.ValidationError as exc:
            errors.append(exc)
    districts = profile.config.registration.districts
    if districts and setup.district.strip() and setup.district.strip() not in districts:
        errors.append(validation.ValidationError("district", "unknown", "请选择列表中的区", "Choose a district from the list"))
    if setup.venue_type not in VENUE_TYPES:
        errors.append(validation.ValidationError("venue_type", "required", "请选择主会场或分会场",
                                                 "Choose main venue or sub-venue"))
    errors += _pin_errors(setup)
    return errors


def _pin_errors(setup: BoothSetup) -> list[validation.ValidationError]:
    try:
        check_pin_format(setup.pin)
    except BadPin as exc:
        return [validation.ValidationError("pin", "format", exc.zh, exc.en)]
    if setup.pin != setup.pin_again:
        return [validation.ValidationError("pin_again", "mismatch", "两次输入的PIN不一致", "The two PINs differ")]
    return []


def apply_setup(profile: BoothProfile, access: ConsoleAccess, setup: BoothSetup) -> None:
    """Check, then store the PIN hash and the booth profile (the setup is kept as a record)."""
    errors = check_setup(profile, setup)
    if errors:
        raise InvalidInput(errors)
    access.set_pin(setup.pin)
    fields = {"district": setup.district.strip(), "street": setup.street.strip(),
               "organisation": setup.organisation.strip(), "venue_type": setup.venue_type,
               "name": setup.booth_name.strip(), "name_en": setup.booth_name.strip()}
    profile.set_up(fields, device_name=setup.device_name.strip())


def needs_setup(profile: BoothProfile, access: ConsoleAccess) -> bool:
    """A real event goes through setup first; the demo event starts straight away."""
    return not profile.config.event.demo and not (profile.is_set_up and access.has_pin)


def ensure_demo_pin(profile: BoothProfile, access: ConsoleAccess) -> None:
    """The demo booth's PIN, set once (its vault opened at start); nothing is recorded (the demo booth is the
    configured one). Four digits and public: the demo is marked 演示 on every screen, and no real event
    may run on it (a real event's configuration must carry the city key, and its PIN has six digits or more)."""
    if profile.config.event.demo:
        access.set_demo_pin(DEMO_PIN)
