"""What the map draws, as plain data: compact columns of points with a style and a group each.

Kept out of the GUI so the in-app map and the exported maps symbolise reports the same way.
Reports are circles filled by their first category, outlined by kind; rejected and duplicate
reports are greyed. Features use their kind's shape, filled by status colour.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from gspace.catalog import LayerKind
from gspace.model import categories_of
from gspace.paths import resource

CATEGORY_COLORS = {
    "rescue": "#d50000",
    "injury": "#ff4081",
    "building_damage": "#8d6e63",
    "flooding": "#1e88e5",
    "landslide": "#795548",
    "fire": "#ff6d00",
    "road_blocked": "#546e7a",
    "water_outage": "#00acc1",
    "power_outage": "#fdd835",
    "shelter_info": "#43a047",
    "supplies": "#7cb342",
    "other": "#9575cd",
}
KIND_STROKES = {"photo": "#000000", "sns": "#ffffff", "volunteer": "#2e7d32", "manual": "#37474f"}
OUTLINE_ATTRIBUTION = "outline: japanmap (Apache-2.0)"
GREYED = {"rejected", "duplicate"}
GREY = "#bdbdbd"
REPORT_RADIUS, FEATURE_RADIUS = 5.5, 7


def outline() -> dict:
    """The outline base map of Japan (prefecture polygons, GeoJSON), which needs no tiles."""
    return json.loads(resource("basemap", "japan_prefectures.geojson").read_text("utf-8"))


def _rounded(coords, digits: int):
    if isinstance(coords[0], float | int):
        return [round(coords[0], digits), round(coords[1], digits)]
    return [_rounded(c, digits) for c in coords]


def municipal_shapes(bbox: tuple[float, float, float, float] | None = None) -> list[tuple]:
    """(Municipality, shapely geometry, label point (lon, lat)) of the municipalities in `bbox`
    (W,S,E,N), their shapes cut to the box; every municipality without one.

    The label point lies inside the part of the municipality that is in the box, so a name
    shows where its town can be seen on the map.
    """
    import shapely

    from gspace.municipalities import boundaries

    found = boundaries()
    if bbox is None:
        pairs = zip(found.municipalities, found.geometries, strict=True)
    else:
        hits = found.tree.query(shapely.box(*bbox))
        pairs = (
            (found.municipalities[i], shapely.clip_by_rect(found.geometries[i], *bbox))
            for i in sorted(hits.tolist())
        )
    shapes = []
    for municipality, shape in pairs:
        if shape.is_empty:
            continue
        if shape.geom_type == "GeometryCollection":  # a clip can leave stray lines
            shape = shapely.MultiPolygon(
                [g for g in shape.geoms if g.geom_type == "Polygon"]
                + [p for g in shape.geoms if g.geom_type == "MultiPolygon" for p in g.geoms]
            )
            if shape.is_empty:
                continue
        # the largest piece holds the name (an island town is named on its main island)
        main = max(getattr(shape, "geoms", [shape]), key=lambda g: g.area)
        point = main.representative_point()
        shapes.append((municipality, shape, (point.x, point.y)))
    return shapes


def municipal_geojson(
    bbox: tuple[float, float, float, float] | None = None, margin: float = 0.2, digits: int = 4
) -> dict:
    """Municipal borders and names as GeoJSON for a map with no network: the municipalities
    around `bbox` (W,S,E,N, widened by `margin` degrees on each side), cut to it, or all of
    Japan without a box. Coordinates keep `digits` decimals (4: ~10 m, finer than the
    simplified borders). Properties: name (熊本市中央区), code and label ([lon, lat])."""
    import shapely

    if bbox is not None:
        w, s, e, n = bbox
        bbox = (w - margin, s - margin, e + margin, n + margin)
    features = []
    for municipality, shape, (x, y) in municipal_shapes(bbox):
        geometry = json.loads(shapely.to_geojson(shape))
        geometry["coordinates"] = _rounded(geometry["coordinates"], digits)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": municipality.name,
                    "code": municipality.code,
                    "label": [round(x, digits), round(y, digits)],
                },
                "geometry": geometry,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def on_paper(stroke: str) -> str:
    """An outline colour that shows on a light background: white (SNS posts) turns grey."""
    return "#90a4ae" if stroke == "#ffffff" else stroke


def report_style(kind: str, category: str | None, status: str) -> dict:
    first = categories_of(category)[0]
    fill = GREY if status in GREYED else CATEGORY_COLORS.get(first, CATEGORY_COLORS["other"])
    return {
        "shape": "circle",
        "fill": fill,
        "stroke": KIND_STROKES.get(kind, "#37474f"),
        "radius": REPORT_RADIUS,
    }


def feature_style(kind: LayerKind | None, status: str | None) -> dict:
    if kind is None:
        return {"shape": "circle", "fill": GREY, "stroke": "#37474f", "radius": FEATURE_RADIUS}
    found = kind.status(status)
    return {
        "shape": kind.shape,
        "fill": found.color if found else GREY,
        "stroke": kind.color,
        "radius": FEATURE_RADIUS,
    }


class _Columns:
    def __init__(self) -> None:
        self.data: dict[str, list] = {k: [] for k in ("ids", "lon", "lat", "style", "group", "dir")}
        self.styles: dict[tuple, int] = {}
        self.groups: dict[str, int] = {}

    def add(
        self,
        point_id: str,
        lon: float,
        lat: float,
        style: dict,
        group: str,
        direction: float | None,
    ) -> None:
        key = tuple(style.items())
        self.data["dir"].append(direction)
        self.data["ids"].append(point_id)
        self.data["lon"].append(lon)
        self.data["lat"].append(lat)
        self.data["style"].append(self.styles.setdefault(key, len(self.styles)))
        self.data["group"].append(self.groups.setdefault(group, len(self.groups)))

    def result(self) -> dict:
        return {**self.data, "styles": [dict(k) for k in self.styles], "groups": list(self.groups)}


def _points(rows: Iterable[dict], style: Callable[[dict], dict], group: str) -> dict:
    columns = _Columns()
    for row in rows:
        if row["lon"] is not None and row["lat"] is not None:
            columns.add(
                row["id"],
                row["lon"],
                row["lat"],
                style(row),
                f"{group}:{row['kind']}",
                row.get("direction"),
            )
    return columns.result()


def report_points(rows: Iterable[dict]) -> dict:
    """rows: dicts with id, lon, lat, kind, category, status and optionally direction (the
    camera's bearing, drawn as an arrow); unlocated rows are left out."""
    return _points(rows, lambda r: report_style(r["kind"], r["category"], r["status"]), "report")


def feature_points(rows: Iterable[dict], catalog: dict[str, LayerKind]) -> dict:
    return _points(rows, lambda f: feature_style(catalog.get(f["kind"]), f["status"]), "feature")
