"""The README's pictures of exports, from the demo incident:

    .venv/bin/python scripts/export_screenshots.py   # docs/export-web.png, docs/export-print.png

The web map is opened in headless Chromium with the network off and every request outside the
file refused (as at an HQ with no line), a photo report's popup open; the printed map is page 1
of the A3 PDF, rendered by pdftoppm.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from gspace.demo import make_demo
from gspace.export import ExportJob, export
from gspace.store.incident import Incident

DOCS = Path(__file__).resolve().parent.parent / "docs"
# a photo report's popup, at a zoom that shows the town names around it
OPEN_PHOTO_POPUP = """(() => {
  const m = GS.markers[GS.data.reports.photo.findIndex((p) => p >= 0)];
  GS.map.setView(m.getLatLng(), 13, {animate: false});
  GS.openPopup(m);
})()"""


def web(page_path: Path, png: Path) -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or sys.exit("needs chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1400, "height": 860}, offline=True)
        page = context.new_page()
        # nothing but the file itself: the picture shows what an HQ with no line sees
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("file:", "data:"))
                else route.abort()
            ),
        )
        page.goto(page_path.as_uri())
        page.wait_for_function("window.GS && GS.loaded")
        page.evaluate(OPEN_PHOTO_POPUP)
        page.wait_for_timeout(800)  # the popup's pan and the names of the towns now in view
        page.screenshot(path=str(png))
        browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with make_demo(folder / "demo") as inc:
            path = inc.path
        with Incident.open(path, write=False) as inc:
            export(ExportJob(inc, folder / "map.html"))
            export(ExportJob(inc, folder / "map.pdf", paper="a3"))
        web(folder / "map.html", DOCS / "export-web.png")
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-singlefile",
                "-f",
                "1",
                "-l",
                "1",
                folder / "map.pdf",
                DOCS / "export-print",
            ],
            check=True,
        )
    print("wrote docs/export-web.png and docs/export-print.png")


if __name__ == "__main__":
    main()
