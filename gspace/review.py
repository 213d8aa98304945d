"""The reports a review window holds, and which of them its filters show.

Every report's summary is read once and kept; a filter asks SQLite (the same `ReportFilter` as
the command line, so search uses the FTS index) only for the row keys that pass. The time window
is applied in memory to the last query's result, which is kept: moving the timeline, the most
frequent change, runs no query at all.
"""

from __future__ import annotations

import math
from dataclasses import replace

from gspace import query
from gspace.incident import Incident
from gspace.query import ReportFilter

HOUR = 3600


class ReportSet:
    def __init__(self, incident: Incident):
        self.incident = incident
        self.reload()

    def reload(self) -> None:
        self.rows = query.report_summaries(self.incident)
        self.by_id = {r["id"]: r for r in self.rows}
        self.by_rid = {r["rid"]: r for r in self.rows}
        self._cached: tuple[str, set[int] | None] | None = None

    def refresh(self, ids: list[str]) -> list[dict]:
        """Read some reports again after they were edited (in place: every list that holds
        their rows sees the change); returns their rows."""
        self._cached = None
        for row in query.summaries_of(self.incident, ids):
            self.by_id[row["id"]].update(row)
        return [self.by_id[i] for i in ids if i in self.by_id]

    def matching(self, filt: ReportFilter) -> set[int] | None:
        """The row keys of the reports `filt` passes; None when it passes every report."""
        base = self._without_time(replace(filt, since=None, until=None))
        if filt.since is None and filt.until is None:
            return base
        low = filt.since.timestamp() if filt.since else -math.inf
        high = filt.until.timestamp() if filt.until else math.inf
        rows = self.rows if base is None else (self.by_rid[k] for k in base)
        return {
            r["rid"]
            for r in rows
            if r["observed_ts"] is not None and low <= r["observed_ts"] <= high
        }

    def _without_time(self, filt: ReportFilter) -> set[int] | None:
        if filt == ReportFilter():
            return None
        key = repr(filt)
        if self._cached is None or self._cached[0] != key:
            self._cached = (key, query.matching_rids(self.incident, filt))
        return self._cached[1]

    def hourly(self, filt: ReportFilter) -> tuple[float, list[int]]:
        """Reports per hour over the whole time span of those `filt` passes, ignoring its time
        window (the timeline shows where the window could go): (first hour's start, counts)."""
        base = self._without_time(replace(filt, since=None, until=None))
        rows = self.rows if base is None else [self.by_rid[k] for k in base]
        hours = [int(r["observed_ts"] // HOUR) for r in rows if r["observed_ts"] is not None]
        if not hours:
            return 0.0, []
        first = min(hours)
        counts = [0] * (max(hours) - first + 1)
        for hour in hours:
            counts[hour - first] += 1
        return first * HOUR, counts
