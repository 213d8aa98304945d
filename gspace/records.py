"""Writing syncable rows.

Every insert, update and tombstone of a report, feature, layer or media row also writes its
R*Tree / FTS5 entries and a change-log entry, inside the caller's transaction
(`Incident.transaction()`), so a row never exists without its index entries or its change.
Bulk inserts fill each table with one `executemany` per batch: this is the hot path of every
import, and per-row triggers would make it several times slower.

The insert entry of a report or feature (the tables imports fill by the hundred thousand) holds
no copy of the row: the row itself has what was written, and every update entry keeps the
values it replaced (`prior`), so the row as first written can always be rebuilt. Copying each
row into the log doubled the store's size and most of an import's writing.

The municipality of a located report or feature (`muni_code`, municipalities.py) is derived
from its position here, on every insert and move, on each device: it is not a change of the
row and is never in the change log.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import count, islice
from typing import Any

import orjson

from gspace.errors import GspaceError
from gspace.incident import Incident
from gspace.model import REPORT_STATUSES
from gspace.municipalities import codes_at

BATCH = 5000

REPORT_COLUMNS = (
    "id",
    "kind",
    "lon",
    "lat",
    "location_source",
    "accuracy_m",
    "observed_at",
    "observed_ts",
    "received_at",
    "author",
    "text",
    "category",
    "severity",
    "status",
    "source",
    "media",
    "properties",
    "digest",
)
FEATURE_COLUMNS = (
    "id",
    "layer_id",
    "kind",
    "name",
    "address",
    "geometry",
    "lon",
    "lat",
    "status",
    "note",
    "attributes",
    "source",
)
_JSON_COLUMNS = {"media", "properties", "attributes", "geometry", "exif"}


def _dumps(value: Any) -> str:
    # orjson: the change log encodes every written row, which makes JSON a hot path of imports
    return orjson.dumps(value).decode()


def _json_cell(column: str, value: Any) -> Any:
    if column in _JSON_COLUMNS and value is not None and not isinstance(value, str):
        return _dumps(value)
    return value


def new_ids(count: int) -> list[str]:
    """Time-ordered UUIDs (the RFC 9562 version 7 layout: milliseconds, then random bits).

    Ids of rows written together sort together, so the unique index on `id` grows at its end
    instead of being rewritten at random places: bulk imports stay fast as the store grows.
    """
    ms = f"{time.time_ns() // 1_000_000:012x}"
    prefix = f"{ms[:8]}-{ms[8:12]}-7"
    random = os.urandom(10 * count).hex()
    ids = []
    for n in range(0, 20 * count, 20):
        r = random[n : n + 20]
        ids.append(f"{prefix}{r[:3]}-{'89ab'[int(r[3], 16) & 3]}{r[4:7]}-{r[7:19]}")
    return ids


def new_id() -> str:
    return new_ids(1)[0]


def batches(rows: Iterable[dict], size: int = BATCH) -> Iterator[list[dict]]:
    """`rows` in lists of `size`, read lazily: a stream never sits in memory whole."""
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _timestamp(iso: str | None) -> float | None:
    return datetime.fromisoformat(iso).timestamp() if iso else None


_CHANGE_INSERT = (
    "INSERT INTO changes (hlc, origin, tbl, row_id, op, data, prior, actor) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def _log(incident: Incident, entries: list[tuple]) -> None:
    """entries: (hlc, table, row id, op, data, prior); data and prior are dicts or None."""
    incident.conn.executemany(
        _CHANGE_INSERT,
        [
            (h, incident.device_id, t, r, op, _json_or_none(d), _json_or_none(p), incident.actor)
            for h, t, r, op, d, p in entries
        ],
    )


def _json_or_none(value: dict | None) -> str | None:
    return None if value is None else _dumps(value)


def _next_key(incident: Incident, table: str, key: str) -> int:
    return incident.conn.execute(f"SELECT coalesce(max({key}), 0) + 1 FROM {table}").fetchone()[0]


_MEDIA, _PROPERTIES = REPORT_COLUMNS.index("media"), REPORT_COLUMNS.index("properties")
_REPORT_INSERT = (
    f"INSERT INTO reports (rid, {', '.join(REPORT_COLUMNS)}, muni_code, hlc, origin) "
    f"VALUES ({', '.join('?' * (len(REPORT_COLUMNS) + 4))})"
)


_ID, _STATUS, _RECEIVED, _OBSERVED, _OBSERVED_TS, _LON, _LAT, _SOURCE = (
    REPORT_COLUMNS.index(c)
    for c in (
        "id",
        "status",
        "received_at",
        "observed_at",
        "observed_ts",
        "lon",
        "lat",
        "location_source",
    )
)


def municipality_codes(points: list[tuple[float | None, float | None]]) -> list[str | None]:
    """The municipality code of each (lon, lat), None where there is no position: one
    point-in-polygon search for the whole batch (the boundaries load only when one is located)."""
    located = [n for n, (lon, lat) in enumerate(points) if lon is not None and lat is not None]
    codes: list[str | None] = [None] * len(points)
    if located:
        found = codes_at([points[n][0] for n in located], [points[n][1] for n in located])
        for n, code in zip(located, found, strict=True):
            codes[n] = code
    return codes


def prepare_reports(rows: Iterable[dict], received_at: str) -> list[tuple]:
    """The per-row work of inserting reports, which needs no store: defaults, a new id and JSON
    cells, as a tuple in REPORT_COLUMNS order. Import workers call it in their own processes."""
    rows = list(rows)
    fresh = iter(new_ids(sum(1 for row in rows if not row.get("id"))))
    prepared = []
    for row in rows:
        cells = list(map(row.get, REPORT_COLUMNS))
        cells[_ID] = cells[_ID] or next(fresh)
        cells[_STATUS] = cells[_STATUS] or "new"
        cells[_RECEIVED] = cells[_RECEIVED] or received_at
        cells[_OBSERVED_TS] = _timestamp(cells[_OBSERVED])
        if cells[_SOURCE] is None:
            cells[_SOURCE] = "none" if cells[_LON] is None else "manual"
        cells[_MEDIA] = _json_cell("media", cells[_MEDIA]) if cells[_MEDIA] else "[]"
        cells[_PROPERTIES] = _json_cell("properties", cells[_PROPERTIES] or {})
        prepared.append(tuple(cells))
    return prepared


def insert_prepared(incident: Incident, prepared: list[tuple]) -> int:
    """Write prepared reports, their R*Tree and FTS5 entries and change-log entries. Call in a
    transaction. The index entries are filled by one INSERT ... SELECT per batch from the rows
    just written, without a round trip through Python per row. Returns the row key (`rid`)
    of the first; the others follow it."""
    if not prepared:
        return 0
    conn, device, actor = incident.conn, incident.device_id, incident.actor
    start = _next_key(incident, "reports", "rid")
    stamps = incident.clock.stamps(len(prepared))
    codes = municipality_codes([(cells[_LON], cells[_LAT]) for cells in prepared])
    conn.executemany(
        _REPORT_INSERT,
        [
            (key, *cells, code, hlc, device)
            for key, cells, code, hlc in zip(count(start), prepared, codes, stamps)
        ],
    )
    last = start + len(prepared) - 1
    conn.execute(
        "INSERT INTO reports_rtree SELECT rid, lon, lon, lat, lat FROM reports "
        "WHERE rid BETWEEN ? AND ? AND lon IS NOT NULL",
        (start, last),
    )
    conn.execute(
        "INSERT INTO reports_fts (rowid, text, author) SELECT rid, text, author "
        "FROM reports WHERE rid BETWEEN ? AND ?",
        (start, last),
    )
    conn.executemany(
        _CHANGE_INSERT,
        [
            (hlc, device, "reports", cells[_ID], "insert", None, None, actor)
            for cells, hlc in zip(prepared, stamps, strict=True)
        ],
    )
    return start


def add_reports(incident: Incident, rows: Iterable[dict]) -> list[str]:
    """Insert reports (dicts with REPORT_COLUMNS keys); returns their ids. Call in a
    transaction."""
    ids = []
    for batch in batches(rows):
        prepared = prepare_reports(batch, incident.now())
        insert_prepared(incident, prepared)
        ids += [cells[_ID] for cells in prepared]
    return ids


REPOST_COLUMNS = ("source", "report_id", "via", "author", "observed_at")


def add_reposts(incident: Incident, rows: list[dict]) -> None:
    """Attach reposts / copies (dicts with REPOST_COLUMNS keys) to their reports."""
    log, values = [], []
    for row, hlc in zip(rows, incident.clock.stamps(len(rows)), strict=True):
        cells = tuple(row.get(c) for c in REPOST_COLUMNS)
        values.append((*cells, hlc, incident.device_id))
        log.append(
            (
                hlc,
                "reposts",
                row["source"],
                "insert",
                dict(zip(REPOST_COLUMNS, cells, strict=True)),
                None,
            )
        )
    incident.conn.executemany(
        f"INSERT INTO reposts ({', '.join(REPOST_COLUMNS)}, hlc, origin) VALUES "
        f"({', '.join('?' * (len(REPOST_COLUMNS) + 2))})",
        values,
    )
    _log(incident, log)


def _changed_fields(old: dict, changes: dict) -> dict:
    """The changes that differ from the stored row, JSON columns encoded as stored."""
    encoded = {k: _json_cell(k, v) for k, v in changes.items()}
    return {k: v for k, v in encoded.items() if v != old[k]}


def _current(incident: Incident, table: str, row_id: str) -> dict:
    cursor = incident.conn.execute(f"SELECT * FROM {table} WHERE id = ? AND deleted = 0", (row_id,))
    row = cursor.fetchone()
    if row is None:
        raise GspaceError(f"no {table[:-1]} with id {row_id}")
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def update_report(incident: Incident, report_id: str, **changes: Any) -> dict:
    """Change some fields of a report; returns the previous values (as stored) of the fields
    that really changed: writing those back undoes the change."""
    if "status" in changes and changes["status"] not in REPORT_STATUSES:
        raise GspaceError(
            f"unknown status {changes['status']!r}; use one of " + ", ".join(REPORT_STATUSES)
        )
    old = _current(incident, "reports", report_id)
    changed = _changed_fields(old, changes)
    if not changed:
        return {}
    previous = {k: old[k] for k in changed}
    if "observed_at" in changed:
        changed["observed_ts"] = _timestamp(changed["observed_at"])
    hlc, conn, rid = incident.clock.now(), incident.conn, old["rid"]
    assignments = ", ".join(f"{k} = ?" for k in changed)
    conn.execute(
        f"UPDATE reports SET {assignments}, hlc = ?, origin = ? WHERE rid = ?",
        (*changed.values(), hlc, incident.device_id, rid),
    )
    _relocate(incident, "reports", "rid", old, changed)
    if {"lon", "lat"} & changed.keys():
        conn.execute("DELETE FROM reports_rtree WHERE rid = ?", (rid,))
        lon, lat = changed.get("lon", old["lon"]), changed.get("lat", old["lat"])
        if lon is not None and lat is not None:
            conn.execute(
                "INSERT INTO reports_rtree VALUES (?, ?, ?, ?, ?)", (rid, lon, lon, lat, lat)
            )
    if {"text", "author"} & changed.keys():
        _fts_replace(incident, old, {**old, **changed})
    _log(incident, [(hlc, "reports", report_id, "update", changed, previous)])
    return previous


def _relocate(incident: Incident, table: str, key: str, old: dict, changed: dict) -> None:
    """A moved row's municipality, derived again (not a change: it stays out of the log)."""
    if {"lon", "lat"} & changed.keys():
        lon, lat = changed.get("lon", old["lon"]), changed.get("lat", old["lat"])
        [code] = municipality_codes([(lon, lat)])
        incident.conn.execute(f"UPDATE {table} SET muni_code = ? WHERE {key} = ?", (code, old[key]))


