"""The conflicts panel on a real conflict: three laptops (copies of the demo incident) changed
one report's status while apart and merged with the real sync engine
(tests/conflict_laptops.py); the window opened on one of them."""

import pytest
from conflict_laptops import EDITS, deleted_and_edited, meet, three_laptops
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from gspace.refs import ref
from gspace.store import query


@pytest.fixture
def laptops(demo_template, tmp_path):
    folders, report_id = three_laptops(demo_template, tmp_path)
    meet(folders)
    return folders, report_id


def reported_text(window, report_id):
    return query.report(window.incident, report_id)["text"][:30]


def cards(window):
    layout = window.conflicts.panel.cards
    return [layout.itemAt(i).widget() for i in range(layout.count())]


def status(window, report_id):
    return query.report(window.incident, report_id)["status"]


def listed_status(window, report_id):
    return next(r["status"] for r in window.report_set.rows if r["id"] == report_id)


def test_the_status_bar_opens_the_panel_with_the_values_side_by_side(
    laptops, open_main_window, qtbot
):
    folders, report_id = laptops
    window = open_main_window(folders[0])
    indicator = window.conflicts.indicator
    assert indicator.isVisible() and indicator.text() == "conflicts: 1"
    assert not window.conflicts.dock.isVisible()
    qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton)
    assert window.conflicts.dock.isVisible()
    panel = window.conflicts.panel
    assert panel.list.count() == 1
    assert (
        panel.list.item(0).text()
        == f"Status\n{ref(report_id)} ({reported_text(window, report_id)})"
    )
    shown = cards(window)
    assert [c.value_label.text() for c in shown] == ["1. Verified", "2. Actioned", "3. Rejected"]
    for card, (actor, _status, _minutes) in zip(shown, EDITS, strict=True):
        assert card.who_label.text().startswith(f"by {actor} (")
        assert card.when_label.text().endswith("JST")
        assert card.take_button.text() == "Take this value"
    # side by side: one row, left to right, none cut off
    lefts = [c.geometry().left() for c in shown]
    assert lefts == sorted(lefts) and len({c.geometry().top() for c in shown}) == 1
    # double-clicking the conflict shows its report
    item = panel.list.item(0)
    panel.list.itemDoubleClicked.emit(item)
    assert window.selected_id == report_id and window.reports.current_id() == report_id
    # the View menu has it too
    toggles = [a for a in window.view_menu.actions() if a.text() == "&Conflicts"]
    assert toggles == [window.conflicts.dock.toggleViewAction()]


def test_taking_a_value_settles_refreshes_and_undoes(laptops, open_main_window, qtbot):
    folders, report_id = laptops
    window = open_main_window(folders[0])
    window.conflicts.open()
    assert status(window, report_id) == "rejected"  # the latest stamp wins until settled
    qtbot.mouseClick(cards(window)[1].take_button, Qt.MouseButton.LeftButton)
    assert status(window, report_id) == "actioned"
    assert listed_status(window, report_id) == "actioned"  # the list and map follow
    assert window.conflicts.panel.list.count() == 0
    assert not window.conflicts.indicator.isVisible()
    assert window.conflicts.panel.empty_label.text() == "No open conflicts."
    assert window.review.stack.undoText() == "Settle the conflict over Status"
    window.review.undo_action.trigger()
    assert status(window, report_id) == "rejected" == listed_status(window, report_id)
    window.review.redo_action.trigger()
    assert status(window, report_id) == "actioned" == listed_status(window, report_id)


def test_another_value_can_be_typed_or_chosen(laptops, open_main_window, qtbot):
    folders, report_id = laptops
    window = open_main_window(folders[0])
    # the dock opens from the View menu as from the status bar
    window.conflicts.dock.toggleViewAction().trigger()
    panel = window.conflicts.panel
    assert panel.isVisible()
    panel.other_value.setEditText("done")
    panel.other_button.click()
    assert panel.error_label.isVisible()
    assert panel.error_label.text().startswith("unknown status 'done'; use one of new")
    assert panel.list.count() == 1 and status(window, report_id) == "rejected"
    panel.other_value.setCurrentIndex(panel.other_value.findData("new"))
    panel.other_button.click()
    assert status(window, report_id) == "new" == listed_status(window, report_id)
    assert panel.list.count() == 0


def test_the_panel_in_japanese(laptops, open_main_window, qtbot):
    folders, _report_id = laptops
    window = open_main_window(folders[0])
    window.set_language("ja")  # Qt posts LanguageChange events: the window follows shortly
    window.conflicts.open()
    qtbot.waitUntil(lambda: window.conflicts.indicator.text() == "競合: 1")
    assert window.conflicts.dock.windowTitle() == "競合"
    shown = cards(window)
    assert [c.value_label.text() for c in shown] == ["1. 確認済", "2. 対応済", "3. 却下"]
    assert shown[0].take_button.text() == "この値にする"
    assert all(not isinstance(w, QLabel) or "%" not in w.text() for w in shown)


def test_a_deleted_report_shows_the_delete_against_the_edit_and_can_be_restored(
    demo_template, tmp_path, open_main_window, qtbot
):
    folders, report_id = deleted_and_edited(demo_template, tmp_path)
    meet(folders)
    window = open_main_window(folders[1])
    assert len(window.rows) == 299 and report_id not in {r["id"] for r in window.rows}
    qtbot.mouseClick(window.conflicts.indicator, Qt.MouseButton.LeftButton)
    panel = window.conflicts.panel
    assert panel.list.item(0).text().startswith(f"(deleted elsewhere)\n{ref(report_id)} (")
    assert not panel.other_row.isVisible()  # a delete is settled by one of its values
    deleted, edit = cards(window)
    assert deleted.value_label.text() == "1. Deleted"
    assert deleted.who_label.text().startswith("deleted by 避難所班 佐藤 (")
    assert deleted.take_button.text() == "Keep it deleted"
    assert edit.value_label.text() == "2. Note: 現地で確認、けが人2名\nStatus: Verified"
    assert edit.who_label.text().startswith("by 本部 山田 (")
    assert edit.take_button.text() == "Restore with this value"
    qtbot.mouseClick(edit.take_button, Qt.MouseButton.LeftButton)
    assert len(window.rows) == 300  # back in the list and on the map
    assert status(window, report_id) == "verified" == listed_status(window, report_id)
    assert panel.list.count() == 0 and not window.conflicts.indicator.isVisible()
