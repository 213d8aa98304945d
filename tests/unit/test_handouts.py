"""Hand-outs (open shelters, needs) read back with pdftotext, and the public profile's
allow-list for features: no staff name, contact or note leaves in any export format."""

import csv
import io
import re
import shutil
import sqlite3
import subprocess
import zipfile

import pytest

from gspace import shelters
from gspace.export import ExportJob, export
from gspace.export.profile import Profile
from gspace.ingest.layers import import_layer
from gspace.store import query

STAFF = "Yamada Hanako 山田花子"
PHONE = "090-9999-0000"
NOTE = "SECRET-NOTE-42 鍵は職員室"
PLANTED = ("Yamada Hanako", "山田花子", PHONE, "SECRET-NOTE-42", "鍵は職員室")
# name -> (status, evacuees); capacities come from Matsuyama's list
SITUATION = {
    "城山公園": ("open", 1200),
    "東雲公園": ("open", 4790),
    "持田若宮公園": ("open", 0),
    "八坂公園": ("full", 1400),
    "枝松公園": ("closed", 0),
}


@pytest.fixture
def staffed(layers_dir, incident):
    import_layer(incident, layers_dir / "382019_evacuation_space.csv", "shelter")
    ids = {f["name"]: f["id"] for f in query.features(incident)}
    for name, (status, evacuees) in SITUATION.items():
        shelters.set_situation(
            incident,
            ids[name],
            status,
            {"evacuees": evacuees, "manager": STAFF, "contact": PHONE, "need_water": "urgent",
             "need_other": "粉ミルク"},
            note=NOTE,
        )  # fmt: skip
    return incident


def pdf_text(path) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


@needs_poppler
@pytest.mark.parametrize("paper", ["a4", "a3"])
def test_open_shelters_hand_out_lists_each_with_its_free_places(staffed, tmp_path, paper):
    out = tmp_path / "open.pdf"
    export(ExportJob(staffed, out, handout="shelters", paper=paper))
    text = pdf_text(out)
    assert "開設中の避難所" in text
    lines = text.splitlines()
    for name, free in (("城山公園", 49500), ("東雲公園", 10), ("持田若宮公園", 900)):
        [line] = [line for line in lines if f" {name} " in f" {line} " and "愛媛県" in line]
        assert f" {free} " in f"{line} ", line  # the free places on the shelter's line
        assert "開設" in line and STAFF.split()[-1] in line  # internal: the person in charge
    [full] = [line for line in lines if "八坂公園" in line and "愛媛県" in line]
    assert "満員" in full and " 0 " in full
    assert "枝松公園" not in text  # closed: not on the hand-out
    assert "4 か所" in text and "空き 合計 50410" in text


@needs_poppler
def test_needs_hand_out_lists_urgent_needs_per_shelter(staffed, tmp_path):
    export(ExportJob(staffed, tmp_path / "needs.pdf", handout="needs", lang="en"))
    text = pdf_text(tmp_path / "needs.pdf")
    assert "Needs of the shelters" in text
    for name in ("城山公園", "東雲公園", "持田若宮公園", "八坂公園"):
        [line] = [line for line in text.splitlines() if name in line]
        assert "Water!" in line and "粉ミルク" in line
    export(ExportJob(staffed, tmp_path / "needs.csv", handout="needs"))
    rows = list(csv.reader(io.StringIO((tmp_path / "needs.csv").read_text("utf-8-sig"))))
    assert rows[0][:5] == ["名称", "住所", "市区町村", "必要なもの", "緊急度"]
    urgent = [r for r in rows[1:] if r[4] == "至急"]
    assert len(urgent) == 5 and rows[1][4] == "至急"  # urgent first (closed ones too: stock)


def readable(path) -> str:
    """What a person or program can read out of an export: text, the rows of a GeoPackage,
    the files inside a KMZ, the text of a PDF, the bytes of a PNG."""
    suffix = path.suffix
    if suffix == ".pdf":
        return pdf_text(path)
    if suffix == ".kmz":
        with zipfile.ZipFile(path) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if suffix == ".gpkg":
        conn = sqlite3.connect(path)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        text = "".join(str(conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables)
        conn.close()
        return text
    data = path.read_bytes().decode("utf-8", "replace")
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), data)  # JSON escapes


FORMATS = [
    (".html", None), (".gpkg", None), (".geojson", None), (".kml", None), (".kmz", None),
    (".csv", None), (".pdf", None), (".png", None), (".pdf", "shelters"), (".png", "shelters"),
    (".csv", "shelters"), (".pdf", "needs"), (".csv", "needs"),
]  # fmt: skip


@needs_poppler
def test_public_exports_carry_no_staff_contact_or_note(staffed, tmp_path):
    leaks = {}
    for suffix, handout in FORMATS:
        name = f"{handout or 'map'}{suffix}"
        for profile in ("internal", "public"):
            out = tmp_path / profile / name
            out.parent.mkdir(exist_ok=True)
            export(ExportJob(staffed, out, profile=Profile(profile), handout=handout))
        found = [p for p in PLANTED if p in readable(tmp_path / "public" / name)]
        if found:
            leaks[name] = found
    assert leaks == {}
    # the same exports, internal, do carry them: the check above can see a leak
    for name in ("map.html", "map.gpkg", "map.kml", "map.kmz", "shelters.pdf", "needs.pdf"):
        text = readable(tmp_path / "internal" / name)
        assert any(p in text for p in PLANTED), name
    # and the public web map still shows each shelter's situation
    page = readable(tmp_path / "public" / "map.html")
    assert "避難者数 1200 / 50700 (2%)" in page and "水!" in page
