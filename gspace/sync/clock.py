"""Hybrid logical clock (HLC).

A stamp is `"<wall ms, 15 digits>.<counter, 5 digits>"`: it sorts as text in time order, never
goes backwards on one device even when the wall clock does, and stays close to wall time so that
"last writer wins" means what a person expects. Ties between devices are broken by device id,
which travels beside the stamp (the `origin` column).
"""

from __future__ import annotations

import time
from collections.abc import Callable


def format_stamp(wall_ms: int, counter: int) -> str:
    return f"{wall_ms:015d}.{counter:05d}"


def parse_stamp(stamp: str) -> tuple[int, int]:
    wall, counter = stamp.split(".")
    return int(wall), int(counter)


class HybridClock:
    def __init__(self, last: str | None = None, wall: Callable[[], int] | None = None):
        self._wall = wall or (lambda: time.time_ns() // 1_000_000)
        self._ms, self._counter = parse_stamp(last) if last else (0, 0)

    def now(self) -> str:
        """A stamp later than every stamp this clock has given or seen."""
        wall = self._wall()
        if wall > self._ms:
            self._ms, self._counter = wall, 0
        else:
            self._counter += 1
        return format_stamp(self._ms, self._counter)

    def observe(self, remote: str) -> None:
        """Move past a stamp received from another device (used by sync)."""
        ms, counter = parse_stamp(remote)
        if (ms, counter) > (self._ms, self._counter):
            self._ms, self._counter = ms, counter
