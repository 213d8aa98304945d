"""The SQLite schema of an incident's `store.sqlite`, and its migrations.

Every syncable table carries `hlc` (hybrid-logical-clock stamp of the last write), `origin` (the
device that wrote it) and `deleted` (tombstone). Reports and features have an integer row key for
the R*Tree and FTS5 indexes and a UUID `id` that is the same on every device.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: SCHEMA_VERSION is read where sqlite_utils is not loaded
    import sqlite_utils

SCHEMA_VERSION = 8

SYNC_COLUMNS = {"hlc": str, "origin": str, "deleted": int}


def _v1_tables(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["reports"].create(
        {
            "rid": int,
            "id": str,
            "kind": str,
            "lon": float,
            "lat": float,
            "location_source": str,
            "accuracy_m": float,
            "observed_at": str,
            "observed_ts": float,
            "received_at": str,
            "author": str,
            "text": str,
            "category": str,
            "severity": str,
            "status": str,
            "source": str,
            "media": str,
            "properties": str,
            **SYNC_COLUMNS,
        },
        pk="rid",
        not_null={"id", "kind", "status"},
        defaults={"deleted": 0, "status": "new"},
    )
    db["media"].create(
        {
            "sha256": str,
            "type": str,
            "size": int,
            "width": int,
            "height": int,
            "exif": str,
            "thumbnail": bytes,
            "path": str,
            **SYNC_COLUMNS,
        },
        pk="sha256",
        defaults={"deleted": 0},
    )
    db["layers"].create(
        {"id": str, "kind": str, "name": str, "source": str, "imported_at": str, **SYNC_COLUMNS},
        pk="id",
        defaults={"deleted": 0},
    )
    db["features"].create(
        {
            "fid": int,
            "id": str,
            "layer_id": str,
            "kind": str,
            "name": str,
            "address": str,
            "geometry": str,
            "lon": float,
            "lat": float,
            "status": str,
            "note": str,
            "attributes": str,
            "source": str,
            **SYNC_COLUMNS,
        },
        pk="fid",
        not_null={"id", "kind"},
        defaults={"deleted": 0},
    )
    db["import_log"].create(
        {
            "id": int,
            "run_id": str,
            "at": str,
            "importer": str,
            "path": str,
            "outcome": str,
            "reason": str,
            "record_id": str,
        },
        pk="id",
    )
    db["changes"].create(
        {"seq": int, "hlc": str, "origin": str, "tbl": str, "row_id": str, "op": str, "data": str},
        pk="seq",
    )
    db["reports"].create_index(["id"], unique=True)
    db["reports"].create_index(["observed_ts"])
    db["features"].create_index(["id"], unique=True)
    db["features"].create_index(["kind"])


def _v2_indexes(db: sqlite_utils.Database) -> None:
    """Spatial and text indexes, filled from the rows a version-1 store already holds."""
    for table, key in (("reports", "rid"), ("features", "fid")):
        db.execute(
            f"CREATE VIRTUAL TABLE {table}_rtree USING rtree({key}, min_lon, max_lon, "
            "min_lat, max_lat)"
        )
        db.execute(
            f"INSERT INTO {table}_rtree SELECT {key}, lon, lon, lat, lat FROM {table} "
            "WHERE lon IS NOT NULL AND deleted = 0"
        )
    # Trigram tokens find Japanese words inside unsegmented text (unicode61 would treat a whole
    # Japanese sentence as one token).
    db["reports"].enable_fts(
        ["text", "author"], fts_version="FTS5", tokenize="trigram", create_triggers=False
    )
    db.execute("INSERT INTO reports_fts(reports_fts) VALUES ('rebuild')")


def _v3_post_identity(db: sqlite_utils.Database) -> None:
    """Finding a report by its source (a post's URL, a file) and by the digest of its text, so
    that re-imports and copies of the same post attach instead of adding reports."""
    db.execute("ALTER TABLE reports ADD COLUMN digest TEXT")
    db.execute("CREATE INDEX idx_reports_source ON reports (source)")
    db.execute("CREATE INDEX idx_reports_digest ON reports (digest) WHERE digest IS NOT NULL")
    # reposts and copies of a post attach to its report: one row each, so re-imports add nothing
    db["reposts"].create(
        {
            "source": str,
            "report_id": str,
            "via": str,  # repost, copy
            "author": str,
            "observed_at": str,
            **SYNC_COLUMNS,
        },
        pk="source",
        defaults={"deleted": 0},
    )
    db["reposts"].create_index(["report_id"])


def _v4_triage(db: sqlite_utils.Database) -> None:
    """An analyst's note on a report, who made each change, and a report's history found
    without reading the whole change log."""
    db.execute("ALTER TABLE reports ADD COLUMN note TEXT")
    db.execute("ALTER TABLE changes ADD COLUMN actor TEXT")
    db.execute("CREATE INDEX idx_changes_row ON changes (row_id)")


def _v5_lean_imports(db: sqlite_utils.Database) -> None:
    """What a million-post import spent most of its time on: update entries keep the values
    they replaced, so that insert entries of reports and features need no copy of the row
    (records.py); copies of a post are found by digests held in memory during an import
    (ingest/digests.py), not by an index that random digests made slow to write."""
    db.execute("ALTER TABLE changes ADD COLUMN prior TEXT")
    db.execute("DROP INDEX idx_reports_digest")


def _v6_municipalities(db: sqlite_utils.Database) -> None:
    """The municipality (5-digit code; municipalities.py) each located report and feature lies
    in, for filters and exports. It is derived from the position on each device (records.py
    sets it on every insert and move) and is not a synced field: no change-log entry."""
    from gspace.municipalities import codes_at

    for table, key in (("reports", "rid"), ("features", "fid")):
        db.execute(f"ALTER TABLE {table} ADD COLUMN muni_code TEXT")
        located = db.execute(
            f"SELECT {key}, lon, lat FROM {table} WHERE lon IS NOT NULL AND lat IS NOT NULL"
        ).fetchall()
        for start in range(0, len(located), 100_000):
            part = located[start : start + 100_000]
            codes = codes_at([r[1] for r in part], [r[2] for r in part])
            db.conn.executemany(
                f"UPDATE {table} SET muni_code = ? WHERE {key} = ?",
                [(code, r[0]) for code, r in zip(codes, part, strict=True) if code],
            )
        db.execute(f"CREATE INDEX idx_{table}_muni ON {table} (muni_code)")


def _v7_sync(db: sqlite_utils.Database) -> None:
    """What merging with other devices needs (sync/, SYNC_DESIGN.md): a change is identified by
    its device and that device's own sequence number (`oseq`); each write keeps the stamps of
    the values it was based on (`base`); a field written after its row's insert keeps its own
    stamp (`field_clocks`: a field without one has the stamp of the row's insert, which is what
    a row's `hlc`/`origin` now mean, so an import writes no extra rows); concurrent writes are
    kept as `conflicts`; entries of a newer gspace wait in `held_entries`. Filled here from the
    log a store already has."""
    from gspace.sync.fields import split_update

    conn = db.conn
    conn.execute("ALTER TABLE changes ADD COLUMN oseq INTEGER")
    conn.execute("ALTER TABLE changes ADD COLUMN base TEXT")
    conn.execute(
        "CREATE TEMP TABLE _oseq AS SELECT seq, "
        "row_number() OVER (PARTITION BY origin ORDER BY seq) AS n FROM changes"
    )
    conn.execute("UPDATE changes SET oseq = _oseq.n FROM _oseq WHERE _oseq.seq = changes.seq")
    conn.execute("DROP TABLE _oseq")
    conn.execute("CREATE UNIQUE INDEX idx_changes_identity ON changes (origin, oseq)")
    conn.execute(
        "CREATE TABLE field_clocks (tbl TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL,"
        " hlc TEXT NOT NULL, origin TEXT NOT NULL, PRIMARY KEY (tbl, row_id, field))"
        " WITHOUT ROWID"
    )
    conn.execute(
        "CREATE TABLE conflicts (id TEXT PRIMARY KEY, tbl TEXT NOT NULL, row_id TEXT NOT NULL,"
        " field TEXT NOT NULL, kind TEXT NOT NULL, choices TEXT NOT NULL, settled TEXT)"
    )
    conn.execute("CREATE INDEX idx_conflicts_row ON conflicts (tbl, row_id)")
    conn.execute(
        "CREATE TABLE held_entries (origin TEXT NOT NULL, oseq INTEGER NOT NULL,"
        " schema INTEGER NOT NULL, entry TEXT NOT NULL, PRIMARY KEY (origin, oseq))"
    )
    # the last write of each field after its row's insert (later entries replace earlier ones)
    rows = conn.execute(
        "SELECT hlc, origin, tbl, row_id, op, data, prior FROM changes "
        "WHERE op != 'insert' ORDER BY seq"
    )

    def clocks():
        for hlc, origin, tbl, row_id, op, data, prior in rows:
            if op == "delete":
                yield tbl, row_id, "deleted", hlc, origin
                continue
            written, _ = split_update(tbl, _json(data), _json(prior))
            for field in written:
                yield tbl, row_id, field, hlc, origin

    conn.executemany("INSERT OR REPLACE INTO field_clocks VALUES (?, ?, ?, ?, ?)", clocks())
    for table, key in (
        ("reports", "id"),
        ("features", "id"),
        ("layers", "id"),
        ("media", "sha256"),
        ("reposts", "source"),
    ):
        conn.execute(
            f"UPDATE {table} SET hlc = i.hlc, origin = i.origin FROM (SELECT row_id, "
            f"min(hlc) AS hlc, origin FROM changes WHERE tbl = ? AND op = 'insert' "
            f"GROUP BY row_id) AS i WHERE i.row_id = {table}.{key}",
            (table,),
        )


def _json(text: str | None):
    import orjson

    return orjson.loads(text) if text else None


# (kind, old attribute key, new key) renamed by _v8_shelter_situation
_V8_RENAMED = (("shelter", "occupancy", "evacuees"), ("water", "source_type", "supply_method"))


def _v8_shelter_situation(db: sqlite_utils.Database) -> None:
    """Shelter operations (layers/shelter.toml): a shelter's `occupancy` is its number of
    evacuees now and becomes `evacuees`, a water point's `source_type` becomes `supply_method`,
    in the attributes and in what the feature's sources said (`_imported`, so that a re-import
    does not take the renamed value for an edit). Every device runs the same rename on the same
    rows, so it is not a change of the rows and is not in the change log; the log's entries and
    the field clocks of those rows are renamed with them, so that what a store sends (sync/)
    names one key, whichever gspace wrote the change. The statuses of existing shelters (open,
    full, closed, unknown) all stay in the new vocabulary."""
    import json

    def renamed(holder: object, old: str, new: str) -> None:
        for inner in (holder, (holder.get("_imported") or {}).get("attributes")):
            if isinstance(inner, dict) and old in inner:
                inner.setdefault(new, inner.pop(old))

    def renamed_entry(text: str | None, old: str, new: str) -> str | None:
        entry = json.loads(text) if text else None
        if not isinstance(entry, dict):
            return text
        if f"attributes.{old}" in entry:  # a change of one key (schema 7)
            entry.setdefault(f"attributes.{new}", entry.pop(f"attributes.{old}"))
        cell = entry.get("attributes")
        if isinstance(cell, str):  # the column as stored (schema 5 and 6)
            attributes = json.loads(cell or "{}")
            renamed(attributes, old, new)
            entry["attributes"] = json.dumps(attributes, ensure_ascii=False)
        elif isinstance(cell, dict):  # a row copied into an insert entry (before schema 5)
            renamed(cell, old, new)
        return json.dumps(entry, ensure_ascii=False)

    for kind, old, new in _V8_RENAMED:
        ids = "SELECT id FROM features WHERE kind = ?"
        logged = db.execute(
            f"SELECT seq, data, prior FROM changes WHERE tbl = 'features' AND row_id IN ({ids}) "
            "AND (data LIKE ? OR prior LIKE ?)",
            (kind, f"%{old}%", f"%{old}%"),
        ).fetchall()
        db.conn.executemany(
            "UPDATE changes SET data = ?, prior = ? WHERE seq = ?",
            [
                (renamed_entry(data, old, new), renamed_entry(prior, old, new), seq)
                for seq, data, prior in logged
            ],
        )
        db.execute(
            "UPDATE OR IGNORE field_clocks SET field = ? WHERE tbl = 'features' AND field = ? "
            f"AND row_id IN ({ids})",
            (f"attributes.{new}", f"attributes.{old}", kind),
        )
        db.execute(
            f"DELETE FROM field_clocks WHERE tbl = 'features' AND field = ? AND row_id IN ({ids})",
            (f"attributes.{old}", kind),
        )
        rows = db.execute(
            "SELECT fid, attributes FROM features WHERE kind = ? AND attributes LIKE ?",
            (kind, f'%"{old}"%'),
        ).fetchall()
        for fid, text in rows:
            attributes = json.loads(text or "{}")
            renamed(attributes, old, new)
            db.execute(
                "UPDATE features SET attributes = ? WHERE fid = ?",
                (json.dumps(attributes, ensure_ascii=False), fid),
            )


MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], None]] = {
    1: _v1_tables,
    2: _v2_indexes,
    3: _v3_post_identity,
    4: _v4_triage,
    5: _v5_lean_imports,
    6: _v6_municipalities,
    7: _v7_sync,
    8: _v8_shelter_situation,
}


def schema_version(conn: sqlite3.Connection) -> int:
    """0 for an empty database; raises sqlite3.DatabaseError for a file that is not SQLite."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "meta" not in tables:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(db: sqlite_utils.Database, to: int = SCHEMA_VERSION) -> int:
    """Bring the store up to version `to` in one transaction; returns the version it had."""
    start = schema_version(db.conn)
    with db.atomic():
        for version in range(start + 1, to + 1):
            MIGRATIONS[version](db)
            db["meta"].upsert({"key": "schema_version", "value": str(version)}, pk="key")
    return start
