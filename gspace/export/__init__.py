"""Shared maps and files for headquarters: `export()` picks the format from the file's suffix.

Every format reads the same filtered, profile-checked reports through an `ExportJob`, which
also reports progress and notices Cancel. The file is written under a temporary name and
renamed at the end, so a cancelled or failed export never leaves half a file, nor replaces the
previous export with one.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gspace.catalog import LayerKind, incident_catalog
from gspace.errors import GspaceError
from gspace.export.profile import PROFILES, Profile
from gspace.labels import phrase
from gspace.store import query
from gspace.store.incident import Incident

PAPERS = ("a4", "a3")
LANGUAGES = ("ja", "en")
PROGRESS_EVERY = 500

Progress = Callable[[int, int, str], None]


class ExportCancelled(GspaceError):
    pass


@dataclass
class ExportJob:
    incident: Incident
    out: Path
    filt: query.ReportFilter = field(default_factory=query.ReportFilter)
    profile: Profile = field(default_factory=Profile)
    title: str = ""
    layers: list[str] | None = None  # reference-layer kinds to include; None: all
    paper: str = "a3"
    lang: str = "ja"  # labels in maps and lists
    extent: str | tuple[float, float, float, float] = "reports"  # see gspace.extent.MODES
    handout: str | None = None  # shelters, needs: a hand-out instead of the map (handouts.py)
    progress: Progress | None = None
    cancelled: Callable[[], bool] | None = None
    exported_at: datetime = field(default_factory=datetime.now)
    reports_written: int = 0
    features_written: int = 0
    unlocated: int = 0  # reports read but left out of the file for want of a location
    outliers: int = 0  # located reports a map left outside its area (see gspace.extent)

    def __post_init__(self) -> None:
        self.exported_at = self.exported_at.astimezone(self.incident.timezone)
        self.title = self.title or self.incident.name
        self.catalog: dict[str, LayerKind] = incident_catalog(self.incident.path)
        self.total = self.report_count() + self.feature_count()
        self._done = 0

    def report_count(self) -> int:
        return self.profile.count(self.incident, self.filt)

    def feature_count(self) -> int:
        counts = query.feature_counts(self.incident)
        return sum(n for kind, n in counts.items() if self.layers is None or kind in self.layers)

    def reports(self, order: str = query.TIME_ORDER) -> Iterator[dict]:
        """The reports to export; counts them and reports progress."""
        for row in self.profile.reports(self.incident, self.filt, order):
            self.step()
            self.reports_written += 1
            yield row

    def leave_out_unlocated(self) -> None:
        """A format that only holds placed reports (KML) leaves this one out: counted apart."""
        self.reports_written -= 1
        self.unlocated += 1

    def features(self) -> Iterator[dict]:
        """The features to export, each made fit for the profile (Profile.feature)."""
        if self.layers is not None and not self.layers:
            return
        for row in query.features(self.incident, self.layers):
            self.step()
            self.features_written += 1
            yield self.profile.feature(row, self.catalog.get(row["kind"]))

    def step(self) -> None:
        self._done += 1
        if self._done % PROGRESS_EVERY == 0:
            self.check()

    def check(self) -> None:
        if self.cancelled and self.cancelled():
            raise ExportCancelled("export cancelled; nothing was written")
        if self.progress:
            self.progress(self._done, self.total, str(self.out))

    def image(self, sha256: str) -> bytes | None:
        """A report photo's thumbnail, fit for the profile."""
        data = query.media_thumbnail(self.incident, sha256)
        return self.profile.image(data) if data else None

    def original(self, sha256: str) -> Path | None:
        row = query.media_row(self.incident, sha256)
        path = self.incident.path / row["path"] if row and row["path"] else None
        return path if path and path.is_file() else None

    def map_extent(self, reports, features=((), ())):
        """The area a map opens on (gspace.extent.map_extent for this job's extent option and
        filter box); reports and features are (lons, lats). Counts the reports left out."""
        from gspace.extent import map_extent

        found = map_extent(self.extent, reports, features, self.filt.bbox)
        self.outliers = found.outliers
        return found

    def subtitle(self, shown: int, unlocated: int = 0) -> str:
        """The line under a map's title: time of export, reports shown, profile."""
        lang = self.lang
        parts = [
            f"{phrase('exported', lang)} {self.time_text()}",
            f"{shown} {phrase('reports', lang)}",
        ]
        if unlocated:
            parts.append(f"{phrase('unlocated', lang)} {unlocated}")
        if self.profile.public:
            parts.append(phrase("public", lang))
        return " · ".join(parts)

    def time_text(self) -> str:
        return self.exported_at.strftime("%Y-%m-%d %H:%M %Z")


# suffix -> (module, function); each module is imported when used, since each format pulls in
# its own libraries (folium, pyogrio, matplotlib).
WRITERS = {
    ".html": ("webmap", "write_html"),
    ".gpkg": ("gpkg", "write_gpkg"),
    ".geojson": ("files", "export_geojson"),
    ".csv": ("files", "export_csv"),
    ".kml": ("kml", "write_kml"),
    ".kmz": ("kml", "write_kmz"),
    ".pdf": ("printmap", "write_pdf"),
    ".png": ("printmap", "write_png"),
}


def _writer(suffix: str) -> Callable[[ExportJob, Path], None]:
    module, function = WRITERS[suffix]
    return getattr(importlib.import_module(f"gspace.export.{module}"), function)


def _handout_writer(job: ExportJob, suffix: str) -> Callable[[ExportJob, Path], None]:
    from gspace.export.handouts import HANDOUTS, SUFFIXES, write_handout

    if job.handout not in HANDOUTS:
        raise GspaceError(f"unknown hand-out {job.handout!r} (use {', '.join(HANDOUTS)})")
    if suffix not in SUFFIXES[job.handout]:
        raise GspaceError(
            f"cannot write the {job.handout} hand-out to {job.out.name}: use "
            + ", ".join(SUFFIXES[job.handout])
        )
    return write_handout


def export(job: ExportJob) -> ExportJob:
    """Write `job.out` in the format its suffix names (or the hand-out `job.handout` in it);
    returns the job with its counts."""
    suffix = job.out.suffix.lower()
    if job.handout:
        writer = _handout_writer(job, suffix)
    elif suffix not in WRITERS:
        raise GspaceError(
            f"cannot export to {job.out.name}: use one of {', '.join(WRITERS)} as the suffix"
        )
    else:
        writer = _writer(suffix)
    if job.profile.name not in PROFILES:
        raise GspaceError(f"unknown profile {job.profile.name!r} (use {', '.join(PROFILES)})")
    if job.paper not in PAPERS:
        raise GspaceError(f"unknown paper size {job.paper!r} (use {', '.join(PAPERS)})")
    if not job.out.parent.is_dir():
        raise GspaceError(f"cannot export to {job.out}: no such folder {job.out.parent}")
    partial = job.out.with_name(f".{job.out.stem}.{os.getpid()}.part{suffix}")
    try:
        writer(job, partial)
        job.check()
        partial.replace(job.out)
    finally:
        partial.unlink(missing_ok=True)
    if job.progress:
        job.progress(job.total, job.total, str(job.out))
    return job
