"""The layer panel: show or hide report kinds, report categories, reference-layer kinds, the
outline map and the municipal borders and names."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from gspace.catalog import LayerKind
from gspace.gui.labels import category_label, kind_label, layer_title
from gspace.model import CATEGORIES, REPORT_KINDS
from gspace.store import query
from gspace.store.query import NOTHING

GROUP_ROLE = Qt.ItemDataRole.UserRole


class LayerPanel(QTreeWidget):
    """Emits `groupToggled(group, visible)`; groups are "report:<kind>", "category:<id>",
    "feature:<kind>", "outline" and "municipalities"."""

    groupToggled = Signal(str, bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setColumnCount(2)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.reports_item = QTreeWidgetItem(self)
        self.categories_item = QTreeWidgetItem(self)
        self.features_item = QTreeWidgetItem(self)
        self.base_item = QTreeWidgetItem(self)
        self.outline_item = self._child(self.base_item, "outline")
        self.municipalities_item = self._child(self.base_item, "municipalities")
        self._report_counts: dict[str, int] = {}
        self._category_counts: dict[str, int] = {}
        self._feature_counts: dict[str, int] = {}
        self._catalog: dict[str, LayerKind] = {}
        self.itemChanged.connect(self._changed)
        self.retranslate()

    def _child(self, parent: QTreeWidgetItem, group: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent)
        item.setData(0, GROUP_ROLE, group)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(0, Qt.CheckState.Checked)
        return item

    def set_counts(
        self,
        reports: dict[str, int],
        features: dict[str, int],
        catalog: dict[str, LayerKind],
        categories: dict[str, int] | None = None,
    ) -> None:
        self._report_counts, self._feature_counts, self._catalog = reports, features, catalog
        self._category_counts = categories or {}
        self.blockSignals(True)
        hidden = self.hidden_groups()
        for parent in (self.reports_item, self.categories_item, self.features_item):
            parent.takeChildren()
        for kind in REPORT_KINDS:
            if reports.get(kind):
                self._child(self.reports_item, f"report:{kind}")
        for category in CATEGORIES:
            if self._category_counts.get(category):
                self._child(self.categories_item, f"category:{category}")
        for kind in sorted(features):
            self._child(self.features_item, f"feature:{kind}")
        for item in self._items():
            if item.data(0, GROUP_ROLE) in hidden:
                item.setCheckState(0, Qt.CheckState.Unchecked)
        self.blockSignals(False)
        self.retranslate()
        self.expandAll()

    def _items(self) -> list[QTreeWidgetItem]:
        return [
            parent.child(i)
            for parent in (
                self.reports_item,
                self.categories_item,
                self.features_item,
                self.base_item,
            )
            for i in range(parent.childCount())
        ]

    def hidden_groups(self) -> set[str]:
        return {
            i.data(0, GROUP_ROLE)
            for i in self._items()
            if i.checkState(0) == Qt.CheckState.Unchecked
        }

    def hidden_categories(self) -> set[str]:
        return {g.partition(":")[2] for g in self.hidden_groups() if g.startswith("category:")}

    def report_filter(self, located: bool | None = None) -> query.ReportFilter:
        """The report kinds and categories ticked here, as a filter (a report with several
        categories passes while any of them is ticked, as on the map)."""
        hidden = self.hidden_groups()
        kinds = [k for k in REPORT_KINDS if f"report:{k}" not in hidden]
        categories = [c for c in CATEGORIES if f"category:{c}" not in hidden]
        return query.ReportFilter(
            kinds=[] if len(kinds) == len(REPORT_KINDS) else kinds or [NOTHING],
            categories=[] if len(categories) == len(CATEGORIES) else categories or [NOTHING],
            located=located,
        )

    def shown_feature_kinds(self, kinds: set[str]) -> list[str]:
        hidden = {g.partition(":")[2] for g in self.hidden_groups() if g.startswith("feature:")}
        return sorted(kinds - hidden)

    def item_for(self, group: str) -> QTreeWidgetItem | None:
        return next((i for i in self._items() if i.data(0, GROUP_ROLE) == group), None)

    def retranslate(self) -> None:
        self.blockSignals(True)
        self.reports_item.setText(0, self.tr("Reports"))
        self.categories_item.setText(0, self.tr("Categories"))
        self.features_item.setText(0, self.tr("Reference layers"))
        self.base_item.setText(0, self.tr("Base map"))
        self.outline_item.setText(0, self.tr("Outline of Japan"))
        self.municipalities_item.setText(0, self.tr("Municipal borders and names"))
        for item in self._items():
            group = item.data(0, GROUP_ROLE)
            kind = group.partition(":")[2]
            if group.startswith("report:"):
                item.setText(0, kind_label(kind))
                item.setText(1, str(self._report_counts.get(kind, 0)))
            elif group.startswith("category:"):
                item.setText(0, category_label(kind))
                item.setText(1, str(self._category_counts.get(kind, 0)))
            elif group.startswith("feature:"):
                known = self._catalog.get(kind)
                item.setText(0, layer_title(known) if known else kind)
                item.setText(1, str(self._feature_counts.get(kind, 0)))
        self.blockSignals(False)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _changed(self, item: QTreeWidgetItem, column: int) -> None:
        group = item.data(0, GROUP_ROLE)
        if group and column == 0:
            self.groupToggled.emit(group, item.checkState(0) == Qt.CheckState.Checked)
