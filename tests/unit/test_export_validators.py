"""Every export of a realistic incident — the demo, the real open-data layer files (Wi-Fi and
evacuation-site CSVs whose columns clash: `URL`/`url`, `SSID`/`ssid`, `id`) and the SNS
fixtures, plus posts written to attack spreadsheets — checked by the validators that the
readers' makers publish: GDAL's `validate_gpkg.py`, Debian 12's GDAL 3.6 `ogrinfo`, the OGC
KML 2.2 schema through `xmllint`, and the CSV cell by cell.

The outside tools are skipped when missing on a developer's machine, but fail the run in CI
(GSPACE_REQUIRE_FIXTURES), like the shared fixtures.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import FIXTURES, run_gspace
from PIL import Image
from pyogrio.raw import read

from gspace import query, records
from gspace.export.gpkg import column_names
from gspace.incident import Incident
from gspace.ingest.layers import import_layer
from gspace.ingest.sns import import_sns
from gspace.mapdata import CATEGORY_COLORS

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
                    for i, attack in enumerate(ATTACKS)
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
    assert {"id", "attr_id", "URL", "attr_url"} <= set(shelters)


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
