"""Reading JSON layers: GeoJSON (RFC 7946, and the 2008 specification's `crs` member) and
tabular JSON, the plain list of records a city's web team publishes (`[{"name": …, "latlng":
{"lat": …, "lng": …}}, …]`, or one record per line as JSON Lines).

Records are flattened into columns like a CSV's (nested objects give dotted names such as
`latlng.lat`), so that the same aliases, preview and mapping apply. A value shaped like a
GeoJSON geometry (`geometry`, `location`, …) becomes the row's geometry. Whatever the input,
the error is one sentence about the file, never the parser's internals.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from gspace import geo
from gspace.errors import GspaceError
from gspace.ingest.layer_files import Table, cell, detect_encoding

JSONL_SUFFIXES = {".jsonl", ".ndjson", ".geojsonl", ".geojsons"}
GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}
MAX_DEPTH = 4  # nested objects deeper than this are kept as JSON text in one column
EPSG_NAME = re.compile(
    r"^(?:urn:ogc:def:crs:EPSG:[\d.]*:|EPSG:+|https?://www\.opengis\.net/def/crs/EPSG/[\d.]+/)"
    r"(\d+)$",
    re.IGNORECASE,
)
CRS84_NAME = re.compile(
    r"^(?:urn:ogc:def:crs:OGC:[\d.]*:CRS84|(?:OGC:)?CRS84|"
    r"https?://www\.opengis\.net/def/crs/OGC/[\d.]+/CRS84)$",
    re.IGNORECASE,
)


def json_table(data: bytes, path: Path, encoding: str | None) -> Table:
    encoding = encoding if encoding and encoding != "auto" else detect_encoding(data)
    try:
        text = data.decode(encoding).lstrip("\ufeff")
    except LookupError:
        raise GspaceError(f"unknown encoding {encoding!r} (e.g. cp932, utf-8)") from None
    except UnicodeDecodeError:
        raise GspaceError(f"{path.name} is not {encoding} text (give --encoding)") from None
    if not text.strip():
        raise GspaceError(f"{path.name} is empty")
    if path.suffix.lower() in JSONL_SUFFIXES:
        return _lines_table(text, path, encoding)
    try:
        document = json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as e:
        if e.msg == "Extra data" and text.lstrip().startswith("{"):
            return _lines_table(text, path, encoding)  # JSON Lines named .json
        document = _parse(text, path.name)  # raises the error in words
    except (ValueError, RecursionError):
        document = _parse(text, path.name)
    if isinstance(document, dict) and _type(document) == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise GspaceError(f"{path.name} is a FeatureCollection without a list of features")
        return _declared_crs(document, _records_table(features, path.name, encoding), path.name)
    if isinstance(document, dict) and (
        _type(document) == "Feature" or _type(document) in GEOMETRY_TYPES
    ):
        return _declared_crs(document, _records_table([document], path.name, encoding), path.name)
    if isinstance(document, dict):
        lists = [
            v
            for v in document.values()
            if isinstance(v, list) and v and any(isinstance(r, dict) for r in v)
        ]
        if len(lists) != 1:  # {"items": [...]} as web APIs wrap their records
            raise GspaceError(
                f"{path.name} is neither GeoJSON nor a list of records "
                "(a JSON object without features)"
            )
        document = lists[0]
    if not isinstance(document, list):
        raise GspaceError(
            f"{path.name} holds a single {_what(document)}, not GeoJSON or a list of records"
        )
    return _records_table(document, path.name, encoding)


def _parse(text: str, name: str, line: int | None = None):
    try:
        return json.loads(text, parse_int=_integer)
    except RecursionError:
        raise GspaceError(f"{name} is nested too deeply to be a layer") from None
    except ValueError as e:
        where = f"line {line}" if line else f"line {getattr(e, 'lineno', '?')}"
        if isinstance(e, json.JSONDecodeError) and (
            e.pos >= len(text.rstrip()) - 1 or e.msg.startswith("Unterminated string")
        ):
            raise GspaceError(f"{name} ends too early ({where}): the file is incomplete") from None
        reason = e.msg if isinstance(e, json.JSONDecodeError) else "unreadable value"
        raise GspaceError(f"{name} is not valid JSON ({where}: {reason.lower()})") from None


def _integer(text: str):
    """Integers of any length (Python refuses more than 4,300 digits; a float is inf)."""
    return int(text) if len(text) < 300 else float(text)


def _what(value) -> str:
    if isinstance(value, bool):
        return "true/false value"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    return "null" if value is None else "object"


def _lines_table(text: str, path: Path, encoding: str) -> Table:
    """JSON Lines: one record per line; a line that is not a record is skipped with why."""
    records, skipped = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, _parse(line, path.name, number)))
        except GspaceError as e:
            skipped.append((number, str(e).removeprefix(f"{path.name} ")))
    return _numbered_table(records, path.name, encoding, skipped)


def _records_table(items: list, name: str, encoding: str) -> Table:
    return _numbered_table(list(enumerate(items, start=1)), name, encoding, [])


def _numbered_table(
    records: list[tuple[int, object]],
    name: str,
    encoding: str,
    skipped: list[tuple[int, str]],
) -> Table:
    if not records and not skipped:
        raise GspaceError(f"{name} holds no records (an empty list)")
    objects = [(n, r) for n, r in records if isinstance(r, dict)]
    if not objects:
        kinds = sorted({_what(r) for _n, r in records}) or ["unreadable line"]
        raise GspaceError(
            f"{name} holds no records: its {len(records) + len(skipped)} entries are "
            f"{', '.join(kinds)}, not objects with fields"
        )
    for number, record in records:
        if not isinstance(record, dict):
            skipped.append((number, f"a {_what(record)}, not a record"))
    columns: dict[str, None] = {}
    rows, geometries = [], []
    for number, record in objects:
        geometry, fields = _split(record)
        row = {}
        try:
            _flatten(fields, "", row, 0)
        except RecursionError:
            row = {}
            skipped.append((number, "nested too deeply"))
            continue
        columns.update(dict.fromkeys(row))
        row["_row"] = number
        rows.append(row)
        geometries.append(geometry)
    table = Table(list(columns), rows, encoding, geometries)
    table.skipped = sorted(skipped)
    return table


def _split(record: dict) -> tuple[dict | None, dict]:
    """(geometry, fields): a GeoJSON Feature's geometry and properties, or a record's first
    value shaped like a geometry and the rest of it."""
    if _type(record) == "Feature":
        properties = record.get("properties")
        geometry = record.get("geometry")
        return (geometry if _is_geometry(geometry) else None), (
            properties if isinstance(properties, dict) else {}
        )
    if _is_geometry(record):
        return record, {}
    for key, value in record.items():
        if _is_geometry(value):
            return value, {k: v for k, v in record.items() if k != key}
    for key, value in record.items():  # {"geometry": {"coordinates": [lon, lat]}}
        position = value.get("coordinates") if isinstance(value, dict) else None
        if key == "coordinates":
            position = value
        if _is_position(position) and not (isinstance(value, dict) and "type" in value):
            point = {"type": "Point", "coordinates": position[:2]}
            return point, {k: v for k, v in record.items() if k != key}
    return None, record


def _is_position(value) -> bool:
    """[longitude, latitude] (or with a height), as numbers."""
    return (
        isinstance(value, list)
        and len(value) in (2, 3)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    )


def _type(value: dict) -> str | None:
    """A GeoJSON object's type, None when it has none (or something else than a name)."""
    kind = value.get("type")
    return kind if isinstance(kind, str) else None


