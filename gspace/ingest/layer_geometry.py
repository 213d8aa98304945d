"""A layer file's own geometries as WGS84: reprojected from the system the file declares (a
Shapefile's .prj, a GeoPackage's srs, the 2008 GeoJSON `crs` member), else from the one the user
gives with --crs, else read as WGS84, which RFC 7946 GeoJSON and KML mean.

When a row also has latitude/longitude columns they are a second opinion: a row whose geometry
is missing or unusable takes its position from them, and where the two disagree by more than
100 m the summary says so and that the geometry was used.
"""

from __future__ import annotations

import json
import math
import warnings

from gspace import geo
from gspace.errors import GspaceError
from gspace.ingest.layer_files import (
    DISAGREEMENT_M,
    LayerSummary,
    Table,
    column_points,
    point,
)

SHAPE_ERRORS = (ValueError, TypeError, IndexError, KeyError, AttributeError, OverflowError)


def crs_label(text: str) -> str:
    """EPSG:6675, or the system's name when it has no EPSG code (a .prj without one)."""
    crs = geo.parse_crs(text)
    authority = crs.to_authority()
    return ":".join(authority) if authority else crs.name


def file_geometries(
    table: Table, mapping: dict[str, str], crs_text: str | None, summary: LayerSummary
) -> list[dict | None]:
    rows = table.rows
    given = geo.parse_crs(crs_text) if crs_text else None
    groups: dict[str | None, list[int]] = {}
    for i, declared in enumerate(table.row_crs or [table.crs] * len(rows)):
        groups.setdefault(declared, []).append(i)
    shapes: list[tuple[dict | None, str]] = [(None, "no geometry")] * len(rows)
    labels, metres = [], 0
    for declared, indices in groups.items():
        if declared:
            crs, label = geo.parse_crs(declared), f"{crs_label(declared)} (from the file)"
            if given is not None and not given.equals(crs, ignore_axis_order=True):
                summary.notes.append(
                    f"--crs {crs_text} was not used: the file declares {crs_label(declared)}"
                )
        elif given is not None:
            crs, label = given, f"{crs_text} (--crs)"
        else:
            crs, label = None, "WGS84 longitude/latitude"
        labels.append(label)
        if crs is not None and crs.equals("EPSG:4326", ignore_axis_order=True):
            crs = None
        metres += _reproject(table, indices, crs, shapes, unknown=not declared and given is None)
    summary.crs = ", ".join(dict.fromkeys(labels))
    if metres:
        advice = "give it with --crs (e.g. EPSG:6677 for plane rectangular zone IX)"
        if all(shape is None for shape, _why in shapes) and "lat" not in mapping:
            raise GspaceError(
                f"the file's coordinates are in metres but it declares no coordinate system: "
                f"{advice}"
            )
        summary.notes.append(
            f"{metres} geometries are in metres but the file declares no coordinate system: "
            f"{advice}"
        )
    return _with_columns(table, mapping, shapes, summary)


def _reproject(
    table: Table,
    indices: list[int],
    crs,
    shapes: list[tuple[dict | None, str]],
    unknown: bool,
) -> int:
    """Fill `shapes[i]` with (WGS84 geometry or None, why not) for the rows `indices`; return
    how many points looked like metres in a file of unknown system."""
    points: list[tuple[int, float, float]] = []
    metres = 0
    for i in indices:
        geometry = (table.geometries or [])[i]
        if not isinstance(geometry, dict) or not geometry.get("coordinates"):
            if isinstance(geometry, dict) and geometry.get("geometries"):
                shapes[i] = _transformed(geometry, crs)
            continue
        if geometry.get("type") != "Point":
            shapes[i] = _transformed(geometry, crs)
            continue
        try:
            if not isinstance(geometry["coordinates"], list):
                raise TypeError
            x, y = (float(v) for v in geometry["coordinates"][:2])
        except (TypeError, ValueError, OverflowError):
            shapes[i] = (None, "unreadable point coordinates")
            continue
        if not (math.isfinite(x) and math.isfinite(y)):
            shapes[i] = (None, "unreadable point coordinates")
        elif unknown and (abs(x) > 360 or abs(y) > 360):
            metres += 1
            shapes[i] = (None, "coordinates in metres, system unknown (give --crs)")
        else:
            points.append((i, x, y))
    if crs is not None and points:
        lons, lats = geo.to_wgs84(crs, [p[1] for p in points], [p[2] for p in points])
        points = [(p[0], lon, lat) for p, lon, lat in zip(points, lons, lats, strict=True)]
    for i, lon, lat in points:
        shapes[i] = (
            ({"type": "Point", "coordinates": [lon, lat]}, "")
            if math.isfinite(lon) and math.isfinite(lat)
            else (None, "coordinates outside the coordinate system's area")
        )
    return metres


