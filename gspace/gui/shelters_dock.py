"""The HQ overview of shelters (View → Shelters): every shelter with its state, evacuees against
capacity, crowding, open needs and the age of its last report, sortable and filterable; totals
per municipality and for the incident; reports older than a chosen age flagged.

The rows come from the core (`gspace.shelters`), the same numbers `gspace shelters` prints. An
edit replaces only the rows it changed (a refresh after one edit among 10,000 shelters is a few
milliseconds); the totals are summed again from the rows held here.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QSplitter,
    QStyle,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gspace import shelters
from gspace.catalog import LayerKind
from gspace.gui.forms import set_choices
from gspace.gui.i18n import current_language
from gspace.gui.labels import feature_status_label
from gspace.gui.situation_panel import choice_label
from gspace.shelters import IN_OPERATION, ShelterState

ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("name", "municipality", "status", "evacuees", "crowding", "needs", "age")
STALE_COLOR = QColor("#ffe0b2")
DEFAULT_STALE_HOURS = 3
_ROOT = QModelIndex()


class SheltersModel(QAbstractTableModel):
    """Rows: `gspace.shelters.ShelterState`s, in store order. Whether a report is stale is
    decided here from each row's age, so changing the age redraws without reading again."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[dict] = []
        self.position: dict[str, int] = {}
        self.kind: LayerKind | None = None
        self.stale_seconds = DEFAULT_STALE_HOURS * 3600
        self.stale_icon = None

    def set_rows(self, rows: list[ShelterState], kind: LayerKind | None) -> None:
        self.beginResetModel()
        self.rows, self.kind = list(rows), kind
        self._order()
        self.endResetModel()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sorted here, in Python's own sort (a few ms for 10,000 rows), not by the proxy,
        whose comparisons would each call back into Python. An edited row keeps its place
        until the next sort: rows do not jump while a person works on them."""
        self.sorting = (column, order)
        self.layoutAboutToBeChanged.emit()
        before = {id(r): i for i, r in enumerate(self.rows)}
        self._order()
        moved = {before[id(r)]: i for i, r in enumerate(self.rows)}
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(
            persistent,
            [self.index(moved.get(i.row(), i.row()), i.column()) for i in persistent],
        )
        self.layoutChanged.emit()

    def _order(self) -> None:
        column, order = getattr(self, "sorting", (None, None))
        if column is not None and 0 <= column < len(COLUMNS):
            name = COLUMNS[column]
            self.rows.sort(
                key=lambda r: self.sort_key(r, name),
                reverse=order == Qt.SortOrder.DescendingOrder,
            )
        self.position = {r.id: i for i, r in enumerate(self.rows)}

    def update_rows(self, rows: list[dict]) -> None:
        """Some shelters changed (an edit, an undo): replace their rows, append new ones."""
        for row in rows:
            i = self.position.get(row.id)
            if i is None:
                self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
                self.position[row.id] = len(self.rows)
                self.rows.append(row)
                self.endInsertRows()
            else:
                self.rows[i] = row
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def remove_ids(self, ids: set[str]) -> None:
        if ids & self.position.keys():
            self.set_rows([r for r in self.rows if r.id not in ids], self.kind)

    def set_stale_seconds(self, seconds: int) -> None:
        self.stale_seconds = seconds
        if self.rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1)
            )

    def age(self, row: ShelterState) -> float | None:
        """Seconds since the shelter's last report (None: it never reported)."""
        return None if row.age_hours is None else row.age_hours * 3600

    def is_stale(self, row: ShelterState) -> bool:
        """In operation (open or full) and no report for longer than the chosen age (or none
        at all): the rule of `gspace.shelters`."""
        if row.status not in IN_OPERATION:
            return False
        age = self.age(row)
        return age is None or age > self.stale_seconds

    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802 (Qt name)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802 (Qt name)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            "name": self.tr("Shelter"),
            "municipality": self.tr("Municipality"),
            "status": self.tr("State"),
            "evacuees": self.tr("Evacuees / capacity"),
            "crowding": self.tr("Crowding"),
            "needs": self.tr("Open needs"),
            "age": self.tr("Last report"),
        }[COLUMNS[section]]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], COLUMNS[index.column()]
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        if column == "age" and self.is_stale(row):
            if role == Qt.ItemDataRole.BackgroundRole:
                return STALE_COLOR
            if role == Qt.ItemDataRole.DecorationRole:
                return self.stale_icon
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.tr("No report for longer than the chosen age")
        if role == Qt.ItemDataRole.ForegroundRole and column == "needs" and row.urgent:
            return QColor("#b71c1c")
        return None

    def display(self, row: ShelterState, column: str) -> str:
        if column == "name":
            return row.name
        if column == "municipality":
            return row.municipality or ""
        if column == "status":
            return feature_status_label(self.kind, row.status)
        if column == "evacuees":
            return occupancy_text(row)
        if column == "crowding":
            return choice_label(row.crowding) if row.crowding else ""
        if column == "needs":
            return needs_text(row)
        age = self.age(row)
        return "—" if age is None else shelters.age_text(age, current_language())

    def sort_key(self, row: ShelterState, column: str):
        """What a column sorts by: numbers for counts and ages, else the text shown."""
        if column == "evacuees":
            return -1.0 if row.occupancy is None else float(row.occupancy)
        if column == "age":  # never reported: oldest of all when open, else last
            age = self.age(row)
            if age is None:
                return float("inf") if row.status in IN_OPERATION else -1.0
            return age
        if column == "needs":
            return float(sum(2 if u == "urgent" else 1 for u in row.needs.values()))
        return self.display(row, column)


