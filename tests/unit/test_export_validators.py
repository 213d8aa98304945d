"""Every export of a realistic incident — the demo, the real open-data layer files (Wi-Fi and
evacuation-site CSVs whose columns clash: `URL`/`url`, `SSID`/`ssid`, `id`) and the SNS
fixtures, plus posts written to attack spreadsheets — checked by the validators that the
readers' makers publish: GDAL's `validate_gpkg.py`, Debian 12's GDAL 3.6 `ogrinfo`, the OGC
KML 2.2 schema through `xmllint`, and the CSV cell by cell.

The outside tools are skipped when missing on a developer's machine, but fail the run in CI
(GSPACE_REQUIRE_FIXTURES), like the shared fixtures.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import FIXTURES, gspace_command, run_gspace
from PIL import Image
from pyogrio.raw import read

from gspace.export.gpkg import column_names
from gspace.ingest.layers import import_layer
from gspace.ingest.sns import import_sns
from gspace.mapdata import CATEGORY_COLORS
from gspace.store import query, records
from gspace.store.incident import Incident

SCHEMA = FIXTURES.parent / "validators" / "kml22" / "ogckml22.xsd"
LAYERS = {  # file -> kind, as the README's examples import them
    "122033_103_evacuation_space.csv": "shelter",
    "122033_107_public_wireless_lan.csv": "wifi",
    "122033_207_well_for_disaster.csv": "water",
    "130001_public_wireless_lan_20240901.csv": "wifi",
    "382019_evacuation_space.csv": "shelter",
    "ShelterModel-2021-09-05_ShiftJIS.csv": "shelter",
    "evacuation_sites.geojson": "shelter",
    "tokyo_evacuation_area_point.json": "shelter",
}
# What a spreadsheet would run, as post text and as author.
ATTACKS = [
    '=HYPERLINK("http://evil.example/x","詳細")',
    "=1+1",
    "+81-90-1234-5678",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    '=cmd|" /C calc"!A0,"x"',
]
NUMBERS = ["-3.5", "+1", "-1e3"]  # text that is a number stays one


def require(tool: str) -> str:
    """The path of an outside tool; skipped without it, except in CI."""
    found = shutil.which(tool)
    if found:
        return found
    if os.environ.get("GSPACE_REQUIRE_FIXTURES"):
        pytest.fail(f"{tool} not found (bash scripts/setup.sh test installs it)")
    pytest.skip(f"{tool} not found (Debian: bash scripts/setup.sh test)")


def require_validate_gpkg() -> list[str]:
    if importlib.util.find_spec("osgeo_utils") is None:
        if os.environ.get("GSPACE_REQUIRE_FIXTURES"):
            pytest.fail("gdal-utils not installed (bash scripts/setup.sh test installs it)")
        pytest.skip("gdal-utils not installed")
    return [sys.executable, "-m", "osgeo_utils.samples.validate_gpkg", "-k", "--extra"]


def require_debian_gdal() -> str:
    """Debian's python3 with its GDAL bindings (python3-gdal, which gdal-bin brings)."""
    python = "/usr/bin/python3"
    found = (
        Path(python).is_file()
        and subprocess.run([python, "-c", "from osgeo import ogr"], capture_output=True).returncode
        == 0
    )
    if found:
        return python
    if os.environ.get("GSPACE_REQUIRE_FIXTURES"):
        pytest.fail("Debian's GDAL Python bindings not found (apt-get install python3-gdal)")
    pytest.skip("Debian's GDAL Python bindings not found (apt-get install python3-gdal)")


