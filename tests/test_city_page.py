"""The live page in a real browser: the system Chromium (headless, driven by chromedriver) loads the page
from the real server on loopback, shows the right figures, and updates them by itself as booths sync."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from city_helpers import EVENT, Kiosk, publish_demo_config
from kiosk.report import day_figures
from loopback import LiveServer, city  # noqa: F401

SCREENSHOT_DIR = os.environ.get("CITY_PAGE_SCREENSHOTS")   # set it to keep the page's screenshots


# On SQLite only (one_backend, tests/conftest.py): the page in a real browser; its figures run on both databases in
# test_city_numbers.py and test_city_counts.py.
pytestmark = pytest.mark.one_backend


def _browser_binaries() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    assert chromium and driver, "install the Debian packages chromium and chromium-driver (see .ci/run)"
    return chromium, driver


@pytest.fixture
def browser(tmp_path):
    chromium, driver = _browser_binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1366,1600",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}", "--lang=zh-CN"):
        options.add_argument(flag)
    os.environ.setdefault("SE_OFFLINE", "true")   # Selenium Manager must never try to download a browser
    drv = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    drv.set_page_load_timeout(30)
    yield drv
    drv.quit()


@pytest.fixture
def booths(tmp_path, city):
    publish_demo_config(city)
    made = [Kiosk(tmp_path / b, city, booth_id=b) for b in ("cy-wangjing", "sjs-gucheng")]
    made[0].booth.profile.set_up({"district": "朝阳区", "street": "望京街道", "organisation": "望京街道总工会",
                                "venue_type": "main", "name": "望京SOHO主会场"}, device_name="平板1")
    made[1].booth.profile.set_up({"district": "石景山区", "street": "古城街道", "organisation": "古城街道总工会",
                                "venue_type": "sub", "name": "京西大悦城"}, device_name="平板1")
    yield made
    for kiosk in made:
        kiosk.close()


def figure(drv, selector, *, within=None):
    """A figure read in one script call: the page replaces its tables as it refreshes itself, so an
    element found first and read after may already be gone (a stale element)."""
    return int(drv.execute_script(
        "const root = arguments[1] ? document.querySelector(arguments[1]) : document;"
        "return root.querySelector(arguments[0]).textContent.trim();", selector, within))


def text_of(drv, selector):
    return drv.execute_script("return document.querySelector(arguments[0]).textContent;", selector)


def generated_at(drv):
    return drv.execute_script("return document.getElementById('status').getAttribute('data-generated-at');")


def hour_members(drv):
    return drv.execute_script(
        "return [...document.querySelectorAll(\"#hours tbody tr [data-figure='new_members']\")]"
        ".map(cell => parseInt(cell.textContent.trim(), 10));")


def test_the_page_shows_the_day_and_updates_itself(city, browser, booths):
    wangjing, gucheng = booths
    wangjing.busy_day(1, members=7, services=12, quiz=3, handouts=6)
    gucheng.busy_day(2, members=4, services=5, quiz=2, handouts=3)
    for kiosk in booths:
        kiosk.sync()
    browser.get(f"{city.url}/city/{EVENT}?refresh=2")

    own = [day_figures(k.booth.report) for k in booths]
    assert browser.title == "北京市职工沟通会（演示） · 实时数据"
    assert figure(browser, "[data-figure='totals.new_members']") == own[0].new_members + own[1].new_members
    assert figure(browser, "[data-figure='totals.consultations']") == own[0].consultations + own[1].consultations
    assert figure(browser, "[data-figure='totals.handouts']") == own[0].handouts_total + own[1].handouts_total
    assert figure(browser, "[data-figure='totals.main_venues']") == 1
    assert figure(browser, "[data-figure='totals.sub_venues']") == 1
    assert figure(browser, "[data-figure='new_members']", within="tr[data-district='朝阳区']") == own[0].new_members
    assert "中医义诊" in text_of(browser, "#services") or not own[0].service_uses.get("tcm")
    hours = hour_members(browser)
    assert hours and sum(hours) == own[0].new_members + own[1].new_members
    _keep_screenshot(browser, "city-page.png")

    # More workers join at Gucheng; the open page picks the new figures up without a reload.
    before = figure(browser, "[data-figure='totals.new_members']")
    stamp = generated_at(browser)
    gucheng.busy_day(3, members=5, services=0, quiz=0, handouts=0)
    gucheng.sync()
    WebDriverWait(browser, 15, poll_frequency=0.2).until(
        lambda d: figure(d, "[data-figure='totals.new_members']") == before + 5)
    assert figure(browser, "[data-figure='new_members']", within="tr[data-district='石景山区']") \
        == own[1].new_members + 5
    assert generated_at(browser) > stamp
    assert browser.execute_script("return window.performance.getEntriesByType('navigation').length") == 1


def test_the_page_says_when_the_server_is_gone_and_recovers(city, browser, booths):
    booths[0].busy_day(4, members=2, services=2, quiz=0, handouts=0)
    booths[0].sync()
    browser.get(f"{city.url}/city/{EVENT}?refresh=2")
    city.stop()
    WebDriverWait(browser, 15, poll_frequency=0.2).until(
        lambda d: "stale" in d.find_element(By.TAG_NAME, "body").get_attribute("class"))
    assert figure(browser, "[data-figure='totals.new_members']") == 2     # the last figures stay on screen
    city.start()
    WebDriverWait(browser, 15, poll_frequency=0.2).until(
        lambda d: "stale" not in d.find_element(By.TAG_NAME, "body").get_attribute("class"))


def test_index_and_unknown_event_pages(city, browser, booths):
    booths[0].busy_day(5, members=1, services=1, quiz=0, handouts=0)
    booths[0].sync()
    browser.get(f"{city.url}/city")
    link = browser.find_element(By.CSS_SELECTOR, f"tr[data-event='{EVENT}'] a")
    assert link.text == "北京市职工沟通会（演示）"
    link.click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-figure='totals.new_members']"))
    assert figure(browser, "[data-figure='totals.new_members']") == 1
    answer = requests.get(f"{city.url}/city/no-such-event", timeout=10)
    assert answer.status_code == 404 and "未找到活动" in answer.text
    assert requests.get(f"{city.url}/city/{EVENT}?refresh=1", timeout=10).status_code == 422


def _keep_screenshot(drv, name):
    folder = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else Path(tempfile.mkdtemp(prefix="city-page-"))
    folder.mkdir(parents=True, exist_ok=True)
    height = drv.execute_script("return document.documentElement.scrollHeight")
    drv.set_window_size(1366, min(max(height, 800), 4000))
    assert drv.save_screenshot(str(folder / name))
