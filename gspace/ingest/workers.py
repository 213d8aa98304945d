"""Worker process pools that leave Ctrl-C to the process that started them.

Ctrl-C in a terminal sends SIGINT to every process of the foreground group: the workers of an
import too. Left alone, each would die printing a KeyboardInterrupt traceback while the main
process is still deciding how to stop (it finishes the batch it is writing and says what was
kept). So workers ignore SIGINT from their first instruction: they are started while the
starting process ignores it (an ignored signal stays ignored across exec, and Python then leaves
it so), and their initializer ignores it again for any worker started later. The main process
stops them when it stops.

Workers are spawned, not forked: safe beside Qt's threads, and the same on Windows.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor


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
