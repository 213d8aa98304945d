"""Benchmark: importing SNS posts (not run by CI).

    .venv/bin/python tests/bench/sns.py [--posts 1000000] [--jobs 2]

Writes tweet-like JSONL (API v1.1 statuses): a third with coordinates, a third with a Japanese
address in the text, a third with neither. Prints, in the same run:
  - the floor: parsing the same file with orjson line by line and doing nothing else;
  - gspace's whole import (format detection, parsing, location, geoparsing, categories,
    duplicate checks, the store with R*Tree, FTS5 and change log): posts/s, ratio to the floor,
    and the peak memory of the importing process and of its workers.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

PLACES = ["熊本県益城町宮園", "熊本市中央区水前寺1丁目", "西原村小森", "南阿蘇村河陽",
          "阿蘇市一の宮町", "石川県輪島市河井町", "珠洲市正院町", "七尾市府中町",
          "宮城県石巻市門脇町2丁目", "岩手県陸前高田市高田町"]  # fmt: skip
WHAT = ["#救助 2階に{n}人取り残されています", "断水が続いています。給水車の情報を求む",
        "家屋が倒壊、道路が通れません", "停電しています #停電", "避難所の毛布が足りない",
        "土砂崩れで通行止め", "火災発生、延焼中"]  # fmt: skip
CHATTER = ["今日は本当に大きな揺れでした。みんな無事でよかった", "ニュースを見ています、心配です",
           "Stay safe everyone, thinking of you all", "余震が続いていて眠れない"]  # fmt: skip


def write_posts(path: Path, count: int) -> None:
    """Streamed, so that this process stays small (its size would count in the import's
    peak: on Linux a child starts with its parent's maximum resident size)."""
    rng = random.Random(3)
    with path.open("wb") as f:
        for i in range(count):
            status = {
                "created_at": f"Mon Nov {16 + i % 8} {i % 24:02d}:{i % 60:02d}:00 +0000 2026",
                "id_str": str(1_900_000_000_000_000_000 + i),
                "user": {"screen_name": f"user{i % 20000}", "name": f"利用者{i % 20000}"},
                "lang": "ja",
            }
            kind = i % 3
            what = rng.choice(WHAT).format(n=rng.randrange(2, 6))
            if kind == 0:
                status["text"] = f"{what} {i}"
                lon, lat = 130.6 + rng.random() * 0.4, 32.6 + rng.random() * 0.4
                status["coordinates"] = {"type": "Point", "coordinates": [lon, lat]}
            elif kind == 1:
                status["text"] = f"{rng.choice(PLACES)}で{what} ({i})"
            else:
                status["text"] = f"{rng.choice(CHATTER)} {i}"
            f.write(orjson.dumps(status) + b"\n")


def floor(path: Path) -> float:
    start = time.perf_counter()
    with path.open("rb") as f:
        for line in f:
            orjson.loads(line)
    return time.perf_counter() - start


IMPORT = """
import json, resource, sys
from gspace.store.incident import Incident
from gspace.ingest.sns import import_sns
if __name__ == "__main__":
    with Incident.create(sys.argv[1]) as incident:
        summary = import_sns(incident, [sys.argv[2]], jobs=int(sys.argv[3]))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"line": summary.line(), "imported": summary.imported,
                      "own_kb": own, "worker_kb": workers}))
"""


def gspace_import(path: Path, incident: Path, jobs: int) -> tuple[float, dict]:
    script = incident.parent / "run_import.py"
    script.write_text(IMPORT)
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, str(script), str(incident), str(path), str(jobs)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return time.perf_counter() - start, json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "posts.jsonl"
        write_posts(path, args.posts)
        size = path.stat().st_size / 1e6
        parse = floor(path)
        took, result = gspace_import(path, Path(tmp) / "incident", args.jobs)
    floor_rate, rate = args.posts / parse, args.posts / took
    print(f"{args.posts:,} tweet-like posts as JSONL, {size:.0f} MB")
    print(f"  orjson parse only (floor)  {parse:7.2f} s  {floor_rate:12,.0f} posts/s")
    print(f"  gspace import sns          {took:7.2f} s  {rate:12,.0f} posts/s")
    print(f"  ratio to the floor         {rate / floor_rate:.3f}x (target >= 0.04x)")
    print(f"  peak memory: import {result['own_kb'] / 1024:.0f} MB, "
          f"largest worker {result['worker_kb'] / 1024:.0f} MB (target < 400 MB)")  # fmt: skip
    print(f"  {result['line']}")


if __name__ == "__main__":
    main()
