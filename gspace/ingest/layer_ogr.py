"""Reading GIS files with GDAL through pyogrio: Shapefiles (also zipped, several to a zip),
GeoPackages and KML/KMZ (whose folders are layers).

A source with several layers is read only with a choice of layer (or "all"), so that nobody
imports the first table of a GeoPackage without knowing there were others. A Shapefile's
attribute table is decoded in the encoding the user gives, else the one its .cpg names, else
the one detected from its bytes as for a CSV (CP932 from Japanese software is the common case
without a .cpg; GDAL would read it as ISO-8859-1). pyogrio's warnings (several layers, odd
fields) never reach the user: what matters of them becomes an error or a note.
"""

from __future__ import annotations

import codecs
import struct
import warnings
import zipfile
from pathlib import Path, PurePosixPath

from gspace.errors import GspaceError
from gspace.ingest.layer_files import ALL_LAYERS, Table, cell, detect_encoding

DBF_SAMPLE = 4 << 20  # bytes of a .dbf's records looked at to detect its encoding
KML_STYLE_FIELDS = {"altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon"}
CPG_NAMES = {
    "UTF8": "utf-8",
    "65001": "utf-8",
    "SJIS": "cp932",
    "SHIFTJIS": "cp932",
    "SHIFT_JIS": "cp932",
    "MS932": "cp932",
    "WINDOWS31J": "cp932",
    "ANSI1252": "cp1252",
    "88591": "iso-8859-1",
}


