"""Benchmark: the HTML export of 100,000 reports against a plain folium map (not run by CI).

    .venv/bin/python tests/bench/export.py [--count 100000] [--photos 1000]

Builds an incident (1,000 photo reports with thumbnails, the rest with ~100 characters of
text), then prints, measured in the same run, for gspace's export and for a folium map with
one `folium.Marker` and popup per report (the way folium's documentation shows):
  - build time, file size;
  - time to first drawn map in headless Chromium, network blocked (the plain map's CDN
    Leaflet is served from the local xstatic copy so that it can open at all), capped at 60 s;
    ours draws once the first chunk is clustered, the rest join while the map is usable, and
    the time until all have joined is printed too;
and the ratios. It also checks that every report of our map is reachable (in a cluster or on
the map as a marker).
"""

from __future__ import annotations

import argparse
import html
import io
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from gspace.export import ExportJob, export
from gspace.store import query, records
from gspace.store.incident import Incident

OPEN_LIMIT_S = 60.0
SENTENCES = [
    "熊本市中央区で断水が続いています。給水車の情報を求めます。",
    "益城町宮園で家屋が倒壊、道路がふさがっています。通行できません。",
    "東区の避難所は満員です。毛布と水が足りていません。至急支援をお願いします。",
    "南区城南町で火災発生、黒い煙が見えます。消防車はまだ来ていません。",
]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def make_incident(folder: Path, count: int, photos: int) -> Path:
    rng = random.Random(7)
    path = folder / "incident"
    with Incident.create(path, name="ベンチマーク 10万件") as inc:
        media = []
        for n in range(photos):
            image = Image.new("RGB", (256, 192), (rng.randrange(256), 90, rng.randrange(256)))
            for _ in range(30):  # some detail, so the JPEG is a realistic size
                x, y = rng.randrange(256), rng.randrange(192)
                image.paste((rng.randrange(256),) * 3, (x, y, x + 20, y + 14))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=80)
            media.append({"sha256": f"{n:064x}", "type": "image/jpeg", "thumbnail": out.getvalue()})
        rows = []
        for i in range(count):
            is_photo = i < photos
            rows.append(
                {
                    "kind": "photo" if is_photo else rng.choice(["sns", "sns", "manual"]),
                    "lon": round(rng.uniform(129.5, 141.5), 6),
                    "lat": round(rng.uniform(31.0, 41.0), 6),
                    "location_source": "exif" if is_photo else "post",
                    "observed_at": f"2026-11-{20 + i % 5:02d}T{i % 24:02d}:{i % 60:02d}:00+09:00",
                    "author": f"@user{i % 5000}",
                    "category": rng.choice(["rescue", "water_outage", "fire", "other"]),
                    "status": rng.choice(["new", "verified"]),
                    "text": f"{i}: " + rng.choice(SENTENCES) + rng.choice(SENTENCES)[:40],
                    "source": f"post:{i}",
                    "media": [media[i]["sha256"]] if is_photo else [],
                }
            )
        with inc.transaction():
            inc.db["media"].insert_all(media)
            records.add_reports(inc, rows)
    return path


def plain_folium(path: Path, out: Path) -> None:
    """One folium.Marker with an HTML popup per report: text, time, status, photo."""
    import base64

    import folium

    with Incident.open(path, write=False) as inc:
        m = folium.Map(location=[36, 137], zoom_start=5)
        for r in query.reports(inc):
            photo = ""
            if r["media"]:
                data = query.media_thumbnail(inc, r["media"][0])
                photo = f'<img src="data:image/jpeg;base64,{base64.b64encode(data).decode()}">'
            popup = (
                f"{photo}<p>{html.escape(r['text'])}</p><p>{html.escape(r['observed_at'])} "
                f"{html.escape(r['status'])}</p>"
            )
            folium.Marker([r["lat"], r["lon"]], popup=folium.Popup(popup, max_width=300)).add_to(m)
        m.save(str(out))


def open_time(browser, page_path: Path, drawn: str) -> float | None:
    """Seconds from navigation to `drawn` being true, or None after OPEN_LIMIT_S."""
    from xstatic.pkg import leaflet

    local = Path(leaflet.BASE_DIR)
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:")):
            return r.continue_()
        name = url.rsplit("/", 1)[-1]
        candidates = [local / name, local / "images" / name]
        found = next((c for c in candidates if "leaflet" in url and c.is_file()), None)
        if found:
            return r.fulfill(path=str(found))
        return r.abort()

    page.route("**/*", route)
    start = time.perf_counter()
    try:
        page.goto(page_path.as_uri(), timeout=OPEN_LIMIT_S * 1000, wait_until="commit")
        page.wait_for_function(drawn, timeout=OPEN_LIMIT_S * 1000, polling="raf")
        took = time.perf_counter() - start
    except Exception as e:  # the plain map may never draw: that is the finding
        print(f"  ({page_path.name}: {type(e).__name__} after {time.perf_counter() - start:.0f} s)")
        took = None
    context.close()
    return took


def reachable(browser, page_path: Path) -> int:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(page_path.as_uri())
    page.wait_for_function("window.GS && GS.loaded", timeout=OPEN_LIMIT_S * 1000)
    total = page.evaluate(
        "Object.entries(GS.layers).filter(([k]) => k.startsWith('report:'))"
        ".reduce((n, [, l]) => n + l.getLayers().length, 0)"
    )
    context.close()
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--photos", type=int, default=1_000)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or sys.exit("needs chromium (apt install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        path = make_incident(folder, args.count, args.photos)
        print(
            f"incident: {args.count:,} reports, {args.photos:,} photos "
            f"({time.perf_counter() - t:.1f} s to make)"
        )
        ours, plain = folder / "ours.html", folder / "plain.html"
        t = time.perf_counter()
        with Incident.open(path, write=False) as inc:
            export(ExportJob(inc, ours))
        ours_build = time.perf_counter() - t
        t = time.perf_counter()
        plain_folium(path, plain)
        plain_build = time.perf_counter() - t
        sizes = ours.stat().st_size / 1e6, plain.stat().st_size / 1e6
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            ours_open = open_time(browser, ours, "window.GS && GS.drawn")
            ours_loaded = open_time(browser, ours, "window.GS && GS.loaded")
            plain_open = open_time(
                browser, plain, "document.querySelectorAll('.leaflet-marker-icon').length > 0"
            )
            markers = reachable(browser, ours)
            browser.close()
    never = f"did not draw within {OPEN_LIMIT_S:.0f} s"
    print(f"{'':24}{'gspace':>14}{'folium.Marker':>16}{'ratio':>10}")
    print(f"{'build (s)':24}{ours_build:14.2f}{plain_build:16.2f}{plain_build / ours_build:9.1f}x")
    print(f"{'file (MB)':24}{sizes[0]:14.1f}{sizes[1]:16.1f}{sizes[1] / sizes[0]:9.1f}x")
    ours_text = f"{ours_open:.2f}" if ours_open else never
    plain_text = f"{plain_open:.2f}" if plain_open else never
    ratio = f"{plain_open / ours_open:9.1f}x" if ours_open and plain_open else ""
    print(f"{'first drawn map (s)':24}{ours_text:>14}{plain_text:>16}{ratio}")
    print(f"our map, every report clustered and reachable (s): {ours_loaded or never}")
    print(f"reports reachable in our map: {markers:,} of {args.count:,}")


if __name__ == "__main__":
    main()
