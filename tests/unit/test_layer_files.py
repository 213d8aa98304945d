"""Layer files as cities hand them over: GeoJSON with a 2008 `crs` member, Shapefiles without
a .cpg, GeoPackages and KML with several layers, JSON lists of records. Every file here is
derived from the real open data in ../shared/fixtures/layers."""

import csv
import io
import json
import zipfile

import numpy
import pytest
import shapely
from helpers import metres, run_gspace
from pyogrio.raw import write
from pyproj import Transformer

from gspace.errors import GspaceError
from gspace.ingest.layer_files import list_layers, read_table
from gspace.ingest.layers import import_layer
from gspace.store import query
from gspace.store.incident import Incident

SITES = "evacuation_sites.geojson"  # Matsuyama, 390 points in WGS84
SHELTERS = "122033_103_evacuation_space.csv"  # Ichikawa, CP932, 121 shelters
WELLS = "122033_207_well_for_disaster.csv"  # Ichikawa, CP932, 14 wells
WIFI = "130001_public_wireless_lan_20240901.csv"  # Tokyo, CP932, 737 access points


def csv_rows(path):
    text = path.read_bytes().decode("cp932")
    return [r for r in csv.DictReader(io.StringIO(text)) if any(r.values())]


def positions(incident):
    return {f["name"]: (f["lat"], f["lon"]) for f in query.features(incident)}


def unchanged(summary):
    return (summary.added, summary.updated, summary.skipped) == (0, 0, [])