def occupancy_text(row: ShelterState) -> str:
    """120 / 300 (40 %); 120 / ? without a capacity."""
    if row.evacuees is None and row.capacity is None:
        return ""
    evacuees = "?" if row.evacuees is None else row.evacuees
    text = f"{evacuees} / {'?' if row.capacity is None else row.capacity}"
    if row.occupancy is not None and row.evacuees is not None:
        text += f" ({row.occupancy:.0f} %)"
    return text


def needs_text(row: ShelterState) -> str:
    """The needs still open, urgent ones first and marked: 水!, 毛布, その他 (発電機)."""
    lang = current_language()
    ordered = sorted(row.needs.items(), key=lambda item: item[1] != "urgent")
    words = []
    for need, urgency in ordered:
        if need == "other":
            words.append(f"{shelters.label('other', lang)} ({urgency})")
        else:
            words.append(shelters.label(need, lang) + ("!" if urgency == "urgent" else ""))
    return ", ".join(words)


class _Filter(QSortFilterProxyModel):
    """Filters; sorting is the source model's (see SheltersModel.sort)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text, self.status, self.stale_only = "", None, False

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)

    def set_filter(self, text: str, status: str | None, stale_only: bool) -> None:
        self.beginFilterChange()
        self.text, self.status, self.stale_only = text.strip().lower(), status, stale_only
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, _parent) -> bool:  # noqa: N802 (Qt name)
        model = self.sourceModel()
        row = model.rows[source_row]
        if self.status and row.status != self.status:
            return False
        if self.stale_only and not model.is_stale(row):
            return False
        if self.text:
            haystack = f"{row.name} {row.address} {row.municipality or ''}".lower()
            return self.text in haystack
        return True


class SheltersDock(QWidget):
    """`shelterSelected(id)` when a row is chosen; `staleChanged(hours)` when the age changes."""

    shelterSelected = Signal(str)
    staleChanged = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = SheltersModel(self)
        self.model.stale_icon = self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning
        )
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.status_box = QComboBox()
        self.stale_only = QCheckBox()
        self.stale_label = QLabel()
        self.stale_box = QSpinBox()
        self.stale_box.setRange(1, 168)
        self.stale_box.setValue(DEFAULT_STALE_HOURS)
        bar = QHBoxLayout()
        for widget in (self.search, self.status_box, self.stale_only, self.stale_label):
            bar.addWidget(widget)
        bar.addWidget(self.stale_box)
        bar.setStretch(0, 1)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COLUMNS.index("age"), Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(200)  # widths from the first rows, not all 10,000
        self.totals = QTreeWidget()
        self.totals.setRootIsDecorated(False)
        self.totals.setColumnCount(4)
        self.totals.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.totals.header().setStretchLastSection(False)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.totals)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self.search.textChanged.connect(lambda _t: self._filter())
        self.status_box.currentIndexChanged.connect(lambda _i: self._filter())
        self.stale_only.toggled.connect(lambda _on: self._filter())
        self.stale_box.valueChanged.connect(self._stale_changed)
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.retranslate()

    def set_stale_hours(self, hours: int) -> None:
        self.stale_box.setValue(hours)
        self.model.set_stale_seconds(hours * 3600)

    def _stale_changed(self, hours: int) -> None:
        self.model.set_stale_seconds(hours * 3600)
        self._filter()
        self.staleChanged.emit(hours)

    def _filter(self) -> None:
        self.proxy.set_filter(
            self.search.text(), self.status_box.currentData(), self.stale_only.isChecked()
        )

    def _row_chosen(self, current, _previous) -> None:
        if current.isValid():
            self.shelterSelected.emit(current.data(ID_ROLE))

    def select_id(self, shelter_id: str) -> None:
        """Show a shelter chosen elsewhere (on the map) as the current row, quietly."""
        i = self.model.position.get(shelter_id)
        if i is None:
            return
        index = self.proxy.mapFromSource(self.model.index(i, 0))
        if index.isValid():
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(index.row())
            self.table.scrollTo(index)
            self.table.selectionModel().blockSignals(False)

    # -- data -------------------------------------------------------------------------------
    def set_rows(self, rows: list[dict], totals: list[dict], kind: LayerKind | None) -> None:
        self.model.set_rows(rows, kind)
        self._fill_statuses()
        self.set_totals(totals)
        self.table.resizeColumnsToContents()

    def update_rows(self, rows: list[dict], totals: list[dict]) -> None:
        self.model.update_rows(rows)
        self.set_totals(totals)

    def set_totals(self, totals: list[dict]) -> None:
        """totals: {municipality (None for the whole incident), open, evacuees, free}, the
        incident's line first."""
        self._totals = totals
        self.totals.setUpdatesEnabled(False)
        self.totals.clear()
        items = []
        for total in totals:
            name = total.get("municipality") or self.tr("Whole incident")
            item = QTreeWidgetItem(
                [
                    name,
                    str(total.get("open", 0)),
                    str(total.get("evacuees", 0)),
                    str(total.get("free", 0)),
                ]
            )
            for column in (1, 2, 3):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight)
            if not total.get("municipality"):
                font = item.font(0)
                font.setBold(True)
                for column in range(4):
                    item.setFont(column, font)
            items.append(item)
        self.totals.addTopLevelItems(items)
        for column in (1, 2, 3):
            self.totals.resizeColumnToContents(column)
        self.totals.setUpdatesEnabled(True)

    def _fill_statuses(self) -> None:
        kind = self.model.kind
        items = [(self.tr("Every state"), None)] + [
            (feature_status_label(kind, s.id), s.id) for s in (kind.statuses if kind else ())
        ]
        set_choices(self.status_box, items, self.status_box.currentData())

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Filter by name, address or municipality"))
        self.stale_only.setText(self.tr("Only stale"))
        self.stale_label.setText(self.tr("Stale after"))
        self.stale_box.setSuffix(self.tr(" h"))
        self.totals.setHeaderLabels(
            [self.tr("Totals"), self.tr("Open"), self.tr("Evacuees"), self.tr("Free places")]
        )
        self._fill_statuses()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self.model.rows:  # ages and needs are words of the language: redraw them
            last = self.model.index(len(self.model.rows) - 1, len(COLUMNS) - 1)
            self.model.dataChanged.emit(self.model.index(0, 0), last)
        if hasattr(self, "_totals"):
            self.set_totals(self._totals)
