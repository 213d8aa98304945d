"""Importing photos from the window: a worker thread, a progress dialog with Cancel, and a
summary of what happened to each file."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from gspace.errors import GspaceError
from gspace.incident import Incident
from gspace.ingest.photos import ImportSummary, import_photos


class PhotoImportWorker(QObject):
    """Runs the core import on its own connection to the incident (WAL lets the window keep
    reading meanwhile)."""

    progressed = Signal(int, int, str)
    finished = Signal(object)  # ImportSummary
    failed = Signal(str)

    def __init__(self, incident_path: Path, paths: list[str]):
        super().__init__()
        self.incident_path, self.paths = incident_path, paths
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            with Incident.open(self.incident_path) as incident:
                summary = import_photos(
                    incident, self.paths, progress=self.progressed.emit, cancelled=self.stop.is_set
                )
        except (GspaceError, OSError) as e:
            self.failed.emit(str(e))
            return
        self.finished.emit(summary)


class PhotoImport(QObject):
    """One import from start to summary; `done` fires after the store has changed."""

    done = Signal(object)

    def __init__(self, parent: QWidget, incident_path: Path, paths: list[str]):
        super().__init__(parent)
        self.parent_widget = parent
        self.thread = QThread(self)
        self.worker = PhotoImportWorker(incident_path, paths)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self._progress, Qt.ConnectionType.QueuedConnection)
        self.worker.finished.connect(self._finished, Qt.ConnectionType.QueuedConnection)
        self.worker.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self.dialog = QProgressDialog(self.tr("Importing photos…"), self.tr("Cancel"), 0, 0, parent)
        self.dialog.setWindowTitle(self.tr("Import photos"))
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(500)
        self.dialog.canceled.connect(self.worker.stop.set)
        self.summary: ImportSummary | None = None

    def start(self) -> None:
        self.thread.start()

    def _progress(self, done: int, total: int, path: str) -> None:
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        self.dialog.setLabelText(self.tr("Importing photos…") + f"\n{Path(path).name}")

    def _end(self) -> None:
        self.thread.quit()
        self.thread.wait()
        self.dialog.reset()
        self.dialog.hide()

    def _failed(self, message: str) -> None:
        self._end()
        QMessageBox.critical(self.parent_widget, self.tr("Import photos"), message)

    def _finished(self, summary: ImportSummary) -> None:
        self._end()
        self.summary = summary
        self.done.emit(summary)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Import photos"),
            summary_text(self, summary),
            parent=self.parent_widget,
        )
        details = [
            f"{o.path}: {o.outcome}" + (f" — {o.reason}" if o.reason else "")
            for o in summary.outcomes
        ]
        box.setDetailedText("\n".join(details))
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.show()
        self.summary_box = box


def summary_text(context: QObject, summary: ImportSummary) -> str:
    imported = summary.count("imported")
    unlocated = sum(1 for o in summary.outcomes if o.outcome == "imported" and not o.located)
    text = "\n".join(
        [
            context.tr("%n photo(s) imported", "", imported),
            context.tr("%n need(s) a location", "", unlocated),
            context.tr("%n already imported", "", summary.count("already imported")),
            context.tr("%n skipped", "", summary.count("skipped")),
        ]
    )
    return text + ("\n" + context.tr("Cancelled.") if summary.cancelled else "")
