"""Helpers of the city-side tests: real kiosks (ledger, service layer, sync engine) talking to a real server."""

from __future__ import annotations

import json
import random
import tomllib
from pathlib import Path

import pytest

from booth_common.records import sha256_hex
from kiosk.app import Core, build_core
from kiosk.settings import DEMO_CONFIG
from kiosk.simulate import fake_registration, simulate
from loopback import FAST, LiveServer, SleepRecorder
from sync.client import SyncClient
from sync.engine import SyncEngine
from sync.enrollment import enroll_device
from sync.server.accounts import create_booth
from sync.server.app import publish_distribution

ADMIN_TOKEN = "city-admin-" + "k" * 24
EVENT = "bj-2026-autumn-demo"     # the bundled demo event's id


@pytest.fixture
def admin_city(tmp_path, new_database):
    """The real city server on loopback, with an admin token set (member export, bundle upload), on each
    database kind."""
    server = LiveServer(tmp_path / "city", database=new_database(tmp_path / "city"), admin_token=ADMIN_TOKEN).start()
    yield server
    server.stop()


class Kiosk:
    """One booth device: its core, enrolled with the city under ``booth_id``, and its sync engine."""

    def __init__(self, folder: Path, city: LiveServer, *, booth_id: str, name: str | None = None):
        self.core: Core = build_core(data_dir=folder, config_path=DEMO_CONFIG)
        code = create_booth(city.storage, booth_id=booth_id, event_id=EVENT, name=name or booth_id)
        direct = SyncClient(city.url)
        self.enrollment = enroll_device(self.core.ledger, self.core.keys, direct, server_url=city.url, code=code)
        direct.close()
        self.client = SyncClient(city.url, token=self.enrollment.device_token, connect_timeout=2.0, read_timeout=10.0)
        self.engine = SyncEngine(self.core.ledger, self.client, policy=FAST, sleep=SleepRecorder())

    @property
    def booth(self):  # type: ignore[no-untyped-def]
        return self.core.booth

    def sync(self) -> None:
        report = self.engine.sync_once(attempts=1, event_id=EVENT)
        assert report.error is None and report.pending == 0, report

    def busy_day(self, seed: int, *, members: int = 6, services: int = 10, quiz: int = 4, handouts: int = 5) -> None:
        simulate(self.booth, members=members, services=services, quiz=quiz, handouts=handouts, seed=seed)

    def register(self, rng: random.Random):  # type: ignore[no-untyped-def]
        return self.booth.members.register(fake_registration(rng, self.booth))

    def close(self) -> None:
        self.client.close()
        self.core.close()


def publish_demo_config(city: LiveServer) -> None:
    """The demo event's configuration, as the city union publishes it (names of services and items)."""
    content = tomllib.loads(DEMO_CONFIG.read_text(encoding="utf-8"))
    publish_distribution(city.storage, event_id=EVENT, name="config", content=content)


def hand_record(device_id: str, seq: int, *, kind: str, booth_id: str = "b-1", subject: str | None = None,
                refers_to: str | None = None, record_id: str | None = None, event_id: str = EVENT,
                captured_at: str = "2026-11-25T04:10:00.000Z", data: dict | None = None) -> dict:
    """A record as pushed, made by hand (for orders of arrival a kiosk would not produce)."""
    record_id = record_id or f"{device_id}-r{seq}"
    body = {"id": record_id, "seq": seq, "kind": kind, "subject": subject, "event_id": event_id,
            "booth_id": booth_id, "device_id": device_id, "captured_at": captured_at, "refers_to": refers_to,
            "data": data or {}}
    payload = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {"id": record_id, "device_id": device_id, "seq": seq, "payload": payload,
            "payload_sha256": sha256_hex(payload), "sealed": None}
