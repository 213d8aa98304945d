"""Three laptops that change one report's status while apart, then meet: the real incident
folders and the real sync engine (gspace.sync.changes.outgoing / merge.apply_entries), so each
ends with the same conflict of three values. Used by the conflicts tests and by
scripts/screenshot.py --conflicts (docs/conflicts.png)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from gspace import triage
from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync.clock import HybridClock

# who changed the report on each laptop, to what, and how many minutes after the first
EDITS = (
    ("避難所班 佐藤", "verified", 0),
    ("本部 山田", "actioned", 7),
    ("消防 田中", "rejected", 18),
)


def exchange(source: Path, target: Path) -> None:
    """Everything `source` holds, merged into `target` (as a bundle or the hub would)."""
    from gspace.sync.changes import outgoing
    from gspace.sync.merge import apply_entries

    with Incident.open(source, write=False) as src:
        entries = [entry for _seq, entry in outgoing(src)]
    with Incident.open(target) as dst, dst.transaction():
        apply_entries(dst, entries)


def meet(laptops: list[Path]) -> None:
    """Every laptop gets every other's changes (twice round: relays are harmless)."""
    for _ in range(2):
        for a in laptops:
            for b in laptops:
                if a != b:
                    exchange(a, b)


def copies(demo: Path, folder: Path, count: int) -> tuple[list[Path], str]:
    """Copies of the demo incident on `count` "laptops", each its own device (a copied folder
    gets a new device id at its first write), and the id of an unreviewed, located post."""
    first = folder / "laptop-1"
    shutil.copytree(demo, first)
    with Incident.open(first) as inc:
        report_id = inc.conn.execute(
            "SELECT id FROM reports WHERE status = 'new' AND kind = 'sns' AND lon IS NOT NULL "
            "ORDER BY id LIMIT 1"
        ).fetchone()[0]
    laptops = [first]
    for n in range(2, count + 1):
        shutil.copytree(first, folder / f"laptop-{n}")
        laptops.append(folder / f"laptop-{n}")
    return laptops, report_id


def three_laptops(demo: Path, folder: Path, edits=EDITS) -> tuple[list[Path], str]:
    """Three laptops, not yet met, each changing the status of the same report (EDITS: who,
    to what, how many minutes after the first). Returns the folders and the report's id."""
    laptops, report_id = copies(demo, folder, len(edits))
    start = int(time.time() * 1000)
    for path, (actor, status, minutes) in zip(laptops, edits, strict=True):
        with Incident.open(path) as inc:
            last = inc.conn.execute("SELECT max(hlc) FROM changes").fetchone()[0]
            inc.clock = HybridClock(last, wall=lambda m=minutes: start + m * 60_000)
            inc.actor = actor
            triage.set_fields(inc, [report_id], status=status)
    return laptops, report_id


def deleted_and_edited(demo: Path, folder: Path) -> tuple[list[Path], str]:
    """Two laptops, not yet met: on the first a report is deleted, on the second (which had
    not seen the delete) the same report is verified with a note."""
    laptops, report_id = copies(demo, folder, 2)
    with Incident.open(laptops[0]) as inc:
        inc.actor = "避難所班 佐藤"
        with inc.transaction():
            records.delete_report(inc, report_id)
    with Incident.open(laptops[1]) as inc:
        inc.actor = "本部 山田"
        triage.set_fields(inc, [report_id], status="verified", note="現地で確認、けが人2名")
    return laptops, report_id
