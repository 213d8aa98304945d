"""Benchmark: the review workspace with 100,000 reports (not run by CI).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/review.py [--count 100000]

Builds an incident, opens the main window offscreen, and times, each until the list is updated
and the map has redrawn:
  - applying a filter (category + text search, then a status),
  - stepping to the next unreviewed report (N, detail panel filled),
  - moving the timeline's window by an hour,
each beside the time SQLite itself needs for the same query (the floor: no list, no map), and
their ratio. Target: each under 200 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

from PySide6 import QtWebEngineWidgets  # noqa: E402, F401
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402

from gspace.store import records  # noqa: E402
from gspace.store.incident import Incident  # noqa: E402
from gspace.store.query import ReportFilter  # noqa: E402

TARGET_MS = 200
TEXTS = [
    "熊本市中央区で断水が続いています。給水車の情報を求めます。",
    "益城町宮園で家屋が倒壊、道路がふさがっています。",
    "東区の避難所は満員です。毛布と水が足りていません。",
    "南区城南町で火災発生、黒い煙が見えます。",
]


def make_incident(folder: Path, count: int) -> Path:
    rng = random.Random(11)
    path = folder / "incident"
    with Incident.create(path, name="レビュー 10万件") as inc, inc.transaction():
        records.add_reports(
            inc,
            (
                {
                    "kind": rng.choice(["photo", "sns", "sns", "manual"]),
                    "lon": round(rng.uniform(130.5, 131.0), 6) if i % 20 else None,
                    "lat": round(rng.uniform(32.6, 33.0), 6) if i % 20 else None,
                    "observed_at": f"2026-11-{20 + i % 7:02d}T{i % 24:02d}:{i % 60:02d}:00+09:00",
                    "category": rng.choice(["rescue", "water_outage", "fire", "flooding", "other"]),
                    "status": rng.choice(["new", "new", "verified", "rejected"]),
                    "text": f"{i}: " + rng.choice(TEXTS),
                }
                for i in range(count)
            ),
        )
    return path


def wait_for(signal, timeout_ms: int = 30_000) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def settle(window) -> None:
    """Wait until the map has not redrawn for a second (the first fit and zoom are over)."""
    drawn = [time.perf_counter()]
    window.map.bridge.layerDrawn.connect(lambda *_: drawn.append(time.perf_counter()))
    loop = QEventLoop()
    timer = QTimer(interval=100)
    timer.timeout.connect(lambda: loop.quit() if time.perf_counter() - drawn[-1] > 1 else None)
    timer.start()
    loop.exec()


def timed(window, action) -> float:
    """Milliseconds from the action to the map's next redraw (the list is updated before)."""
    start = time.perf_counter()
    action()
    wait_for(window.map.bridge.layerDrawn)
    return (time.perf_counter() - start) * 1000


def sqlite_ms(incident: Incident, sql: str, params: list) -> float:
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        incident.conn.execute(sql, params).fetchall()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="gspace-bench-review-"))
    os.environ["GSPACE_CONFIG_DIR"] = str(folder / "config")
    start = time.perf_counter()
    path = make_incident(folder, args.count)
    print(f"built {args.count:,} reports in {time.perf_counter() - start:.1f} s")

    from gspace.gui.app import application, delete_top_level_widgets
    from gspace.gui.main_window import MainWindow

    app = application()
    window = MainWindow(Incident.open(path))
    window.resize(1400, 900)
    start = time.perf_counter()
    window.show()
    wait_for(window.mapDrawn, 120_000)
    print(f"window open, map drawn: {time.perf_counter() - start:.2f} s")
    settle(window)
    inc = window.incident
    rows = []

    # 1. a filter: category and text search (FTS), then a status on top
    filters = [
        ("category + search", {"category": "water_outage", "search": "給水車"}),
        ("+ status new", {"status": "new"}),
    ]
    for name, choice in filters:
        ms = timed(window, lambda c=choice: window.filters.choose(**c))
        where, params = window.current_filter().where()
        floor = sqlite_ms(inc, f"SELECT r.rid FROM reports r WHERE {where}", params)
        rows.append((f"filter: {name} ({len(window.reports.source.rows):,} listed)", ms, floor))
    window.filters.clear()
    wait_for(window.map.bridge.layerDrawn)

    # 2. next unreviewed, ten times
    window.reports.selectRow(0)
    app.processEvents()
    steps = []
    for _ in range(10):
        steps.append(timed(window, lambda: window.step_unreviewed(1)))
    current = window.reports.source.rows[window.reports.currentIndex().row()]
    floor = sqlite_ms(
        inc,
        "SELECT id FROM reports WHERE deleted = 0 AND status = 'new' AND observed_ts < ? "
        "ORDER BY observed_ts DESC LIMIT 1",
        [current["observed_ts"]],
    )
    rows.append(("next unreviewed (median of 10)", statistics.median(steps), floor))

    # 3. the timeline window: six hours, moved an hour at a time
    window.timeline.set_window_hours(10, 15)
    wait_for(window.map.bridge.layerDrawn)
    moves = []
    for _ in range(10):
        moves.append(timed(window, window.timeline.step))
    since, until = window.timeline.times()
    where, params = ReportFilter(since=since, until=until).where()
    floor = sqlite_ms(inc, f"SELECT r.rid FROM reports r WHERE {where}", params)
    rows.append(("timeline move (median of 10)", statistics.median(moves), floor))

    print(f"\n{'':46} {'gspace':>10} {'SQLite':>10} {'ratio':>8}")
    for name, ms, floor in rows:
        mark = "ok" if ms < TARGET_MS else f"over {TARGET_MS} ms"
        print(f"{name:46} {ms:8.1f}ms {floor:8.3f}ms {ms / max(floor, 0.001):7.0f}x  {mark}")
    window.incident.close()
    delete_top_level_widgets()
    return 0 if all(ms < TARGET_MS for _, ms, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
