"""The embedded on-screen keyboard (Qt Virtual Keyboard, Pinyin and English) at the bottom of the window.

``kiosk.ui.input_method.prepare_virtual_keyboard`` must run before the QApplication exists (Qt reads
QT_IM_MODULE once); when the plugin or its QML is missing, nothing is set and text fields use the
system input method.
"""

from __future__ import annotations

import logging
import os

import shiboken6

from PySide6.QtCore import (Q_ARG, QDeadlineTimer, QElapsedTimer, QEvent, QEventLoop, QMetaObject, QObject, QSizeF, Qt,
                            QThread, QTimer, QUrl)
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtQuickWidgets import QQuickWidget
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from kiosk.settings import RESOURCES
from kiosk.ui.i18n import Language
from kiosk.ui.input_method import IM_MODULE
from kiosk.ui.presentation import Presentation

PANEL_QML = RESOURCES / "keyboard" / "panel.qml"
log = logging.getLogger(__name__)


def max_keyboard_width(area: QWidget) -> int:
    """Wide enough for big keys, narrow enough that the keyboard (about 0.31 of its width tall, plus the
    Pinyin candidate bar) leaves most of a landscape screen to the form."""
    height = area.screen().size().height() if area.screen() else 800
    return min(1100, round(height * 1.2))


# No input method may learn what a person types at a kiosk: Qt Virtual Keyboard's Pinyin engine keeps its user
# dictionary off only for ImhSensitiveData (ImhNoPredictiveText alone still saved names to usr_dict.dat).
PRIVATE_HINTS = Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText


def mark_private(field: QWidget | None) -> None:
    """Add the private hints to a text field, keeping its own (digits only, Latin only, ...)."""
    if isinstance(field, QLineEdit) and (field.inputMethodHints() & PRIVATE_HINTS) != PRIVATE_HINTS:
        field.setInputMethodHints(field.inputMethodHints() | PRIVATE_HINTS)


def keep_typing_private(app: QApplication, window: QWidget) -> None:
    """Every text field of the window is private (names, phone, ID, employer, street, search and notes alike),
    and so is any field built later, as it takes focus, before a key reaches it."""
    for field in window.findChildren(QLineEdit):
        mark_private(field)
    app.focusChanged.connect(lambda _old, new: mark_private(new))


def wants_keyboard(widget: QWidget | None) -> bool:
    """Text fields typed on the on-screen keyboard; keypad displays opt out of input methods."""
    return (isinstance(widget, QLineEdit) and not widget.isReadOnly()
            and widget.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled))


