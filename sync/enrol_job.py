"""Enrolment from the volunteer console: the code typed or scanned, the outcome in both languages.

The console's screen only collects the text and shows the outcome; everything else happens here,
in a worker thread: the enrolment QR's text is parsed (``booth_common.protocol.parse_enrolment_qr``),
the server is the one the QR code names, else the one typed, else the configuration's; the ledger is
opened in the calling thread (sqlite3 connections belong to their thread) and ``enroll_device`` runs
as for ``kiosk enroll``: the same checks (the configured booth and event), the same safe retry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from booth_common.protocol import (EnrollmentMismatch, EnrollmentRefused, SyncError, TransientError,
                                   parse_enrolment_qr)
from booth_common.sealing import KeyRing
from kiosk.ledger import Ledger
from sync.enrollment import EnrollingClient, enroll_device


@dataclass(frozen=True)
class EnrolOutcome:
    ok: bool
    zh: str
    en: str
    booth_id: str = ""
    event_id: str = ""


class EnrolJob:
    """One enrolment attempt per ``run``; built by the composition root, run off the GUI thread."""

    def __init__(self, open_ledger: Callable[[], Ledger], keys: KeyRing, *, booth_id: str, event_id: str,
                 default_server: str, make_client: Callable[[str], EnrollingClient]):
        self.open_ledger, self.keys, self.make_client = open_ledger, keys, make_client
        self.booth_id, self.event_id, self.default_server = booth_id, event_id, default_server

    def run(self, scanned: str, typed_server: str = "") -> EnrolOutcome:
        code, qr_server = parse_enrolment_qr(scanned)
        server = (qr_server or typed_server or self.default_server).strip()
        if not code:
            return EnrolOutcome(False, "请输入或扫描注册码。", "Type or scan the enrolment code.")
        if not server:
            return EnrolOutcome(False, "请填写城市服务器的地址（https://…）。",
                                "Fill in the city server's address (https://…).")
        try:
            client = self.make_client(server)
        except ValueError as exc:
            return EnrolOutcome(False, f"服务器地址不可用：{exc}", f"The server address cannot be used: {exc}")
        try:
            with self.open_ledger() as ledger:
                enrolled = enroll_device(ledger, self.keys, client, server_url=getattr(client, "base_url", server),
                                         code=code,
                                         booth_id=self.booth_id, event_id=self.event_id)
        except EnrollmentMismatch as exc:
            zh, _, en = str(exc).partition(" / ")
            return EnrolOutcome(False, zh, en)
        except EnrollmentRefused as exc:
            return EnrolOutcome(False, f"注册被拒绝：{exc}", f"Enrolment refused: {exc}")
        except TransientError as exc:
            return EnrolOutcome(False, f"连不上城市服务器，请稍后再试（再试不会多用注册码）：{exc}",
                                f"Cannot reach the city server; try again (a retry does not use up the code): {exc}")
        except SyncError as exc:
            return EnrolOutcome(False, f"注册未完成：{exc}", f"Enrolment did not complete: {exc}")
        finally:
            close = getattr(client, "close", None)
            if close:
                close()
        return EnrolOutcome(True, f"本机已注册：展位 {enrolled.booth_id}，活动 {enrolled.event_id}。",
                            f"This device is enrolled: booth {enrolled.booth_id}, event {enrolled.event_id}.",
                            enrolled.booth_id, enrolled.event_id)

