"""Benchmark: 20 volunteers sending a 3 MB photo each, all at once, over loopback (issue 18;
not run by CI).

    PYTHONPATH=$PWD .venv/bin/python tests/bench/volunteer.py [--phones 20] [--mb 3]
        [--db postgresql://USER@HOST/EMPTY_DB | --pg] [--hubs 2]

The hub runs as its own process (`gspace hub serve` on 127.0.0.1), on SQLite; or, with `--db
URL` (an empty database) or `--pg` (a throw-away cluster started like the tests' one, but
with fsync on, so commits cost what they cost on a server), on PostgreSQL as `--hubs`
processes (2 by default) sharing the database and one folder, the phones taking turns between
them, as behind a load balancer. Each simulated phone does what the page does: upload status,
1 MB chunks, complete (the hub hashes and decodes the photo), then the report. Printed: errors
(must be 0), throughput, p50/p95 per report, and the same bytes sent by plain HTTP PUT (one
request per photo) to a minimal server in the same run, with the ratio of the transfers (the
issue's target: at most 1.5x). The hub's image check (Pillow decoding each photo whole) is
timed on its own, in this process.

Measured 2026-11-30 on the 2-core build machine, shared with other jobs (load 3 to 6), 20 phones
with 3.04 MB each, 0 errors in every run:
- SQLite, one process: 3.06 s for all (19.8 MB/s), per report p50 2.85 s, p95 2.98 s, the
  report request p50 179 ms; transfer ratio 0.95x.
- `--pg` (fsync on), two processes: 4.32 s and 3.10 s in two runs (14.0 and 19.6 MB/s), per
  report p50 4.04 / 2.93 s, p95 4.24 / 3.04 s, the report request p50 650 / 363 ms (each write
  holds the incident's lock across both processes and catches its replica up on the other's
  entries); transfer ratio 1.39x / 1.27x, within the 1.5x target.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: photo_files
from photo_files import make_jpeg  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/bench: pg_bench
from pg_bench import durable_cluster, free_port, percentile  # noqa: E402

INCIDENT = "熊本豪雨"
CHUNK = 1 << 20

MINIMAL_SERVER = textwrap.dedent(
    """
    import os, sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    folder = sys.argv[2]
    class Put(BaseHTTPRequestHandler):
        def do_PUT(self):
            data = self.rfile.read(int(self.headers["Content-Length"]))
            path = os.path.join(folder, self.path.strip("/"))
            with open(path, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()
        def log_message(self, *args):
            pass
    ThreadingHTTPServer.protocol_version = "HTTP/1.1"
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Put).serve_forever()
    """
)


def wait_listening(port: int) -> None:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}")


def make_photos(folder: Path, count: int, megabytes: float) -> list[bytes]:
    """Real JPEGs of noise (the hub decodes them) of about `megabytes` each."""
    side = int((megabytes * 1_000_000 / 0.75) ** 0.5)  # ~0.75 byte per pixel: noise at q85
    return [
        make_jpeg(folder / f"p{n}.jpg", seed=n, size=(side * 4 // 3, side * 3 // 4)).read_bytes()
        for n in range(count)
    ]


def prepare_hub(data: Path, phones: int, url: str | None = None) -> list[str]:
    from gspace.hub.db import HubDB
    from gspace.hub.volunteer_db import VolunteerDB

    if url:
        from gspace.hub.pg_db import PgHubDB
        from gspace.hub.pg_state import PgHubState

        state = PgHubState(data, url)
    else:
        from gspace.hub.state import HubState

        state = HubState(data)
    state.create(INCIDENT, "bench")
    state.close()
    db = PgHubDB(url) if url else HubDB(data)
    volunteers = VolunteerDB(db)
    _, secret = volunteers.create_invite(INCIDENT, "bench")
    tokens = [volunteers.join(volunteers.find_invite(secret))[0] for _ in range(phones)]
    db.close()
    return tokens


def send(url: str, token: str, photo: bytes, n: int, out: dict) -> None:
    """One phone: upload in chunks, complete, report. Records times or the error."""
    sha = hashlib.sha256(photo).hexdigest()
    auth = {"Authorization": f"Bearer {token}"}
    base = f"/v1/incidents/{INCIDENT}/volunteer"
    start = time.perf_counter()
    try:
        with httpx.Client(base_url=url, headers=auth, timeout=120) as client:
            r = client.get(f"{base}/uploads/{sha}")
            r.raise_for_status()
            for offset in range(0, len(photo), CHUNK):
                r = client.put(
                    f"{base}/uploads/{sha}",
                    params={"offset": offset},
                    content=photo[offset : offset + CHUNK],
                )
                r.raise_for_status()
            sent = time.perf_counter()
            r = client.post(f"{base}/uploads/{sha}/complete", params={"size": len(photo)})
            r.raise_for_status()
            checked = time.perf_counter()
            r = client.post(
                f"{base}/reports",
                json={"id": f"bench-{n:04d}", "comment": "冠水", "photos": [sha]},
            )
            r.raise_for_status()
        done = time.perf_counter()
        out[n] = (sent - start, checked - sent, done - checked, done - start)
    except httpx.HTTPError as e:
        out[n] = f"{type(e).__name__}: {e}"


def plain_put(url: str, photo: bytes, n: int, out: dict) -> None:
    start = time.perf_counter()
    try:
        r = httpx.put(f"{url}/p{n}", content=photo, timeout=120)
        r.raise_for_status()
        out[n] = time.perf_counter() - start
    except httpx.HTTPError as e:
        out[n] = f"{type(e).__name__}: {e}"


def at_once(target, args_list) -> float:
    threads = [threading.Thread(target=target, args=args) for args in args_list]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=20)
    parser.add_argument("--mb", type=float, default=3.0)
    parser.add_argument("--db", help="an empty PostgreSQL database for the hub's state")
    parser.add_argument("--pg", action="store_true", help="the same in a throw-away cluster")
    parser.add_argument("--hubs", type=int, default=2, help="hub processes on PostgreSQL")
    args = parser.parse_args()
    cluster = None
    if args.pg:
        cluster = durable_cluster()
        args.db = cluster.new_database()
    try:
        run(args)
    finally:
        if cluster is not None:
            cluster.stop()


def run(args) -> None:
    work = Path(tempfile.mkdtemp(prefix="gspace-bench-volunteer-"))
    photos = make_photos(work / "photos", args.phones, args.mb)
    total = sum(map(len, photos))
    print(f"{args.phones} phones, photos of {total / len(photos) / 1e6:.2f} MB on average")

    from gspace.hub.volunteer_images import examine

    start = time.perf_counter()
    for n in range(len(photos)):
        examine(work / "photos" / f"p{n}.jpg")
    check = time.perf_counter() - start
    print(f"image check (Pillow, whole decode): {check / len(photos) * 1000:.0f} ms per photo")

    tokens = prepare_hub(work / "hub", args.phones, args.db)
    hub_ports = [free_port() for _ in range(args.hubs if args.db else 1)]
    plain_port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    where = f"{len(hub_ports)} hub processes on PostgreSQL" if args.db else "1 hub on SQLite"
    print(where)
    serve = [sys.executable, "-m", "gspace", "hub", "serve", "--data", str(work / "hub")]
    serve += ["--db", args.db] if args.db else []
    hubs = [
        subprocess.Popen(
            [*serve, "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in hub_ports
    ]
    (work / "plain").mkdir()
    plain = subprocess.Popen(
        [sys.executable, "-c", MINIMAL_SERVER, str(plain_port), str(work / "plain")]
    )
    try:
        for port in hub_ports:
            wait_listening(port)
        wait_listening(plain_port)
        urls = [f"http://127.0.0.1:{port}" for port in hub_ports]
        results: dict = {}
        jobs = [
            (urls[n % len(urls)], t, p, n, results)
            for n, (t, p) in enumerate(zip(tokens, photos, strict=True))
        ]
        wall = at_once(send, jobs)
        baseline: dict = {}
        plain_wall = at_once(
            plain_put,
            [(f"http://127.0.0.1:{plain_port}", p, n, baseline) for n, p in enumerate(photos)],
        )
    finally:
        for process in (*hubs, plain):
            process.terminate()
        for process in (*hubs, plain):
            process.wait(10)
    errors = [r for r in results.values() if isinstance(r, str)]
    errors += [r for r in baseline.values() if isinstance(r, str)]
    good = [r for r in results.values() if not isinstance(r, str)]
    print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:5]))
    if not good:
        return
    transfer = [r[0] for r in good]
    per_report = [r[3] for r in good]
    plain_times = [v for v in baseline.values() if not isinstance(v, str)]
    print(f"hub: {wall:.2f} s for all, {total / wall / 1e6:.1f} MB/s")
    print(
        f"  per report p50 {percentile(per_report, 50):.2f} s, "
        f"p95 {percentile(per_report, 95):.2f} s"
        f" (transfer p50 {percentile(transfer, 50):.2f} s, complete with the image check p50 "
        f"{percentile([r[1] for r in good], 50):.2f} s, report p50 "
        f"{percentile([r[2] for r in good], 50) * 1000:.0f} ms)"
    )
    transfer_wall = max(transfer)
    print(f"plain PUT: {plain_wall:.2f} s for all, {total / plain_wall / 1e6:.1f} MB/s, "
          f"p50 {statistics.median(plain_times):.2f} s")  # fmt: skip
    ratio = transfer_wall / plain_wall
    print(f"transfer ratio (hub's chunks / plain PUT, all phones): {ratio:.2f}x (target: 1.5x)")


if __name__ == "__main__":
    main()
