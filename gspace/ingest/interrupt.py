"""Ctrl-C during an import: the importing process stops between batches and says what was
kept; its worker processes leave Ctrl-C to it.

Ctrl-C in a terminal sends SIGINT to every process of the foreground group: the workers of an
import too. Left alone, each would die printing a KeyboardInterrupt traceback while the main
process is still deciding how to stop. So workers ignore SIGINT from their first instruction:
they are started while the starting process ignores it (an ignored signal stays ignored across
exec, and Python then leaves it so), and their initializer ignores it again for any worker
started later. The main process stops them when it stops.

The main process (`Interruptible`) turns the first Ctrl-C into the import's `cancelled()`: the
import stops after the batch it is writing, like Cancel in the window, and the command says
how much was kept. A second Ctrl-C stops at once; the open transaction rolls back.

Workers are spawned, not forked: safe beside Qt's threads, and the same on Windows.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from gspace.errors import Interrupted, message


def _ignore_interrupt(then: Callable[[], object] | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if then is not None:
        then()


def _nothing() -> None:
    return None


def worker_pool(jobs: int, initializer: Callable[[], object] | None = None) -> ProcessPoolExecutor:
    """A pool of `jobs` spawned workers that ignore SIGINT; `initializer` runs in each."""
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_ignore_interrupt,
        initargs=(initializer,),
    )
    if threading.current_thread() is not threading.main_thread():
        return pool  # only the main thread receives signals (and may change their handlers)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        # each submit starts a worker while none is idle: all `jobs` start here, ignoring SIGINT
        for _ in range(jobs):
            pool.submit(_nothing)
    finally:
        signal.signal(signal.SIGINT, previous)
    return pool


class Interruptible:
    """Ctrl-C while this is entered: the first sets `requested()` (the import polls it as its
    `cancelled`, then the caller says what was kept); the second stops at once, as the
    Interrupted error with the line `at_once`. An import that is one transaction
    (`batches=False`: a layer) stops at the first."""

    def __init__(self, at_once: str = "interrupted now", batches: bool = True):
        self.at_once, self.batches, self.asked, self.previous = at_once, batches, False, None

    def requested(self) -> bool:
        return self.asked

    def _handle(self, _signum, _frame) -> None:
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True
        print(f"{message('stopping')}", file=sys.stderr, flush=True)

    def __enter__(self) -> Interruptible:
        if self.batches and threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, kind, _value, _traceback) -> None:
        if self.previous is not None:
            # a stop under way ends with the line saying what was kept: a further Ctrl-C while
            # the command writes it (counting the input may take a moment) changes nothing
            finishing = self.asked and kind is None
            signal.signal(signal.SIGINT, _let_finish if finishing else self.previous)
        if kind is not None and issubclass(kind, KeyboardInterrupt):
            raise Interrupted(message(self.at_once)) from None


def _let_finish(_signum, _frame) -> None:
    return None


def interrupted(kept: int, total: int | None, things: str, things_ja: str) -> Interrupted:
    """The error that ends an import stopped by Ctrl-C: `kept` of `total` `things` kept."""
    key = "interrupted" if total is not None else "interrupted some"
    return Interrupted(message(key, kept=kept, total=total, things=things, things_ja=things_ja))
