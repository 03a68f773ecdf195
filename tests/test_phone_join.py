"""Joining on one's own phone: the city server's /join page in a real headless Chromium at 360×740, the booth's
minute token, duplicates city-wide, rate limits in the database, and the new member in the numbers and the export."""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import pytest
import requests
from city_helpers import EVENT, Kiosk, publish_demo_config
from loopback import city  # noqa: F401
from registration_driver import WORKER, human_pace_s, valid_id
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions  # noqa: F401
from selenium.webdriver.support.ui import WebDriverWait

from booth_common.join_token import join_token
from booth_common.sealing import Opener
from kiosk.membership import RegistrationForm
from sync.server.join import PER_CLIENT
from sync.server.members import collect_members

BOOTH = "cy-wangjing"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
KEEP_SCREENSHOTS = os.environ.get("PHONE_JOIN_SCREENSHOTS") == "1"   # rewrite docs/screenshots/phone-*.png


@pytest.fixture
def booth(tmp_path, city):
    publish_demo_config(city)
    kiosk = Kiosk(tmp_path / "kiosk", city, booth_id=BOOTH, name="望京SOHO主会场")
    # Where the booth stands, as the city union registered it (kiosk-server new-booth --district ...).
    city.storage.set_booth_place(booth_id=BOOTH, district="朝阳区", street="望京街道", organisation="望京街道总工会",
                                 venue_type="main", at="2026-11-25T01:00:00.000Z")
    yield kiosk
    kiosk.close()


def join_url(city, kiosk, *, minutes_ago: float = 0, lang: str = "") -> str:
    token = join_token(kiosk.enrollment.join_secret, event_id=EVENT, booth_id=BOOTH, now=time.time() - minutes_ago * 60)
    return f"{city.url}/join/{EVENT}/{BOOTH}?t={token}" + (f"&lang={lang}" if lang else "")


def phone_rows(city) -> list[dict]:
    return [r for r in city.storage.record_rows() if r["device_id"] == f"phone:{BOOTH}"]


@pytest.fixture
def phone(tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    assert chromium and driver, "install the Debian packages chromium and chromium-driver (see .ci/run)"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}", "--lang=zh-CN"):
        options.add_argument(flag)
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 2}})
    os.environ.setdefault("SE_OFFLINE", "true")
    drv = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    drv.set_page_load_timeout(30)
    yield drv
    drv.quit()


def shot(drv, name: str) -> None:
    """A full-page picture of what the phone shows (kept in docs/screenshots when asked)."""
    if not KEEP_SCREENSHOTS:
        return
    import base64

    height = drv.execute_script("return document.documentElement.scrollHeight")
    picture = drv.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": 360, "height": max(740, height), "scale": 1}})
    (SCREENSHOTS / f"phone-{name}.png").write_bytes(base64.b64decode(picture["data"]))


def fits_the_width(drv) -> bool:
    return drv.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def press(drv, element) -> None:
    """Tap a control that submits the page, and wait until a new page has replaced it and finished loading.

    A click may return before the navigation, and anything asked of the old page meanwhile can fail with
    Chrome's "Node with given id does not belong to the document" (not a StaleElementReference, so
    Selenium's staleness_of lets it through). So the old page is marked, and the wait asks the browser until
    an unmarked page is complete, treating any error mid-navigation as "not yet"."""
    drv.execute_script("window.__pressed_from = true")
    element.click()

    def answered(d) -> bool:  # type: ignore[no-untyped-def]
        try:
            return d.execute_script("return window.__pressed_from !== true && document.readyState === 'complete'")
        except WebDriverException:
            return False

    WebDriverWait(drv, 15).until(answered)


def fill(drv, *, name=WORKER["name"], phone_number=WORKER["phone"], id_number=WORKER["id_number"], occupation="courier"):
    for field, value in (("name", name), ("phone", phone_number), ("id_number", id_number)):
        drv.find_element(By.ID, field).send_keys(value)
    if occupation:
        drv.find_element(By.CSS_SELECTOR, f"label[for='occ-{occupation}']").click()
    press(drv, drv.find_element(By.ID, "submit"))   # the answer page has replaced the form