def _fts_replace(incident: Incident, old: dict, new: dict | None) -> None:
    incident.conn.execute(
        "INSERT INTO reports_fts (reports_fts, rowid, text, author) VALUES ('delete', ?, ?, ?)",
        (old["rid"], old["text"], old["author"]),
    )
    if new is not None:
        incident.conn.execute(
            "INSERT INTO reports_fts (rowid, text, author) VALUES (?, ?, ?)",
            (new["rid"], new["text"], new["author"]),
        )


def delete_report(incident: Incident, report_id: str) -> None:
    """Tombstone a report: the row stays (so the deletion can sync), the indexes forget it."""
    old = _current(incident, "reports", report_id)
    hlc = incident.clock.now()
    incident.conn.execute(
        "UPDATE reports SET deleted = 1, hlc = ?, origin = ? WHERE rid = ?",
        (hlc, incident.device_id, old["rid"]),
    )
    incident.conn.execute("DELETE FROM reports_rtree WHERE rid = ?", (old["rid"],))
    _fts_replace(incident, old, None)
    _log(incident, [(hlc, "reports", report_id, "delete", {}, None)])


def add_layer(incident: Incident, kind: str, name: str, source: str) -> str:
    layer = {
        "id": new_id(),
        "kind": kind,
        "name": name,
        "source": source,
        "imported_at": incident.now(),
    }
    hlc = incident.clock.now()
    incident.db["layers"].insert({**layer, "hlc": hlc, "origin": incident.device_id})
    _log(incident, [(hlc, "layers", layer["id"], "insert", layer, None)])
    return layer["id"]


