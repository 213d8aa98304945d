"""File → Export bundle… / Import bundle… (and a .gsb dropped on the window): the bundle core
(gspace.sync.bundle, the same as `gspace bundle export|import`) in the background with a
progress dialog and Cancel (background_import.py); after an import the window reads its data
again and says what the bundle brought: changes applied, already here, conflicts, held."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from gspace.gui.background_import import BackgroundImport
from gspace.gui.file_actions import file_filter

translate = QCoreApplication.translate  # called by this name so that lupdate finds the strings
SUFFIX = ".gsb"


def _stage(stage: str) -> str:
    names = {
        "entries": translate("Bundles", "Changes"),
        "media": translate("Bundles", "Photos"),
        "verify": translate("Bundles", "Checking the photos"),
        "apply": translate("Bundles", "Applying the changes"),
    }
    return names.get(stage, stage)


def _progress(report):
    """The bundle core says (stage, done, total); the dialog shows (done, total, a name)."""
    return lambda stage, done, total: report(done, total, _stage(stage))


def bundle_export(parent: QWidget, incident_path: Path, out: Path, since=None) -> BackgroundImport:
    from gspace.sync.bundle import export_bundle

    return BackgroundImport(
        parent,
        incident_path,
        lambda incident, progress, cancelled: export_bundle(
            incident, out, since=since, progress=_progress(progress), cancel=cancelled
        ),
        translate("Bundles", "Export bundle"),
        translate("Bundles", "Writing the bundle…"),
        describe_export,
    )


def bundle_import(parent: QWidget, incident_path: Path, path: Path) -> BackgroundImport:
    from gspace.sync.bundle import import_bundle

    return BackgroundImport(
        parent,
        incident_path,
        lambda incident, progress, cancelled: import_bundle(
            incident, path, progress=_progress(progress), cancel=cancelled
        ),
        translate("Bundles", "Import bundle"),
        translate("Bundles", "Importing the bundle…"),
        describe_import,
    )


def describe_export(summary) -> tuple[str, str]:
    # plain names as counts: lupdate does not see a translate() whose count is an attribute
    entries, media = summary.entries, summary.media
    lines = [
        translate("Bundles", "%n change(s) written", "", entries),
        translate("Bundles", "%n photo(s) included", "", media),
        translate("Bundles", "Size: %1 MB").replace("%1", f"{summary.size / 1e6:,.1f}"),
    ]
    if summary.missing or summary.damaged:
        missing = len(summary.missing) + len(summary.damaged)
        lines.append(translate("Bundles", "%n photo(s) missing or damaged, left out", "", missing))
    return "\n".join(lines), "\n".join([str(summary.path), *summary.lines()])


def describe_import(summary) -> tuple[str, str]:
    """The counts of what the bundle's changes did here (every change is in one of them)."""
    counts = summary.counts
    applied, duplicate = counts.get("applied", 0), counts.get("duplicate", 0)
    conflicts, held = counts.get("conflict", 0), counts.get("held", 0)
    photos = summary.media_added
    lines = [
        translate("Bundles", "%n change(s) applied", "", applied),
        translate("Bundles", "%n already here", "", duplicate),
        translate("Bundles", "%n conflict(s) to settle", "", conflicts),
        translate("Bundles", "%n held for a newer gspace", "", held),
        translate("Bundles", "%n photo(s) added", "", photos),
    ]
    rejected = counts.get("rejected", 0)
    if rejected:
        lines.append(translate("Bundles", "%n refused", "", rejected))
    if conflicts:
        lines.append(translate("Bundles", "View → Conflicts shows them side by side."))
    return "\n".join(lines), "\n".join([str(summary.path), *summary.lines()])


class BundleActions:
    """The File menu's bundle entries for one window (FileActions runs the jobs)."""

    def __init__(self, window):
        self.window = window

    def choose_export(self) -> None:
        window = self.window
        folder = Path(window.settings.value("bundle/folder", str(Path.home())))
        path, _ = QFileDialog.getSaveFileName(
            window,
            translate("Bundles", "Export bundle"),
            str(folder / f"{window.incident.path.name}{SUFFIX}"),
            file_filter(translate("Bundles", "gspace bundles"), [SUFFIX]),
        )
        if path:
            out = Path(path) if path.lower().endswith(SUFFIX) else Path(path + SUFFIX)
            self.export(out)

    def export(self, out: Path, since=None) -> BackgroundImport:
        window = self.window
        window.settings.setValue("bundle/folder", str(out.parent))
        job = bundle_export(window, window.incident.path, out, since)
        job.done.connect(lambda _summary: window.files.imports.remove(job))
        window.files.imports.append(job)
        job.start()
        return job

    def choose_import(self) -> None:
        window = self.window
        folder = Path(window.settings.value("bundle/folder", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(
            window,
            translate("Bundles", "Import bundle"),
            str(folder),
            file_filter(translate("Bundles", "gspace bundles"), [SUFFIX]),
        )
        if path:
            self.import_(Path(path))

    def import_(self, path: Path, then: list[Path] | None = None) -> BackgroundImport:
        """Merge a bundle in the background; the window reloads (and the conflicts panel
        lists any new conflicts) once it is in. Bundles in `then` follow, one at a time."""
        window = self.window
        window.settings.setValue("bundle/folder", str(path.parent))
        job = bundle_import(window, window.incident.path, path)
        job.done.connect(lambda _summary: self._received())
        if then:
            job.done.connect(lambda _summary: self.import_(then[0], then[1:]))
        window.files.run(job)
        return job

    def _received(self) -> None:
        """The worker wrote with its own connection: this window's clock moves past every
        stamp the bundle brought, so an edit made next is later than all of them."""
        incident = self.window.incident
        last = incident.conn.execute("SELECT max(hlc) FROM changes").fetchone()[0]
        if last:
            incident.clock.observe(last)
