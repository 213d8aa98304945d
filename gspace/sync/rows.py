"""Writing one synced row's fields with everything that goes with them, for local writes
(records.py) and received ones (merge.py) alike: the row's columns, the R*Tree / FTS5 entries
and municipality a move or a text edit changes, the fields' clocks, and change-log entries
numbered by their device (`oseq`).

A field's clock is the (stamp, origin) of its last write. Fields written only by the row's
insert have no `field_clocks` row: their clock is the row's own `hlc`/`origin` (the insert's).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import orjson

from gspace.municipalities import codes_at
from gspace.sync.fields import DELETED, KEY, ROW_KEY

Clock = tuple[str, str]  # (hlc, origin)

CHANGE_INSERT = (
    "INSERT INTO changes (hlc, origin, oseq, tbl, row_id, op, data, prior, base, actor) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@contextmanager
def paused_gc():
    """Python's cycle collector paused while thousands of rows or entries are made or
    applied: it would scan every new dict again and again (3 s of a 0.8 s parse of 100,000
    entries, a fifth of a 10,000-shelter status import); they hold no cycles, and the
    collector runs as usual afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def json_or_none(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def next_oseqs(conn, origin: str, count: int) -> range:
    """The next `count` sequence numbers of `origin`'s own entries."""
    last = conn.execute("SELECT max(oseq) FROM changes WHERE origin = ?", (origin,)).fetchone()[0]
    start = (last or 0) + 1
    return range(start, start + count)


def log(incident, entries: list[tuple]) -> None:
    """Local entries: (hlc, table, row id, op, data, prior, base); dicts or None."""
    if not entries:
        return
    oseqs = next_oseqs(incident.conn, incident.device_id, len(entries))
    incident.conn.executemany(
        CHANGE_INSERT,
        [
            (
                h,
                incident.device_id,
                n,
                t,
                r,
                op,
                json_or_none(d),
                json_or_none(p),
                json_or_none(b),
                incident.actor,
            )
            for (h, t, r, op, d, p, b), n in zip(entries, oseqs, strict=True)
        ],
    )


def clocks(conn, tbl: str, row_id: str) -> dict[str, Clock]:
    """The explicit field clocks of a row (fields written after its insert)."""
    return {
        f: (h, o)
        for f, h, o in conn.execute(
            "SELECT field, hlc, origin FROM field_clocks WHERE tbl = ? AND row_id = ?",
            (tbl, row_id),
        )
    }


def clocks_of(conn, tbl: str, row_ids: list[str]) -> dict[str, dict[str, Clock]]:
    """`clocks` of many rows with one query: row id -> its explicit field clocks."""
    out: dict[str, dict[str, Clock]] = {}
    for r, f, h, o in conn.execute(
        "SELECT row_id, field, hlc, origin FROM field_clocks WHERE tbl = ? AND row_id IN "
        "(SELECT value FROM json_each(?))",
        (tbl, orjson.dumps(row_ids).decode()),
    ):
        out.setdefault(r, {})[f] = (h, o)
    return out


def set_clocks(conn, tbl: str, row_id: str, fields: Iterable[str], clock: Clock) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO field_clocks VALUES (?, ?, ?, ?, ?)",
        [(tbl, row_id, f, *clock) for f in fields],
    )


def base_of(explicit: dict[str, Clock], insert: Clock, fields: Iterable[str]) -> dict:
    """The base of a write of `fields`: each field's current clock; with the row's tombstone
    clock when it was ever deleted or restored (so a later delete knows what came after)."""
    base = {f: list(explicit.get(f, insert)) for f in fields}
    if DELETED in explicit:
        base[DELETED] = list(explicit[DELETED])
    return base


