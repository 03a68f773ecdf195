"""One prize per person per event, city-wide: real kiosks and the real city server on loopback.

Online, the city server refuses a second prize claimed at another booth; offline, the booth decides
alone and the server lists the double claim once the record is synced. The server never sees a phone.
"""

import random
import socket
from functools import partial

import pytest
import requests

from city_helpers import ADMIN_TOKEN, EVENT, Kiosk, admin_city  # noqa: F401 (admin_city is a fixture)
from booth_common.sealing import open_sealed
from booth_common.tokens import new_voucher_token
from kiosk.app import open_ledger
from kiosk.errors import PrizeAlreadyClaimed, PrizeClaimedElsewhere
from kiosk.quiz import build_quiz_desk
from kiosk.simulate import fake_registration
from sync.client import SyncClient
from sync.prize_check import CityPrizeCheck

PHONE, OTHER_PHONE = "13812345678", "13987654321"


@pytest.fixture
def city(admin_city):
    return admin_city


@pytest.fixture
def kiosks(tmp_path, city):
    made = [Kiosk(tmp_path / name, city, booth_id=name) for name in ("cy-wangjing", "sjs-gucheng")]
    for kiosk in made:
        kiosk.sync()  # enrolled and synced once: the event's claim key is pulled with the other updates
    yield made
    for kiosk in made:
        kiosk.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def offline_check(kiosk):
    """The city check through a real socket to a port nobody listens on: the booth is offline."""
    url = f"http://127.0.0.1:{closed_port()}"
    return CityPrizeCheck(partial(open_ledger, kiosk.core.data_dir), make_client=lambda _url, token: SyncClient(
        url, token=token, connect_timeout=0.5, read_timeout=0.5))


def desk_of(kiosk, *, city_check=None, seed=1):
    return build_quiz_desk(kiosk.booth.prizes, kiosk.booth.desks, rng=random.Random(seed),
                           city=city_check or CityPrizeCheck(partial(open_ledger, kiosk.core.data_dir)))


def passed_round(desk):
    quiz_round = desk.new_round()
    while not quiz_round.finished:
        quiz_round.answer(sorted(quiz_round.question().correct))
    return quiz_round


def sealed_claim_keys(city, kiosk, claim):
    """The claim keys of a quiz record: sealed to the city key with it, never in the payload the booth keeps."""
    assert claim.record.data["claim_keys"] == len(claim_keys_of(city, kiosk, claim))
    return claim_keys_of(city, kiosk, claim)


def claim_keys_of(city, kiosk, claim):
    envelope = kiosk.core.ledger.sealed_envelope(claim.record.id)
    keys = open_sealed(envelope, city.city_key, record_id=claim.record.id)["claim_keys"] if envelope else []
    assert not any(key in claim.record.payload for key in keys)
    return keys


def admin_get(city, path):
    return requests.get(city.url + path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10)


def test_online_a_second_prize_at_another_booth_is_refused_by_the_city(city, kiosks):
    wangjing, gucheng = kiosks
    first = desk_of(wangjing).claim_prize(passed_round(desk_of(wangjing)), phone=PHONE)
    assert first.record.data["city_claim"] == "granted" and len(sealed_claim_keys(city, wangjing, first)) == 1
    desk = desk_of(gucheng)
    second_round = passed_round(desk)
    with pytest.raises(PrizeClaimedElsewhere) as err:
        desk.claim_prize(second_round, phone=PHONE)
    assert "其他展位" in err.value.zh and "another booth" in err.value.en
    assert not second_round.recorded  # the round can still be filed without a prize
    other = desk.claim_prize(second_round, phone=OTHER_PHONE)  # another person at that booth: granted
    assert other.record.data["city_claim"] == "granted"
    rows = city.storage.prize_claims(EVENT)
    assert {r["voucher"] for r in rows} == {first.voucher, other.voucher}
    assert {r["booth_id"] for r in rows} == {"cy-wangjing", "sjs-gucheng"}


def test_a_members_phone_claim_also_blocks_their_member_pass_city_wide(city, kiosks):
    wangjing, gucheng = kiosks
    form = fake_registration(random.Random(4), wangjing.booth)
    member = wangjing.booth.members.register(form)
    desk = desk_of(wangjing)
    claim = desk.claim_prize(passed_round(desk), phone=form.phone)
    assert len(sealed_claim_keys(city, wangjing, claim)) == 2     # the phone's key and the member pass's key
    keys = desk_of(gucheng).city_claim_keys(phone=None, member_pass=member.pass_token)
    assert keys == sealed_claim_keys(city, wangjing, claim)[1:]
    check = CityPrizeCheck(partial(open_ledger, gucheng.core.data_dir))
    assert check.claim(voucher=new_voucher_token(), keys=keys) is False


