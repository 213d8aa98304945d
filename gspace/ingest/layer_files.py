"""Reading a reference-layer file into rows and WGS84 geometries.

Municipal open data comes as CSV in the national standard layouts, often in CP932, with
latitude/longitude columns (or X/Y in a plane rectangular zone), and as GeoJSON, Shapefile,
GeoPackage or KML (`gspace.ingest.layer_ogr`), or as JSON, GeoJSON or a plain list of records
(`gspace.ingest.layer_json`). Columns are mapped onto a kind's fields by its `[aliases]`; rows
without usable coordinates, or outside Japan even with latitude and longitude swapped, are
recorded as skipped with the reason. Geometries are reprojected here, from the system the file
declares, else the one the user gives, else WGS84 (what RFC 7946 GeoJSON and KML mean). Writing
the rows into the store is `gspace.ingest.layers`.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from gspace import geo
from gspace.catalog import LayerKind
from gspace.errors import GspaceError, check_file, file_message

LAT_NAMES = ("緯度", "lat", "latitude", "hokui", "北緯", "ido", "y_lat")
LON_NAMES = ("経度", "lon", "lng", "long", "longitude", "tokei", "東経", "keido", "x_lon")
X_NAMES = ("x座標", "x", "x_coord")  # plane rectangular: X is northing
Y_NAMES = ("y座標", "y", "y_coord")  # and Y easting
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
JSON_SUFFIXES = {".geojson", ".json", ".jsonl", ".ndjson", ".geojsonl", ".geojsons"}
OGR_SUFFIXES = {".shp", ".gpkg", ".kml", ".kmz", ".zip"}  # read with GDAL through pyogrio
LAYER_SUFFIXES = CSV_SUFFIXES | JSON_SUFFIXES | OGR_SUFFIXES
JGD2011 = "EPSG:6668"
ALL_LAYERS = "all"
DISAGREEMENT_M = 100  # a geometry and lat/lon columns further apart than this are reported


@dataclass
class Table:
    columns: list[str]
    rows: list[dict]  # column -> text; "_row" is the row number in the file (header = 1)
    encoding: str | None = None
    geometries: list[dict | None] | None = None  # GeoJSON: one geometry per row
    crs: str | None = None  # the system the file declares for its geometries
    row_crs: list[str | None] | None = None  # per row, when layers of several systems combine
    crs_problem: str | None = None  # a declaration gspace cannot read (an error without --crs)
    layer: str | None = None  # the source layer read ("all" for every one)
    layers: list[str] = field(default_factory=list)  # every layer of the source
    skipped: list[tuple[int | str, str]] = field(default_factory=list)  # lines not read
    notes: list[str] = field(default_factory=list)


@dataclass
class LayerSummary:
    kind: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    swapped: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    encoding: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    crs: str | None = None  # the coordinate system used, and where it came from
    layer: str | None = None  # the source layer read, for sources with several
    notes: list[str] = field(default_factory=list)  # what the user should know, one line each

    @classmethod
    def for_table(cls, kind: str, table: Table, mapping: dict[str, str]) -> LayerSummary:
        """A summary that starts with what reading the file found (lines it could not read,
        notes, the encoding and the source layer)."""
        return cls(
            kind,
            skipped=list(table.skipped),
            encoding=table.encoding,
            mapping=mapping,
            layer=table.layer,
            notes=list(table.notes),
        )

    def details(self) -> list[str]:
        """How the file was read: encoding, coordinate system, layer, columns; then notes."""
        parts = [f"read as {self.encoding or 'UTF-8'}"]
        if self.layer:
            parts.append(f"layer {self.layer}")
        if self.crs:
            parts.append(f"coordinates in {self.crs}")
        columns = ", ".join(f"{source} → {name}" for name, source in self.mapping.items())
        return ["; ".join([*parts, f"columns: {columns}"]), *self.notes]

    def line(self) -> str:
        text = (
            f"{self.kind}: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.skipped)} skipped"
        )
        if self.swapped:
            text += f" ({self.swapped} with latitude and longitude swapped back)"
        return text


# -- reading ---------------------------------------------------------------------------------
def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes, else CP932 (Shift_JIS as Windows writes it)
    when it decodes, else charset-normalizer's best guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for encoding in ("utf-8", "cp932"):
        try:
            data.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise GspaceError("cannot tell the file's text encoding (give --encoding)")
    return best.encoding


def read_table(path: Path, encoding: str | None = None, source_layer: str | None = None) -> Table:
    """The rows of `path` (of its layer `source_layer`, or of every layer with "all"; a
    source with several layers and no choice is refused with the list)."""
    check_file(path)
    suffix = path.suffix.lower()
    if suffix in OGR_SUFFIXES:
        from gspace.ingest.layer_ogr import ogr_table

        return ogr_table(path, encoding, source_layer)
    if suffix not in CSV_SUFFIXES | JSON_SUFFIXES:
        raise GspaceError(
            f"{path.name}: gspace reads CSV, GeoJSON, Shapefile (also zipped), GeoPackage, "
            "KML/KMZ and JSON lists of records"
        )
    if source_layer not in (None, ALL_LAYERS, path.stem):
        raise GspaceError(f"{path.name} has one layer only ({path.stem})")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise GspaceError(file_message(e, path)) from None
    if suffix in JSON_SUFFIXES:
        from gspace.ingest.layer_json import json_table

        table = json_table(data, path, encoding)
    else:
        table = _csv_table(data, encoding)
    table.layers = [path.stem]
    return table


def list_layers(path: Path) -> list[str]:
    """The layers of a source: GeoPackage tables, KML folders, the Shapefiles of a zip; a CSV
    or JSON file is one layer named after the file."""
    check_file(path)
    if path.suffix.lower() in OGR_SUFFIXES:
        from gspace.ingest.layer_ogr import ogr_layers

        return ogr_layers(path)
    return [path.stem]


def _csv_table(data: bytes, encoding: str | None) -> Table:
    encoding = encoding if encoding and encoding != "auto" else detect_encoding(data)
    try:
        text = data.decode(encoding)
    except LookupError:
        raise GspaceError(f"unknown encoding {encoding!r} (e.g. cp932, utf-8)") from None
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise GspaceError(
            f"the file is not {encoding} text (line {line}); give another --encoding, or auto"
        ) from None
    text = text.lstrip("\ufeff")
    delimiter = (
        "\t" if text.split("\n", 1)[0].count("\t") > text.split("\n", 1)[0].count(",") else ","
    )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise GspaceError("the file is empty")
    columns = [h.strip() or f"column{i + 1}" for i, h in enumerate(header)]
    rows = []
    width = len(columns)
    for number, cells in enumerate(reader, start=2):
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        row = dict(zip(columns, map(str.strip, cells), strict=False))  # extra cells drop
        if not any(row.values()):
            continue
        row["_row"] = number
        rows.append(row)
    return Table(columns, rows, encoding)


def cell(value) -> str:
    """A value as the text of a cell (lists and objects as JSON)."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