def fetch(conn, tbl: str, row_id: str) -> dict | None:
    cursor = conn.execute(f"SELECT * FROM {tbl} WHERE {KEY[tbl]} = ?", (row_id,))
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def fetch_many(
    conn, tbl: str, row_ids: list[str], columns: list[str] | None = None
) -> dict[str, dict]:
    """`fetch` of many rows with one query: row id -> the row (absent ids are left out); only
    `columns` of it when given (they include the key)."""
    selected = ", ".join(columns) if columns else "*"
    cursor = conn.execute(
        f"SELECT {selected} FROM {tbl} WHERE {KEY[tbl]} IN (SELECT value FROM json_each(?))",
        (orjson.dumps(row_ids).decode(),),
    )
    names = [d[0] for d in cursor.description]
    key = names.index(KEY[tbl])
    return {row[key]: dict(zip(names, row, strict=True)) for row in cursor}


def write_columns(conn, tbl: str, old: dict, columns: dict) -> None:
    """Store new column values of a row, and keep its indexes and derived columns in step."""
    if not columns:
        return
    columns = dict(columns)
    if tbl == "reports" and "observed_at" in columns:
        iso = columns["observed_at"]
        columns["observed_ts"] = datetime.fromisoformat(iso).timestamp() if iso else None
    if tbl == "features" and "geometry" in columns:
        box = bbox(orjson.loads(columns["geometry"]) if columns["geometry"] else None)
        if box:
            columns["lon"], columns["lat"] = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    if tbl in ROW_KEY and {"lon", "lat"} & columns.keys():
        lon, lat = columns.get("lon", old["lon"]), columns.get("lat", old["lat"])
        [columns["muni_code"]] = municipality_codes([(lon, lat)])
    assignments = ", ".join(f"{k} = ?" for k in columns)
    key = KEY[tbl]
    conn.execute(f"UPDATE {tbl} SET {assignments} WHERE {key} = ?", (*columns.values(), old[key]))
    if not old.get("deleted"):
        new = {**old, **columns}
        _unindex(conn, tbl, old, columns.keys())
        _index(conn, tbl, new, columns.keys())
    old.update(columns)


def set_deleted(conn, tbl: str, row: dict, deleted: int) -> None:
    """Tombstone (1) or restore (0) a row: the row stays, the indexes forget or find it."""
    if bool(row.get("deleted")) == bool(deleted):
        return
    conn.execute(f"UPDATE {tbl} SET deleted = ? WHERE {KEY[tbl]} = ?", (deleted, row[KEY[tbl]]))
    if deleted:
        _unindex(conn, tbl, row, None)
    else:
        _index(conn, tbl, row, None)
    row["deleted"] = deleted


def _unindex(conn, tbl: str, row: dict, changed) -> None:
    if tbl == "reports":
        if changed is None or {"lon", "lat"} & changed:
            conn.execute("DELETE FROM reports_rtree WHERE rid = ?", (row["rid"],))
        if changed is None or {"text", "author"} & changed:
            conn.execute(
                "INSERT INTO reports_fts (reports_fts, rowid, text, author) "
                "VALUES ('delete', ?, ?, ?)",
                (row["rid"], row["text"], row["author"]),
            )
    elif tbl == "features" and (changed is None or {"geometry", "lon", "lat"} & changed):
        conn.execute("DELETE FROM features_rtree WHERE fid = ?", (row["fid"],))


def _index(conn, tbl: str, row: dict, changed) -> None:
    if tbl == "reports":
        if (changed is None or {"lon", "lat"} & changed) and row["lon"] is not None:
            if row["lat"] is not None:
                lon, lat = row["lon"], row["lat"]
                conn.execute(
                    "INSERT INTO reports_rtree VALUES (?, ?, ?, ?, ?)",
                    (row["rid"], lon, lon, lat, lat),
                )
        if changed is None or {"text", "author"} & changed:
            conn.execute(
                "INSERT INTO reports_fts (rowid, text, author) VALUES (?, ?, ?)",
                (row["rid"], row["text"], row["author"]),
            )
    elif tbl == "features" and (changed is None or {"geometry", "lon", "lat"} & changed):
        geometry = row["geometry"]
        box = bbox(orjson.loads(geometry) if isinstance(geometry, str) else geometry)
        if box:
            conn.execute(
                "INSERT INTO features_rtree VALUES (?, ?, ?, ?, ?)",
                (row["fid"], box[0], box[2], box[1], box[3]),
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


def bbox(geometry: dict | None) -> tuple[float, float, float, float] | None:
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
