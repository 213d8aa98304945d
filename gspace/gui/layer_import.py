"""Importing a reference layer from the window: a dialog that shows the file's first rows, the
detected encoding, coordinate system and column mapping (all editable), and for a GeoPackage,
KML or Shapefile zip with several layers the layer to import (or all), then the import in the
background with a Cancel button. JSON lists of records are previewed and mapped like a CSV
(nested values as dotted columns such as latlng.lat)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QComboBox, QMessageBox, QTableWidgetItem, QWidget

from gspace.catalog import LayerKind
from gspace.errors import GspaceError
from gspace.gui.background_import import BackgroundImport
from gspace.gui.forms import load_form
from gspace.gui.labels import layer_title
from gspace.ingest.layer_files import ALL_LAYERS, Table, detect_mapping, list_layers, read_table
from gspace.ingest.layers import import_layer

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp932", "euc-jp")
COORDINATE_ROLES = ("lat", "lon", "x", "y")
PREVIEW_ROWS = 20
translate = QCoreApplication.translate  # called by this name so that lupdate finds the strings


class LayerImportDialog(QObject):
    """Wraps the `layer_import` form; `choices()` returns what the user settled on."""

    def __init__(
        self,
        parent: QWidget | None,
        path: Path,
        catalog: dict[str, LayerKind],
        kind: str | None = None,
    ):
        super().__init__(parent)
        self.path, self.catalog = path, catalog
        self.form = load_form("layer_import", parent)
        self.form.fileLabel.setText(str(path))
        for name, layer_kind in sorted(catalog.items()):
            self.form.kindBox.addItem(layer_title(layer_kind), name)
        guess = kind or ("wifi" if "wireless" in path.name.lower() else "shelter")
        self.form.kindBox.setCurrentIndex(max(0, self.form.kindBox.findData(guess)))
        self.form.encodingBox.addItems(ENCODINGS)
        self._fill_layers()
        self.form.kindBox.currentIndexChanged.connect(lambda _i: self.refresh())
        self.form.encodingBox.currentIndexChanged.connect(lambda _i: self.refresh())
        self.form.layerBox.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table: Table | None = None
        self.refresh()

    def _fill_layers(self) -> None:
        """The source's layers, the first chosen; the row is hidden for a one-layer file."""
        try:
            layers = list_layers(self.path)
        except GspaceError:
            layers = []  # refresh() says what is wrong with the file
        box = self.form.layerBox
        for name in layers:
            box.addItem(name, name)
        if len(layers) > 1:
            box.addItem(self.tr("All layers (%1)").replace("%1", str(len(layers))), ALL_LAYERS)
        self.form.layerBox.setVisible(len(layers) > 1)
        self.form.layerLabel.setVisible(len(layers) > 1)

    @property
    def source_layer(self) -> str | None:
        return self.form.layerBox.currentData() if self.form.layerBox.count() > 1 else None

    @property
    def kind(self) -> str:
        return self.form.kindBox.currentData()

    def refresh(self) -> None:
        """Read the file with the chosen encoding and guess the columns again."""
        try:
            self.table = read_table(
                self.path, self.form.encodingBox.currentText(), self.source_layer
            )
        except GspaceError as e:
            QMessageBox.warning(self.form, self.form.windowTitle(), str(e))
            return
        self.form.encodingLabel.setText(
            self.tr("Encoding (read as %1)").replace("%1", self.table.encoding or "UTF-8")
        )
        self._show_crs()
        self._fill_mapping(detect_mapping(self.table, self.catalog[self.kind]))
        self._fill_preview()

    def _show_crs(self) -> None:
        """The system the file declares (then the field is only for files without one)."""
        table, label = self.table, self.form.crsLabel
        if table.crs_problem:
            label.setText(self.tr("Coordinate system (the file's is unreadable: give it)"))
        elif table.crs:
            from gspace.ingest.layer_geometry import crs_label

            label.setText(
                self.tr("Coordinate system (the file's: %1)").replace("%1", crs_label(table.crs))
            )
        else:
            label.setText(self.tr("Coordinate system"))

    def _fill_mapping(self, mapping: dict[str, str]) -> None:
        roles = [*self.catalog[self.kind].aliases, *COORDINATE_ROLES]
        table = self.form.mappingTable
        table.clear()
        table.setColumnCount(2)
        table.setRowCount(len(roles))
        table.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Source column")])
        for i, role in enumerate(roles):
            table.setItem(i, 0, QTableWidgetItem(role))
            box = QComboBox()
            box.addItem("—", None)
            for column in self.table.columns:
                box.addItem(column, column)
            box.setCurrentIndex(max(0, box.findData(mapping.get(role))))
            table.setCellWidget(i, 1, box)
        table.resizeColumnsToContents()

    def _fill_preview(self) -> None:
        table, rows = self.form.previewTable, self.table.rows[:PREVIEW_ROWS]
        table.clear()
        table.setColumnCount(len(self.table.columns))
        table.setRowCount(len(rows))
        table.setHorizontalHeaderLabels(self.table.columns)
        for r, row in enumerate(rows):
            for c, column in enumerate(self.table.columns):
                table.setItem(r, c, QTableWidgetItem(row.get(column, "")))  # shown as text
        table.resizeColumnsToContents()

    def mapping(self) -> dict[str, str]:
        table = self.form.mappingTable
        return {
            table.item(i, 0).text(): table.cellWidget(i, 1).currentData()
            for i in range(table.rowCount())
            if table.cellWidget(i, 1).currentData()
        }

    def choices(self) -> dict:
        return {
            "kind": self.kind,
            "encoding": self.form.encodingBox.currentText(),
            "crs": self.form.crsEdit.text().strip() or None,
            "columns": self.mapping(),
            "source_layer": self.source_layer,
        }


def layer_import(
    parent: QWidget, incident_path: Path, path: Path, choices: dict
) -> BackgroundImport:
    """The import of `path` with the dialog's choices, in the background."""
    return BackgroundImport(
        parent,
        incident_path,
        lambda incident, _progress, cancelled: import_layer(
            incident, path, cancelled=cancelled, **choices
        ),
        translate("LayerImport", "Import a reference layer"),
        translate("LayerImport", "Importing %1…").replace("%1", path.name),
        lambda summary: (
            summary.line(),
            "\n".join(
                [
                    *summary.details(),
                    *(f"row {row}: {reason}" for row, reason in summary.skipped),
                ]
            ),
        ),
    )
