"""Japan's municipalities (MLIT N03, simplified; shipped in `resources/municipalities/`).

One resource serves the maps (borders and names with no network), ward-level geoparsing and the
municipality of each located report and feature. Wards of designated cities are municipalities
of their own (熊本市東区, code 43102), so a name is the city and ward together; towns and villages
are named without their county. The boundaries are decoded from TopoJSON once per process.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from gspace.errors import GspaceError
from gspace.paths import resource

_WARD_OF_CITY = re.compile("^(.+?市)(.+区)$")
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

    @property
    def city(self) -> str | None:
        """The designated city of a ward (熊本市 for 熊本市東区), else None."""
        ward = _WARD_OF_CITY.match(self.name) if self.county is None else None
        return ward.group(1) if ward else None


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


def _municipality(p: dict) -> Municipality:
    city, ward = p.get("N03_003"), p["N03_004"]
    is_ward = bool(city) and city.endswith("市")
    return Municipality(
        code=p["N03_007"],
        prefecture=p["N03_001"],
        name=(city + ward) if is_ward else ward,
        county=None if is_ward else city,
    )


def _claimed(topology: dict) -> list[dict]:
    """The geometries a municipality claims (所属未定地, areas none claims, are left out)."""
    items = next(iter(topology["objects"].values()))["geometries"]
    return [item for item in items if item["properties"].get("N03_007")]


@cache
def all_municipalities() -> tuple[Municipality, ...]:
    """Names and codes only (no geometry, no shapely): what filters and exports need."""
    return tuple(_municipality(item["properties"]) for item in _claimed(_topology()))


@cache
def boundaries() -> _Boundaries:
    import shapely

    topology = _topology()
    arcs = _decode_arcs(topology)
    shapes = []
    for item in _claimed(topology):
        polygons = [shapely.Polygon(rings[0], rings[1:]) for rings in _polygons(item, arcs)]
        shapes.append(shapely.make_valid(shapely.MultiPolygon(polygons)))
    return _Boundaries(all_municipalities(), tuple(shapes), shapely.STRtree(shapes))


@cache
def by_code() -> dict[str, Municipality]:
    return {m.code: m for m in all_municipalities()}


def locate(lons: Sequence[float], lats: Sequence[float]) -> list[Municipality | None]:
    """The municipality each point lies in (None at sea or abroad), for many points at once."""
    import numpy
    import shapely

    if not len(lons):
        return []
    b = boundaries()
    xy = numpy.column_stack([numpy.asarray(lons, float), numpy.asarray(lats, float)])
    # posts placed from their text share a few points (a town's, a ward's): each distinct
    # point is searched once
    unique, inverse = numpy.unique(xy, axis=0, return_inverse=True)
    point_index, shape_index = b.tree.query(shapely.points(unique), predicate="intersects")
    # on a shared border the first in the boundaries' order wins, the same on every device
    order = numpy.lexsort((shape_index, point_index))
    points, first = numpy.unique(point_index[order], return_index=True)
    found: list[Municipality | None] = [None] * len(unique)
    for p, s in zip(points.tolist(), shape_index[order][first].tolist(), strict=True):
        found[p] = b.municipalities[s]
    return [found[i] for i in inverse.reshape(-1).tolist()]


def codes_at(lons: Sequence[float], lats: Sequence[float]) -> list[str | None]:
    """The code of the municipality each point lies in (None at sea or abroad)."""
    return [m.code if m else None for m in locate(lons, lats)]


def geometry_of(code: str):
    """The shapely geometry of one municipality, or None for an unknown code."""
    b = boundaries()
    for municipality, shape in zip(b.municipalities, b.geometries, strict=True):
        if municipality.code == code:
            return shape
    return None


def name_of(code: str | None) -> str | None:
    """The qualified name (熊本県熊本市東区) of a code, None for none or an unknown one."""
    municipality = by_code().get(code) if code else None
    return municipality.qualified if municipality else None


@cache
def _names() -> dict[str, list[tuple[Municipality, ...]]]:
    """Every way a user may name a municipality -> what each such name can mean. A city with
    wards (熊本市) means all its wards; a bare ward (東区) or a bare name (伊達市) may mean
    several places."""
    names: dict[str, list[tuple[Municipality, ...]]] = {}

    def add(name: str, meaning: tuple[Municipality, ...]) -> None:
        if meaning not in names.setdefault(name, []):
            names[name].append(meaning)

    wards: dict[tuple[str, str], list[Municipality]] = {}
    for m in all_municipalities():
        for name in (m.name, m.qualified):
            add(name, (m,))
        if m.county:
            add(m.county + m.name, (m,))
            add(m.prefecture + m.county + m.name, (m,))
        if m.city:
            add(m.name[len(m.city) :], (m,))  # 東区
            add(m.prefecture + m.name[len(m.city) :], (m,))  # 熊本県東区
            wards.setdefault((m.prefecture, m.city), []).append(m)
    for (prefecture, city), members in wards.items():
        add(city, tuple(members))
        add(prefecture + city, tuple(members))
    return names


def _label(m: Municipality) -> str:
    same = sum(1 for other in all_municipalities() if other.qualified == m.qualified)
    return f"{m.prefecture}{m.county or ''}{m.name}" if same > 1 else m.qualified


def find(name: str) -> tuple[Municipality, ...]:
    """The municipalities a user means by `name`: a 5-digit code, a name qualified as needed
    (熊本市東区, 北海道伊達市, 伊達市 when it is unique), or a city with wards (all its wards).
    Raises GspaceError for an unknown name, and for an ambiguous one with the candidates."""
    text = unicodedata.normalize("NFKC", name).replace(" ", "").replace("\u3000", "")
    if text.isdigit() and len(text) == 5:
        if text not in by_code():
            raise GspaceError(f"no municipality has the code {text}")
        return (by_code()[text],)
    meanings = _names().get(text)
    if not meanings:
        raise GspaceError(
            f"no municipality is called {name} (give a code such as 43101 or a name such as "
            "熊本市東区 or 北海道伊達市)"
        )
    if len(meanings) > 1:
        candidates = ", ".join(
            f"{_label(m[0])} ({m[0].code})" if len(m) == 1 else f"{m[0].prefecture}{m[0].city}"
            for m in meanings
        )
        raise GspaceError(f"{name} is ambiguous: {candidates}")
    return meanings[0]