class EmbeddedKeyboard(QObject):
    """Puts the InputPanel in ``area`` and shows the area only while a text field is being typed in."""

    def __init__(self, app: QApplication, area: QWidget, presentation: Presentation):
        super().__init__(area)
        self._app = app
        self._area = area
        self._waiting_for_release = False  # a show or hide waits for the finger to lift (_sync_visible)
        self._presentation = presentation
        self.view = QQuickWidget(area)
        self.view.setResizeMode(QQuickWidget.ResizeMode.SizeRootObjectToView)
        # ...and by hand as well (_fit_root): the view's height is set while its area is hidden, and on a real
        # display the root item then stayed 1 px tall, the keyboard drawn above the view (a blank area).
        self.view.installEventFilter(self)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a key tap must leave focus in the text field
        self.view.setSource(QUrl.fromLocalFile(str(PANEL_QML)))
        self.root = self.view.rootObject()
        if self.root is not None:
            self.root.setProperty("maxKeyboardWidth", max_keyboard_width(area))
        area.layout().addWidget(self.view)
        if self.root is None:
            return  # install_keyboard reports it and falls back
        self.root.keyboardHeightChanged.connect(self._fit_height)
        self._fit_height()
        self._paint_page_colour()
        QGuiApplication.inputMethod().visibleChanged.connect(self._sync_visible)
        app.focusChanged.connect(self._focus_changed)
        presentation.changed.connect(self._follow_language)

    @property
    def loaded(self) -> bool:
        return self.view.status() == QQuickWidget.Status.Ready and self.root is not None

    def type_letters(self, letters: str) -> None:
        """Press the keyboard's letter keys, as taps would (for ``kiosk screenshots``)."""
        QMetaObject.invokeMethod(self.root, "typeLetters", Q_ARG("QVariant", letters))

    def settle(self, *, steady_ms: int = 100, timeout_ms: int = 3000) -> None:
        """Run the event loop until the keyboard is shown for a focused text field, or hidden otherwise,
        and its height has not changed for ``steady_ms`` (``kiosk screenshots`` takes its picture then;
        the candidate bar opens in an animation of ~200 ms)."""
        deadline, steady = QDeadlineTimer(timeout_ms), QElapsedTimer()
        steady.start()
        last = -1
        while not deadline.hasExpired():
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
            QThread.msleep(10)
            height = self._area.height() if self._area.isVisible() else 0
            if self._area.isVisible() != wants_keyboard(QApplication.focusWidget()) or height != last:
                last = height
                steady.restart()
            elif steady.hasExpired(steady_ms):
                return

    def _fit_height(self) -> None:
        self.view.setFixedHeight(max(1, round(self.root.property("keyboardHeight"))))
        self._fit_root()

    def _fit_root(self) -> None:
        if self.root is not None and shiboken6.isValid(self.root):  # not while the window is torn down
            self.root.setSize(QSizeF(self.view.size()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.view and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._fit_root()
        elif event.type() == QEvent.Type.MouseButtonRelease and self._waiting_for_release \
                and QGuiApplication.mouseButtons() == Qt.MouseButton.NoButton:
            self._waiting_for_release = False
            self._app.removeEventFilter(self)
            # After the release has reached the button it was pressed on, so its click counts.
            QTimer.singleShot(0, self, self._sync_visible)
        return False

    def _paint_page_colour(self) -> None:
        # Beside a keyboard narrower than the window, the page shows through rather than white bars.
        self._area.ensurePolished()  # the stylesheet's colours reach the palette when polished
        self.view.setClearColor(self._area.palette().color(QPalette.ColorRole.Window))

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        # Qt opens the panel only on a tap inside a focused field; a field focused by the flow needs asking.
        if wants_keyboard(new):
            QGuiApplication.inputMethod().show()
        else:
            QGuiApplication.inputMethod().hide()

    def _sync_visible(self) -> None:
        if QGuiApplication.mouseButtons() != Qt.MouseButton.NoButton:
            # The press that moves focus out of a text field (a tap on 下一步) hides the input method before
            # the press reaches the button. Hidden now, the keyboard's area would give its height to the page,
            # the button would move down under the finger, and the release would land outside it: no click
            # (a tap held as long as a finger's was lost every time on a real X display). The area keeps its
            # place until the finger lifts.
            if not self._waiting_for_release:
                self._waiting_for_release = True
                self._app.installEventFilter(self)  # only while waiting: no Python call for every event
            return
        self._area.setVisible(QGuiApplication.inputMethod().isVisible())
        self._fit_root()
        self._paint_page_colour()

    def _follow_language(self) -> None:
        self._paint_page_colour()
        english = self._presentation.language is Language.EN
        self.root.setProperty("kioskLocale", "en_US" if english else "zh_CN")


def install_keyboard(app: QApplication, area: QWidget, presentation: Presentation) -> EmbeddedKeyboard | None:
    """The embedded keyboard, or None (system input method) when the QML cannot load (e.g. no libpulse0)."""
    if os.environ.get("QT_IM_MODULE") != IM_MODULE:
        return None
    keyboard = EmbeddedKeyboard(app, area, presentation)
    if not keyboard.loaded:
        log.warning("on-screen keyboard unavailable, using the system input method: %s",
                    "; ".join(e.toString() for e in keyboard.view.errors()))
        keyboard.view.deleteLater()
        return None
    return keyboard
