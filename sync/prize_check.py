"""The quiz desk's city-wide prize check: one short request to the city server, as the saved link allows.

Short timeouts, because a person is waiting at the kiosk: a server that does not answer within a few
seconds leaves the decision to the booth (the claim is then checked again when its record syncs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from booth_common.protocol import TokenRefused
from sync.enrollment import server_link

if TYPE_CHECKING:  # requests loads at the first claim, not when the quiz screen is built
    from kiosk.ledger import Ledger
    from sync.client import SyncClient

CONNECT_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 3.0


class CityPrizeCheck:
    """``QuizDesk``'s ``CityClaims``: asks ``POST /v1/prize-claims`` through the link saved at enrolment."""

    def __init__(self, open_ledger: Callable[[], Ledger], *,
                 make_client: Callable[[str, str], SyncClient] | None = None):
        # A connection of its own at each claim: the quiz screen asks from a pool thread, and an SQLite
        # connection belongs to the thread that made it.
        self._open_ledger = open_ledger
        self._make_client = make_client or _short_client

    def claim(self, *, voucher: str, keys: Sequence[str]) -> bool:
        ledger = self._open_ledger()
        try:
            link = server_link(ledger)
        finally:
            ledger.close()
        if link is None:
            raise TokenRefused("this device is not enrolled: the city-wide check cannot run")
        client = self._make_client(link.url, link.token)
        try:
            return client.claim_prize(link.event_id, voucher=voucher, keys=keys)
        finally:
            client.close()


def _short_client(url: str, token: str) -> SyncClient:
    from sync.client import SyncClient

    return SyncClient(url, token=token, connect_timeout=CONNECT_TIMEOUT_S, read_timeout=READ_TIMEOUT_S)
