"""GeoJSON (RFC 7946), CSV (UTF-8 with BOM, for Excel) and JSON Lines, streamed row by row:
for `gspace reports`/`features` on standard output, and as export files."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

FORMATS = ("geojson", "csv", "jsonl")

REPORT_PROPERTIES = (
    "id",
    "kind",
    "observed_at",
    "received_at",
    "location_source",
    "accuracy_m",
    "muni_code",
    "municipality",
    "category",
    "severity",
    "status",
    "author",
    "text",
    "source",
    "media",
)
FEATURE_PROPERTIES = (
    "id",
    "kind",
    "name",
    "address",
    "muni_code",
    "municipality",
    "status",
    "note",
    "source",
)


def _point(row: dict) -> dict | None:
    if row.get("lon") is None or row.get("lat") is None:
        return None
    return {"type": "Point", "coordinates": [row["lon"], row["lat"]]}


def report_properties(row: dict) -> dict:
    return {k: row.get(k) for k in REPORT_PROPERTIES}


def feature_properties(row: dict) -> dict:
    return {**{k: row.get(k) for k in FEATURE_PROPERTIES}, "attributes": row.get("attributes")}


def write_geojson(out: TextIO, items: Iterable[dict], properties, geometry) -> int:
    """A FeatureCollection, one feature per line, so memory stays flat for any count."""
    out.write('{"type": "FeatureCollection", "features": [\n')
    count = 0
    for row in items:
        feature = {
            "type": "Feature",
            "id": row["id"],
            "geometry": geometry(row),
            "properties": properties(row),
        }
        out.write((",\n" if count else "") + json.dumps(feature, ensure_ascii=False))
        count += 1
    out.write("\n]}\n")
    return count


def write_jsonl(out: TextIO, items: Iterable[dict], properties, geometry) -> int:
    count = 0
    for row in items:
        point = geometry(row)
        record = {**properties(row), "lon": row.get("lon"), "lat": row.get("lat")}
        if point is None or point["type"] != "Point":
            record["geometry"] = point
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def _csv_cell(value: object) -> object:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_csv(out: TextIO, items: Iterable[dict], properties, geometry) -> int:
    """UTF-8 with a BOM: Excel opens Japanese text without mojibake."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*properties({}).keys(), "lon", "lat"])
    count = 0
    for row in items:
        props = properties(row)
        writer.writerow([*(_csv_cell(v) for v in props.values()), row.get("lon"), row.get("lat")])
        count += 1
    return count


WRITERS = {"geojson": write_geojson, "csv": write_csv, "jsonl": write_jsonl}


def write_reports(out: TextIO, rows: Iterable[dict], fmt: str) -> int:
    return WRITERS[fmt](out, rows, report_properties, _point)


def write_features(out: TextIO, rows: Iterable[dict], fmt: str) -> int:
    return WRITERS[fmt](out, rows, feature_properties, lambda r: r.get("geometry") or _point(r))


def export_geojson(job, path: Path) -> None:
    """`gspace export … OUT.geojson`: the filtered reports (reference layers: `gspace features`)."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        write_reports(out, job.reports(), "geojson")


def export_csv(job, path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        write_reports(out, job.reports(), "csv")
