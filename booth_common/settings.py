"""What a setting is — name, environment variable, default, help — for the kiosk's and the server's tables."""

from __future__ import annotations

from typing import NamedTuple


class Setting(NamedTuple):  # not a dataclass: read before the first paint (see kiosk.config)
    name: str
    env: str
    default: str
    help: str
