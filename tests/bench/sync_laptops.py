"""The laptops phase of tests/bench/sync.py (issue 17, "Speed"): many laptops syncing at once
against two hub processes on PostgreSQL; 0 errors, 0 lost changes, the time of each sync.

Each laptop is a real incident in its own folder with hundreds of its own reports and a few
photos (small real JPEGs, each its own hash), and every laptop has changed the SAME shared
reports since it last synced (status and severity, each its own way), so the hub and every
laptop meet conflicts. Half the laptops talk to one `gspace hub serve --db URL` process, half
to the other (one database, one data folder for the photos). Every laptop syncs at the same
moment, each in its own process (a laptop is its own machine: no shared interpreter lock),
through `gspace.sync.client.sync`, the code the CLI and the window call; then all again, round
after round until a round sends nothing (two rounds are enough: the second pulls what the
first pushed). The hub also holds another incident (its log shares the hub's numbering); a
sync that takes the hub for a restored one counts as an error.

Checked afterwards, and asserted: every laptop has the same canonical dump as the hub's copy
of the incident; every change-log entry any laptop wrote (origin and number) is in the hub's
shared log and on every laptop; every report any laptop wrote is on every laptop and on the
hub; every photo is on every laptop, whole. Only then is "lost changes: 0" printed.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
from pg_bench import free_port, percentile
from photo_files import make_jpeg

from gspace.hub.pg_db import PgHubDB
from gspace.hub.pg_state import PgHubState
from gspace.ingest.photos import import_photos
from gspace.model import REPORT_STATUSES, SEVERITIES
from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync import client
from gspace.sync.dump import canonical_dump

ROOT = Path(__file__).resolve().parents[2]
INCIDENT = "熊本豪雨"
OTHER = "別の事案"  # another incident on the same hub, synced before
SHARED = 12  # reports every laptop changes
MAX_ROUNDS = 4


def serve_hubs(data: Path, url: str, count: int, token: str, logs: Path) -> list:
    """`count` real `gspace hub serve --db URL` processes sharing `data`; (process, url)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    hubs = []
    for _ in range(count):
        port = free_port()
        command = [sys.executable, "-m", "gspace.cli", "hub", "serve", "--data", str(data)]
        command += ["--db", url, "--port", str(port)]
        log = open(logs / f"pghub-{port}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        hubs.append((proc, f"http://127.0.0.1:{port}", log))
    auth = {"Authorization": f"Bearer {token}"}
    for proc, hub_url, log in hubs:
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(f"{hub_url}/v1/whoami", headers=auth).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                stop_hubs(hubs)
                raise SystemExit(Path(log.name).read_text(errors="replace"))
            time.sleep(0.1)
    return hubs


def stop_hubs(hubs: list) -> None:
    for proc, _, _ in hubs:
        if proc.poll() is None:
            proc.terminate()
    for proc, _, log in hubs:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds (user and system) the processes `pids` have used so far (Linux /proc)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def own_rows(n: int, count: int) -> list[dict]:
    return [
        {
            "kind": "manual",
            "lon": round(130.6 + n / 100 + i / 1e5, 6),
            "lat": round(32.7 + i / 1e5, 6),
            "category": "water_outage",
            "severity": "normal",
            "text": f"係{n}の報告{i} 熊本市中央区で断水 #断水",
            "source": f"bench:laptop{n}:{i}",
        }
        for i in range(count)
    ]


def build_laptops(work: Path, count: int, reports: int, photos: int, tokens, urls) -> list[Path]:
    """The laptops, each linked to the hub incident (a first sync, not timed, brings them the
    shared reports), then each writes its own reports and photos and changes the shared ones."""
    paths = [work / f"laptop{n:02d}" for n in range(count)]
    shared: list[str] = []
    for n, path in enumerate(paths):
        with Incident.create(path, name=INCIDENT) as inc:
            if n == 0:
                with inc.transaction():
                    shared = records.add_reports(
                        inc,
                        [
                            {"kind": "manual", "lon": 130.71, "lat": 32.80 + i / 1e4,
                             "text": f"共有の報告{i}", "status": "new"}
                            for i in range(SHARED)
                        ],
                    )  # fmt: skip
            client.sync(inc, urls[n % len(urls)], tokens[n], INCIDENT)
    for n, path in enumerate(paths):
        folder = work / "photos" / f"laptop{n:02d}"
        files = [
            make_jpeg(
                folder / f"IMG_{k:04d}.jpg", lat=32.8 + n / 100, lon=130.7 + k / 100,
                size=(640, 480), seed=1000 * (n + 1) + k,
            )
            for k in range(photos)
        ]  # fmt: skip
        with Incident.open(path) as inc:
            if files:
                import_photos(inc, files, jobs=1)
            with inc.transaction():
                records.add_reports(inc, own_rows(n, reports))
                for i, rid in enumerate(shared):  # everyone's own idea of the same reports
                    records.update_report(
                        inc,
                        rid,
                        status=REPORT_STATUSES[1 + (n + i) % (len(REPORT_STATUSES) - 1)],
                        severity=SEVERITIES[(n * 7 + i) % len(SEVERITIES)],
                        text=f"共有の報告{i}: 係{n}が確認",
                    )
    return paths


PHASES: dict[str, float] = {}  # in a laptop's process: seconds in each phase of its sync


def _timed_phases() -> None:
    """Wrap the client's phases once per process, so a sync reports where its time went."""
    if getattr(client, "_bench_timed", False):
        return
    client._bench_timed = True
    for name in ("push", "pull", "upload_photos", "download_photos"):
        inner = getattr(client, name)

        def timed(*args, _inner=inner, _name=name, **kwargs):
            begin = time.perf_counter()
            try:
                return _inner(*args, **kwargs)
            finally:
                PHASES[_name] = PHASES.get(_name, 0) + time.perf_counter() - begin

        setattr(client, name, timed)


def sync_one(job: tuple[int, str, str, str]) -> tuple[int, float | None, dict | str]:
    """One laptop's sync, in a process of its own: its seconds and summary (with the seconds
    of each phase and the CPU seconds the laptop itself spent), or its error."""
    n, path, url, token = job
    _timed_phases()
    PHASES.clear()
    try:
        with Incident.open(path) as inc:
            begin, cpu = time.perf_counter(), time.process_time()
            summary = client.sync(inc, url, token, INCIDENT)
            seconds, cpu = time.perf_counter() - begin, time.process_time() - cpu
    except Exception as e:  # noqa: BLE001 - every error is counted and printed
        return n, None, f"laptop{n:02d}: {type(e).__name__}: {e}"
    return n, seconds, {**vars(summary), "pending": list(summary.pending), "cpu": cpu, **PHASES}


def _ready(_: int) -> int:
    return os.getpid()


def entries_of(path: Path) -> set[tuple[str, int]]:
    with Incident.open(path, write=False) as inc:
        return set(inc.conn.execute("SELECT origin, oseq FROM changes"))


def reports_of(inc: Incident) -> set[str]:
    return {rid for (rid,) in inc.conn.execute("SELECT id FROM reports")}


def check_nothing_lost(paths: list[Path], data: Path, url: str, written, reports) -> list[str]:
    """What is missing or differs anywhere (empty: nothing lost)."""
    problems = []
    dumps, photos = [], []
    for path in paths:
        with Incident.open(path, write=False) as inc:
            dumps.append(canonical_dump(inc))
            have = set(inc.conn.execute("SELECT origin, oseq FROM changes"))
            if missing := written - have:
                problems.append(f"{path.name}: {len(missing)} entries missing")
            if missing := reports - reports_of(inc):
                problems.append(f"{path.name}: {len(missing)} reports missing")
            media = list(inc.conn.execute("SELECT sha256, path FROM media WHERE deleted = 0"))
            whole = sum(1 for _, p in media if p and (inc.path / p).is_file())
            photos.append((len(media), whole))
    state = PgHubState(data, url)
    try:
        with state.incident(INCIDENT) as central:  # a replica of one more process, caught up
            hub_dump = canonical_dump(central)
            if missing := reports - reports_of(central):
                problems.append(f"hub: {len(missing)} reports missing")
        rows = state.db._all("SELECT origin, oseq FROM entries WHERE incident = %s", (INCIDENT,))
        if missing := written - {(origin, oseq) for origin, oseq in rows}:
            problems.append(f"hub: {len(missing)} entries missing from the shared log")
    finally:
        state.close()
    differ = [p.name for p, d in zip(paths, dumps, strict=True) if d != hub_dump]
    if differ:
        problems.append(f"canonical dump differs from the hub's on {', '.join(differ)}")
    if len({count for count, _ in photos}) != 1 or any(c != w for c, w in photos):
        problems.append(f"photos (listed, whole) per laptop: {photos}")
    return problems


def run(work: Path, url: str, laptops: int, reports: int, photos: int) -> None:
    """The phase, printed; raises AssertionError if an error happened or anything was lost."""
    data = work / "pghub"
    db = PgHubDB(url)
    tokens = [db.create_token("officer", f"係{n}", INCIDENT) for n in range(laptops)]
    elsewhere = db.create_token("officer", "別の係", OTHER)
    db.close()
    hubs = serve_hubs(data, url, 2, tokens[0], work)
    urls = [hub_url for _, hub_url, _ in hubs]
    try:
        with Incident.create(work / "other", name=OTHER) as inc:  # the hub holds two incidents
            with inc.transaction():
                records.add_reports(inc, own_rows(99, 50))
            client.sync(inc, urls[0], elsewhere, OTHER)
        paths = build_laptops(work, laptops, reports, photos, tokens, urls)
        written = set().union(*(entries_of(p) for p in paths))
        reports_written = set()
        for path in paths:
            with Incident.open(path, write=False) as inc:
                reports_written |= reports_of(inc)
        print(
            f"{laptops} laptops on 2 hub processes (PostgreSQL, fsync on): {reports} reports and "
            f"{photos} photos each, {SHARED} shared reports changed by all; "
            f"{len(written):,} entries, {len(reports_written):,} reports in all"
        )
        print(f"  load average before: {os.getloadavg()[0]:.1f}")
        jobs = [(n, str(p), urls[n % 2], tokens[n]) for n, p in enumerate(paths)]
        times: list[float] = []
        errors: list[str] = []
        rounds = 0
        with multiprocessing.get_context("spawn").Pool(laptops) as pool:
            assert len(set(pool.map(_ready, range(laptops), chunksize=1))) >= 1
            while rounds < MAX_ROUNDS:
                rounds += 1
                hub_cpu = cpu_seconds([proc.pid for proc, _, _ in hubs])
                begin = time.perf_counter()
                done = pool.map(sync_one, jobs, chunksize=1)
                wall = time.perf_counter() - begin
                hub_cpu = cpu_seconds([proc.pid for proc, _, _ in hubs]) - hub_cpu
                summaries = [s for _, t, s in done if t is not None]
                errors += [s for _, t, s in done if t is None]
                errors += [  # a laptop that took the hub for restored would send all again
                    f"laptop{n:02d}: told the hub was restored"
                    for n, t, s in done
                    if t is not None and s["hub_restored"]
                ]
                these = [t for _, t, _ in done if t is not None]
                times += these
                sent = sum(s["sent"] for s in summaries)
                print(
                    f"  round {rounds}: {wall:6.2f} s for all; per sync p50 "
                    f"{percentile(these, 50):.2f} s, max {max(these, default=0):.2f} s; "
                    f"{sent:,} sent, {sum(s['received'] for s in summaries):,} received, "
                    f"{sum(s['conflicts'] for s in summaries)} conflicts, "
                    f"{sum(s['photos_up'] for s in summaries)} photos up, "
                    f"{sum(s['photos_down'] for s in summaries)} down, "
                    f"{sum(len(s['pending']) for s in summaries)} pending"
                )
                print(
                    "    per sync p50: "
                    + ", ".join(
                        f"{k} {percentile([s.get(k, 0) for s in summaries], 50):.2f} s"
                        for k in ("push", "pull", "upload_photos", "download_photos")
                    )
                    + f"; the laptop's own CPU {percentile([s['cpu'] for s in summaries], 50):.2f}"
                    + f" s; both hub processes' CPU {hub_cpu:.1f} s in all"
                )
                if rounds >= 2 and sent == 0 and not any(s["pending"] for s in summaries):
                    break
        print(f"  load average after: {os.getloadavg()[0]:.1f}")
        print(f"syncs: {len(times) + len(errors)} in {rounds} rounds")
        print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:10]))
        print(
            f"per sync: p50 {percentile(times, 50):.2f} s, p95 {percentile(times, 95):.2f} s, "
            f"max {max(times):.2f} s"
        )
        problems = check_nothing_lost(paths, data, url, written, reports_written)
        print("".join(f"LOST: {p}\n" for p in problems), end="")
        assert not errors, f"{len(errors)} syncs failed"
        assert not problems, "changes were lost"
        print(
            f"lost changes: 0 (the same canonical dump on {laptops} laptops and the hub; all "
            f"{len(written):,} entries and {len(reports_written):,} reports everywhere)"
        )
    finally:
        stop_hubs(hubs)
        shutil.rmtree(data, ignore_errors=True)
