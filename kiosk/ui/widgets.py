"""Shared widgets: the screen base class, QR code, numeric keypads, big buttons and tiles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractScrollArea, QBoxLayout, QGridLayout, QLabel, QLayout,
                               QLayoutItem, QLineEdit, QListWidget, QPushButton, QScrollArea, QScroller,
                               QScrollerProperties,
                               QSizePolicy, QSpacerItem, QStackedWidget, QVBoxLayout, QWidget)

from kiosk.qr import qr_matrix

if TYPE_CHECKING:
    from kiosk.ui.presentation import Presentation


class ScreenBase(QWidget):
    """A screen: sets its texts in ``retranslate`` (called again on every language change)
    and forgets everything a person entered in ``wipe`` (idle timeout, back to the attract screen)."""

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        raise NotImplementedError

    def wipe(self) -> None:
        """Clear every field; screens without input keep the default (nothing to clear)."""

    def on_shown(self) -> None:
        """Called by the main window each time the screen comes to the front."""


def wrap_button_text(text: str, *, width: int = 36) -> str:
    """Line breaks for a button (QPushButton never wraps): ``width`` is in Latin letters, a Chinese
    character counting as two, so a long answer grows the tile downwards instead of the window sideways."""
    import textwrap
    import unicodedata

    def cells(part: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in part)

    if cells(text) <= width:
        return text
    if " " in text:
        return "\n".join(textwrap.wrap(text, width=width))
    lines, line = [], ""
    for char in text:
        if cells(line + char) > width:
            lines.append(line)
            line = ""
        line += char
    return "\n".join([*lines, line])


def big_button(role: str = "", *, parent: QWidget | None = None) -> QPushButton:
    button = QPushButton(parent)
    if role:
        button.setProperty("role", role)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a tap must not steal focus from the field being typed
    return button


def screen_title(*, wrap: bool = False, parent: QWidget | None = None) -> QLabel:
    """A screen's title line: centred, styled as "title" in the stylesheet; ``wrap`` for titles that may not fit."""
    return QLabel(parent, objectName="title", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=wrap)


class PinField(QLineEdit):
    """A volunteer PIN: hidden as typed, and never seen by an input method (no dictionary may learn it; the
    app's own keypad types it). The same on the console's lock, its PIN change and its first setup."""

    def __init__(self, *, max_length: int, centred: bool = False, parent: QWidget | None = None):
        super().__init__(parent, echoMode=QLineEdit.EchoMode.Password, maxLength=max_length)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData
                                 | Qt.InputMethodHint.ImhNoPredictiveText)
        if centred:
            self.setAlignment(Qt.AlignmentFlag.AlignCenter)


def back_button(*, parent: QWidget | None = None) -> QPushButton:
    """The console's one back button: the same size on every screen whatever its text says (role "back" in
    the stylesheet), never stretched across a row."""
    button = big_button("back", parent=parent)
    button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return button


