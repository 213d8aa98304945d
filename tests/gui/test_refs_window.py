"""The window shows every report's and feature's short reference: a column of the reports list,
the first line of the detail panel, and the map's popups."""

from helpers import popup_lines
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gspace.refs import ref

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def test_the_list_column_and_the_detail_panel_show_the_reference(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    table, model = window.reports, window.reports.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    column = headers.index("Ref")
    shown = [model.index(row, column).data() for row in range(model.rowCount())]
    ids = [model.index(row, 0).data(ID_ROLE) for row in range(model.rowCount())]
    assert len(shown) == 300 and len(set(shown)) == 300
    assert shown == [ref(i) for i in ids]
    assert table.columnWidth(column) >= table.fontMetrics().horizontalAdvance(shown[0])

    # sorted by the reference, a person finds the one read out to them
    table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    in_order = [model.index(row, column).data() for row in range(model.rowCount())]
    assert in_order == sorted(shown)

    located = {r["id"] for r in window.rows if r["lon"] is not None}
    row = next(n for n in range(model.rowCount()) if model.index(n, 0).data(ID_ROLE) in located)
    QTest.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=table.visualRect(model.index(row, column)).center(),
    )
    target = model.index(row, 0).data(ID_ROLE)
    detail = window.detail
    qtbot.waitUntil(lambda: detail.values["ref"].text() == ref(target))
    assert detail.values["ref"].isVisible() and detail.names["ref"].text() == "Ref"
    report = next(r for r in window.rows if r["id"] == target)
    lines = popup_lines(qtbot, window, target, report["lat"], report["lon"])
    assert ref(target) in lines

    window.set_language("ja")
    qtbot.waitUntil(lambda: model.headerData(column, Qt.Orientation.Horizontal) == "参照番号")
    qtbot.waitUntil(lambda: detail.names["ref"].text() == "参照番号")


def test_a_feature_in_the_detail_panel_and_its_popup_show_its_reference(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    feature = next(f for f in window.features if f["lon"] is not None)
    lines = popup_lines(qtbot, window, feature["id"], feature["lat"], feature["lon"])
    assert ref(feature["id"]) in lines
    window._show(feature["id"])  # what a click on the feature's marker does
    qtbot.waitUntil(lambda: window.detail.values["ref"].text() == ref(feature["id"]))
    assert window.detail.values["ref"].isVisible()
