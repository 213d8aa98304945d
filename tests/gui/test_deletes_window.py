"""Deleting a feature and a layer in the window, undoing both, and the history dialog's
"Restore these values", on a copy of the demo incident: what the map, the counts and the store
say afterwards."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gspace.store import query


def a_shelter(window):
    return next(f for f in window.features if f["kind"] == "shelter")


def test_delete_key_deletes_the_shown_feature_and_undo_brings_it_back(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    feature = a_shelter(window)
    count = len(window.features)
    window.select_feature(feature["id"])
    assert window.detail.shown_feature_id() == feature["id"]
    assert window.deletes.delete_action.shortcut().toString() == "Del"
    assert window.deletes.delete_action in window.edit_menu.actions()
    window.deletes.delete_action.trigger()
    assert query.feature(window.incident, feature["id"]) is None
    assert feature["id"] not in window.features_by_id and len(window.features) == count - 1
    assert window.detail.shown_feature_id() is None
    assert window.layers.item_for("feature:shelter").text(1) == str(
        sum(1 for f in window.features if f["kind"] == "shelter")
    )
    assert window.review.undo_action.text().endswith(f"Undo Delete {feature['name']}")
    window.review.undo_action.trigger()
    assert query.feature(window.incident, feature["id"]) == feature
    assert len(window.features) == count and feature["id"] in window.features_by_id
    window.review.redo_action.trigger()
    assert query.feature(window.incident, feature["id"]) is None
    # each step is a change in the log: delete, restore, delete
    ops = [
        op
        for (op,) in window.incident.conn.execute(
            "SELECT op FROM changes WHERE row_id = ? AND op != 'insert' ORDER BY seq",
            (feature["id"],),
        )
    ]
    assert ops == ["delete", "restore", "delete"]


def test_right_click_on_a_feature_offers_its_delete(demo_path, open_main_window, qtbot):
    window = open_main_window(demo_path)
    feature = a_shelter(window)
    window.map.set_view(feature["lat"], feature["lon"], 16)
    window._remember_view(feature["lat"], feature["lon"], 16)
    window.shelters.open_context_menu(feature["lat"] + 0.00001, feature["lon"])
    menu = window.shelters.menu
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == [
        "Nearest shelters with room here",
        f"Delete “{feature['name']}”",
        f"History of “{feature['name']}”…",
    ]
    # far from every feature: only the map's own entries
    window.shelters.open_context_menu(feature["lat"] + 0.5, feature["lon"] + 0.5)
    far = [a.text() for a in window.shelters.menu.actions()]
    assert far == ["Nearest shelters with room here"]
    next(a for a in menu.actions() if a.text().startswith("Delete")).trigger()
    assert query.feature(window.incident, feature["id"]) is None


def test_deleting_a_layer_asks_first_and_undo_brings_its_features_back(
    demo_path, open_main_window, qtbot, monkeypatch
):
    window = open_main_window(demo_path)
    water = {f["id"] for f in window.features if f["kind"] == "water"}
    assert len(water) == 16
    [action] = window.deletes.layer_menu_actions("feature:water")
    assert action.text() == "Delete layer “デモ water” (16 feature(s))…"
    asked = []

    def answer(button):
        def question(parent, title, text, *args):
            asked.append((title, text))
            return button

        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    action.trigger()
    assert asked[0][0] == "Delete layer"
    assert asked[0][1].startswith("Delete the layer “デモ water” and its 16 feature(s)?")
    assert {f["id"] for f in query.features(window.incident, ["water"])} == water  # cancelled
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    action.trigger()
    assert list(query.features(window.incident, ["water"])) == []
    assert not water & set(window.features_by_id)
    assert window.layers.item_for("feature:water") is None
    window.review.undo_action.trigger()
    assert {f["id"] for f in query.features(window.incident, ["water"])} == water
    assert water <= set(window.features_by_id)
    assert window.layers.item_for("feature:water").text(1) == "16"


def test_the_history_dialog_lists_changes_and_restores_earlier_values(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    feature = a_shelter(window)
    status = "closed" if feature["status"] != "closed" else "open"
    window.select_feature(feature["id"])
    assert window.detail.history_button.isVisible()
    assert window.shelters.edit(feature["id"], {"status": status, "note": "水が出ない"})
    assert query.feature(window.incident, feature["id"])["status"] == status
    qtbot.mouseClick(window.detail.history_button, Qt.MouseButton.LeftButton)
    dialog = window.deletes.dialog
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "History"
    top = dialog.list.topLevelItem(0)
    edit_seq = int(top.text(0))
    assert top.text(3) == "changed" and top.text(2).startswith(window.incident.actor)
    details = {top.child(i).text(3) for i in range(top.childCount())}
    assert f"status {feature['status']} -> {status}" in details
    assert "note - -> 水が出ない" in details
    assert dialog.list.topLevelItem(dialog.list.topLevelItemCount() - 1).text(3) == "created"
    assert dialog.restore_button.text() == "Restore these values"
    assert dialog.restore_button.isEnabled()
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    restored = query.feature(window.incident, feature["id"])
    assert restored["status"] == feature["status"] and restored["note"] is None
    assert window.features_by_id[feature["id"]]["status"] == feature["status"]
    # the restore is a change of its own, now listed first
    assert dialog.list.topLevelItem(0).text(3) == "changed"
    assert int(dialog.list.topLevelItem(0).text(0)) > edit_seq
    # restoring the same values again changes nothing and says so
    dialog.list.setCurrentItem(dialog.list.topLevelItem(1))
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert dialog.problem.text() == "These values are already there: nothing changed."


def test_the_history_of_a_deleted_feature_restores_it(demo_path, open_main_window, qtbot):
    window = open_main_window(demo_path)
    feature = a_shelter(window)
    window.select_feature(feature["id"])
    window.deletes.delete_feature()
    dialog = window.deletes.show_history("features", feature["id"])
    assert dialog.heading.text().endswith("— deleted")
    assert dialog.list.topLevelItem(0).text(3) == "deleted"
    dialog.restore_chosen()
    assert query.feature(window.incident, feature["id"]) == feature
    assert feature["id"] in window.features_by_id
    assert dialog.list.topLevelItem(0).text(3) == "restored"


def test_the_history_of_a_report_in_japanese(demo_path, open_main_window, qtbot):
    from gspace.gui import i18n

    window = open_main_window(demo_path)
    report_id = next(r["id"] for r in window.rows if r["status"] == "new")
    window._list_selected(report_id)
    window.review.set_fields([report_id], status="verified")
    i18n.install("ja")
    dialog = window.deletes.show_history()
    assert dialog.windowTitle() == "履歴"
    assert dialog.restore_button.text() == "この変更の前の値に戻す"
    assert dialog.list.topLevelItem(0).text(3) == "変更"
    dialog.restore_chosen()
    assert query.report(window.incident, report_id)["status"] == "new"
    assert next(r for r in window.rows if r["id"] == report_id)["status"] == "new"


def test_the_layer_panel_restores_deleted_features_and_layers(
    demo_path, open_main_window, monkeypatch
):
    window = open_main_window(demo_path)
    feature = a_shelter(window)
    window.deletes.delete_feature(feature["id"])
    restore = [
        a
        for a in window.deletes.layer_menu_actions("feature:shelter")
        if a.text() == f"Restore the deleted feature “{feature['name']}”"
    ]
    assert len(restore) == 1
    restore[0].trigger()
    assert query.feature(window.incident, feature["id"]) == feature
    assert feature["id"] in window.features_by_id
    # a kind whose only layer is deleted leaves the panel: "Reference layers" restores it
    [delete] = window.deletes.layer_menu_actions("feature:wifi")
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Yes)
    delete.trigger()
    assert window.layers.item_for("feature:wifi") is None
    [back] = window.deletes.layer_menu_actions("features")
    assert back.text() == "Restore the deleted layer “デモ wifi” (20 feature(s))"
    back.trigger()
    assert window.layers.item_for("feature:wifi").text(1) == "20"
    window.review.undo_action.trigger()  # the restore is undone: deleted again
    assert window.layers.item_for("feature:wifi") is None


def test_the_delete_key_in_a_text_field_edits_the_text_not_the_feature(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    feature = a_shelter(window)
    window.select_feature(feature["id"])
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    note = window.detail.situation.editors["note"]
    note.setFocus()
    note.setText("abc")
    note.setCursorPosition(0)
    qtbot.keyClick(note, Qt.Key.Key_Delete)
    assert note.text() == "bc"
    assert query.feature(window.incident, feature["id"]) is not None
    # the same key with the map focused deletes the shown feature
    window.map.setFocus()
    qtbot.keyClick(window.map.focusProxy() or window.map, Qt.Key.Key_Delete)
    assert query.feature(window.incident, feature["id"]) is None


def test_undo_of_a_delete_restored_meanwhile_changes_nothing_and_says_so(
    demo_path, open_main_window
):
    window = open_main_window(demo_path)
    feature = a_shelter(window)
    window.deletes.delete_feature(feature["id"])
    dialog = window.deletes.show_history("features", feature["id"])
    assert dialog.restore_chosen()  # restored from the history, not by Undo
    changes = window.incident.conn.execute("SELECT count(*) FROM changes").fetchone()[0]
    window.review.undo_action.trigger()
    message = "It was already restored or deleted meanwhile: nothing changed."
    assert window.statusBar().currentMessage() == message
    assert window.incident.conn.execute("SELECT count(*) FROM changes").fetchone()[0] == changes
    assert query.feature(window.incident, feature["id"]) == feature
