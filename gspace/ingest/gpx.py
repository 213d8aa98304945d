"""Placing photos on a GPX track by time (linear interpolation between track points)."""

from __future__ import annotations

import bisect
from datetime import UTC, datetime, timedelta
from pathlib import Path

import gpxpy

from gspace.errors import GspaceError

# A photo taken this long before the first or after the last track point is not placed, nor
# one that falls in a gap this long between two points (the receiver was off).
MAX_GAP = timedelta(minutes=5)


class Track:
    def __init__(self, points: list[tuple[datetime, float, float]]):
        self.points = sorted(points)
        self.times = [p[0].timestamp() for p in self.points]

    @classmethod
    def read(cls, path: str | Path) -> Track:
        try:
            with open(path, encoding="utf-8") as f:
                gpx = gpxpy.parse(f)
        except (OSError, UnicodeDecodeError, gpxpy.gpx.GPXException, ValueError) as e:
            raise GspaceError(f"cannot read GPX track {path}: {e}") from None
        points = [
            (p.time if p.time.tzinfo else p.time.replace(tzinfo=UTC), p.latitude, p.longitude)
            for track in gpx.tracks
            for segment in track.segments
            for p in segment.points
            if p.time is not None
        ]
        if not points:
            raise GspaceError(f"GPX track {path} has no points with times")
        return cls(points)

    def locate(self, moment: datetime) -> tuple[float, float] | None:
        """(lat, lon) on the track at `moment` (an aware datetime), or None when off the track."""
        t = moment.timestamp()
        i = bisect.bisect_left(self.times, t)
        if i < len(self.times) and self.times[i] == t:
            return self.points[i][1], self.points[i][2]
        if i == 0 or i == len(self.times):
            edge = self.points[0 if i == 0 else -1]
            if abs(t - edge[0].timestamp()) <= MAX_GAP.total_seconds():
                return edge[1], edge[2]
            return None
        (t0, lat0, lon0), (t1, lat1, lon1) = self.points[i - 1], self.points[i]
        span = t1.timestamp() - t0.timestamp()
        if span > MAX_GAP.total_seconds():
            return None
        f = (t - t0.timestamp()) / span
        return lat0 + (lat1 - lat0) * f, lon0 + (lon1 - lon0) * f