# -- 3. coordinate systems declared by the file ----------------------------------------------
def sites_in_6675(layers_dir, tmp_path, crs_member):
    """The Matsuyama sites rewritten into plane rectangular zone VII (metres), as a 2008
    GeoJSON file writes them; returns the path and the original WGS84 positions."""
    document = json.loads((layers_dir / SITES).read_text(encoding="utf-8"))
    to_metres = Transformer.from_crs("EPSG:4326", "EPSG:6675", always_xy=True)
    original = {}
    for feature in document["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        original[feature["properties"]["name"].strip()] = (lat, lon)
        feature["geometry"]["coordinates"] = list(to_metres.transform(lon, lat))
    if crs_member is not None:
        document["crs"] = crs_member
    path = tmp_path / "sites_6675.geojson"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path, original


@pytest.mark.parametrize(
    "crs_member",
    [
        {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::6675"}},
        {"type": "name", "properties": {"name": "EPSG:6675"}},
        {"type": "EPSG", "properties": {"code": 6675}},
    ],
    ids=["urn", "epsg", "code"],
)
def test_a_geojson_crs_member_in_metres_is_honoured(layers_dir, tmp_path, incident, crs_member):
    path, original = sites_in_6675(layers_dir, tmp_path, crs_member)
    summary = import_layer(incident, path, "shelter")
    assert summary.added == len(original) == 390 and summary.skipped == []
    assert summary.crs == "EPSG:6675 (from the file)"
    imported = positions(incident)
    assert max(metres(*imported[n], *original[n]) for n in original) < 1.0
    assert unchanged(import_layer(incident, path, "shelter"))


def test_the_crs84_form_is_wgs84(layers_dir, tmp_path, incident):
    document = json.loads((layers_dir / SITES).read_text(encoding="utf-8"))
    document["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    path = tmp_path / "crs84.geojson"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    summary = import_layer(incident, path, "shelter")
    assert summary.added == 390 and summary.crs == "OGC:CRS84 (from the file)"
    castle = next(f for f in query.features(incident) if f["name"] == "城山公園")
    assert (castle["lon"], castle["lat"]) == (132.7618544, 33.84199297)


def test_crs_applies_to_geometries_that_carry_none(layers_dir, tmp_path, incident):
    path, original = sites_in_6675(layers_dir, tmp_path, None)
    with pytest.raises(GspaceError) as refused:  # metres read as degrees: nothing in Japan
        import_layer(incident, path, "shelter")
    assert "--crs" in str(refused.value)
    summary = import_layer(incident, path, "shelter", crs="EPSG:6675")
    assert summary.added == 390 and summary.crs == "EPSG:6675 (--crs)"
    imported = positions(incident)
    assert max(metres(*imported[n], *original[n]) for n in original) < 1.0


def test_a_shapefile_without_prj_takes_crs(layers_dir, tmp_path, incident):
    rows = csv_rows(layers_dir / WELLS)
    to_metres = Transformer.from_crs("EPSG:4326", "EPSG:6677", always_xy=True)
    points = [to_metres.transform(float(r["経度"]), float(r["緯度"])) for r in rows]
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        write_points(tmp_path / "wells.shp", points, [r["名称"] for r in rows], crs=None)
    assert not (tmp_path / "wells.prj").exists()
    summary = import_layer(incident, tmp_path / "wells.shp", "water", crs="EPSG:6677")
    assert summary.added == 14 and summary.crs == "EPSG:6677 (--crs)"
    imported = positions(incident)
    assert max(metres(*imported[r["名称"]], float(r["緯度"]), float(r["経度"])) for r in rows) < 1


def test_a_geometry_and_latlon_columns_that_disagree_are_reported(layers_dir, tmp_path, incident):
    document = json.loads((layers_dir / SITES).read_text(encoding="utf-8"))
    for feature in document["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        feature["properties"].update({"緯度": lat, "経度": lon})
    document["features"][0]["properties"]["緯度"] += 0.005  # about 550 m north
    document["features"][1]["geometry"] = None  # only the columns say where it is
    path = tmp_path / "both.geojson"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    summary = import_layer(incident, path, "shelter")
    assert summary.added == 390
    [apart, fallback] = summary.notes
    assert apart.startswith("1 rows: the geometry and the latitude/longitude columns (緯度, 経度)")
    assert apart.endswith("(up to 555 m); the geometry was used")
    assert fallback.startswith("1 rows without a usable geometry")
    castle = next(f for f in query.features(incident) if f["name"] == "城山公園")
    assert (castle["lon"], castle["lat"]) == (132.7618544, 33.84199297)  # the geometry


# -- 5. encodings of Shapefile attribute tables ----------------------------------------------
def write_points(path, points, names, crs="EPSG:6668", encoding="cp932", layer=None, **kw):
    write(
        str(path),
        geometry=numpy.array(shapely.to_wkb([shapely.Point(p) for p in points]), dtype=object),
        field_data=[numpy.array(names, dtype=object), numpy.arange(len(names))],
        fields=["名称", "番号"],
        crs=crs,
        geometry_type="Point",
        encoding=encoding,
        layer=layer,
        **kw,
    )


def shelters_shapefile(layers_dir, folder, encoding="cp932", cpg=False):
    rows = csv_rows(layers_dir / SHELTERS)
    path = folder / "避難所.shp"
    points = [(float(r["経度"]), float(r["緯度"])) for r in rows]
    write_points(path, points, [r["名称"] for r in rows], encoding=encoding)
    if not cpg:
        path.with_suffix(".cpg").unlink()
    return path, {r["名称"] for r in rows}


@pytest.mark.parametrize("given", [None, "auto", "cp932"])
def test_a_cp932_shapefile_without_cpg_keeps_its_names(layers_dir, tmp_path, incident, given):
    path, names = shelters_shapefile(layers_dir, tmp_path)
    assert not path.with_suffix(".cpg").exists()
    summary = import_layer(incident, path, "shelter", encoding=given)
    assert summary.encoding == "cp932" and summary.added == 121
    imported = {f["name"] for f in query.features(incident)}
    assert imported == names and "県立国分高校" in imported
    assert not any("\ufffd" in n or "\x93" in n for n in imported)
    assert unchanged(import_layer(incident, path, "shelter", encoding=given))


def test_a_utf8_shapefile_without_cpg_and_one_with_cpg(layers_dir, tmp_path, incident):
    (tmp_path / "u").mkdir()
    (tmp_path / "c").mkdir()
    utf8, names = shelters_shapefile(layers_dir, tmp_path / "u", encoding="utf-8")
    with_cpg, _ = shelters_shapefile(layers_dir, tmp_path / "c", cpg=True)
    assert import_layer(incident, utf8, "shelter").encoding == "utf-8"
    assert {f["name"] for f in query.features(incident)} == names
    assert read_table(with_cpg).encoding == "cp932"
    with pytest.raises(GspaceError, match="attributes of 避難所.shp are not utf-8"):
        read_table(with_cpg, "utf-8")  # the user's choice is obeyed, and said to be wrong
    assert read_table(utf8, "cp1252").encoding == "cp1252"  # wrong but decodable: obeyed


def test_a_cpg_that_names_the_wrong_encoding_is_noticed(layers_dir, tmp_path, incident):
    path, names = shelters_shapefile(layers_dir, tmp_path)
    path.with_suffix(".cpg").write_text("UTF-8\n", encoding="ascii")
    summary = import_layer(incident, path, "shelter")
    assert summary.encoding == "cp932"
    assert summary.notes == ["the .cpg says utf-8, but the attributes are cp932"]
    assert {f["name"] for f in query.features(incident)} == names


def test_a_wrong_or_unknown_encoding_is_one_plain_line(layers_dir, tmp_path, incident):
    shapefile, _names = shelters_shapefile(layers_dir, tmp_path)
    cases = [
        (layers_dir / SHELTERS, "utf-8", "the file is not utf-8 text (line 1); give another"),
        (layers_dir / SHELTERS, "klingon", "unknown encoding 'klingon' (e.g. cp932, utf-8)"),
        (shapefile, "klingon", "unknown encoding 'klingon' (e.g. cp932, utf-8)"),
        (shapefile, "utf-8", "the attributes of 避難所.shp are not utf-8 (give another"),
    ]
    for path, encoding, message in cases:
        with pytest.raises(GspaceError) as refused:
            import_layer(incident, path, "shelter", encoding=encoding)
        assert str(refused.value).startswith(message) and "codec" not in str(refused.value)


# -- 6. sources with several layers ----------------------------------------------------------
def two_layer_sources(layers_dir, tmp_path):
    """A GeoPackage, a KML with two folders (and as KMZ) and a zip of two Shapefiles, each
    holding the Ichikawa shelters and wells."""
    shelters, wells = csv_rows(layers_dir / SHELTERS), csv_rows(layers_dir / WELLS)
    gpkg = tmp_path / "ichikawa.gpkg"
    for layer, rows in (("避難所", shelters), ("井戸", wells)):
        points = [(float(r["経度"]), float(r["緯度"])) for r in rows]
        names = [r["名称"] for r in rows]
        write_points(gpkg, points, names, layer=layer, encoding=None, append=gpkg.exists())
        write_points(tmp_path / f"{layer}.shp", points, names)
    with zipfile.ZipFile(tmp_path / "ichikawa.zip", "w") as archive:
        for part in tmp_path.glob("*.*"):
            if part.suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                archive.write(part, f"data/{part.name}")
    folders = "".join(
        f"<Folder><name>{layer}</name>"
        + "".join(
            f"<Placemark id='{n}'><name>{r['名称']}</name><Point><coordinates>"
            f"{r['経度']},{r['緯度']}</coordinates></Point></Placemark>"
            for n, r in enumerate(rows)
        )
        + "</Folder>"
        for layer, rows in (("避難所", shelters), ("井戸", wells))
    )
    kml = tmp_path / "ichikawa.kml"
    kml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document><name>市川市</name>{folders}</Document></kml>",
        encoding="utf-8",
    )
    with zipfile.ZipFile(tmp_path / "ichikawa.kmz", "w") as archive:
        archive.write(kml, "doc.kml")
    return [gpkg, kml, tmp_path / "ichikawa.kmz", tmp_path / "ichikawa.zip"], shelters, wells


def test_several_layers_are_listed_and_one_or_all_imported(layers_dir, tmp_path):
    sources, shelters, wells = two_layer_sources(layers_dir, tmp_path)
    for number, source in enumerate(sources):
        assert sorted(list_layers(source)) == ["井戸", "避難所"], source.name
        with Incident.create(tmp_path / f"inc{number}") as inc:
            with pytest.raises(GspaceError) as refused:
                import_layer(inc, source, "shelter")
            message = str(refused.value)
            assert "2 layers:" in message and "井戸" in message and "避難所" in message
            assert "--source-layer" in message and "\n" not in message
            with pytest.raises(GspaceError, match="no layer '公園'"):
                import_layer(inc, source, "shelter", source_layer="公園")
            summary = import_layer(inc, source, "water", source_layer="井戸")
            assert summary.added == len(wells) == 14 and summary.layer == "井戸"
            assert {f["name"] for f in query.features(inc)} == {r["名称"] for r in wells}
            everything = import_layer(inc, source, "shelter", source_layer="all")
            assert everything.added == len(shelters) + len(wells) == 135
            assert unchanged(import_layer(inc, source, "shelter", source_layer="all"))
            gym = next(f for f in query.features(inc, ["shelter"]) if f["name"] == "県立国分高校")
            assert gym["attributes"]["source_layer"] == "避難所"
            row = next(r for r in shelters if r["名称"] == "県立国分高校")
            assert metres(gym["lat"], gym["lon"], float(row["緯度"]), float(row["経度"])) < 0.01


def test_a_source_with_one_layer_needs_no_choice(layers_dir, tmp_path, incident):
    rows = csv_rows(layers_dir / WELLS)
    path = tmp_path / "wells.gpkg"
    write_points(
        path,
        [(float(r["経度"]), float(r["緯度"])) for r in rows],
        [r["名称"] for r in rows],
        encoding=None,
    )
    assert import_layer(incident, path, "water").added == 14
    assert import_layer(incident, path, "water", source_layer="wells").unchanged == 14


# -- 4. tabular JSON -------------------------------------------------------------------------
def wifi_records(layers_dir):
    return [
        {
            "id": r["NO"],
            "name": r["名称"],
            "address": r["住所"],
            "ssid": r["SSID"],
            "latlng": {"lat": float(r["緯度"]), "lng": float(r["経度"])},
        }
        for r in csv_rows(layers_dir / WIFI)
    ]


@pytest.mark.parametrize("form", ["array", "jsonl", "wrapped", "lines_as_json"])
def test_a_json_list_of_records_with_nested_coordinates(layers_dir, tmp_path, incident, form):
    records = wifi_records(layers_dir)
    if form in ("jsonl", "lines_as_json"):
        path = tmp_path / ("wifi.jsonl" if form == "jsonl" else "wifi.json")
        text = "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"
    else:
        path = tmp_path / "wifi.json"
        wrapped = {"count": len(records), "tags": ["wifi"], "items": records}
        text = json.dumps(records if form == "array" else wrapped, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    summary = import_layer(incident, path, "wifi")
    assert summary.added == 737 and summary.skipped == []
    assert (summary.mapping["lat"], summary.mapping["lon"]) == ("latlng.lat", "latlng.lng")
    assert summary.mapping["name"] == "name" and summary.mapping["address"] == "address"
    got = {(f["name"], f["lat"], f["lon"]) for f in query.features(incident)}
    assert got == {(r["name"], r["latlng"]["lat"], r["latlng"]["lng"]) for r in records}
    assert unchanged(import_layer(incident, path, "wifi"))


@pytest.mark.parametrize(
    "place",
    [
        lambda lat, lon: {"location": {"lat": lat, "lon": lon}},
        lambda lat, lon: {"position": {"latitude": lat, "longitude": lon}},
        lambda lat, lon: {"geometry": {"type": "Point", "coordinates": [lon, lat]}},
        lambda lat, lon: {"geometry": {"coordinates": [lon, lat]}},
        lambda lat, lon: {"coordinates": [lon, lat]},
        lambda lat, lon: {"緯度": str(lat), "経度": str(lon)},
    ],
    ids=["location", "position", "geometry", "untyped", "coordinates", "flat"],
)
def test_coordinates_are_found_in_the_usual_places(layers_dir, tmp_path, incident, place):
    rows = csv_rows(layers_dir / WELLS)
    records = [{"名称": r["名称"], **place(float(r["緯度"]), float(r["経度"]))} for r in rows]
    path = tmp_path / "wells.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    assert import_layer(incident, path, "water").added == 14
    imported = positions(incident)
    assert all(imported[r["名称"]] == (float(r["緯度"]), float(r["経度"])) for r in rows)


BAD_JSON = {
    "empty.json": (b"", "is empty"),
    "empty_list.json": (b"[]", "holds no records (an empty list)"),
    "numbers.json": (b"[1, 2, 3]", "its 3 entries are number, not objects"),
    "strings.jsonl": (b'"a"\n"b"\n', "its 2 entries are text, not objects"),
    "scalar.json": (b"42", "holds a single number"),
    "object.json": (b'{"a": 1, "b": 2}', "neither GeoJSON nor a list of records"),
    "truncated.json": (b'[{"name": "\xe5\x85\xac\xe5\x9c\x92", "lat": 35.', "ends too early"),
    "broken.json": (b'[{"name": }]', "is not valid JSON (line 1: expecting value)"),
    "deep.json": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "features.geojson": (b'{"type": "FeatureCollection", "features": 3}', "without a list"),
    "wrong_encoding.json": ('[{"名称": "公園"}]'.encode("cp932"), "is not utf-8 text"),
    "bad_crs.geojson": (
        b'{"type": "FeatureCollection", "crs": {"type": "link"}, "features": '
        b'[{"type": "Feature", "geometry": {"type": "Point", "coordinates": [135, 35]}}]}',
        "names its coordinate system in a form gspace does not know",
    ),
    "no_coordinates.json": (b'[{"name": "x"}]', "no latitude/longitude columns found"),
}


@pytest.mark.parametrize("name", BAD_JSON, ids=list(BAD_JSON))
def test_bad_json_gives_one_clear_line(tmp_path, incident, name):
    data, expected = BAD_JSON[name]
    (tmp_path / name).write_bytes(data)
    with pytest.raises(GspaceError) as refused:
        import_layer(
            incident, tmp_path / name, "generic", encoding="utf-8" if "wrong" in name else None
        )
    message = str(refused.value)
    assert expected in message and "\n" not in message and len(message) < 300
    assert "attribute" not in message and "Errno" not in message and "char " not in message


def test_bad_records_are_skipped_and_good_ones_kept(tmp_path, incident):
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        '{"name": "良い", "lat": 35.0, "lon": 135.0}\n'
        "[1, 2]\n"
        '{"name": "切れた", "lat": 35.\n'
        '{"name": "大きすぎる", "lat": 1e999, "lon": ' + "9" * 5000 + "}\n"
        '{"name": "入れ子", "lat": {"a": {"b": [[[]]]}}, "lon": null}\n'
        '{"name": "逆さま", "lat": 135.5, "lon": 35.5}\n',
        encoding="utf-8",
    )
    summary = import_layer(incident, path, "generic")
    reasons = dict(summary.skipped)
    assert set(reasons) == {2, 3, 4, 5}
    assert reasons[2] == "a list, not a record" and "ends too early" in reasons[3]
    assert "no usable coordinates" in reasons[4] and "no usable coordinates" in reasons[5]
    assert positions(incident) == {"良い": (35.0, 135.0), "逆さま": (35.5, 135.5)}


# -- the command line ------------------------------------------------------------------------
def test_cli_several_layers_encodings_and_json_without_warnings(layers_dir, tmp_path):
    (tmp_path / "src").mkdir()
    sources, _shelters, _wells = two_layer_sources(layers_dir, tmp_path / "src")
    run_gspace("init", tmp_path / "inc", check=True)

    def gspace_import(path, kind, *options):
        result = run_gspace("import", "layer", tmp_path / "inc", path, "--kind", kind, *options)
        assert "Warning" not in result.stderr and "Traceback" not in result.stderr, result.stderr
        return result

    for source in sources:
        refused = gspace_import(source, "shelter")
        assert refused.returncode == 1
        [line] = refused.stderr.strip().splitlines()
        assert line.startswith(f"gspace: {source.name} has 2 layers: ") and "--source-layer" in line
        wells = gspace_import(source, "water", "--source-layer", "井戸")
        assert wells.returncode == 0, wells.stderr
        assert "layer 井戸" in wells.stderr
    shapefile, _names = shelters_shapefile(layers_dir, tmp_path)
    for options in ([], ["--encoding", "cp932"]):
        result = gspace_import(shapefile, "shelter", *options)
        assert result.returncode == 0 and "read as cp932" in result.stderr, result.stderr
    records = tmp_path / "wifi.json"
    records.write_text(json.dumps(wifi_records(layers_dir), ensure_ascii=False), encoding="utf-8")
    result = gspace_import(records, "wifi")
    assert result.stderr.strip().splitlines()[-1].startswith("wifi: 737 added, 0 updated")
    again = gspace_import(records, "wifi")
    assert again.stderr.strip().splitlines()[-1].startswith("wifi: 0 added, 0 updated")
    sites, _original = sites_in_6675(layers_dir, tmp_path, None)
    result = gspace_import(sites, "shelter", "--crs", "EPSG:6675")
    assert result.returncode == 0 and "coordinates in EPSG:6675 (--crs)" in result.stderr
    (tmp_path / "bad.json").write_bytes(b"[1, 2")
    bad = gspace_import(tmp_path / "bad.json", "generic")
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1


def damaged_gis_files(layers_dir, folder):
    """What a broken download or a half-copied folder leaves."""
    path, _names = shelters_shapefile(layers_dir, folder)
    (folder / "garbage.gpkg").write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    (folder / "cut.kml").write_text("<kml><Document><Placemark><name>駅", encoding="utf-8")
    (folder / "junk.kmz").write_bytes(b"PK\x03\x04junk")
    (folder / "junk.zip").write_bytes(b"PK\x03\x04junk")
    with zipfile.ZipFile(folder / "readme.zip", "w") as archive:
        archive.writestr("readme.txt", "no layers here")
    (folder / "lonely.shp").write_bytes(path.read_bytes())
    (folder / "cut.shp").write_bytes(path.read_bytes()[:100])
    for part in (".shx", ".dbf"):
        (folder / f"cut{part}").write_bytes(path.with_suffix(part).read_bytes())
    return {
        "garbage.gpkg": "cannot read garbage.gpkg: it is damaged, incomplete or not a GeoPackage",
        "cut.kml": "cannot read cut.kml: it is damaged, incomplete or not KML",
        "junk.kmz": "cannot read junk.kmz: it is not a complete KMZ file",
        "junk.zip": "cannot read junk.zip: it is not a complete zip file",
        "readme.zip": "readme.zip holds no Shapefile (readme.txt): unpack it and import the "
        "layer file itself",
        "lonely.shp": "cannot read lonely.shp: its .shx and .dbf files are missing (a "
        "Shapefile is several files with the same name: copy them all)",
        "cut.shp": "no latitude/longitude columns found, and none of the 121 rows has a "
        "geometry (name the columns with --lat and --lon)",
        "missing.gpkg": f"{folder / 'missing.gpkg'}: no such file or folder; "
        "check the name and the folder it is in",
    }


def test_damaged_gis_files_give_one_line_and_no_warning(layers_dir, tmp_path):
    expected = damaged_gis_files(layers_dir, tmp_path)
    run_gspace("init", tmp_path / "inc", check=True)
    for name, message in expected.items():
        result = run_gspace(
            "import", "layer", tmp_path / "inc", tmp_path / name, "--kind", "generic"
        )
        assert (result.returncode, result.stderr) == (1, f"gspace: {message}\n"), name


def test_malformed_geometries_are_skipped_and_the_rest_kept(tmp_path, incident):
    geometries = [
        {"type": "Point", "coordinates": [135.0, 35.0]},
        {"type": "Polygon", "coordinates": [[[135, 35], [135.1, 35], [135.1, 35.1], [135, 35]]]},
        {"type": "Polygon", "coordinates": [[["x", 35], [135.1, 35]]]},
        {"type": "Bogus", "coordinates": [1, 2]},
        {"type": "LineString", "coordinates": [[135, 35], [10**40, 35]]},
        {"type": "GeometryCollection", "geometries": [{"type": "Bogus"}]},
        {"type": "Point", "coordinates": [[135.0], 35.0]},
        {"type": "Point", "coordinates": "135,35"},
    ]
    path = tmp_path / "shapes.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": g, "properties": {"name": f"形{i}"}}
                    for i, g in enumerate(geometries, start=1)
                ],
            }
        ),
        encoding="utf-8",
    )
    for crs in (None, "EPSG:4612"):
        summary = import_layer(incident, path, "generic", crs=crs)
        assert len(summary.skipped) == 6 and summary.added + summary.unchanged == 2, crs
        assert all(
            reason in ("unreadable geometry", "unreadable point coordinates", "no geometry")
            or reason.startswith("outside Japan")
            for _row, reason in summary.skipped
        )
    shapes = {f["name"]: f["geometry"]["type"] for f in query.features(incident)}
    assert shapes == {"形1": "Point", "形2": "Polygon"}
