"""The volunteer console's screens on the kiosk's displays: landscape, full HD and portrait, both languages, large text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractScrollArea, QBoxLayout, QComboBox, QLabel, QLineEdit,
                               QListWidget, QScrollArea, QWidget)

from kiosk.ui.i18n import Language
from kiosk.ui.screens import Screen
from kiosk.ui.screenshots import screenshot_states
from registration_driver import start_gui, stop_gui

CONSOLE_SCREENS = (Screen.CONSOLE_SETUP, Screen.CONSOLE_PIN, Screen.CONSOLE, Screen.CONSOLE_PIN_CHANGE, Screen.STATION,
                   Screen.DASHBOARD, Screen.MEMBERS, Screen.CONSOLE_ENROL, Screen.EMPLOYERS, Screen.EMPLOYER_MEETING)
SIZES = [pytest.param((1280, 800), id="landscape"), pytest.param((1920, 1080), id="fullhd"),
         pytest.param((800, 1280), id="portrait")]


def settle(gui, size) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):  # a resize is clamped to the previous screen's minimum; the layout follows a round later
        gui.window.resize(*size)
        gui.app.processEvents()


def shown_in_each_presentation(gui, screen, size):  # type: ignore[no-untyped-def]
    """Yields (large, language) with screen shown and laid out at size, for normal and large text in both languages."""
    for large in (False, True):
        gui.presentation.set_large_text(large)
        for language in Language:
            gui.presentation.set_language(language)
            gui.window.show_screen(screen)
            settle(gui, size)
            yield large, language


def clipped_scroll_areas(widget) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """(content's width, visible width) of scroll areas that cut their content off at the side: by what the
    content needs, or by the width it was actually laid out at (a stale layout cut the desks' last column)."""
    return [(max(area.widget().minimumSizeHint().width(), area.widget().width()), area.viewport().width())
            for area in widget.findChildren(QScrollArea)
            if area.isVisible() and max(area.widget().minimumSizeHint().width(), area.widget().width())
            > area.viewport().width()]


def cut_placeholders(widget) -> list[str]:  # type: ignore[no-untyped-def]
    """Placeholders of empty visible fields wider than their field (a reason placeholder read "Reason (req…")."""
    return [f.placeholderText() for f in widget.findChildren(QLineEdit)
            if f.isVisible() and not f.text() and f.placeholderText()
            and f.fontMetrics().horizontalAdvance(f.placeholderText()) > f.width() - 24]


def small_touch_targets(widget) -> list[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    """(text, width, height) of visible buttons, fields and lists smaller than a 48 px touch target."""
    small = []
    for control in widget.findChildren(QAbstractButton) + widget.findChildren(QComboBox) + widget.findChildren(QLineEdit):
        if control.isVisible() and (control.width() < 48 or control.height() < 48):
            small.append((getattr(control, "text", lambda: "")(), control.width(), control.height()))
    return small


# Screens whose scrolled pages come to rest on whole rows: every control whole in view or scrolled to whole.
WHOLE_ROW_SCREENS = (Screen.CONSOLE_SETUP, Screen.EMPLOYER_MEETING)
# Screens whose controls and texts are checked whole and apart (the employer list's visit panel drew its tiles over
# one another and cut its save button at 1280x800 in large text; the console home with a purge result in large
# text at 1280x800 left its desks 68-79 px of their 84 px tiles, every desk cut, none whole; the member lookup with a
# member found, large text, 1280x800, had its back and void buttons cut at the window's bottom edge).
FIT_CHECKED_SCREENS = (*WHOLE_ROW_SCREENS, Screen.EMPLOYERS, Screen.CONSOLE, Screen.MEMBERS)
CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QLabel)


def window_rect(widget, window) -> QRect:  # type: ignore[no-untyped-def]
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def shown_controls(screen) -> list:  # type: ignore[no-untyped-def]
    return [c for c in screen.findChildren(QWidget) if isinstance(c, CONTROLS) and c.isVisible()
            and c.width() > 0 and c.height() > 0 and not isinstance(c.parentWidget(), QAbstractButton)]


def cut_controls(screen, window) -> list[str]:  # type: ignore[no-untyped-def]
    """Controls partly out of the window, or partly out of a scroll area's visible part (wholly out is fine:
    that one is reached by scrolling), measured from their geometry mapped to the window."""
    cut = []
    for control in shown_controls(screen):
        rect = window_rect(control, window)
        views = scroll_views(control, screen, window)
        if any(not view.intersects(rect) for view in views):
            continue  # scrolled wholly out of sight
        if not window.centralWidget().geometry().contains(rect):
            cut.append(f"{control_name(control)} out of the window at {rect}")
        cut += [f"{control_name(control)} cut at the edge of its scroll area: {rect} in {view}"
                for view in views if not view.contains(rect)]
    return cut


def scroll_views(control, screen, window) -> list[QRect]:  # type: ignore[no-untyped-def]
    """The visible parts of the scroll areas ``control`` is in, in the window's coordinates."""
    return [window_rect(a.viewport(), window) for a in ancestors(control, screen) if isinstance(a, QAbstractScrollArea)]


def in_sight(control, screen, window) -> bool:  # type: ignore[no-untyped-def]
    rect = window_rect(control, window)
    return all(view.intersects(rect) for view in scroll_views(control, screen, window))


def ancestors(widget, screen) -> list:  # type: ignore[no-untyped-def]
    found, parent = [], widget.parentWidget()
    while parent is not None and parent is not screen:
        found.append(parent)
        parent = parent.parentWidget()
    return found


def overlapping_controls(screen) -> list[str]:  # type: ignore[no-untyped-def]
    """Visible controls drawn over one another (neither inside the other), from their geometry in the window."""
    window = screen.window()
    controls = [(c, window_rect(c, window)) for c in shown_controls(screen) if in_sight(c, screen, window)]
    return [f"{control_name(a)} over {control_name(b)}" for i, (a, ra) in enumerate(controls)
            for b, rb in controls[i + 1:] if ra.intersects(rb) and not a.isAncestorOf(b) and not b.isAncestorOf(a)]


def cut_list_rows(screen) -> list[str]:  # type: ignore[no-untyped-def]
    """Rows of a visible list partly in its visible part (half a meeting at the follow-up list's bottom edge)."""
    cut = []
    for view in (v for v in screen.findChildren(QListWidget) if v.isVisible()):
        shown = view.viewport().rect()
        for i in range(view.count()):
            rect = view.visualItemRect(view.item(i))
            if rect.intersects(shown) and not shown.contains(rect):
                cut.append(f"row {i} at {rect} in {shown}")
    return cut


def scroll_areas_showing_nothing_whole(screen) -> list[str]:  # type: ignore[no-untyped-def]
    """Visible scroll areas with controls in them none of which is whole in view at rest: a finger finds no whole
    tile or field to tap (the console's desks in 68-79 px of a window's height)."""
    window, empty = screen.window(), []
    for area in (a for a in screen.findChildren(QScrollArea) if a.isVisible()):
        controls = [c for c in area.widget().findChildren(QWidget)
                    if isinstance(c, QAbstractButton | QLineEdit | QComboBox) and c.isVisible()]
        view = window_rect(area.viewport(), window)
        if controls and not any(view.contains(window_rect(c, window)) for c in controls):
            empty.append(f"{len(controls)} controls, none whole in {view}")
    return empty


def control_name(control) -> str:  # type: ignore[no-untyped-def]
    return f"{type(control).__name__} {getattr(control, 'text', lambda: '')()!r}"


def cut_texts(screen) -> list[str]:  # type: ignore[no-untyped-def]
    """Buttons narrower than their text needs (a venue button read "ain venu") and labels cut at the side or the
    bottom (a label read "Volunteer PIN (6-12 digits")."""
    cut = []
    for control in shown_controls(screen):
        if isinstance(control, QAbstractButton) and control.text() and control.sizeHint().width() > control.width() + 1:
            cut.append(f"{control_name(control)} {control.width()} px wide, needs {control.sizeHint().width()}")
        elif isinstance(control, QLabel) and control.text() and control.textFormat() is not Qt.TextFormat.RichText:
            box = control.contentsRect()
            flags = int(control.alignment()) | (int(Qt.TextFlag.TextWordWrap) if control.wordWrap() else 0)
            needs = control.fontMetrics().boundingRect(QRect(0, 0, box.width(), 100_000), flags, control.text())
            if needs.width() > box.width() + 1 or needs.height() > box.height() + 1:
                cut.append(f"{control_name(control)} in {box.width()}x{box.height()} px, needs "
                           f"{needs.width()}x{needs.height()}")
    return cut


def edge_rows_drawn_through(area, window) -> list[str]:  # type: ignore[no-untyped-def]
    """In the window's picture: the first and last pixel rows of the area's visible part must be plain background;
    a control cut at the edge draws its border or fill there."""
    image = window.grab().toImage()
    view = window_rect(area.viewport(), window)
    ratio = image.width() / window.width()
    drawn = []
    for y in (view.top(), view.bottom()):
        colours = {image.pixel(int(x * ratio), int(y * ratio)) for x in range(view.left(), view.right() + 1)}
        if len(colours) > 1:
            drawn.append(f"row {y}: {len(colours)} colours")
    return drawn


def assert_whole_and_reachable(gui, qtbot, screen, where) -> None:  # type: ignore[no-untyped-def]
    """At rest every control is whole in view or wholly out of it; each one out of view is brought whole into view
    by scrolling to it (the page coming to rest by itself), with nothing cut then either, in geometry and pixels."""
    window = gui.window
    areas = [a for a in screen.findChildren(QScrollArea) if a.isVisible()]
    assert areas, where

    def settled(area) -> None:  # type: ignore[no-untyped-def]
        qtbot.waitUntil(lambda: getattr(area, "at_rest", True), timeout=3000)

    for area in areas:
        settled(area)
        assert cut_controls(screen, window) == [], where
        assert edge_rows_drawn_through(area, window) == [], where
        view = window_rect(area.viewport(), window)
        hidden = [c for c in shown_controls(area.widget()) if not view.intersects(window_rect(c, window))]
        for control in hidden:
            if window_rect(area.viewport(), window).contains(window_rect(control, window)):
                continue  # brought into view with one before it
            top = control.mapTo(area.widget(), QPoint(0, 0)).y()
            area.verticalScrollBar().setValue(top)  # moved there (as by a wheel), left to come to rest by itself
            settled(area)
            view = window_rect(area.viewport(), window)
            assert view.contains(window_rect(control, window)), (where, control_name(control), "not reached", top, area.rows(), area.rests, area.verticalScrollBar().value(), area.height())
            assert cut_controls(screen, window) == [], (where, control_name(control))
            assert edge_rows_drawn_through(area, window) == [], (where, control_name(control))
        area.verticalScrollBar().setValue(0)
        settled(area)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
def test_every_console_screen_state_fits_the_kiosk_sizes_in_both_languages(core, tmp_path, qtbot, size, large):
    from kiosk.simulate import simulate

    # meetings to follow up, members to find (the lookup's found state shows one with its correction form)
    simulate(core.booth, members=3, services=0, quiz=0, handouts=0, employers=6, seed=5)
    gui = start_gui(core, tmp_path, size=size)
    window = gui.window
    try:
        gui.presentation.set_large_text(large)
        chrome = window.banner.sizeHint().height() + window.sync_status.sizeHint().height()
        for language in Language:
            gui.presentation.set_language(language)
            for name, which, prepare in screenshot_states(window):
                if which not in CONSOLE_SCREENS:
                    continue
                for widget in window.screens.values():  # go_home() would also undo language and text size
                    widget.wipe()
                window.show_screen(which)
                prepare()
                settle(gui, size)
                assert gui.presentation.narrow == (size[0] < 1000)
                hint = window.screens[which].minimumSizeHint()
                assert hint.width() <= size[0] and hint.height() <= size[1] - chrome, (language, name, hint)
                assert clipped_scroll_areas(window.screens[which]) == [], (language, name)
                assert cut_placeholders(window.screens[which]) == [], (language, name)
                assert small_touch_targets(window.screens[which]) == [], (language, name)
                if which in FIT_CHECKED_SCREENS:
                    assert cut_texts(window.screens[which]) == [], (language, name)
                    assert cut_controls(window.screens[which], window) == [], (language, name)
                    assert overlapping_controls(window.screens[which]) == [], (language, name)
                    assert cut_list_rows(window.screens[which]) == [], (language, name)
                    assert scroll_areas_showing_nothing_whole(window.screens[which]) == [], (language, name)
                if which in WHOLE_ROW_SCREENS:
                    assert_whole_and_reachable(gui, qtbot, window.screens[which], (language, name))
    finally:
        stop_gui(gui)


def test_the_pin_keypad_stands_beside_the_field_on_a_wide_window_and_under_it_on_a_narrow_one(core, tmp_path):
    gui = start_gui(core, tmp_path, size=(1280, 800))
    window = gui.window
    try:
        window.show_screen(Screen.CONSOLE_PIN)
        pin = window.screens[Screen.CONSOLE_PIN]
        home = window.screens[Screen.CONSOLE]
        assert pin.keypad_arrangement.row.direction() is QBoxLayout.Direction.LeftToRight
        assert (home.station_columns, home.device_columns) == (4, 5)
        settle(gui, (800, 1280))
        assert pin.keypad_arrangement.row.direction() is QBoxLayout.Direction.TopToBottom
        assert pin.keypad.geometry().top() > pin.ok_button.geometry().bottom()
        assert (home.station_columns, home.device_columns) == (2, 2)
        settle(gui, (1280, 800))
        gui.presentation.set_large_text(True)
        assert pin.keypad_arrangement.row.direction() is QBoxLayout.Direction.LeftToRight
        assert (home.station_columns, home.device_columns) == (3, 3)
    finally:
        stop_gui(gui)


def test_in_large_text_the_scan_hint_moves_into_the_field_only_where_height_is_short(core, tmp_path):
    gui = start_gui(core, tmp_path, size=(1280, 800))
    station = gui.window.screens[Screen.STATION]
    try:
        gui.presentation.set_large_text(True)
        assert station.scan_hint.isHidden() and station.scan_field.placeholderText() == station.scan_hint.text()
        settle(gui, (800, 1280))  # a portrait window has the height for the hint, and no width for it in the field
        assert not station.scan_hint.isHidden() and station.scan_field.placeholderText() == ""
        gui.presentation.set_large_text(False)
        settle(gui, (1280, 800))
        assert not station.scan_hint.isHidden() and station.scan_field.placeholderText() == ""
    finally:
        stop_gui(gui)


def cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


@pytest.mark.parametrize("size", SIZES)
def test_console_reading_one_back_size_whole_table_rows_english_header_pin_wording(core, tmp_path, size):
    from kiosk.simulate import simulate

    simulate(core.booth, members=20, services=60, quiz=10, handouts=30, seed=3)  # a table with more rows than room
    gui = start_gui(core, tmp_path, size=size)
    window = gui.window
    console = window.screens
    try:
        for language in Language:
            gui.presentation.set_language(language)
            widths = {}
            for which, button in ((Screen.STATION, "back_button"), (Screen.DASHBOARD, "back_button"),
                                  (Screen.MEMBERS, "back_button"), (Screen.CONSOLE_PIN_CHANGE, "back_button"),
                                  (Screen.CONSOLE_ENROL, "back_button"), (Screen.CONSOLE_PIN, "cancel_button"),
                                  (Screen.EMPLOYERS, "back_button"), (Screen.EMPLOYER_MEETING, "back_button")):
                if which is Screen.STATION:
                    home = console[Screen.CONSOLE]
                    console[Screen.STATION].set_station(home.stations[0])
                window.show_screen(which)
                settle(gui, size)
                widget = getattr(console[which], button)
                widths[which] = (widget.width(), widget.height())
            assert len(set(widths.values())) == 1, (language, widths)  # one back-button size
            window.show_screen(Screen.DASHBOARD)
            settle(gui, size)
            table = console[Screen.DASHBOARD].table
            first, last = table.visible_rows()
            assert table.rowViewportPosition(first) == 0
            shown = table.viewport().height() - table.rowViewportPosition(last)
            if shown < table.rowHeight(last):  # only the blank strip above a row's text may show, never its text
                blank = (table.rowHeight(last) - table.fontMetrics().height()) // 2
                assert shown < blank, f"row {last} is cut: {shown} of {table.rowHeight(last)} px shown"
            window.show_screen(Screen.CONSOLE)
            settle(gui, size)
            header = console[Screen.CONSOLE].booth_label.text()
            assert cjk(header) == (language is Language.ZH), header
            if language is Language.EN:
                assert "Chaoyang" in header
            window.show_screen(Screen.CONSOLE_PIN)
            assert "密码" not in console[Screen.CONSOLE_PIN].title.text()
    finally:
        stop_gui(gui)


@pytest.mark.parametrize("size", SIZES)
def test_the_idle_overlay_is_centred_and_fits(core, tmp_path, size):
    gui = start_gui(core, tmp_path, size=size)
    window = gui.window
    try:
        [(_name, screen, prepare)] = [s for s in screenshot_states(window) if s[0] == "idle-overlay"]
        for large in (False, True):
            gui.presentation.set_large_text(large)
            window.show_screen(screen)
            prepare()
            settle(gui, size)
            overlay, box = window.overlay, window.overlay.box
            assert overlay.isVisible() and overlay.geometry() == window.centralWidget().rect()
            centre = box.geometry().center()
            assert abs(centre.x() - overlay.width() / 2) <= 2 and abs(centre.y() - overlay.height() / 2) <= 2
            assert box.width() >= box.minimumSizeHint().width() and box.height() >= box.minimumSizeHint().height()
            assert box.geometry().left() >= 16 and box.geometry().right() <= overlay.width() - 16
            assert small_touch_targets(box) == []
            window.go_home()
    finally:
        stop_gui(gui)


def misplaced_tiles(widget) -> list[str]:  # type: ignore[no-untyped-def]
    """Buttons in a scroll area laid out beyond its content's width or over one another (a stale layout)."""
    bad = []
    for area in widget.findChildren(QScrollArea):
        host = area.widget()
        buttons = [b for b in host.findChildren(QAbstractButton) if b.isVisible()]
        for i, b in enumerate(buttons):
            if b.geometry().right() >= host.width() or b.geometry().left() < 0:
                bad.append(f"{b.text()} beyond the width")
            bad += [f"{b.text()} over {o.text()}" for o in buttons[i + 1:] if b.geometry().intersects(o.geometry())]
    return bad


def test_console_tiles_follow_text_size_and_language_changes_made_while_another_screen_shows(core, tmp_path):
    """As a volunteer turns large text on or switches language on one screen and then goes home: the desks are
    laid out for the window they are in, never with an earlier width (which cut the last column)."""
    gui = start_gui(core, tmp_path, size=(1280, 800))
    window = gui.window
    try:
        for large in (False, True):
            for language in Language:
                for name, which, prepare in screenshot_states(window):
                    if which not in (Screen.CONSOLE_PIN, Screen.CONSOLE):
                        continue
                    window.go_home()
                    gui.presentation.set_language(language)
                    gui.presentation.set_large_text(large)
                    window.show_screen(which)
                    prepare()
                    settle(gui, (1280, 800))
                    assert misplaced_tiles(window.screens[which]) == [], (large, language, name)
    finally:
        stop_gui(gui)


# The joining form's states checked whole and apart, scrolled to every control (the work page's other-employer field
# was half in view at 1280x800 in large text, its street row cut at the bottom edge of a portrait window).
FORM_WHOLE_ROW_STATES = ("register-4-occupation",)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
def test_the_joining_forms_work_page_comes_to_rest_on_whole_rows(core, tmp_path, qtbot, size, large):
    gui = start_gui(core, tmp_path, size=size)
    window = gui.window
    try:
        gui.presentation.set_large_text(large)
        for language in Language:
            gui.presentation.set_language(language)
            for name, which, prepare in screenshot_states(window):
                if name not in FORM_WHOLE_ROW_STATES:
                    continue
                for widget in window.screens.values():
                    widget.wipe()
                window.show_screen(which)
                prepare()
                settle(gui, size)
                screen = window.screens[which]
                assert cut_controls(screen, window) == [], (language, name)
                assert overlapping_controls(screen) == [], (language, name)
                assert scroll_areas_showing_nothing_whole(screen) == [], (language, name)
                assert_whole_and_reachable(gui, qtbot, screen, (language, name))
    finally:
        stop_gui(gui)


@pytest.mark.parametrize("size", SIZES)
def test_the_attract_screen_stands_whole_and_apart_in_both_languages_and_large_text(core, tmp_path, size):
    """At 1280x800 in large text the English title takes two lines; with the toggles in a row of their own
    今日服务 was drawn over the large-text toggle."""
    gui = start_gui(core, tmp_path, size=size)
    window = gui.window
    try:
        for large, language in shown_in_each_presentation(gui, Screen.ATTRACT, size):
            assert overlapping_controls(window.attract) == [], (large, language)
            assert cut_controls(window.attract, window) == [], (large, language)
            assert small_touch_targets(window.attract) == [], (large, language)
    finally:
        stop_gui(gui)


@pytest.mark.parametrize("size", SIZES[:2])  # portrait in large text still cuts the figures' names (docs/console.md)
def test_the_dashboards_figures_and_their_names_are_whole_on_a_wide_window(core, tmp_path, size):
    """In large text at 1280x800, "38 / 20 / 11" beside the quiz's name left it one character wide, cut."""
    from kiosk.simulate import simulate

    simulate(core.booth, members=12, services=10, quiz=30, handouts=5, seed=3)  # figures of two digits
    gui = start_gui(core, tmp_path, size=size)
    window = gui.window
    try:
        for large, language in shown_in_each_presentation(gui, Screen.DASHBOARD, size):
            dashboard = window.screens[Screen.DASHBOARD]
            names = [label for label in dashboard.tile_names.values()]
            assert [t for t in cut_texts(dashboard) if any(repr(n.text()) in t for n in names)] == [], \
                (large, language)
            assert overlapping_controls(dashboard) == [], (large, language)
    finally:
        stop_gui(gui)