def _transformed(geometry: dict, crs) -> tuple[dict | None, str]:
    """Lines, polygons and collections: as read by shapely (numbers as floats), reprojected
    whole from `crs`; None when shapely cannot read them or their middle is not in Japan."""
    import numpy
    import shapely
    import shapely.geometry

    def to_wgs84(xy):
        lons, lats = geo.to_wgs84(crs, xy[:, 0], xy[:, 1])
        return numpy.column_stack([lons, lats])

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            shape = shapely.geometry.shape(geometry)
            if shape.is_empty or not numpy.isfinite(shapely.get_coordinates(shape)).all():
                return None, "unreadable geometry"
            if crs is not None:
                shape = shapely.transform(shape, to_wgs84)
                if not numpy.isfinite(shapely.get_coordinates(shape)).all():
                    return None, "coordinates outside the coordinate system's area"
        west, south, east, north = shape.bounds
        lon, lat = (west + east) / 2, (south + north) / 2
        if not geo.in_japan(lon, lat):
            return None, f"outside Japan ({lat:.6f}, {lon:.6f})"
        return json.loads(json.dumps(shapely.geometry.mapping(shape))), ""
    except (*SHAPE_ERRORS, shapely.errors.ShapelyError):
        return None, "unreadable geometry"


def _with_columns(
    table: Table,
    mapping: dict[str, str],
    shapes: list[tuple[dict | None, str]],
    summary: LayerSummary,
) -> list[dict | None]:
    """The geometries checked against Japan and against latitude/longitude columns."""
    columns = [None] * len(table.rows)
    if "lat" in mapping and "lon" in mapping:
        scratch = LayerSummary(summary.kind)  # column problems matter only where used
        columns = column_points(
            table, range(len(table.rows)), (mapping["lon"], mapping["lat"]), None, scratch
        )
    result: list[dict | None] = []
    apart, farthest, fallback = 0, 0.0, 0
    for row, (geometry, reason), column in zip(table.rows, shapes, columns, strict=True):
        if geometry is not None and geometry.get("type") == "Point":
            lon, lat = geometry["coordinates"]
            check = LayerSummary(summary.kind)
            geometry = point(lon, lat, row["_row"], check)
            reason = check.skipped[0][1] if check.skipped else ""
            if geometry is not None:
                summary.swapped += check.swapped
        if geometry is None and column is not None:
            fallback += 1
            geometry = column
        elif geometry is not None and column is not None and geometry["type"] == "Point":
            distance = geo.distance_m(*geometry["coordinates"], *column["coordinates"])
            if distance > DISAGREEMENT_M:
                apart, farthest = apart + 1, max(farthest, distance)
        if geometry is None:
            summary.skipped.append((row["_row"], reason or "no geometry"))
        result.append(geometry)
    if apart:
        summary.notes.append(
            f"{apart} rows: the geometry and the latitude/longitude columns "
            f"({mapping['lat']}, {mapping['lon']}) are more than {DISAGREEMENT_M} m apart "
            f"(up to {farthest:,.0f} m); the geometry was used"
        )
    if fallback:
        summary.notes.append(
            f"{fallback} rows without a usable geometry: their latitude/longitude columns "
            f"({mapping['lat']}, {mapping['lon']}) were used"
        )
    return result
