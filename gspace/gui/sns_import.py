"""Importing SNS posts from the window: a preview of what the files hold (detected format,
counts, how many posts can be placed, the first posts), then the import in the background with
progress and Cancel (every batch written before Cancel is kept)."""

from __future__ import annotations

from datetime import UTC, tzinfo
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QMessageBox, QTableWidgetItem, QWidget

from gspace.errors import GspaceError
from gspace.gui.background_import import BackgroundImport
from gspace.gui.forms import load_form
from gspace.gui.labels import local_time
from gspace.ingest.sns import SnsPreview, SnsSummary, import_sns, preview
from gspace.ingest.sns_formats import FORMATS

translate = QCoreApplication.translate  # called by this name so that lupdate finds the strings


class SnsImportDialog(QObject):
    """Wraps the `sns_import` form; `fmt` is the format the user settled on."""

    def __init__(self, parent: QWidget | None, paths: list[Path], zone: tzinfo = UTC):
        super().__init__(parent)
        self.paths, self.zone = paths, zone
        self.form = load_form("sns_import", parent)
        self.form.fileLabel.setText("\n".join(str(p) for p in paths))
        self.form.formatBox.addItems(FORMATS)
        self.form.formatBox.currentIndexChanged.connect(lambda _i: self.refresh())
        self.result: SnsPreview | None = None
        self.refresh()

    @property
    def fmt(self) -> str:
        return self.form.formatBox.currentText()

    def refresh(self) -> None:
        try:
            self.result = preview(self.paths, self.fmt)
        except GspaceError as e:
            self.result = None
            self.form.detectedValue.setText(str(e))
            self.form.countsValue.setText("")
            self.form.previewTable.setRowCount(0)
            return
        r = self.result
        self.form.detectedValue.setText(
            "\n".join(f"{Path(p).name}: {f}" for p, f in r.formats.items())
        )
        posts, reposts, skipped = r.posts, r.reposts, r.skipped  # plain names for lupdate
        coordinates, places = r.located["post"], r.located["place"]
        geoparsed = r.located["geoparsed"]
        lines = [
            self.tr("%n post(s)", "", posts),
            self.tr("%n with coordinates", "", coordinates),
            self.tr("%n tagged with a place", "", places),
            self.tr("%n placed by an address or place name in the text", "", geoparsed),
            self.tr("%n repost(s), attached to their originals", "", reposts),
            self.tr("%n record(s) to skip", "", skipped),
        ]
        if not r.complete:
            lines.append(self.tr("(counted from the first 20,000 records of each file)"))
        self.form.countsValue.setText("\n".join(lines))
        self._fill_sample()

    def _fill_sample(self) -> None:
        table, posts = self.form.previewTable, self.result.sample
        headers = [self.tr("Time"), self.tr("Author"), self.tr("Text")]
        table.clear()
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setRowCount(len(posts))
        for row, post in enumerate(posts):
            when = local_time(post.observed_at, self.zone)
            cells = (when, post.author or "", post.text.replace("\n", " "))
            for column, text in enumerate(cells):
                table.setItem(row, column, QTableWidgetItem(text))  # shown as text
        table.resizeColumnsToContents()


def sns_import(
    parent: QWidget, incident_path: Path, paths: list[Path], fmt: str = "auto"
) -> BackgroundImport:
    return BackgroundImport(
        parent,
        incident_path,
        lambda incident, progress, cancelled: import_sns(
            incident, paths, fmt=fmt, progress=progress, cancelled=cancelled
        ),
        translate("SnsImport", "Import SNS posts"),
        translate("SnsImport", "Importing posts…"),
        describe,
    )


def describe(summary: SnsSummary) -> tuple[str, str]:
    placed = sum(summary.located[s] for s in ("post", "place", "geoparsed"))
    # plain names as counts: lupdate does not see a translate() whose count is an expression
    imported, unplaced, reposts = summary.imported, summary.located["none"], summary.reposts
    already, skipped = summary.already, summary.skipped
    lines = [
        translate("SnsImport", "%n post(s) imported", "", imported),
        translate("SnsImport", "%n placed on the map", "", placed),
        translate("SnsImport", "%n need(s) a location", "", unplaced),
        translate("SnsImport", "%n repost(s) attached", "", reposts),
        translate("SnsImport", "%n already imported", "", already),
        translate("SnsImport", "%n skipped", "", skipped),
    ]
    if summary.cancelled:
        lines.append(
            translate(
                "SnsImport", "Cancelled: %1 posts kept; import the same files again to finish."
            ).replace("%1", f"{summary.kept():,}")
        )
    details = [f"{where}: {reason}" for where, reason in summary.reasons]
    return "\n".join(lines), "\n".join(details)


def ask_and_import(window, paths: list[Path]) -> BackgroundImport | None:
    """Show the preview; on OK start the import (the caller runs the returned job)."""
    dialog = SnsImportDialog(window, paths, window.incident.timezone)
    if dialog.result is None:  # the files cannot be read; the dialog holds why
        QMessageBox.warning(window, dialog.form.windowTitle(), dialog.form.detectedValue.text())
        return None
    if not dialog.form.exec():
        return None
    return sns_import(window, window.incident.path, paths, dialog.fmt)
