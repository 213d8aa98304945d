"""The README's pictures of shelter operations, from a real municipal shelter list:

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/shelter_screenshots.py
        # docs/shelters-overview.png, docs/shelters-handout.png

Kyoto City's shelter list (../shared/fixtures/layers, 424 shelters in 11 wards) is imported,
then a status snapshot built from it (the prefecture-feed layout: 避難所名 / 開設状況 / 混雑状況 /
避難者数 / 更新日時) updates a third of them; a few report needs, and one reports its evacuees
four times, for the chart. The window is shown in Japanese with the shelters overview, the map
coloured by occupancy and that shelter selected; the printed list is page 1 of the open-shelters
hand-out (A4 PDF from the core), rendered by pdftoppm.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

from PySide6 import QtWebEngineWidgets  # noqa: E402, F401 (before the application)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
KYOTO = ROOT.parent / "shared" / "fixtures" / "layers" / "ShelterModel-2021-09-05_ShiftJIS.csv"
NEEDS = ("water", "food", "blankets", "medical", "toilets", "power")


def build(path: Path):
    """The incident: Kyoto's shelters and their situation, as a morning of a heavy-rain day."""
    from gspace import shelters
    from gspace.ingest.layers import import_layer
    from gspace.ingest.status_feed import import_status
    from gspace.store import query
    from gspace.store.incident import Incident

    incident = Incident.create(path, name="京都市 大雨 2026")
    import_layer(incident, KYOTO, "shelter")
    rng = random.Random(19)
    features = list(query.features(incident, ["shelter"]))
    named = Counter(f["name"] for f in features)
    unique = [f for f in features if named[f["name"]] == 1]
    star = max(unique, key=lambda f: f["attributes"].get("capacity") or 0)
    unique = [f for f in unique if f is not star]  # it reports by itself, below
    chosen = rng.sample(unique, len(unique) // 3)
    now = datetime.now(incident.timezone).replace(second=0, microsecond=0)
    lines = ["避難所名,開設状況,混雑状況,避難者数,更新日時"]
    for n, feature in enumerate(chosen):
        capacity = feature["attributes"].get("capacity") or 100
        share = rng.choice([0.1, 0.3, 0.45, 0.6, 0.75, 0.9, 1.0])
        state = "満員" if share >= 1 else ("未開設" if n % 9 == 0 else "開設")
        evacuees = "" if state == "未開設" else str(int(capacity * share))
        crowding = {True: "混雑", False: "空いています"}[share >= 0.75]
        age = timedelta(hours=5, minutes=10) if n % 7 == 0 else timedelta(minutes=10 + n % 40)
        when = (now - age).strftime("%Y/%m/%d %H:%M")
        lines.append(f"{feature['name']},{state},{crowding},{evacuees},{when}")
    snapshot = path / "status_0900.csv"
    snapshot.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    print(import_status(incident, snapshot).line())
    opened = [s for s in shelters.overview(incident).shelters if s.status == "open"]
    for n, state in enumerate(opened[:30]):
        needs = {f"need_{NEEDS[(n + k) % len(NEEDS)]}": "needed" for k in range(n % 3)}
        if n % 4 == 0:
            needs[f"need_{NEEDS[n % len(NEEDS)]}"] = "urgent"
        fields = {**needs, "manager": f"市職員 {n + 1:02d}", "contact": "075-222-3111"}
        fields["reported_at"] = state.reported_at
        shelters.set_situation(incident, state.id, fields=fields)
    capacity = star["attributes"].get("capacity") or 400
    for hours, share in ((6, 0.15), (4, 0.4), (2, 0.55), (0.5, 0.7)):
        when = (now - timedelta(hours=hours)).isoformat()
        fields = {"evacuees": str(int(capacity * share)), "reported_at": when}
        shelters.set_situation(incident, star["id"], status="open", fields=fields)
    shelters.set_situation(
        incident,
        star["id"],
        fields={
            "need_blankets": "urgent",
            "need_food": "needed",
            "manager": "市職員 伏見",
            "contact": "075-611-1101",
        },
    )
    return incident, star["id"]


def handout(incident, png: Path) -> None:
    """Pages 1 (the map, each open shelter numbered) and 2 (the list's first page) side by
    side."""
    from PIL import Image

    from gspace.export import ExportJob, export

    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "open-shelters.pdf"
        export(ExportJob(incident, pdf, handout="shelters", paper="a4", lang="ja"))
        pages = []
        for page in (1, 2):
            out = Path(tmp) / f"page{page}"
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "80",
                    "-singlefile",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    pdf,
                    out,
                ],
                check=True,
            )
            pages.append(Image.open(out.with_suffix(".png")).convert("RGB"))
    gap = 16
    sheet = Image.new(
        "RGB",
        (sum(p.width for p in pages) + gap * 3, max(p.height for p in pages) + gap * 2),
        "#9e9e9e",
    )
    x = gap
    for page in pages:
        sheet.paste(page, (x, gap))
        x += page.width + gap
    sheet.save(png)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", default="ja")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gspace-shelters-"))
    os.environ["GSPACE_CONFIG_DIR"] = str(work / "config")
    incident, star = build(work / "kyoto")
    handout(incident, DOCS / "shelters-handout.png")
    incident.close()

    from PySide6.QtCore import Qt, QTimer

    from gspace.gui import i18n
    from gspace.gui.app import application, open_window

    app = application()
    i18n.install(args.lang)
    window = open_window(work / "kyoto")
    window.resize(1600, 1000)
    window.show()
    window.shelters.occupancy_action.setChecked(True)
    dock = window.docks["shelters"]
    dock.show()
    window.resizeDocks([dock], [360], Qt.Orientation.Vertical)
    window.docks["reports"].hide()  # no reports in this incident: the panel has the room

    def pick() -> None:
        chart = window.detail.situation.chart
        window.select_feature(star)
        window.shelters.dock.select_id(star)
        window.shelters.dock.table.scrollToTop()  # the oldest reports first: the stale ones
        QTimer.singleShot(1000, lambda: window.detail.ensureWidgetVisible(chart, 0, 0))
        QTimer.singleShot(2500, save)

    def save() -> None:
        DOCS.mkdir(exist_ok=True)
        window.grab().save(str(DOCS / "shelters-overview.png"))
        print(DOCS / "shelters-overview.png", DOCS / "shelters-handout.png")
        app.exit(0)

    QTimer.singleShot(4000, pick)
    QTimer.singleShot(60_000, lambda: app.exit(1))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
