"""Reading reports and features with the filters every command shares.

`ReportFilter` is the one definition of `--kind --category --status --since --until --bbox
--search --located --municipality`: the CLI, the GUI's filters and the exports all build SQL
through it. Rows carry the municipality they lie in (`muni_code` and its qualified name
`municipality`, derived on each device: schema version 6, store/schema.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from gspace.errors import GspaceError
from gspace.municipalities import name_of
from gspace.store.incident import Incident

REPORT_SELECT = (
    "SELECT id, kind, lon, lat, location_source, accuracy_m, observed_at, received_at, author, "
    "text, category, severity, status, note, source, media, properties, muni_code FROM reports r"
)
FEATURE_SELECT = (
    "SELECT id, kind, name, address, geometry, lon, lat, status, note, attributes, source, "
    "muni_code FROM features f"
)
# A feature is live when neither it nor its layer is deleted: a deleted layer takes its features
# out of every list, map, count and export, and restoring the layer brings them back
# (records.delete_layer). Usable with or without the `f` alias.
LIVE_FEATURE = "deleted = 0 AND layer_id NOT IN (SELECT id FROM layers WHERE deleted = 1)"
NOTHING = "-"  # as the only value of a filter list: no report has it, so none passes
_TRIGRAM = 3  # the FTS5 trigram index answers terms of three characters or more


@dataclass
class ReportFilter:
    kinds: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    since: datetime | None = None
    until: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    search: str | None = None
    located: bool | None = None
    municipalities: list[str] = field(default_factory=list)  # 5-digit codes

    def where(self) -> tuple[str, list]:
        clauses, params = ["r.deleted = 0"], []
        if self.kinds:
            clauses.append(f"r.kind IN ({', '.join('?' * len(self.kinds))})")
            params += self.kinds
        if self.statuses:
            clauses.append(f"r.status IN ({', '.join('?' * len(self.statuses))})")
            params += self.statuses
        if self.categories:
            clauses.append(
                "("
                + " OR ".join(
                    "(',' || coalesce(r.category, '') || ',') LIKE ?" for _ in self.categories
                )
                + ")"
            )
            params += [f"%,{c},%" for c in self.categories]
        if self.since:
            clauses.append("r.observed_ts >= ?")
            params.append(self.since.timestamp())
        if self.until:
            clauses.append("r.observed_ts <= ?")
            params.append(self.until.timestamp())
        if self.bbox:
            w, s, e, n = self.bbox
            clauses.append(
                "r.rid IN (SELECT rid FROM reports_rtree WHERE min_lon >= ? AND "
                "max_lon <= ? AND min_lat >= ? AND max_lat <= ?)"
            )
            params += [w, e, s, n]
        if self.located is not None:
            clauses.append("r.lon IS NOT NULL" if self.located else "r.lon IS NULL")
        if self.municipalities:
            clauses.append(f"r.muni_code IN ({', '.join('?' * len(self.municipalities))})")
            params += self.municipalities
        if self.search:
            sql, terms = _search_clause(self.search)
            clauses.append(sql)
            params += terms
        return " AND ".join(clauses), params


def _search_clause(text: str) -> tuple[str, list]:
    """Every whitespace-separated term must occur; long terms use the index, short ones LIKE."""
    clauses, params = [], []
    for term in text.split():
        if len(term) >= _TRIGRAM:
            clauses.append("r.rid IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH ?)")
            params.append('"' + term.replace('"', '""') + '"')
        else:
            clauses.append("(r.text LIKE ? ESCAPE '\\' OR r.author LIKE ? ESCAPE '\\')")
            like = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            params += [like, like]
    return "(" + " AND ".join(clauses or ["1"]) + ")", params


def parse_time(value: str, zone: tzinfo) -> datetime:
    """An ISO date or date-time; without an offset it is read in the incident's time zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise GspaceError(
            f"not a date or time: {value!r} (use e.g. 2026-11-24 or 2026-11-24T09:30+09:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    try:
        w, s, e, n = (float(v) for v in value.split(","))
    except ValueError:
        raise GspaceError(f"not a bounding box: {value!r} (use W,S,E,N in degrees)") from None
    if not (w <= e and s <= n):
        raise GspaceError(f"bounding box {value!r} has west > east or south > north")
    return w, s, e, n


def _rows(incident: Incident, sql: str, params: list) -> Iterator[dict]:
    cursor = incident.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


TIME_ORDER = "r.observed_ts, r.rid"
KIND_ORDER = "r.kind, r.observed_ts, r.rid"


def reports(
    incident: Incident, filt: ReportFilter | None = None, order: str = TIME_ORDER
) -> Iterator[dict]:
    """Reports matching `filt`, streamed, with JSON columns decoded."""
    where, params = (filt or ReportFilter()).where()
    for row in _rows(incident, f"{REPORT_SELECT} WHERE {where} ORDER BY {order}", params):
        yield _decoded(row)


def _decoded(row: dict) -> dict:
    row["media"] = json.loads(row["media"] or "[]")
    row["properties"] = json.loads(row["properties"] or "{}")
    row["municipality"] = name_of(row["muni_code"])
    return row


def count_reports(incident: Incident, filt: ReportFilter | None = None) -> int:
    where, params = (filt or ReportFilter()).where()
    return incident.conn.execute(
        f"SELECT count(*) FROM reports r WHERE {where}", params
    ).fetchone()[0]


