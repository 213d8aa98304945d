"""File → Export: the `export` form (file, format, title, profile, paper), then the export of
what the window shows (the same filters) in the background, with progress and Cancel."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QFileDialog, QWidget

from gspace.export import WRITERS, ExportJob, export
from gspace.export.profile import Profile
from gspace.gui.background_import import BackgroundImport
from gspace.gui.forms import load_form
from gspace.store import query

translate = QCoreApplication.translate  # called by this name so that lupdate finds the strings


def format_names() -> dict[str, str]:
    return {
        ".html": translate("Export", "Web map (HTML, opens without network)"),
        ".pdf": translate("Export", "Printed map (PDF)"),
        ".png": translate("Export", "Map image (PNG)"),
        ".gpkg": translate("Export", "GeoPackage (QGIS)"),
        ".kmz": translate("Export", "KMZ with photos (Google Earth)"),
        ".kml": translate("Export", "KML (Google Earth)"),
        ".geojson": translate("Export", "GeoJSON"),
        ".csv": translate("Export", "CSV (Excel)"),
    }


class ExportDialog(QObject):
    """Wraps the `export` form; `choices()` returns what the user settled on."""

    def __init__(self, parent: QWidget | None, title: str, count: int, folder: Path):
        super().__init__(parent)
        self.form = form = load_form("export", parent)
        names = format_names()
        assert set(names) == set(WRITERS)
        for suffix, name in names.items():
            form.formatBox.addItem(f"{name}  ({suffix})", suffix)
        form.profileBox.addItem(self.tr("Internal use (everything)"), "internal")
        form.profileBox.addItem(
            self.tr(
                "Public (no names or handles, no photo GPS, no rejected reports, "
                "rescue requests to ~100 m)"
            ),
            "public",
        )
        form.paperBox.addItem("A3", "a3")
        form.paperBox.addItem("A4", "a4")
        form.titleEdit.setText(title)
        stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in title)[:40] or "gspace"
        form.fileEdit.setText(str(folder / f"{stem}-{date.today():%Y%m%d}.html"))
        form.scopeValue.setText(
            self.tr(
                "%n report(s): those the window shows (kinds and categories ticked in the "
                "layer panel), with the reference layers that are ticked.",
                "",
                count,
            )
        )
        form.formatBox.currentIndexChanged.connect(lambda _i: self._format_chosen())
        form.fileEdit.textChanged.connect(lambda _t: self._file_typed())
        form.browseButton.clicked.connect(self._browse)
        self._file_typed()

    @property
    def path(self) -> Path:
        return Path(self.form.fileEdit.text().strip()).expanduser()

    def _format_chosen(self) -> None:
        suffix = self.form.formatBox.currentData()
        if self.path.suffix.lower() != suffix:
            self.form.fileEdit.setText(str(self.path.with_suffix(suffix)))
        self.form.paperBox.setEnabled(suffix in (".pdf", ".png"))

    def _file_typed(self) -> None:
        index = self.form.formatBox.findData(self.path.suffix.lower())
        if index >= 0 and index != self.form.formatBox.currentIndex():
            self.form.formatBox.setCurrentIndex(index)
        self.form.paperBox.setEnabled(self.path.suffix.lower() in (".pdf", ".png"))

    def _browse(self) -> None:
        suffix = self.form.formatBox.currentData()
        chosen, _ = QFileDialog.getSaveFileName(
            self.form, self.form.windowTitle(), str(self.path), f"*{suffix}"
        )
        if chosen:
            self.form.fileEdit.setText(chosen)

    def choices(self) -> dict:
        return {
            "out": self.path,
            "title": self.form.titleEdit.text().strip(),
            "profile": self.form.profileBox.currentData(),
            "paper": self.form.paperBox.currentData(),
        }


def export_in_background(
    parent: QWidget,
    incident_path: Path,
    choices: dict,
    filt: query.ReportFilter,
    layers: list[str],
    lang: str,
) -> BackgroundImport:
    out: Path = choices["out"]

    def work(incident, progress, cancelled):
        return export(
            ExportJob(
                incident,
                out,
                filt=filt,
                profile=Profile(choices["profile"]),
                title=choices["title"],
                layers=layers,
                paper=choices["paper"],
                lang=lang,
                progress=progress,
                cancelled=cancelled,
            )
        )

    def describe(job: ExportJob) -> tuple[str, str]:
        text = translate("Export", "Wrote %1: %2 reports, %3 reference features.")
        for n, value in enumerate((str(out), job.reports_written, job.features_written), 1):
            text = text.replace(f"%{n}", str(value))
        if job.unlocated:  # KML/KMZ write only located reports (gspace.export.kml)
            left = translate("Export", "%1 reports had no location and were left out.")
            text += " " + left.replace("%1", str(job.unlocated))
        if job.outliers:  # strays a map's first view leaves out (gspace.extent)
            far = translate("Export", "%1 reports lie far outside the map's area.")
            text += " " + far.replace("%1", str(job.outliers))
        return text, ""

    return BackgroundImport(
        parent,
        incident_path,
        work,
        translate("Export", "Export a map or file"),
        translate("Export", "Exporting %1…").replace("%1", out.name),
        describe,
    )