# -- mapping columns -------------------------------------------------------------------------
def _key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _find(columns: list[str], names) -> str | None:
    """The first column called by one of `names`; else a nested one (JSON's `latlng.lat`)
    whose last part is."""
    by_key = {_key(c): c for c in columns}
    by_leaf: dict[str, str] = {}
    for c in columns:
        if "." in c.strip("."):
            by_leaf.setdefault(_key(c.rsplit(".", 1)[-1]), c)
    return next((by_key[_key(n)] for n in names if _key(n) in by_key), None) or next(
        (by_leaf[_key(n)] for n in names if _key(n) in by_leaf), None
    )


def detect_mapping(
    table: Table, kind: LayerKind, lat: str | None = None, lon: str | None = None
) -> dict[str, str]:
    """canonical field (and "lat", "lon", "x", "y") -> source column."""
    mapping = {
        name: column
        for name, aliases in kind.aliases.items()
        if (column := _find(table.columns, aliases))
    }
    for role, given, names in (
        ("lat", lat, LAT_NAMES),
        ("lon", lon, LON_NAMES),
        ("x", None, X_NAMES),
        ("y", None, Y_NAMES),
    ):
        if given and given not in table.columns:
            raise GspaceError(f"no column {given!r} (columns: {', '.join(table.columns)})")
        column = given or _find(table.columns, names)
        if column:
            mapping[role] = column
    return mapping


