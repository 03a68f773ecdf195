"""What the city server distributed to this booth (configuration, quiz bank, the event's prize-claim key), as read back.

The sync engine (sync/engine.py) stores each pulled distribution in the ledger's meta as ``pulled:<name>``
(canonical JSON) beside ``pulled:<name>:version``; the live configuration (kiosk/live_config.py) and the quiz
desk (kiosk/quiz.py) read them here.
"""

from __future__ import annotations

import json
from typing import Any, Protocol


class MetaReader(Protocol):
    def get_meta(self, key: str) -> str | None: ...


def pulled_distribution(ledger: MetaReader, name: str) -> tuple[str, Any] | None:
    """(version, content) of a distribution the sync pulled from the city server, if any."""
    content, version = ledger.get_meta(f"pulled:{name}"), ledger.get_meta(f"pulled:{name}:version")
    if content is None or version is None:
        return None
    return version, json.loads(content)
