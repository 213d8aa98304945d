"""Render the main window on a fresh demo incident to docs/main-window.png (for the README).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshot.py [--lang ja|en] [OUT.png]

A photo report is selected so the detail panel shows its thumbnail, time and status;
--triage shows the review workspace instead (filters, a timeline window, triage and history);
--conflicts the conflicts panel after three laptops changed one report's status while apart
and merged with the real sync engine (tests/conflict_laptops.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")

from PySide6.QtCore import Qt, QTimer  # noqa: E402

from gspace.demo import make_demo  # noqa: E402
from gspace.gui import i18n  # noqa: E402
from gspace.gui.app import application, open_window  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def sample_posts(path: Path) -> Path:
    """X API v2 stream lines: the demo's post texts, every third with coordinates."""
    import orjson

    from gspace.demo import PLACES, POSTS

    lines = []
    for n, text in enumerate(list(POSTS.values()) * 3):
        place, lat, lon = PLACES[n % len(PLACES)]
        where = f"熊本市{place}" if place[0] in "中東南西北" else place
        tweet = {
            "id": str(1_900_000_000_000_000_000 + n),
            "text": text.format(place=where, n=n % 4 + 2),
            "created_at": f"2026-11-20T{12 + n // 6:02d}:{n * 7 % 60:02d}:00.000Z",
            "author_id": str(n % 7),
        }
        if n % 3 == 0:
            tweet["geo"] = {"coordinates": {"type": "Point", "coordinates": [lon, lat]}}
        users = [{"id": str(n % 7), "username": f"kumamoto_{n % 7}", "name": "訓練 太郎"}]
        lines.append(orjson.dumps({"data": tweet, "includes": {"users": users}}))
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _lat_lon(window, report_id: str) -> tuple[float, float]:
    from gspace.store import query

    report = query.report(window.incident, report_id)
    return report["lat"], report["lon"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default=ROOT / "docs" / "main-window.png", type=Path)
    parser.add_argument("--lang", default="ja", choices=sorted(i18n.LANGUAGES))
    parser.add_argument(
        "--closeup",
        action="store_true",
        help="zoom the map to the selected photo (shows camera directions)",
    )
    parser.add_argument(
        "--triage",
        action="store_true",
        help="the review workspace: unreviewed reports in a six-hour window, a few triaged",
    )
    parser.add_argument(
        "--conflicts",
        action="store_true",
        help="the conflicts panel: one report's status changed on three laptops, merged",
    )
    parser.add_argument(
        "--layer-dialog",
        type=Path,
        metavar="FILE",
        help="save the reference-layer import dialog on FILE instead",
    )
    parser.add_argument(
        "--sns-dialog",
        action="store_true",
        help="save the SNS import preview on sample posts written from the demo's texts instead",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gspace-shot-"))
    os.environ["GSPACE_CONFIG_DIR"] = str(work / "config")
    make_demo(work / "demo").close()
    folder = work / "demo"
    if args.conflicts:
        sys.path.insert(0, str(ROOT / "tests"))
        from conflict_laptops import meet, three_laptops

        laptops, _report_id = three_laptops(folder, work)
        meet(laptops)
        folder = laptops[0]
    app = application()
    i18n.install(args.lang)
    window = open_window(folder)
    window.resize(1400, 900)
    window.show()
    dialog = None
    if args.layer_dialog:
        dialog = window.files.layer_dialog(args.layer_dialog).form
    elif args.sns_dialog:
        from gspace.gui.sns_import import SnsImportDialog

        posts = sample_posts(work / "posts.jsonl")
        dialog = SnsImportDialog(window, [posts], window.incident.timezone).form
    if dialog:
        dialog.resize(900, 620)
        dialog.show()
        app.processEvents()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        dialog.grab().save(str(args.out))
        print(args.out)
        return 0

    def triage() -> None:
        """Unreviewed reports of one evening, some already checked by the analyst."""
        window.incident.actor = "本部 山田"
        window.timeline.set_window_hours(34, 39)
        window.filters.choose(status="new")
        window.reports.selectRow(0)
        window.review.set_status("verified")
        window.review.set_status("rejected")
        rows = window.reports.source.rows
        current = next(r["id"] for r in rows if r["kind"] == "sns" and r["lon"] is not None)
        window.review.set_fields([current], severity="high", note="消防に連絡済み")
        window.reports.select_id(current)
        window._list_selected(current)
        QTimer.singleShot(1500, save)

    def conflicts() -> None:
        """The panel under the map, wide enough for the three values side by side."""
        window.conflicts.open()
        window.resizeDocks([window.conflicts.dock], [330], Qt.Orientation.Vertical)
        conflict = window.conflicts.conflicts[0]
        window._map_clicked(conflict.row_id)
        window.map.set_view(*_lat_lon(window, conflict.row_id), 15)
        QTimer.singleShot(1500, save)

    def pick_photo() -> None:
        photos = [i for i, r in enumerate(window.reports.source.rows) if r["kind"] == "photo"]
        window.reports.selectRow(photos[2])
        if args.closeup:
            row = window.reports.source.rows[photos[2]]
            window.map.set_view(row["lat"], row["lon"], 16)
        QTimer.singleShot(1500, save)

    def save() -> None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(args.out))
        print(args.out)
        app.exit(0)

    # the map redraws as it fits the view: act once, after the first drawing
    QTimer.singleShot(0, lambda: window.mapDrawn.connect(first_draw))

    def first_draw(_count: int) -> None:
        window.mapDrawn.disconnect(first_draw)
        step = triage if args.triage else conflicts if args.conflicts else pick_photo
        QTimer.singleShot(1500, step)

    QTimer.singleShot(60_000, lambda: app.exit(1))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
