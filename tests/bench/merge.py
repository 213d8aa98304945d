"""Benchmark: the merge engine (not run by CI).

    .venv/bin/python tests/bench/merge.py [--reports 100000] [--edits 10000]

Prints, measured in the same run:
  1. applying the entries of N received report inserts (rows, R*Tree, FTS5, municipalities,
     change log) in one transaction, against inserting the same reports locally
     (records.add_reports, the import path), and entries per second;
  2. applying M concurrent edits (both laptops changed the status of the same M reports from
     the same value: every entry is a conflict), entries per second (issue 16: >= 10,000/s);
  3. changes.outgoing of the N inserts (lean inserts rebuilt from the rows).

Measured 2026-11-30 on a shared 2-core machine (load 4-8: wall times vary 2x between runs),
best of 3, the code before this round's changes run alternately with it: 10,000 concurrent
edits 15,400 entries/s (before: 10,700 at best, 5,400-10,700); outgoing of 100,000 inserts
60,000/s (31,500); 100,000 received inserts 19,000/s (14,800), 1.45-1.6x the local insert in
the same run; 20,000 edits, half in conflict, 20,600/s (10,400).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync import changes, merge
from gspace.sync.conflicts import list_conflicts


def make_rows(count: int) -> list[dict]:
    rng = random.Random(1)
    return [
        {
            "kind": "sns",
            "lon": round(rng.uniform(129.0, 141.0), 6),
            "lat": round(rng.uniform(31.0, 41.0), 6),
            "location_source": "post",
            "observed_at": f"2026-07-0{1 + n % 9}T{n % 24:02d}:00:00+09:00",
            "author": f"user{n % 997}",
            "text": f"道路が冠水しています {n} 番地",
            "category": "flooding",
            "source": f"https://x.example/status/{n}",
            "properties": {"network": "x"},
        }
        for n in range(count)
    ]


def timed(label: str, count: int, fn) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f"{label:<52} {seconds:7.2f} s  {count / seconds:10,.0f} entries/s")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--edits", type=int, default=10_000)
    args = parser.parse_args(argv)
    rows = make_rows(args.reports)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        a, b, c = (Incident.create(folder / name) for name in ("a", "b", "c"))
        for inc in (a, b, c):
            inc.conn.execute("PRAGMA synchronous=NORMAL")
        with a.transaction():
            local = timed(
                f"local insert of {args.reports:,} reports (floor)",
                args.reports,
                lambda: records.add_reports(a, rows),
            )
        entries: list[dict] = []
        timed(
            f"outgoing of {args.reports:,} inserts",
            args.reports,
            lambda: entries.extend(e for _, e in changes.outgoing(a)),
        )
        with b.transaction():
            received = timed(
                f"apply of {args.reports:,} received inserts",
                args.reports,
                lambda: merge.apply_entries(b, entries),
            )
        print(f"{'received / local insert':<52} {received / local:7.2f} x")

        # concurrent edits: a and b change the same reports from the same value
        ids = [r[0] for r in a.conn.execute(f"SELECT id FROM reports LIMIT {args.edits}")]
        last_a, last_b = changes.last_seq(a), changes.last_seq(b)
        with a.transaction():
            for rid in ids:
                records.update_report(a, rid, status="verified")
        with b.transaction():
            for rid in ids:
                records.update_report(b, rid, status="rejected")
        edits = [e for _, e in changes.outgoing(a, last_a)]
        mine = [e for _, e in changes.outgoing(b, last_b)]
        with b.transaction():
            result: list = []
            timed(
                f"apply of {len(edits):,} concurrent edits",
                len(edits),
                lambda: result.append(merge.apply_entries(b, edits)),
            )
        print(f"{'':<52} outcomes {dict(result[0].counts)}, {len(list_conflicts(b)):,} conflicts")
        with c.transaction():
            merge.apply_entries(c, entries)
        with c.transaction():
            timed(
                f"apply of {len(edits) + len(mine):,} edits, no conflict for half",
                len(edits) + len(mine),
                lambda: merge.apply_entries(c, edits + mine),
            )
        for inc in (a, b, c):
            inc.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
