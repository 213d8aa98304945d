"""Deleting features and layers in the window, and a report's or feature's history.

A delete is a tombstone written at once (gspace.store.records, the same functions as
`gspace feature delete` and `gspace layer delete`) and pushed on the window's undo stack: Undo
restores the row (a new change, like every undo in gspace), Redo deletes it again. The history
dialog lists the changes of the selected report or feature (gspace.change_history, as
`gspace history` does) and "Restore these values" puts back what the chosen change replaced
(change_history.revert, as `gspace history revert` does).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from gspace import change_history
from gspace.change_history import deleted_features, deleted_layers
from gspace.errors import GspaceError
from gspace.gui.layer_panel import GROUP_ROLE
from gspace.store import records

PICK_PIXELS = 8  # how near a right-click must be to a feature's point to name it


def _tombstone(tbl: str, row_id: str, deleted: bool):
    """The write that deletes (or restores) a feature or layer."""
    if not deleted:
        return lambda inc: records.restore(inc, tbl, row_id)
    delete = records.delete_feature if tbl == "features" else records.delete_layer
    return lambda inc: delete(inc, row_id)


class TombstoneCommand(QUndoCommand):
    """A delete (or restore, `deleted` False) already written; undo writes the opposite, redo
    writes it again."""

    def __init__(
        self, actions: HistoryActions, tbl: str, row_id: str, text: str, deleted: bool = True
    ):
        super().__init__(text)
        self.actions, self.tbl, self.row_id, self.deleted = actions, tbl, row_id, deleted
        self.done = True

    def undo(self) -> None:
        self._write(not self.deleted)

    def redo(self) -> None:
        if self.done:  # the first redo is the push: already written
            self.done = False
            return
        self._write(self.deleted)

    def _write(self, deleted: bool) -> None:
        """A row restored or deleted meanwhile (by a bundle, the history dialog) is already
        as wanted: said in the status bar, nothing written."""
        try:
            self.actions.write(_tombstone(self.tbl, self.row_id, deleted))
        except GspaceError:
            self.actions.reload()
            self.actions.window.statusBar().showMessage(
                QCoreApplication.translate(
                    "HistoryActions",
                    "It was already restored or deleted meanwhile: nothing changed.",
                )
            )


class HistoryActions(QObject):
    """The Edit menu's Delete feature and History…, the layer panel's Delete and Restore
    layer, and the map's right-click Delete and History of the feature under the cursor."""

    def __init__(self, window):
        super().__init__(window)
        self.window, self.incident = window, window.incident
        self.delete_action = QAction(self)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.triggered.connect(lambda: self.delete_feature())
        self.history_action = QAction(self)
        self.history_action.setShortcut(QKeySequence("Ctrl+H"))
        self.history_action.triggered.connect(lambda: self.show_history())
        panel = window.layers
        panel.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        panel.customContextMenuRequested.connect(self._layer_menu)
        self.menu = None
        self.dialog: HistoryDialog | None = None

    def retranslate(self) -> None:
        self.delete_action.setText(self.tr("&Delete feature"))
        self.history_action.setText(self.tr("&History…"))

    # -- writing ---------------------------------------------------------------------------
    def write(self, change) -> None:
        """Write a delete or restore in one transaction and show the features again."""
        with self.incident.transaction():
            change(self.incident)
        self.reload()

    def reload(self) -> None:
        window = self.window
        shown = window.detail.shown_feature_id()
        window.load_data(reports=False)
        if shown and shown not in window.features_by_id:
            window.detail.clear()
        elif shown:
            window.show_feature_again(shown)

    def _feature_name(self, feature_id: str) -> str:
        feature = self.window.features_by_id.get(feature_id) or {}
        if feature.get("name"):
            return feature["name"]
        return change_history.row(self.incident, "features", feature_id).shown

    def delete_feature(self, feature_id: str | None = None) -> bool:
        """Delete `feature_id`, by default the feature shown in the detail panel (undoable)."""
        feature_id = feature_id or self.window.detail.shown_feature_id()
        if not feature_id or feature_id not in self.window.features_by_id:
            self.window.statusBar().showMessage(self.tr("Select a feature on the map first."))
            return False
        name = self._feature_name(feature_id)
        try:
            self.write(lambda inc: records.delete_feature(inc, feature_id))
        except GspaceError as e:
            QMessageBox.warning(self.window, self.tr("Cannot delete"), str(e))
            return False
        text = self.tr("Delete %1").replace("%1", name)
        self.window.review.stack.push(TombstoneCommand(self, "features", feature_id, text))
        self.window.statusBar().showMessage(
            self.tr("Deleted %1 (Edit → Undo brings it back).").replace("%1", name)
        )
        return True

    def delete_layer(self, layer: dict, confirm: bool = True) -> bool:
        """Delete a layer (a dict of ingest.layers.layers_of) and, with it, its features, after
        asking; undoable."""
        name = layer["name"] or "?"
        if confirm:
            question = self.tr(
                "Delete the layer “%1” and its %n feature(s)? They leave the map, the lists and "
                "the exports on every laptop this incident syncs with. Edit → Undo brings them "
                "back.",
                "",
                layer["features"],
            ).replace("%1", name)
            answer = QMessageBox.question(
                self.window,
                self.tr("Delete layer"),
                question,
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            self.write(lambda inc: records.delete_layer(inc, layer["id"]))
        except GspaceError as e:
            QMessageBox.warning(self.window, self.tr("Cannot delete"), str(e))
            return False
        text = self.tr("Delete layer %1").replace("%1", name)
        self.window.review.stack.push(TombstoneCommand(self, "layers", layer["id"], text))
        return True

    def restore(self, tbl: str, row_id: str, name: str) -> bool:
        """Bring a deleted feature or layer back (undoable)."""
        try:
            self.write(_tombstone(tbl, row_id, False))
        except GspaceError as e:
            QMessageBox.warning(self.window, self.tr("Cannot restore"), str(e))
            return False
        text = self.tr("Restore %1").replace("%1", name)
        self.window.review.stack.push(TombstoneCommand(self, tbl, row_id, text, deleted=False))
        return True

    # -- menus ------------------------------------------------------------------------------
    def layer_menu_actions(self, group: str) -> list[QAction]:
        """For a reference-layer kind of the panel ("feature:<kind>"): "Delete layer …" per
        layer, "Restore layer …" per deleted layer and "Restore …" for the features of the
        kind deleted last; for the panel's "Reference layers" ("features"): every deleted
        layer's restore (a kind whose layers are all deleted has no line of its own)."""
        from gspace.ingest.layers import layers_of

        if group == "features":
            return [self._restore_layer_action(layer) for layer in deleted_layers(self.incident)]
        if not group or not group.startswith("feature:"):
            return []
        kind = group.partition(":")[2]
        found = []
        for layer in layers_of(self.incident, kind):
            text = self.tr("Delete layer “%1” (%n feature(s))…", "", layer["features"])
            action = QAction(text.replace("%1", layer["name"] or "?"), self)
            action.triggered.connect(lambda _=False, chosen=layer: self.delete_layer(chosen))
            found.append(action)
        found += [
            self._restore_layer_action(layer) for layer in deleted_layers(self.incident, kind)
        ]
        for feature in deleted_features(self.incident, kind):
            name = (
                feature["name"]
                or change_history.row(self.incident, "features", feature["id"]).shown
            )
            action = QAction(self.tr("Restore the deleted feature “%1”").replace("%1", name), self)
            action.triggered.connect(
                lambda _=False, i=feature["id"], n=name: self.restore("features", i, n)
            )
            found.append(action)
        return found

    def _restore_layer_action(self, layer: dict) -> QAction:
        name = layer["name"] or "?"
        text = self.tr("Restore the deleted layer “%1” (%n feature(s))", "", layer["features"])
        action = QAction(text.replace("%1", name), self)
        action.triggered.connect(lambda: self.restore("layers", layer["id"], name))
        return action

    def _layer_menu(self, position) -> None:
        from PySide6.QtWidgets import QMenu

        panel = self.window.layers
        item = panel.itemAt(position)
        group = (
            "features" if item is panel.features_item else item.data(0, GROUP_ROLE) if item else ""
        )
        actions = self.layer_menu_actions(group or "")
        if actions:
            self.menu = QMenu(self.window)
            self.menu.addActions(actions)
            self.menu.popup(panel.viewport().mapToGlobal(position))

    def feature_at(self, lat: float, lon: float) -> str | None:
        """The feature whose point is nearest to (lat, lon) within PICK_PIXELS at the map's
        zoom, if any."""
        metres_per_pixel = 156_543 * math.cos(math.radians(lat)) / 2 ** self.window.map_zoom()
        best, best_px = None, PICK_PIXELS
        for f in self.window.features:
            if f["lon"] is None:
                continue
            dx = (f["lon"] - lon) * 111_320 * math.cos(math.radians(lat))
            dy = (f["lat"] - lat) * 110_540
            px = math.hypot(dx, dy) / metres_per_pixel
            if px <= best_px:
                best, best_px = f["id"], px
        return best

    def add_feature_items(self, menu, lat: float, lon: float) -> None:
        """Delete and History of the feature under the cursor, added to the map's right-click
        menu (ShelterActions.open_context_menu) when there is one."""
        feature_id = self.feature_at(lat, lon)
        if not feature_id:
            return
        name = self._feature_name(feature_id)
        menu.addSeparator()
        delete = menu.addAction(self.tr("Delete “%1”").replace("%1", name))
        delete.triggered.connect(lambda: self.delete_feature(feature_id))
        history = menu.addAction(self.tr("History of “%1”…").replace("%1", name))
        history.triggered.connect(lambda: self.show_history("features", feature_id))

    # -- history ----------------------------------------------------------------------------
    def show_history(self, tbl: str | None = None, row_id: str | None = None):
        """The history dialog of a row, by default of the report or feature shown."""
        if row_id is None:
            feature_id = self.window.detail.shown_feature_id()
            if feature_id:
                tbl, row_id = "features", feature_id
            elif self.window.selected_id:
                tbl, row_id = "reports", self.window.selected_id
        if row_id is None or tbl is None:
            self.window.statusBar().showMessage(self.tr("Select a report or a feature first."))
            return None
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = HistoryDialog(self, tbl, row_id)
        self.dialog.show()
        return self.dialog

    def reverted(self, tbl: str) -> None:
        """A change was reverted: what it touched is read again."""
        if tbl == "reports":
            self.window.load_data(features=False)
            if self.window.selected_id:
                self.window.review.edited.emit([self.window.selected_id])
        else:
            self.reload()


class HistoryDialog(QDialog):
    """The changes of one report, feature or layer, newest first; "Restore these values"
    reverts the chosen change."""

    def __init__(self, actions: HistoryActions, tbl: str, row_id: str):
        super().__init__(actions.window)
        self.actions, self.tbl, self.row_id = actions, tbl, row_id
        self.incident = actions.incident
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        self.list = QTreeWidget()
        self.list.setColumnCount(4)
        self.list.setRootIsDecorated(True)
        self.list.setUniformRowHeights(False)
        self.restore_button = QPushButton()
        self.restore_button.clicked.connect(self.restore_chosen)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b71c1c;")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.list, self.problem, buttons):
            layout.addWidget(widget)
        self.list.currentItemChanged.connect(lambda *_: self._chosen_changed())
        self.resize(640, 420)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("History"))
        self.list.setHeaderLabels(
            [self.tr("No."), self.tr("When"), self.tr("Who"), self.tr("What")]
        )
        self.restore_button.setText(self.tr("Restore these values"))
        self.restore_button.setToolTip(
            self.tr("Put back what the chosen change replaced, as a new change that syncs")
        )

    def _op(self, op: str) -> str:
        return {
            "insert": self.tr("created"),
            "update": self.tr("changed"),
            "delete": self.tr("deleted"),
            "restore": self.tr("restored"),
            "settle": self.tr("conflict settled"),
        }.get(op, op)

    def refresh(self) -> None:
        target = change_history.row(self.incident, self.tbl, self.row_id)
        what = {
            "reports": self.tr("Report"),
            "features": self.tr("Feature"),
            "layers": self.tr("Layer"),
        }[self.tbl]
        state = f" — {self.tr('deleted')}" if target.deleted else ""
        self.heading.setText(f"{what} {target.shown}{state}")
        self.changes = change_history.row_changes(self.incident, self.tbl, self.row_id)
        self.list.clear()
        for change in self.changes:
            item = QTreeWidgetItem(
                [
                    str(change.seq),
                    change.at.strftime("%Y-%m-%d %H:%M:%S %Z"),
                    change.who(),
                    self._op(change.op),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, change.seq)
            if change.op not in ("delete", "restore"):
                for f in change.fields:
                    child = QTreeWidgetItem(["", "", "", change_history.field_text(f)])
                    child.setData(0, Qt.ItemDataRole.UserRole, change.seq)
                    item.addChild(child)
            self.list.addTopLevelItem(item)
        self.list.expandAll()
        for column in range(3):
            self.list.resizeColumnToContents(column)
        if self.changes:
            self.list.setCurrentItem(self.list.topLevelItem(0))
        self._chosen_changed()

    def chosen(self) -> change_history.Change | None:
        item = self.list.currentItem()
        seq = item.data(0, Qt.ItemDataRole.UserRole) if item else None
        return next((c for c in self.changes if c.seq == seq), None)

    def _chosen_changed(self) -> None:
        change = self.chosen()
        self.restore_button.setEnabled(change is not None and change.revertible)
        self.problem.clear()

    def restore_chosen(self) -> bool:
        """Revert the chosen change (change_history.revert, as `gspace history revert`)."""
        change = self.chosen()
        if change is None:
            return False
        try:
            _, back = change_history.revert(self.incident, change.seq)
        except GspaceError as e:
            self.problem.setText(str(e))
            return False
        if not back:
            self.problem.setText(self.tr("These values are already there: nothing changed."))
            return False
        self.actions.reverted(self.tbl)
        self.refresh()
        return True
