"""Running an import from the window: a worker thread with its own connection to the incident
(WAL lets the window keep reading meanwhile), a progress dialog with Cancel, and a summary with
what happened to each file or row."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from gspace.errors import GspaceError, file_message
from gspace.store.incident import Incident

# work(incident, progress(done, total, path), cancelled()) -> a summary; the incident is None
# for work that needs none (downloading tiles)
Work = Callable[[Incident | None, Callable[[int, int, str], None], Callable[[], bool]], object]


class _Worker(QObject):
    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, incident_path: Path | None, work: Work):
        super().__init__()
        self.incident_path, self.work = incident_path, work
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            if self.incident_path is None:
                summary = self.work(None, self.progressed.emit, self.stop.is_set)
            else:
                with Incident.open(self.incident_path) as incident:
                    summary = self.work(incident, self.progressed.emit, self.stop.is_set)
        except GspaceError as e:
            self.failed.emit(str(e))
            return
        except OSError as e:  # a file gone or unreadable since it was chosen: one plain line
            self.failed.emit(file_message(e))
            return
        self.finished.emit(summary)


class BackgroundImport(QObject):
    """One import from start to summary; `done(summary)` fires once the store has changed.

    `describe(summary)` gives the summary's text and its details (one line per file or row).
    """

    done = Signal(object)

    def __init__(
        self,
        parent: QWidget,
        incident_path: Path | None,
        work: Work,
        title: str,
        label: str,
        describe: Callable[[object], tuple[str, str]],
    ):
        super().__init__(parent)
        self.parent_widget, self.title, self.label, self.describe = parent, title, label, describe
        self.thread = QThread(self)
        self.worker = _Worker(incident_path, work)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        for signal, slot in (
            (self.worker.progressed, self._progress),
            (self.worker.finished, self._finished),
            (self.worker.failed, self._failed),
        ):
            signal.connect(slot, Qt.ConnectionType.QueuedConnection)
        self.dialog = QProgressDialog(label, self.tr("Cancel"), 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(500)
        self.dialog.canceled.connect(self.worker.stop.set)

    def start(self) -> None:
        self.thread.start()

    def running(self) -> bool:
        return self.thread.isRunning()

    def stop(self) -> None:
        """Stop now, without a summary (the window is closing): the work stops where it would
        for Cancel (photos and posts keep every batch written, a layer keeps nothing) and this
        returns once it has."""
        for signal in (self.worker.progressed, self.worker.finished, self.worker.failed):
            signal.disconnect()
        self.worker.stop.set()
        self.thread.quit()
        self.thread.wait()
        self.dialog.reset()
        self.dialog.hide()

    def _progress(self, done: int, total: int, path: str) -> None:
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        self.dialog.setLabelText(f"{self.label}\n{Path(path).name}")

    def _end(self) -> None:
        self.thread.quit()
        self.thread.wait()
        self.dialog.reset()
        self.dialog.hide()

    def _failed(self, message: str) -> None:
        self._end()
        QMessageBox.warning(self.parent_widget, self.title, message)

    def _finished(self, summary: object) -> None:
        self._end()
        self.done.emit(summary)
        text, details = self.describe(summary)
        box = QMessageBox(QMessageBox.Icon.Information, self.title, text, parent=self.parent_widget)
        box.setDetailedText(details)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.show()
        self.summary_box = box


def stop_before_closing(parent: QWidget, jobs: list[BackgroundImport]) -> bool:
    """Whether the window may close: true at once when no job runs; else the user chooses
    between stopping the jobs (what they finished is kept) and going on working."""
    running = [job for job in jobs if job.running()]
    if not running:
        return True
    translate = QCoreApplication.translate
    box = QMessageBox(
        QMessageBox.Icon.Question,
        parent.windowTitle(),
        translate("BackgroundImport", "An import or export is still running."),
        parent=parent,
    )
    box.setInformativeText(
        translate(
            "BackgroundImport",
            "Stop it and close? Photos and posts imported so far are kept (import the same "
            "files again to finish); a layer being imported is not imported.",
        )
    )
    stop = box.addButton(
        translate("BackgroundImport", "Stop and close"), QMessageBox.ButtonRole.AcceptRole
    )
    box.addButton(translate("BackgroundImport", "Keep working"), QMessageBox.ButtonRole.RejectRole)
    box.setObjectName("stopBeforeClosing")
    box.exec()
    if box.clickedButton() is not stop:
        return False
    for job in running:
        job.stop()
    return True
