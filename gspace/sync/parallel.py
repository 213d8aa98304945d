"""A few jobs at once on threads, with the calling thread still the one that reports progress
and notices a cancel (issue 17, "Speed": a laptop sends two photos at once, so the hub syncs one
to disk while the next one's bytes arrive, and neither side waits for the other).

Each job gets a `report(text)` function: it hands the text to the calling thread, which passes
it to the caller's progress callback (a window's callback runs where it always did), and it
stops the job (by raising) once the run is stopping. The run stops when the progress callback
raises (a cancel) or a job raises (e.g. the hub cannot be reached); the jobs still running
stop at their next report, the others never start, and the first error is raised once every
job has stopped, so nothing runs behind the caller's back.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
Report = Callable[[str], None]


class _Stopped(Exception):
    """Raised inside a job by `report` once the run is stopping."""


def run(jobs: Iterable[Callable[[Report], T]], workers: int, progress: Report) -> list[T | None]:
    """Each job's result, in the jobs' order (None for a job that was stopped)."""
    jobs = list(jobs)
    results: list[T | None] = [None] * len(jobs)
    events: queue.Queue = queue.Queue()
    stopping = threading.Event()

    def report(text: str) -> None:
        if stopping.is_set():
            raise _Stopped
        events.put(("progress", text))

    def work(index: int, job: Callable[[Report], T]) -> None:
        try:
            if not stopping.is_set():
                results[index] = job(report)
            events.put(("done", None))
        except _Stopped:
            events.put(("done", None))
        except BaseException as e:  # handed to the calling thread, which raises it
            stopping.set()  # at once: this thread's next job must not start
            events.put(("error", e))

    error: BaseException | None = None
    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="gspace-upload") as pool:
        for index, job in enumerate(jobs):
            pool.submit(work, index, job)
        left = len(jobs)
        while left:
            try:
                kind, value = events.get()
                if kind == "progress":
                    if error is None:
                        progress(value)
                    continue
                left -= 1
                if kind == "error" and error is None:
                    error = value
                    stopping.set()
            except BaseException as e:  # the progress callback's cancel, or Ctrl-C
                if error is None:
                    error = e
                stopping.set()
    if error is not None:
        raise error
    return results
