"""Place context on the printed map: municipal borders and names (MLIT N03) that need no
network, cut to the map's frame, over the GSI pale map where the tile cache holds it.

A reader of the printed A3 must tell which town a cluster of reports is in, so every border in
the frame is drawn, thin and light under the symbols, and the name of each municipality that
has room for it (larger areas first; a name that would overlap one already placed is left out).
The GSI pale tiles are only read from the cache (browsed or prepared for offline use in the
window), never fetched: a print must not wait for a network that may not be there.
"""

from __future__ import annotations

import math

from matplotlib.collections import LineCollection, PolyCollection

from gspace.mapdata import municipal_shapes
from gspace.tiles import cache_path, tile_ranges

PALE = "gsi_pale"
TILE_PX = 256
PRINT_PX_PER_INCH = 110  # tile pixels per inch of paper: sharp enough, few tiles

R = 6378137.0  # Web Mercator sphere: the printed map's projection
LAND = "#f4f1e8"
BORDER = "#7e6f96"
NAME = "#4a3f5c"
POINTS_PER_INCH = 72


def mercator(lon: float, lat: float) -> tuple[float, float]:
    lat = max(min(lat, 85.0), -85.0)
    return R * math.radians(lon), R * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def to_lon_lat(x: float, y: float) -> tuple[float, float]:
    return math.degrees(x / R), math.degrees(2 * math.atan(math.exp(y / R)) - math.pi / 2)


def _mercator_rings(shape) -> list:
    """The rings of a (Multi)Polygon, in Web Mercator: (exteriors, all rings)."""
    import numpy

    def project(coords):
        lon, lat = numpy.asarray(coords, float).T[:2]
        lat = numpy.clip(lat, -85.0, 85.0)
        x = R * numpy.radians(lon)
        y = R * numpy.log(numpy.tan(numpy.pi / 4 + numpy.radians(lat) / 2))
        return numpy.column_stack([x, y])

    exteriors, rings = [], []
    for polygon in getattr(shape, "geoms", [shape]):
        exterior = project(polygon.exterior.coords)
        exteriors.append(exterior)
        rings.append(exterior)
        rings.extend(project(interior.coords) for interior in polygon.interiors)
    return exteriors, rings


def draw_municipalities(ax, extent, size_in, text) -> int:
    """Borders (under the symbols) and names of the municipalities in `extent` (x0, y0, x1,
    y1 in Web Mercator) on `ax`, whose drawing area is `size_in` (width, height in inches);
    `text(ax, x, y, s, **kw)` draws a text safely. Returns how many names were placed."""
    x0, y0, x1, y1 = extent
    west, south = to_lon_lat(x0, y0)
    east, north = to_lon_lat(x1, y1)
    shapes = municipal_shapes((west, south, east, north))
    land, lines, labels = [], [], []
    for municipality, shape, (lon, lat) in shapes:
        exteriors, rings = _mercator_rings(shape)
        land.extend(exteriors)
        lines.extend(rings)
        share = shape.area / ((east - west) * (north - south))
        labels.append((share, municipality.name, lon, lat))
    ax.add_collection(PolyCollection(land, facecolors=LAND, edgecolors="none", zorder=1.5))
    ax.add_collection(LineCollection(lines, colors=BORDER, linewidths=0.6, alpha=0.8, zorder=2))
    # names: larger municipalities first, none overlapping another, none cut by the frame
    units_per_point = (x1 - x0) / (size_in[0] * POINTS_PER_INCH)
    placed: list[tuple[float, float, float, float]] = []
    for share, name, lon, lat in sorted(labels, reverse=True):
        if share < 0.002:
            break
        size = 9 if share > 0.05 else 8 if share > 0.01 else 7
        x, y = mercator(lon, lat)
        half_w = len(name) * size * units_per_point / 2 + 2 * units_per_point
        half_h = size * units_per_point * 0.7
        box = (x - half_w, y - half_h, x + half_w, y + half_h)
        if box[0] < x0 or box[2] > x1 or box[1] < y0 or box[3] > y1:
            continue
        if any(b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3] for b in placed):
            continue
        placed.append(box)
        # the halo is drawn as a path, the name on it as text (searchable and copyable in the
        # PDF: matplotlib turns text with a path effect into curves)
        at = {"fontsize": size, "ha": "center", "va": "center"}
        text(ax, x, y, name, color="white", zorder=2.4, path_effects=_halo(), **at)
        text(ax, x, y, name, color=NAME, zorder=2.5, **at)
    return len(placed)


def _halo():
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.2, foreground="white", alpha=0.85)]


def _cached_tiles(conn, z: int, columns: range, rows: range) -> dict | None:
    """Every tile of the range at zoom z, or None as soon as one is missing."""
    tiles = {}
    for x in columns:
        for y in rows:
            found = conn.execute(
                "SELECT data FROM tiles WHERE source = ? AND z = ? AND x = ? AND y = ?",
                (PALE, z, x, y),
            ).fetchone()
            if found is None:
                return None
            tiles[x, y] = found[0]
    return tiles


def draw_pale_tiles(ax, extent, width_in: float, path=None) -> bool:
    """The GSI pale map under the borders, when the tile cache holds every tile of the frame
    at a zoom fit for paper (or one or two zooms coarser); False when it does not."""
    import io
    import sqlite3

    import numpy
    from PIL import Image

    path = path or cache_path()
    if not path.is_file():
        return False
    x0, y0, x1, y1 = extent
    bbox = (*to_lon_lat(x0, y0), *to_lon_lat(x1, y1))
    world = 2 * math.pi * R
    wanted = math.log2(world * width_in * PRINT_PX_PER_INCH / (TILE_PX * (x1 - x0)))
    best = min(18, max(2, round(wanted)))
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        for z in range(best, max(1, best - 3), -1):
            columns, rows = tile_ranges(bbox, z)
            if len(columns) * len(rows) > 400:
                continue
            tiles = _cached_tiles(conn, z, columns, rows)
            if tiles is None:
                continue
            mosaic = Image.new("RGB", (len(columns) * TILE_PX, len(rows) * TILE_PX), LAND)
            for (x, y), data in tiles.items():
                with Image.open(io.BytesIO(data)) as tile:
                    place = ((x - columns[0]) * TILE_PX, (y - rows[0]) * TILE_PX)
                    mosaic.paste(tile.convert("RGB").resize((TILE_PX, TILE_PX)), place)
            span = world / 2**z
            left, top = columns[0] * span - world / 2, world / 2 - rows[0] * span
            ax.imshow(
                numpy.asarray(mosaic),
                extent=(left, left + len(columns) * span, top - len(rows) * span, top),
                interpolation="bilinear",
                aspect="auto",  # the frame already has the paper's shape
                zorder=1.7,
            )
            return True
    except (sqlite3.Error, OSError, ValueError):
        return False
    finally:
        conn.close()
    return False
