"""Named points where fault tests kill the process (tests/unit/test_bundle_faults.py,
tests/integration/test_hub_faults.py).

When the environment variable GSPACE_TEST_KILL_AT names a point (`name`, or `name@N` for the
N-th time the point is reached), the process kills itself there with SIGKILL, as a power cut or
`kill -9` would: no cleanup, no flush. Unset, a point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

_passed: Counter[str] = Counter()


def kill_point(name: str) -> None:
    wanted = os.environ.get("GSPACE_TEST_KILL_AT")
    if not wanted:
        return
    point, _, nth = wanted.partition("@")
    if point != name:
        return
    _passed[name] += 1
    if _passed[name] >= int(nth or 1):
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
