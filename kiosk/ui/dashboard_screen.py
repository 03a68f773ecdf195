"""The live dashboard: the day's figures (the same ``DayFigures`` as the report), a per-hour chart, export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (QBoxLayout, QFileDialog, QFrame, QGridLayout, QHeaderView, QLabel, QProgressBar,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from kiosk.report import DayFigures, DayReport, day_figures, export_in_own_process
from kiosk.ui.background import BackgroundTask, run_in_background
from kiosk.ui.presentation import Presentation
from kiosk.ui.widgets import ScreenBase, arrange_in_rows, back_button, big_button, enable_touch_scrolling, screen_title

TILES = ("new_members", "consultations", "service_items", "handouts_total", "quiz", "card_requests", "sync")


Y_TICKS = 5
CHART_MIN_HEIGHT_PX = 220
TABLE_MIN_HEIGHT_PX = 180
PROGRESS_STEPS = 1000


class ExportFolder:
    """Where the day report goes (a USB stick, usually); a class method so tests can replace the dialog."""

    @classmethod
    def ask(cls, parent: QWidget, default: Path) -> Path | None:
        title = QCoreApplication.translate("ExportFolder", "选择导出文件夹")
        chosen = QFileDialog.getExistingDirectory(parent, title, str(default))
        return Path(chosen) if chosen else None


class WholeRowsTable(QTableWidget):
    """The per-item table: its rows share the visible height so that it ends on a row's edge (never half a
    row cut off at the bottom), and a finger scrolls it, stopping on a row."""

    MIN_ROW_PX = 40

    def __init__(self, rows: int, columns: int, parent: QWidget | None = None):
        super().__init__(rows, columns, parent)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.touch_scrolling = enable_touch_scrolling(self)

    def fit_rows(self) -> None:
        height, rows = self.viewport().height(), self.rowCount()
        if height <= 0 or rows == 0:
            return
        fits = max(1, height // self.MIN_ROW_PX)
        row = self.MIN_ROW_PX if rows <= fits else height // fits
        self.verticalHeader().setDefaultSectionSize(row)
        self.touch_scrolling.scroller.setSnapPositionsY(0.0, float(row))

    def visible_rows(self) -> tuple[int, int]:
        """(first, last) row at least partly in view, for tests: each should be whole."""
        top, bottom = self.rowAt(0), self.rowAt(self.viewport().height() - 1)
        return top, (bottom if bottom >= 0 else self.rowCount() - 1)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().resizeEvent(event)
        self.fit_rows()


class DashboardScreen(ScreenBase):
    back_requested = Signal()
    exported = Signal(object)  # Path
    export_failed = Signal(str)  # the reason shown
    idle_return = False

    def __init__(self, report: DayReport, presentation: Presentation, *, export_dir: Path,
                 refresh_ms: int = 5000, parent: QWidget | None = None):
        super().__init__(parent)
        self._report, self._presentation, self._export_dir = report, presentation, export_dir
        self.figures: DayFigures | None = None
        self.sync_text = ""
        self.title = screen_title()
        self.tile_names = {key: QLabel(objectName="tileName", wordWrap=True) for key in TILES}
        self.tile_values = {key: QLabel(objectName="figure") for key in TILES}
        self.table = WholeRowsTable(0, 3)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()  # the item's name takes what the figures leave: no header cut
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)  # figures to read, nothing to pick
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.chart = QChart()
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self._build_chart()
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(CHART_MIN_HEIGHT_PX)  # readable bars and axis labels, also in portrait
        self.table.setMinimumHeight(TABLE_MIN_HEIGHT_PX)  # a header and at least three whole rows
        self.csv_button, self.xlsx_button = big_button("primary"), big_button("primary")
        self.csv_button.clicked.connect(lambda: self.export("csv"))
        self.xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        self.message = QLabel(objectName="result", wordWrap=True, visible=False)  # only with an export's result
        self.progress = QProgressBar(visible=False)
        # Its room is kept while hidden: showing it must not lay the chart out anew (80 ms seen at a
        # million records' export start, the GUI thread's longest stall).
        policy = self.progress.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.progress.setSizePolicy(policy)
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setTextVisible(False)  # its first text paint cost ~60 ms; the bar's fill says enough
        self.progress.setAccessibleName(self.tr("导出进度"))
        self.export_task: BackgroundTask | None = None
        self.back_button = back_button()
        self.back_button.clicked.connect(self.back_requested)
        self._timer = QTimer(self, interval=refresh_ms)
        self._timer.timeout.connect(self.refresh)
        self._build_layout()
        self._narrow: bool | None = None
        self._follow_window_shape()
        presentation.changed.connect(self._follow_window_shape)
        self.retranslate()

    def _build_layout(self) -> None:
        self.tiles = tiles = QGridLayout()
        self.tile_boxes: list[QBoxLayout] = []
        self.tile_cards: list[QFrame] = []
        for i, key in enumerate(TILES):
            card = QFrame(objectName="card")
            box = QBoxLayout(QBoxLayout.Direction.LeftToRight, card)
            box.addWidget(self.tile_names[key], 1)
            box.addWidget(self.tile_values[key], 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tile_boxes.append(box)
            self.tile_cards.append(card)
        self.middle = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.middle.addWidget(self.table, 1)
        self.middle.addWidget(self.chart_view, 1)
        self.bottom = QGridLayout()
        root = QVBoxLayout(self)
        root.setContentsMargins(24, 8, 24, 8)
        root.addWidget(self.title)
        root.addLayout(tiles)
        root.addLayout(self.middle, 1)
        root.addWidget(self.progress)
        root.addLayout(self.bottom)

    @property
    def tile_columns(self) -> int:
        """Four figures a row; three on a narrow window in large text, where a name needs the width."""
        return 3 if self._presentation.narrow and self._presentation.large_text else 4

    def _follow_window_shape(self) -> None:
        """Table beside chart, each figure beside its name and the buttons in one row on a wide window; on a narrow
        (portrait) one, which has no width for them, the chart under the table and the buttons one under another. The choice follows the window's width, never the content's size hint."""
        narrow, large = self._presentation.narrow, self._presentation.large_text
        arrange_in_rows(self.tiles, self.tile_cards, self.tile_columns, stretch=1)
        # Figure beside its name on a wide window (height is short), under it on a narrow one; in large text the
        # figures of three numbers (quiz, sync) stand under their names too: beside them, "38 / 20 / 11" left the
        # quiz's name one character wide at 1280x800, cut at the top and bottom.
        for key, box in zip(TILES, self.tile_boxes, strict=True):
            stacked = narrow or (large and key in ("quiz", "sync"))
            box.setDirection(QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight)
        if narrow == self._narrow:
            return
        self._narrow = narrow
        self.middle.setDirection(QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight)
        for widget in (self.back_button, self.message, self.csv_button, self.xlsx_button):
            self.bottom.removeWidget(widget)
        if narrow:
            cells = ((self.message, 0, 0, 1, 1), (self.csv_button, 1, 0, 1, 1), (self.xlsx_button, 2, 0, 1, 1),
                     (self.back_button, 3, 0, 1, 1))
            stretches = (1, 0, 0, 0)
        else:
            # the message (an export's path can be long) on a row of its own, above the buttons
            cells = ((self.message, 0, 0, 1, 4), (self.back_button, 1, 0, 1, 1), (self.csv_button, 1, 2, 1, 1),
                     (self.xlsx_button, 1, 3, 1, 1))
            stretches = (0, 1, 0, 0)
        for widget, *cell in cells:
            self.bottom.addWidget(widget, *cell)
        for column, stretch in enumerate(stretches):
            self.bottom.setColumnStretch(column, stretch)

    def retranslate(self) -> None:
        self.title.setText(self.tr("今日数据"))
        names = {"new_members": self.tr("发展会员"), "consultations": self.tr("咨询人次（含各项服务）"),
                 "service_items": self.tr("服务项目数"), "handouts_total": self.tr("发放宣传品及礼品"),
                 "quiz": self.tr("有奖答题 人次 / 通过 / 奖品"), "card_requests": self.tr("互助服务卡申请"),
                 "sync": self.tr("同步：待上传 / 需处理")}
        for key, text in names.items():
            self.tile_names[key].setText(text)
        self.table.setHorizontalHeaderLabels([self.tr("项目"), self.tr("人次 / 已发"), self.tr("库存剩余")])
        self.chart.setTitle(self.tr("每小时人次（北京时间）"))
        self.visits_bars.setLabel(self.tr("咨询与服务"))
        self.members_bars.setLabel(self.tr("新会员"))
        self.csv_button.setText(self.tr("导出日报 CSV"))
        self.xlsx_button.setText(self.tr("导出日报 Excel"))
        self.back_button.setText(self.tr("返回控制台"))
        if self.isVisible():  # a hidden screen reads the ledger when shown, not on every language change
            self.refresh()

    # -- figures ------------------------------------------------------------------------

    def refresh(self) -> None:
        self.figures = f = day_figures(self._report)
        values = {"new_members": f.new_members, "consultations": f.consultations, "service_items": f.service_items,
                  "handouts_total": f.handouts_total, "quiz": f"{f.quiz_attempts} / {f.quiz_passed} / {f.prizes_claimed}",
                  "card_requests": f.card_requests, "sync": f"{f.pending} / {f.needs_attention}"}
        for key, value in values.items():
            self.tile_values[key].setText(str(value))
        self.tile_values["sync"].setToolTip(self.sync_text)
        self._fill_table(f)
        self._fill_chart(f)

    def set_sync_state(self, text: str) -> None:
        """The sync runner's latest word (shown under the sync tile)."""
        self.sync_text = text
        self.tile_names["sync"].setText(self.tr("同步：待上传 / 需处理") + (f"\n{text}" if text else ""))

    def _fill_table(self, f: DayFigures) -> None:
        p, config = self._presentation, self._report.config
        rows = [(p.pick(s.name, s.name_en), f.service_uses[s.id], "", False) for s in config.services]
        rows += [(p.pick(h.name, h.name_en), f.handouts[h.id], f.stock_left[h.id], f.stock_left[h.id] <= h.low_stock)
                 for h in config.handouts]
        self.table.setRowCount(len(rows))
        self.table.fit_rows()
        for r, (name, n, left, low) in enumerate(rows):
            cells = (name, str(n), (f"{left} ⚠" if low else str(left)) if left != "" else "")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if low:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(r, c, item)

    def _build_chart(self) -> None:
        """One series and two axes for the screen's life; a refresh only swaps their values
        (removing and re-adding axes leaves stale labels painted in the chart)."""
        self.visits_bars, self.members_bars = QBarSet(""), QBarSet("")
        self.series = QBarSeries()
        self.series.append(self.visits_bars)
        self.series.append(self.members_bars)
        self.chart.addSeries(self.series)
        self.x_axis, self.y_axis = QBarCategoryAxis(), QValueAxis()
        self.y_axis.setLabelFormat("%d")
        self.y_axis.setTickCount(Y_TICKS)
        self.chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.x_axis)
        self.series.attachAxis(self.y_axis)

    def _fill_chart(self, f: DayFigures) -> None:
        hours = sorted(set(f.per_hour_visits) | set(f.per_hour_members)) or ["12:00"]
        for bars, per_hour in ((self.visits_bars, f.per_hour_visits), (self.members_bars, f.per_hour_members)):
            bars.remove(0, bars.count())
            bars.append([per_hour.get(h, 0) for h in hours])
        self.x_axis.setCategories(hours)
        self.y_axis.setRange(0, axis_top(max([0, *f.per_hour_visits.values(), *f.per_hour_members.values()])))

    # -- export -------------------------------------------------------------------------

    def export(self, fmt: str) -> BackgroundTask | None:
        """Write the day report off the GUI thread, a progress bar filling meanwhile; ``exported`` says
        where it went. None when the volunteer cancels the folder choice or an export is under way."""
        if self.export_task is not None:
            return None
        folder = ExportFolder.ask(self, self._export_dir)
        if folder is None:
            return None
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = folder / f"day-report-{self._report.event_id}-{self._report.booth_id}-{stamp}.{fmt}"

        def write(progress):  # type: ignore[no-untyped-def]  # on a pool thread: the work is in a process of its own
            return export_in_own_process(self._report, out, fmt=fmt, progress=progress)

        self._exporting(True)
        # The filling bar says it runs; the message line stays as it is until the result (showing it lays the
        # screen out anew, 100 ms at the start of a million-record export while the worker took the interpreter).
        self.export_task = run_in_background(write, self._export_done, self._export_failed, parent=self,
                                             on_progress=self._export_progress)
        return self.export_task

    def _exporting(self, busy: bool) -> None:
        self.export_task = None
        self.progress.setValue(0)
        self.progress.setVisible(busy)
        for button in (self.csv_button, self.xlsx_button):
            button.setEnabled(not busy)
        # No periodic refresh while an export runs: at a million records a refresh is 20 ms of the GUI
        # thread's own, and 50-120 ms while the export's worker contends for the interpreter lock.
        if busy:
            self._timer.stop()
        elif self.isVisible():
            self._timer.start()

    def _export_progress(self, done: int, total: int) -> None:
        # In thousandths of a fixed range: a changed maximum changes the bar's size hint, and the screen's
        # layout pass that follows (the chart's too) stalled the GUI thread at the export's start.
        self.progress.setValue(done * PROGRESS_STEPS // max(total, 1))

    def _export_done(self, out: Path) -> None:
        # No refresh here: the export changes no figure but the sync tile's pending count, which the next
        # periodic refresh shows; a refresh at a million records was the export's longest GUI stall.
        self._exporting(False)
        self.message.setText(self.tr("已导出：") + str(out))
        self.message.show()
        self.exported.emit(out)

    def _export_failed(self, exc: Exception) -> None:
        self._exporting(False)
        reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"
        self.message.setText(self.tr("导出失败，请检查U盘或文件夹：") + reason)
        self.message.show()
        self.export_failed.emit(reason)

    def on_shown(self) -> None:
        self.refresh()
        self._timer.start()

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        self._timer.stop()  # no refreshing behind another screen
        super().hideEvent(event)

    def wipe(self) -> None:
        self._timer.stop()
        self.message.clear()
        self.message.hide()


def axis_top(peak: int, *, ticks: int = Y_TICKS) -> int:
    """The y axis' top: the peak rounded up so that every tick falls on a whole number (with no
    visits yet, 0 to 4 — not five labels reading 1, 0, 0, 0, 0)."""
    steps = ticks - 1
    return max(1, -(-peak // steps)) * steps
