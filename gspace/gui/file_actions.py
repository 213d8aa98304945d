"""File menu: importing photos, SNS posts and reference layers, and exporting maps and files,
each in the background; the window reloads its data when an import is done."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from gspace.gui import i18n
from gspace.ingest.sns_formats import SNS_SUFFIXES
from gspace.store import query


class FileActions(QObject):
    """`imports` holds the background jobs still running (imports and exports)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.imports: list = []
        from gspace.gui.status_import import StatusWatcher

        self.watcher = StatusWatcher(self)
        self.watcher.due.connect(self.watch_pass)
        self.watch(window.settings.value("shelters/watch_folder") or None)

    def import_photos(self, paths: list[str]) -> None:
        """Import in the background with a progress dialog; the map follows when it is done."""
        from gspace.gui.photo_import import photo_import

        self.run(photo_import(self.window, self.window.incident.path, paths))

    def run(self, job) -> None:
        job.done.connect(lambda _summary: self.window.load_data())
        job.done.connect(lambda _summary: self.imports.remove(job))
        self.imports.append(job)
        job.start()

    def choose_photos(self) -> None:
        from gspace.ingest.photos import PHOTO_SUFFIXES

        files, _ = QFileDialog.getOpenFileNames(
            self.window,
            self.tr("Import photos"),
            str(Path.home()),
            file_filter(self.tr("Photos"), PHOTO_SUFFIXES),
        )
        if files:
            self.import_photos(files)

    def choose_photo_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.window, self.tr("Import a photo folder"), str(Path.home())
        )
        if folder:
            self.import_photos([folder])

    def choose_layer(self) -> None:
        from gspace.ingest.layer_files import LAYER_SUFFIXES

        path, _ = QFileDialog.getOpenFileName(
            self.window,
            self.tr("Import a reference layer"),
            str(Path.home()),
            file_filter(self.tr("Layers"), LAYER_SUFFIXES),
        )
        if path:
            dialog = self.layer_dialog(Path(path))
            if dialog.form.exec():
                self.start_layer_import(Path(path), dialog.choices())

    def choose_posts(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self.window,
            self.tr("Import SNS posts"),
            str(Path.home()),
            file_filter(self.tr("Post exports"), SNS_SUFFIXES),
        )
        if files:
            self.import_sns([Path(f) for f in files])

    def import_sns(self, paths: list[Path]) -> None:
        """Preview the posts, then import them in the background."""
        from gspace.gui.sns_import import ask_and_import

        job = ask_and_import(self.window, paths)
        if job:
            self.run(job)

    def layer_dialog(self, path: Path):
        from gspace.gui.layer_import import LayerImportDialog

        return LayerImportDialog(
            self.window, path, self.window.catalog, incident=self.window.incident
        )

    def start_layer_import(self, path: Path, choices: dict) -> None:
        """Import in the background; the map shows the new features when it is done."""
        from gspace.gui.layer_import import layer_import

        self.run(layer_import(self.window, self.window.incident.path, path, choices))

    def choose_status(self) -> None:
        from gspace.gui.status_import import SNAPSHOT_SUFFIXES

        path, _ = QFileDialog.getOpenFileName(
            self.window,
            self.tr("Import a shelter status snapshot"),
            str(self.window.settings.value("shelters/watch_folder") or Path.home()),
            file_filter(self.tr("Status snapshots"), SNAPSHOT_SUFFIXES),
        )
        if path:
            self.import_status(Path(path))

    def import_status(self, path: Path):
        """Update the shelters' situation from a snapshot in the background (progress, Cancel,
        a summary listing the rows that matched no shelter); returns the running job."""
        from gspace.gui.status_import import status_import

        job = status_import(self.window, self.window.incident.path, path)
        job.done.connect(lambda _summary: self.window.load_data(reports=False))
        job.done.connect(lambda _summary: self.imports.remove(job))
        self.imports.append(job)
        job.start()
        return job

    def watch(self, folder: str | None) -> None:
        """Import each snapshot dropped into `folder` while the window is open (None: watch
        nothing)."""
        self.watcher.watch(Path(folder) if folder else None)

    def watch_pass(self):
        """Import what is new in the watch folder, quietly, the result in the status bar; one
        pass at a time. Returns the running job, if one was started."""
        from gspace.gui.status_import import WatchPass

        if self.watcher.folder is None or any(isinstance(j, WatchPass) for j in self.imports):
            return None
        job = WatchPass(self.window, self.window.incident.path, self.watcher.folder)
        job.done.connect(lambda _heard: self.window.load_data(reports=False))
        job.finishedLine.connect(lambda text: self._watch_pass_done(job, text))
        self.imports.append(job)
        job.start()
        return job

    def _watch_pass_done(self, job, text: str) -> None:
        self.imports.remove(job)
        if text:
            self.window.statusBar().showMessage(text, 60_000)

    def choose_export(self) -> None:
        from gspace.gui.export_dialog import ExportDialog

        folder = Path(self.window.settings.value("export/folder", str(Path.home())))
        count = query.count_reports(self.window.incident, self.window.current_filter())
        dialog = ExportDialog(self.window, self.window.incident.name, count, folder)
        if dialog.form.exec():
            self.export(dialog.choices())

    def export(self, choices: dict):
        """Export what the window shows in the background; returns the running job."""
        from gspace.gui.export_dialog import export_in_background

        self.window.settings.setValue("export/folder", str(choices["out"].parent))
        job = export_in_background(
            self.window,
            self.window.incident.path,
            choices,
            self.window.current_filter(),
            self.window.layers.shown_feature_kinds({f["kind"] for f in self.window.features}),
            i18n.current_language(),
        )
        job.done.connect(lambda _job: self.imports.remove(job))
        self.imports.append(job)
        job.start()
        return job


def file_filter(label: str, suffixes) -> str:
    """A file dialog filter for the suffixes a reader accepts (either case: the filter is
    case-sensitive on Linux)."""
    patterns = sorted({f"*{s}" for s in suffixes} | {f"*{s.upper()}" for s in suffixes})
    return f"{label} ({' '.join(patterns)})"
