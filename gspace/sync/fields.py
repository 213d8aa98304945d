"""What a synced field is: the columns of each synced table, and how a row or a log entry is
read as fields.

Sync merges field by field. A plain column is one field; the JSON objects `properties` (reports)
and `attributes` (features) are one field per key (`properties.reposts`), so two devices that set
different keys both keep theirs; a report's `media` is a set (union, no clock). The tombstone is
the field `deleted` (a delete writes 1, a restore 0). Columns derived on each device (integer
row keys, municipality codes, `observed_ts`, a media file's local path and thumbnail) are not
fields and never travel.

The change log holds entries in two spellings: entries written here before per-key fields
(whole JSON columns, JSON as text, `prior` the replaced column) and per-key ones. `entry_fields`
reads both the same way.
"""

from __future__ import annotations

from typing import Any

import orjson

SYNC_TABLES = ("layers", "media", "reports", "features", "reposts")
KEY = {"reports": "id", "features": "id", "layers": "id", "media": "sha256", "reposts": "source"}
ROW_KEY = {"reports": "rid", "features": "fid"}  # integer keys of the R*Tree / FTS indexes

COLUMNS = {
    "reports": (
        "kind",
        "lon",
        "lat",
        "location_source",
        "accuracy_m",
        "observed_at",
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
        "note",
    ),
    "features": (
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
    ),
    "layers": ("kind", "name", "source", "imported_at"),
    "media": ("type", "size", "width", "height", "exif"),
    "reposts": ("report_id", "via", "author", "observed_at"),
}
KEYED = {"properties", "attributes"}  # JSON objects merged key by key
JSON = {"geometry", "exif", "media"}  # JSON values merged whole (media: as a set)
SETS = {"media"}
DERIVED = {"properties.reposts"}  # counted from the reposts rows on each device
DELETED = "deleted"


def loads(value: Any) -> Any:
    """A JSON cell or entry value as a Python value (text is parsed, objects pass through)."""
    if isinstance(value, (str, bytes)):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def column_of(field: str) -> str:
    return field.split(".", 1)[0]


def row_fields(tbl: str, row: dict) -> dict[str, Any]:
    """The fields of a stored row (a dict of its columns): JSON parsed, keyed objects spread."""
    out: dict[str, Any] = {}
    for column in COLUMNS[tbl]:
        if column not in row:
            continue
        value = row[column]
        if column in KEYED:
            for k, v in (loads(value) or {}).items():
                out[f"{column}.{k}"] = v
        elif column in JSON:
            out[column] = loads(value)
        else:
            out[column] = value
    return out


def split_update(tbl: str, data: dict | None, prior: dict | None) -> tuple[dict, dict]:
    """(fields written, their prior values) of an update entry in either spelling: a whole
    keyed column becomes the keys that differ from its prior (all of them without a prior)."""
    data, prior = data or {}, prior or {}
    new, old = {}, {}
    columns = COLUMNS.get(tbl, ())
    for name, value in data.items():
        if column_of(name) not in columns and name != DELETED:
            continue  # derived on each device (observed_ts) or bookkeeping (_settle)
        if name in KEYED:
            after = loads(value) or {}
            before = loads(prior.get(name)) if name in prior else None
            keys = set(after) | set(before or {}) if before is not None else set(after)
            for k in keys:
                if before is None or after.get(k) != before.get(k):
                    new[f"{name}.{k}"] = after.get(k)
                    if before is not None:
                        old[f"{name}.{k}"] = before.get(k)
        elif name in JSON:
            new[name] = loads(value)
            if name in prior:
                old[name] = loads(prior[name])
        else:
            new[name] = value
            if name in prior:
                old[name] = prior[name]
    return new, old


def fields_to_columns(tbl: str, fields: dict, current: dict) -> dict:
    """Stored column values for some fields written over the stored row `current` (a dict of
    columns): keyed fields are folded into their JSON object, JSON values encoded."""
    out: dict[str, Any] = {}
    keyed: dict[str, dict] = {}
    for field, value in fields.items():
        column = column_of(field)
        if column not in COLUMNS[tbl]:
            continue
        if column in KEYED and "." in field:
            obj = keyed.setdefault(column, dict(loads(current.get(column)) or {}))
            key = field.split(".", 1)[1]
            if value is None:
                obj.pop(key, None)
            else:
                obj[key] = value
        elif column in KEYED:  # a whole object (an insert)
            keyed[column] = dict(loads(value) or {})
        elif column in JSON:
            out[column] = None if value is None else dumps(value)
        else:
            out[column] = value
    for column, obj in keyed.items():
        out[column] = dumps(obj)
    return out
