"""Reference layers: real municipal open data, coordinate systems, re-import, bad rows."""

import csv
import io
import json
from pathlib import Path

import pytest
from helpers import metres, run_gspace

from gspace.errors import GspaceError
from gspace.geo import parse_number
from gspace.ingest.layers import import_layer
from gspace.store import query, records
from gspace.store.incident import Incident

# file, kind, encoding, name column, latitude column, longitude column, a name it must hold
CSV_FILES = [
    ("122033_103_evacuation_space.csv", "shelter", "cp932", "名称", "緯度", "経度", "県立国分高校"),
    ("122033_107_public_wireless_lan.csv", "wifi", "cp932", "名称", "緯度", "経度", "第1庁舎"),
    ("122033_207_well_for_disaster.csv", "water", "cp932", "名称", "緯度", "経度", "行徳支所"),
    (
        "130001_public_wireless_lan_20240901.csv",
        "wifi",
        "cp932",
        "名称",
        "緯度",
        "経度",
        "公衆電話（江東区亀戸3-36-1）",
    ),
    ("382019_evacuation_space.csv", "shelter", "utf-8-sig", "名称", "緯度", "経度", "城山公園"),
    (
        "ShelterModel-2021-09-05_ShiftJIS.csv",
        "shelter",
        "cp932",
        "name",
        "hokui",
        "tokei",
        "妙福寺",
    ),
]
GEOJSON_FILES = [
    ("evacuation_sites.geojson", "shelter", "name", "城山公園"),
    ("tokyo_evacuation_area_point.json", "shelter", "指定緊急避難場所", "京橋区民館"),
]


def feature_points(incident):
    return {(f["name"], round(f["lat"], 7), round(f["lon"], 7)) for f in query.features(incident)}


@pytest.mark.parametrize(
    ("name", "kind", "encoding", "name_col", "lat_col", "lon_col", "known"),
    CSV_FILES,
    ids=[c[0] for c in CSV_FILES],
)
def test_municipal_csv_files(
    layers_dir, incident, name, kind, encoding, name_col, lat_col, lon_col, known
):
    text = (layers_dir / name).read_bytes().decode(encoding)
    rows = [r for r in csv.DictReader(io.StringIO(text)) if any(v for v in r.values() if v)]
    expected = {
        (r[name_col], round(float(r[lat_col]), 7), round(float(r[lon_col]), 7)) for r in rows
    }
    summary = import_layer(incident, layers_dir / name, kind)
    assert summary.encoding == encoding
    assert summary.added == len(rows) and summary.skipped == []
    assert feature_points(incident) == expected  # same names, same coordinates (< 1 cm)
    names = {f["name"] for f in query.features(incident)}
    assert known in names and not any("\ufffd" in n for n in names)


@pytest.mark.parametrize(
    ("name", "kind", "name_key", "known"), GEOJSON_FILES, ids=[g[0] for g in GEOJSON_FILES]
)
def test_geojson_files(layers_dir, incident, name, kind, name_key, known):
    document = json.loads((layers_dir / name).read_text(encoding="utf-8"))
    expected = {  # names are read without surrounding spaces (one here ends in U+3000)
        (
            f["properties"][name_key].strip(),
            round(f["geometry"]["coordinates"][1], 7),
            round(f["geometry"]["coordinates"][0], 7),
        )
        for f in document["features"]
    }
    summary = import_layer(incident, layers_dir / name, kind)
    assert summary.added == len(document["features"])
    assert feature_points(incident) == expected
    assert known in {f["name"] for f in query.features(incident)}


def test_capacities_written_with_thousands_separators_become_numbers(layers_dir, incident):
    import_layer(incident, layers_dir / "382019_evacuation_space.csv", "shelter")
    castle = next(f for f in query.features(incident) if f["name"] == "城山公園")
    assert castle["attributes"]["capacity"] == 50700


# -- coordinate systems ----------------------------------------------------------------------
# Origins of the 19 plane rectangular zones (MLIT): (degrees, minutes) of latitude, longitude.
ZONE_ORIGINS = [
    (33, 0, 129, 30),
    (33, 0, 131, 0),
    (36, 0, 132, 10),
    (33, 0, 133, 30),
    (36, 0, 134, 20),
    (36, 0, 136, 0),
    (36, 0, 137, 10),
    (36, 0, 138, 30),
    (36, 0, 139, 50),
    (40, 0, 140, 50),
    (44, 0, 140, 15),
    (44, 0, 142, 15),
    (44, 0, 144, 15),
    (26, 0, 142, 0),
    (26, 0, 127, 30),
    (26, 0, 124, 0),
    (26, 0, 131, 0),
    (20, 0, 136, 0),
    (26, 0, 154, 0),
]


