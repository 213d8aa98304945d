"""Laptops that work offline and then exchange changes, for the sync tests (engine, bundle and
later the hub reuse it).

`laptops()` makes real incident folders; `exchange(src, dst)` moves what `src` holds to `dst`
the way a bundle or the hub does (changes.outgoing -> merge.apply_entries, one transaction);
`sync_all()` exchanges until every laptop holds everything. `histories()` (hypothesis) draws
what the laptops do offline and the order they exchange in; `play()` performs one.
"""

from __future__ import annotations

from itertools import count
from pathlib import Path

from gspace.incident import Incident
from gspace.sync import changes, merge
from gspace.sync.clock import HybridClock


def laptops(folder: Path, n: int, *, clock_offsets_ms: tuple[int, ...] = ()) -> list[Incident]:
    """`n` laptops holding the same (empty) incident. A laptop's clock can be off by an offset
    (a laptop whose clock is hours off): its HybridClock reads the wall clock plus it."""
    out = []
    for i in range(n):
        inc = Incident.create(folder / f"laptop{i}", name="熊本豪雨")
        offset = clock_offsets_ms[i] if i < len(clock_offsets_ms) else 0
        if offset:
            inc.clock = _offset_clock(offset)
        out.append(inc)
    return out


def _offset_clock(offset_ms: int) -> HybridClock:
    import time

    return HybridClock(wall=lambda: time.time_ns() // 1_000_000 + offset_ms)


class Cursors:
    """What each laptop has already sent to each other one (local seq), as a bundle's
    `--since LAST` keeps it."""

    def __init__(self):
        self.sent: dict[tuple[str, str], int] = {}


def exchange(
    src: Incident, dst: Incident, cursors: Cursors | None = None, *, limit: int | None = None
) -> merge.ApplyResult:
    """Send what `src` holds (after the last cursor) to `dst`, applied in one transaction."""
    key = (str(src.path), str(dst.path))
    after = cursors.sent.get(key, 0) if cursors else 0
    sent = list(changes.outgoing(src, after, limit))
    with dst.transaction():
        result = merge.apply_entries(dst, [entry for _, entry in sent])
    if cursors is not None and sent:
        cursors.sent[key] = sent[-1][0]
    return result


def sync_all(devices: list[Incident], cursors: Cursors | None = None) -> None:
    """Exchange in rounds until no laptop learns anything new (duplicates only)."""
    for _ in count():
        learned = 0
        for src in devices:
            for dst in devices:
                if src is not dst:
                    result = exchange(src, dst, cursors)
                    learned += sum(v for k, v in result.counts.items() if k != "duplicate")
        if not learned:
            return
