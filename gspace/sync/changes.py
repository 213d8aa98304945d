"""Reading the change log as entries to send: every origin's (a laptop relays what it received),
in local order, each complete.

An entry is a plain JSON-serialisable dict (SYNC_DESIGN.md): identified by (origin, oseq), with
its stamp, table, row, op, data (the whole row for an insert, the fields written for an update),
the clocks its fields were based on (`base`), who made it and the writer's schema version.

The log holds entries in the spellings of every gspace since schema 1. An insert of a report or
feature written since schema 5 holds no copy of the row: it is rebuilt as first written from the
row's current values and, for each field written since, the value the first such write replaced
(`prior`). Older inserts hold the row; older updates hold whole JSON columns as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING

import orjson

from gspace.store.schema import SCHEMA_VERSION
from gspace.sync.fields import (
    COLUMNS,
    DERIVED,
    JSON,
    KEY,
    KEYED,
    column_of,
    loads,
    split_update,
)

if TYPE_CHECKING:  # the bundle's entries process reads the log without the incident's modules
    import sqlite3

    from gspace.store.incident import Incident

_CHUNK = 2000
_SELECT = (
    "SELECT seq, hlc, origin, oseq, tbl, row_id, op, data, prior, base, actor FROM changes "
    "WHERE seq > ? ORDER BY seq"
)


def last_seq(incident: Incident) -> int:
    """The local sequence number of the newest entry (0 for an empty log)."""
    return incident.conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]


def outgoing(
    incident: Incident, after_seq: int = 0, limit: int | None = None
) -> Iterator[tuple[int, dict]]:
    """(local seq, entry) of every entry after `after_seq`, in local order, at most `limit`."""
    return entries_after(incident.conn, after_seq, limit)


def entries_after(
    conn: sqlite3.Connection, after_seq: int = 0, limit: int | None = None
) -> Iterator[tuple[int, dict]]:
    """outgoing() on a connection to a store."""
    cursor = conn.execute(_SELECT, (after_seq,))
    left = limit
    while left is None or left > 0:
        size = _CHUNK if left is None else min(_CHUNK, left)
        rows = cursor.fetchmany(size)
        if not rows:
            return
        if left is not None:
            left -= len(rows)
        lean = {}
        for r in rows:
            if r[6] == "insert" and r[7] is None and r[4] in KEY:
                lean.setdefault(r[4], []).append(r[5])
        built = {
            (tbl, row_id): data
            for tbl, ids in lean.items()
            for row_id, data in rebuild_inserts(conn, tbl, ids).items()
        }
        for r in rows:
            yield r[0], entry_of(r, built.get((r[4], r[5])))


def entry_of(row: tuple, rebuilt: dict | None = None) -> dict:
    """The wire entry of a changes row (columns as in _SELECT)."""
    _, hlc, origin, oseq, tbl, row_id, op, data, prior, base, actor = row
    data, prior = _load(data), _load(prior)
    if op == "insert":
        wire = rebuilt if data is None else insert_fields(tbl, data)
    elif op in ("delete", "restore"):
        wire = {}
    else:
        wire, _ = split_update(tbl, data, prior)
        if isinstance(data, dict) and "_settle" in data:
            wire["_settle"] = data["_settle"]
    return {
        "origin": origin,
        "oseq": oseq,
        "hlc": hlc,
        "tbl": tbl,
        "row_id": row_id,
        "op": op,
        # a rebuilt insert has no derived key already (it is most of a first bundle)
        "data": wire if wire is rebuilt and wire is not None else _without_derived(wire),
        "base": _load(base),
        "actor": actor or "",
        "schema": SCHEMA_VERSION,
    }


def _without_derived(wire: dict | None) -> dict:
    return {k: v for k, v in (wire or {}).items() if k not in DERIVED}


def insert_fields(tbl: str, data: dict) -> dict:
    """An insert's data on the wire: every column of the table, JSON as values, derived keys
    out (old logs stored JSON columns as text)."""
    out = {}
    for column in COLUMNS.get(tbl, ()):
        if column in data:
            value = data[column]
            if column in KEYED:
                value = {
                    k: v for k, v in (loads(value) or {}).items() if f"{column}.{k}" not in DERIVED
                }
            elif column in JSON:
                value = loads(value)
            out[column] = value
    return out


def rebuild_inserts(conn, tbl: str, row_ids: list[str]) -> dict[str, dict]:
    """The rows `row_ids` as their inserts wrote them: current values, with the value each
    field had before its first later write put back. (insert_fields of each row, with the
    columns it needs selected and decoded by position: this runs for every report a first
    bundle carries.)"""
    key, found = KEY[tbl], {}
    columns = COLUMNS[tbl]
    keyed = [(n, {k.split(".", 1)[1] for k in DERIVED if column_of(k) == c})
             for n, c in enumerate(columns) if c in KEYED]  # fmt: skip
    plain = [n for n, c in enumerate(columns) if c in JSON]
    select = f"SELECT {key}, {', '.join(columns)} FROM {tbl} WHERE {key} IN "
    it = iter(row_ids)
    while part := list(islice(it, 500)):
        marks = ", ".join("?" * len(part))
        for row_id, *values in conn.execute(select + f"({marks})", part):
            for n in plain:
                values[n] = loads(values[n])
            for n, derived in keyed:
                obj = loads(values[n]) or {}
                for k in derived & obj.keys():
                    del obj[k]
                values[n] = obj
            found[row_id] = dict(zip(columns, values, strict=True))
        # only rows written since their insert have a field clock: the others are as inserted
        written = [
            r
            for (r,) in conn.execute(
                f"SELECT DISTINCT row_id FROM field_clocks WHERE tbl = ? AND row_id IN ({marks})",
                [tbl, *part],
            )
        ]
        if not written:
            continue
        touched = conn.execute(
            "SELECT row_id, op, data, prior FROM changes WHERE tbl = ? AND row_id IN "
            f"({', '.join('?' * len(written))}) AND op NOT IN ('insert', 'delete', 'restore') "
            "ORDER BY seq DESC",
            [tbl, *written],
        )
        for row_id, _, data, prior in touched:  # newest first: the first write's prior wins
            if row_id not in found:
                continue
            _, old = split_update(tbl, _load(data), _load(prior))
            for field, value in old.items():
                _put(found[row_id], field, value)
    return found


def _put(row: dict, field: str, value) -> None:
    if "." in field:
        column, key = field.split(".", 1)
        obj = row.setdefault(column, {})
        if value is None:
            obj.pop(key, None)
        elif f"{column}.{key}" not in DERIVED:
            obj[key] = value
    else:
        row[field] = value


def _load(text):
    if text is None:
        return None
    return orjson.loads(text) if isinstance(text, (str, bytes)) else text
