"""The timeline under the map: reports per hour, and a time window that filters the map and the
list together.

Drag across the bars to choose a window, drag the window to move it, drag its edges to resize,
double-click to show all times again. Play steps the window forward an hour at a time.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from PySide6.QtCore import QEvent, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

HOUR = 3600
EDGE_PX = 5  # how near an edge of the window the mouse must be to resize it
PLAY_INTERVAL_MS = 700


class Histogram(QWidget):
    """The bars and the window. `window` is (first hour, last hour) as indices into the counts,
    inclusive, or None for all."""

    windowChanged = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.counts: list[int] = []
        self.start = 0.0  # epoch seconds of the first hour
        self.zone: tzinfo | None = None
        self.window: tuple[int, int] | None = None
        self._drag: tuple[str, int, tuple[int, int] | None] | None = None
        self.setMinimumHeight(56)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMouseTracking(True)

    # -- geometry ---------------------------------------------------------------------------
    def _plot(self) -> QRectF:
        return QRectF(4, 4, max(1, self.width() - 8), max(1, self.height() - 20))

    def _bar_width(self) -> float:
        return self._plot().width() / max(1, len(self.counts))

    def hour_at(self, x: float) -> int:
        hour = int((x - self._plot().left()) / self._bar_width())
        return min(max(hour, 0), max(0, len(self.counts) - 1))

    def x_of(self, hour: int) -> float:
        return self._plot().left() + hour * self._bar_width()

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        painter = QPainter(self)
        plot, width = self._plot(), self._bar_width()
        painter.fillRect(self.rect(), self.palette().base())
        if not self.counts:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No report times"))
            return
        if self.window:
            first, last = self.window
            shade = QRectF(self.x_of(first), 0, (last - first + 1) * width, self.height())
            painter.fillRect(shade, QColor(255, 235, 59, 110))
        top = max(self.counts)
        for hour, count in enumerate(self.counts):
            if count:
                inside = self.window is None or self.window[0] <= hour <= self.window[1]
                height = max(1.0, plot.height() * count / top)
                bar = QRectF(self.x_of(hour), plot.bottom() - height, max(1.0, width - 1), height)
                painter.fillRect(bar, QColor("#1565c0" if inside else "#90a4ae"))
        self._paint_days(painter, plot)
        if self.window:
            painter.setPen(QPen(QColor("#f57f17"), 2))
            for x in (self.x_of(self.window[0]), self.x_of(self.window[1] + 1)):
                painter.drawLine(int(x), 0, int(x), int(plot.bottom()))

    def _paint_days(self, painter: QPainter, plot: QRectF) -> None:
        """A tick and the date at each local midnight (at most one label per 60 pixels)."""
        painter.setPen(self.palette().text().color())
        first = datetime.fromtimestamp(self.start, self.zone)
        midnight = first.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        last_label = -1e9
        while (hour := (midnight.timestamp() - self.start) / HOUR) < len(self.counts):
            x = self.x_of(int(hour))
            painter.drawLine(int(x), int(plot.bottom()), int(x), int(plot.bottom()) + 4)
            if x - last_label >= 60:
                painter.drawText(int(x) + 2, self.height() - 3, midnight.strftime("%m/%d"))
                last_label = x
            midnight += timedelta(days=1)

    # -- mouse ------------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if not self.counts or event.button() != Qt.MouseButton.LeftButton:
            return
        x, hour = event.position().x(), self.hour_at(event.position().x())
        if self.window and abs(x - self.x_of(self.window[0])) <= EDGE_PX:
            self._drag = ("first", hour, self.window)
        elif self.window and abs(x - self.x_of(self.window[1] + 1)) <= EDGE_PX:
            self._drag = ("last", hour, self.window)
        elif self.window and self.window[0] <= hour <= self.window[1]:
            self._drag = ("move", hour, self.window)
        else:
            self._drag = ("new", hour, None)
            self.set_window((hour, hour))

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt name)
        x = event.position().x()
        if self._drag is None:
            near_edge = self.window and min(
                abs(x - self.x_of(self.window[0])), abs(x - self.x_of(self.window[1] + 1))
            )
            cursor = Qt.CursorShape.SizeHorCursor
            self.setCursor(
                cursor
                if near_edge is not None and near_edge <= EDGE_PX
                else Qt.CursorShape.ArrowCursor
            )
            return
        mode, anchor, original = self._drag
        hour, last = self.hour_at(x), len(self.counts) - 1
        if mode == "new":
            self.set_window((min(anchor, hour), max(anchor, hour)))
        elif mode == "first":
            self.set_window((min(hour, original[1]), original[1]))
        elif mode == "last":
            self.set_window((original[0], max(hour, original[0])))
        else:
            span = original[1] - original[0]
            first = min(max(original[0] + hour - anchor, 0), last - span)
            self.set_window((first, first + span))

    def mouseReleaseEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        self._drag = None

    def mouseDoubleClickEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        self.set_window(None)

    def set_window(self, window: tuple[int, int] | None) -> None:
        if window != self.window:
            self.window = window
            self.update()
            self.windowChanged.emit()


class Timeline(QWidget):
    """Emits `windowChanged` when the time window moves; `times()` is (since, until) as
    datetimes, or (None, None) for all times."""

    windowChanged = Signal()

    def __init__(self, zone: tzinfo, parent=None):
        super().__init__(parent)
        self.zone = zone
        self.histogram = Histogram()
        self.histogram.zone = zone
        self.play_button = QToolButton()
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._play)
        self.label = QLabel()
        self.label.setMinimumWidth(150)
        side = QVBoxLayout()
        side.addWidget(self.play_button)
        side.addWidget(self.label)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addLayout(side)
        layout.addWidget(self.histogram, 1)
        self._timer = QTimer(self, interval=PLAY_INTERVAL_MS)
        self._timer.timeout.connect(self.step)
        self.histogram.windowChanged.connect(self._window_moved)
        self.setFixedHeight(96)
        self.retranslate()

    def retranslate(self) -> None:
        self.play_button.setText(
            self.tr("Pause") if self.play_button.isChecked() else self.tr("Play")
        )
        self.play_button.setToolTip(self.tr("Step the time window forward an hour at a time"))
        self.histogram.setToolTip(
            self.tr("Drag to choose a time window; drag it to move; double-click for all times")
        )
        self._describe()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_counts(self, start: float, counts: list[int]) -> None:
        """Reports per hour from `start` (epoch seconds of an hour). The window keeps its times
        when they are still inside the new span."""
        since, until = self.times()
        self.histogram.start, self.histogram.counts = start, counts
        window = None
        if since is not None and counts:
            first = int((since.timestamp() - start) // HOUR)
            last = int((until.timestamp() + 1 - start) // HOUR) - 1
            if 0 <= first <= last < len(counts):
                window = (first, last)
        self.histogram.window = window
        self.histogram.update()
        self._describe()

    def times(self) -> tuple[datetime | None, datetime | None]:
        window = self.histogram.window
        if window is None:
            return None, None
        start = self.histogram.start
        since = datetime.fromtimestamp(start + window[0] * HOUR, self.zone)
        until = datetime.fromtimestamp(start + (window[1] + 1) * HOUR - 1, self.zone)
        return since, until

    def set_window_hours(self, first: int, last: int) -> None:
        self.histogram.set_window((first, last))

    def step(self) -> None:
        """Move the window one hour later (Play); at the end, stop."""
        counts, window = self.histogram.counts, self.histogram.window
        if not counts:
            self.play_button.setChecked(False)
            return
        if window is None:
            span = max(1, len(counts) // 12)
            self.histogram.set_window((0, span - 1))
            return
        if window[1] + 1 >= len(counts):
            self.play_button.setChecked(False)
            return
        self.histogram.set_window((window[0] + 1, window[1] + 1))

    def _play(self, on: bool) -> None:
        if on:
            self.step()
            self._timer.start()
        else:
            self._timer.stop()
        self.retranslate()

    def _window_moved(self) -> None:
        self._describe()
        self.windowChanged.emit()

    def _describe(self) -> None:
        since, until = self.times()
        if since is None:
            self.label.setText(self.tr("All times"))
            return
        end = until + timedelta(seconds=1)
        self.label.setText(
            f"{since:%m/%d %H:%M} –\n{end:%m/%d %H:%M}"
            + " ("
            + self.tr("%n hour(s)", "", int((end - since).total_seconds() // HOUR))
            + ")"
        )
