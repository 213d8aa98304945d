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
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import FIXTURES, run_gspace
from pyogrio.raw import read

from gspace import query, records
from gspace.export.gpkg import column_names
from gspace.incident import Incident
from gspace.ingest.layers import import_layer
from gspace.ingest.sns import import_sns

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