@pytest.mark.parametrize("lang", ["", "en"])
def test_a_worker_joins_on_a_phone_and_counts_for_the_booth(city, booth, phone, lang):
    phone.get(join_url(city, booth, lang=lang))
    notice = phone.find_element(By.ID, "notice").text
    assert ("谁收集" in notice and "望京街道总工会" in notice) if not lang else "Who collects" in notice
    assert fits_the_width(phone)
    shot(phone, f"{lang or 'zh'}-1-notice")
    press(phone, phone.find_element(By.ID, "agree"))
    assert fits_the_width(phone)
    shot(phone, f"{lang or 'zh'}-2-form")
    fill(phone)
    assert phone.find_element(By.ID, "pass").is_displayed()
    shot(phone, f"{lang or 'zh'}-3-pass")

    [row] = phone_rows(city)
    assert row["booth_id"] == BOOTH and row["event_id"] == EVENT and row["kind"] == "registration"
    personal = Opener(city.city_key).open(row["sealed"], record_id=row["id"])
    assert (personal["name"], personal["phone"], personal["id_number"]) == (WORKER["name"], WORKER["phone"],
                                                                            WORKER["id_number"])
    for secret in WORKER.values():
        assert secret not in row["payload"]
    token = phone.find_element(By.ID, "pass-token").text
    assert token in row["payload"] and WORKER["phone"] not in token
    members, problems = collect_members(city.storage, EVENT, city_key=city.city_key)
    assert problems == [] and [(m["booth_id"], m["phone"], m["occupation"]) for m in members] == [
        (BOOTH, WORKER["phone"], "courier")]
    numbers = requests.get(f"{city.url}/v1/numbers/{EVENT}", timeout=10).json()
    assert numbers["totals"]["new_members"] == 1
    [own] = [b for b in numbers["by_booth"] if b["booth_id"] == BOOTH]
    assert own["new_members"] == 1   # the booth's own figure, not only the city's


@pytest.mark.parametrize("field, value, message", [
    ("name", "王1", "姓名只能包含汉字、字母和间隔号“·”"),
    ("phone_number", "12345678901", "不是有效的中国大陆手机号（应以13–19开头）"),
    ("id_number", valid_id()[:17] + ("1" if valid_id()[17] != "1" else "2"), "身份证号校验位不符，请核对每一位"),
    ("id_number", valid_id(birth="20150101"), "入会须年满16周岁"),
    ("occupation", "", "请选择职业"),
])
@pytest.mark.one_backend
def test_each_invalid_field_is_refused_with_the_kiosks_message(city, booth, phone, field, value, message):
    phone.get(join_url(city, booth))
    press(phone, phone.find_element(By.ID, "agree"))
    fill(phone, **{field: value})
    shown = phone.find_element(By.CSS_SELECTOR, f"#error-{field.removesuffix('_number') if field == 'phone_number' else field}")
    assert shown.text == message
    assert phone_rows(city) == []
    if field == "name":
        shot(phone, "zh-2-form-error")
        phone.get(join_url(city, booth, lang="en"))
        press(phone, phone.find_element(By.ID, "agree"))
        fill(phone, name=value)
        assert phone.find_element(By.ID, "error-name").text == "A name may contain Chinese characters, letters and the middle dot '·' only"
        shot(phone, "en-2-form-error")


@pytest.mark.one_backend
def test_an_expired_code_is_refused_with_a_clear_message(city, booth, phone):
    phone.get(join_url(city, booth, minutes_ago=11))
    assert "二维码已过期" in phone.find_element(By.ID, "refusal").text
    shot(phone, "zh-expired")
    phone.get(join_url(city, booth, minutes_ago=11, lang="en"))
    assert "expired" in phone.find_element(By.ID, "refusal").text
    shot(phone, "en-expired")
    answer = requests.post(f"{city.url}/join/{EVENT}/{BOOTH}", timeout=10, data={
        "t": join_url(city, booth, minutes_ago=11).split("t=")[1], "name": WORKER["name"]})
    assert answer.status_code == 403 and phone_rows(city) == []
    forged = requests.get(f"{city.url}/join/{EVENT}/{BOOTH}?t={int(time.time() // 60)}-{'0' * 16}", timeout=10)
    assert forged.status_code == 403 and "二维码无效" in forged.text


