"""First start of a booth device: who runs the booth, where, and the volunteer PIN (or the demo's)."""

from __future__ import annotations

from dataclasses import dataclass

from booth_common import validation
from kiosk.access import ConsoleAccess, check_pin_format
from kiosk.booth import BoothService
from kiosk.errors import BadPin, InvalidInput
from kiosk.config import VENUE_TYPES

# The bundled demo event's volunteer PIN (written in the README): demo booths skip the setup screen
# and the unlock at start. Shorter than a real event's PIN may be (kiosk.access.PIN_MIN): it is public anyway.
DEMO_PIN = "2468"


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


def setup_defaults(service: BoothService) -> BoothSetup:
    """The setup form pre-filled from the configuration (a volunteer mostly confirms)."""
    booth = service.booth
    return BoothSetup(district=booth.district, street=booth.street, organisation=booth.organisation,
                      venue_type=booth.venue_type, booth_name=booth.name)


def check_setup(service: BoothService, setup: BoothSetup) -> list[validation.ValidationError]:
    """Every problem with the form at once (empty list when it can be saved)."""
    errors: list[validation.ValidationError] = []
    for name in ("district", "street", "organisation", "booth_name", "device_name"):
        try:
            validation.validate_free_text(getattr(setup, name), field=name, limit=60, required=True)
        except validation.ValidationError as exc:
            errors.append(exc)
    districts = service.config.registration.districts
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


def apply_setup(service: BoothService, access: ConsoleAccess, setup: BoothSetup) -> None:
    """Check, then store the PIN hash and the booth profile (the setup is kept as a record)."""
    errors = check_setup(service, setup)
    if errors:
        raise InvalidInput(errors)
    access.set_pin(setup.pin)
    profile = {"district": setup.district.strip(), "street": setup.street.strip(),
               "organisation": setup.organisation.strip(), "venue_type": setup.venue_type,
               "name": setup.booth_name.strip(), "name_en": setup.booth_name.strip()}
    service.set_up_booth(profile, device_name=setup.device_name.strip())


def needs_setup(service: BoothService, access: ConsoleAccess) -> bool:
    """A real event goes through setup first; the demo event starts straight away."""
    return not service.config.event.demo and not (service.is_set_up and access.has_pin)


def ensure_demo_pin(service: BoothService, access: ConsoleAccess) -> None:
    """The demo booth's PIN, set once (its vault opened at start); nothing is recorded (the demo booth is the
    configured one). Four digits and public: the demo is marked 演示 on every screen, and no real event
    may run on it (a real event's configuration must carry the city key, and its PIN has six digits or more)."""
    if service.config.event.demo:
        access.set_demo_pin(DEMO_PIN)
