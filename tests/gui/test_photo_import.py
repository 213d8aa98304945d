"""Photos through the window: dropped on it, imported with progress, placed by hand."""

from datetime import datetime

import pytest
from helpers import accept_message_box, drop, run_js
from photo_files import make_jpeg
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtTest import QTest

from gspace.gui.reports_list import REPORT_MIME
from gspace.store import query
from gspace.store.incident import Incident


@pytest.fixture
def card(tmp_path):
    folder = tmp_path / "DCIM"
    for i in range(6):
        make_jpeg(
            folder / f"located_{i}.jpg",
            lat=32.79 + i * 0.002,
            lon=130.72,
            seed=i,
            size=(800, 600),
            taken=datetime(2026, 11, 21, 9, i),
            offset="+09:00",
            direction=90.0,
        )
    for i in range(2):
        make_jpeg(
            folder / f"nogps_{i}.jpg",
            seed=50 + i,
            size=(800, 600),
            taken=datetime(2026, 11, 21, 10, i),
        )
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    return folder


@pytest.fixture
def card_incident(tmp_path, card):
    """An incident holding the card's photos (two of them without a location)."""
    from gspace.ingest.photos import import_photos

    with Incident.create(tmp_path / "inc") as incident:
        import_photos(incident, [card], jobs=1)
    return tmp_path / "inc"


def test_dropping_a_folder_imports_it_and_the_reports_appear_on_the_map(
    demo_path, open_main_window, qtbot, card
):
    window = open_main_window(demo_path)
    before = run_js(qtbot, window.map, "gspace.layers.reports._ids.length")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(card))])
    drop(window, mime, window.map.geometry().center())
    summary = accept_message_box(qtbot)
    assert "8 photo(s) imported" in summary and "1 skipped" in summary
    assert "2 need(s) a location" in summary
    qtbot.waitUntil(
        lambda: run_js(qtbot, window.map, "gspace.layers.reports._ids.length") == before + 6
    )
    directions = run_js(
        qtbot, window.map, "[...gspace.layers.reports._dir].filter(d => d === 90).length"
    )
    assert directions == 6  # each located photo carries its camera bearing for the arrow
    window.unlocated_action.setChecked(True)
    listed = {
        query.report(window.incident, r["id"])["source"].rsplit("/", 1)[-1]
        for r in window.reports.source.rows
    }
    assert {"nogps_0.jpg", "nogps_1.jpg"} <= listed


def test_a_photo_without_location_is_placed_by_clicking_the_map(
    card_incident, open_main_window, qtbot
):
    window = open_main_window(card_incident)
    window.unlocated_action.setChecked(True)
    assert window.reports.model().rowCount() == 2
    window.reports.selectRow(0)
    report_id = window.selected_id
    assert "No location yet" in window.detail.hint.text()
    window.place_action.trigger()
    target = window.map.rect().center()
    lat, lon = run_js(qtbot, window.map, f"gspace.latLngAt({target.x()}, {target.y()})")
    QTest.mouseClick(window.map.focusProxy(), Qt.MouseButton.LeftButton, pos=target)
    qtbot.waitUntil(
        lambda: query.report(window.incident, report_id)["lat"] is not None, timeout=10_000
    )
    placed = query.report(window.incident, report_id)
    assert placed["location_source"] == "manual"
    assert abs(placed["lat"] - lat) < 1e-5 and abs(placed["lon"] - lon) < 1e-5
    assert window.reports.model().rowCount() == 1  # it left the "needs location" list


def test_a_report_dragged_from_the_list_onto_the_map_is_placed_there(
    card_incident, open_main_window, qtbot
):
    window = open_main_window(card_incident)
    window.unlocated_action.setChecked(True)
    index = window.reports.model().index(0, 0)
    report_id = index.data(Qt.ItemDataRole.UserRole + 1)
    mime = window.reports.model().mimeData([index])
    assert bytes(mime.data(REPORT_MIME)).decode() == report_id
    at_map = QPoint(120, 160)
    lat, lon = run_js(qtbot, window.map, f"gspace.latLngAt({at_map.x()}, {at_map.y()})")
    drop(window, mime, window.map.mapTo(window, at_map))
    qtbot.waitUntil(
        lambda: query.report(window.incident, report_id)["lat"] is not None, timeout=10_000
    )
    placed = query.report(window.incident, report_id)
    assert abs(placed["lat"] - lat) < 1e-5 and abs(placed["lon"] - lon) < 1e-5


def test_the_detail_panel_shows_the_photo_large_with_its_exif(
    tmp_path, open_main_window, qtbot, card
):
    with Incident.create(tmp_path / "inc") as incident:
        from gspace.ingest.photos import import_photos

        import_photos(incident, [card / "located_0.jpg"], jobs=1)
    window = open_main_window(tmp_path / "inc")
    window.reports.selectRow(0)
    assert window.detail.photo.isVisible()
    qtbot.waitUntil(lambda: window.detail.photo.current_size() == (800, 600), timeout=10_000)
    assert window.detail.values["direction"].text() == "90° E"
    assert window.detail.values["camera"].text() == "TestCam"
    assert window.detail.values["pixels"].text() == "800 × 600"
    assert "GPS GPSLatitudeRef: N" in window.detail.exif.text().splitlines()
    zoom = window.detail.photo.transform().m11()
    QTest.mouseDClick(window.detail.photo.viewport(), Qt.MouseButton.LeftButton)
    window.detail.photo.scale(2, 2)
    assert window.detail.photo.transform().m11() == pytest.approx(zoom * 2)