def ogr_layers(path: Path) -> list[str]:
    if path.suffix.lower() == ".shp":
        missing = [
            part
            for part in (".shx", ".dbf")
            if not (path.with_suffix(part).exists() or path.with_suffix(part.upper()).exists())
        ]
        if missing:
            raise GspaceError(
                f"cannot read {path.name}: its {' and '.join(missing)} "
                f"{'file is' if len(missing) == 1 else 'files are'} missing (a Shapefile is "
                "several files with the same name: copy them all)"
            )
    if path.suffix.lower() == ".zip":
        return list(_zip_shapefiles(path))
    from pyogrio import list_layers

    source = _source(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [str(name) for name, _type in list_layers(source)]
    except Exception as e:  # pyogrio raises its own errors and GDAL's; none is shown
        raise _unreadable(path, e) from None


def ogr_table(path: Path, encoding: str | None, source_layer: str | None) -> Table:
    layers = ogr_layers(path)
    if not layers:
        raise GspaceError(f"{path.name} holds no layers")
    if source_layer == ALL_LAYERS:
        chosen = layers
    elif source_layer is not None:
        if source_layer not in layers:
            raise GspaceError(
                f"{path.name} has no layer {source_layer!r} (its layers: {', '.join(layers)})"
            )
        chosen = [source_layer]
    elif len(layers) == 1:
        chosen = layers
    else:
        raise GspaceError(
            f"{path.name} has {len(layers)} layers: {', '.join(layers)}; choose one with "
            "--source-layer NAME, or --source-layer all"
        )
    tables = [_layer_table(path, name, encoding) for name in chosen]
    table = tables[0] if len(tables) == 1 else _combined(chosen, tables)
    table.layers = layers
    table.layer = source_layer if len(layers) > 1 else None
    return table


def _source(path: Path) -> str:
    """What GDAL opens: a KMZ's main KML inside the zip (GDAL's LIBKML driver, given the
    .kmz itself, loses the fields declared in the document's schema)."""
    if path.suffix.lower() != ".kmz":
        return str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            kmls = [n for n in archive.namelist() if n.lower().endswith(".kml")]
    except (OSError, zipfile.BadZipFile, EOFError):
        raise GspaceError(f"cannot read {path.name}: it is not a complete KMZ file") from None
    if not kmls:
        raise GspaceError(f"{path.name} holds no KML document")
    main = "doc.kml" if "doc.kml" in kmls else min(kmls, key=lambda n: (n.count("/"), n))
    return f"/vsizip/{path.resolve()}/{main}"


def _zip_shapefiles(path: Path) -> dict[str, str]:
    """layer name -> member: every Shapefile in the zip, named by its file (with its folder
    when two share a name)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".shp")]
            listing = [n for n in archive.namelist() if not n.endswith("/")]
    except (OSError, zipfile.BadZipFile, EOFError):
        raise GspaceError(f"cannot read {path.name}: it is not a complete zip file") from None
    if not names:
        shown = ", ".join(listing[:5]) + (", …" if len(listing) > 5 else "")
        raise GspaceError(
            f"{path.name} holds no Shapefile ({shown or 'it is empty'}): unpack it and "
            "import the layer file itself"
        )
    stems = [PurePosixPath(n).stem for n in names]
    return {
        (stem if stems.count(stem) == 1 else n[:-4]): n
        for stem, n in zip(stems, names, strict=True)
    }


def _layer_table(path: Path, layer: str, encoding: str | None) -> Table:
    suffix = path.suffix.lower()
    source, options, member = _source(path), {"layer": layer}, None
    if suffix == ".zip":
        member = _zip_shapefiles(path)[layer]
        source, options = f"/vsizip/{path.resolve()}/{member}", {}
    notes, labelled = [], False
    if suffix in (".shp", ".zip"):
        encoding, labelled = _shapefile_encoding(path, encoding, member)
    else:
        if encoding and encoding.lower() not in ("auto", "utf-8", "utf8"):
            notes.append(f"--encoding {encoding} was not used: {path.suffix[1:]} text is UTF-8")
        encoding = None  # GeoPackage and KML are UTF-8 by definition
    try:
        meta, wkb, values = _read(path, source, encoding, options)
    except UnicodeDecodeError:
        detected = _detected(_sidecar(path, member, ".dbf")) if labelled else None
        if detected is None or detected == encoding:
            raise GspaceError(
                f"the attributes of {path.name} are not {encoding} (give another --encoding)"
            ) from None
        notes.append(f"the .cpg says {encoding}, but the attributes are {detected}")
        encoding = detected
        meta, wkb, values = _read(path, source, encoding, options)
    table = _table(meta, wkb, values, encoding or meta.get("encoding"), suffix)
    table.notes = notes
    return table


def _read(path: Path, source: str, encoding: str | None, options: dict):
    """(meta, WKB geometries, field values) of one layer, without pyogrio's warnings."""
    from pyogrio.raw import read

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            meta, _fids, wkb, values = read(source, encoding=encoding, **options)
    except UnicodeDecodeError:
        raise
    except Exception as e:  # as in ogr_layers
        raise _unreadable(path, e) from None
    return meta, wkb, values


def _table(meta: dict, wkb, values, encoding: str | None, suffix: str) -> Table:
    import shapely
    import shapely.geometry

    columns = [str(c) for c in meta["fields"]]
    keep = [
        i
        for i, c in enumerate(columns)
        if not (suffix in (".kml", ".kmz") and c in KML_STYLE_FIELDS)
    ]
    rows = []
    for number in range(len(wkb)):
        row = {columns[i]: cell(_plain(values[i][number])) for i in keep}
        row["_row"] = number + 1
        rows.append(row)
    geometries = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for shape in shapely.from_wkb(wkb, on_invalid="ignore"):
            if shape is None or shape.is_empty:
                geometries.append(None)
            else:
                geometries.append(_lists(shapely.geometry.mapping(shape)))
    crs = meta.get("crs")
    return Table([columns[i] for i in keep], rows, encoding, geometries, crs=crs or None)


def _combined(names: list[str], tables: list[Table]) -> Table:
    """Several layers as one table: a `source_layer` column says where each row came from,
    and rows are numbered within their layer ("避難所:3")."""
    columns: dict[str, None] = {}
    rows, geometries, row_crs = [], [], []
    for name, table in zip(names, tables, strict=True):
        columns.update(dict.fromkeys(table.columns))
        for row, geometry in zip(table.rows, table.geometries or [], strict=True):
            rows.append({**row, "source_layer": name, "_row": f"{name}:{row['_row']}"})
            geometries.append(geometry)
            row_crs.append(table.crs)
    encodings = ", ".join(dict.fromkeys(t.encoding for t in tables if t.encoding))
    combined = Table([*columns, "source_layer"], rows, encodings or None, geometries)
    combined.notes = list(dict.fromkeys(note for t in tables for note in t.notes))
    if len(set(row_crs)) == 1:
        combined.crs = row_crs[0] if row_crs else None
    else:
        combined.row_crs = row_crs
    return combined


def _shapefile_encoding(
    path: Path, given: str | None, member: str | None
) -> tuple[str | None, bool]:
    """The encoding to decode the attribute table with: `given`, else the .cpg's, else one
    detected from the .dbf's bytes (None leaves it to GDAL: a .cpg Python does not know); and
    whether it is the .cpg's, which can be wrong."""
    if given and given != "auto":
        try:
            return codecs.lookup(given).name, False
        except LookupError:
            raise GspaceError(f"unknown encoding {given!r} (e.g. cp932, utf-8)") from None
    cpg = _sidecar(path, member, ".cpg")
    if cpg is not None:
        name = cpg.decode("ascii", "replace").strip().upper().replace(" ", "").replace("-", "")
        name = CPG_NAMES.get(name, f"cp{name}" if name.isdigit() else name)
        try:
            return codecs.lookup(name).name, True
        except LookupError:
            return None, False
    return _detected(_sidecar(path, member, ".dbf")), False


def _detected(dbf: bytes | None) -> str | None:
    if dbf is None:
        return None
    try:
        detected = detect_encoding(_dbf_text(dbf))
    except GspaceError:
        return None  # GDAL's own reading, as without gspace
    return None if detected.startswith(("utf_16", "utf_32", "utf-16", "utf-32")) else detected


def _sidecar(path: Path, member: str | None, suffix: str) -> bytes | None:
    """The bytes of the Shapefile's file with `suffix` (any case), or None."""
    if member is None:
        for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
            if candidate.exists():
                return candidate.read_bytes()
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            wanted = member[:-4].lower() + suffix
            name = next((n for n in archive.namelist() if n.lower() == wanted), None)
            return archive.read(name) if name else None
    except (OSError, zipfile.BadZipFile, EOFError, KeyError):
        return None


def _dbf_text(dbf: bytes) -> bytes:
    """The field names and (the first few MB of) the records of a .dbf: the bytes that are
    text, cut at a record boundary so that no character is split."""
    if len(dbf) < 32:
        return b""
    header, record = struct.unpack_from("<HH", dbf, 8)
    names = b" ".join(
        dbf[offset : offset + 11].split(b"\x00", 1)[0]
        for offset in range(32, min(header, len(dbf)) - 31, 32)
        if dbf[offset] != 0x0D
    )
    count = min(max(1, DBF_SAMPLE // max(record, 1)), (len(dbf) - header) // max(record, 1))
    return names + b" " + dbf[header : header + count * record].rstrip(b"\x1a")


def _unreadable(path: Path, error: Exception) -> GspaceError:
    what = {
        ".shp": "a Shapefile",
        ".gpkg": "a GeoPackage",
        ".kml": "KML",
        ".kmz": "KMZ",
        ".zip": "a zipped Shapefile",
    }.get(path.suffix.lower(), "a GIS file")
    if isinstance(error, (FileNotFoundError, PermissionError)) or not path.exists():
        return GspaceError(f"cannot read {path}: no such file, or no permission")
    return GspaceError(f"cannot read {path.name}: it is damaged, incomplete or not {what}")


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
    import json

    return json.loads(json.dumps(shape)) if shape else None
