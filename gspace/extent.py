"""The area a map opens on: where the reports are, not where a stray point happens to be.

One function for the web map, the printed map and the window, so all three frame the same
area. A geotag at lat 88 (a broken GPS fix), a few photos from a trip abroad or a reference
layer covering another city must not turn a city map into a world map: the extent is the
smallest box that holds most (95 %) of the reports, widened to take in the reports that lie
just outside it (a tail of the same event), and every report left outside is counted so the
map's summary can say so. Reference layers widen it only when asked (`all`), and a box given
by the user wins over both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from gspace.errors import GspaceError

MODES = ("reports", "all")
SHARE = 0.95  # the core box holds this share of the points
HALF = 0.5  # ... or half of them, when the 95 % box is JUMP times wider than the half box
JUMP = 20.0
NEAR = 2.0  # points within this many core-box spans of the core still belong to the area
MIN_SPAN = 0.02  # degrees (~2 km): a single report or a tight group still gets a street map
JAPAN = (129.0, 30.5, 146.0, 45.5)


@dataclass(frozen=True)
class Extent:
    west: float
    south: float
    east: float
    north: float
    outliers: int = 0  # points left outside the area

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.west, self.south, self.east, self.north)

    @property
    def center(self) -> tuple[float, float]:
        """(lat, lon) of the box's centre."""
        return ((self.south + self.north) / 2, (self.west + self.east) / 2)

    def width_km(self) -> float:
        lat = math.radians((self.south + self.north) / 2)
        return (self.east - self.west) * 111.32 * math.cos(lat)

    def height_km(self) -> float:
        return (self.north - self.south) * 110.57


def parse_extent(text: str | None) -> str | tuple[float, float, float, float]:
    """`reports`, `all` or `W,S,E,N` in degrees (a one-line error otherwise)."""
    text = (text or "reports").strip().lower()
    if text in MODES:
        return text
    try:
        w, s, e, n = (float(part) for part in text.split(","))
    except ValueError:
        raise GspaceError(
            f"--extent {text!r}: use reports, all or W,S,E,N in degrees "
            "(e.g. 130.6,32.7,130.8,32.9)"
        ) from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise GspaceError(f"--extent {text}: need west < east and south < north, in degrees")
    return (w, s, e, n)


def _keep(n: int, share: float) -> int:
    """How many of n points a core holds: `share` of them, at least one; with the 95 % share
    all but one from 3 points on (one stray among a handful of reports is still a stray)."""
    if share < SHARE:
        return max(1, math.ceil(n * share))
    return max(1, min(math.ceil(n * share), n - 1)) if n >= 3 else n


def _core(xs, ys, share: float) -> tuple[float, float, float, float]:
    """The narrowest band of latitudes holding `share` of the points, then the narrowest band
    of longitudes holding `share` of those: (west, south, east, north)."""
    south, north = _window(ys, _keep(len(ys), share))
    band = (ys >= south) & (ys <= north)
    west, east = _window(xs[band], _keep(int(band.sum()), share))
    return west, south, east, north


def _span(box: tuple[float, float, float, float]) -> float:
    return max(box[2] - box[0], box[3] - box[1], MIN_SPAN)


def _window(values, keep: int) -> tuple[float, float]:
    """The narrowest interval of `values` holding `keep` of them."""
    import numpy

    ordered = numpy.sort(values)
    widths = ordered[keep - 1 :] - ordered[: len(ordered) - keep + 1]
    i = int(numpy.argmin(widths))
    return float(ordered[i]), float(ordered[i + keep - 1])


def core_extent(lons: Sequence[float], lats: Sequence[float]) -> Extent | None:
    """The area holding the points, robust to far outliers; None without points.

    The core is the narrowest band of latitudes holding 95 % of the points (all but one with
    fewer than 20), then the narrowest band of longitudes holding 95 % of those. When more
    than 5 % are strays (a worldwide photo set among a city's reports) that core is far wider
    than the one holding half of the points, and the half core is taken instead. The area is
    the bounding box of every point within two core spans of the core, so a report just past
    the core's edge is framed, one on another continent is an outlier.
    """
    import numpy

    xs = numpy.asarray([numpy.nan if x is None else x for x in lons], float)
    ys = numpy.asarray([numpy.nan if y is None else y for y in lats], float)
    good = numpy.isfinite(xs) & numpy.isfinite(ys)
    xs, ys = xs[good], ys[good]
    if not len(xs):
        return None
    core = _core(xs, ys, SHARE)
    half = _core(xs, ys, HALF)
    if _span(core) > JUMP * _span(half):
        core = half
    west, south, east, north = core
    span_x = max(east - west, MIN_SPAN) * NEAR
    span_y = max(north - south, MIN_SPAN) * NEAR
    near = (
        (xs >= west - span_x)
        & (xs <= east + span_x)
        & (ys >= south - span_y)
        & (ys <= north + span_y)
    )
    xs, ys = xs[near], ys[near]
    return Extent(
        float(xs.min()),
        float(ys.min()),
        float(xs.max()),
        float(ys.max()),
        outliers=len(good.nonzero()[0]) - len(xs),
    )


def map_extent(
    mode: str | tuple[float, float, float, float],
    reports: tuple[Sequence[float], Sequence[float]],
    features: tuple[Sequence[float], Sequence[float]] = ((), ()),
    bbox: tuple[float, float, float, float] | None = None,
) -> Extent:
    """The area a map opens on, for `mode` (see MODES, or a W,S,E,N box).

    reports and features are (lons, lats). `bbox`, the filter's box, frames a `reports` map
    when given. Without reports the features frame it, without either all of Japan.
    """
    if isinstance(mode, tuple):
        w, s, e, n = mode
        located = [(x, y) for x, y in zip(*reports, strict=True) if x is not None]
        inside = sum(1 for x, y in located if w <= x <= e and s <= y <= n)
        return Extent(*mode, outliers=len(located) - inside)
    if mode not in MODES:
        raise GspaceError(f"unknown extent {mode!r} (use {', '.join(MODES)} or W,S,E,N)")
    if mode == "all":
        xs = [x for x in (*reports[0], *features[0]) if x is not None]
        ys = [y for y in (*reports[1], *features[1]) if y is not None]
        if xs:
            return Extent(min(xs), min(ys), max(xs), max(ys))
        return Extent(*(bbox or JAPAN))
    if bbox:
        return Extent(*bbox)
    found = core_extent(*reports) or core_extent(*features)
    return found or Extent(*JAPAN)
