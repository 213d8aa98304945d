"""Jobs on two threads (gspace/sync/parallel.py, the laptop's photo uploads): results in order,
progress heard on the calling thread only, and a failure or a cancel stops the other jobs at
their next step, raised only once nothing runs any more."""

from __future__ import annotations

import threading
import time

import pytest

from gspace.sync import parallel


def steps(name: str, count: int, log: list, fail_at: int | None = None):
    def job(report):
        for step in range(count):
            time.sleep(0.01)
            if step == fail_at:
                raise ConnectionError(f"{name} lost the hub")
            log.append((name, step))
            report(f"{name} {step}")
        return name

    return job


def test_results_in_order_and_progress_on_the_calling_thread():
    heard, threads, log = [], set(), []

    def progress(text):
        heard.append(text)
        threads.add(threading.get_ident())

    jobs = [steps(f"p{n}", 3, log) for n in range(5)]
    assert parallel.run(jobs, 2, progress) == [f"p{n}" for n in range(5)]
    assert sorted(heard) == sorted(f"p{n} {s}" for n in range(5) for s in range(3))
    assert threads == {threading.get_ident()}


def test_a_failing_job_stops_the_others_before_its_error_is_raised():
    log = []
    jobs = [steps("a", 50, log), steps("b", 3, log, fail_at=1)] + [steps("c", 3, log)]
    with pytest.raises(ConnectionError, match="b lost the hub"):
        parallel.run(jobs, 2, lambda text: None)
    after = len(log)
    time.sleep(0.1)
    assert len(log) == after  # nothing still running behind the caller's back
    assert not any(name == "c" for name, _ in log)  # never started
    assert len([1 for name, _ in log if name == "a"]) < 50


def test_a_cancel_from_the_progress_callback_stops_every_job():
    log = []

    class Cancelled(Exception):
        pass

    def progress(text):
        if len(log) >= 3:
            raise Cancelled

    with pytest.raises(Cancelled):
        parallel.run([steps(f"p{n}", 20, log) for n in range(4)], 2, progress)
    after = len(log)
    time.sleep(0.1)
    assert len(log) == after and after < 10
    assert {name for name, _ in log} <= {"p0", "p1"}
