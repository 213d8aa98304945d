"""Every export format read back: counts, coordinates, Japanese text, photos, profiles."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pyogrio
import pytest
import shapely
from export_incident import HOSTILE, PHOTO, RESCUE, make_export_incident
from helpers import run_gspace
from PIL import Image
from pyogrio.raw import read

from gspace.export import ExportCancelled, ExportJob, export
from gspace.export.profile import Profile
from gspace.store import query
from gspace.store.incident import Incident

KML = "{http://www.opengis.net/kml/2.2}"
GPS_IFD = 0x8825


@pytest.fixture(scope="module")
def incident_path(demo_template, tmp_path_factory) -> Path:
    return make_export_incident(demo_template, tmp_path_factory.mktemp("export") / "incident")


@pytest.fixture
def inc(incident_path):
    with Incident.open(incident_path, write=False) as opened:
        yield opened


def read_layer(path: Path, layer: str | None = None) -> tuple[list[dict], dict]:
    """A layer through GDAL (pyogrio, no pandas): rows with a shapely `geometry`, and the
    field types GDAL sees."""
    meta, _fids, geometry, values = read(path, layer=layer, datetime_as_string=True)
    names = list(meta["fields"])
    rows = [
        {
            **{n: column[i] for n, column in zip(names, values, strict=True)},
            "geometry": shapely.from_wkb(geometry[i]) if geometry[i] is not None else None,
        }
        for i in range(len(geometry))
    ]
    return rows, dict(zip(names, meta["ogr_types"], strict=True))


def run(inc, out: Path, **kw) -> ExportJob:
    return export(ExportJob(inc, out, **kw))


def expected_reports(inc, filt=None) -> list[dict]:
    return list(query.reports(inc, filt))


def test_geojson_has_every_report_with_its_coordinates_and_text(inc, tmp_path):
    job = run(inc, tmp_path / "r.geojson")
    expected = {r["id"]: r for r in expected_reports(inc)}
    rows, _types = read_layer(tmp_path / "r.geojson")
    assert job.reports_written == len(rows) == len(expected)
    for row in rows:
        source = expected[row["id"]]
        assert row["text"] == source["text"]
        if source["lon"] is None:
            assert row["geometry"] is None
        else:
            assert (row["geometry"].x, row["geometry"].y) == (source["lon"], source["lat"])
    rescue = next(r for r in rows if r["author"] == RESCUE["author"])
    assert (rescue["geometry"].x, rescue["geometry"].y) == (RESCUE["lon"], RESCUE["lat"])
    assert "助けて" in rescue["text"]


def test_filters_choose_the_reports(inc, tmp_path):
    filt = query.ReportFilter(categories=["rescue"], statuses=["new"])
    job = run(inc, tmp_path / "rescue.geojson", filt=filt)
    rows, _types = read_layer(tmp_path / "rescue.geojson")
    assert job.reports_written == len(rows) == query.count_reports(inc, filt) > 0
    assert all("rescue" in r["category"].split(",") for r in rows)
    assert {r["status"] for r in rows} == {"new"}


def test_geopackage_has_typed_tables_photos_and_every_layer(inc, tmp_path):
    path = tmp_path / "map.gpkg"
    job = run(inc, path)
    layers = dict(pyogrio.list_layers(path))
    feature_counts = query.feature_counts(inc)
    assert set(layers) == {"reports", *feature_counts, "report_photos", "reports_photos"}
    assert layers["reports"] == "Point"
    reports, types = read_layer(path, "reports")
    assert len(reports) == job.reports_written == query.count_reports(inc)
    assert types["observed_at"] == "OFTDateTime" and types["accuracy_m"] == "OFTReal"
    assert types["photos"] == "OFTInteger"
    rescue = next(r for r in reports if r["author"] == RESCUE["author"])
    assert (rescue["geometry"].x, rescue["geometry"].y) == (RESCUE["lon"], RESCUE["lat"])
    assert rescue["observed_at"].startswith("2026-11-21T01:05:00")  # UTC, as GeoPackage wants
    assert "助けて" in rescue["text"]
    for kind, count in feature_counts.items():
        features, _types = read_layer(path, kind)
        assert len(features) == count
        assert all(f["name"] for f in features)
    # the photo report's thumbnail, tied to it through the related-tables mapping
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT r.fid, p.data FROM reports r JOIN reports_photos m ON m.base_id = r.fid "
            "JOIN report_photos p ON p.id = m.related_id WHERE r.kind = 'photo'"
        ).fetchall()
        relation = conn.execute(
            "SELECT base_table_name, related_table_name, relation_name FROM gpkgext_relations"
        ).fetchall()
    photos = query.count_reports(inc, query.ReportFilter(kinds=["photo"]))
    assert len(rows) == photos
    assert Image.open(io.BytesIO(rows[0][1])).format == "JPEG"
    assert relation == [("reports", "report_photos", "media")]


def test_kml_places_every_located_report_and_feature(inc, tmp_path):
    job = run(inc, tmp_path / "map.kml")
    root = ET.parse(tmp_path / "map.kml").getroot()
    placemarks = root.iter(f"{KML}Placemark")
    located = query.count_reports(inc, query.ReportFilter(located=True))
    points = {p.get("id"): p for p in placemarks}
    assert len(points) == located + job.features_written
    assert job.reports_written == located
    assert job.unlocated == query.count_reports(inc, query.ReportFilter(located=False))
    assert job.features_written == sum(query.feature_counts(inc).values())
    rescue_id = next(r["id"] for r in expected_reports(inc) if r["author"] == RESCUE["author"])
    coordinates = points[f"r-{rescue_id}"].find(f"{KML}Point/{KML}coordinates").text
    assert coordinates == f"{RESCUE['lon']},{RESCUE['lat']}"
    folders = [f.find(f"{KML}name").text for f in root.iter(f"{KML}Folder")]
    assert {"写真", "SNS投稿", "避難所", "給水所"} <= set(folders)


def test_kml_balloons_show_untrusted_text_as_text(inc, tmp_path):
    run(inc, tmp_path / "map.kml")
    root = ET.parse(tmp_path / "map.kml").getroot()
    descriptions = [d.text or "" for d in root.iter(f"{KML}description")]
    # Google Earth renders the description as HTML: the text must arrive HTML-escaped
    hostile = [d for d in descriptions if "onerror" in d]
    assert hostile and all("&lt;img src=x onerror=alert(1)&gt;" in d for d in hostile)
    assert not any("<img src=x" in d for d in descriptions)


def test_kmz_carries_the_photos(inc, tmp_path):
    run(inc, tmp_path / "map.kmz")
    with zipfile.ZipFile(tmp_path / "map.kmz") as kmz:
        names = kmz.namelist()
        assert names[0] == "doc.kml"
        document = kmz.read("doc.kml").decode("utf-8")
        photos = [n for n in names if n.startswith("files/")]
        assert photos and all(f'src="{n}"' in document for n in photos)
        image = Image.open(io.BytesIO(kmz.read(photos[-1])))
        assert image.format == "JPEG" and max(image.size) <= 1600


def test_csv_opens_with_the_bom_and_japanese_text(inc, tmp_path):
    job = run(inc, tmp_path / "r.csv", lang="en")
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == job.reports_written == query.count_reports(inc)
    assert rows[0].keys() >= {"ID", "Observed at", "Category", "Status", "Text", "Longitude"}
    assert any("助けて" in r["Text"] for r in rows)


def photo_exif_gps(data: bytes) -> dict:
    return dict(Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD))


def test_public_profile_leaves_out_people_exif_and_rejected_reports(inc, tmp_path):
    internal = run(inc, tmp_path / "internal.geojson")
    public = run(inc, tmp_path / "public.geojson", profile=Profile("public"))
    text = (tmp_path / "public.geojson").read_text(encoding="utf-8")
    data = json.loads(text)["features"]
    rejected = query.count_reports(inc, query.ReportFilter(statuses=["rejected"]))
    assert rejected > 0
    assert public.reports_written == internal.reports_written - rejected
    assert "rejected" not in {f["properties"]["status"] for f in data}
    assert all(f["properties"]["author"] is None for f in data)
    for secret in ("tanaka_taro", "田中太郎", "@attacker", "x.com/i/web/status"):
        assert secret not in text
    rescue = next(f for f in data if "助けて" in (f["properties"]["text"] or ""))
    lon, lat = rescue["geometry"]["coordinates"]
    assert (lon, lat) != (RESCUE["lon"], RESCUE["lat"])
    assert abs(lon - RESCUE["lon"]) <= 0.0005 and abs(lat - RESCUE["lat"]) <= 0.0005
    assert round(lon * 1000, 6) == round(lon * 1000) and round(lat * 1000, 6) == round(lat * 1000)
    assert rescue["properties"]["accuracy_m"] >= 100


def test_public_photos_carry_no_exif_gps(inc, tmp_path):
    run(inc, tmp_path / "internal.kmz")
    run(inc, tmp_path / "public.kmz", profile=Profile("public"))
    with zipfile.ZipFile(tmp_path / "internal.kmz") as kmz:
        internal = [kmz.read(n) for n in kmz.namelist() if n.startswith("files/")]
    with zipfile.ZipFile(tmp_path / "public.kmz") as kmz:
        public = [kmz.read(n) for n in kmz.namelist() if n.startswith("files/")]
    assert internal and public
    # the internal copy keeps the camera's GPS (so the check below can fail) ...
    gps = [photo_exif_gps(d) for d in internal if photo_exif_gps(d)]
    assert gps and any(
        abs(g[2][0] + g[2][1] / 60 + g[2][2] / 3600 - PHOTO["lat"]) < 1e-4 for g in gps
    )
    # ... the public one has none, nor any EXIF at all
    assert all(photo_exif_gps(d) == {} for d in public)
    assert all(len(Image.open(io.BytesIO(d)).getexif()) == 0 for d in public)


def test_public_web_map_has_no_authors(inc, tmp_path):
    run(inc, tmp_path / "public.html", profile=Profile("public"))
    page = (tmp_path / "public.html").read_text(encoding="utf-8")
    assert "tanaka_taro" not in page and "@attacker" not in page
    assert "助けて" in page


def test_pdf_has_the_title_a_drawn_map_and_the_list(inc, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    title = "熊本市 災害対策本部 配布用"
    job = run(inc, tmp_path / "map.pdf", title=title, paper="a4")
    text = subprocess.run(
        ["pdftotext", "-layout", tmp_path / "map.pdf", "-"], capture_output=True, text=True
    ).stdout
    pages = text.split("\f")
    assert title in pages[0] and " km" in pages[0]  # the scale bar's label
    assert "報告一覧" in pages[1]
    assert any("助けて" in page for page in pages[1:])
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            tmp_path / "map.pdf",
            tmp_path / "page",
        ],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    w, h = image.size
    assert w > h  # landscape
    # inside the map frame: the outline's land colour and report symbols
    colours = image.crop((int(w * 0.05), int(h * 0.2), int(w * 0.75), int(h * 0.9))).getcolors(
        1_000_000
    )
    saturated = sum(n for n, (r, g, b) in colours if max(r, g, b) - min(r, g, b) > 80)
    land = sum(n for n, c in colours if c == (0xF4, 0xF1, 0xE8))
    assert land > 1000 and saturated > 200
    assert job.reports_written == query.count_reports(inc)


def test_png_is_the_map_page_at_print_resolution(inc, tmp_path):
    run(inc, tmp_path / "map.png", paper="a3")
    image = Image.open(tmp_path / "map.png")
    width, height = image.size
    assert abs(width - 420 / 25.4 * 150) <= 1 and abs(height - 297 / 25.4 * 150) <= 1


def test_a_cancelled_export_leaves_the_previous_file(inc, tmp_path):
    out = tmp_path / "map.geojson"
    out.write_text("previous", encoding="utf-8")
    with pytest.raises(ExportCancelled):
        run(inc, out, cancelled=lambda: True)
    assert out.read_text(encoding="utf-8") == "previous"
    assert list(tmp_path.iterdir()) == [out]


def test_cli_export(incident_path, tmp_path):
    done = run_gspace("export", incident_path, tmp_path / "m.csv", "--category", "rescue")
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().startswith(f"wrote {tmp_path / 'm.csv'}: ")
    wrong = run_gspace("export", incident_path, tmp_path / "m.txt")
    assert wrong.returncode == 1
    assert wrong.stderr.strip().splitlines() == [
        "gspace: cannot export to m.txt: use one of .html, .gpkg, .geojson, .csv, .kml, .kmz, "
        ".pdf, .png as the suffix"
    ]
    assert not (tmp_path / "m.txt").exists()


def test_untrusted_text_is_data_in_the_web_map(inc, tmp_path):
    run(inc, tmp_path / "map.html")
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert HOSTILE not in page  # only as JSON with '<' escaped, never as markup
    assert "\\u003cimg src=x onerror=alert(1)>" in page
    assert "cdn." not in page and "https://code.jquery" not in page
