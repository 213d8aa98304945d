"""Coordinates: reprojection to WGS84 with pyproj, degree-minute-second text, Japan's extent.

Japanese data comes as JGD2011 or JGD2000 latitude/longitude (within centimetres of WGS84),
as X/Y in one of the 19 plane rectangular zones (JGD2011 EPSG:6669-6687, JGD2000
EPSG:2443-2461, old Tokyo datum EPSG:30161-30179; X is northing, Y easting), or in the old
Tokyo datum (EPSG:4301), which pyproj moves to WGS84 with its EPSG transformation (metres of
accuracy; the official TKY2JGD grid is not bundled).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cache

from pyproj import CRS, Geod, Transformer
from pyproj.exceptions import CRSError

from gspace.errors import GspaceError

# Japan with its remote islands, generously: 20-46 N, 122-154 E.
JAPAN = (122.0, 20.0, 154.0, 46.0)
DMS = re.compile(
    r"^\s*([NSEW北南東西]?)\s*(\d+(?:\.\d+)?)\s*(?:°|度|:|\s)?\s*(?:(\d+(?:\.\d+)?)\s*(?:'|′|分|:|\s)"
    r"\s*(?:(\d+(?:\.\d+)?)\s*(?:\"|″|''|秒)?)?)?\s*([NSEW北南東西]?)\s*$"
)
SOUTH_WEST = {"S", "W", "南", "西"}


def parse_crs(text: str) -> CRS:
    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise GspaceError(
            f"unknown coordinate reference system {text!r} "
            "(use e.g. EPSG:6677 for plane rectangular zone IX)"
        ) from None


@cache
def _to_wgs84(crs: CRS) -> Transformer:
    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


def is_projected(crs: CRS) -> bool:
    return crs.is_projected


def to_wgs84(crs: CRS, first: Sequence[float], second: Sequence[float]) -> tuple[list, list]:
    """(lons, lats) from coordinates in `crs`: for geographic CRSs `first` is longitude and
    `second` latitude; for projected ones `first` is easting and `second` northing."""
    lons, lats = _to_wgs84(crs).transform(list(first), list(second))
    return list(lons), list(lats)


def parse_number(text: str | float | None) -> float | None:
    """A coordinate cell: a decimal number, or degrees-minutes-seconds text such as
    35°40'52.3"N, 139度45分3秒, N35 40 52.3; None when it is neither."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return float(text) if math.isfinite(text) else None
    text = (
        text.strip().replace(",", ".") if text.count(",") == 1 and "." not in text else text.strip()
    )
    try:
        value = float(text)
        return value if math.isfinite(value) else None
    except ValueError:
        pass
    match = DMS.match(text)
    if not match:
        return None
    before, degrees, minutes, seconds, after = match.groups()
    value = float(degrees) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
    if float(minutes or 0) >= 60 or float(seconds or 0) >= 60:
        return None
    return -value if (before or after) in SOUTH_WEST else value


def in_japan(lon: float, lat: float) -> bool:
    west, south, east, north = JAPAN
    return west <= lon <= east and south <= lat <= north


_GRS80 = Geod(ellps="GRS80")


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance on the GRS80 ellipsoid (the one JGD2011 uses), in metres."""
    return abs(_GRS80.inv(lon1, lat1, lon2, lat2)[2])
