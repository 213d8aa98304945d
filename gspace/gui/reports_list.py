"""The reports list: a sortable table of the reports shown on the map."""

from __future__ import annotations

import math
from datetime import datetime, tzinfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from gspace.gui.labels import categories_label, kind_label, status_label

ID_ROLE = Qt.ItemDataRole.UserRole + 1
REPORT_MIME = "application/x-gspace-report-id"
NO_PARENT = QModelIndex()


class ReportsTableModel(QAbstractTableModel):
    """The rows are plain dicts; sorting reorders that list with a key function (a proxy model
    would call back into Python for every comparison: seconds for 100,000 reports)."""

    COLUMNS = ("observed_at", "kind", "category", "status", "text")

    def __init__(self, zone: tzinfo, parent=None):
        super().__init__(parent)
        self.zone = zone
        self.rows: list[dict] = []
        self.positions: dict[str, int] = {}
        self._sort = (0, Qt.SortOrder.DescendingOrder)

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._apply_sort()
        self.endResetModel()

    def _sort_key(self, column: str):
        if column == "observed_at":
            return lambda r: -math.inf if r["observed_ts"] is None else r["observed_ts"]
        if column == "text":
            return lambda r: r["text"] or ""
        labels = {"kind": kind_label, "category": categories_label, "status": status_label}
        return lambda r: labels[column](r[column])

    def _apply_sort(self) -> None:
        column, order = self._sort
        key = self._sort_key(self.COLUMNS[column])
        self.rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.positions = {r["id"]: i for i, r in enumerate(self.rows)}

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
                self.tr("Text"),
            )[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row, column = self.rows[index.row()], self.COLUMNS[index.column()]
        if role == ID_ROLE:
            return row["id"]
        if role == Qt.ItemDataRole.DisplayRole:
            value = row[column]
            if column == "observed_at":
                return (
                    datetime.fromisoformat(value).astimezone(self.zone).strftime("%m/%d %H:%M")
                    if value
                    else ""
                )
            if column == "kind":
                return kind_label(value)
            if column == "category":
                return categories_label(value)
            if column == "status":
                return status_label(value)
            return (value or "").replace("\n", " ")[:200]
        if role == Qt.ItemDataRole.ToolTipRole and column == "text":
            return row["text"]
        return None


class ReportsList(QTableView):
    """Emits `reportSelected(id)` when the user picks a row; `select_id` follows the map."""

    reportSelected = Signal(str)

    def __init__(self, zone: tzinfo, parent=None):
        super().__init__(parent)
        self.source = ReportsTableModel(zone, self)
        self.setModel(self.source)
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(22)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(200)  # size columns from 200 rows, not all of them
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.selectionModel().currentRowChanged.connect(self._row_changed)
        self._following = False

    def set_rows(self, rows: list[dict]) -> None:
        self.source.set_rows(rows)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._following:
            self.reportSelected.emit(current.data(ID_ROLE))

    def select_id(self, report_id: str) -> bool:
        """Select and show the row of `report_id` without re-emitting; False if not listed."""
        position = self.source.positions.get(report_id)
        if position is None:
            self.clearSelection()
            return False
        index = self.source.index(position, 0)
        self._following = True
        try:
            self.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.scrollTo(index)
        finally:
            self._following = False
        return True
