"""Triage from the keyboard: the Review menu's actions and the undo stack.

Every edit is written at once (through `gspace.triage`, so it is in the change log) and pushed
as a command holding its inverse; Undo writes the inverse, Redo writes the edit again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QMessageBox

from gspace import triage
from gspace.errors import GspaceError
from gspace.gui.labels import status_label
from gspace.store.incident import Incident

STATUS_KEYS = {"verified": "V", "actioned": "A", "rejected": "R", "new": "U"}


class EditCommand(QUndoCommand):
    """An edit already written; undo writes its inverse, redo writes it again."""

    def __init__(self, write: Callable[[triage.Edit], triage.Edit], text: str, inverse):
        super().__init__(text)
        self._write, self.inverse, self.forward = write, inverse, None

    def undo(self) -> None:
        self.forward = self._write(self.inverse)

    def redo(self) -> None:
        if self.forward is not None:  # the first redo is the push: already written
            self.inverse = self._write(self.forward)


class ReviewActions(QObject):
    """Emits `edited(ids)` after reports were written (an edit, an undo or a redo)."""

    edited = Signal(list)

    def __init__(self, window, incident: Incident):
        super().__init__(window)
        self.window, self.incident = window, incident
        self.stack = QUndoStack(self)
        self.undo_action = self.stack.createUndoAction(self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.stack.createRedoAction(self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.stack.indexChanged.connect(self._name_undo)
        self.next_action = self._action("N", lambda: window.step_unreviewed(1))
        self.previous_action = self._action("Shift+N", lambda: window.step_unreviewed(-1))
        self.status_actions = {
            status: self._action(key, lambda _=False, s=status: self.set_status(s))
            for status, key in STATUS_KEYS.items()
        }
        self.merge_action = self._action("M", self.merge_selected)

    def _action(self, key: str, handler) -> QAction:
        action = QAction(self)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(handler)
        return action

    def actions(self) -> list[QAction]:
        """In menu order (None: a separator)."""
        return [
            self.next_action,
            self.previous_action,
            None,
            *self.status_actions.values(),
            self.merge_action,
        ]

    def retranslate(self) -> None:
        self.next_action.setText(self.tr("&Next unreviewed report"))
        self.previous_action.setText(self.tr("&Previous unreviewed report"))
        for status, action in self.status_actions.items():
            action.setText(self.tr("Mark as %1").replace("%1", status_label(status)))
        self.merge_action.setText(self.tr("&Merge selected duplicates into the current report"))
        self._name_undo()

    def _name_undo(self) -> None:
        """The menu says what Undo and Redo would do."""
        self.undo_action.setText(" ".join(filter(None, (self.tr("&Undo"), self.stack.undoText()))))
        self.redo_action.setText(" ".join(filter(None, (self.tr("&Redo"), self.stack.redoText()))))

    # -- edits ------------------------------------------------------------------------------
    def write(self, edit: triage.Edit) -> triage.Edit:
        inverse = triage.apply(self.incident, edit)
        self.edited.emit(list(edit))
        return inverse

    def run(self, text: str, do: Callable[[], triage.Edit]) -> bool:
        """Make an edit now and keep it for undo; a refused edit is explained and changes
        nothing."""
        try:
            inverse = do()
        except GspaceError as e:
            QMessageBox.warning(self.window, self.tr("Cannot change the report"), str(e))
            return False
        if inverse:
            self.stack.push(EditCommand(self.write, text, inverse))
            self.edited.emit(list(inverse))
        return True

    def set_fields(self, ids: list[str], **fields) -> bool:
        names = ", ".join(fields)
        text = self.tr("Set %1 of %n report(s)", "", len(ids)).replace("%1", names)
        return self.run(text, lambda: triage.set_fields(self.incident, ids, **fields))

    def set_status(self, status: str) -> None:
        """The selected reports get `status`; with one report, go on to the next unreviewed."""
        ids = self.window.selected_report_ids()
        if not ids:
            return
        text = self.tr("Mark %n report(s) as %1", "", len(ids)).replace("%1", status_label(status))
        done = self.run(text, lambda: triage.set_fields(self.incident, ids, status=status))
        if done and len(ids) == 1:
            self.window.step_unreviewed(1)

    def merge_selected(self) -> None:
        ids, keeper = self.window.selected_report_ids(), self.window.current_report_id()
        if len(ids) < 2 or keeper not in ids:
            self.window.statusBar().showMessage(
                self.tr("Select two or more reports to merge (the current one is kept).")
            )
            return
        others = [i for i in ids if i != keeper]
        text = self.tr("Merge %n duplicate(s)", "", len(others))
        self.run(text, lambda: triage.merge(self.incident, keeper, others))

    def move(self, report_id: str, lat: float, lon: float) -> None:
        self.run(self.tr("Move a report"), lambda: triage.move(self.incident, report_id, lat, lon))
