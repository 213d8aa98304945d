"""Every exported report and feature carries its own short reference (gspace.refs): the web
map's popups, the PDF list, KML balloons and CSV rows. Before, the first 8 characters of the
time-ordered id were shown, the same for every report of one import."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gspace.export import ExportJob, export
from gspace.refs import ref
from gspace.store import query, records
from gspace.store.incident import Incident

KML = "{http://www.opengis.net/kml/2.2}"
REF = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\b")
IMPORTED = 200


@pytest.fixture(scope="module")
def incident_path(demo_template, tmp_path_factory) -> Path:
    """The demo (300 reports) plus 200 reports written in one batch, as an import writes
    them: their ids share their first 13 characters (the same millisecond)."""
    path = tmp_path_factory.mktemp("refs") / "demo"
    shutil.copytree(demo_template, path)
    with Incident.open(path) as inc, inc.transaction():
        records.add_reports(
            inc,
            (
                {
                    "kind": "sns",
                    "lon": 130.70 + n / 10_000,
                    "lat": 32.80,
                    "location_source": "post",
                    "observed_at": f"2026-11-21T{8 + n // 60:02d}:{n % 60:02d}:00+09:00",
                    "text": f"道路に亀裂 {n}",
                }
                for n in range(IMPORTED)
            ),
        )
    return path


@pytest.fixture
def inc(incident_path):
    with Incident.open(incident_path, write=False) as opened:
        yield opened


def test_the_incident_has_the_ids_that_broke_the_old_short_id(inc):
    reports = list(query.reports(inc))
    assert len(reports) == 300 + IMPORTED
    prefixes = [r["id"][:8] for r in reports]
    assert max(prefixes.count(p) for p in prefixes) >= IMPORTED


def test_every_report_has_its_own_reference_in_the_web_map(inc, tmp_path):
    out = tmp_path / "map.html"
    export(ExportJob(inc, out))
    page = out.read_text(encoding="utf-8")
    data = json.loads(
        re.search(r'<script type="application/json" id="gs-data">(.*?)</script>', page, re.S)[1]
    )
    located = [r for r in query.reports(inc) if r["lon"] is not None]
    shown = data["reports"]["id"]  # what the popups show beside "Ref"
    assert len(shown) == len(set(shown)) == len(located)
    assert set(shown) == {ref(r["id"]) for r in located}
    assert data["fields"]["id"] == "参照番号"
    features = list(query.features(inc))
    point_refs = data["features"]["ref"] + [s["ref"] for s in data["shapes"]]
    assert sorted(point_refs) == sorted(ref(f["id"]) for f in features if f["lon"] is not None)


def test_every_report_has_its_own_reference_in_the_pdf_list(inc, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) is not installed")
    out = tmp_path / "map.pdf"
    export(ExportJob(inc, out, paper="a3", lang="en"))
    text = subprocess.run(
        ["pdftotext", "-layout", out, "-"], capture_output=True, text=True, check=True
    ).stdout
    listed = REF.findall(text.split("\f", 1)[1])
    reports = list(query.reports(inc))
    assert len(listed) == len(set(listed)) == len(reports)
    assert set(listed) == {ref(r["id"]) for r in reports}
    assert "Ref" in text


def test_kml_balloons_and_csv_rows_carry_the_reference(inc, tmp_path):
    export(ExportJob(inc, tmp_path / "map.kml"))
    root = ET.parse(tmp_path / "map.kml").getroot()
    data = [d for d in root.iter(f"{KML}Data") if d.get("name") == "ref"]
    in_data = [d.find(f"{KML}value").text for d in data]
    located = {ref(r["id"]) for r in query.reports(inc) if r["lon"] is not None}
    assert len(in_data) == len(set(in_data)) == len(located) and set(in_data) == located
    descriptions = " ".join(d.text or "" for d in root.iter(f"{KML}description"))
    assert all(r in descriptions for r in located)
    assert all(ref(f["id"]) in descriptions for f in query.features(inc))

    export(ExportJob(inc, tmp_path / "r.csv"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == 300 + IMPORTED
    # headers in the export's language
    assert all(row["参照番号"] == ref(row["ID"]) for row in rows)
    assert len({row["参照番号"] for row in rows}) == len(rows)
