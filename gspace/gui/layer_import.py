"""Importing a reference layer from the window: a dialog that shows the file's first rows, the
detected encoding, coordinate system and column mapping (all editable), for a GeoPackage, KML
or Shapefile zip with several layers the layer to import (or all), the layer the rows go into (a
re-import updates only that layer's features) and a warning when no column holds the names;
then the import in the background with a Cancel button. JSON lists of records are previewed and
mapped like a CSV (nested values as dotted columns such as latlng.lat)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QTableWidgetItem,
    QWidget,
)

from gspace.catalog import LayerKind
from gspace.errors import GspaceError
from gspace.gui.background_import import BackgroundImport
from gspace.gui.forms import load_form
from gspace.gui.labels import layer_title
from gspace.ingest.layer_files import ALL_LAYERS, Table, detect_mapping, list_layers, read_table
from gspace.ingest.layers import import_layer, layers_of, target_layer
from gspace.store.incident import Incident

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
        incident: Incident | None = None,
    ):
        super().__init__(parent)
        self.path, self.catalog, self.incident = path, catalog, incident
        self.form = load_form("layer_import", parent)
        self.form.fileLabel.setText(str(path))
        # the layer the rows go into: a re-import updates that layer's features only
        self.intoBox = QComboBox()
        self.intoBox.setObjectName("intoBox")
        self.form.findChild(QFormLayout, "settings").addRow(self.tr("Into layer"), self.intoBox)
        self.nameWarning = QLabel()
        self.nameWarning.setObjectName("nameWarning")
        self.nameWarning.setStyleSheet("color: #b71c1c;")
        self.nameWarning.setWordWrap(True)
        layout = self.form.layout()
        layout.insertWidget(layout.indexOf(self.form.mappingTable) + 1, self.nameWarning)
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
        self._fill_into()
        self._check_name()

    def _fill_into(self) -> None:
        """New layer, or one of the incident's layers of the kind; the layer of the same file
        name (a newer version of the dataset) is chosen when there is one."""
        box = self.intoBox
        box.clear()
        layers = layers_of(self.incident, self.kind) if self.incident else []
        names = {layer["name"] for layer in layers}
        new_name, n = self.path.name, 2
        while new_name in names:  # a new layer beside one of the same name
            new_name, n = f"{self.path.stem} ({n}){self.path.suffix}", n + 1
        box.addItem(self.tr("New layer “%1”").replace("%1", new_name), new_name)
        for layer in layers:
            box.addItem(
                self.tr("%1 (%2 features)")
                .replace("%1", layer["name"])
                .replace("%2", str(layer["features"])),
                layer["id"],
            )
        default = target_layer(self.incident, self.kind, self.path, None) if self.incident else None
        if default and default.get("id"):
            box.setCurrentIndex(box.findData(default["id"]))

    def _check_name(self) -> None:
        """Say so when no column holds the names, instead of importing nameless features."""
        missing = "name" not in self.mapping()
        self.nameWarning.setText(
            self.tr(
                "No column holds the names: choose it under Field “name”, or the features "
                "will have no names."
            )
            if missing
            else ""
        )
        self.nameWarning.setVisible(missing)

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
            box.currentIndexChanged.connect(lambda _i: self._check_name())
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
            "into": self.intoBox.currentData(),
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
