"""Applying entries from other devices: the same result whatever order and however often they
arrive (SYNC_DESIGN.md, "Merge rule").

- An entry already held (same origin and oseq) changes nothing.
- Per field, the later write wins: writes compare by (rank, stamp, origin), where an insert
  ranks below every later write, so two laptops that imported the same post keep each other's
  triage whichever imported last. `media` is a set (union); a post's repost count is counted
  from its reposts on each device.
- A tombstone is the field `deleted`: edits of a deleted row are kept in its fields but the row
  stays deleted until someone restores it.
- Concurrent writes (neither based on the other) and edits concurrent with a tombstone become
  conflict records (history.py), derived from the log the same way on every device.
- Before overwriting a field the receiver keeps what it replaced (`prior` of its copy of the
  entry), so `revert` can put it back as a new change.
- Entries of a newer schema are held verbatim and applied once this gspace can read them.

Call `apply_entries` inside `incident.transaction()`: the caller decides what is all-or-nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import orjson

from gspace.errors import GspaceError
from gspace.store import records
from gspace.store.incident import Incident
from gspace.store.schema import SCHEMA_VERSION
from gspace.sync import history, rows
from gspace.sync.fields import (
    COLUMNS,
    DELETED,
    DERIVED,
    KEY,
    KEYED,
    SETS,
    SYNC_TABLES,
    column_of,
    dumps,
    fields_to_columns,
    loads,
    row_fields,
)
from gspace.sync.fields import (
    JSON as JSON_ONLY,
)
from gspace.sync.inserts import InsertBatch
from gspace.sync.rows import paused_gc

OPS = ("insert", "update", "delete", "restore", "settle")
_REQUIRED = {"origin": str, "oseq": int, "hlc": str, "tbl": str, "row_id": str, "op": str}


@dataclass
class ApplyResult:
    outcomes: list[tuple[str, str]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    changed_ids: dict[str, set] = field(default_factory=dict)

    def add(self, outcome: str, reason: str = "") -> None:
        self.outcomes.append((outcome, reason))
        self.counts[outcome] += 1


def apply_entries(incident: Incident, entries: Iterable[dict]) -> ApplyResult:
    """Apply received entries (call inside `incident.transaction()`); one outcome per entry:
    applied, duplicate, conflict (applied, and a conflict record was made or grew), held
    (newer schema) or rejected (malformed, with the reason)."""
    with paused_gc():  # 100,000 entries make no cycles; collecting would rescan them all
        merger = _Merger(incident)
        merger.apply_held()
        result = ApplyResult()
        entries = entries if isinstance(entries, list) else list(entries)
        merger.prefetch(entries)
        for index, entry in enumerate(entries):
            merger.index = index
            outcome, reason = merger.apply(entry)
            result.add(outcome, reason)
        merger.apply_held()  # what waited for a row that came in this batch
        merger.finish(result)
    return result


def apply_held(incident: Incident) -> ApplyResult:
    """Apply the held entries this gspace can now read (after an upgrade)."""
    return apply_entries(incident, [])


def held(incident: Incident) -> list[dict]:
    """Entries held because they came from a newer gspace."""
    return [
        orjson.loads(e)
        for (e,) in incident.conn.execute("SELECT entry FROM held_entries ORDER BY origin, oseq")
    ]


def revert(incident: Incident, seq: int) -> None:
    """Put back what the entry at local `seq` replaced, as a new change (call in a
    transaction): the fields it overwrote get their earlier values, a delete is restored, a
    restore deleted, an insert deleted."""
    row = incident.conn.execute(
        "SELECT tbl, row_id, op, data, prior FROM changes WHERE seq = ?", (seq,)
    ).fetchone()
    if row is None:
        raise GspaceError(f"no change {seq}")
    tbl, row_id, op, data, prior = row
    if op in ("insert", "restore"):
        local_write(incident, tbl, row_id, "delete", {})
    elif op == "delete":
        local_write(incident, tbl, row_id, "restore", {})
    else:
        from gspace.sync.fields import split_update

        _, old = split_update(tbl, loads(data), loads(prior))
        old = {k: v for k, v in old.items() if k not in DERIVED}
        if DELETED in old:
            local_write(incident, tbl, row_id, "restore" if not old.pop(DELETED) else "delete", {})
        if old:
            local_write(incident, tbl, row_id, "update", old)


def machine_write(incident: Incident, tbl: str, row_id: str, data: dict) -> ApplyResult:
    """A change this device makes by itself (no base: never a conflict, the later wins)."""
    return local_write(incident, tbl, row_id, "update", data, machine=True)


def local_write(
    incident: Incident, tbl: str, row_id: str, op: str, data: dict, machine: bool = False
) -> ApplyResult:
    """A change made here, written as an entry of this device and applied like a received
    one (settling a conflict, reverting): its base is each field's current clock."""
    conn = incident.conn
    current = rows.fetch(conn, tbl, row_id)
    if current is None:
        raise GspaceError(f"no {tbl[:-1]} with id {row_id}")
    explicit = rows.clocks(conn, tbl, row_id)
    insert = (current["hlc"], current["origin"])
    written = [f for f in data if not f.startswith("_")]
    if op in ("delete", "restore"):
        base = {f: list(c) for f, c in explicit.items()}
        base[DELETED] = list(explicit.get(DELETED, insert))
    else:
        base = rows.base_of(explicit, insert, written)
    [oseq] = rows.next_oseqs(conn, incident.device_id, 1)
    entry = {
        "origin": incident.device_id,
        "oseq": oseq,
        "hlc": incident.clock.now(),
        "tbl": tbl,
        "row_id": row_id,
        "op": op,
        "data": data,
        "base": None if machine else base,
        "actor": incident.actor,
        "schema": SCHEMA_VERSION,
    }
    result = apply_entries(incident, [entry])
    if result.outcomes[0][0] == "rejected":
        raise GspaceError(result.outcomes[0][1])
    return result


