"""Base-map tiles from a local store: a size-capped cache of tiles fetched while online, MBTiles
files, and "prepare offline area" downloads that the cap never evicts.

The map asks for a tile by source, zoom, x and y (Web Mercator XYZ). A cached tile is answered
from the cache without touching the network; a missing one is fetched from the source's server
when the network answers, and kept. After a failed fetch the source is left alone for a while,
so a laptop with no network is not slowed by a timeout per tile.
"""

from __future__ import annotations

import hashlib
import html
import math
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gspace import __version__
from gspace.errors import GspaceError
from gspace.paths import user_data_dir

DEFAULT_CACHE_MB = 500
OFFLINE_BACKOFF_S = 30.0
FETCH_TIMEOUT_S = 10.0
MAX_PREPARE_TILES = 200_000  # a limit a laptop and a tile server can both live with
USER_AGENT = f"gspace/{__version__} (disaster-information desktop GIS)"
TYPICAL_BYTES = {"png": 18_000, "jpg": 28_000}  # estimate before anything is cached


@dataclass(frozen=True)
class TileSource:
    id: str
    name_ja: str
    name_en: str
    url: str  # template with {z} {x} {y}, or "" for an MBTiles file
    attribution: str
    min_zoom: int = 0
    max_zoom: int = 18
    format: str = "png"
    mbtiles: Path | None = None

    def name(self, lang: str) -> str:
        return self.name_ja if lang == "ja" else self.name_en


GSI = '<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>'
BUILT_IN = {
    s.id: s
    for s in (
        TileSource(
            "gsi_std",
            "地理院地図（標準）",
            "GSI standard",
            "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png",
            GSI,
            2,
            18,
        ),
        TileSource(
            "gsi_pale",
            "地理院地図（淡色）",
            "GSI pale",
            "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png",
            GSI,
            2,
            18,
        ),
        TileSource(
            "gsi_photo",
            "地理院地図（航空写真）",
            "GSI aerial photo",
            "https://cyberjapandata.gsi.go.jp/xyz/seamlessphoto/{z}/{x}/{y}.jpg",
            GSI,
            2,
            18,
            "jpg",
        ),
        TileSource(
            "osm",
            "OpenStreetMap",
            "OpenStreetMap",
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
            "contributors",
            0,
            19,
        ),
    )
}


def cache_path() -> Path:
    return user_data_dir() / "tiles" / "cache.sqlite"


def mbtiles_source(path: str | Path) -> TileSource:
    """An MBTiles file as a base map (its metadata gives name, zooms, format, attribution)."""
    path = Path(path)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        meta = dict(conn.execute("SELECT name, value FROM metadata").fetchall())
        conn.execute("SELECT 1 FROM tiles LIMIT 1").fetchall()
        conn.close()
    except sqlite3.Error as e:
        raise GspaceError(f"{path.name} is not an MBTiles file ({e})") from None
    name = meta.get("name") or path.stem
    return TileSource(
        # an id that fits in a URL path segment, the same for the same file every time
        id="mbtiles-" + hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12],
        name_ja=name,
        name_en=name,
        url="",
        # the map shows attributions as HTML: a file's text is escaped first
        attribution=html.escape(meta.get("attribution", "")),
        min_zoom=int(meta.get("minzoom", 0)),
        max_zoom=int(meta.get("maxzoom", 18)),
        format="jpg" if meta.get("format") in ("jpg", "jpeg") else meta.get("format", "png"),
        mbtiles=path.resolve(),
    )


def tiles_in(bbox: tuple[float, float, float, float], zoom: int) -> Iterator[tuple[int, int]]:
    """(x, y) of the XYZ tiles at `zoom` covering bbox (west, south, east, north)."""
    xs, ys = tile_ranges(bbox, zoom)
    for x in xs:
        for y in ys:
            yield x, y


def tile_ranges(bbox: tuple[float, float, float, float], zoom: int) -> tuple[range, range]:
    """The columns and rows of the XYZ tiles at `zoom` covering bbox (west, south, east, north)."""
    (x0, y0), (x1, y1) = _tile_xy(bbox[0], bbox[3], zoom), _tile_xy(bbox[2], bbox[1], zoom)
    return range(x0, x1 + 1), range(y0, y1 + 1)


