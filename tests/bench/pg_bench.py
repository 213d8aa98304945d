"""What the benchmarks that run the hub on PostgreSQL share (tests/bench/volunteer.py and the
laptops phase of tests/bench/sync.py): a throw-away cluster with fsync on, free ports, and
percentiles, kept in one place so both measure the same way."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: pg_cluster


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def durable_cluster():
    """tests/pg_cluster.py's throw-away cluster, with fsync on (the tests turn it off, but a
    benchmark's commits should cost what they cost on a server). Stop it with `.stop()`."""
    from pg_cluster import Cluster, binaries

    found = binaries()
    if found is None:
        raise SystemExit("--pg needs PostgreSQL's server binaries (apt-get install postgresql)")
    cluster = Cluster(found)
    data = cluster.root / "pg"
    cluster._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
    options = f"-p {cluster.port} -k {cluster.root} -c listen_addresses=127.0.0.1"
    cluster._run(
        "pg_ctl", "-D", str(data), "-o", options, "-l", str(cluster.root / "log"), "-w", "start"
    )
    return cluster