@pytest.mark.parametrize("same_phone", [True, False])
def test_a_member_from_a_kiosk_is_answered_with_a_masked_already_registered(city, booth, phone, same_phone):
    booth.booth.members.register(RegistrationForm(**WORKER, occupation="courier", consent_given=True))
    booth.sync()
    phone.get(join_url(city, booth))
    press(phone, phone.find_element(By.ID, "agree"))
    fill(phone, phone_number=WORKER["phone"] if same_phone else "13912345678")
    assert phone.find_element(By.ID, "already").text == "您已登记"
    shown = phone.find_element(By.ID, "member").text
    assert "*" in shown and WORKER["phone"] not in shown and WORKER["name"] not in shown
    matched = phone.find_element(By.ID, "matched").get_attribute("data-matched")
    assert matched == ("id_number phone" if same_phone else "id_number")
    assert bool(phone.find_elements(By.ID, "pass")) is same_phone   # the pass only when both numbers match
    shot(phone, "zh-already" if same_phone else "zh-already-id")
    phone.get(join_url(city, booth, lang="en"))
    press(phone, phone.find_element(By.ID, "agree"))
    fill(phone, phone_number=WORKER["phone"] if same_phone else "13912345678")
    assert phone.find_element(By.ID, "already").text == "You are already registered"
    shot(phone, "en-already" if same_phone else "en-already-id")
    assert phone_rows(city) == []
    members, _ = collect_members(city.storage, EVENT, city_key=city.city_key)
    assert len(members) == 1
    if not same_phone:   # 返回修改证件号: the form again with what was typed, the ID number's field first
        phone.get(join_url(city, booth))
        press(phone, phone.find_element(By.ID, "agree"))
        fill(phone, phone_number="13912345678")
        back = phone.find_element(By.ID, "back")
        assert back.text == "返回修改证件号"
        press(phone, back)
        assert phone.find_element(By.ID, "name").get_attribute("value") == WORKER["name"]
        assert phone.switch_to.active_element.get_attribute("id") == "id_number"


def test_a_second_phone_join_of_the_same_person_makes_no_second_member(city, booth):
    token = join_url(city, booth).split("t=")[1]
    form = {"t": token, "consent": "2026-11-v2", "oath": "1", "name": WORKER["name"], "phone": WORKER["phone"],
            "id_number": WORKER["id_number"], "occupation": "courier"}
    first = requests.post(f"{city.url}/join/{EVENT}/{BOOTH}", data=form, timeout=10)
    assert first.status_code == 200 and 'id="pass"' in first.text
    again = requests.post(f"{city.url}/join/{EVENT}/{BOOTH}", data={**form, "phone": "13912345678"}, timeout=10)
    assert 'id="already"' in again.text and len(phone_rows(city)) == 1


def test_submissions_are_limited_per_client_in_the_database(city, booth):
    token = join_url(city, booth).split("t=")[1]
    answers = [requests.post(f"{city.url}/join/{EVENT}/{BOOTH}", data={"t": token, "name": "王"}, timeout=10).status_code
               for _ in range(PER_CLIENT + 1)]
    assert answers[:PER_CLIENT] == [422] * PER_CLIENT and answers[-1] == 429
    with city.storage.backend.reading() as db:
        held = db.execute("SELECT count(*) FROM join_attempts").fetchone()[0]
    assert held == 2 * PER_CLIENT   # one row per scope (booth and client) per counted submission