def _tile_xy(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    n = 2**zoom
    lat = max(min(lat, 85.0511), -85.0511)
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def count_tiles(bbox: tuple[float, float, float, float], zooms: range) -> int:
    return sum(len(xs) * len(ys) for xs, ys in (tile_ranges(bbox, z) for z in zooms))


class TileCache:
    """Tiles by (source, z, x, y) in one SQLite file. Tiles kept for an offline area are pinned;
    the others are evicted, least recently used first, when the cache passes its cap."""

    def __init__(self, path: Path | None = None, cap_bytes: int = DEFAULT_CACHE_MB * 2**20):
        self.path = path or cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.cap_bytes = cap_bytes
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        # a cache need not survive a power cut: no disk sync for every tile read or written
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=5000")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS tiles (source TEXT, z INTEGER, x INTEGER, y INTEGER, "
            "data BLOB, size INTEGER, used REAL, pinned INTEGER DEFAULT 0, "
            "PRIMARY KEY (source, z, x, y))"
        )
        self.conn.execute("CREATE INDEX IF NOT EXISTS tiles_used ON tiles (pinned, used)")
        self._unpinned: int | None = None  # bytes of unpinned tiles, counted once then kept

    def close(self) -> None:
        self.conn.close()

    def get(self, source: str, z: int, x: int, y: int) -> bytes | None:
        row = self.conn.execute(
            "SELECT data FROM tiles WHERE source = ? AND z = ? AND x = ? AND y = ?",
            (source, z, x, y),
        ).fetchone()
        if row is None:
            return None
        self.conn.execute(
            "UPDATE tiles SET used = ? WHERE source = ? AND z = ? AND x = ? AND y = ?",
            (time.time(), source, z, x, y),
        )
        return row[0]

    def has(self, source: str, z: int, x: int, y: int) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM tiles WHERE source = ? AND z = ? AND x = ? AND y = ?",
                (source, z, x, y),
            ).fetchone()
            is not None
        )

    def put(self, source: str, z: int, x: int, y: int, data: bytes, pinned: bool = False) -> None:
        self.conn.execute(
            "INSERT INTO tiles (source, z, x, y, data, size, used, pinned) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET data = excluded.data, "
            "size = excluded.size, used = excluded.used, pinned = max(pinned, excluded.pinned)",
            (source, z, x, y, data, len(data), time.time(), int(pinned)),
        )
        if not pinned:
            if self._unpinned is None:
                self._unpinned = self.size(pinned=False)
            else:
                self._unpinned += len(data)
            if self._unpinned > self.cap_bytes:
                self.evict()

    def size(self, pinned: bool | None = None) -> int:
        where = "" if pinned is None else f" WHERE pinned = {int(pinned)}"
        return self.conn.execute(f"SELECT coalesce(sum(size), 0) FROM tiles{where}").fetchone()[0]

    def average_size(self, source: str) -> float | None:
        return self.conn.execute(
            "SELECT avg(size) FROM tiles WHERE source = ?", (source,)
        ).fetchone()[0]

    def evict(self) -> int:
        """Drop the least recently used unpinned tiles until those fit 90 % of the cap."""
        self._unpinned = self.size(pinned=False)  # exact (other connections write too)
        excess = self._unpinned - self.cap_bytes
        if excess <= 0:
            return 0
        target, freed, doomed = excess + self.cap_bytes // 10, 0, []
        rows = self.conn.execute(
            "SELECT rowid, size FROM tiles WHERE pinned = 0 ORDER BY used"
        ).fetchall()
        for rowid, size in rows:
            if freed >= target:
                break
            doomed.append((rowid,))
            freed += size
        self.conn.executemany("DELETE FROM tiles WHERE rowid = ?", doomed)
        self._unpinned -= freed
        return len(doomed)


