"""The tile store: fetched tiles are cached and served with the server gone, the cache keeps to
its cap, MBTiles files are read, and preparing an area fetches each missing tile once and
resumes after a cancel."""

import pytest
from tile_server import TileServer, make_mbtiles, png, tile_color

from gspace.errors import GspaceError
from gspace.tiles import (
    MAX_PREPARE_TILES,
    TileCache,
    TileSource,
    TileStore,
    count_tiles,
    mbtiles_source,
    tiles_in,
)

KUMAMOTO = (130.60, 32.70, 130.90, 32.90)


@pytest.fixture
def server():
    running = TileServer()
    yield running
    running.stop()


def store_for(server, tmp_path, cap=50 * 2**20):
    source = TileSource("test", "試験", "Test", server.url, "test tiles", 0, 19)
    return TileStore(TileCache(tmp_path / "cache.sqlite", cap), {"test": source})


def test_a_fetched_tile_is_kept_and_served_without_the_server(server, tmp_path):
    store = store_for(server, tmp_path)
    assert store.cached("test", 12, 3600, 1650) is None
    data = store.download("test", 12, 3600, 1650)
    assert data == png(tile_color(12))
    store.cache.put("test", 12, 3600, 1650, data)
    server.stop()
    assert store.cached("test", 12, 3600, 1650) == data
    assert server.requests[(12, 3600, 1650)] == 1


def test_a_server_that_does_not_answer_is_left_alone_for_a_while(server, tmp_path):
    store = store_for(server, tmp_path)
    server.stop()
    assert store.fetchable("test")
    assert store.download("test", 5, 27, 12) is None
    assert not store.fetchable("test")  # no timeout per tile while the network is down


def test_tile_ranges_are_the_standard_xyz_numbers():
    # zoom 10 has 1024 tiles a side: x = (lon + 180) / 360 * 1024 gives 883.5 and 884.4;
    # y = (1 - asinh(tan(lat)) / pi) / 2 * 1024 gives 413.6 at 32.7 N and 412.6 at 32.9 N
    assert set(tiles_in(KUMAMOTO, 10)) == {(883, 412), (883, 413), (884, 412), (884, 413)}
    assert count_tiles(KUMAMOTO, range(10, 11)) == 4
    assert count_tiles((-180, -85, 180, 85), range(0, 3)) == 1 + 4 + 16


def test_preparing_an_area_fetches_each_missing_tile_once_and_resumes_after_cancel(
    server, tmp_path
):
    store = store_for(server, tmp_path)
    zooms = range(10, 14)
    total, missing, estimate = store.estimate("test", KUMAMOTO, zooms)
    assert total == missing == count_tiles(KUMAMOTO, zooms) and estimate > 0
    seen = []

    def cancel_after_ten():
        return len(seen) >= 10

    first = store.prepare("test", KUMAMOTO, zooms, lambda d, t: seen.append(d), cancel_after_ten)
    assert first["stopped"] == "cancelled" and first["fetched"] == 10
    second = store.prepare("test", KUMAMOTO, zooms)
    assert second["stopped"] is None
    assert (second["kept"], second["fetched"]) == (10, total - 10)
    assert sum(server.requests.values()) == total  # no tile fetched twice
    assert set(server.requests.values()) == {1}
    assert store.estimate("test", KUMAMOTO, zooms)[1] == 0
    server.stop()
    assert all(
        store.cached("test", z, x, y) == png(tile_color(z))
        for z in zooms
        for x, y in tiles_in(KUMAMOTO, z)
    )


def test_preparing_stops_when_the_server_is_gone_and_keeps_what_it_fetched(server, tmp_path):
    store = store_for(server, tmp_path)
    server.stop()
    result = store.prepare("test", KUMAMOTO, range(10, 12))
    assert result["stopped"] == "offline" and result["fetched"] == 0
    with pytest.raises(GspaceError, match="too many"):
        store.prepare("test", (120, 20, 150, 46), range(0, 16))
    assert count_tiles((120, 20, 150, 46), range(0, 16)) > MAX_PREPARE_TILES


def test_the_cache_keeps_to_its_cap_dropping_the_least_recently_used_but_never_pinned(
    tmp_path,
):
    tile = bytes(10_000)
    cache = TileCache(tmp_path / "cache.sqlite", cap_bytes=100_000)
    cache.put("s", 1, 0, 0, tile, pinned=True)
    for n in range(10):
        cache.put("s", 5, n, 0, tile)
    assert cache.size(pinned=False) == 100_000  # at the cap, not past it: nothing dropped
    cache.get("s", 5, 0, 0)  # the oldest, used again: now the newest
    cache.put("s", 5, 10, 0, tile)  # past the cap: down to 90 % by the least recently used
    assert cache.size(pinned=False) == 90_000
    kept = {n for n in range(11) if cache.has("s", 5, n, 0)}
    assert kept == {0, *range(3, 11)}
    assert cache.has("s", 1, 0, 0)  # pinned (an offline area) never goes


def test_an_mbtiles_file_is_read_with_its_rows_counted_from_the_south(tmp_path):
    path = make_mbtiles(tmp_path / "area.mbtiles", range(8, 11), (10, 20, 200), KUMAMOTO)
    source = mbtiles_source(path)
    assert (source.name_ja, source.min_zoom, source.max_zoom) == ("試験地図", 8, 10)
    assert source.attribution == "試験 MBTiles"
    store = TileStore(TileCache(tmp_path / "cache.sqlite"), {})
    store.add(source)
    assert store.cached(source.id, 10, 883, 413) == png((10, 20, 200))
    assert store.cached(source.id, 10, 0, 0) is None
    (tmp_path / "broken.mbtiles").write_bytes(b"not sqlite at all")
    with pytest.raises(GspaceError, match="not an MBTiles file"):
        mbtiles_source(tmp_path / "broken.mbtiles")