def arrange_in_rows(grid: QGridLayout, widgets: list[QWidget], columns: int, *, stretch: int = 0) -> None:
    """Put ``widgets`` into ``grid`` row by row, ``columns`` a row (again when the window turns narrow or wide);
    ``stretch`` shares the width equally among the columns in use."""
    for widget in widgets:
        grid.removeWidget(widget)
    for i, widget in enumerate(widgets):
        grid.addWidget(widget, i // columns, i % columns)
    if stretch:
        for column in range(max(columns, grid.columnCount())):
            grid.setColumnStretch(column, stretch if column < columns else 0)  # an empty column takes no room


class KeypadArrangement(QObject):
    """The PIN screens' layout: the title on top, under it the fields' column and the keypad. The keypad stands
    beside the column on a wide (landscape) window, which has no height for both stacked in large text, and
    under it on a narrow (portrait) one, which has no width for both side by side."""

    def __init__(self, screen: QWidget, title: QWidget, column: QVBoxLayout, keypad: QWidget, presentation: Presentation):
        super().__init__(screen)
        self._presentation = presentation
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.row.addLayout(column, 1)
        self.row.addSpacing(32)
        self.row.addWidget(keypad, 1)
        self.root = QVBoxLayout(screen)
        self.root.addWidget(title)
        self.root.addLayout(self.row, 1)
        self.arrange()
        presentation.changed.connect(self.arrange)

    def arrange(self) -> None:
        """Follows the window's width (``Presentation.narrow``), never the content's size hint."""
        narrow = self._presentation.narrow
        self.row.setDirection(QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight)
        self.row.setStretch(0, 0 if narrow else 1)  # stacked, the keypad takes the height the column leaves
        side, height = 32 if narrow else 64, 12 if self._presentation.large_text else 24  # large text: 1280x800 is tight
        self.root.setContentsMargins(side, height, side, height)


class CurrentPageStack(QStackedWidget):
    """A stack sized by the page in front, not by its largest page: with the on-screen keyboard open,
    a short page must fit above it even though a keypad page elsewhere in the stack is tall."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.currentChanged.connect(lambda _i: self.updateGeometry())

    def sizeHint(self) -> QSize:  # noqa: N802
        current = self.currentWidget()
        return current.sizeHint() if current else super().sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        current = self.currentWidget()
        return current.minimumSizeHint() if current else super().minimumSizeHint()


class WrappingButton(QPushButton):
    """A big button whose text wraps onto a second line instead of widening the screen
    (a submit button listing what is missing, in English, in large text, on a portrait screen)."""

    def __init__(self, role: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        if role:
            self.setProperty("role", role)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label = QLabel(self, objectName="buttonText", wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 4, 16, 4)
        layout.addWidget(self.label)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt naming)
        self.label.setText(text)
        # The text is drawn by a child label: without this a screen reader would find a nameless button.
        self.setAccessibleName(text.replace("\n", " "))

    def text(self) -> str:
        return self.label.text()

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.minimumSizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = self.layout().minimumSize()
        return QSize(hint.width(), max(hint.height(), 64))


class QrWidget(QWidget):
    """Paints a QR code with QPainter (no Pillow); keeps it square and crisp at any size."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, matrix: list[list[bool]] | None = None):
        super().__init__(parent)
        self._matrix: list[list[bool]] = []
        self.text = ""
        self.setMinimumSize(160, 160)
        self.set_text(text, matrix=matrix)

    def set_text(self, text: str, *, matrix: list[list[bool]] | None = None) -> None:
        """Show the code of ``text``; ``matrix`` when the caller already has it (``kiosk.qr.cached_qr_matrix``)."""
        self.text = text
        self._matrix = matrix if matrix is not None else qr_matrix(text) if text else []
        self.update()

    @property
    def matrix(self) -> list[list[bool]]:
        """The modules painted now (dark True)."""
        return self._matrix

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(240, 240)

    def paintEvent(self, event: QEvent) -> None:  # noqa: N802
        if not self._matrix:
            return
        painter = QPainter(self)
        side = min(self.width(), self.height())
        n = len(self._matrix)
        cell = side / n
        x0 = (self.width() - side) / 2
        y0 = (self.height() - side) / 2
        painter.fillRect(QRectF(x0, y0, side, side), QColor("white"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("black"))
        for r, row in enumerate(self._matrix):
            for c, dark in enumerate(row):
                if dark:
                    # a hair of overlap so no light seams appear between modules when scaled
                    painter.drawRect(QRectF(x0 + c * cell, y0 + r * cell, cell + 0.5, cell + 0.5))
        painter.end()


def group_digits(digits: str, groups: tuple[int, ...]) -> str:
    """``13812345678`` → ``138 1234 5678``: a number shown the way it is written, so it can be checked at a glance."""
    parts, start = [], 0
    for size in groups:
        if start >= len(digits):
            break
        parts.append(digits[start:start + size])
        start += size
    if start < len(digits):
        parts.append(digits[start:])
    return " ".join(parts)


class DigitsField(QLineEdit):
    """A number typed on the app's keypad, shown grouped (``138 1234 5678``); ``text()`` gives the bare number.

    It takes no focus, so no on-screen or system keyboard opens over it."""

    def __init__(self, *, length: int, groups: tuple[int, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.length = length
        self.groups = groups
        self.setMaxLength(length + len(groups))
        self.setObjectName("digits")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def text(self) -> str:
        return super().text().replace(" ", "")

    def setText(self, text: str) -> None:  # noqa: N802 (Qt naming)
        super().setText(group_digits(text.replace(" ", "")[:self.length], self.groups))

    def append(self, char: str) -> None:
        if len(self.text()) < self.length:
            self.setText(self.text() + char)

    def delete_last(self) -> None:
        self.setText(self.text()[:-1])


class NumericKeypad(QWidget):
    """The app's own keypad for digits (and X for ID numbers): the system keyboards lack X.

    Every key has a spoken name (⌫ is 删除); ⌫ repeats while held, and 清空 empties the field."""

    pressed = Signal(str)   # one character
    backspace = Signal()
    cleared = Signal()

    def __init__(self, *, with_x: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setSpacing(8)
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "X" if with_x else "C", "0", "⌫"]
        if with_x:
            keys.append("C")  # the clear key keeps its own row: X took its place
        self.buttons: dict[str, QPushButton] = {}
        for i, key in enumerate(keys):
            button = big_button("key")
            button.setText(key)
            button.clicked.connect(lambda _=False, k=key: self._on_key(k))
            grid.addWidget(button, i // 3, i % 3, 1, 3 if i == 12 else 1)
            self.buttons[key] = button
        erase = self.buttons["⌫"]
        erase.setAutoRepeat(True)  # held down, it keeps deleting, as on a phone
        erase.setAutoRepeatDelay(500)
        erase.setAutoRepeatInterval(120)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.buttons["C"].setText(self.tr("清空"))
        self.buttons["C"].setAccessibleName(self.tr("清空"))
        self.buttons["⌫"].setAccessibleName(self.tr("删除"))
        if "X" in self.buttons:
            self.buttons["X"].setAccessibleName(self.tr("字母X"))

    def _on_key(self, key: str) -> None:
        if key == "⌫":
            self.backspace.emit()
        elif key == "C":
            self.cleared.emit()
        else:
            self.pressed.emit(key)

    def attach(self, field: QLineEdit) -> None:
        """Type into ``field`` (respecting its max length; a ``DigitsField`` keeps its grouping)."""
        if isinstance(field, DigitsField):
            self.pressed.connect(field.append)
            self.backspace.connect(field.delete_last)
        else:
            self.pressed.connect(lambda k: field.insert(k) if len(field.text()) < field.maxLength() else None)
            self.backspace.connect(field.backspace)
        self.cleared.connect(field.clear)


class TouchScrolling(QObject):
    """Kinetic finger scrolling (``QScroller``) for a scroll area, its bar hidden until the content moves.

    The bar takes no width while hidden: a grid of tiles keeps its full width and its right border. While
    the content is dragged or flung (or turned by a mouse wheel) the bar shows where one is, and hides
    again ``hide_after_ms`` after it stops. A swipe that starts on a button still scrolls (QScroller
    takes the press back once the finger moves)."""

    def __init__(self, area: QAbstractScrollArea, *, hide_after_ms: int = 1200, bar: bool = True):
        super().__init__(area)
        self.area, self.bar = area, bar
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        if isinstance(area, QAbstractItemView):
            area.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        self.scroller = QScroller.scroller(area.viewport())
        properties = self.scroller.scrollerProperties()
        properties.setScrollMetric(QScrollerProperties.ScrollMetric.OvershootDragResistanceFactor, 0.3)
        properties.setScrollMetric(QScrollerProperties.ScrollMetric.OvershootScrollDistanceFactor, 0.1)
        self.scroller.setScrollerProperties(properties)
        self.scroller.stateChanged.connect(self._state_changed)
        self._hide = QTimer(self, singleShot=True, interval=hide_after_ms)
        self._hide.timeout.connect(self._hide_bar)
        area.verticalScrollBar().valueChanged.connect(self._moved)

    @property
    def bar_shown(self) -> bool:
        return self.area.verticalScrollBarPolicy() is not Qt.ScrollBarPolicy.ScrollBarAlwaysOff

    def _state_changed(self, state: QScroller.State) -> None:
        if state in (QScroller.State.Dragging, QScroller.State.Scrolling):
            self._moved()

    def _moved(self) -> None:
        if not self.bar or self.area.verticalScrollBar().maximum() <= 0:
            return  # no bar wanted (its width would reflow the content), or everything fits
        self.area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._hide.start()

    def _hide_bar(self) -> None:
        if self.scroller.state() in (QScroller.State.Dragging, QScroller.State.Scrolling):
            self._hide.start()
            return
        self.area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)


def enable_touch_scrolling(area: QAbstractScrollArea, *, bar: bool = True) -> TouchScrolling:
    return TouchScrolling(area, bar=bar)


class TileFlowLayout(QLayout):
    """Tiles of one width, as many a row as the width takes (at most ``max_columns``), the rows balanced (four
    tiles that cannot stand in one row stand two and two). The count follows the width the layout is given, so
    a tile is never cut at the side of its scroll area, whatever the language, text size or window."""

    def __init__(self, *, max_columns: int, spacing: int = 8, parent: QWidget | None = None):
        super().__init__(parent)
        self.max_columns = max_columns
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt naming)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        rows = -(-len(self._shown()) // self.columns(width)) if self._shown() else 0
        return rows * self._row_height() + max(rows - 1, 0) * self.spacing()

    def minimumSize(self) -> QSize:  # noqa: N802
        return QSize(self._tile_width(), self._row_height())  # the height a width gives comes from heightForWidth

    def sizeHint(self) -> QSize:  # noqa: N802
        width = self.max_columns * self._tile_width() + (self.max_columns - 1) * self.spacing()
        return QSize(width, self.heightForWidth(width))

    def columns(self, width: int) -> int:
        """Tiles a row at ``width``: as many as fit, then as few as keep the same number of rows."""
        shown = len(self._shown())
        if not shown:
            return 1
        fit = max(1, min(self.max_columns, shown, (width + self.spacing()) // (self._tile_width() + self.spacing())))
        rows = -(-shown // fit)
        return -(-shown // rows)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        columns, height, gap = self.columns(rect.width()), self._row_height(), self.spacing()
        width = (rect.width() - (columns - 1) * gap) / columns
        for i, item in enumerate(self._shown()):
            row, column = divmod(i, columns)
            left = rect.x() + round(column * (width + gap))
            right = rect.x() + round((column + 1) * (width + gap) - gap)
            item.setGeometry(QRect(left, rect.y() + row * (height + gap), right - left, height))

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _tile_width(self) -> int:
        return max((item.sizeHint().width() for item in self._shown()), default=0)  # its padding is in the hint

    def _row_height(self) -> int:
        return max((item.sizeHint().height() for item in self._shown()), default=0)


class WholeRowsScrollArea(QScrollArea):
    """A page of fields and tiles that a finger scrolls, and that comes to rest on whole rows: at rest no row is
    cut at the top or the bottom edge. A row is a band of the page's controls that overlap in height (a label
    and its field in one cell are one). The area rests with a row's top (half the gap above it) at its top edge,
    and ends its visible part half-way into the gap after the last row that fits whole; the rest of its height
    stays empty until the page moves. The last rest shows the page's end; an empty strip under the page lets
    every rest be reached whatever the visible height."""

    def __init__(self, page: QWidget, parent: QWidget | None = None):
        super().__init__(parent, widgetResizable=True)
        self.page = page
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(page)
        self._pad = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        column.addItem(self._pad)
        self.setWidget(holder)
        self.touch_scrolling = enable_touch_scrolling(self)
        self.rests: list[int] = [0]
        self._rested_at = 0
        self._settle_soon = QTimer(self, singleShot=True, interval=0)
        self._settle_soon.timeout.connect(self.settle)
        self.touch_scrolling.scroller.stateChanged.connect(lambda _state: self._schedule())
        self.verticalScrollBar().valueChanged.connect(lambda _value: self._schedule(later=True))
        holder.installEventFilter(self)
        page.installEventFilter(self)
        self._focused: QWidget | None = None  # a field just focused: the next rest shows it (keyboard opening)
        for field in page.findChildren(QLineEdit):
            field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
            self._focused = watched
            self._schedule()
        elif event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest, QEvent.Type.Show):
            self._schedule()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        shrunk = event.oldSize().height() > event.size().height()  # the keyboard opened under the page
        if shrunk and self.page.focusWidget() is not None and self.page.focusWidget().hasFocus():
            self._focused = self.page.focusWidget()  # keep the field being typed in in view
        self._schedule()

    @property
    def at_rest(self) -> bool:
        """No finger, fling or pending settle moving the page."""
        return self.touch_scrolling.scroller.state() is QScroller.State.Inactive and not self._settle_soon.isActive()

    def _schedule(self, *, later: bool = False) -> None:
        if later and self._settle_soon.isActive() and self._settle_soon.interval() == 0:
            return  # a settle for a new layout is due now: a move meanwhile must not put it off
        self._settle_soon.start(150 if later else 0)  # a wheel or a program moved it: settle once it stops

    def rows(self) -> list[tuple[int, int]]:
        """(top, bottom) of each band of the page's visible controls, in the page's coordinates, top down; a band
        of headings only (labels) goes with the band under it, never left alone at the bottom edge."""
        spans = sorted((w.mapTo(self.page, QPoint(0, 0)).y(), w.mapTo(self.page, QPoint(0, w.height())).y(),
                        isinstance(w, QLabel))
                       for w in self.page.findChildren(QWidget)
                       if w.isVisibleTo(self.page) and w.width() > 0 and w.height() > 0 and not _holder(w))
        rows: list[list] = []  # [top, bottom, headings only]
        for top, bottom, heading in spans:
            if rows and (top < rows[-1][1] or rows[-1][2]):
                rows[-1][1:] = [max(rows[-1][1], bottom), rows[-1][2] and heading and top < rows[-1][1]]
            else:
                rows.append([top, bottom, heading])
        return [(top, bottom) for top, bottom, _heading in rows]

    def settle(self) -> None:
        """Come to rest on the nearest whole-row position and end the visible part after the last whole row."""
        if self.touch_scrolling.scroller.state() is not QScroller.State.Inactive or not self.isVisible():
            return
        full = self.height() - 2 * self.frameWidth()
        rows = self.rows()
        if not rows or full <= 0:
            self._rest_at(0, full, pad=0)
            return
        end = rows[-1][1] + min(self.page.layout().contentsMargins().bottom() if self.page.layout() else 0, 12)
        cuts = [(below + above) // 2 for (_t, below), (above, _b) in zip(rows, rows[1:])] + [end]
        starts = [0] + cuts[:-1]
        last = next(i for i, start in enumerate(starts) if end - start <= full or i == len(starts) - 1)
        self.rests = starts[:last + 1]
        start = self._rest_for(self.verticalScrollBar().value())
        if self._focused is not None and self._focused.hasFocus() and self.page.isAncestorOf(self._focused):
            start = self._rest_showing(self._focused, full, cuts)
        self._focused = None
        whole = [cut for cut in cuts if start < cut <= start + full]
        shown = full if not whole or whole[-1] == end else whole[-1] - start
        self._rest_at(start, shown, pad=max(0, self.rests[-1] + full - end))

    def _rest_showing(self, field: QWidget, full: int, cuts: list[int]) -> int:
        """The rest that shows ``field``'s row whole with the most of the page above it (the field being typed in
        stays in sight as the on-screen keyboard takes the height under the page)."""
        top = field.mapTo(self.page, QPoint(0, 0)).y()
        end = next((cut for cut in cuts if cut >= top + field.height()), cuts[-1])
        above = [rest for rest in self.rests if rest <= top] or [0]
        return next((rest for rest in above if end - rest <= full), above[-1])

    def _rest_for(self, value: int) -> int:
        """The rest at or above ``value``, so a row cut at the top edge comes whole into view; a page moved down
        by less than a row (a wheel's step) goes on to the next rest rather than back."""
        start = max((rest for rest in self.rests if rest <= value), default=0)
        if start == self._rested_at and value > start:
            start = next((rest for rest in self.rests if rest > start), start)
        return start

    def _rest_at(self, start: int, shown: int, *, pad: int) -> None:
        self._rested_at = start
        full = self.height() - 2 * self.frameWidth()
        if self._pad.sizeHint().height() != pad:
            self._pad.changeSize(0, pad, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
            self.widget().layout().invalidate()
        if self.viewportMargins().bottom() != full - shown:
            self.setViewportMargins(0, 0, 0, max(0, full - shown))
        self.touch_scrolling.scroller.setSnapPositionsY([float(rest) for rest in self.rests])
        if self.verticalScrollBar().value() != start:
            self.verticalScrollBar().setValue(start)

    def refit(self) -> None:
        """Lay the page out again now for the present width (large text or a language set while it was hidden)
        and come to rest."""
        holder = self.widget()
        for layout in [holder.layout(), *holder.findChildren(QLayout)]:
            layout.invalidate()
        holder.layout().activate()
        width = self.viewport().width()
        needed = holder.heightForWidth(width) if holder.hasHeightForWidth() else holder.minimumSizeHint().height()
        holder.resize(width, max(self.viewport().height(), needed))
        self.settle()


def _holder(widget: QWidget) -> bool:
    """A plain widget that only lays out others (a section of a page): its rows are its controls', not its own
    height (a button drawing its text with a child label is a control)."""
    return widget.layout() is not None and not isinstance(widget, QAbstractButton)


class WholeRowsList(QListWidget):
    """A list of rows of one height whose visible part holds whole rows only (what is left of its height stays
    empty, never half a row), scrolled by a finger and stopping on a row."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.touch_scrolling = enable_touch_scrolling(self)

    def fit_rows(self) -> None:
        row = self.sizeHintForRow(0) if self.count() else 0
        full = self.height() - 2 * self.frameWidth()
        cut = full - max(1, full // row) * row if row > 0 and self.count() * row > full else 0
        if self.viewportMargins().bottom() != max(0, cut):
            self.setViewportMargins(0, 0, 0, max(0, cut))
        if row > 0:
            self.touch_scrolling.scroller.setSnapPositionsY(0.0, float(row))

    def resizeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit_rows()