def _check(entry: object) -> str:
    """Why an entry cannot be applied ('' when it can)."""
    if not isinstance(entry, dict):
        return "not an entry"
    for name, kind in _REQUIRED.items():
        if not isinstance(entry.get(name), kind) or isinstance(entry.get(name), bool):
            return f"entry without a valid {name}"
    if not isinstance(entry.get("data", {}), dict):
        return "entry data is not an object"
    if entry.get("base") is not None and not isinstance(entry["base"], dict):
        return "entry base is not an object"
    if entry["tbl"] not in SYNC_TABLES:
        return f"unknown table {entry['tbl']!r}"
    if entry["op"] not in OPS:
        return f"unknown operation {entry['op']!r}"
    if entry["op"] in ("delete", "restore", "settle") and entry["tbl"] in ("media", "reposts"):
        return f"{entry['tbl']} rows are not deleted"
    return ""


class _Merger:
    def __init__(self, incident: Incident):
        self.incident, self.conn = incident, incident.conn
        self.seen: set[tuple[str, int]] = set()
        self.known: dict[str, tuple[int, int, set[int]]] = {}  # origin -> oseqs held
        self.existing: dict[str, set[str]] = {}  # rows known to exist
        self.candidates: dict[str, set[str]] = {}  # rows looked up (exist or not)
        self.log: list[tuple] = []  # change-log rows to write, in order
        self.inserts = InsertBatch(incident, self.log)
        self.index = 0  # of the entry being applied
        # fields whose conflicts to derive again, rows whose tombstones to check: the entries
        # (index, stamp) that wrote them, which become "conflict" when they are in one
        self.recheck: dict[tuple[str, str, str], list] = {}
        self.recheck_rows: dict[tuple[str, str], list] = {}
        self.reposts: set[str] = set()  # reports whose repost count to count again
        self.new_reports: set[str] = set()
        self.changed: dict[str, set] = {}
        self.latest = ""
        # rows and their explicit field clocks read once for the batch (prefetch), kept in step
        # with every write made through them; a row a second insert rewrites is read again
        self.cached_rows: dict[tuple[str, str], dict] = {}
        self.cached_clocks: dict[tuple[str, str], dict] = {}
        self.conflicted: set[tuple[str, str, str]] = {
            (t, r, f) for t, r, f in self.conn.execute("SELECT tbl, row_id, field FROM conflicts")
        }

    # -- one entry -------------------------------------------------------------------------
    def apply(self, entry: dict) -> tuple[str, str]:
        reason = _check(entry)
        if reason:
            return "rejected", reason
        identity = (entry["origin"], entry["oseq"])
        schema = entry.get("schema", SCHEMA_VERSION)
        if not isinstance(schema, int) or schema > SCHEMA_VERSION:
            self.conn.execute(
                "INSERT OR IGNORE INTO held_entries VALUES (?, ?, ?, ?)",
                (*identity, schema if isinstance(schema, int) else 0, dumps(entry)),
            )
            return "held", f"written by a newer gspace (schema {schema})"
        if identity in self.seen or self._held(identity):
            return "duplicate", ""
        self.seen.add(identity)
        if len(self.log) >= 5000:
            self.flush_log()
        self.latest = max(self.latest, entry["hlc"])
        tbl, row_id, op = entry["tbl"], entry["row_id"], entry["op"]
        self.changed.setdefault(tbl, set()).add(row_id)
        if op == "insert":
            if not self._exists(tbl, row_id):
                self.inserts.add(entry)
                self.existing.setdefault(tbl, set()).add(row_id)
                if tbl == "reports":
                    self.new_reports.add(row_id)
                if tbl == "reposts":
                    self.reposts.add((entry.get("data") or {}).get("report_id"))
                return "applied", ""
            self.inserts.flush()
            return self._merge_insert(entry)
        self.inserts.flush()
        return self._write(entry)

    def prefetch(self, entries: list) -> None:
        """Which of these entries the log holds and which inserted rows exist, a query per
        origin and per 5,000 rows instead of one per entry."""
        spans: dict[str, list[int]] = {}
        inserted: dict[str, set[str]] = {}
        written: dict[str, set[str]] = {}
        for e in entries:
            if isinstance(e, dict) and isinstance(e.get("origin"), str):
                oseq = e.get("oseq")
                if isinstance(oseq, int):
                    span = spans.setdefault(e["origin"], [oseq, oseq])
                    span[0], span[1] = min(span[0], oseq), max(span[1], oseq)
                if e.get("tbl") in KEY and isinstance(e.get("row_id"), str):
                    into = inserted if e.get("op") == "insert" else written
                    into.setdefault(e["tbl"], set()).add(e["row_id"])
        for tbl, ids in written.items():
            ids_list = sorted(ids - inserted.get(tbl, set()))
            for start in range(0, len(ids_list), 5000):
                part = ids_list[start : start + 5000]
                explicit = rows.clocks_of(self.conn, tbl, part)
                for row_id, row in rows.fetch_many(self.conn, tbl, part).items():
                    self.cached_rows[(tbl, row_id)] = row
                    self.cached_clocks[(tbl, row_id)] = explicit.get(row_id, {})
        for origin, (lo, hi) in spans.items():
            found = self.conn.execute(
                "SELECT oseq FROM changes WHERE origin = ? AND oseq BETWEEN ? AND ?",
                (origin, lo, hi),
            )
            self.known[origin] = (lo, hi, {n for (n,) in found})
        for tbl, ids in inserted.items():
            ids_list = [i for i in ids if isinstance(i, str)]
            self.candidates[tbl] = set(ids_list)
            have = self.existing.setdefault(tbl, set())
            for start in range(0, len(ids_list), 5000):
                part = ids_list[start : start + 5000]
                sql = f"SELECT {KEY[tbl]} FROM {tbl} WHERE {KEY[tbl]} IN "
                have.update(r[0] for r in self.conn.execute(sql + _marks(part), part))

    def _row(self, tbl: str, row_id: str) -> dict | None:
        """The stored row (a dict the writes below keep up to date), None when missing."""
        row = self.cached_rows.get((tbl, row_id))
        if row is None:
            row = rows.fetch(self.conn, tbl, row_id)
            if row is not None:
                self.cached_rows[(tbl, row_id)] = row
        return row

    def _clocks(self, tbl: str, row_id: str) -> dict:
        explicit = self.cached_clocks.get((tbl, row_id))
        if explicit is None:
            explicit = self.cached_clocks[(tbl, row_id)] = rows.clocks(self.conn, tbl, row_id)
        return explicit

    def _held(self, identity: tuple[str, int]) -> bool:
        origin, oseq = identity
        span = self.known.get(origin)
        if span and span[0] <= oseq <= span[1]:
            return oseq in span[2]
        sql = "SELECT 1 FROM changes WHERE origin = ? AND oseq = ?"
        return self.conn.execute(sql, identity).fetchone() is not None

    def _exists(self, tbl: str, row_id: str) -> bool:
        if row_id in self.existing.get(tbl, ()):
            return True
        if row_id in self.candidates.get(tbl, ()):
            return False
        sql = f"SELECT 1 FROM {tbl} WHERE {KEY[tbl]} = ?"
        return self.conn.execute(sql, (row_id,)).fetchone() is not None

    def flush_log(self) -> None:
        self.inserts.flush()
        if self.log:
            self.conn.executemany(rows.CHANGE_INSERT, self.log)
            self.log.clear()

    def _store(self, entry: dict, data: dict, prior: dict | None) -> None:
        self.log.append(
            (
                entry["hlc"],
                entry["origin"],
                entry["oseq"],
                entry["tbl"],
                entry["row_id"],
                entry["op"],
                dumps(data),
                None if not prior else dumps(prior),
                None if entry.get("base") is None else dumps(entry["base"]),
                entry.get("actor") or "",
            ),
        )

    def _merge_insert(self, entry: dict) -> tuple[str, str]:
        """A second insert of a row (the same post imported on two laptops): fields no later
        write has touched take the later insert's values."""
        tbl, row_id = entry["tbl"], entry["row_id"]
        self.cached_rows.pop((tbl, row_id), None)  # its hlc and origin change below
        current = rows.fetch(self.conn, tbl, row_id)
        data = {k: v for k, v in (entry.get("data") or {}).items() if column_of(k) in COLUMNS[tbl]}
        prior: dict = {}
        stamp = (entry["hlc"], entry["origin"])
        if stamp > (current["hlc"], current["origin"]):
            self._keep_local_insert(tbl, row_id)
            explicit = rows.clocks(self.conn, tbl, row_id)
            have = row_fields(tbl, current)
            incoming = row_fields(tbl, fields_to_columns(tbl, data, {}))
            names = (set(have) | set(incoming)) - set(explicit) - DERIVED - SETS
            fields = {f: incoming.get(f) for f in names if have.get(f) != incoming.get(f)}
            prior = {f: have.get(f) for f in fields}
            columns = fields_to_columns(tbl, fields, current)
            rows.write_columns(self.conn, tbl, current, columns)
            self.conn.execute(
                f"UPDATE {tbl} SET hlc = ?, origin = ? WHERE {KEY[tbl]} = ?", (*stamp, row_id)
            )
        self._union_sets(tbl, current, data)
        self._store(entry, data, prior)
        if tbl == "reposts":
            self.reposts.update({current.get("report_id"), data.get("report_id")})
        return "applied", ""

    def _keep_local_insert(self, tbl: str, row_id: str) -> None:
        """Before a later insert overwrites a row, the earlier insert entry of this device
        gets its copy of the row (lean inserts hold none)."""
        from gspace.sync.changes import rebuild_inserts

        self.flush_log()
        lean = self.conn.execute(
            "SELECT seq FROM changes WHERE tbl = ? AND row_id = ? AND op = 'insert' "
            "AND data IS NULL",
            (tbl, row_id),
        ).fetchall()
        if lean:
            data = rebuild_inserts(self.conn, tbl, [row_id])[row_id]
            for (seq,) in lean:
                self.conn.execute("UPDATE changes SET data = ? WHERE seq = ?", (dumps(data), seq))

    def _union_sets(self, tbl: str, current: dict, data: dict) -> None:
        for column in SETS & set(COLUMNS[tbl]):
            if column in data:
                have = loads(current.get(column)) or []
                merged = sorted(set(have) | set(data[column] or []))
                if merged != sorted(have):
                    rows.write_columns(self.conn, tbl, current, {column: dumps(merged)})

    def _write(self, entry: dict) -> tuple[str, str]:
        """An update, delete, restore or settle: each field written if it is later."""
        tbl, row_id, op = entry["tbl"], entry["row_id"], entry["op"]
        current = self._row(tbl, row_id)
        if current is None:  # kept until its row arrives (entries out of order)
            self.seen.discard((entry["origin"], entry["oseq"]))
            self.conn.execute(
                "INSERT OR IGNORE INTO held_entries VALUES (?, ?, ?, ?)",
                (entry["origin"], entry["oseq"], SCHEMA_VERSION, dumps(entry)),
            )
            return "held", f"waits for its {tbl[:-1]} {row_id}, not received yet"
        data = dict(entry.get("data") or {})
        settle = data.pop("_settle", None)
        if op == "delete":
            data = {DELETED: 1}
        elif op == "restore":
            data = {DELETED: 0}
        fields = {
            f: v
            for f, v in data.items()
            if (column_of(f) in COLUMNS[tbl] or f == DELETED) and f not in DERIVED
        }
        explicit = self._clocks(tbl, row_id)
        insert = (current["hlc"], current["origin"])
        stamp = (entry["hlc"], entry["origin"])
        base = entry.get("base")
        wins, prior = {}, {}
        have = _Values(tbl, current)
        for f, value in fields.items():
            if f in SETS:
                continue
            clock = explicit.get(f)
            if (1, *stamp) > ((1, *clock) if clock else (0, *insert)):
                wins[f] = value
                if have.get(f) != value:
                    prior[f] = have.get(f)
            if base is not None:
                key = (tbl, row_id, f)
                if key in self.conflicted or base.get(f) != list(clock or insert) or settle:
                    self.recheck.setdefault(key, []).append((self.index, stamp))
        if DELETED in explicit or DELETED in fields:
            self.recheck_rows.setdefault((tbl, row_id), []).append((self.index, stamp))
        if DELETED in wins:
            rows.set_deleted(self.conn, tbl, current, wins[DELETED])
        changed = {f: v for f, v in wins.items() if f in prior and f != DELETED}
        rows.write_columns(self.conn, tbl, current, fields_to_columns(tbl, changed, current))
        if wins:
            rows.set_clocks(self.conn, tbl, row_id, wins.keys(), stamp)
            explicit.update(dict.fromkeys(wins, stamp))
        self._union_sets(tbl, current, fields)
        stored = dict(data if op not in ("delete", "restore") else {})
        if settle is not None:
            stored["_settle"] = settle
        self._store(entry, stored, prior)
        if tbl == "reposts":
            self.reposts.update({current.get("report_id"), fields.get("report_id")})
        return "applied", ""

    # -- the end of a batch ----------------------------------------------------------------
    def apply_held(self) -> None:
        self.flush_log()
        self.index = -1  # not one of the caller's entries
        ready = self.conn.execute(
            "SELECT origin, oseq, schema, entry FROM held_entries WHERE schema <= ?",
            (SCHEMA_VERSION,),
        ).fetchall()
        for origin, oseq, schema, text in ready:
            self.conn.execute(
                "DELETE FROM held_entries WHERE origin = ? AND oseq = ?", (origin, oseq)
            )  # before: an entry whose row is still missing is held again
            self.apply({**orjson.loads(text), "schema": schema})
            self.flush_log()

    def finish(self, result: ApplyResult) -> None:
        self.flush_log()
        if self.latest:
            self.incident.clock.observe(self.latest)
        in_conflict = []
        found = history.derive(self.conn, set(self.recheck), set(self.recheck_rows))
        for key, written in [*self.recheck.items(), *self.recheck_rows.items()]:
            in_conflict += [index for index, stamp in written if stamp in found[key]]
        for index in set(in_conflict):
            if index >= 0 and result.outcomes[index][0] == "applied":
                result.counts["applied"] -= 1
                result.counts["conflict"] += 1
                result.outcomes[index] = ("conflict", "")
        records.count_reposts(self.incident, {r for r in self.reposts if r})
        result.changed_ids = self.changed
        if self.new_reports:
            self._duplicates()

    def _duplicates(self) -> None:
        """Reports of the same post or photo with different ids (imported before ids were
        derived from the post) meet: on every device the larger id becomes a duplicate of
        the smaller (a machine write, the same on every device, so never a conflict)."""
        from gspace.sync.duplicates import mark_duplicates

        mark_duplicates(self.incident, self.new_reports)


def _marks(values: list) -> str:
    return f"({', '.join('?' * len(values))})"


JSON_COLUMNS = JSON_ONLY | KEYED


class _Values:
    """The current value of a field of a stored row, JSON columns parsed once and only when
    asked for (row_fields of every column for every entry was most of an edit's time)."""

    def __init__(self, tbl: str, row: dict):
        self.tbl, self.row, self.parsed = tbl, row, {}

    def get(self, f: str):
        if f == DELETED:
            return self.row["deleted"]
        column = column_of(f)
        if column not in JSON_COLUMNS:
            return self.row.get(column)
        if column not in self.parsed:
            self.parsed[column] = loads(self.row.get(column))
        value = self.parsed[column]
        if "." in f:
            return (value or {}).get(f.split(".", 1)[1])
        return value
