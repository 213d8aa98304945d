"""The reports list: a sortable table of the reports the filters let through, in step with
the map."""

from __future__ import annotations

import math
from datetime import datetime, tzinfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QItemSelection,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from gspace.gui.labels import (
    categories_label,
    kind_label,
    location_source_label,
    severity_label,
    status_label,
)
from gspace.model import SEVERITIES
from gspace.refs import ref, ref_value

ID_ROLE = Qt.ItemDataRole.UserRole + 1
REPORT_MIME = "application/x-gspace-report-id"
NO_PARENT = QModelIndex()
SEVERITY_RANK = {s: n for n, s in enumerate(SEVERITIES, start=1)}
LABELS = {
    "kind": kind_label,
    "category": categories_label,
    "status": status_label,
    "severity": severity_label,
    "location_source": location_source_label,
}


class ReportsTableModel(QAbstractTableModel):
    """The rows are plain dicts; sorting reorders the list of all rows with a key function (a
    proxy model would call back into Python for every comparison: seconds for 100,000 reports),
    and a filter picks from that sorted list, so it never sorts again."""

    COLUMNS = (
        "observed_at",
        "kind",
        "category",
        "status",
        "severity",
        "location_source",
        "ref",
        "text",
    )

    def __init__(self, zone: tzinfo, parent=None):
        super().__init__(parent)
        self.zone = zone
        self.all_rows: list[dict] = []
        self.rows: list[dict] = []
        self.positions: dict[str, int] = {}
        self.shown: set[int] | None = None
        self._sort = (0, Qt.SortOrder.DescendingOrder)

    def set_rows(self, rows: list[dict], shown: set[int] | None = None) -> None:
        """All reports, and the row keys of those to list (None: all)."""
        self.beginResetModel()
        self.all_rows = list(rows)
        self.shown = shown
        self._apply_sort()
        self.endResetModel()

    def set_shown(self, shown: set[int] | None) -> None:
        self.beginResetModel()
        self.shown = shown
        self._pick()
        self.endResetModel()

    def _pick(self) -> None:
        shown = self.shown
        rows = self.all_rows
        self.rows = rows if shown is None else [r for r in rows if r["rid"] in shown]
        self.positions = {r["id"]: i for i, r in enumerate(self.rows)}

    def rows_changed(self) -> None:
        """Rows were edited in place: repaint (their order stays until the next sort)."""
        if self.rows:
            last = self.index(len(self.rows) - 1, len(self.COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def _sort_key(self, column: str):
        if column == "observed_at":
            return lambda r: -math.inf if r["observed_ts"] is None else r["observed_ts"]
        if column == "text":
            return lambda r: r["text"] or ""
        if column == "severity":
            return lambda r: SEVERITY_RANK.get(r["severity"], 0)
        if column == "ref":  # the number sorts as its characters do (the alphabet is in order)
            return lambda r: ref_value(r["id"])
        label = LABELS[column]
        return lambda r: label(r[column])

    def _apply_sort(self) -> None:
        column, order = self._sort
        key = self._sort_key(self.COLUMNS[column])
        self.all_rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self._pick()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort()
        self.layoutChanged.emit()

    def flags(self, index):
        return super().flags(index) | Qt.ItemFlag.ItemIsDragEnabled

    def mimeTypes(self) -> list[str]:  # noqa: N802 (Qt name)
        return [REPORT_MIME]

    def mimeData(self, indexes):  # noqa: N802 (Qt name)
        """Dragging a row carries the report's id (dropped on the map, it places the report)."""
        data = QMimeData()
        ids = list(dict.fromkeys(self.rows[i.row()]["id"] for i in indexes))
        data.setData(REPORT_MIME, QByteArray("\n".join(ids).encode()))
        return data

    def rowCount(self, parent=NO_PARENT) -> int:  # noqa: N802 (Qt name)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=NO_PARENT) -> int:  # noqa: N802 (Qt name)
        return len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (
                self.tr("Time"),
                self.tr("Kind"),
                self.tr("Category"),
                self.tr("Status"),
                self.tr("Severity"),
                self.tr("Location"),
                self.tr("Ref"),
                self.tr("Text"),
            )[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row, column = self.rows[index.row()], self.COLUMNS[index.column()]
        if role == ID_ROLE:
            return row["id"]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "ref":  # computed for the rows painted, not for every row loaded
                return ref(row["id"])
            value = row[column]
            if column == "observed_at":
                return (
                    datetime.fromisoformat(value).astimezone(self.zone).strftime("%m/%d %H:%M")
                    if value
                    else ""
                )
            if column in LABELS:
                return LABELS[column](value)
            return (value or "").replace("\n", " ")[:200]
        if role == Qt.ItemDataRole.ToolTipRole and column == "text":
            return row["text"]
        return None


class ReportsList(QTableView):
    """Emits `reportSelected(id)` when the user moves the current row and
    `selectionChangedIds(ids)` when the selected rows change; `select_ids` follows the map."""

    reportSelected = Signal(str)
    selectionChangedIds = Signal(list)

    def __init__(self, zone: tzinfo, parent=None):
        super().__init__(parent)
        self.source = ReportsTableModel(zone, self)
        self.setModel(self.source)
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setWordWrap(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(22)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(200)  # size columns from 200 rows, not all of them
        for column in range(len(ReportsTableModel.COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.selectionModel().currentRowChanged.connect(self._row_changed)
        self.selectionModel().selectionChanged.connect(self._selection_changed)
        self._following = False

    def set_rows(self, rows: list[dict], shown: set[int] | None = None) -> None:
        self.source.set_rows(rows, shown)

    def set_shown(self, shown: set[int] | None) -> None:
        """List only the reports whose row keys are in `shown` (None: all), keeping the
        selection of those still listed."""
        selected, current = self.selected_ids(), self.current_id()
        self.source.set_shown(shown)
        self.select_ids(selected, current)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._following:
            self.reportSelected.emit(current.data(ID_ROLE))

    def _selection_changed(self, *_args) -> None:
        if not self._following:
            self.selectionChangedIds.emit(self.selected_ids())

    def current_id(self) -> str | None:
        index = self.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def selected_ids(self) -> list[str]:
        rows = self.source.rows
        return [rows[i.row()]["id"] for i in self.selectionModel().selectedRows()]

    def select_id(self, report_id: str) -> bool:
        """Select and show the row of `report_id` without re-emitting; False if not listed."""
        return self.select_ids([report_id], report_id) > 0

    def select_ids(self, ids: list[str], current: str | None = None) -> int:
        """Select the listed rows of `ids` (a lasso on the map), making `current` (or the first)
        the current row, without re-emitting; returns how many are listed."""
        positions = sorted(p for p in map(self.source.positions.get, ids) if p is not None)
        model, flags = self.selectionModel(), QItemSelectionModel.SelectionFlag
        self._following = True
        try:
            selection = QItemSelection()
            for first, last in _runs(positions):
                selection.select(self.source.index(first, 0), self.source.index(last, 0))
            model.select(selection, flags.ClearAndSelect | flags.Rows)
            focus = self.source.positions.get(current) if current else None
            if focus is None and positions:
                focus = positions[0]
            if focus is not None:
                index = self.source.index(focus, 0)
                model.setCurrentIndex(index, flags.NoUpdate)
                self.scrollTo(index)
        finally:
            self._following = False
        return len(positions)

    def next_with_status(self, status: str, step: int = 1) -> str | None:
        """The id of the next listed report (in the list's order, after the current row, going
        round once) whose status is `status`; `step` -1 looks backwards."""
        rows = self.source.rows
        start = self.currentIndex().row()
        if start < 0:
            start = -1 if step > 0 else 0
        for offset in range(1, len(rows) + 1):
            row = rows[(start + step * offset) % len(rows)]
            if row["status"] == status:
                return row["id"]
        return None


def _runs(positions: list[int]):
    """Sorted positions as (first, last) runs: one selection range per run, not per row."""
    first = previous = None
    for p in positions:
        if first is None:
            first = previous = p
        elif p == previous + 1:
            previous = p
        else:
            yield first, previous
            first = previous = p
    if first is not None:
        yield first, previous
