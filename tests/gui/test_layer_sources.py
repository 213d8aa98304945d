"""The layer-import dialog on sources other than a CSV: a GeoPackage with two layers (the
dialog offers them), a JSON list of records (previewed and mapped like a CSV) and a GeoJSON
whose `crs` member names its system (shown)."""

import csv
import io
import json

import numpy
import pytest
import shapely
from helpers import accept_message_box
from pyogrio.raw import write
from pyproj import Transformer

from gspace.catalog import load_catalog

SHELTERS = "122033_103_evacuation_space.csv"  # Ichikawa City, CP932, 121 sites
WELLS = "122033_207_well_for_disaster.csv"  # Ichikawa City, CP932, 14 wells


def csv_rows(path):
    text = path.read_bytes().decode("cp932")
    return [r for r in csv.DictReader(io.StringIO(text)) if any(r.values())]


@pytest.fixture
def two_layer_gpkg(fixtures, tmp_path):
    path = tmp_path / "ichikawa.gpkg"
    for layer, name in (("避難所", SHELTERS), ("井戸", WELLS)):
        rows = csv_rows(fixtures / "layers" / name)
        points = [shapely.Point(float(r["経度"]), float(r["緯度"])) for r in rows]
        write(
            str(path),
            geometry=numpy.array(shapely.to_wkb(points), dtype=object),
            field_data=[numpy.array([r["名称"] for r in rows], dtype=object)],
            fields=["名称"],
            crs="EPSG:6668",
            geometry_type="Point",
            layer=layer,
            append=path.exists(),
        )
    return path


def preview_column(form, title):
    headers = [
        form.previewTable.horizontalHeaderItem(c).text()
        for c in range(form.previewTable.columnCount())
    ]
    return [
        form.previewTable.item(r, headers.index(title)).text()
        for r in range(form.previewTable.rowCount())
    ]


def test_the_dialog_offers_the_layers_of_a_geopackage(
    tmp_path, fixtures, two_layer_gpkg, open_main_window, qtbot
):
    from gspace.demo import make_demo
    from gspace.store import query

    make_demo(tmp_path / "demo").close()
    window = open_main_window(tmp_path / "demo")
    dialog = window.files.layer_dialog(two_layer_gpkg)
    form = dialog.form
    assert not form.layerBox.isHidden()
    assert [form.layerBox.itemText(i) for i in range(form.layerBox.count())] == [
        "避難所",
        "井戸",
        "All layers (2)",
    ]
    assert preview_column(form, "名称")[0] == "県立国分高校"  # the first layer, chosen
    form.layerBox.setCurrentIndex(form.layerBox.findData("井戸"))
    wells = {r["名称"] for r in csv_rows(fixtures / "layers" / WELLS)}
    assert set(preview_column(form, "名称")) == wells
    assert "EPSG:6668" in form.crsLabel.text()
    form.kindBox.setCurrentIndex(form.kindBox.findData("water"))
    choices = dialog.choices()
    assert (choices["kind"], choices["source_layer"]) == ("water", "井戸")
    window.files.start_layer_import(two_layer_gpkg, choices)
    assert accept_message_box(qtbot) == "water: 14 added, 0 updated, 0 unchanged, 0 skipped"
    imported = {f["name"] for f in query.features(window.incident, ["water"])}
    assert wells <= imported


def test_a_json_list_of_records_is_previewed_and_mapped_like_a_csv(fixtures, tmp_path, qtbot):
    rows = csv_rows(fixtures / "layers" / "130001_public_wireless_lan_20240901.csv")
    records = [
        {
            "name": r["名称"],
            "address": r["住所"],
            "latlng": {"lat": float(r["緯度"]), "lng": float(r["経度"])},
        }
        for r in rows
    ]
    path = tmp_path / "tokyo_wifi.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    from gspace.gui.layer_import import LayerImportDialog

    dialog = LayerImportDialog(None, path, load_catalog(), "wifi")
    qtbot.addWidget(dialog.form)
    form = dialog.form
    assert form.layerBox.isHidden()  # one layer: nothing to choose
    assert "utf-8" in form.encodingLabel.text()
    assert preview_column(form, "name")[:2] == [r["名称"] for r in rows[:2]]
    assert preview_column(form, "latlng.lat")[0] == str(float(rows[0]["緯度"]))
    mapping = dialog.mapping()
    assert (mapping["name"], mapping["address"]) == ("name", "address")
    assert (mapping["lat"], mapping["lon"]) == ("latlng.lat", "latlng.lng")
    assert dialog.choices()["source_layer"] is None


def test_the_coordinate_system_a_geojson_declares_is_shown(fixtures, tmp_path, qtbot):
    document = json.loads((fixtures / "layers" / "evacuation_sites.geojson").read_text("utf-8"))
    to_metres = Transformer.from_crs("EPSG:4326", "EPSG:6675", always_xy=True)
    for feature in document["features"]:
        feature["geometry"]["coordinates"] = list(
            to_metres.transform(*feature["geometry"]["coordinates"])
        )
    document["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::6675"}}
    path = tmp_path / "sites.geojson"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    from gspace.gui.layer_import import LayerImportDialog

    dialog = LayerImportDialog(None, path, load_catalog(), "shelter")
    qtbot.addWidget(dialog.form)
    assert dialog.form.crsLabel.text() == "Coordinate system (the file's: EPSG:6675)"
