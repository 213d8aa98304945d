"""The window's map with no tiles: it opens on the reports' area whatever a few strays say,
and shows municipal borders and names (MLIT N03, with its credit) from zoom 9."""

from export_incident import add_far_reports
from helpers import run_js

from gspace.municipalities import CREDIT

NAMES = "[...document.querySelectorAll('.gs-muni-name')].map((e) => e.textContent)"
CREDIT_EN = CREDIT["en"]
ATTRIBUTION = "document.querySelector('.leaflet-control-attribution').textContent"


def test_window_opens_on_the_city_not_on_the_strays(demo_path, open_main_window, qtbot):
    add_far_reports(demo_path)
    window = open_main_window(demo_path)
    west, south, east, north = run_js(
        qtbot, window.map, "gspace.map.getBounds().toBBoxString().split(',').map(Number)"
    )
    assert (east - west) * 111.32 * 0.84 < 100 and (north - south) * 110.57 < 100
    assert west < 130.71 < east and south < 32.80 < north


def test_municipal_borders_and_names_under_the_reports(demo_path, open_main_window, qtbot):
    window = open_main_window(demo_path)
    run_js(qtbot, window.map, "gspace.map.setView([32.803, 130.708], 12, {animate: false}); 1")
    qtbot.waitUntil(lambda: "熊本市中央区" in run_js(qtbot, window.map, NAMES), timeout=10_000)
    assert "熊本市東区" in run_js(qtbot, window.map, NAMES)
    assert CREDIT_EN in run_js(qtbot, window.map, ATTRIBUTION)  # the tests run in English
    run_js(qtbot, window.map, "gspace.map.setZoom(7, {animate: false}); 1")
    qtbot.waitUntil(lambda: run_js(qtbot, window.map, NAMES) == [], timeout=10_000)
    # the layer panel turns them off, credit included
    run_js(qtbot, window.map, "gspace.map.setZoom(12, {animate: false}); 1")
    item = window.layers.municipalities_item
    item.setCheckState(0, item.checkState(0).__class__.Unchecked)
    qtbot.waitUntil(lambda: run_js(qtbot, window.map, NAMES) == [], timeout=10_000)
    assert CREDIT_EN not in run_js(qtbot, window.map, ATTRIBUTION)
    assert window.map.page().errors == []


def test_the_borders_credit_follows_view_language(demo_path, open_main_window, qtbot):
    window = open_main_window(demo_path)
    qtbot.waitUntil(lambda: CREDIT_EN in run_js(qtbot, window.map, ATTRIBUTION), timeout=10_000)
    window.set_language("ja")  # Qt posts LanguageChange: the window (and its map) follow
    try:
        qtbot.waitUntil(
            lambda: CREDIT["ja"] in run_js(qtbot, window.map, ATTRIBUTION), timeout=10_000
        )
        assert CREDIT_EN not in run_js(qtbot, window.map, ATTRIBUTION)
        # turned off and on again in Japanese, the credit stays Japanese and single
        item = window.layers.municipalities_item
        item.setCheckState(0, item.checkState(0).__class__.Unchecked)
        qtbot.waitUntil(
            lambda: CREDIT["ja"] not in run_js(qtbot, window.map, ATTRIBUTION), timeout=10_000
        )
        item.setCheckState(0, item.checkState(0).__class__.Checked)
        qtbot.waitUntil(
            lambda: run_js(qtbot, window.map, ATTRIBUTION).count(CREDIT["ja"]) == 1,
            timeout=10_000,
        )
    finally:
        window.set_language("en")
    qtbot.waitUntil(lambda: CREDIT_EN in run_js(qtbot, window.map, ATTRIBUTION), timeout=10_000)
    assert CREDIT["ja"] not in run_js(qtbot, window.map, ATTRIBUTION)
    assert window.map.page().errors == []