def add_features(incident: Incident, layer_id: str, kind: str, rows: Iterable[dict]) -> list[str]:
    """Insert reference-layer features; `geometry` is a GeoJSON geometry dict or None."""
    conn, ids = incident.conn, []
    columns = ("fid", *FEATURE_COLUMNS, "muni_code", "hlc", "origin")
    insert = f"INSERT INTO features ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    for batch in batches(rows):
        fid = _next_key(incident, "features", "fid")
        values, points, boxes, log = [], [], [], []
        fresh = iter(new_ids(sum(1 for row in batch if not row.get("id"))))
        stamps = incident.clock.stamps(len(batch))
        for offset, (row, hlc) in enumerate(zip(batch, stamps, strict=True)):
            feature = {c: row.get(c) for c in FEATURE_COLUMNS}
            feature["id"] = feature["id"] or next(fresh)
            feature["layer_id"], feature["kind"] = layer_id, kind
            box = _bbox(feature["geometry"])
            if box and feature["lon"] is None:
                feature["lon"], feature["lat"] = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            feature["attributes"] = feature["attributes"] or {}
            log.append((hlc, "features", feature["id"], "insert", None, None))
            feature["attributes"] = _json_cell("attributes", feature["attributes"])
            feature["geometry"] = _json_cell("geometry", feature["geometry"])
            values.append((fid + offset, *feature.values()))
            points.append((feature["lon"], feature["lat"]))
            if box:
                boxes.append((fid + offset, box[0], box[2], box[1], box[3]))
            ids.append(feature["id"])
        codes = municipality_codes(points)
        conn.executemany(
            insert,
            [
                (*value, code, hlc, incident.device_id)
                for value, code, hlc in zip(values, codes, stamps, strict=True)
            ],
        )
        conn.executemany("INSERT INTO features_rtree VALUES (?, ?, ?, ?, ?)", boxes)
        _log(incident, log)
    return ids


