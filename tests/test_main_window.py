"""The kiosk shell as a worker meets it: attract screen, services, language, large text, idle, lock-down."""

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from kiosk.ui.i18n import TS_DIR, Language, untranslated, update_ts
from kiosk.ui.screens import Screen

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def visible_texts(widget):
    texts = [w.text() for w in widget.findChildren(QLabel) if w.isVisibleTo(widget)]
    texts += [w.text() for w in widget.findChildren(QAbstractButton) if w.isVisibleTo(widget)]
    return [t for t in texts if t]


def test_attract_screen_shows_event_booth_actions_and_a_join_code_with_booth_attribution(gui, core):
    attract = gui.window.attract
    assert gui.window.current is Screen.ATTRACT
    assert attract.title.text() == core.config.event.name
    assert attract.booth_label.text() == core.config.booth.name
    assert [b.text() for b in (attract.join_button, attract.quiz_button, attract.services_button)] == \
        ["我要入会", "有奖答题", "今日服务"]
    assert attract.qr.text.startswith(core.config.registration.join_url)
    assert f"booth={core.config.booth.id}" in attract.qr.text and f"event={core.config.event.id}" in attract.qr.text
    assert gui.window.banner.isVisible()  # the demo event says so


def test_services_screen_lists_every_service_with_its_place(gui, core, qtbot):
    gui.window.attract.services_button.click()
    assert gui.window.current is Screen.SERVICES
    texts = visible_texts(gui.window.services)
    for service in core.config.services:
        assert service.name in texts and service.location in texts
    gui.window.services.back_button.click()
    assert gui.window.current is Screen.ATTRACT


def test_language_switch_turns_the_whole_chrome_english_and_back(gui, core):
    gui.window.attract.language_button.click()
    assert gui.presentation.language is Language.EN
    attract = gui.window.attract
    assert attract.join_button.text() == "Join the union"
    assert attract.title.text() == core.config.event.name_en
    assert attract.language_button.text() == "中文"
    chrome = [t for t in visible_texts(gui.window) if t != "中文"]
    assert not [t for t in chrome if CJK.search(t)]
    gui.window.attract.services_button.click()
    assert not [t for t in visible_texts(gui.window.services) if CJK.search(t)]
    gui.presentation.set_language(Language.ZH)
    assert attract.join_button.text() == "我要入会"


def test_large_text_mode_scales_every_font_in_the_stylesheet(gui):
    normal = QApplication.instance().styleSheet()
    gui.window.attract.large_text_button.click()
    large = QApplication.instance().styleSheet()
    sizes = lambda css: [int(n) for n in re.findall(r"(\d+)pt", css)]  # noqa: E731
    assert all(b > a for a, b in zip(sizes(normal), sizes(large), strict=True))
    assert gui.presentation.large_text


def test_idle_shows_still_there_then_wipes_and_returns_home(gui, qtbot):
    gui.window.attract.large_text_button.click()
    gui.presentation.set_language(Language.EN)
    gui.window.attract.services_button.click()
    with qtbot.waitSignal(gui.idle.idle, timeout=3000):
        pass
    assert gui.window.overlay.isVisible()
    with qtbot.waitSignal(gui.window.wiped, timeout=3000):
        pass
    assert gui.window.current is Screen.ATTRACT
    assert gui.presentation.language is Language.ZH and not gui.presentation.large_text


def test_still_there_can_be_answered(gui, qtbot):
    gui.window.attract.services_button.click()
    with qtbot.waitSignal(gui.idle.idle, timeout=3000):
        pass
    gui.window.overlay.stay_button.click()
    assert not gui.window.overlay.isVisible()
    assert gui.window.current is Screen.SERVICES


def test_attract_screen_never_times_out(gui, qtbot):
    """Nothing counts down on the attract screen, even after a touch there: no idle can ever fire."""
    assert gui.window.current is Screen.ATTRACT
    assert not gui.idle.armed and not gui.idle.counting
    qtbot.mouseClick(gui.window.attract, Qt.MouseButton.LeftButton)
    gui.idle.poke()
    assert not gui.idle.armed and not gui.idle.counting and not gui.window.overlay.isVisible()
    gui.window.attract.services_button.click()  # leaving it arms the countdown: the check above can fail
    assert gui.idle.armed and gui.idle.counting


def test_kiosk_mode_refuses_close_requests_until_the_console_allows(core, qtbot, tmp_path):
    from kiosk.app import build_gui

    built = build_gui(core, windowed=False, cache_dir=tmp_path / "cache")
    built.window.show()  # disposed at the end of the test, so not handed to qtbot
    assert built.window.close() is False
    assert built.window.isVisible()
    built.window.allow_close()
    assert built.window.close() is True
    built.dispose()


def test_kiosk_language_setting_starts_in_english(core, qtbot, tmp_path, monkeypatch):
    from kiosk.app import build_gui

    monkeypatch.setenv("KIOSK_LANGUAGE", "en_US")
    built = build_gui(core, windowed=True, cache_dir=tmp_path / "cache")
    assert built.window.attract.join_button.text() == "Join the union"
    built.presentation.default_language = Language.ZH
    built.dispose()


def test_every_string_in_the_code_has_an_english_translation(tmp_path):
    for ts in TS_DIR.glob("kiosk_*.ts"):
        fresh = tmp_path / ts.name
        fresh.write_bytes(ts.read_bytes())
        update_ts(fresh)  # picks up any tr() added to the code since the .ts was last refreshed
        assert untranslated(fresh) == []


def test_every_source_string_is_chinese(tmp_path):
    import xml.etree.ElementTree as ET

    fresh = tmp_path / "kiosk_en_US.ts"
    fresh.write_bytes((TS_DIR / "kiosk_en_US.ts").read_bytes())
    update_ts(fresh)
    sources = [m.findtext("source") for m in ET.parse(fresh).getroot().iter("message")]
    allowed_non_chinese = {"English"}  # the language switch shows the other language's name
    assert [s for s in sources if not CJK.search(s) and s not in allowed_non_chinese] == []


def test_the_join_code_follows_a_changed_join_url_across_restarts(core, qtbot, tmp_path):
    from kiosk.app import build_shell
    from kiosk.qr import qr_matrix

    def attract_code(config):
        shell = build_shell(config, windowed=True, cache_dir=tmp_path / "cache")
        qtbot.addWidget(shell.window)
        code = shell.window.attract.qr
        matrix, text = code._matrix, code.text
        shell.dispose()
        return matrix, text

    first, first_text = attract_code(core.config)
    moved = core.config._replace(registration=core.config.registration._replace(join_url="https://j.example.cn/new"))
    second, second_text = attract_code(moved)  # a restart on the new configuration, same cache folder
    assert second_text.startswith("https://j.example.cn/new?event=")
    assert second == qr_matrix(second_text) != first == qr_matrix(first_text)
    assert attract_code(moved)[0] == second  # and read back from the cache on the next start
