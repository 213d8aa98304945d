"""Shelter status snapshots in the window: File → Import a shelter status snapshot… (in the
background, with progress, Cancel and a summary listing the rows that matched no shelter), and
the watch folder (Settings) whose new snapshots are imported while the window is open: how a
city's feed reaches a laptop with no direct link to it.

A snapshot older than what the incident already has changes nothing (the core decides by the
snapshot's own time), and the incident remembers every snapshot it took from a watch folder, so
a file dropped twice, or an old one, is harmless.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QFileSystemWatcher, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from gspace.gui.background_import import BackgroundImport
from gspace.ingest.status_feed import StatusSummary, import_status
from gspace.ingest.status_watch import SUFFIXES as SNAPSHOT_SUFFIXES  # noqa: F401 (File menu)
from gspace.ingest.status_watch import import_new

SCAN_DELAY_MS = 2500  # after a change in the folder: past the core's settling time
RESCAN_MS = 10_000  # and again now and then, for files that were still being written


def describe(summary: StatusSummary) -> tuple[str, str]:
    """The summary's line, and one line per row that matched no shelter or was skipped."""
    return summary.line(), "\n".join(summary.lines())


def status_import(parent: QWidget, incident_path: Path, path: Path) -> BackgroundImport:
    """One snapshot, in the background; the summary lists the rows that matched no shelter.
    The core writes a snapshot in one transaction: Cancel stops nothing half-way."""
    return BackgroundImport(
        parent,
        incident_path,
        lambda incident, _progress, _cancelled: import_status(incident, path),
        QCoreApplication.translate("StatusImport", "Import a shelter status snapshot"),
        QCoreApplication.translate("StatusImport", "Importing %1…").replace("%1", path.name),
        describe,
    )


def one_pass(folder: Path):
    """Work for a background job: one look into `folder`, importing every snapshot not taken
    yet (`status_watch.import_new`). Returns [(file name, summary or None, error or None)]."""

    def work(incident, _progress, cancelled):
        heard: list[tuple[str, StatusSummary | None, str | None]] = []
        import_new(
            incident,
            folder,
            report=lambda path, summary, error: heard.append((path.name, summary, error)),
            cancelled=cancelled,
        )
        return heard

    return work


class WatchPass(BackgroundImport):
    """A watch-folder pass: no progress dialog, no summary box; `finishedLine(text)` says what
    was imported (for the status bar), `done(heard)` fires when something was."""

    finishedLine = Signal(str)

    def __init__(self, parent: QWidget, incident_path: Path, folder: Path):
        super().__init__(parent, incident_path, one_pass(folder), "", "", lambda _s: ("", ""))
        self.dialog.setMinimumDuration(2**31 - 1)  # never shown

    def _progress(self, done: int, total: int, path: str) -> None:
        pass

    def _failed(self, message: str) -> None:
        self._end()
        self.finishedLine.emit(message)

    def _finished(self, heard: object) -> None:
        self._end()
        if heard:
            self.done.emit(heard)
        lines = [
            f"{name}: {summary.line() if summary else error}" for name, summary, error in heard
        ]
        self.finishedLine.emit(" · ".join(lines))


class StatusWatcher(QObject):
    """Watches one folder; `due()` when it is time to look for new snapshots in it: soon after
    something in it changed, and every few seconds while it is watched."""

    due = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.folder: Path | None = None
        self.watcher = QFileSystemWatcher(self)
        self.soon = QTimer(self, singleShot=True, interval=SCAN_DELAY_MS)
        self.soon.timeout.connect(self.due)
        self.watcher.directoryChanged.connect(lambda _p: self.soon.start())
        self.every = QTimer(self, interval=RESCAN_MS)
        self.every.timeout.connect(self.due)

    def watch(self, folder: Path | None) -> None:
        """Watch `folder` (None: stop); a look is due at once."""
        if self.watcher.directories():
            self.watcher.removePaths(self.watcher.directories())
        self.every.stop()
        self.folder = folder if folder is not None and folder.is_dir() else None
        if self.folder is not None:
            self.watcher.addPath(str(self.folder))
            self.every.start()
            self.soon.start(0)