def update_feature(incident: Incident, feature_id: str, **changes: Any) -> dict:
    """Change some fields of a feature; a new geometry moves its point and R*Tree entry too."""
    old = _current(incident, "features", feature_id)
    changed = _changed_fields(old, changes)
    if not changed:
        return {}
    box = _bbox(changes["geometry"]) if "geometry" in changed else None
    if box:
        changed["lon"], changed["lat"] = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    previous = {k: old[k] for k in changed}
    hlc = incident.clock.now()
    assignments = ", ".join(f"{k} = ?" for k in changed)
    incident.conn.execute(
        f"UPDATE features SET {assignments}, hlc = ?, origin = ? WHERE fid = ?",
        (*changed.values(), hlc, incident.device_id, old["fid"]),
    )
    if box:
        incident.conn.execute("DELETE FROM features_rtree WHERE fid = ?", (old["fid"],))
        incident.conn.execute(
            "INSERT INTO features_rtree VALUES (?, ?, ?, ?, ?)",
            (old["fid"], box[0], box[2], box[1], box[3]),
        )
    _relocate(incident, "features", "fid", old, changed)
    _log(incident, [(hlc, "features", feature_id, "update", changed, previous)])
    return changed


def add_media(incident: Incident, row: dict) -> bool:
    """Insert a media row unless its hash is known; True when it was new."""
    if incident.db["media"].count_where("sha256 = ?", [row["sha256"]]):
        return False
    hlc = incident.clock.now()
    incident.db["media"].insert({**row, "hlc": hlc, "origin": incident.device_id})
    logged = {k: v for k, v in row.items() if k != "thumbnail"}
    _log(incident, [(hlc, "media", row["sha256"], "insert", logged, None)])
    return True


def _bbox(geometry: dict | None) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a GeoJSON geometry."""
    if not geometry:
        return None
    if geometry.get("type") == "Point":
        x, y = geometry["coordinates"][:2]
        return x, y, x, y
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