# -- coordinates -----------------------------------------------------------------------------
def coordinates(
    table: Table, mapping: dict[str, str], crs_text: str | None, summary: LayerSummary
) -> list[dict | None]:
    """One WGS84 GeoJSON geometry (or None, with the row recorded as skipped) per row.

    A file's geometries are read in the system it declares, else in `crs_text` (--crs), else
    as WGS84; rows without a geometry fall back to latitude/longitude columns. A file without
    geometries is read from its latitude/longitude (or X/Y) columns in `crs_text`, else in
    JGD2011. Rows of several layers read together get their id qualified by their layer
    ("井戸:3"), as each layer numbers its own rows."""
    if table.layer == ALL_LAYERS and len(table.layers) > 1 and mapping.get("id"):
        for row in table.rows:
            layer = row.get("source_layer")
            if layer and row.get(mapping["id"]) and not row[mapping["id"]].startswith(f"{layer}:"):
                row[mapping["id"]] = f"{layer}:{row[mapping['id']]}"
    if table.geometries is not None and any(g is not None for g in table.geometries):
        if crs_text is None and table.crs_problem:
            raise GspaceError(table.crs_problem)
        from gspace.ingest.layer_geometry import file_geometries

        return file_geometries(table, mapping, crs_text, summary)
    crs = geo.parse_crs(crs_text) if crs_text else None
    summary.crs = f"{crs_text} (--crs)" if crs_text else "JGD2011 latitude/longitude"
    if crs is not None and geo.is_projected(crs):
        if not ("x" in mapping and "y" in mapping):
            raise GspaceError(f"{crs_text} is projected but the file has no X/Y columns")
        first_col, second_col = mapping["y"], mapping["x"]  # easting, northing
    elif "lat" in mapping and "lon" in mapping:
        first_col, second_col = mapping["lon"], mapping["lat"]
    elif "x" in mapping:
        raise GspaceError(
            "the file has X/Y columns: give their system with --crs (e.g. "
            "EPSG:6677 for plane rectangular zone IX, JGD2011)"
        )
    elif table.geometries is not None:
        raise GspaceError(
            f"no latitude/longitude columns found, and none of the {len(table.rows)} rows has "
            "a geometry (name the columns with --lat and --lon)"
        )
    else:
        raise GspaceError("no latitude/longitude columns found (name them with --lat and --lon)")
    return column_points(table, range(len(table.rows)), (first_col, second_col), crs, summary)


def column_points(
    table: Table, indices, columns: tuple[str, str], crs, summary: LayerSummary
) -> list[dict | None]:
    """Points from two columns (longitude and latitude, or easting and northing in `crs`) of
    the rows `indices`; a list as long as the table, None where there is no point."""
    first_col, second_col = columns
    indices = list(indices)
    parsed = {
        i: (
            geo.parse_number(table.rows[i].get(first_col)),
            geo.parse_number(table.rows[i].get(second_col)),
        )
        for i in indices
    }
    good = [i for i in indices if None not in parsed[i]]
    lons, lats = geo.to_wgs84(
        crs or geo.parse_crs(JGD2011), [parsed[i][0] for i in good], [parsed[i][1] for i in good]
    )
    result: list[dict | None] = [None] * len(table.rows)
    for i, lon, lat in zip(good, lons, lats, strict=True):
        result[i] = point(lon, lat, table.rows[i]["_row"], summary)
    for i in indices:
        if None in parsed[i]:
            row = table.rows[i]
            summary.skipped.append(
                (
                    row["_row"],
                    f"no usable coordinates ({row.get(second_col)!r}, {row.get(first_col)!r})",
                )
            )
    return result


def point(lon: float, lat: float, row, summary: LayerSummary) -> dict | None:
    """A point in Japan (latitude and longitude swapped back if need be), else None with the
    row skipped."""
    if geo.in_japan(lon, lat):
        return {"type": "Point", "coordinates": [lon, lat]}
    if geo.in_japan(lat, lon):
        summary.swapped += 1
        return {"type": "Point", "coordinates": [lat, lon]}
    summary.skipped.append((row, f"outside Japan ({lat:.6f}, {lon:.6f})"))
    return None