def tokyo_to_jgd(lat: float, lon: float) -> tuple[float, float]:
    """GSI's simple conversion formula from the Tokyo datum (accurate to a few metres)."""
    return (
        lat - 0.00010695 * lat + 0.000017464 * lon + 0.0046017,
        lon - 0.000046038 * lat - 0.000083043 * lon + 0.010040,
    )


def one_point(tmp_path, header: str, row: str, crs: str | None):
    path = tmp_path / "point.csv"
    path.write_text(f"名称,{header}\n点,{row}\n", encoding="utf-8")
    with Incident.create(tmp_path / f"inc{len(list(tmp_path.iterdir()))}") as inc:
        summary = import_layer(inc, path, "generic", crs=crs)
        assert summary.added == 1, summary.skipped
        [feature] = query.features(inc)
    return feature["lat"], feature["lon"]


@pytest.mark.parametrize("zone", range(1, 20))
@pytest.mark.parametrize(("datum", "first_code"), [("JGD2011", 6669), ("JGD2000", 2443)])
def test_plane_rectangular_zone_origins(tmp_path, zone, datum, first_code):
    lat_d, lat_m, lon_d, lon_m = ZONE_ORIGINS[zone - 1]
    lat, lon = one_point(tmp_path, "X座標,Y座標", "0,0", f"EPSG:{first_code + zone - 1}")
    assert metres(lat, lon, lat_d + lat_m / 60, lon_d + lon_m / 60) < 0.01


@pytest.mark.parametrize("zone", [2, 9, 12])
def test_tokyo_datum_zone_origins_move_by_the_datum_shift(tmp_path, zone):
    lat_d, lat_m, lon_d, lon_m = ZONE_ORIGINS[zone - 1]
    lat, lon = one_point(tmp_path, "X座標,Y座標", "0,0", f"EPSG:{30160 + zone}")
    expected = tokyo_to_jgd(lat_d + lat_m / 60, lon_d + lon_m / 60)
    assert metres(lat, lon, *expected) < 15  # the transformation's own accuracy


def test_x_is_northing_in_plane_rectangular_coordinates(tmp_path):
    lat, lon = one_point(tmp_path, "X座標,Y座標", "100000,0", "EPSG:6677")  # zone IX
    assert abs(lon - (139 + 50 / 60)) < 1e-6  # still on the central meridian
    assert 36.89 < lat < 36.91  # 100 km north of the origin at 36° N


def test_jgd2000_and_tokyo_latitude_longitude(tmp_path):
    lat, lon = one_point(tmp_path, "緯度,経度", "35.681236,139.767125", "EPSG:4612")
    assert metres(lat, lon, 35.681236, 139.767125) < 1
    lat, lon = one_point(tmp_path, "緯度,経度", "35.681236,139.767125", "EPSG:4301")
    assert metres(lat, lon, *tokyo_to_jgd(35.681236, 139.767125)) < 15
    assert metres(lat, lon, 35.681236, 139.767125) > 300  # the datum shift did happen


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("35.681236", 35.681236),
        ("35°40'52.3\"N", 35 + 40 / 60 + 52.3 / 3600),
        ("139度45分3秒", 139 + 45 / 60 + 3 / 3600),
        ("N35 40 52.3", 35 + 40 / 60 + 52.3 / 3600),
        ("35:40:52.3", 35 + 40 / 60 + 52.3 / 3600),
        ("139°45′03″E", 139 + 45 / 60 + 3 / 3600),
        ("S33.5", -33.5),
        ("西139.5", -139.5),
        ("abc", None),
        ("35°75'", None),
        ("", None),
    ],
)
def test_degrees_minutes_seconds(text, value):
    parsed = parse_number(text)
    assert (parsed is None and value is None) or abs(parsed - value) < 1e-9


# -- re-import and bad rows ------------------------------------------------------------------
SHELTERS_V1 = """ID,名称,所在地_連結表記,緯度,経度,想定収容人数
S1,第一小学校,熊本市中央区1-1,32.80,130.70,300
S2,第二中学校,熊本市中央区2-2,32.81,130.71,500
S3,市民体育館,熊本市東区3-3,32.79,130.75,800
"""
SHELTERS_V2 = """ID,名称,所在地_連結表記,緯度,経度,想定収容人数
S1,第一小学校,熊本市中央区1-1,32.80,130.70,300
S2,第二中学校,熊本市中央区2-20,32.812,130.712,500
S3,市民体育館,熊本市東区3-3,32.79,130.75,1000
S4,新設公民館,熊本市北区4-4,32.85,130.72,120
"""


