"""Conflicts, derived from a row's log entries the same way on every device.

Two writes of a field are concurrent when neither is based on the other: each user write names
the clock of the value it replaced (`base`), and following those links gives its history. Two
writes with the same base and the same value are the same edit made twice (not a conflict), so
a write's identity in a history is its *node*: a hash of its parent's node and its value; an
insert is the root node. Concurrent writes with different values are grouped by the node their
histories share last (the fork), so three laptops that edit one field from the same value
make one record with three values, whoever saw what first: the records are a function of the
set of entries a device holds, never of the order they came in. Settling a record is a write
that covers its values (`_settle.covers`): they become part of its history.

An edit concurrent with a tombstone (the deleting device had not seen it, the editing device
had not seen the delete) is kept in a "delete" record, from which the row can be restored.

Writes without a base (inserts, machine writes such as a status feed, entries of stores older
than sync) never conflict.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import orjson

from gspace.sync.fields import DELETED, JSON, KEYED, dumps, loads, split_update

Stamp = tuple[str, str]
ROOT = "I"


@dataclass
class Write:
    stamp: Stamp
    value: object
    base: dict | None  # the entry's base (None: no base)
    actor: str
    kind: str  # insert, user, machine
    covers: tuple = ()
    settles: str | None = None  # the conflict a settle entry settles
    fields: dict = field(default_factory=dict)  # every field the entry wrote


def _hash(*parts: str) -> str:
    return hashlib.sha1("\x00".join(parts).encode()).hexdigest()


def conflict_id(tbl: str, row_id: str, field_name: str, fork: str) -> str:
    return _hash(tbl, row_id, field_name, fork)[:32]


_ENTRIES = (
    "SELECT row_id, tbl, hlc, origin, op, CASE WHEN op = 'insert' THEN NULL ELSE data END, "
    "prior, base, actor FROM changes WHERE row_id IN "
)


def load_entries(conn, keys: set[tuple[str, str]]) -> dict[tuple[str, str], list[Write]]:
    """Every entry of some rows as Writes whose `fields` are the fields each wrote, oldest
    first: one query per 500 rows."""
    out: dict[tuple[str, str], list[Write]] = {key: [] for key in keys}
    ids = sorted({row_id for _, row_id in keys})
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        sql = _ENTRIES + f"({', '.join('?' * len(part))}) ORDER BY seq"
        for row_id, tbl, hlc, origin, op, data, prior, base, actor in conn.execute(sql, part):
            found = out.get((tbl, row_id))
            if found is not None:
                found.append(_write(tbl, hlc, origin, op, data, prior, base, actor))
    return out


def row_entries(conn, tbl: str, row_id: str) -> list[Write]:
    return load_entries(conn, {(tbl, row_id)})[(tbl, row_id)]


def _write(tbl, hlc, origin, op, data, prior, base, actor) -> Write:
    data = orjson.loads(data) if data else None
    base = orjson.loads(base) if base else None
    settle = data.pop("_settle", None) if isinstance(data, dict) else None
    if op == "insert":
        fields, kind = {}, "insert"
    elif op in ("delete", "restore"):
        fields = {DELETED: 1 if op == "delete" else 0}
        kind = "user" if base is not None else "machine"
    else:
        if isinstance(data, dict) and not KEYED & data.keys():
            # per-key already (received entries, or no JSON object written)
            fields = {k: loads(v) if k in JSON else v for k, v in data.items()}
        else:
            fields, _ = split_update(tbl, data, loads(prior))
        kind = "user" if base is not None else "machine"
    covers = tuple(tuple(c) for c in (settle or {}).get("covers", ()))
    conflict = (settle or {}).get("conflict")
    return Write((hlc, origin), None, base, actor or "", kind, covers, conflict, fields)


class Graph:
    """The history of one field of one row."""

    def __init__(self, entries: list[Write], field_name: str):
        self.field = field_name
        self.writes: list[Write] = []
        for e in entries:
            if e.kind == "insert" or field_name in e.fields:
                w = Write(
                    e.stamp,
                    e.fields.get(field_name),
                    e.base,
                    e.actor,
                    e.kind,
                    e.covers,
                    e.settles,
                    e.fields,
                )
                self.writes.append(w)
        self.by_stamp = {w.stamp: w for w in self.writes}
        self._node: dict[Stamp, str] = {}
        self._anc: dict[Stamp, frozenset] = {}
        self.depth: dict[str, int] = {ROOT: 0}

    def parent(self, w: Write) -> Write | None:
        if not w.base or self.field not in w.base:
            return None
        return self.by_stamp.get(tuple(w.base[self.field]))

    def at(self, stamp) -> Write | None:
        return self.by_stamp.get(tuple(stamp)) if stamp else None

    def node(self, w: Write | None) -> str:
        if w is None or w.kind == "insert":
            return ROOT
        if w.stamp not in self._node:
            if w.kind == "machine":
                self._node[w.stamp] = "M" + "".join(w.stamp)
                self.depth.setdefault(self._node[w.stamp], 0)
            else:
                p = self.parent(w)
                parent_node = self.node(p)
                n = _hash(parent_node, dumps(w.value))[:20]
                self._node[w.stamp] = n
                d = self.depth[parent_node] + 1
                for c in w.covers:
                    cw = self.at(c)
                    if cw is not None:
                        d = max(d, self.depth.get(self.node(cw), 0) + 1)
                self.depth[n] = max(self.depth.get(n, 0), d)
        return self._node[w.stamp]

    def ancestors(self, w: Write | None) -> frozenset:
        """The nodes of `w` and of every write it was based on (or covers)."""
        if w is None or w.kind == "insert":
            return frozenset((ROOT,))
        if w.stamp not in self._anc:
            self._anc[w.stamp] = frozenset((ROOT,))  # a loop in a damaged log ends here
            found = {self.node(w)}
            if w.kind == "user":
                found |= self.ancestors(self.parent(w))
                for c in w.covers:
                    cw = self.at(c)
                    if cw is not None:
                        found |= self.ancestors(cw)
            else:
                found.add(ROOT)
            self._anc[w.stamp] = frozenset(found)
        return self._anc[w.stamp]

    def conflicts(self) -> dict[str, list[Write]]:
        """fork node -> the concurrent writes with different values that fork there."""
        users = [w for w in self.writes if w.kind == "user"]
        groups: dict[str, dict[Stamp, Write]] = {}
        for i, x in enumerate(users):
            ax, nx = self.ancestors(x), self.node(x)
            for y in users[i + 1 :]:
                if x.value == y.value:
                    continue
                ay, ny = self.ancestors(y), self.node(y)
                if nx in ay or ny in ax:
                    continue
                common = ax & ay
                fork = min(common, key=lambda n: (-self.depth.get(n, 0), n)) if common else ""
                group = groups.setdefault(fork, {})
                group[x.stamp], group[y.stamp] = x, y
        return {fork: sorted(g.values(), key=lambda w: w.stamp) for fork, g in groups.items()}


def _choice(w: Write, value) -> dict:
    return {"value": value, "hlc": w.stamp[0], "origin": w.stamp[1], "actor": w.actor}


def _settled(entries: list[Write], cid: str) -> str | None:
    settles = [e for e in entries if e.settles == cid]
    if not settles:
        return None
    last = max(settles, key=lambda e: e.stamp)
    return dumps(
        {
            "hlc": last.stamp[0],
            "origin": last.stamp[1],
            "actor": last.actor,
            "covers": sorted([list(c) for c in last.covers]),
        }
    )


def _store(conn, tbl, row_id, field_name, kind, records: dict[str, list[dict]], entries, old=None):
    """Replace the stored records of one field (through `conn.execute`, or a _Statements)."""
    if old is None:
        old = {
            cid
            for (cid,) in conn.execute(
                "SELECT id FROM conflicts WHERE tbl = ? AND row_id = ? AND field = ? AND kind = ?",
                (tbl, row_id, field_name, kind),
            )
        }
    for cid in old - records.keys():
        conn.execute("DELETE FROM conflicts WHERE id = ?", (cid,))
    for cid, choices in records.items():
        choices = sorted(choices, key=lambda c: (c["hlc"], c["origin"]))
        conn.execute(
            "INSERT OR REPLACE INTO conflicts VALUES (?, ?, ?, ?, ?, ?, ?)",
            (cid, tbl, row_id, field_name, kind, dumps(choices), _settled(entries, cid)),
        )


def derive(conn, fields: set, tombstones: set) -> dict[tuple, set[Stamp]]:
    """Derive again the conflicts of some fields (tbl, row, field) and the tombstone
    conflicts of some rows (tbl, row); returns the stamps of the writes in them, per key."""
    keys = {(t, r) for t, r, _ in fields} | set(tombstones)
    entries = load_entries(conn, keys)
    statements = _Statements(conn)
    old: dict[tuple, set[str]] = {}
    ids = sorted({r for _, r in keys})
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        for cid, tbl, row_id, f, kind in conn.execute(
            "SELECT id, tbl, row_id, field, kind FROM conflicts WHERE row_id IN "
            f"({', '.join('?' * len(part))})",
            part,
        ):
            old.setdefault((tbl, row_id, f, kind), set()).add(cid)
    found = {}
    for key in sorted(fields):
        tbl, row_id, f = key
        found[key] = derive_field(
            statements, tbl, row_id, f, entries[(tbl, row_id)], old.get((*key, "edit"), set())
        )
    for key in sorted(tombstones):
        found[key] = derive_tombstones(
            statements, *key, entries[key], old.get((*key, DELETED, "delete"), set())
        )
    statements.flush()
    return found


class _Statements:
    """The writes of `_store` for many rows, in their order, consecutive ones of the same
    statement sent as one executemany (10,000 conflicts at once: one statement each was a
    third of a merge)."""

    def __init__(self, conn):
        self.conn, self.sql, self.params = conn, None, []

    def execute(self, sql: str, params: tuple) -> None:
        if sql != self.sql:
            self.flush()
            self.sql = sql
        self.params.append(params)

    def flush(self) -> None:
        if self.params:
            self.conn.executemany(self.sql, self.params)
        self.sql, self.params = None, []


def derive_field(
    conn, tbl: str, row_id: str, field_name: str, entries=None, old=None
) -> set[Stamp]:
    """Store the edit conflicts of one field; returns the stamps of the writes in them."""
    entries = row_entries(conn, tbl, row_id) if entries is None else entries
    graph = Graph(entries, field_name)
    records, stamps = {}, set()
    for fork, writes in graph.conflicts().items():
        cid = conflict_id(tbl, row_id, field_name, fork)
        records[cid] = [_choice(w, w.value) for w in writes]
        stamps |= {w.stamp for w in writes}
    _store(conn, tbl, row_id, field_name, "edit", records, entries, old)
    return stamps


def derive_tombstones(conn, tbl: str, row_id: str, entries=None, old=None) -> set[Stamp]:
    """Store the edits concurrent with a tombstone of the row; returns the stamps involved."""
    entries = row_entries(conn, tbl, row_id) if entries is None else entries
    tomb = Graph(entries, DELETED)
    deletes = [w for w in tomb.writes if w.kind == "user" and w.value == 1]
    edits = [e for e in entries if e.kind == "user" and set(e.fields) - {DELETED}]
    graphs: dict[str, Graph] = {}
    records: dict[str, dict[Stamp, dict]] = {}
    stamps: set[Stamp] = set()
    for d in deletes:
        dnode = tomb.node(d)
        for e in edits:
            if dnode in tomb.ancestors(tomb.at((e.base or {}).get(DELETED))):
                continue  # the edit was made after the delete (the row was restored)
            concurrent = {}
            for f, value in e.fields.items():
                if f == DELETED:
                    continue
                g = graphs.setdefault(f, Graph(entries, f))
                seen = g.ancestors(g.at((d.base or {}).get(f)))
                if g.node(g.by_stamp[e.stamp]) not in seen:
                    concurrent[f] = value
            if concurrent:
                cid = conflict_id(tbl, row_id, DELETED, dnode)
                group = records.setdefault(cid, {})
                group[d.stamp] = _choice(d, None)
                group[e.stamp] = _choice(e, concurrent)
                stamps |= {d.stamp, e.stamp}
    _store(
        conn,
        tbl,
        row_id,
        DELETED,
        "delete",
        {cid: list(g.values()) for cid, g in records.items()},
        entries,
        old,
    )
    return stamps
