"""Benchmark: the incident store with 100,000 reports (not run by CI).

    .venv/bin/python tests/bench/store.py [--count 100000]

Prints, measured in the same run:
  1. insert rate through gspace (row, R*Tree, FTS5 and change log in one transaction) against a
     plain executemany into an unindexed SQLite table (the floor), and their ratio;
  2. `gspace reports --bbox` over a 1 % window: the query in-process, and the whole command;
  3. the time from starting `gspace open` to the map having drawn every report.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from gspace.store import query, records
from gspace.store.incident import Incident

WEST, SOUTH, EAST, NORTH = 129.0, 31.0, 141.0, 41.0
CATEGORIES = ["rescue", "water_outage", "building_damage", "fire", "road_blocked", "other"]


def make_rows(count: int) -> list[dict]:
    rng = random.Random(1)
    return [
        {
            "kind": rng.choice(["photo", "sns", "sns", "manual"]),
            "lon": round(rng.uniform(WEST, EAST), 6),
            "lat": round(rng.uniform(SOUTH, NORTH), 6),
            "location_source": "post",
            "accuracy_m": 30.0,
            "observed_at": f"2026-11-{20 + i % 3:02d}T{i % 24:02d}:{i % 60:02d}:00+09:00",
            "author": f"@user{i % 5000}",
            "category": rng.choice(CATEGORIES),
            "severity": "normal",
            "status": "new",
            "text": f"{i}番 熊本市中央区で断水が続いています。給水車の情報を求む #断水",
            "source": f"https://sns.example/{i}",
        }
        for i in range(count)
    ]


def plain_executemany(rows: list[dict], folder: Path) -> float:
    """The floor: the same report rows gspace stores (every column, ids and clock stamps made
    beforehand) inserted into a table with no index, in one transaction."""
    columns = ["rid", *records.REPORT_COLUMNS, "hlc", "origin"]
    values = [
        (
            i,
            str(uuid.uuid4()),
            *(r.get(c) for c in columns[2:-2]),
            "000000000000000.00000",
            "device",
        )
        for i, r in enumerate(rows, start=1)
    ]
    conn = sqlite3.connect(folder / "plain.sqlite")
    conn.execute(f"CREATE TABLE reports ({', '.join(columns)})")
    start = time.perf_counter()
    with conn:
        conn.executemany(f"INSERT INTO reports VALUES ({', '.join('?' * len(columns))})", values)
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def gspace_insert(rows: list[dict], folder: Path) -> tuple[float, Path]:
    path = folder / "incident"
    incident = Incident.create(path)
    start = time.perf_counter()
    with incident.transaction():
        records.add_reports(incident, rows)
    elapsed = time.perf_counter() - start
    incident.close()
    return elapsed, path


def bbox_query(path: Path) -> tuple[float, int, float]:
    width, height = (EAST - WEST) / 10, (NORTH - SOUTH) / 10  # 1 % of the area
    bbox = (135.0, 35.0, 135.0 + width, 35.0 + height)
    with Incident.open(path, write=False) as incident:
        filt = query.ReportFilter(bbox=bbox)
        start = time.perf_counter()
        found = list(query.reports(incident, filt))
        in_process = time.perf_counter() - start
    command = [
        sys.executable,
        "-m",
        "gspace",
        "reports",
        str(path),
        "--bbox",
        ",".join(map(str, bbox)),
    ]
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return in_process, len(found), time.perf_counter() - start


OPEN_SCRIPT = """
import sys
from pathlib import Path
from gspace.gui.app import application, open_window
app = application()
window = open_window(Path(sys.argv[1]))
window.resize(1400, 900)
def drawn(count):
    if count > 0:
        print(count, flush=True)
        app.exit(0)
window.mapDrawn.connect(drawn)
window.show()
sys.exit(app.exec())
"""


def open_to_drawn(path: Path, folder: Path) -> tuple[float, str]:
    env = {
        **os.environ,
        "GSPACE_CONFIG_DIR": str(folder / "config"),
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu",
    }
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", OPEN_SCRIPT, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(result.stderr[-2000:])
    return elapsed, result.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    count = parser.parse_args().count
    rows = make_rows(count)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plain = plain_executemany(rows, folder)
        ours, path = gspace_insert(rows, folder)
        print(f"insert {count:,} reports")
        print(f"  plain executemany, unindexed table : {count / plain:>10,.0f} rows/s")
        print(f"  gspace (R*Tree, FTS5, change log)  : {count / ours:>10,.0f} rows/s")
        print(f"  ratio gspace / plain               : {plain / ours:>10.2f}x  (target >= 0.15x)")
        in_process, found, command = bbox_query(path)
        print(f"bbox query over 1 % of the area ({found:,} reports)")
        print(
            f"  query in-process                   : {in_process * 1000:>10.1f} ms  "
            "(target < 50 ms)"
        )
        print(f"  whole `gspace reports --bbox` run  : {command * 1000:>10.1f} ms")
        elapsed, drawn = open_to_drawn(path, folder)
        print(f"gspace open -> {drawn} reports drawn : {elapsed:>10.2f} s  (target < 3 s)")


if __name__ == "__main__":
    main()