def test_reimport_updates_in_place_adds_new_rows_and_keeps_edited_status(tmp_path, incident):
    (tmp_path / "v1").mkdir(), (tmp_path / "v2").mkdir()
    v1, v2 = tmp_path / "v1" / "shelters.csv", tmp_path / "v2" / "shelters.csv"  # same dataset
    v1.write_bytes(SHELTERS_V1.encode("cp932"))
    v2.write_bytes(SHELTERS_V2.encode("cp932"))
    first = import_layer(incident, v1, "shelter")
    assert (first.added, first.updated) == (3, 0)
    gym = next(f for f in query.features(incident) if f["name"] == "市民体育館")
    with incident.transaction():  # edited in gspace: the gym is full
        records.update_feature(incident, gym["id"], status="full", note="残り0人分")
    second = import_layer(incident, v2, "shelter")
    assert (second.added, second.updated, second.unchanged) == (1, 2, 1)
    features = {f["name"]: f for f in query.features(incident)}
    assert len(features) == 4
    assert features["第二中学校"]["address"] == "熊本市中央区2-20"
    assert (round(features["第二中学校"]["lat"], 3), round(features["第二中学校"]["lon"], 3)) == (
        32.812,
        130.712,
    )
    assert features["市民体育館"]["attributes"]["capacity"] == 1000
    assert (features["市民体育館"]["status"], features["市民体育館"]["note"]) == (
        "full",
        "残り0人分",
    )
    assert features["新設公民館"]["status"] == "unknown"
    moved = list(query.features(incident, bbox=(130.711, 32.811, 130.713, 32.813)))
    assert [f["name"] for f in moved] == ["第二中学校"]  # the spatial index followed the move


def test_bad_rows_are_skipped_with_their_reason_and_good_rows_imported(tmp_path, incident):
    path = tmp_path / "mixed.csv"
    path.write_text(
        "名称,緯度,経度\n良い,35.0,135.0\n座標なし,,\nロンドン,51.5,-0.12\n"
        '逆さま,135.5,35.5\n文字,北緯?,東経?\n度分秒,"35°00\'00""N",135度30分\n',
        encoding="utf-8",
    )
    summary = import_layer(incident, path, "generic")
    reasons = dict(summary.skipped)
    assert set(reasons) == {3, 4, 6}
    assert "no usable coordinates" in reasons[3] and "outside Japan" in reasons[4]
    assert summary.added == 3 and summary.swapped == 1
    points = {f["name"]: (f["lat"], f["lon"]) for f in query.features(incident)}
    assert points["逆さま"] == (35.5, 135.5) and points["度分秒"] == (35.0, 135.5)


def test_errors_name_what_to_do(tmp_path, incident):
    xy = tmp_path / "xy.csv"
    xy.write_text("名称,X座標,Y座標\n点,0,0\n", encoding="utf-8")
    with pytest.raises(GspaceError, match="--crs"):
        import_layer(incident, xy, "generic")
    with pytest.raises(GspaceError, match="unknown layer kind 'bath'"):
        import_layer(incident, xy, "bath")
    (tmp_path / "x.dxf").write_bytes(b"0\nSECTION\n")
    with pytest.raises(GspaceError, match="gspace reads CSV, GeoJSON, Shapefile"):
        import_layer(incident, tmp_path / "x.dxf", "generic")
    (tmp_path / "x.shp").write_bytes(b"\x00\x00\x27\x0a")
    with pytest.raises(GspaceError, match="cannot read x.shp"):
        import_layer(incident, tmp_path / "x.shp", "generic")


def test_cli_import_layer(layers_dir, tmp_path):
    run_gspace("init", tmp_path / "inc", check=True)

    def import_wells():
        return run_gspace(
            "import",
            "layer",
            tmp_path / "inc",
            layers_dir / "122033_207_well_for_disaster.csv",
            "--kind",
            "water",
        )

    result = import_wells()
    assert result.returncode == 0, result.stderr
    assert (
        result.stderr.strip().splitlines()[-1]
        == "water: 14 added, 0 updated, 0 unchanged, 0 skipped"
    )
    assert "read as cp932" in result.stderr
    again = import_wells()
    assert (
        again.stderr.strip().splitlines()[-1]
        == "water: 0 added, 0 updated, 14 unchanged, 0 skipped"
    )
    features = json.loads(run_gspace("features", tmp_path / "inc", "--kind", "water").stdout)
    assert len(features["features"]) == 14


# -- GIS formats -----------------------------------------------------------------------------
def write_layer(path: Path, driver: str, crs: str, points, names, encoding=None, polygon=False):
    import numpy
    import shapely
    from pyogrio.raw import write

    geometries = (
        [shapely.box(x, y, x + 0.001, y + 0.001) for x, y in points]
        if polygon
        else [shapely.Point(x, y) for x, y in points]
    )
    write(
        str(path),
        geometry=numpy.array(shapely.to_wkb(geometries), dtype=object),
        field_data=[numpy.array(names, dtype=object), numpy.arange(len(names))],
        fields=["名称", "番号"],
        crs=crs,
        geometry_type="Polygon" if polygon else "Point",
        driver=driver,
        encoding=encoding,
    )


