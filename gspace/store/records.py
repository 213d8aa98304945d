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
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import count, islice
from typing import Any

import orjson

from gspace.errors import GspaceError
from gspace.model import REPORT_STATUSES
from gspace.store.incident import Incident
from gspace.sync import rows as _rows
from gspace.sync.fields import COLUMNS as SYNC_COLUMNS
from gspace.sync.fields import KEY, fields_to_columns, split_update
from gspace.sync.rows import bbox as _bbox
from gspace.sync.rows import municipality_codes

__all__ = ["municipality_codes"]

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
FEATURE_COLUMNS = ("id", *SYNC_COLUMNS["features"])  # every column of a feature travels
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


# Ids of posts and photos are derived from what they are, so that the same post or photo
# imported on two laptops is one report once they merge (SYNC_DESIGN.md).
_NAMESPACE = uuid.UUID("5f0c3a52-8e4b-4d55-9a8e-6d2a3c1b7e90")


def post_id(source: str, observed_at: str | None = None) -> str:
    """The report id of a post, from its source (normalised URL or platform:id). Laid out as
    new_ids are (the post's own time in the first 48 bits when it has one), so that a large
    import still fills the id index at its end; the other bits are a hash of the source."""
    digest = uuid.uuid5(_NAMESPACE, f"post:{source}").hex
    ms = None
    if observed_at:
        try:
            ms = int(datetime.fromisoformat(observed_at).timestamp() * 1000)
        except (ValueError, OverflowError):
            ms = None
    head = f"{ms:012x}"[-12:] if ms is not None and ms >= 0 else digest[:12]
    tail = digest[12:]
    variant = "89ab"[int(tail[4], 16) & 3]
    return f"{head[:8]}-{head[8:12]}-8{tail[1:4]}-{variant}{tail[5:8]}-{tail[8:20]}"


def photo_id(sha256: str) -> str:
    """The report id of a photo, from its SHA-256."""
    return str(uuid.uuid5(_NAMESPACE, f"photo:{sha256}"))


def new_id() -> str:
    return new_ids(1)[0]


def batches(rows: Iterable[dict], size: int = BATCH) -> Iterator[list[dict]]:
    """`rows` in lists of `size`, read lazily: a stream never sits in memory whole."""
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _timestamp(iso: str | None) -> float | None:
    return datetime.fromisoformat(iso).timestamp() if iso else None


