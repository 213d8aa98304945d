"""The printed map with no network: municipal borders and names on the map page, page numbers
and a place column in the list, and text with characters the fonts lack printed without a
warning."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from export_incident import make_export_incident
from helpers import run_gspace
from PIL import Image

from gspace.municipalities import CREDIT
from gspace.store import records
from gspace.store.incident import Incident

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

EMOJI_POST = "🙏🏻 中央区で停電 😱⚡ 👨‍👩‍👧 $5 の水 \x07 ﷽ 𝄞"


@pytest.fixture(scope="module")
def printed(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("print")
    path = make_export_incident(demo_template, folder / "incident")
    with Incident.open(path) as inc, inc.transaction():
        records.add_reports(
            inc,
            [
                {
                    "kind": "sns",
                    "lon": 130.7085,
                    "lat": 32.8031,
                    "location_source": "post",
                    "observed_at": "2026-11-20T00:00:00+09:00",  # first in the list
                    "text": EMOJI_POST,
                    "category": "power_outage",
                    "status": "new",
                    "source": "post:emoji",
                },
            ],
        )
    # in a subprocess, as a user runs it: stderr is what they would see
    done = run_gspace("export", path, folder / "map.pdf", "--paper", "a4", check=True)
    text = subprocess.run(
        ["pdftotext", "-layout", folder / "map.pdf", "-"], capture_output=True, text=True
    ).stdout
    return folder / "map.pdf", done.stderr, text.split("\f")[:-1]


def test_no_glyph_warnings_and_missing_characters_replaced(printed):
    _, stderr, pages = printed
    assert "Glyph" not in stderr and "missing from" not in stderr and "Warning" not in stderr
    assert stderr.startswith("wrote ")
    row = next(line for line in pages[1].splitlines() if "中央区で停電" in line)
    assert "〓" in row and "$5 の水" in row  # dollars are text, not mathematics


def test_every_page_is_numbered(printed):
    _, _, pages = printed
    total = len(pages)
    assert total >= 3
    for number, page in enumerate(pages, start=1):
        assert f"{number} / {total}" in page


def test_the_list_has_a_place_column_with_the_municipality_and_coordinates(printed):
    _, _, pages = printed
    assert "場所" in pages[1]
    row = next(line for line in pages[1].splitlines() if "中央区で停電" in line)
    assert "熊本市中央区" in row and "32.80310, 130.70850" in row
    # every located report of the first page has a municipality of Kumamoto's area
    rows = [line for line in pages[1].splitlines() if " 32." in line]
    assert len(rows) > 20
    assert all(any(t in line for t in ("熊本市", "益城町", "嘉島町", "合志市")) for line in rows)


def test_the_map_page_names_the_towns_and_credits_the_borders(printed, tmp_path):
    path, _, pages = printed
    for name in ("熊本市東区", "熊本市西区", "益城町"):
        assert name in pages[0]
    assert CREDIT["ja"] in pages[0].replace(" ", "")
    subprocess.run(
        ["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", path, tmp_path / "page"],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    w, h = image.size
    colours = image.crop((int(w * 0.05), int(h * 0.2), int(w * 0.75), int(h * 0.9))).getcolors(
        1_000_000
    )
    # the borders' violet-grey lines cross the land
    border = sum(n for n, (r, g, b) in colours if b > r + 8 and b > g + 12 and r < 200)
    assert border > 300


def test_the_gsi_pale_map_from_the_tile_cache_lies_under_the_borders(
    demo_path, tmp_path, monkeypatch
):
    from tile_server import png

    from gspace.export import ExportJob, export
    from gspace.export.printmap import map_figure
    from gspace.export.printplaces import to_lon_lat
    from gspace.tiles import TileCache, tiles_in

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user"))  # a tile cache of its own
    pale = (201, 222, 250)
    with Incident.open(demo_path, write=False) as inc:
        export(ExportJob(inc, tmp_path / "before.png"))  # no cache yet: no tiles, no credit
        ax = map_figure(ExportJob(inc, tmp_path / "x.png")).axes[0]
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        bbox = (*to_lon_lat(x0, y0), *to_lon_lat(x1, y1))
        cache = TileCache()
        for z in range(10, 14):
            for x, y in tiles_in(bbox, z):
                cache.put("gsi_pale", z, x, y, png(pale))
        cache.close()
        export(ExportJob(inc, tmp_path / "after.png"))
        pdf = export(ExportJob(inc, tmp_path / "after.pdf"))
    before = Image.open(tmp_path / "before.png").convert("RGB")
    after = Image.open(tmp_path / "after.png").convert("RGB")
    w, h = after.size
    frame = (int(w * 0.05), int(h * 0.2), int(w * 0.75), int(h * 0.9))

    def share(image):
        colours = image.crop(frame).getcolors(1_000_000)
        return sum(n for n, c in colours if c == pale) / (
            (frame[2] - frame[0]) * (frame[3] - frame[1])
        )

    assert share(before) == 0 and share(after) > 0.5
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", tmp_path / "after.pdf", "-"],
        capture_output=True,
        text=True,
    ).stdout
    assert "地理院タイル" in text and "熊本市東区" in text  # credited; names still drawn
    assert pdf.reports_written > 0
