"""GeoPackage for the GIS staff: reports and each reference layer as typed feature tables, the
reports' photos in a media table tied to them by the GeoPackage Related Tables Extension
(QGIS shows them with the report).

Feature tables are written by GDAL through pyogrio in chunks (memory stays flat); the media
tables are plain SQL afterwards, as the extension describes them.

The file is GeoPackage 1.3 (GDAL 3.6, i.e. Debian 12 and QGIS 3.22, reads it without a
"partially supported" warning; GDAL's own default is 1.4) and passes GDAL's conformance
script `validate_gpkg.py -k --extra`: every table has an INTEGER PRIMARY KEY (Req 119) and
times are UTC with milliseconds. Attribute names come from whatever files were imported, so
they are made unique without regard to case and kept apart from our own columns and GDAL's
`fid`/`geom`: an export never fails because of a column name.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import shapely
from pyogrio.raw import write

from gspace.catalog import status_label
from gspace.labels import categories_label, label
from gspace.model import file_attributes
from gspace.refs import ref
from gspace.store.records import batches

CHUNK = 20_000
WGS84 = "EPSG:4326"
MUNICIPALITY = ("muni_code", "municipality")  # code and qualified name (municipalities.py)
REPORT_TEXT = (
    "id",
    "ref",
    "kind",
    "location_source",
    "category",
    "severity",
    "status",
    *MUNICIPALITY,
)
REPORT_MORE_TEXT = ("author", "text", "source")
FEATURE_TEXT = ("id", "ref", "name", "address", "status", "note", "source", *MUNICIPALITY)
LABELLED = ("kind", "location_source", "severity", "status")  # codes that get a `_label` beside
GDAL_COLUMNS = ("fid", "geom")  # the primary key and geometry column GDAL adds
DATASET_OPTIONS = {"VERSION": "1.3"}


def write_gpkg(job, path: Path) -> None:
    photos: list[tuple[int, str]] = []  # (report fid, sha256)
    fid = 0
    for chunk in batches(job.reports(), CHUNK):
        _write_reports(path, chunk, append=fid > 0, lang=job.lang)
        for row in chunk:
            fid += 1
            photos += [(fid, sha) for sha in row["media"]]
    if fid == 0:
        _write_reports(path, [], append=False, lang=job.lang)
    by_kind: dict[str, list[dict]] = {}
    for row in job.features():
        by_kind.setdefault(row["kind"], []).append(row)
    for kind, rows in by_kind.items():
        _write_features(job, path, kind, rows)
    _write_photos(path, job, photos)


def _text(rows: list[dict], name: str) -> np.ndarray:
    if name == "ref":  # derived from the id, not stored
        return np.array([ref(row["id"]) for row in rows], dtype=object)
    return np.array([row.get(name) for row in rows], dtype=object)


def _utc_times(rows: list[dict], name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A datetime column as GDAL takes it: UTC times (GeoPackage's conformant form), a null
    mask, and GDAL's time-zone flag (100 = UTC)."""
    moments = [datetime.fromisoformat(r[name]) if r.get(name) else None for r in rows]
    times = np.array(
        [
            np.datetime64(m.astimezone(UTC).replace(tzinfo=None), "ms")
            if m
            else np.datetime64("NaT")
            for m in moments
        ],
        dtype="datetime64[ms]",
    )
    return times, np.array([m is None for m in moments]), np.full(len(rows), 100, np.int16)


def _label(group: str, value: str | None, lang: str) -> str | None:
    if value is None:
        return None
    return categories_label(value, lang) if group == "category" else label(group, value, lang)


def _write_reports(path: Path, rows: list[dict], append: bool, lang: str) -> None:
    located = np.array([r.get("lon") is not None for r in rows], dtype=bool)
    wkb = np.full(len(rows), None, dtype=object)
    if located.any():
        coords = [(r["lon"], r["lat"]) for r in rows if r.get("lon") is not None]
        wkb[located] = shapely.to_wkb(shapely.points(coords))
    fields, data, masks, offsets = [], [], [], {}
    for name in REPORT_TEXT + ("observed_at", "received_at", "accuracy_m") + REPORT_MORE_TEXT:
        mask = None
        if name.endswith("_at"):
            values, mask, offsets[name] = _utc_times(rows, name)
        elif name == "accuracy_m":
            values = np.array([r.get(name) or np.nan for r in rows], dtype=float)
        else:
            values = _text(rows, name)
        fields.append(name)
        data.append(values)
        masks.append(mask)
        if name in LABELLED or name == "category":
            fields.append(f"{name}_label")
            data.append(np.array([_label(name, r.get(name), lang) for r in rows], object))
            masks.append(None)
    fields += ["photos", "media", "properties"]
    data.append(np.array([len(r["media"]) for r in rows], dtype=np.int32))
    data.append(np.array([";".join(r["media"]) or None for r in rows], dtype=object))
    data.append(np.array([json.dumps(r["properties"], ensure_ascii=False) for r in rows], object))
    masks += [None, None, None]
    write(
        str(path),
        wkb,
        data,
        fields,
        field_mask=masks,
        layer="reports",
        driver="GPKG",
        geometry_type="Point",
        crs=WGS84,
        append=append,
        gdal_tz_offsets=offsets,
        layer_options={"FID": "fid"},
        dataset_options=None if append else DATASET_OPTIONS,
    )


