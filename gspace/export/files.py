"""GeoJSON (RFC 7946), CSV (UTF-8 with BOM, for Excel) and JSON Lines, streamed row by row:
for `gspace reports`/`features` on standard output, and as export files.

The CSV is for spreadsheets, and post text and author names are untrusted: a cell that a
spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage
return, and is not a number) gets a single quote in front, and every text cell is quoted so
that a separator or quote inside it cannot start a new cell (OWASP, "CSV Injection"). Its times
are in the incident's time zone, one offset for the whole file. GeoJSON and JSON Lines keep the
text exactly as received, for programs.

With a language (`--lang`; exports always have one), the CSV's headers and codes are labels in
that language, and GeoJSON/JSON Lines keep the codes with a `<code>_label` beside each.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TextIO

from gspace.catalog import LayerKind, status_label
from gspace.labels import categories_label, label
from gspace.model import file_attributes
from gspace.refs import ref

FORMATS = ("geojson", "csv", "jsonl")

REPORT_PROPERTIES = (
    "id",
    "ref",
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
    "ref",
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


def _with_ref(properties: dict) -> dict:
    """The short reference people read out (gspace.refs), beside the id it comes from."""
    properties["ref"] = ref(properties["id"]) if properties["id"] else None
    return properties


def report_properties(row: dict) -> dict:
    return _with_ref({k: row.get(k) for k in REPORT_PROPERTIES})


def feature_properties(row: dict) -> dict:
    properties = _with_ref({k: row.get(k) for k in FEATURE_PROPERTIES})
    return {**properties, "attributes": file_attributes(row.get("attributes") or {})}


@dataclass
class Vocabulary:
    """How codes are named and times shown: `lang` None keeps the codes (and English headers);
    `zone` None keeps each time as stored."""

    lang: str | None = None
    zone: tzinfo | None = None
    catalog: dict[str, LayerKind] | None = None

    def labels(self, row: dict) -> dict[str, str | None]:
        """The labelled codes of a report or feature row (empty without a language)."""
        lang = self.lang
        if lang is None:
            return {}
        if "observed_at" in row:  # a report
            return {
                "kind": label("kind", row.get("kind"), lang),
                "location_source": label("location_source", row.get("location_source"), lang),
                "category": categories_label(row.get("category"), lang),
                "severity": label("severity", row.get("severity"), lang),
                "status": label("status", row.get("status"), lang),
            }
        kind = (self.catalog or {}).get(row.get("kind") or "")
        return {
            "kind": kind.label(lang) if kind else row.get("kind"),
            "status": status_label(kind, row.get("status"), lang) if row.get("status") else None,
        }

    def time(self, value: str | None) -> str | None:
        if not value or self.zone is None:
            return value
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            return value
        return moment.astimezone(self.zone).isoformat(timespec="seconds")

    def header(self, name: str) -> str:
        return label("column", name, self.lang) if self.lang else name


def labelled(properties: Callable[[dict], dict], vocabulary: Vocabulary):
    """GeoJSON/JSON Lines properties with `<code>_label` beside each labelled code."""
    if vocabulary.lang is None:
        return properties

    def with_labels(row: dict) -> dict:
        props = properties(row)
        if not row:
            return props
        out = {}
        names = vocabulary.labels(row)
        for key, value in props.items():
            out[key] = value
            if key in names:
                out[f"{key}_label"] = names[key]
        return out

    return with_labels


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


NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A cell a spreadsheet shows as text: one that it would run (`=1+1`, `+81…`, `@SUM(…)`,
    a leading tab or carriage return) gets a single quote in front; numbers, also as text
    (`-3.5`), stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def _csv_cell(value: object) -> object:
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    elif value is None:
        return ""
    return spreadsheet_safe(value)


def write_csv(
    out: TextIO, items: Iterable[dict], properties, geometry, vocabulary: Vocabulary | None = None
) -> int:
    """UTF-8 with a BOM: Excel opens Japanese text without mojibake. Text cells are quoted
    (QUOTE_NONNUMERIC), numbers are not, so a spreadsheet still reads them as numbers."""
    vocabulary = vocabulary or Vocabulary()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([vocabulary.header(n) for n in [*properties({}).keys(), "lon", "lat"]])
    count = 0
    for row in items:
        props = properties(row)
        props.update(vocabulary.labels(row))
        for key in ("observed_at", "received_at"):
            if key in props:
                props[key] = vocabulary.time(props[key])
        writer.writerow(
            [
                *(_csv_cell(v) for v in props.values()),
                _number(row.get("lon")),
                _number(row.get("lat")),
            ]
        )
        count += 1
    return count


def _number(value: object) -> object:
    return "" if value is None else value


WRITERS = {"geojson": write_geojson, "csv": write_csv, "jsonl": write_jsonl}


def write_reports(
    out: TextIO, rows: Iterable[dict], fmt: str, vocabulary: Vocabulary | None = None
) -> int:
    vocabulary = vocabulary or Vocabulary()
    if fmt == "csv":
        return write_csv(out, rows, report_properties, _point, vocabulary)
    return WRITERS[fmt](out, rows, labelled(report_properties, vocabulary), _point)


def write_features(
    out: TextIO, rows: Iterable[dict], fmt: str, vocabulary: Vocabulary | None = None
) -> int:
    vocabulary = vocabulary or Vocabulary()

    def geometry(row: dict) -> dict | None:
        return row.get("geometry") or _point(row)

    if fmt == "csv":
        return write_csv(out, rows, feature_properties, geometry, vocabulary)
    return WRITERS[fmt](out, rows, labelled(feature_properties, vocabulary), geometry)


def _vocabulary(job) -> Vocabulary:
    return Vocabulary(job.lang, job.incident.timezone, job.catalog)


def export_geojson(job, path: Path) -> None:
    """`gspace export … OUT.geojson`: the filtered reports (reference layers: `gspace features`),
    codes with their labels in the export's language beside them."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        write_reports(out, job.reports(), "geojson", Vocabulary(job.lang))


def export_csv(job, path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        write_reports(out, job.reports(), "csv", _vocabulary(job))
