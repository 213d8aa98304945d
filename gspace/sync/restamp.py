"""Taking the hub's stamp and actor for entries this device already holds (issue 17, "Clocks").

A hub replaces a stamp more than a minute ahead of its own clock (a laptop whose clock is
hours fast must not win every later edit) and records the name of the token that brought a
change as its actor. Every device must end with the hub's version of each entry, so a laptop
rewrites its copy when the hub answers a push, and when a pull brings an entry it holds with a
different stamp or actor (one it received by bundle before the hub restamped it).

Rewriting a stamp touches everything that names it: the entry, the field clocks and insert
stamp it set, the bases and settlement covers of later entries of the row, and then each
written field's winner (the later stamp wins) and the row's conflict records are derived again
from the log, as a device that received the entries with the hub's stamps would have them.
Call inside `incident.transaction()`. (A new module beside the engine's, which stays unchanged.)
"""

from __future__ import annotations

import orjson

from gspace.store.incident import Incident
from gspace.sync import history, rows
from gspace.sync.fields import DELETED, DERIVED, KEY, SETS, dumps, fields_to_columns
from gspace.sync.history import load_entries

Key = tuple[str, str]


def adopt(incident: Incident, versions: list[tuple[str, int, str, str]]) -> int:
    """Make this device's copies of entries (origin, oseq) carry the given (stamp, actor);
    returns how many entries changed. Entries not held here are ignored."""
    conn = incident.conn
    moved: dict[tuple[str, str], str] = {}  # (old stamp, origin) -> new stamp
    touched: set[Key] = set()
    changed = 0
    for origin, oseq, hlc, actor in versions:
        row = conn.execute(
            "SELECT seq, hlc, actor, tbl, row_id, op FROM changes WHERE origin = ? AND oseq = ?",
            (origin, oseq),
        ).fetchone()
        if row is None or (row[1] == hlc and (row[2] or "") == (actor or "")):
            continue
        seq, old, _, tbl, row_id, op = row
        changed += 1
        conn.execute("UPDATE changes SET hlc = ?, actor = ? WHERE seq = ?", (hlc, actor, seq))
        if old == hlc:
            # only the actor: it shows in the row's conflict records, which never hold an
            # insert (a first sync's entries are nearly all inserts, each named by the hub)
            if op != "insert":
                touched.add((tbl, row_id))
            continue
        touched.add((tbl, row_id))
        moved[(old, origin)] = hlc
        conn.execute(
            "UPDATE field_clocks SET hlc = ? WHERE tbl = ? AND row_id = ? AND hlc = ? "
            "AND origin = ?",
            (hlc, tbl, row_id, old, origin),
        )
        if op == "insert" and tbl in KEY:
            conn.execute(
                f"UPDATE {tbl} SET hlc = ? WHERE {KEY[tbl]} = ? AND hlc = ? AND origin = ?",
                (hlc, row_id, old, origin),
            )
    if moved:
        _rewrite_references(conn, touched, moved)
    if touched:
        _rederive(incident, touched)
    last = conn.execute("SELECT max(hlc) FROM changes").fetchone()[0]
    if moved and last:
        incident.clock.reset(last)
    return changed


def _rewrite_references(conn, keys: set[Key], moved: dict[tuple[str, str], str]) -> None:
    """Bases and settlement covers of the rows' entries that name a moved stamp."""
    for tbl, row_id in keys:
        for seq, base, data in conn.execute(
            "SELECT seq, base, data FROM changes WHERE tbl = ? AND row_id = ? AND op != 'insert'",
            (tbl, row_id),
        ).fetchall():
            new_base = _swap_base(orjson.loads(base), moved) if base else None
            new_data = _swap_covers(orjson.loads(data), moved) if data else None
            if new_base is not None or new_data is not None:
                conn.execute(
                    "UPDATE changes SET base = coalesce(?, base), data = coalesce(?, data) "
                    "WHERE seq = ?",
                    (
                        None if new_base is None else dumps(new_base),
                        None if new_data is None else dumps(new_data),
                        seq,
                    ),
                )


def _swap_base(base, moved) -> dict | None:
    if not isinstance(base, dict):
        return None
    out, hit = {}, False
    for f, clock in base.items():
        if isinstance(clock, list) and len(clock) == 2 and tuple(clock) in moved:
            out[f], hit = [moved[tuple(clock)], clock[1]], True
        else:
            out[f] = clock
    return out if hit else None


def _swap_covers(data, moved) -> dict | None:
    settle = data.get("_settle") if isinstance(data, dict) else None
    if not isinstance(settle, dict) or not settle.get("covers"):
        return None
    covers = [
        [moved[tuple(c)], c[1]] if isinstance(c, list) and tuple(c) in moved else c
        for c in settle["covers"]
    ]
    if covers == settle["covers"]:
        return None
    return {**data, "_settle": {**settle, "covers": covers}}


def _rederive(incident: Incident, keys: set[Key]) -> None:
    """Each field written after the insert takes the value of its latest write again, and
    the rows' conflict records are derived again."""
    conn = incident.conn
    entries = load_entries(conn, keys)
    fields: set[tuple[str, str, str]] = set()
    for (tbl, row_id), writes in entries.items():
        current = rows.fetch(conn, tbl, row_id)
        if current is None:
            continue
        clocks = rows.clocks(conn, tbl, row_id)
        latest: dict[str, history.Write] = {}
        for w in writes:
            if w.kind == "insert":
                continue
            for f in w.fields:
                if f in SETS or f in DERIVED:
                    continue
                fields.add((tbl, row_id, f))
                if f not in latest or w.stamp > latest[f].stamp:
                    latest[f] = w
        for f, w in latest.items():
            if clocks.get(f) == w.stamp:
                continue
            value = w.fields[f]
            if f == DELETED:
                rows.set_deleted(conn, tbl, current, value)
            else:
                rows.write_columns(conn, tbl, current, fields_to_columns(tbl, {f: value}, current))
            rows.set_clocks(conn, tbl, row_id, [f], w.stamp)
    history.derive(conn, fields, set(keys))