def column_names(names: list[str], taken: list[str]) -> list[str]:
    """A legal GeoPackage column name for each of `names`, unique without regard to case
    (SQLite and GDAL compare names so) and apart from `taken` and GDAL's own columns: control
    characters removed, an empty name becomes `field`, a clash gets `attr_` in front and then a
    number (`URL`, `url` -> `URL`, `url_2`)."""
    used = {n.casefold() for n in (*taken, *GDAL_COLUMNS)}
    columns = []
    for name in names:
        base = re.sub(r"[\x00-\x1f\x7f]", "", str(name)).strip() or "field"
        if base.casefold() in used:
            base = f"attr_{base}"
        column, n = base, 2
        while column.casefold() in used:
            column, n = f"{base}_{n}", n + 1
        used.add(column.casefold())
        columns.append(column)
    return columns


def _status_labels(job, kind: str, rows: list[dict]) -> np.ndarray:
    layer = job.catalog.get(kind)
    return np.array(
        [status_label(layer, r.get("status"), job.lang) if r.get("status") else None for r in rows],
        dtype=object,
    )


def _write_features(job, path: Path, kind: str, rows: list[dict]) -> None:
    shapes = [
        shapely.geometry.shape(r["geometry"])
        if r.get("geometry")
        else shapely.Point(r["lon"], r["lat"])
        if r.get("lon") is not None
        else None
        for r in rows
    ]
    types = {s.geom_type for s in shapes if s is not None}
    geometry_type = types.pop() if len(types) == 1 else "Unknown"
    fields = list(FEATURE_TEXT)
    data = [_text(rows, name) for name in FEATURE_TEXT]
    fields.insert(fields.index("status") + 1, "status_label")
    data.insert(fields.index("status_label"), _status_labels(job, kind, rows))
    # Each attribute becomes a text column (as in the source file), named apart from ours.
    names = sorted({k for r in rows for k in file_attributes(r["attributes"])})
    for name, column in zip(names, column_names(names, fields), strict=True):
        fields.append(column)
        data.append(np.array([_attribute(r["attributes"].get(name)) for r in rows], object))
    write(
        str(path),
        np.array([shapely.to_wkb(s) if s is not None else None for s in shapes], object),
        data,
        fields,
        layer=_table(kind),
        driver="GPKG",
        geometry_type=geometry_type,
        crs=WGS84,
        append=False,
        promote_to_multi=False,
    )


def _table(kind: str) -> str:
    """A layer's table, kept apart from ours and the GeoPackage's own (`gpkg_*`, `rtree_*`)."""
    ours = ("reports", "report_photos", "reports_photos", "gpkgext_relations")
    clash = kind.casefold() in ours or kind.casefold().startswith(("gpkg", "rtree_", "sqlite_"))
    return f"layer_{kind}" if clash else kind


def _attribute(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _write_photos(path: Path, job, photos: list[tuple[int, str]]) -> None:
    """`report_photos` (id, data, content_type, sha256) and the mapping `reports_photos`
    (base_id = reports.fid, related_id = report_photos.id), declared as a Related Tables
    Extension relation of type `media`."""
    conn = sqlite3.connect(path)
    with conn:
        conn.executescript(RELATED_TABLES_SQL)
        ids: dict[str, int] = {}
        for fid, sha in photos:
            if sha not in ids:
                data = job.image(sha)
                if data is None:
                    continue
                cursor = conn.execute(
                    "INSERT INTO report_photos (data, content_type, sha256) "
                    "VALUES (?, 'image/jpeg', ?)",
                    (data, sha),
                )
                ids[sha] = cursor.lastrowid
            conn.execute(
                "INSERT INTO reports_photos (base_id, related_id) VALUES (?, ?)", (fid, ids[sha])
            )
    conn.close()


RELATED_TABLES_SQL = """
CREATE TABLE report_photos (
    id INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL, content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL);
CREATE TABLE reports_photos (
    id INTEGER PRIMARY KEY AUTOINCREMENT, base_id INTEGER NOT NULL, related_id INTEGER NOT NULL);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES
    ('report_photos', 'attributes', 'report_photos', 'photo thumbnails of the reports'),
    ('reports_photos', 'attributes', 'reports_photos', 'which report each photo belongs to');
CREATE TABLE IF NOT EXISTS gpkgext_relations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, base_table_name TEXT NOT NULL,
    base_primary_column TEXT NOT NULL DEFAULT 'id', related_table_name TEXT NOT NULL,
    related_primary_column TEXT NOT NULL DEFAULT 'id', relation_name TEXT NOT NULL,
    mapping_table_name TEXT NOT NULL UNIQUE);
INSERT INTO gpkgext_relations (base_table_name, base_primary_column, related_table_name,
    related_primary_column, relation_name, mapping_table_name)
    VALUES ('reports', 'fid', 'report_photos', 'id', 'media', 'reports_photos');
CREATE TABLE IF NOT EXISTS gpkg_extensions (
    table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
    scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
INSERT INTO gpkg_extensions VALUES
    ('gpkgext_relations', NULL, 'gpkg_related_tables',
     'http://www.geopackage.org/18-000.html', 'read-write'),
    ('reports_photos', NULL, 'gpkg_related_tables',
     'http://www.geopackage.org/18-000.html', 'read-write');
"""