@pytest.fixture(scope="module")
def incident_path(fixtures, demo_template, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("validators") / "incident"
    shutil.copytree(demo_template, target)
    with Incident.open(target) as inc:
        for name, kind in LAYERS.items():
            import_layer(inc, fixtures / "layers" / name, kind)
        import_sns(inc, sorted((fixtures / "sns").glob("*/*")), jobs=1)
        with inc.transaction():
            records.add_reports(
                inc,
                [
                    {
                        "kind": "sns",
                        "lon": 130.70 + i / 1000,
                        "lat": 32.80,
                        "location_source": "post",
                        "observed_at": "2026-11-21T10:00:00+09:00",
                        "author": attack,
                        "text": attack,
                        "category": "other",
                        "status": "new",
                        "source": f"post:attack{i}",
                    }
                    for i, attack in enumerate(ATTACKS + NUMBERS)
                ],
            )
    return target


def export_cli(incident: Path, out: Path, *args: str) -> str:
    done = run_gspace("export", incident, out, *args)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


# GeoPackage


@pytest.mark.parametrize("layers", [(), ("--layer", "shelter,water")])
def test_geopackage_passes_gdal_validators_and_debian_gdal(incident_path, tmp_path, layers):
    validate = require_validate_gpkg()
    ogrinfo = require("ogrinfo")
    out = tmp_path / "全報告.gpkg"
    export_cli(incident_path, out, *layers)

    checked = subprocess.run([*validate, str(out)], capture_output=True, text=True)
    assert checked.returncode == 0 and not checked.stdout + checked.stderr, checked.stdout

    # Debian 12's GDAL 3.6 reads every feature without a warning (version, datetimes)
    opened = subprocess.run([ogrinfo, "-al", str(out)], capture_output=True, text=True)
    assert opened.returncode == 0
    assert opened.stderr == ""
    assert "Layer name: reports" in opened.stdout

    with Incident.open(incident_path, write=False) as inc:
        counts = query.feature_counts(inc)
        wanted = {"shelter", "water"} if layers else set(counts)
        for kind in wanted:
            meta, _fids, geometry, values = read(out, layer=kind)
            assert len(geometry) == counts[kind]
            assert all(g is not None for g in geometry)
        meta, _fids, geometry, values = read(out, layer="reports")
        assert len(geometry) == query.count_reports(inc)


def test_geopackage_keeps_every_clashing_column_with_its_values(incident_path, tmp_path):
    out = tmp_path / "wifi.gpkg"
    export_cli(incident_path, out, "--layer", "wifi,shelter")
    meta, _fids, _geometry, values = read(out, layer="wifi")
    fields = list(meta["fields"])
    assert len({f.casefold() for f in fields}) == len(fields)
    column = dict(zip(fields, values, strict=True))
    # 東京都's file has `SSID`, 千葉県's `ssid`: both kept, each with its values
    assert {"SSID", "attr_ssid"} <= set(fields)
    assert sum(v is not None for v in column["SSID"]) > 0
    assert sum(v is not None for v in column["attr_ssid"]) > 0
    assert column["status_label"] is not None
    shelters = list(read(out, layer="shelter")[0]["fields"])
    # the files' own `ID` and `id` columns both kept, apart from ours and from each other
    assert {"id", "attr_ID", "attr_id_2", "URL", "attr_url"} <= set(shelters)


def test_column_names_are_unique_legal_and_apart_from_ours():
    taken = ["id", "name", "status"]
    names = ["ID", "url", "URL", "", "  ", "fid", "GEOM", "a\x00b", "url_2", "名称"]
    columns = column_names(names, taken)
    assert columns == [
        "attr_ID",
        "url",
        "attr_URL",
        "field",
        "attr_field",
        "attr_fid",
        "attr_GEOM",
        "ab",
        "url_2",
        "名称",
    ]
    folded = [c.casefold() for c in [*taken, *columns, "fid", "geom"]]
    assert len(set(folded)) == len(folded)


# KML / KMZ


def xmllint_kml(path: Path) -> None:
    xmllint = require("xmllint")
    if not SCHEMA.is_file():
        pytest.fail(f"the OGC KML schema is missing at {SCHEMA}")
    checked = subprocess.run(
        [xmllint, "--noout", "--nonet", "--schema", str(SCHEMA), str(path)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr[-3000:]
    assert checked.stderr.strip() == f"{path} validates"


def test_kml_and_kmz_are_valid_against_the_ogc_schema(incident_path, tmp_path):
    with Incident.open(incident_path, write=False) as inc:
        located = query.count_reports(inc, query.ReportFilter(located=True))
        unlocated = query.count_reports(inc, query.ReportFilter(located=False))
        features = sum(query.feature_counts(inc).values())
    assert unlocated > 0
    summary = f"{located} reports ({unlocated} without a location left out), {features} features"
    kml = tmp_path / "map.kml"
    assert summary in export_cli(incident_path, kml)
    xmllint_kml(kml)
    document = kml.read_text("utf-8")
    assert "<href>" not in document and "google" not in document  # nothing from the network
    assert document.count("<Placemark ") == located + features

    kmz = tmp_path / "map.kmz"
    assert summary in export_cli(incident_path, kmz)
    unpacked = tmp_path / "kmz"
    with zipfile.ZipFile(kmz) as archive:
        archive.extractall(unpacked)
    xmllint_kml(unpacked / "doc.kml")
    text = (unpacked / "doc.kml").read_text("utf-8")
    hrefs = re.findall(r"<href>([^<]+)</href>", text)
    photos = re.findall(r'&lt;img src="([^"]+)"', text)
    assert hrefs and photos
    for href in hrefs + photos:  # every symbol and photo is in the KMZ
        assert (unpacked / href).is_file(), href
    with Image.open(unpacked / "icons" / "circle.png") as icon:
        assert icon.mode == "RGBA" and icon.getpixel((16, 16)) == (255, 255, 255, 255)
        assert icon.getpixel((0, 0))[3] == 0


def test_libkml_finds_the_shared_styles(incident_path, tmp_path):
    """GDAL's LIBKML driver (Debian's GDAL, through its Python bindings) reads the Document's
    styles into its style table: the colours reach QGIS."""
    python = require_debian_gdal()
    kmz = tmp_path / "map.kmz"
    export_cli(incident_path, kmz, "--category", "rescue")
    script = (
        "import sys\n"
        "from osgeo import ogr\n"
        "ds = ogr.Open(sys.argv[1])\n"
        "table = ds.GetStyleTable()\n"
        "table.ResetStyleStringReading()\n"
        "while (style := table.GetNextStyle()) is not None:\n"
        "    print(table.GetLastStyleName(), style)\n"
        "layer = ds.GetLayerByName('SNS投稿')\n"
        "print('used', layer.GetNextFeature().GetStyleString())\n"
    )
    done = subprocess.run(
        [python, "-c", script, f"/vsizip/{kmz}/doc.kml"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    styles = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    rescue = CATEGORY_COLORS["rescue"].lstrip("#").upper()
    assert f"c:#{rescue}FF" in styles[f"s-circle-{rescue.lower()}"]
    assert styles["used"] == f"@s-circle-{rescue.lower()}"


# CSV


def read_csv(data: bytes) -> list[list[str]]:
    """As a spreadsheet reads it: bytes, so that a carriage return inside a cell stays one."""
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def printed(*args: object) -> bytes:
    done = subprocess.run([*gspace_command(), *map(str, args)], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def runs_in_a_spreadsheet(cell: str) -> bool:
    """What Excel, LibreOffice and Google Sheets would evaluate: a leading =, +, -, @, tab or
    carriage return, unless the cell is a plain number."""
    if not cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return cell != cell.strip()


def check_cells(rows: list[list[str]], text_column: int, author_column: int) -> None:
    for row in rows:
        assert not any(runs_in_a_spreadsheet(cell) for cell in row), row
    texts = {row[text_column] for row in rows} | {row[author_column] for row in rows}
    for attack in ATTACKS:
        assert "'" + attack in texts  # whole, in one cell, with the quote in front
    for number in NUMBERS:
        assert number in texts


def test_csv_export_and_command_neutralise_formulas(incident_path, tmp_path):
    out = tmp_path / "全報告.csv"
    export_cli(incident_path, out)
    rows = read_csv(out.read_bytes())
    header = rows[0]
    assert header[:4] == ["ID", "参照番号", "種別", "日時"]
    assert "本文" in header and "投稿者" in header
    check_cells(rows[1:], header.index("本文"), header.index("投稿者"))

    rows = read_csv(printed("reports", incident_path, "--format", "csv"))
    check_cells(rows[1:], rows[0].index("text"), rows[0].index("author"))

    features = read_csv(printed("features", incident_path, "--format", "csv"))
    assert len(features) > 3000
    assert not any(runs_in_a_spreadsheet(c) for row in features for c in row)


def test_geojson_and_jsonl_keep_the_text_as_received(incident_path, tmp_path):
    out = tmp_path / "all.geojson"
    export_cli(incident_path, out)
    features = json.loads(out.read_text("utf-8"))["features"]
    texts = {f["properties"]["text"] for f in features}
    assert set(ATTACKS) <= texts
    rescue = next(f["properties"] for f in features if f["properties"]["category"] == "rescue")
    assert rescue["category_label"] == "救助"  # codes stay, labels beside them
    lines = printed("reports", incident_path, "--format", "jsonl").decode("utf-8").splitlines()
    texts = {json.loads(line)["author"] for line in lines}
    assert set(ATTACKS) <= texts


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_csv_speaks_the_language_with_one_time_offset(incident_path, tmp_path, lang):
    out = tmp_path / f"{lang}.csv"
    export_cli(incident_path, out, "--lang", lang, "--category", "rescue")
    rows = read_csv(out.read_bytes())
    header, body = rows[0], rows[1:]
    names = {
        "ja": ("分類", "状態", "日時", "救助"),
        "en": ("Category", "Status", "Observed at", "Rescue"),
    }
    category, status, observed, rescue = names[lang]
    assert body and all(rescue in row[header.index(category)] for row in body)
    assert {row[header.index(status)] for row in body} <= set(
        ["新規", "確認済", "対応済", "却下", "重複"]
        if lang == "ja"
        else ["New", "Verified", "Actioned", "Rejected", "Duplicate"]
    )
    # every time in the incident's zone (Asia/Tokyo), the SNS fixtures' UTC times included
    all_rows = read_csv(printed("reports", incident_path, "--format", "csv"))
    times = [row[all_rows[0].index("observed_at")] for row in all_rows[1:]]
    assert times and all(t.endswith("+09:00") for t in times if t)
    assert all(t.endswith("+09:00") for row in body for t in [row[header.index(observed)]])


# Vocabularies


@pytest.mark.parametrize(
    "command",
    [
        ("export", "{incident}", "{out}", "--layer", "shelter,shelterz"),
        ("reports", "{incident}", "--kind", "photos"),
        ("features", "{incident}", "--kind", "wify"),
    ],
)
def test_unknown_kinds_are_refused_with_the_known_ones(incident_path, tmp_path, command):
    out = tmp_path / "x.gpkg"
    args = [a.format(incident=incident_path, out=out) for a in command]
    done = run_gspace(*args)
    assert done.returncode == 2
    assert not out.exists()
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("Error: Invalid value for --")
    assert args[-1].split(",")[-1] in line
    known = "photo, sns" if command[0] == "reports" else "shelter, supply_depot, water, wifi"
    assert known in line


def test_layer_none_and_known_kinds_are_taken(incident_path, tmp_path):
    export_cli(incident_path, tmp_path / "none.csv", "--layer", "none")
    assert "0 features" in export_cli(incident_path, tmp_path / "w.kml", "--layer", "none")
    with Incident.open(incident_path, write=False) as inc:
        water = query.feature_counts(inc)["water"]
    assert f" {water} features" in export_cli(incident_path, tmp_path / "w.kml", "--layer", "water")
