"""Reading a reference-layer file into rows and WGS84 geometries.

Municipal open data comes as CSV in the national standard layouts, often in CP932, with
latitude/longitude columns (or X/Y in a plane rectangular zone), and as GeoJSON, Shapefile,
GeoPackage or KML (read with GDAL through pyogrio). Columns are mapped onto a kind's fields by
its `[aliases]`; rows without usable coordinates, or outside Japan even with latitude and
longitude swapped, are recorded as skipped with the reason. Writing the rows into the store is
`gspace.ingest.layers`.
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
from gspace.errors import GspaceError

LAT_NAMES = ("緯度", "lat", "latitude", "hokui", "北緯", "ido", "y_lat")
LON_NAMES = ("経度", "lon", "lng", "long", "longitude", "tokei", "東経", "keido", "x_lon")
X_NAMES = ("x座標", "x", "x_coord")  # plane rectangular: X is northing
Y_NAMES = ("y座標", "y", "y_coord")  # and Y easting
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
JSON_SUFFIXES = {".geojson", ".json"}
OGR_SUFFIXES = {".shp", ".gpkg", ".kml", ".kmz"}  # read with GDAL through pyogrio
LAYER_SUFFIXES = CSV_SUFFIXES | JSON_SUFFIXES | OGR_SUFFIXES
JGD2011 = "EPSG:6668"


@dataclass
class Table:
    columns: list[str]
    rows: list[dict]  # column -> text; "_row" is the row number in the file (header = 1)
    encoding: str | None = None
    geometries: list[dict | None] | None = None  # GeoJSON: one geometry per row


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


def read_table(path: Path, encoding: str | None = None) -> Table:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise GspaceError(f"cannot read {path}: {e.strerror or e}") from None
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        return _geojson_table(data, path)
    if suffix in CSV_SUFFIXES:
        return _csv_table(data, encoding)
    if suffix in OGR_SUFFIXES:
        return _ogr_table(path, encoding)
    raise GspaceError(
        f"{path.name}: gspace reads CSV, GeoJSON, Shapefile, GeoPackage and KML/KMZ layers"
    )


def _ogr_table(path: Path, encoding: str | None) -> Table:
    """Shapefile (with its .prj and .cpg), GeoPackage, KML/KMZ: geometries come back in WGS84."""
    import shapely
    from pyogrio.errors import DataLayerError, DataSourceError
    from pyogrio.raw import read

    source = str(path)
    if path.suffix.lower() == ".kmz":
        source = f"/vsizip/{path}/doc.kml"
    try:
        meta, _fids, wkb, values = read(
            source, encoding=None if encoding in (None, "auto") else encoding
        )
    except (DataSourceError, DataLayerError, OSError, ValueError) as e:
        raise GspaceError(f"cannot read {path.name}: {e}") from None
    columns = [str(c) for c in meta["fields"]]
    geometries = shapely.from_wkb(wkb)
    crs = meta.get("crs")
    if crs and geo.parse_crs(crs) != geo.parse_crs("EPSG:4326"):
        transformer = geo.parse_crs(crs)
        geometries = shapely.transform(
            geometries, lambda xy: _wgs84_array(transformer, xy), include_z=False
        )
    rows = []
    for number in range(len(wkb)):
        row = {c: _cell(_plain(values[i][number])) for i, c in enumerate(columns)}
        row["_row"] = number + 1
        rows.append(row)
    shapes = [None if g is None or g.is_empty else shapely.geometry.mapping(g) for g in geometries]
    return Table(columns, rows, meta.get("encoding"), [_lists(s) for s in shapes])


def _wgs84_array(crs, xy):
    import numpy

    lons, lats = geo.to_wgs84(crs, xy[:, 0], xy[:, 1])
    return numpy.column_stack([lons, lats])


def _plain(value):
    """numpy scalars and missing values as plain Python values."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return None if str(value) == "NaT" else value


def _lists(shape: dict | None) -> dict | None:
    """shapely's GeoJSON mapping uses tuples; stored GeoJSON uses lists."""
    return json.loads(json.dumps(shape)) if shape else None