def test_offline_the_booth_decides_and_the_city_lists_the_double_claim_after_sync(city, kiosks):
    wangjing, gucheng = kiosks
    online = desk_of(wangjing).claim_prize(passed_round(desk_of(wangjing)), phone=PHONE)
    wangjing.sync()
    desk = desk_of(gucheng, city_check=offline_check(gucheng))
    offline = desk.claim_prize(passed_round(desk), phone=PHONE)   # the booth cannot ask: its own check decides
    assert offline.record.data["city_claim"] == "offline"
    # same event key, same person
    assert sealed_claim_keys(city, gucheng, offline) == sealed_claim_keys(city, wangjing, online)
    with pytest.raises(PrizeAlreadyClaimed):                       # still one per person at this booth
        desk.claim_prize(passed_round(desk), phone=PHONE)
    before = admin_get(city, f"/v1/admin/events/{EVENT}/double-claims").json()
    assert before["double_claims"] == 0                            # the server has not seen it yet
    gucheng.sync()
    after = admin_get(city, f"/v1/admin/events/{EVENT}/double-claims")
    assert after.status_code == 200
    body = after.json()
    assert body["double_claims"] == 1
    claims = body["claims"][0]["claims"]
    assert [(c["booth_id"], c["voucher"]) for c in claims] == [("cy-wangjing", online.voucher),
                                                                ("sjs-gucheng", offline.voucher)]
    assert claims[0]["decided"] == "online" and claims[1]["decided"] == "offline"


def test_a_voided_offline_claim_is_not_listed(city, kiosks):
    wangjing, gucheng = kiosks
    desk_of(wangjing).claim_prize(passed_round(desk_of(wangjing)), phone=PHONE)
    desk = desk_of(gucheng, city_check=offline_check(gucheng))
    offline = desk.claim_prize(passed_round(desk), phone=PHONE)
    gucheng.booth.corrections.void(offline.record.id, "志愿者发现重复领奖 / volunteer found a double claim")
    gucheng.sync()
    assert admin_get(city, f"/v1/admin/events/{EVENT}/double-claims").json()["double_claims"] == 0


def test_a_booth_that_never_synced_decides_alone_and_says_so(tmp_path, city):
    kiosk = Kiosk(tmp_path / "new", city, booth_id="fs-gongchen")   # enrolled, but no sync yet: no claim key
    try:
        claim = desk_of(kiosk).claim_prize(passed_round(desk_of(kiosk)), phone=PHONE)
        assert claim.record.data["city_claim"] == "no_key" and claim.record.data["claim_keys"] == 0
        assert kiosk.core.ledger.sealed_envelope(claim.record.id) is None
    finally:
        kiosk.close()


def test_the_server_never_holds_the_phone(city, kiosks):
    wangjing, gucheng = kiosks
    desk_of(wangjing).claim_prize(passed_round(desk_of(wangjing)), phone=PHONE)
    desk = desk_of(gucheng, city_check=offline_check(gucheng))
    desk.claim_prize(passed_round(desk), phone=OTHER_PHONE)
    for kiosk in kiosks:
        kiosk.sync()
    dump = city.stored_bytes().decode("utf-8", "replace")
    assert "prize_claims" in dump and PHONE not in dump and OTHER_PHONE not in dump


@pytest.mark.parametrize("body, status", [
    ({"protocol": 1, "event_id": EVENT, "voucher": "UV1-" + "A" * 16, "keys": ["not-a-hash"]}, 422),
    ({"protocol": 1, "event_id": EVENT, "voucher": "UV1-" + "A" * 16, "keys": []}, 422),
    ({"protocol": 1, "event_id": EVENT, "voucher": "UV1-" + "A" * 16, "keys": ["a" * 64] * 5}, 422),
    ({"protocol": 1, "event_id": EVENT, "voucher": "free prize", "keys": ["a" * 64]}, 422),
    ({"protocol": 1, "event_id": "another-event", "voucher": "UV1-" + "A" * 16, "keys": ["a" * 64]}, 403),
])
def test_a_hostile_claim_gets_a_precise_4xx(city, kiosks, body, status):
    token = kiosks[0].enrollment.device_token
    answer = requests.post(city.url + "/v1/prize-claims", json=body, headers={"Authorization": f"Bearer {token}"},
                           timeout=10)
    assert answer.status_code == status, answer.text
    assert requests.post(city.url + "/v1/prize-claims", json=body, timeout=10).status_code == 401
