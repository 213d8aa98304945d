"""The reports a review window holds, and which of them its filters show.

Every report's summary is read once and kept; a filter asks SQLite (the same `ReportFilter` as
the command line, so search uses the FTS index) only for the row keys that pass. The time window
is applied in memory to the last query's result, which is kept: moving the timeline, the most
frequent change, runs no query at all.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from gspace.store import query
from gspace.store.incident import Incident
from gspace.store.query import ReportFilter

HOUR = 3600


class ReportSet:
    def __init__(self, incident: Incident):
        self.incident = incident
        self.reload()

    def reload(self) -> None:
        self.rows = query.report_summaries(self.incident)
        self.by_id = {r["id"]: r for r in self.rows}
        self.by_rid = {r["rid"]: r for r in self.rows}
        # columns for the time window and the timeline: one array operation, not a loop
        self.rids = np.fromiter((r["rid"] for r in self.rows), np.int64, len(self.rows))
        times = (math.nan if r["observed_ts"] is None else r["observed_ts"] for r in self.rows)
        self.times = np.fromiter(times, np.float64, len(self.rows))
        self.position = np.full(int(self.rids.max(initial=0)) + 1, -1, np.int64)
        self.position[self.rids] = np.arange(len(self.rows))
        self._cached: tuple[str, np.ndarray | None] | None = None

    def refresh(self, ids: list[str]) -> list[dict]:
        """Read some reports again after they were edited (in place: every list that holds
        their rows sees the change); returns their rows."""
        self._cached = None
        for row in query.summaries_of(self.incident, ids):
            self.by_id[row["id"]].update(row)
            ts = row["observed_ts"]
            self.times[self.position[row["rid"]]] = math.nan if ts is None else ts
        return [self.by_id[i] for i in ids if i in self.by_id]

    def matching(self, filt: ReportFilter) -> set[int] | None:
        """The row keys of the reports `filt` passes; None when it passes every report."""
        base = self._without_time(filt)
        if filt.since is None and filt.until is None:
            return None if base is None else set(self.rids[base].tolist())
        low = filt.since.timestamp() if filt.since else -math.inf
        high = filt.until.timestamp() if filt.until else math.inf
        positions = np.arange(len(self.rows)) if base is None else base
        times = self.times[positions]
        return set(self.rids[positions[(times >= low) & (times <= high)]].tolist())

    def _without_time(self, filt: ReportFilter) -> np.ndarray | None:
        """Positions in `rows` of the reports `filt` passes, its time window aside (None:
        all); kept until the filter or the reports change."""
        rest = replace(filt, since=None, until=None)
        if rest == ReportFilter():
            return None
        key = repr(rest)
        if self._cached is None or self._cached[0] != key:
            rids = query.matching_rids(self.incident, rest)
            found = np.fromiter(rids, np.int64, len(rids))
            positions = self.position[found[found < len(self.position)]]
            # a report written since the last reload has no position yet
            self._cached = (key, np.sort(positions[positions >= 0]))
        return self._cached[1]

    def hourly(self, filt: ReportFilter) -> tuple[float, list[int]]:
        """Reports per hour over the whole time span of those `filt` passes, ignoring its time
        window (the timeline shows where the window could go): (first hour's start, counts)."""
        base = self._without_time(filt)
        times = self.times if base is None else self.times[base]
        hours = np.floor(times[~np.isnan(times)] / HOUR).astype(np.int64)
        if not len(hours):
            return 0.0, []
        first = int(hours.min())
        return float(first * HOUR), np.bincount(hours - first).tolist()

    def extent(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) of the located reports."""
        lons = [r["lon"] for r in self.rows if r["lon"] is not None]
        lats = [r["lat"] for r in self.rows if r["lat"] is not None]
        return (min(lons), min(lats), max(lons), max(lats)) if lons else None
