"""Enrolment is safe: a device id is taken over by no one, a revoked device stays revoked until an admin
resets it, a retry after a lost answer spends nothing, and a kiosk is never enrolled for another booth or
event than its configuration names (real server on loopback; a real proxy process drops answers)."""

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from city_helpers import hand_record
from kiosk.cli import main as kiosk_main
from kiosk.simulate import simulate
from loopback import booth_code, city  # noqa: F401 (city is a fixture)
from sync.server.accounts import create_booth
from sync.server.cli import main as server_main

TESTS = Path(__file__).parent


def enrol(city, code, device_id, *, proof=None, **claims):
    headers = {"Authorization": f"Bearer {proof}"} if proof else {}
    return requests.post(city.url + "/v1/enroll", json={"protocol": 1, "code": code, "device_id": device_id, **claims},
                         headers=headers, timeout=10)


def held(city, token):
    return requests.get(city.url + "/v1/devices/me/held", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def uses_left(city):
    with city.storage.backend.reading() as db:
        return {booth: n for booth, n in db.execute("SELECT booth_id, uses_left FROM enrollment_codes").fetchall()}


def device_booth(city, device_id):
    with city.storage.backend.reading() as db:
        return db.execute("SELECT booth_id, revoked_at FROM devices WHERE device_id = ?", [device_id]).fetchone()


def reset(city, device_id):
    return server_main(["--database", str(city.settings.database), "--city-key", str(city.settings.city_key),
                        "reset-device", "--device", device_id])


def test_a_live_code_cannot_take_over_an_enrolled_device(city):
    own = create_booth(city.storage, booth_id="b-1", event_id="ev-1", name="A")
    other = create_booth(city.storage, booth_id="b-2", event_id="ev-1", name="B")
    token = enrol(city, own, "dev-a").json()["device_token"]
    assert held(city, token).status_code == 200

    answer = enrol(city, other, "dev-a")
    assert answer.status_code == 409
    assert "dev-a is already enrolled (booth b-1)" in answer.json()["detail"]
    assert "reset-device" in answer.json()["detail"]
    assert enrol(city, own, "dev-a").status_code == 409      # its own code, once its token is in use, neither
    assert held(city, token).status_code == 200               # the device keeps its token and its booth
    assert device_booth(city, "dev-a") == ("b-1", None)
    assert uses_left(city) == {"b-1": 2, "b-2": 3}


def test_the_device_itself_re_enrols_with_its_token_as_proof(city):
    first = create_booth(city.storage, booth_id="b-1", event_id="ev-1", name="A")
    moved = create_booth(city.storage, booth_id="b-2", event_id="ev-1", name="B")
    old = enrol(city, first, "dev-a").json()["device_token"]
    held(city, old)
    assert enrol(city, moved, "dev-a", proof="kdt1_not-its-token").status_code == 409
    answer = enrol(city, moved, "dev-a", proof=old)
    assert answer.status_code == 200 and answer.json()["booth_id"] == "b-2"
    assert held(city, old).status_code == 401 and held(city, answer.json()["device_token"]).status_code == 200


def test_a_revoked_device_stays_revoked_until_an_admin_resets_it(city, capsys):
    code = create_booth(city.storage, booth_id="b-1", event_id="ev-1", name="A")
    token = enrol(city, code, "dev-a").json()["device_token"]
    city.storage.revoke(device_id="dev-a", at="2026-11-25T00:00:00.000Z")
    fresh = create_booth(city.storage, booth_id="b-2", event_id="ev-1", name="B")
    for attempt in (enrol(city, fresh, "dev-a"), enrol(city, fresh, "dev-a", proof=token), enrol(city, code, "dev-a")):
        assert attempt.status_code == 403 and "revoked" in attempt.json()["detail"]
        assert "kiosk-server reset-device --device dev-a" in attempt.json()["detail"]
    assert held(city, token).status_code == 401 and device_booth(city, "dev-a")[1] is not None

    assert reset(city, "dev-a") == 0 and "dev-a reset" in capsys.readouterr().out
    assert reset(city, "dev-a") == 1 and "no enrolled device dev-a" in capsys.readouterr().err
    answer = enrol(city, fresh, "dev-a")
    assert answer.status_code == 200 and held(city, answer.json()["device_token"]).status_code == 200
    assert held(city, token).status_code == 401


def test_a_retry_after_a_lost_answer_gives_the_same_enrolment_and_spends_nothing(core, city, data_dir):
    simulate(core.booth, members=2, services=3, quiz=0, handouts=0, seed=2)
    code = booth_code(city, core, devices=1)       # a one-device booth: a second spend would lock it out
    device_id, booth_id = core.ledger.device_id, core.config.booth.id
    core.close()
    proxy = subprocess.Popen([sys.executable, str(TESTS / "proxy_process.py"), str(city.port), "cut", "cut"],
                             stdout=subprocess.PIPE, text=True)
    try:
        port = int(proxy.stdout.readline())
        via_proxy = ["enroll", "--server", f"http://127.0.0.1:{port}", "--code", code, "--data-dir", str(data_dir)]
        for _ in range(2):      # the server enrols, the answer is lost on the way back
            assert kiosk_main(via_proxy) == 4
            assert device_booth(city, device_id) == (booth_id, None) and uses_left(city) == {booth_id: 0}
        assert kiosk_main(via_proxy) == 0
        assert uses_left(city) == {booth_id: 0}
        assert kiosk_main(["sync", "--once", "--data-dir", str(data_dir)]) == 0    # through the proxy, now passing
    finally:
        proxy.kill()
        proxy.wait()
    assert len(city.storage.record_rows(device_id=device_id)) == 6   # 5 records and the enrolment audit


def test_an_unused_retry_is_refused_once_the_token_is_in_use(city):
    code = create_booth(city.storage, booth_id="b-1", event_id="ev-1", name="A", devices=1)
    first = enrol(city, code, "dev-a").json()["device_token"]
    again = enrol(city, code, "dev-a")
    assert again.status_code == 200 and held(city, first).status_code == 401   # the lost answer's token is void
    assert held(city, again.json()["device_token"]).status_code == 200
    assert enrol(city, code, "dev-a").status_code == 409


def first_used_at(city, device_id):
    with city.storage.backend.reading() as db:
        return db.execute("SELECT first_used_at FROM devices WHERE device_id = ?", [device_id]).fetchone()[0]


def pushed(token, device_id, records):
    return {"headers": {"Authorization": f"Bearer {token}"},
            "json": {"protocol": 1, "device_id": device_id, "records": records}}


@pytest.mark.parametrize("records, status", [
    ([hand_record("dev-a", 1, kind="service_use", event_id="ev-1"),
      hand_record("dev-a", 2, kind="consultation", event_id="ev-1")], 200),
    ([hand_record("dev-a", 1, kind="service_use", event_id="ev-1", record_id="same"),
      hand_record("dev-a", 2, kind="service_use", event_id="ev-1", record_id="same")], 422),
    ([hand_record("dev-b", 1, kind="service_use", event_id="ev-1")], 403),
], ids=["accepted", "refused-duplicate-ids", "refused-other-device"])
def test_a_first_push_is_noted_as_the_tokens_first_use_before_it_is_answered(city, records, status):
    # The push waits for the note together with its records (one group commit), a refused push too:
    # once any answer is out, the code that enrolled the device no longer enrols it again.
    code = create_booth(city.storage, booth_id="b-1", event_id="ev-1", name="A", devices=1)
    token = enrol(city, code, "dev-a").json()["device_token"]
    assert first_used_at(city, "dev-a") is None
    answer = requests.post(city.url + "/v1/records", timeout=10, **pushed(token, "dev-a", records))
    assert answer.status_code == status, answer.text
    assert first_used_at(city, "dev-a") is not None
    stored = {r["id"] for r in city.storage.record_rows(device_id="dev-a")}
    assert stored == ({r["id"] for r in records} if status == 200 else set())
    assert enrol(city, code, "dev-a").status_code == 409
    assert held(city, token).status_code == 200


@pytest.mark.parametrize("claims, words", [
    ({"booth_id": "b-9", "event_id": "ev-1"}, "names booth b-9 of event ev-1"),
    ({"booth_id": "b-1", "event_id": "ev-2"}, "names booth b-1 of event ev-2"),
])
def test_the_server_refuses_an_enrolment_for_another_booth_or_event_than_configured(city, claims, words):
    code = create_booth(city.storage, booth_id="b-1", event_id="ev-1", name="A")
    answer = enrol(city, code, "dev-a", **claims)
    assert answer.status_code == 409
    assert answer.json()["detail"] == f"this code enrols booth b-1 of event ev-1; the kiosk's configuration {words}"
    assert uses_left(city) == {"b-1": 3} and device_booth(city, "dev-a") is None


def test_kiosk_enroll_refuses_a_code_of_another_booth_naming_both_in_both_languages(core, city, data_dir, capsys):
    event = core.config.event.id
    code = create_booth(city.storage, booth_id="sjs-gucheng", event_id=event, name="古城")
    own = core.config.booth.id
    core.close()
    assert kiosk_main(["enroll", "--server", city.url, "--code", code, "--data-dir", str(data_dir)]) == 3
    err = capsys.readouterr().err
    assert f"此注册码属于活动 {event} 的展位 sjs-gucheng，本机配置的是活动 {event} 的展位 {own}" in err
    assert f"This code enrols booth sjs-gucheng of event {event}; this kiosk's configuration names booth {own}" in err
    assert uses_left(city) == {"sjs-gucheng": 3}
    assert kiosk_main(["sync", "--once", "--data-dir", str(data_dir)]) == 3    # still not enrolled


def test_a_kiosk_re_enrols_itself_with_its_token_sent_only_to_the_server_that_issued_it(core, city):
    from booth_common.protocol import EnrollmentRefused
    from loopback import FaultProxy
    from sync.client import SyncClient
    from sync.enrollment import enroll_device

    first = enroll_device(core.ledger, core.keys, SyncClient(city.url), server_url=city.url,
                          code=booth_code(city, core))
    assert held(city, first.device_token).status_code == 200           # the token is in use now
    elsewhere = FaultProxy(city.port)                                   # the same server under another address
    try:
        with pytest.raises(EnrollmentRefused, match="already enrolled"):
            enroll_device(core.ledger, core.keys, SyncClient(elsewhere.url), server_url=elsewhere.url,
                          code=booth_code(city, core))
    finally:
        elsewhere.close()
    again = enroll_device(core.ledger, core.keys, SyncClient(city.url), server_url=city.url,
                          code=booth_code(city, core))                  # its own server: the token proves it
    assert held(city, again.device_token).status_code == 200 and held(city, first.device_token).status_code == 401
