"""Hybrid logical clock (HLC).

A stamp is `"<wall ms, 15 digits>.<counter, 5 digits>"`: it sorts as text in time order, never
goes backwards on one device even when the wall clock does, and stays close to wall time so that
"last writer wins" means what a person expects. Ties between devices are broken by device id,
which travels beside the stamp (the `origin` column).
"""

from __future__ import annotations

import time
from collections.abc import Callable

_COUNTER_END = 100_000  # the counter has five digits


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
        return self.stamps(1)[0]

    def stamps(self, count: int) -> list[str]:
        """`count` stamps in order, each later than every stamp given or seen before (one
        reading of the wall clock for a whole batch of rows)."""
        wall = self._wall()
        if wall > self._ms:
            self._ms, self._counter = wall, -1
        stamps = []
        while len(stamps) < count:
            first = self._counter + 1
            last = min(first + count - len(stamps), _COUNTER_END)
            stamps += [format_stamp(self._ms, c) for c in range(first, last)]
            if last == _COUNTER_END:  # the counter's digits are used up: on to the next ms
                self._ms, self._counter = self._ms + 1, -1
            else:
                self._counter = last - 1
        return stamps

    def wall_ms(self) -> int:
        """The wall clock this clock reads (sync compares it with the hub's to warn the user
        that the computer's clock is off)."""
        return self._wall()

    def reset(self, last: str) -> None:
        """Go back to `last` (sync/restamp.py: the hub replaced stamps this clock had given
        far ahead of its own); the wall clock it reads stays the same."""
        self._ms, self._counter = parse_stamp(last)

    def observe(self, remote: str) -> None:
        """Move past a stamp received from another device (used by sync)."""
        ms, counter = parse_stamp(remote)
        if (ms, counter) > (self._ms, self._counter):
            self._ms, self._counter = ms, counter
