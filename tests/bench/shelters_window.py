"""Benchmark: the window's shelters overview after one edit, with 10,000 shelters (not run by CI).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/shelters_window.py [--shelters 10000]

Opens the main window on an incident with that many shelters (situations filled in), then edits
one shelter's evacuee count from the window as the detail panel does (written through
shelters.set_situation, kept for Undo) several times and prints the time the overview took to
follow each edit (its row, the totals per municipality and for the incident) against the target
of 100 ms, and beside it the time a full reload of the overview takes, for comparison.
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

from PySide6 import QtWebEngineWidgets  # noqa: E402, F401 (before the application)


def shelters_incident(path: Path, count: int):
    from gspace.store import records
    from gspace.store.incident import Incident

    rng = random.Random(19)
    incident = Incident.create(path, name="bench")
    rows = []
    for i in range(count):
        lon, lat = 130.5 + rng.random() * 0.6, 32.6 + rng.random() * 0.5
        capacity = rng.randrange(50, 900)
        rows.append(
            {
                "name": f"避難所{i:05d}",
                "address": f"熊本県熊本市{i}",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "status": rng.choice(["open", "open", "full", "closed", "not_opened"]),
                "attributes": {
                    "capacity": capacity,
                    "evacuees": rng.randrange(0, capacity),
                    "need_water": rng.choice(["none", "needed", "urgent"]),
                    "reported_at": "2026-11-30T09:00:00+09:00",
                },
            }
        )
    with incident.transaction():
        layer = records.add_layer(incident, "shelter", "bench", "bench")
        records.add_features(incident, layer, "shelter", rows)
    return incident


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shelters", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gspace-bench-"))
    os.environ["GSPACE_CONFIG_DIR"] = str(work / "config")
    os.environ.setdefault("GSPACE_BASEMAP", "none")
    shelters_incident(work / "inc", args.shelters).close()

    from gspace.gui.app import application, open_window

    app = application()
    window = open_window(work / "inc")
    window.show()
    app.processEvents()
    started = time.perf_counter()
    window.shelters.reload()
    reload_ms = (time.perf_counter() - started) * 1000
    ids = [s.id for s in window.shelters.dock.model.rows]
    times, whole = [], []
    for n in range(args.edits):
        feature_id = ids[n * 997 % len(ids)]
        started = time.perf_counter()
        window.shelters.edit(feature_id, {"evacuees": 10 + n})
        whole.append((time.perf_counter() - started) * 1000)
        times.append(window.shelters.last_refresh_ms)
        app.processEvents()
    print(f"{args.shelters} shelters, {args.edits} edits")
    print(
        f"overview refresh after one edit: median {statistics.median(times):.1f} ms, "
        f"max {max(times):.1f} ms (target < 100 ms)"
    )
    print(f"edit written + everything refreshed: median {statistics.median(whole):.1f} ms")
    print(f"full overview reload, for comparison: {reload_ms:.0f} ms")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