def _log(incident: Incident, entries: list[tuple]) -> None:
    """entries: (hlc, table, row id, op, data, prior[, base]); dicts or None."""
    _rows.log(incident, [(*e, None) if len(e) == 6 else e for e in entries])


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
    oseqs = _rows.next_oseqs(conn, device, len(prepared))
    conn.executemany(
        _rows.CHANGE_INSERT,
        [
            (hlc, device, n, "reports", cells[_ID], "insert", None, None, None, actor)
            for cells, hlc, n in zip(prepared, stamps, oseqs, strict=True)
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
    row = _rows.fetch(incident.conn, table, row_id)
    if row is None or row["deleted"]:
        raise GspaceError(f"no {table[:-1]} with id {row_id}")
    return row


def _plan(table: str, old: dict, explicit: dict, changes: dict, stamp: str | None):
    """(fields, stored columns) that writing `changes` over the stored row `old` changes; with
    an explicit `stamp`, fields whose explicit clock is newer than it are left out."""
    changed = _changed_fields(old, changes)
    if table == "features" and "geometry" in changed:
        box = _bbox(changes["geometry"])
        if box:
            changed["lon"], changed["lat"] = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            changed = {k: v for k, v in changed.items() if v != old[k]}
    # the values as given (objects not decoded again from what _changed_fields encoded)
    written = {
        k: changes[k] if k in _JSON_COLUMNS and k in changes else v for k, v in changed.items()
    }
    fields, _ = split_update(table, written, {k: old[k] for k in changed})
    if stamp is not None:
        # any write after the insert beats it (sync/merge.py ranks them so), whatever its stamp:
        # a snapshot older than the import of the shelter list still fills its fields
        kept = {f: v for f, v in fields.items() if f not in explicit or explicit[f][0] <= stamp}
        if len(kept) < len(fields):
            fields, changed = kept, fields_to_columns(table, kept, old)
    return fields, changed


def _update(incident: Incident, table: str, row_id: str, changes: dict, stamp: str | None):
    """Write some columns of a row as one change; returns (previous, written) column values
    of what really changed. Per field, the entry keeps the clock it was based on; with an
    explicit `stamp` (a machine's snapshot) it has no base and fields written later stay."""
    old = _current(incident, table, row_id)
    explicit = _rows.clocks(incident.conn, table, row_id)
    if stamp is not None:
        incident.clock.observe(stamp)
    fields, changed = _plan(table, old, explicit, changes, stamp)
    if not changed or not fields:
        return {}, {}
    previous = {k: old[k] for k in changed}
    insert = (old["hlc"], old["origin"])
    base = None if stamp is not None else _rows.base_of(explicit, insert, fields)
    hlc = stamp or incident.clock.now()
    _rows.write_columns(incident.conn, table, dict(old), changed)
    _rows.set_clocks(incident.conn, table, row_id, fields, (hlc, incident.device_id))
    _log(incident, [(hlc, table, row_id, "update", changed, previous, base)])
    return previous, changed


def update_report(
    incident: Incident, report_id: str, stamp: str | None = None, **changes: Any
) -> dict:
    """Change some fields of a report; returns the previous values (as stored) of the fields
    that really changed: writing those back undoes the change. With `stamp` (the time of a
    machine's snapshot, an HLC stamp) the change has no base and fields changed later are
    left alone."""
    if "status" in changes and changes["status"] not in REPORT_STATUSES:
        raise GspaceError(
            f"unknown status {changes['status']!r}; use one of " + ", ".join(REPORT_STATUSES)
        )
    previous, _ = _update(incident, "reports", report_id, changes, stamp)
    return previous


def count_reposts(incident: Incident, report_ids: Iterable[str]) -> None:
    """Set `properties.reposts` of some reports to the number of their reposts rows. The count
    is derived on each device, never a change: two laptops that each attach a repost would
    otherwise overwrite each other's count when they merge."""
    conn = incident.conn
    for report_id in report_ids:
        row = conn.execute("SELECT properties FROM reports WHERE id = ?", (report_id,)).fetchone()
        if row is None:
            continue
        properties = orjson.loads(row[0]) if row[0] else {}
        [count] = conn.execute(
            "SELECT count(*) FROM reposts WHERE report_id = ? AND deleted = 0", (report_id,)
        ).fetchone()
        if count:
            properties["reposts"] = count
        else:
            properties.pop("reposts", None)
        conn.execute(
            "UPDATE reports SET properties = ? WHERE id = ?", (_dumps(properties), report_id)
        )


def _tombstone(incident: Incident, table: str, row_id: str, deleted: int) -> None:
    row = _rows.fetch(incident.conn, table, row_id)
    if row is None or bool(row["deleted"]) == bool(deleted):
        what = "deleted " if not deleted else ""
        raise GspaceError(f"no {what}{table[:-1]} with id {row_id}")
    explicit = _rows.clocks(incident.conn, table, row_id)
    insert = (row["hlc"], row["origin"])
    base = {f: list(c) for f, c in explicit.items()}
    base["deleted"] = list(explicit.get("deleted", insert))
    hlc = incident.clock.now()
    _rows.set_deleted(incident.conn, table, row, deleted)
    _rows.set_clocks(incident.conn, table, row_id, ["deleted"], (hlc, incident.device_id))
    op = "delete" if deleted else "restore"
    _log(incident, [(hlc, table, row_id, op, {}, {"deleted": 1 - deleted}, base)])


def delete_report(incident: Incident, report_id: str) -> None:
    """Tombstone a report: the row stays (so the deletion can sync), the indexes forget it."""
    _tombstone(incident, "reports", report_id, 1)


def delete_feature(incident: Incident, feature_id: str) -> None:
    _tombstone(incident, "features", feature_id, 1)


def delete_layer(incident: Incident, layer_id: str) -> None:
    """Tombstone a layer; its features are hidden with it (query.features)."""
    _tombstone(incident, "layers", layer_id, 1)


def restore(incident: Incident, table: str, row_id: str) -> None:
    """Bring a deleted report, feature or layer back (a new change that syncs)."""
    if table not in ("reports", "features", "layers"):
        raise GspaceError(f"{table} rows cannot be restored")
    _tombstone(incident, table, row_id, 0)


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


def update_feature(
    incident: Incident, feature_id: str, stamp: str | None = None, **changes: Any
) -> dict:
    """Change some fields of a feature; a new geometry moves its point and R*Tree entry too.
    Returns what it changed (with `stamp`, see update_report, fields changed later stay)."""
    _, changed = _update(incident, "features", feature_id, changes, stamp)
    return changed


def update_features(incident: Incident, writes: Iterable[tuple[str, str, dict]]) -> list[dict]:
    """Stamped writes of many features, (feature id, stamp, changes) each: what
    `update_feature(incident, id, stamp=stamp, **changes)` does for each in turn (one change
    entry per row that changes, its field clocks), with one read of the rows, one of their
    clocks and one statement per table for each batch. Status feeds write thousands of
    shelters at once, and row-at-a-time statements were two thirds of their import. Returns
    what each write changed. Call in a transaction."""
    done: list[dict] = []
    for batch in batches(writes):
        ids = [row_id for row_id, _, _ in batch]
        if len(set(ids)) < len(ids):  # a row written twice: the second write reads the first
            done += [_update(incident, "features", r, c, s)[1] for r, s, c in batch]
        else:
            done += _update_stamped(incident, "features", batch)
    return done


_MOVES = {"geometry", "lon", "lat"}  # columns whose write also moves R*Tree entries


def _update_stamped(incident: Incident, table: str, batch: list[tuple[str, str, dict]]):
    conn, device = incident.conn, incident.device_id
    ids = [row_id for row_id, _, _ in batch]
    # only the columns written (a status feed's shelters: not their geometry), unless a write
    # moves a row: its index entries need the whole row
    needed = {KEY[table], "deleted"}.union(*(changes for _, _, changes in batch))
    columns = None if _MOVES & needed else sorted(needed)
    stored = _rows.fetch_many(conn, table, ids, columns)
    explicit = _rows.clocks_of(conn, table, ids)
    done: list[dict] = []
    log, clocks, grouped = [], [], defaultdict(list)
    for row_id, stamp, changes in batch:
        old = stored.get(row_id)
        if old is None or old["deleted"]:
            raise GspaceError(f"no {table[:-1]} with id {row_id}")
        incident.clock.observe(stamp)
        fields, changed = _plan(table, old, explicit.get(row_id, {}), changes, stamp)
        if not changed or not fields:
            done.append({})
            continue
        if _MOVES & changed.keys():
            _rows.write_columns(conn, table, dict(old), changed)
        else:
            grouped[tuple(changed)].append((*changed.values(), row_id))
        clocks += [(table, row_id, f, stamp, device) for f in fields]
        log.append((stamp, table, row_id, "update", changed, {k: old[k] for k in changed}, None))
        done.append(changed)
    for names, values in grouped.items():
        assignments = ", ".join(f"{name} = ?" for name in names)
        conn.executemany(f"UPDATE {table} SET {assignments} WHERE id = ?", values)
    conn.executemany("INSERT OR REPLACE INTO field_clocks VALUES (?, ?, ?, ?, ?)", clocks)
    _log(incident, log)
    return done


def add_media(incident: Incident, row: dict) -> bool:
    """Insert a media row unless its hash is known; True when it was new."""
    if incident.db["media"].count_where("sha256 = ?", [row["sha256"]]):
        return False
    hlc = incident.clock.now()
    incident.db["media"].insert({**row, "hlc": hlc, "origin": incident.device_id})
    logged = {k: v for k, v in row.items() if k != "thumbnail"}
    _log(incident, [(hlc, "media", row["sha256"], "insert", logged, None)])
    return True
