"""Importing photos from the window (the core import in the background, with a summary)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from gspace.gui.background_import import BackgroundImport
from gspace.ingest.photos import ImportSummary, import_photos

translate = QCoreApplication.translate  # called by this name so that lupdate finds the strings


def photo_import(parent: QWidget, incident_path: Path, paths: list[str]) -> BackgroundImport:
    return BackgroundImport(
        parent,
        incident_path,
        lambda incident, progress, cancelled: import_photos(
            incident, paths, progress=progress, cancelled=cancelled
        ),
        translate("PhotoImport", "Import photos"),
        translate("PhotoImport", "Importing photos…"),
        describe,
    )


def describe(summary: ImportSummary) -> tuple[str, str]:
    unlocated = sum(1 for o in summary.outcomes if o.outcome == "imported" and not o.located)
    # plain names as counts: lupdate does not see a translate() whose count is a call
    imported, already = summary.count("imported"), summary.count("already imported")
    skipped = summary.count("skipped")
    lines = [
        translate("PhotoImport", "%n photo(s) imported", "", imported),
        translate("PhotoImport", "%n need(s) a location", "", unlocated),
        translate("PhotoImport", "%n already imported", "", already),
        translate("PhotoImport", "%n skipped", "", skipped),
    ]
    if summary.cancelled:
        lines.append(translate("PhotoImport", "Cancelled."))
    details = [
        f"{o.path}: {o.outcome}" + (f" — {o.reason}" if o.reason else "") for o in summary.outcomes
    ]
    return "\n".join(lines), "\n".join(details)