def _csv_table(data: bytes, encoding: str | None) -> Table:
    encoding = encoding if encoding and encoding != "auto" else detect_encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as e:
        raise GspaceError(f"the file is not {encoding}: {e}") from None
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


def _geojson_table(data: bytes, path: Path) -> Table:
    try:
        document = json.loads(data.decode("utf-8-sig"))
        features = (
            document["features"] if document.get("type") == "FeatureCollection" else [document]
        )
    except (UnicodeDecodeError, ValueError, KeyError, AttributeError, TypeError) as e:
        raise GspaceError(f"{path.name} is not GeoJSON: {e}") from None
    columns: dict[str, None] = {}
    rows, geometries = [], []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") or {} if isinstance(feature, dict) else {}
        row = {k: _cell(v) for k, v in properties.items()}
        columns.update(dict.fromkeys(row))
        row["_row"] = number
        rows.append(row)
        geometries.append(feature.get("geometry") if isinstance(feature, dict) else None)
    return Table(list(columns), rows, "utf-8", geometries)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


# -- mapping columns -------------------------------------------------------------------------
def _key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _find(columns: list[str], names) -> str | None:
    by_key = {_key(c): c for c in columns}
    return next((by_key[_key(n)] for n in names if _key(n) in by_key), None)


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
    """One WGS84 GeoJSON geometry (or None, with the row recorded as skipped) per row."""
    crs = geo.parse_crs(crs_text) if crs_text else None
    if table.geometries is not None and not (crs and "lat" in mapping):
        return _checked_geometries(table, crs, summary)
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
    else:
        raise GspaceError("no latitude/longitude columns found (name them with --lat and --lon)")
    parsed = [
        (geo.parse_number(row.get(first_col)), geo.parse_number(row.get(second_col)))
        for row in table.rows
    ]
    good = [i for i, (a, b) in enumerate(parsed) if a is not None and b is not None]
    lons, lats = geo.to_wgs84(
        crs or geo.parse_crs(JGD2011), [parsed[i][0] for i in good], [parsed[i][1] for i in good]
    )
    result: list[dict | None] = [None] * len(table.rows)
    for i, lon, lat in zip(good, lons, lats, strict=True):
        result[i] = _point(lon, lat, table.rows[i]["_row"], summary)
    for i, (a, b) in enumerate(parsed):
        if a is None or b is None:
            summary.skipped.append(
                (
                    table.rows[i]["_row"],
                    "no usable coordinates "
                    f"({table.rows[i].get(second_col)!r}, "
                    f"{table.rows[i].get(first_col)!r})",
                )
            )
    return result


def _point(lon: float, lat: float, row: int, summary: LayerSummary) -> dict | None:
    if geo.in_japan(lon, lat):
        return {"type": "Point", "coordinates": [lon, lat]}
    if geo.in_japan(lat, lon):
        summary.swapped += 1
        return {"type": "Point", "coordinates": [lat, lon]}
    summary.skipped.append((row, f"outside Japan ({lat:.6f}, {lon:.6f})"))
    return None


def _checked_geometries(table: Table, crs, summary: LayerSummary) -> list[dict | None]:
    result = []
    for row, geometry in zip(table.rows, table.geometries or [], strict=True):
        if not isinstance(geometry, dict) or not geometry.get("coordinates"):
            summary.skipped.append((row["_row"], "no geometry"))
            result.append(None)
        elif geometry.get("type") == "Point":
            try:
                x, y = (float(v) for v in geometry["coordinates"][:2])
            except (TypeError, ValueError):
                summary.skipped.append((row["_row"], "unreadable point coordinates"))
                result.append(None)
                continue
            if crs is not None:
                [x], [y] = geo.to_wgs84(crs, [x], [y])
            result.append(_point(x, y, row["_row"], summary))
        else:
            result.append(geometry)  # lines and polygons are kept as given (RFC 7946: WGS84)
    return result
