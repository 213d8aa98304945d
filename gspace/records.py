"""Writing syncable rows.

Every insert, update and tombstone of a report, feature, layer or media row also writes its
R*Tree / FTS5 entries and a change-log entry, inside the caller's transaction
(`Incident.transaction()`), so a row never exists without its index entries or its change.
Bulk inserts fill each table with one `executemany` per batch: this is the hot path of every
import, and per-row triggers would make it several times slower.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from gspace.errors import GspaceError
from gspace.incident import Incident
from gspace.model import REPORT_STATUSES

BATCH = 5000

REPORT_COLUMNS = (
    "id", "kind", "lon", "lat", "location_source", "accuracy_m", "observed_at", "observed_ts",
    "received_at", "author", "text", "category", "severity", "status", "source", "media",
    "properties",
)
FEATURE_COLUMNS = (
    "id", "layer_id", "kind", "name", "address", "geometry", "lon", "lat", "status", "note",
    "attributes", "source",
)
_JSON_COLUMNS = {"media", "properties", "attributes", "geometry", "exif"}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _json_cell(column: str, value: Any) -> Any:
    if column in _JSON_COLUMNS and value is not None and not isinstance(value, str):
        return _dumps(value)
    return value


def _batches(rows: Iterable[dict], size: int = BATCH) -> Iterator[list[dict]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _timestamp(iso: str | None) -> float | None:
    return datetime.fromisoformat(iso).timestamp() if iso else None


def _prepare_report(incident: Incident, row: dict) -> dict:
    report = {c: row.get(c) for c in REPORT_COLUMNS}
    report["id"] = report["id"] or str(uuid.uuid4())
    report["status"] = report["status"] or "new"
    report["received_at"] = report["received_at"] or incident.now()
    report["observed_ts"] = _timestamp(report["observed_at"])
    if report["location_source"] is None:
        report["location_source"] = "none" if report["lon"] is None else "manual"
    for column in ("media", "properties"):
        report[column] = _json_cell(column, report[column] if report[column] is not None
                                    else ([] if column == "media" else {}))
    return report


def _log(incident: Incident, entries: list[tuple[str, str, str, str, dict]]) -> None:
    """entries: (hlc, table, row id, op, data)."""
    incident.conn.executemany(
        "INSERT INTO changes (hlc, origin, tbl, row_id, op, data) VALUES (?, ?, ?, ?, ?, ?)",
        [(h, incident.device_id, t, r, op, _dumps(d)) for h, t, r, op, d in entries],
    )


def _next_key(incident: Incident, table: str, key: str) -> int:
    return incident.conn.execute(f"SELECT coalesce(max({key}), 0) + 1 FROM {table}").fetchone()[0]


def add_reports(incident: Incident, rows: Iterable[dict]) -> list[str]:
    """Insert reports (dicts with REPORT_COLUMNS keys); returns their ids. Call in a transaction."""
    conn, ids = incident.conn, []
    columns = ("rid", *REPORT_COLUMNS, "hlc", "origin")
    insert = f"INSERT INTO reports ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    for batch in _batches(rows):
        rid = _next_key(incident, "reports", "rid")
        values, located, texts, log = [], [], [], []
        for offset, row in enumerate(batch):
            report = _prepare_report(incident, row)
            hlc = incident.clock.now()
            key = rid + offset
            values.append((key, *report.values(), hlc, incident.device_id))
            if report["lon"] is not None:
                located.append((key, report["lon"], report["lon"], report["lat"], report["lat"]))
            texts.append((key, report["text"], report["author"]))
            log.append((hlc, "reports", report["id"], "insert", report))
            ids.append(report["id"])
        conn.executemany(insert, values)
        conn.executemany("INSERT INTO reports_rtree VALUES (?, ?, ?, ?, ?)", located)
        conn.executemany("INSERT INTO reports_fts (rowid, text, author) VALUES (?, ?, ?)", texts)
        _log(incident, log)
    return ids


def _current(incident: Incident, table: str, key: str, row_id: str) -> dict:
    cursor = incident.conn.execute(f"SELECT * FROM {table} WHERE id = ? AND deleted = 0", (row_id,))
    row = cursor.fetchone()
    if row is None:
        raise GspaceError(f"no {table[:-1]} with id {row_id}")
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def update_report(incident: Incident, report_id: str, **changes: Any) -> dict:
    """Change some fields of a report; returns the fields that really changed."""
    if "status" in changes and changes["status"] not in REPORT_STATUSES:
        raise GspaceError(f"unknown status {changes['status']!r}; use one of "
                          + ", ".join(REPORT_STATUSES))
    old = _current(incident, "reports", "rid", report_id)
    changed = {k: _json_cell(k, v) for k, v in changes.items() if _json_cell(k, v) != old[k]}
    if "observed_at" in changed:
        changed["observed_ts"] = _timestamp(changed["observed_at"])
    if not changed:
        return {}
    hlc, conn, rid = incident.clock.now(), incident.conn, old["rid"]
    assignments = ", ".join(f"{k} = ?" for k in changed)
    conn.execute(f"UPDATE reports SET {assignments}, hlc = ?, origin = ? WHERE rid = ?",
                 (*changed.values(), hlc, incident.device_id, rid))
    if {"lon", "lat"} & changed.keys():
        conn.execute("DELETE FROM reports_rtree WHERE rid = ?", (rid,))
        lon, lat = changed.get("lon", old["lon"]), changed.get("lat", old["lat"])
        if lon is not None and lat is not None:
            conn.execute("INSERT INTO reports_rtree VALUES (?, ?, ?, ?, ?)",
                         (rid, lon, lon, lat, lat))
    if {"text", "author"} & changed.keys():
        _fts_replace(incident, old, {**old, **changed})
    _log(incident, [(hlc, "reports", report_id, "update", changed)])
    return changed


def _fts_replace(incident: Incident, old: dict, new: dict | None) -> None:
    incident.conn.execute(
        "INSERT INTO reports_fts (reports_fts, rowid, text, author) VALUES ('delete', ?, ?, ?)",
        (old["rid"], old["text"], old["author"]),
    )
    if new is not None:
        incident.conn.execute("INSERT INTO reports_fts (rowid, text, author) VALUES (?, ?, ?)",
                              (new["rid"], new["text"], new["author"]))


def delete_report(incident: Incident, report_id: str) -> None:
    """Tombstone a report: the row stays (so the deletion can sync), the indexes forget it."""
    old = _current(incident, "reports", "rid", report_id)
    hlc = incident.clock.now()
    incident.conn.execute("UPDATE reports SET deleted = 1, hlc = ?, origin = ? WHERE rid = ?",
                          (hlc, incident.device_id, old["rid"]))
    incident.conn.execute("DELETE FROM reports_rtree WHERE rid = ?", (old["rid"],))
    _fts_replace(incident, old, None)
    _log(incident, [(hlc, "reports", report_id, "delete", {})])


def add_layer(incident: Incident, kind: str, name: str, source: str) -> str:
    layer = {"id": str(uuid.uuid4()), "kind": kind, "name": name, "source": source,
             "imported_at": incident.now()}
    hlc = incident.clock.now()
    incident.db["layers"].insert({**layer, "hlc": hlc, "origin": incident.device_id})
    _log(incident, [(hlc, "layers", layer["id"], "insert", layer)])
    return layer["id"]


def add_features(incident: Incident, layer_id: str, kind: str, rows: Iterable[dict]) -> list[str]:
    """Insert reference-layer features; `geometry` is a GeoJSON geometry dict or None."""
    conn, ids = incident.conn, []
    columns = ("fid", *FEATURE_COLUMNS, "hlc", "origin")
    insert = f"INSERT INTO features ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    for batch in _batches(rows):
        fid = _next_key(incident, "features", "fid")
        values, boxes, log = [], [], []
        for offset, row in enumerate(batch):
            feature = {c: row.get(c) for c in FEATURE_COLUMNS}
            feature["id"] = feature["id"] or str(uuid.uuid4())
            feature["layer_id"], feature["kind"] = layer_id, kind
            box = _bbox(feature["geometry"])
            if box and feature["lon"] is None:
                feature["lon"], feature["lat"] = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            feature["attributes"] = _json_cell("attributes", feature["attributes"] or {})
            feature["geometry"] = _json_cell("geometry", feature["geometry"])
            hlc = incident.clock.now()
            values.append((fid + offset, *feature.values(), hlc, incident.device_id))
            if box:
                boxes.append((fid + offset, box[0], box[2], box[1], box[3]))
            log.append((hlc, "features", feature["id"], "insert", feature))
            ids.append(feature["id"])
        conn.executemany(insert, values)
        conn.executemany("INSERT INTO features_rtree VALUES (?, ?, ?, ?, ?)", boxes)
        _log(incident, log)
    return ids


def update_feature(incident: Incident, feature_id: str, **changes: Any) -> dict:
    old = _current(incident, "features", "fid", feature_id)
    changed = {k: _json_cell(k, v) for k, v in changes.items() if _json_cell(k, v) != old[k]}
    if not changed:
        return {}
    hlc = incident.clock.now()
    assignments = ", ".join(f"{k} = ?" for k in changed)
    incident.conn.execute(f"UPDATE features SET {assignments}, hlc = ?, origin = ? WHERE fid = ?",
                          (*changed.values(), hlc, incident.device_id, old["fid"]))
    _log(incident, [(hlc, "features", feature_id, "update", changed)])
    return changed


def add_media(incident: Incident, row: dict) -> bool:
    """Insert a media row unless its hash is known; True when it was new."""
    if incident.db["media"].count_where("sha256 = ?", [row["sha256"]]):
        return False
    hlc = incident.clock.now()
    incident.db["media"].insert({**row, "hlc": hlc, "origin": incident.device_id})
    logged = {k: v for k, v in row.items() if k != "thumbnail"}
    _log(incident, [(hlc, "media", row["sha256"], "insert", logged)])
    return True


def _bbox(geometry: dict | None) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a GeoJSON geometry."""
    if not geometry:
        return None
    xs, ys = [], []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                walk(c)

    walk(geometry.get("coordinates") or [])
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None
