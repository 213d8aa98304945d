"""Base maps through the gstile: scheme, with a tile server on 127.0.0.1 standing in for GSI:
browsed tiles are cached and still draw with the server stopped, an MBTiles file draws, and
"Prepare offline area" fetches exactly the area's tiles and resumes after a cancel."""

import io

import pytest
from helpers import accept_message_box, run_js
from PIL import Image
from PySide6.QtCore import QBuffer
from tile_server import TileServer, make_mbtiles, tile_color

from gspace.tiles import TileSource, count_tiles, tiles_in


@pytest.fixture
def server():
    running = TileServer()
    yield running
    running.stop()


def map_image(qtbot, window) -> Image.Image:
    qtbot.wait(300)  # let the drawn page reach the widget
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    window.map.grab().toImage().save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGB")


def share(image: Image.Image, rgb) -> float:
    colors = dict((c, n) for n, c in image.getcolors(1 << 22))
    return colors.get(tuple(rgb), 0) / (image.width * image.height)


def test_browsed_tiles_are_cached_and_draw_the_same_with_the_server_stopped(
    demo_path, open_main_window, qtbot, server
):
    window = open_main_window(demo_path)
    window.base_maps.service.store.add(
        TileSource("browse", "試験タイル", "Test tiles", server.url, "試験 &amp; tiles", 0, 19)
    )
    window.base_maps.rebuild()
    run_js(qtbot, window.map, "gspace.map.setView([32.79, 130.74], 12, {animate: false}); 1")
    with qtbot.waitSignal(window.map.bridge.baseMapLoaded, timeout=20_000):
        window.base_maps.actions["browse"].trigger()  # View → Base map → the test tiles
    online = map_image(qtbot, window)
    assert share(online, tile_color(12)) > 0.4  # tiles fill the map behind the markers
    fetched = set(server.requests)
    assert fetched and {z for z, _, _ in fetched} == {12}
    cache = window.base_maps.service.store.cache
    assert all(cache.has("browse", z, x, y) for z, x, y in fetched)
    attribution = "document.querySelector('.leaflet-control-attribution').textContent"
    assert "試験 & tiles" in run_js(qtbot, window.map, attribution)
    server.stop()
    served = window.base_maps.service.handler.served["cache"]
    window.base_maps.actions["none"].trigger()
    assert share(map_image(qtbot, window), tile_color(12)) == 0  # the outline only
    with qtbot.waitSignal(window.map.bridge.baseMapLoaded, timeout=20_000):
        window.base_maps.actions["browse"].trigger()
    offline = map_image(qtbot, window)
    assert window.base_maps.service.handler.served["cache"] >= served + len(fetched)
    assert offline.tobytes() == online.tobytes()  # the same pixels, from the cache
    assert window.settings.value("basemap/current") == "browse"


def test_an_mbtiles_file_made_here_draws_as_a_base_map(
    demo_path, open_main_window, qtbot, tmp_path
):
    window = open_main_window(demo_path)
    run_js(qtbot, window.map, "gspace.map.setView([32.79, 130.74], 11, {animate: false}); 1")
    bbox = (130.3, 32.4, 131.2, 33.2)
    path = make_mbtiles(tmp_path / "kumamoto.mbtiles", range(11, 12), (10, 20, 200), bbox)
    with qtbot.waitSignal(window.map.bridge.baseMapLoaded, timeout=20_000):
        source_id = window.base_maps.add_mbtiles(str(path))
    assert window.base_maps.actions[source_id].isChecked()
    # on a busy machine the loaded tiles may reach the widget a moment after "load"
    qtbot.waitUntil(lambda: share(map_image(qtbot, window), (10, 20, 200)) > 0.4, timeout=10_000)
    assert "試験 MBTiles" in run_js(
        qtbot, window.map, "document.querySelector('.leaflet-control-attribution').textContent"
    )
    assert str(path) in window.settings.value("basemap/mbtiles")


def test_preparing_an_offline_area_fetches_its_tiles_once_and_resumes_after_cancel(
    demo_path, open_main_window, qtbot, server
):
    window = open_main_window(demo_path)
    window.base_maps.service.store.add(
        TileSource("prepare", "試験タイル", "Test tiles", server.url, "test", 0, 19)
    )
    view = (130.70, 32.76, 130.78, 32.82)
    form = window.base_maps.prepare_dialog(view)
    form.sourceBox.setCurrentIndex(form.sourceBox.findData("prepare"))
    form.zoomFrom.setValue(11)
    form.zoomUntil.setValue(15)
    total = count_tiles(view, range(11, 16))
    assert f"{total:,} tiles, {total:,} to download" in form.estimateValue.text()
    job = window.base_maps.prepare(**window.base_maps.choices(form))
    job.worker.progressed.connect(lambda done, _t, _p: done >= 5 and job.worker.stop.set())
    with qtbot.waitSignal(job.done, timeout=30_000) as first:
        pass
    assert first.args[0]["stopped"] == "cancelled"
    assert "prepare the same area again" in accept_message_box(qtbot)
    fetched_first = first.args[0]["fetched"]
    assert 5 <= fetched_first < total
    job = window.base_maps.prepare(**window.base_maps.choices(form))
    with qtbot.waitSignal(job.done, timeout=30_000) as second:
        pass
    accept_message_box(qtbot)
    assert second.args[0]["fetched"] == total - fetched_first
    assert sum(server.requests.values()) == total
    assert set(server.requests) == {(z, x, y) for z in range(11, 16) for x, y in tiles_in(view, z)}