def test_shapefile_in_plane_rectangular_zone_ix_with_cp932_attributes(tmp_path, incident):
    path = tmp_path / "避難所.shp"
    write_layer(
        path,
        "ESRI Shapefile",
        "EPSG:6677",
        [(0, 0), (-5995.0, -35367.0)],
        ["原点", "東京駅前"],
        encoding="cp932",
    )
    assert (tmp_path / "避難所.cpg").read_text().strip().upper() in ("CP932", "932")
    summary = import_layer(incident, path, "shelter")
    assert summary.added == 2
    points = {f["name"]: (f["lat"], f["lon"]) for f in query.features(incident)}
    assert metres(*points["原点"], 36.0, 139 + 50 / 60) < 0.01  # zone IX origin
    assert metres(*points["東京駅前"], 35.6812, 139.7671) < 100


def test_geopackage_kml_and_kmz(tmp_path, incident):
    import zipfile

    write_layer(tmp_path / "wells.gpkg", "GPKG", "EPSG:6668", [(139.70, 35.69)], ["井戸"])
    write_layer(tmp_path / "wifi.kml", "KML", "EPSG:4326", [(130.70, 32.80)], ["駅前"])
    with zipfile.ZipFile(tmp_path / "wifi.kmz", "w") as kmz:
        kmz.write(tmp_path / "wifi.kml", "doc.kml")
    assert import_layer(incident, tmp_path / "wells.gpkg", "water").added == 1
    assert import_layer(incident, tmp_path / "wifi.kml", "wifi").added == 1
    again = import_layer(incident, tmp_path / "wifi.kmz", "wifi")  # the same data zipped
    assert (again.added, again.updated, again.into) == (0, 1, "wifi.kml")  # one more source
    assert import_layer(incident, tmp_path / "wifi.kmz", "wifi").unchanged == 1
    points = {f["name"]: (round(f["lat"], 6), round(f["lon"], 6)) for f in query.features(incident)}
    assert points == {"井戸": (35.69, 139.70), "駅前": (32.80, 130.70)}
    station = next(f for f in query.features(incident) if f["name"] == "駅前")
    assert station["attributes"]["_sources"] == ["wifi.kml", "wifi.kmz"]


def test_polygons_keep_their_shape(tmp_path, incident):
    write_layer(
        tmp_path / "zones.gpkg",
        "GPKG",
        "EPSG:4326",
        [(135.0, 35.0)],
        ["浸水想定区域"],
        polygon=True,
    )
    import_layer(incident, tmp_path / "zones.gpkg", "generic")
    [zone] = query.features(incident)
    assert zone["geometry"]["type"] == "Polygon"
    assert round(zone["lat"], 4) == 35.0005 and round(zone["lon"], 4) == 135.0005


# -- nearest usable place ------------------------------------------------------------------
def test_the_nearest_open_shelter_skips_closed_ones_and_measures_geodesically(incident):
    with incident.transaction():
        layer = records.add_layer(incident, "shelter", "test", "test")
        records.add_features(
            incident,
            layer,
            "shelter",
            [
                {
                    "name": "閉鎖中の近所",
                    "status": "closed",
                    "geometry": {"type": "Point", "coordinates": [130.7005, 32.8005]},
                },
                {
                    "name": "開設中の学校",
                    "status": "open",
                    "geometry": {"type": "Point", "coordinates": [130.7100, 32.8100]},
                },
                {
                    "name": "遠い体育館",
                    "status": "open",
                    "geometry": {"type": "Point", "coordinates": [131.5, 33.5]},
                },
            ],
        )
    feature, distance = query.nearest_feature(incident, 130.70, 32.80, "shelter", ("open",))
    assert feature["name"] == "開設中の学校"
    assert abs(distance - metres(32.80, 130.70, 32.81, 130.71)) < 0.005 * distance
    far, far_distance = query.nearest_feature(incident, 131.49, 33.49, "shelter", ("open",))
    assert far["name"] == "遠い体育館" and far_distance < 2000
    assert query.nearest_feature(incident, 140.0, 40.0, "water", ("available",)) is None


def test_a_cancelled_layer_import_keeps_nothing(tmp_path, incident):
    from gspace.ingest.layers import ImportCancelled

    path = tmp_path / "many.csv"
    path.write_text(
        "名称,緯度,経度\n" + "".join(f"点{i},35.{i:04d},135.0\n" for i in range(2000)),
        encoding="utf-8",
    )
    calls = []
    with pytest.raises(ImportCancelled):
        import_layer(incident, path, "generic", cancelled=lambda: calls.append(1) or len(calls) > 2)
    assert list(query.features(incident)) == []
    assert incident.conn.execute("SELECT count(*) FROM changes").fetchone()[0] == 0
