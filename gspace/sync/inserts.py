"""Received inserts of new rows, written in batches as an import writes them
(records.insert_prepared): one `executemany` per table, the R*Tree and FTS5 entries filled by
one INSERT ... SELECT, municipalities found for the whole batch. A hundred thousand received
reports take seconds, not minutes.
"""

from __future__ import annotations

from datetime import datetime
from itertools import count

from gspace.sync import rows
from gspace.sync.fields import COLUMNS, DERIVED, KEY, KEYED, dumps

BATCH = 5000
# Received inserts of reports and features are logged lean, as local ones are (records.py):
# the row holds what the insert wrote and later entries the values they replaced, so
# changes.outgoing rebuilds the entry. A bundle of 100,000 reports no longer writes a second
# copy of every row into the log.
LEAN = {"reports", "features"}


def _timestamp(iso):
    try:
        return datetime.fromisoformat(iso).timestamp() if iso else None
    except (TypeError, ValueError):
        return None


def _cell(column: str, value):
    if column in KEYED:
        value = {k: v for k, v in (value or {}).items() if f"{column}.{k}" not in DERIVED}
        return dumps(value)
    if column in ("geometry", "exif"):
        return None if value is None else dumps(value)
    if column == "media":
        return dumps(sorted(set(value or [])))
    return value


_ENCODED = KEYED | {"geometry", "exif", "media"}  # the columns _cell changes


class InsertBatch:
    def __init__(self, incident, log: list):
        self.incident, self.conn, self.log = incident, incident.conn, log
        self.entries: list[dict] = []
        self.keys: set[tuple[str, str]] = set()

    def pending(self, tbl: str, row_id: str) -> bool:
        return (tbl, row_id) in self.keys

    def add(self, entry: dict) -> None:
        self.entries.append(entry)
        self.keys.add((entry["tbl"], entry["row_id"]))
        if len(self.entries) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.entries:
            return
        by_table: dict[str, list[dict]] = {}
        for entry in self.entries:
            by_table.setdefault(entry["tbl"], []).append(entry)
        for tbl, entries in by_table.items():
            if tbl == "reports":
                self._reports(entries)
            elif tbl == "features":
                self._features(entries)
            else:
                self._plain(tbl, entries)
        self.log.extend(
            [
                (
                    e["hlc"],
                    e["origin"],
                    e["oseq"],
                    e["tbl"],
                    e["row_id"],
                    "insert",
                    None if e["tbl"] in LEAN else dumps(self._data(e)),
                    None,
                    None,
                    e.get("actor") or "",
                )
                for e in self.entries
            ],
        )
        self.entries, self.keys = [], set()

    @staticmethod
    def _data(entry: dict) -> dict:
        columns = COLUMNS[entry["tbl"]]
        return {k: v for k, v in (entry.get("data") or {}).items() if k in columns}

    def _key_start(self, tbl: str, key: str) -> int:
        sql = f"SELECT coalesce(max({key}), 0) + 1 FROM {tbl}"
        return self.conn.execute(sql).fetchone()[0]

    def _reports(self, entries: list[dict]) -> None:
        columns = COLUMNS["reports"]
        start = self._key_start("reports", "rid")
        values, points = [], []
        status, kind = columns.index("status"), columns.index("kind")
        encoded = [(n, c) for n, c in enumerate(columns) if c in _ENCODED]
        for entry in entries:
            data = entry.get("data") or {}
            cells = list(map(data.get, columns))  # as they come but the JSON columns (_cell)
            for n, column in encoded:
                cells[n] = _cell(column, cells[n])
            cells[status] = cells[status] or "new"
            cells[kind] = cells[kind] or "manual"
            values.append(
                (
                    entry["row_id"],
                    *cells,
                    _timestamp(data.get("observed_at")),
                    entry["hlc"],
                    entry["origin"],
                )
            )
            points.append((data.get("lon"), data.get("lat")))
        codes = rows.municipality_codes(points)
        names = ("rid", "id", *columns, "observed_ts", "hlc", "origin", "muni_code")
        self.conn.executemany(
            f"INSERT INTO reports ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [(rid, *v, code) for rid, v, code in zip(count(start), values, codes)],
        )
        last = start + len(entries) - 1
        self.conn.execute(
            "INSERT INTO reports_rtree SELECT rid, lon, lon, lat, lat FROM reports "
            "WHERE rid BETWEEN ? AND ? AND lon IS NOT NULL AND lat IS NOT NULL",
            (start, last),
        )
        self.conn.execute(
            "INSERT INTO reports_fts (rowid, text, author) SELECT rid, text, author "
            "FROM reports WHERE rid BETWEEN ? AND ?",
            (start, last),
        )

    def _features(self, entries: list[dict]) -> None:
        columns = COLUMNS["features"]
        start = self._key_start("features", "fid")
        values, points, boxes = [], [], []
        for fid, entry in zip(count(start), entries):
            data = dict(entry.get("data") or {})
            box = rows.bbox(data.get("geometry"))
            if box and data.get("lon") is None:
                data["lon"], data["lat"] = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            if box:
                boxes.append((fid, box[0], box[2], box[1], box[3]))
            cells = [_cell(c, data.get(c)) for c in columns]
            cells[columns.index("kind")] = cells[columns.index("kind")] or "other"
            values.append((fid, entry["row_id"], *cells, entry["hlc"], entry["origin"]))
            points.append((data.get("lon"), data.get("lat")))
        codes = rows.municipality_codes(points)
        names = ("fid", "id", *columns, "hlc", "origin", "muni_code")
        self.conn.executemany(
            f"INSERT INTO features ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [(*v, code) for v, code in zip(values, codes, strict=True)],
        )
        self.conn.executemany("INSERT INTO features_rtree VALUES (?, ?, ?, ?, ?)", boxes)

    def _plain(self, tbl: str, entries: list[dict]) -> None:
        columns = COLUMNS[tbl]
        names = (KEY[tbl], *columns, "hlc", "origin")
        rows_ = [
            (
                e["row_id"],
                *(_cell(c, (e.get("data") or {}).get(c)) for c in columns),
                e["hlc"],
                e["origin"],
            )
            for e in entries
        ]
        self.conn.executemany(
            f"INSERT INTO {tbl} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            rows_,
        )