@pytest.mark.one_backend
def test_hostile_input_gets_a_4xx_never_a_500(city, booth):
    url = f"{city.url}/join/{EVENT}/{BOOTH}"
    token = join_url(city, booth).split("t=")[1]
    for body in (b"\xff\xfe", b"t=" + token.encode() + b"&name=" + b"A" * 100_000, b"&&&==",
                 ("t=" + token + "&id_number=" + "1" * 5000).encode()):
        assert requests.post(url, data=body, timeout=10,
                             headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code < 500
    assert requests.get(f"{city.url}/join/{EVENT}/no-such-booth?t=x", timeout=10).status_code == 404
    assert requests.get(f"{url}?t=" + "9" * 5000, timeout=10).status_code == 403
    page = requests.get(join_url(city, booth), timeout=10)
    assert "script-src" not in page.headers["Content-Security-Policy"] and "form-action 'self'" in \
        page.headers["Content-Security-Policy"] and "<script" not in page.text and "http" not in page.text.split("<body>")[1]


@pytest.mark.one_backend
def test_the_enrolled_kiosks_attract_code_leads_to_the_join_page_and_changes_each_minute(city, booth, qtbot, tmp_path):
    from registration_driver import start_gui, stop_gui

    from booth_common.join_token import TokenVerdict, check_join_token
    from kiosk.ui.screens import Screen

    gui = start_gui(booth.core, tmp_path)
    try:
        link = gui.window.attract.qr.text
        assert link.startswith(f"{city.url}/join/{EVENT}/{BOOTH}?t=")
        token = link.split("t=")[1]
        assert check_join_token(token, booth.enrollment.join_secret, event_id=EVENT, booth_id=BOOTH) is TokenVerdict.OK
        page = requests.get(link, timeout=10)   # what a phone that scanned the code opens
        assert page.status_code == 200 and "个人信息告知" in page.text
        assert gui.window.current is Screen.ATTRACT
    finally:
        stop_gui(gui)


@pytest.mark.one_backend
def test_the_configured_join_url_stays_possible(city, booth, tmp_path):
    import tomllib

    from registration_driver import start_gui, stop_gui

    from kiosk.app import build_core
    from kiosk.settings import DEMO_CONFIG

    config = tmp_path / "event.toml"
    shutil.copy(DEMO_CONFIG.parent / "quiz-bank.toml", tmp_path)
    config.write_text(DEMO_CONFIG.read_text(encoding="utf-8").replace(
        'join_url = "https://example.org/join"', 'join_url = "https://example.org/join"\nphone_join = "join_url"'),
        encoding="utf-8")
    assert tomllib.loads(config.read_text(encoding="utf-8"))["registration"]["phone_join"] == "join_url"
    core = build_core(data_dir=tmp_path / "other", config_path=config)
    core.ledger.set_meta("sync_server_url", city.url)
    core.ledger.set_meta("join_secret", booth.enrollment.join_secret)
    gui = start_gui(core, tmp_path)
    try:
        assert gui.window.attract.qr.text.startswith("https://example.org/join?")
    finally:
        stop_gui(gui)
        core.close()


@pytest.mark.one_backend
def test_time_to_join_on_a_phone_at_human_pace(city, booth, phone):
    """The taps a person makes on the phone, counted while the real page is driven: opening the scanned link,
    我已阅读并同意，继续, each of the three fields, the digit layer of the phone keyboard for the ID number (it may
    end in X, so its field takes the full keyboard), the occupation tile and the submit button."""
    taps = 1   # the link the phone's camera shows after the scan
    phone.get(join_url(city, booth))
    press(phone, phone.find_element(By.ID, "agree"))
    taps += 1
    for field, value in (("name", WORKER["name"]), ("phone", WORKER["phone"]), ("id_number", WORKER["id_number"])):
        phone.find_element(By.ID, field).click()
        phone.find_element(By.ID, field).send_keys(value)
        taps += 1
    taps += 1   # the keyboard's 123 key for the ID number's digits
    phone.find_element(By.CSS_SELECTOR, "label[for='occ-courier']").click()
    press(phone, phone.find_element(By.ID, "submit"))
    taps += 2
    assert phone.find_element(By.ID, "pass").is_displayed()
    keys = len(WORKER["phone"]) + len(WORKER["id_number"])
    # 8 × 0.8 + 29 × 0.5 + 12 × 0.35 + 0.8 = 25.9 s (the kiosk: 24.3 s); scrolling the form not counted.
    assert human_pace_s(taps=taps, keypad_keys=keys) == pytest.approx(25.9)


def test_submissions_are_limited_per_booth_too(city, booth):
    from sync.server.storage import JoinStorage

    store = JoinStorage(city.storage)
    limits = lambda client: {f"booth:{BOOTH}": 3, f"client:{client}": 10}   # noqa: E731
    assert [store.count_attempt(limits(f"10.0.0.{i}"), now=1000.0 + i, window_s=600) for i in range(4)] == [
        None, None, None, f"booth:{BOOTH}"]   # four phones, one booth: the fourth is refused
    assert store.count_attempt(limits("10.0.0.9"), now=1700.0, window_s=600) is None   # the window moved on


@pytest.mark.one_backend
def test_the_notice_names_the_organisation_the_booth_was_set_up_with(tmp_path, city):
    """A booth registered without a place, set up on its console: the notice names its organisation (PIPL: who
    collects) once the setup has synced."""
    publish_demo_config(city)
    kiosk = Kiosk(tmp_path / "kiosk", city, booth_id="sjs-gucheng")
    try:
        kiosk.booth.profile.set_up({"district": "石景山区", "street": "古城街道", "organisation": "古城街道总工会",
                                  "venue_type": "sub", "name": "京西大悦城"}, device_name="平板1")
        kiosk.sync()
        token = join_token(kiosk.enrollment.join_secret, event_id=EVENT, booth_id="sjs-gucheng")
        page = requests.get(f"{city.url}/join/{EVENT}/sjs-gucheng?t={token}", timeout=10)
        assert "谁收集：</strong> 古城街道总工会" in page.text and "京西大悦城" in page.text
    finally:
        kiosk.close()
