"""Japan's municipalities (MLIT N03, simplified; shipped in `resources/municipalities/`).

One resource serves the maps (borders and names with no network), ward-level geoparsing and the
municipality of each located report and feature. Wards of designated cities are municipalities
of their own (熊本市東区, code 43102), so a name is the city and ward together; towns and villages
are named without their county. The boundaries are decoded from TopoJSON once per process.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from gspace.paths import resource

TOPOJSON = ("municipalities", "N03-21_210101.s0010.topojson")
CREDIT = {
    "ja": "「国土数値情報（行政区域データ）」（国土交通省）を加工して作成",
    "en": "Administrative boundaries: MLIT National Land Numerical Information (N03), processed",
}


@dataclass(frozen=True)
class Municipality:
    code: str  # 5-digit local-government code (全国地方公共団体コード without check digit)
    prefecture: str  # 熊本県
    name: str  # 熊本市東区, 八代市, 比布町
    county: str | None  # 上川郡 for towns and villages in a county

    @property
    def qualified(self) -> str:
        """The name with its prefecture: 北海道伊達市."""
        return self.prefecture + self.name


@dataclass(frozen=True)
class _Boundaries:
    municipalities: tuple[Municipality, ...]
    geometries: tuple  # shapely (Multi)Polygons, same order
    tree: object  # shapely STRtree over geometries


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # quantized and delta-encoded
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])  # arcs share their end points
    return points


def _polygons(geometry: dict, arcs) -> list[list[list[tuple[float, float]]]]:
    parts = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    return [[_ring(arcs, ring) for ring in polygon] for polygon in parts]


@cache
def _topology() -> dict:
    return json.loads(resource(*TOPOJSON).read_bytes())


@cache
def boundaries() -> _Boundaries:
    import shapely

    topology = _topology()
    arcs = _decode_arcs(topology)
    found, shapes = [], []
    for item in next(iter(topology["objects"].values()))["geometries"]:
        p = item["properties"]
        if not p.get("N03_007"):
            continue  # 所属未定地: areas no municipality claims
        city, ward = p.get("N03_003"), p["N03_004"]
        is_ward = bool(city) and city.endswith("市")
        found.append(
            Municipality(
                code=p["N03_007"],
                prefecture=p["N03_001"],
                name=(city + ward) if is_ward else ward,
                county=None if is_ward else city,
            )
        )
        polygons = [shapely.Polygon(rings[0], rings[1:]) for rings in _polygons(item, arcs)]
        shapes.append(shapely.make_valid(shapely.MultiPolygon(polygons)))
    return _Boundaries(tuple(found), tuple(shapes), shapely.STRtree(shapes))


def all_municipalities() -> tuple[Municipality, ...]:
    return boundaries().municipalities


@cache
def by_code() -> dict[str, Municipality]:
    return {m.code: m for m in all_municipalities()}


def locate(lons: Sequence[float], lats: Sequence[float]) -> list[Municipality | None]:
    """The municipality each point lies in (None at sea or abroad), for many points at once."""
    import numpy
    import shapely

    result: list[Municipality | None] = [None] * len(lons)
    if not len(lons):
        return result
    b = boundaries()
    points = shapely.points(numpy.asarray(lons, float), numpy.asarray(lats, float))
    point_index, shape_index = b.tree.query(points, predicate="intersects")
    for p, s in zip(point_index.tolist(), shape_index.tolist(), strict=True):
        if result[p] is None:  # on a shared border the first one found keeps it
            result[p] = b.municipalities[s]
    return result


def geometry_of(code: str):
    """The shapely geometry of one municipality, or None for an unknown code."""
    b = boundaries()
    for municipality, shape in zip(b.municipalities, b.geometries, strict=True):
        if municipality.code == code:
            return shape
    return None