def _is_geometry(value) -> bool:
    return (
        isinstance(value, dict)
        and _type(value) in GEOMETRY_TYPES
        and ("coordinates" in value or "geometries" in value)
    )


def _flatten(value: dict, prefix: str, row: dict, depth: int) -> None:
    for key, item in value.items():
        column = f"{prefix}{key}"
        if isinstance(item, dict) and item and depth < MAX_DEPTH:
            _flatten(item, f"{column}.", row, depth + 1)
        else:
            row[column] = cell(item)


def _declared_crs(document: dict, table: Table, name: str) -> Table:
    """The 2008 GeoJSON `crs` member as the table's system ("EPSG:6675"; CRS84 is WGS84); one
    gspace cannot read is a problem, an error unless the user gives --crs."""
    member = document.get("crs")
    if member is None:
        return table
    properties = member.get("properties") if isinstance(member, dict) else None
    if isinstance(properties, dict):
        if member.get("type") == "EPSG" and str(properties.get("code", "")).isdigit():
            table.crs = f"EPSG:{properties['code']}"
            return table
        text = str(properties.get("name") or "").strip()
        if CRS84_NAME.match(text):
            table.crs = "OGC:CRS84"
        elif match := EPSG_NAME.match(text):
            table.crs = f"EPSG:{match.group(1)}"
        elif text:
            try:
                table.crs = geo.parse_crs(text).to_string()
            except GspaceError:
                pass
        if table.crs:
            return table
    shown = json.dumps(member, ensure_ascii=False)
    table.crs_problem = (
        f"{name} names its coordinate system in a form gspace does not know "
        f"({shown[:80]}{'…' if len(shown) > 80 else ''}): give it with --crs"
    )
    return table