class TileStore:
    """Answers tile requests for every base map: MBTiles files directly, web sources through
    the cache and, when the network answers, their servers."""

    def __init__(self, cache: TileCache, sources: dict[str, TileSource] | None = None):
        self.cache = cache
        self.sources = dict(sources or BUILT_IN)
        self._mbtiles: dict[str, sqlite3.Connection] = {}
        self._offline_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, source: TileSource) -> None:
        self.sources[source.id] = source

    def cached(self, source_id: str, z: int, x: int, y: int) -> bytes | None:
        """A tile that needs no network: from an MBTiles file or the cache."""
        source = self.sources.get(source_id)
        if source is None:
            return None
        if source.mbtiles:
            return self._from_mbtiles(source, z, x, y)
        return self.cache.get(source_id, z, x, y)

    def _from_mbtiles(self, source: TileSource, z: int, x: int, y: int) -> bytes | None:
        conn = self._mbtiles.get(source.id)
        if conn is None:
            uri = f"{source.mbtiles.as_uri()}?mode=ro"
            conn = self._mbtiles[source.id] = sqlite3.connect(uri, uri=True)
        row = conn.execute(  # MBTiles rows count from the south (TMS)
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, 2**z - 1 - y),
        ).fetchone()
        return row[0] if row else None

    def fetchable(self, source_id: str) -> bool:
        """A web source whose server has not just failed to answer."""
        source = self.sources.get(source_id)
        if source is None or not source.url:
            return False
        with self._lock:
            return time.monotonic() >= self._offline_until.get(source_id, 0.0)

    def download(self, source_id: str, z: int, x: int, y: int) -> bytes | None:
        """Fetch a tile from its server (safe in any thread; stores nothing). None when the
        server has no such tile or cannot be reached (then the source rests for a while)."""
        source = self.sources[source_id]
        url = source.url.format(z=z, x=x, y=y)
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:
                return response.read()
        except urllib.error.HTTPError:
            return None  # the server answered: no tile here (e.g. outside its coverage)
        except (urllib.error.URLError, OSError):
            with self._lock:
                self._offline_until[source_id] = time.monotonic() + OFFLINE_BACKOFF_S
            return None

    def estimate(self, source_id: str, bbox, zooms: range) -> tuple[int, int, int]:
        """(tiles in the area, of those not yet kept, estimated bytes to download)."""
        total = count_tiles(bbox, zooms)
        if total > MAX_PREPARE_TILES:
            return total, total, 0
        missing = sum(
            1 for z in zooms for x, y in tiles_in(bbox, z) if not self.cache.has(source_id, z, x, y)
        )
        source = self.sources[source_id]
        average = self.cache.average_size(source_id) or TYPICAL_BYTES.get(source.format, 20_000)
        return total, missing, int(missing * average)

    def prepare(
        self,
        source_id: str,
        bbox: tuple[float, float, float, float],
        zooms: range,
        progress: Callable[[int, int], None] = lambda done, total: None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> dict:
        """Download and pin every tile of an area that is not kept yet. Stopping (cancel, no
        network) keeps what was fetched: running again fetches only the rest."""
        total = count_tiles(bbox, zooms)
        if total > MAX_PREPARE_TILES:
            raise GspaceError(
                f"{total:,} tiles is too many to prepare at once (at most "
                f"{MAX_PREPARE_TILES:,}): choose a smaller area or fewer zoom levels"
            )
        result = {"total": total, "fetched": 0, "kept": 0, "failed": 0, "stopped": None}
        done = 0
        for z in zooms:
            for x, y in tiles_in(bbox, z):
                if cancelled():
                    result["stopped"] = "cancelled"
                    return result
                if self.cache.has(source_id, z, x, y):
                    self.cache.conn.execute(
                        "UPDATE tiles SET pinned = 1 WHERE source = ? AND z = ? AND x = ? "
                        "AND y = ?",
                        (source_id, z, x, y),
                    )
                    result["kept"] += 1
                elif not self.fetchable(source_id):
                    result["stopped"] = "offline"
                    return result
                else:
                    data = self.download(source_id, z, x, y)
                    if data is None:
                        result["failed"] += 1
                    else:
                        self.cache.put(source_id, z, x, y, data, pinned=True)
                        result["fetched"] += 1
                done += 1
                progress(done, total)
        return result