def report(incident: Incident, report_id: str) -> dict | None:
    found = list(_rows(incident, f"{REPORT_SELECT} WHERE r.id = ? AND r.deleted = 0", [report_id]))
    return _decoded(found[0]) if found else None


def features(
    incident: Incident,
    kinds: list[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    municipalities: list[str] | None = None,
) -> Iterator[dict]:
    clauses = [LIVE_FEATURE]
    params: list = []
    if municipalities:
        clauses.append(f"f.muni_code IN ({', '.join('?' * len(municipalities))})")
        params += municipalities
    if kinds:
        clauses.append(f"f.kind IN ({', '.join('?' * len(kinds))})")
        params += kinds
    if bbox:
        w, s, e, n = bbox
        clauses.append(
            "f.fid IN (SELECT fid FROM features_rtree WHERE max_lon >= ? AND "
            "min_lon <= ? AND max_lat >= ? AND min_lat <= ?)"
        )
        params += [w, e, s, n]
    sql = f"{FEATURE_SELECT} WHERE {' AND '.join(clauses)} ORDER BY f.kind, f.fid"
    for row in _rows(incident, sql, params):
        row["geometry"] = json.loads(row["geometry"]) if row["geometry"] else None
        row["attributes"] = json.loads(row["attributes"] or "{}")
        row["municipality"] = name_of(row["muni_code"])
        yield row


def feature(incident: Incident, feature_id: str) -> dict | None:
    """One feature as `features` gives it (a window refreshing the one it has just edited)."""
    found = list(
        _rows(incident, f"{FEATURE_SELECT} WHERE f.id = ? AND {LIVE_FEATURE}", [feature_id])
    )
    if not found:
        return None
    row = found[0]
    row["geometry"] = json.loads(row["geometry"]) if row["geometry"] else None
    row["attributes"] = json.loads(row["attributes"] or "{}")
    row["municipality"] = name_of(row["muni_code"])
    return row


def feature_counts(incident: Incident) -> dict[str, int]:
    return dict(
        incident.conn.execute(
            f"SELECT kind, count(*) FROM features WHERE {LIVE_FEATURE} GROUP BY kind ORDER BY kind"
        )
    )


SUMMARY_COLUMNS = (
    "rid",
    "id",
    "lon",
    "lat",
    "kind",
    "category",
    "status",
    "severity",
    "observed_at",
    "observed_ts",
    "location_source",
    "text",
    "muni_code",
)
_SUMMARY_SELECT = (
    f"SELECT {', '.join('r.' + c for c in SUMMARY_COLUMNS)}, "
    "json_extract(r.properties, '$.direction') AS direction FROM reports r"
)


def report_summaries(incident: Incident, filt: ReportFilter | None = None) -> list[dict]:
    """The few columns a list and a map need, for every matching report, in time order."""
    where, params = (filt or ReportFilter()).where()
    sql = f"{_SUMMARY_SELECT} WHERE {where} ORDER BY r.observed_ts, r.rid"
    return list(_rows(incident, sql, params))


def summaries_of(incident: Incident, ids: list[str]) -> list[dict]:
    """The summaries of some reports (those not deleted), to refresh a list after an edit."""
    found = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        sql = f"{_SUMMARY_SELECT} WHERE r.deleted = 0 AND r.id IN ({', '.join('?' * len(chunk))})"
        found += _rows(incident, sql, chunk)
    return found


def matching_rids(incident: Incident, filt: ReportFilter) -> set[int]:
    """The row keys of the reports `filt` passes: what a window needs to show or hide them."""
    where, params = filt.where()
    return {
        rid
        for (rid,) in incident.conn.execute(f"SELECT r.rid FROM reports r WHERE {where}", params)
    }


def media_row(incident: Incident, sha256: str) -> dict | None:
    """A media row without its thumbnail, its EXIF decoded."""
    sql = "SELECT sha256, type, size, width, height, path, exif FROM media WHERE sha256 = ?"
    rows = list(_rows(incident, sql, [sha256]))
    if not rows:
        return None
    rows[0]["exif"] = json.loads(rows[0]["exif"] or "{}")
    return rows[0]


def media_thumbnail(incident: Incident, sha256: str) -> bytes | None:
    row = incident.conn.execute(
        "SELECT thumbnail FROM media WHERE sha256 = ?", (sha256,)
    ).fetchone()
    return row[0] if row else None


def nearest_feature(
    incident: Incident,
    lon: float,
    lat: float,
    kind: str,
    statuses: tuple[str, ...],
    accept: Callable[[dict], bool] | None = None,
) -> tuple[dict, float] | None:
    """The feature of `kind` in one of `statuses` (and that `accept` accepts: a shelter with
    room) nearest to (lon, lat), and its geodesic distance in metres. Square windows from the
    R*Tree grow until the best candidate is nearer than any point outside the window can be."""
    from gspace.geo import distance_m

    best = None
    for radius in (0.01, 0.04, 0.16, 0.64, 2.56):  # degrees
        window = (lon - radius, lat - radius, lon + radius, lat + radius)
        candidates = [
            f
            for f in features(incident, [kind], window)
            if f["status"] in statuses and f["lon"] is not None and (accept is None or accept(f))
        ]
        if candidates:
            best = min(
                ((f, distance_m(lon, lat, f["lon"], f["lat"])) for f in candidates),
                key=lambda pair: pair[1],
            )
            inside = radius * 110_000 * min(1.0, math.cos(math.radians(min(abs(lat) + radius, 89))))
            if best[1] <= inside:
                return best
    return best
