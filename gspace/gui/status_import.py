"""Shelter status snapshots in the window: File → Import a shelter status snapshot… (in the
background, with progress, Cancel and a summary listing the rows that matched no shelter), and
the watch folder (Settings) whose new snapshots are imported while the window is open: how a
city's feed reaches a laptop with no direct link to it.

A snapshot older than what the incident already has changes nothing (the core decides by the
snapshot's own time), so a file dropped twice, or an old one, is harmless.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QFileSystemWatcher, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from gspace.gui.background_import import BackgroundImport

SNAPSHOT_SUFFIXES = (".csv", ".json", ".geojson", ".txt")
SETTLE_MS = 1000  # a file is imported once its size has stayed the same this long


def _translate(text: str) -> str:
    return QCoreApplication.translate("StatusImport", text)


def _work(path: Path):
    from gspace.ingest.status import import_status

    def work(incident, progress, cancelled):
        return import_status(incident, path, progress=progress, cancelled=cancelled)

    return work


def describe(summary) -> tuple[str, str]:
    """The summary's line, and one line per row that matched no shelter or was skipped."""
    details = [
        *(
            _translate("unmatched: %1").replace("%1", str(row))
            for row in getattr(summary, "unmatched", ())
        ),
        *(f"row {row}: {reason}" for row, reason in getattr(summary, "skipped", ())),
    ]
    return summary.line(), "\n".join(details)


def status_import(parent: QWidget, incident_path: Path, path: Path) -> BackgroundImport:
    return BackgroundImport(
        parent,
        incident_path,
        _work(path),
        _translate("Import a shelter status snapshot"),
        _translate("Importing %1…").replace("%1", path.name),
        describe,
    )


class QuietImport(BackgroundImport):
    """A watch-folder import: no progress dialog, no summary box; the summary goes to
    `finishedLine(text)` (the window's status bar)."""

    finishedLine = Signal(str)

    def __init__(self, parent: QWidget, incident_path: Path, path: Path):
        super().__init__(parent, incident_path, _work(path), path.name, path.name, describe)
        self.dialog.setMinimumDuration(2**31 - 1)
        self.path = path

    def _progress(self, done: int, total: int, path: str) -> None:
        pass

    def _failed(self, message: str) -> None:
        self._end()
        self.finishedLine.emit(f"{self.path.name}: {message}")

    def _finished(self, summary: object) -> None:
        self._end()
        self.done.emit(summary)
        self.finishedLine.emit(f"{self.path.name}: {describe(summary)[0]}")


class StatusWatcher(QObject):
    """Watches one folder; `arrived(path)` for each snapshot that appears in it after watching
    began (files already there are not imported), once its size has settled."""

    arrived = Signal(Path)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.folder: Path | None = None
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(lambda _p: self.timer.start())
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SETTLE_MS)
        self.timer.timeout.connect(self.scan)
        self.seen: dict[Path, tuple[int, int]] = {}  # path -> (size, mtime_ns) when handled
        self.pending: dict[Path, int] = {}  # path -> size at the last look

    def watch(self, folder: Path | None) -> None:
        """Watch `folder` (None: stop). Snapshots already in it count as seen."""
        if self.watcher.directories():
            self.watcher.removePaths(self.watcher.directories())
        self.folder, self.pending = folder, {}
        self.seen = {}
        if folder is None or not folder.is_dir():
            self.folder = None
            return
        self.seen = {p: self._stamp(p) for p in self._snapshots()}
        self.watcher.addPath(str(folder))

    def _snapshots(self) -> list[Path]:
        try:
            return sorted(
                p
                for p in self.folder.iterdir()
                if p.is_file() and p.suffix.lower() in SNAPSHOT_SUFFIXES
            )
        except OSError:
            return []

    @staticmethod
    def _stamp(path: Path) -> tuple[int, int]:
        try:
            info = path.stat()
        except OSError:
            return (-1, -1)
        return (info.st_size, info.st_mtime_ns)

    def scan(self) -> None:
        """New or rewritten snapshots whose size has not changed since the last look are
        handed on, oldest name first; others are looked at again shortly."""
        if self.folder is None:
            return
        waiting = False
        for path in self._snapshots():
            stamp = self._stamp(path)
            if self.seen.get(path) == stamp or stamp[0] <= 0:
                continue
            if self.pending.get(path) == stamp[0]:
                self.pending.pop(path)
                self.seen[path] = stamp
                self.arrived.emit(path)
            else:
                self.pending[path] = stamp[0]
                waiting = True
        if waiting:
            self.timer.start()
