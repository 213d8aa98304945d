import io
from pathlib import Path

from helpers import popup_lines, run_js
from PIL import Image
from PySide6.QtCore import QBuffer, QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gspace import mapdata
from gspace.store import query, records
from gspace.store.incident import Incident

MARKER_COLORS = {
    tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in mapdata.CATEGORY_COLORS.values()
}


def marker_pixels(widget) -> int:
    """Pixels of the map painted exactly in a report category colour."""
    image = widget.grab().toImage()
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    data = bytes(buffer.data())
    colors = Image.open(io.BytesIO(data)).convert("RGB").getcolors(1 << 22)
    return sum(n for n, rgb in colors if rgb in MARKER_COLORS)


def test_the_demo_incident_draws_its_reports_and_the_layer_panel_hides_them(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    assert run_js(qtbot, window.map, "gspace.layers.reports._ids.length") == 282
    assert run_js(qtbot, window.map, "gspace.layers.features._ids.length") == 64
    qtbot.wait(300)  # let the drawn canvas reach the widget
    shown = marker_pixels(window.map)
    assert shown > 3000  # a few hundred markers of ~50 pixels each, many overlapping
    for kind in ("photo", "sns", "manual"):
        window.layers.item_for(f"report:{kind}").setCheckState(0, Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: run_js(qtbot, window.map, "gspace.layers.reports.drawnCount") == 0)
    qtbot.wait(300)  # let the drawn canvas reach the widget
    hidden = marker_pixels(window.map)
    assert hidden < shown / 5  # only the legend's swatches are left
    assert window.map.page().errors == []


def test_clicking_a_list_row_shows_the_report_and_highlights_its_marker(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    table = window.reports
    index = table.model().index(3, 0)
    report_id = index.data(Qt.ItemDataRole.UserRole + 1)
    QTest.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=table.visualRect(table.model().index(3, 4)).center(),
    )
    report = query.report(window.incident, report_id)
    qtbot.waitUntil(lambda: window.detail.text.text() == report["text"])
    assert window.detail.values["status"].text()
    assert (
        report["observed_at"][:10] in window.detail.values["time"].text()
        or window.detail.values["time"].text()[:4] == "2026"
    )
    qtbot.waitUntil(
        lambda: run_js(qtbot, window.map, "[...gspace.layers.reports._selected]") == [report_id]
    )


def test_clicking_a_marker_selects_its_row_and_shows_it(demo_path, open_main_window, qtbot):
    window = open_main_window(demo_path)
    target = next(r for r in window.rows if r["lon"] is not None and r["kind"] == "photo")
    run_js(
        qtbot,
        window.map,
        f"gspace.map.setView([{target['lat']}, {target['lon']}], 19, {{animate: false}}); 1",
    )
    qtbot.wait(300)
    x, y = run_js(
        qtbot,
        window.map,
        f"(() => {{ const p = gspace.map.latLngToContainerPoint("
        f"[{target['lat']}, {target['lon']}]); return [p.x, p.y]; }})()",
    )
    QTest.mouseClick(window.map.focusProxy(), Qt.MouseButton.LeftButton, pos=QPoint(int(x), int(y)))
    qtbot.waitUntil(lambda: window.detail.text.text() == target["text"], timeout=10_000)
    assert not window.detail.photo.isHidden()  # the photo's thumbnail is shown
    selected = window.reports.currentIndex().data(Qt.ItemDataRole.UserRole + 1)
    assert selected == target["id"]


def test_hostile_text_is_shown_as_text_in_the_panel_and_the_popup(
    tmp_path, open_main_window, qtbot
):
    hostile = "<img src=x onerror=alert(1)>"
    with Incident.create(tmp_path / "inc") as inc, inc.transaction():
        [report_id] = records.add_reports(
            inc,
            [
                {
                    "kind": "sns",
                    "lon": 130.7,
                    "lat": 32.8,
                    "text": hostile,
                    "author": "<b>@x</b>",
                    "observed_at": "2026-11-20T10:00:00+09:00",
                }
            ],
        )
    window = open_main_window(tmp_path / "inc")
    window.reports.selectRow(0)
    qtbot.waitUntil(lambda: window.detail.text.text() == hostile)
    assert window.detail.text.textFormat() == Qt.TextFormat.PlainText
    assert window.detail.values["author"].text() == "<b>@x</b>"
    lines = popup_lines(qtbot, window, report_id, 32.8, 130.7)
    assert hostile in lines
    assert run_js(qtbot, window.map, "document.querySelectorAll('.leaflet-popup img').length") == 0
    qtbot.wait(300)
    assert run_js(qtbot, window.map, "window.alerted") is False


def test_switching_language_retranslates_the_window(demo_path, open_main_window, qtbot):
    window = open_main_window(demo_path)
    assert window.docks["reports"].windowTitle() == "Reports"
    window.set_language("ja")  # Qt posts LanguageChange events: the window follows shortly
    qtbot.waitUntil(lambda: window.docks["reports"].windowTitle() == "報告")
    assert window.reports.model().headerData(0, Qt.Orientation.Horizontal) == "日時"
    assert window.layers.item_for("feature:shelter").text(0) == "避難所"
    assert "報告 300 件" in window.statusBar().currentMessage()
    window.set_language("en")
    qtbot.waitUntil(lambda: window.docks["reports"].windowTitle() == "Reports")
    assert window.layers.item_for("feature:shelter").text(0) == "Shelters"


def test_window_state_and_map_view_are_remembered(demo_path, open_main_window, qtbot):
    window = open_main_window(demo_path)
    window.docks["detail"].hide()
    run_js(qtbot, window.map, "gspace.map.setView([32.79, 130.73], 15, {animate: false}); 1")
    qtbot.waitUntil(lambda: window._view is not None and window._view[2] == 15)
    window.close()
    from gspace.gui.main_window import MainWindow

    again = MainWindow(Incident.open(demo_path))
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.mapDrawn, timeout=30_000):
        again.show()
    assert again.docks["detail"].isHidden()
    qtbot.waitUntil(lambda: run_js(qtbot, again.map, "gspace.map.getZoom()") == 15)
    center = run_js(qtbot, again.map, "[gspace.map.getCenter().lat, gspace.map.getCenter().lng]")
    assert abs(center[0] - 32.79) < 1e-3 and abs(center[1] - 130.73) < 1e-3
    again.incident.close()


def test_an_incident_that_cannot_open_is_explained_in_a_dialog(tmp_path, qtbot):
    from gspace.gui.app import open_window

    messages = []

    def read_dialog():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(50, read_dialog)
            return
        messages.append(dialog.text())
        dialog.accept()

    QTimer.singleShot(50, read_dialog)
    assert open_window(Path(tmp_path / "nothing")) is None
    assert messages and "not an incident folder" in messages[0]


def test_the_incident_chooser_form_loads_translated(qtbot):
    from gspace.gui import i18n
    from gspace.gui.forms import load_form

    i18n.install("ja")
    form = load_form("incident_chooser")
    qtbot.addWidget(form)
    assert form.demoButton.text() == "デモを開く（架空のデータ）"
    assert "gspace" in form.windowTitle()
