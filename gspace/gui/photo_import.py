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
    """The counts (every file handed over is in one of them) and one line per file."""
    unlocated = sum(1 for o in summary.outcomes if o.outcome == "imported" and not o.located)
    # plain names as counts: lupdate does not see a translate() whose count is a call
    imported, already = summary.count("imported"), summary.count("already imported")
    skipped, videos = summary.count("skipped"), summary.count("not imported", "video")
    others = summary.count("not imported") - videos
    missing = summary.count("not found")
    lines = [
        translate("PhotoImport", "%n photo(s) imported", "", imported),
        translate("PhotoImport", "%n need(s) a location", "", unlocated),
        translate("PhotoImport", "%n already imported", "", already),
        translate("PhotoImport", "%n skipped", "", skipped),
    ]
    if videos:
        lines.append(translate("PhotoImport", "%n video(s) not imported", "", videos))
    if others:
        lines.append(translate("PhotoImport", "%n other file(s) not imported", "", others))
    if missing:
        lines.append(translate("PhotoImport", "%n not found", "", missing))
    if summary.cancelled:
        lines.append(
            translate(
                "PhotoImport",
                "Cancelled: %1 of %2 photos kept; import the same files again to finish.",
            )
            .replace("%1", f"{summary.kept():,}")
            .replace("%2", f"{summary.total:,}")
        )
    details = [
        f"{o.path}: {o.outcome}" + (f" — {o.reason}" if o.reason else "") for o in summary.outcomes
    ]
    return "\n".join(lines), "\n".join(details)
