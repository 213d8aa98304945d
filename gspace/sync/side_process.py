"""A second gspace process for a large bundle's work that runs beside the caller's (the entries
an export writes while it copies the photos, the photos an import checks while it applies the
entries): Python's work in one process, the disk's and the hashes' in the other, on two cores,
with no lock between them.

The process is a new interpreter running one module (as `python -m`), which loads only what its
work needs: not the incident's modules (sqlite_utils loads numpy, and pandas where installed),
nor the program that started it (a spawned multiprocessing child runs the parent's main module
again). It starts in a few tenths of a second, in its own session (Ctrl-C in a terminal is the
command's to answer), stops by itself when its parent is gone, and answers one JSON object on
standard output at the end (so that nothing waits for the parent to read while it works).
When it cannot start, fails or stops, the caller does the work itself: `answer` says None.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import orjson

import gspace
from gspace.errors import Interrupted

# The process finds this gspace after everything of its own (sys.path appended, not
# PYTHONPATH: an installed gspace's site-packages must not come before the standard library)
_BOOT = (
    "import runpy, sys; sys.path.append(sys.argv.pop(1)); "
    "runpy.run_module(sys.argv.pop(1), run_name='__main__', alter_sys=True)"
)
PARENT = "GSPACE_SIDE_PROCESS_PARENT"  # the pid of the process that started it


def start(module: str, *args: str) -> subprocess.Popen | None:
    """`python -m module args...` (as `python -c` with this gspace on its path); None when no
    process can be had (a frozen build, whose executable is the program itself; none left)."""
    if getattr(sys, "frozen", False) or not sys.executable:
        return None
    where = str(Path(gspace.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        PARENT: str(os.getpid()),
        # glibc hands the memory of each batch back and faults it in again for the next
        # (5,000 brk calls and 0.6 s of the kernel's time for 100,000 entries): the process
        # keeps 64 MB at the top of its heap instead
        "MALLOC_TOP_PAD_": str(64 << 20),
    }
    try:
        return subprocess.Popen(
            [sys.executable, "-c", _BOOT, where, module, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # it says why it failed in one word, on stdout
            env=env,
            start_new_session=True,
        )
    except OSError:
        return None


def answer(process: subprocess.Popen | None, cancel: Callable[[], bool] | None,
           cancelled: str, within: float | None = None,
           waiting: Callable[[], None] | None = None) -> dict | None:  # fmt: skip
    """The process's answer once it ends, or None when it failed; Interrupted(`cancelled`)
    when `cancel()` says so while waiting (the process is stopped by `stop`); TimeoutError
    when it has not answered `within` seconds (ask again: nothing it said is lost). Call it
    until it answers, not after. `waiting()` is called every 0.2 s meanwhile (progress)."""
    if process is None:
        return None
    until = None if within is None else time.monotonic() + within
    while True:
        if cancel and cancel():
            raise Interrupted(cancelled)
        if waiting:
            waiting()
        step = 0.2 if until is None else min(0.2, max(0.0, until - time.monotonic()))
        try:
            said, _ = process.communicate(timeout=step)
            break
        except subprocess.TimeoutExpired:  # communicate() again loses nothing it read
            if until is not None and time.monotonic() >= until:
                raise TimeoutError from None
    try:
        reply = orjson.loads(said)
    except orjson.JSONDecodeError:
        return None
    return reply if process.returncode == 0 and isinstance(reply, dict) else None


def stop(process: subprocess.Popen | None) -> None:
    if process is not None:
        if process.poll() is None:
            process.kill()
        process.communicate()


def serve(work: Callable[[Callable[[], bool]], dict]) -> None:
    """The second process's side: `work(parent_gone)` returns the answer; any failure is
    answered in one word (the caller then does the work itself), never as a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = int(os.environ.get(PARENT) or os.getppid())  # also a parent gone before this line
    try:
        reply, status = work(lambda: os.getppid() != parent), 0
    except BaseException as e:  # noqa: BLE001 - the caller does the work itself then
        reply, status = {"failed": type(e).__name__}, 1
    with suppress(OSError):  # the parent may be gone
        sys.stdout.buffer.write(orjson.dumps(reply))
    sys.exit(status)
