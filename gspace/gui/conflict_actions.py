"""The window's side of conflicts: the Conflicts dock (View menu), the status bar's
"conflicts: N" that opens it, and settling, which refreshes the map and the list like any
edit and goes on the Edit menu's undo stack (review_actions.py) when it changed a report.

Undoing a settlement writes the report's previous value back as a new change (logged and
synced like any edit; nothing is rewritten); the conflict stays settled, since a settlement is
itself a change other laptops may already hold. Redo settles it again the same way.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QDockWidget, QMessageBox, QPushButton

from gspace import conflict_list, triage
from gspace.errors import GspaceError
from gspace.gui.conflicts_panel import ConflictsPanel, field_label
from gspace.store import query


class SettleCommand(QUndoCommand):
    """A settlement already written; undo puts the report's field back as it was."""

    def __init__(self, actions: ConflictActions, conflict_id: str, how: dict, before, text):
        super().__init__(text)
        self.actions, self.conflict_id, self.how, self.before = actions, conflict_id, how, before
        self.first = True

    def undo(self) -> None:
        self.actions.write_report_fields(self.before)

    def redo(self) -> None:
        if self.first:  # the push: already written
            self.first = False
            return
        self.actions.settle(self.conflict_id, record=False, **self.how)


class ConflictActions(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window, self.incident = window, window.incident
        zone = self.incident.timezone
        self.panel = ConflictsPanel(lambda at: at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"))
        self.panel.setObjectName("conflictsPanel")
        self.dock = QDockWidget(window)
        self.dock.setObjectName("conflictsDock")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        self.indicator = QPushButton()
        self.indicator.setObjectName("conflictsIndicator")
        self.indicator.setFlat(True)
        self.indicator.clicked.connect(self.open)
        window.statusBar().addPermanentWidget(self.indicator)
        self.indicator.hide()
        self.panel.takeRequested.connect(lambda c, n: self.settle(c, take=n))
        self.panel.valueRequested.connect(lambda c, v: self.settle(c, value=v))
        self.panel.rowRequested.connect(self._show_row)
        self.conflicts: list[conflict_list.ShownConflict] = []

    def retranslate(self) -> None:
        self.dock.setWindowTitle(self.tr("Conflicts"))
        self.dock.toggleViewAction().setText(self.tr("&Conflicts"))
        self.indicator.setToolTip(self.tr("Show the conflicts"))
        self._indicate()

    def open(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self.panel.list.setFocus()

    def refresh(self) -> None:
        """Read the open conflicts again (after a load, an import, a settlement)."""
        try:
            self.conflicts = conflict_list.shown_conflicts(self.incident)
        except GspaceError as e:  # pragma: no cover - a store the engine cannot read
            self.window.statusBar().showMessage(str(e))
            self.conflicts = []
        self.panel.show_conflicts(self.conflicts)
        self._indicate()

    def _indicate(self) -> None:
        count = len(self.conflicts)
        self.indicator.setText(self.tr("conflicts: %1").replace("%1", str(count)))
        self.indicator.setVisible(count > 0)

    # -- settling ----------------------------------------------------------------------------
    def settle(
        self, conflict_id: str, take: int | None = None, value: str | None = None, record=True
    ) -> bool:
        """Settle a conflict as chosen in the panel; a refusal is explained and changes
        nothing."""
        conflict = next((c for c in self.conflicts if c.id == conflict_id), None)
        try:
            if conflict is None:
                conflict = conflict_list.find(self.incident, conflict_id)
            before = self._report_fields(conflict)
            with self.incident.transaction():
                conflict_list.settle_text(self.incident, conflict, take=take, value=value)
        except GspaceError as e:  # said in the panel, beside the value typed: nothing changed
            self.panel.show_error(str(e))
            return False
        if record and before is not None:
            text = self.tr("Settle the conflict over %1").replace(
                "%1", field_label(conflict.tbl, conflict.field)
            )
            how = {"take": take} if take is not None else {"value": value}
            self.window.review.stack.push(SettleCommand(self, conflict.id, how, before, text))
        if conflict.tbl == "reports" and conflict.kind != "delete":
            self._written([conflict.row_id])
        else:  # a feature or layer, or a row restored or kept deleted: read everything again
            self.window.load_data()
        return True

    def _report_fields(self, conflict) -> dict | None:
        """What undo writes back: the report's field as it is now ({id: {field: value}}), or
        None where undo does not apply (features, layers, a deleted row)."""
        if conflict.tbl != "reports" or conflict.kind == "delete":
            return None
        report = query.report(self.incident, conflict.row_id)
        if report is None:
            return None
        column, _, key = conflict.field.partition(".")
        if key:
            if column != "properties":
                return None
            return {conflict.row_id: {"properties": dict(report["properties"])}}
        if column not in triage.EDITABLE:
            return None
        return {conflict.row_id: {column: report.get(column)}}

    def write_report_fields(self, edit: dict) -> None:
        """Undo of a settlement: the report's previous value, as a new change."""
        try:
            triage.apply(self.incident, edit)
        except GspaceError as e:
            QMessageBox.warning(self.window, self.tr("Cannot settle the conflict"), str(e))
            return
        self._written(list(edit))

    def _written(self, ids: list[str]) -> None:
        """Reports whose field was settled (or put back): refresh them in place, as an edit."""
        self.window._edited(ids)
        self.refresh()

    def _show_row(self, tbl: str, row_id: str) -> None:
        """A conflict double-clicked: its report or feature in the details, centred on the map
        (a deleted one is not shown)."""
        window = self.window
        if tbl not in ("reports", "features") or (
            tbl == "reports" and query.report(self.incident, row_id) is None
        ):
            return
        window._show(row_id)
        window.reports.select_id(row_id)
        window.map.select([row_id], pan=True)
