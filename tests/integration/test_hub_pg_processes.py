"""Several real hub processes on one PostgreSQL database and one folder (issue 17: the hub grows
past one machine). Uvicorn on 127.0.0.1, started by `gspace hub serve --db …`, on a database of
the session's throw-away cluster (tests/pg_cluster.py):
- 10 fixed-seed histories of the engine (tests/sync_histories.py), the laptops syncing through
  either of two hub processes at random and sometimes passing bundle files to each other: the
  same canonical dump, stamps and conflicts on every laptop and on the hub (a replica caught up
  with the shared log), and both processes list the same conflicts;
- laptops pushing at once through both processes into one incident, while an analyst verifies
  through both: every entry logged once, none lost, the hub's stamps strictly increasing in
  the log's order;
- `--workers 2`, and the token commands on the database."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest
from hub_process import ENV, HubProcess, free_port
from hypothesis import HealthCheck, given, settings
from sync_histories import Played, _step, _wall, histories, replayable, template

from gspace.hub.pg_db import PgHubDB
from gspace.hub.pg_state import PgHubState
from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync.bundle import import_bundle
from gspace.sync.bundle_export import export_bundle
from gspace.sync.client import SyncError, sync
from gspace.sync.clock import HybridClock, parse_stamp
from gspace.sync.conflicts import list_conflicts
from gspace.sync.dump import canonical_dump

HOUR_MS = 3_600_000


@pytest.fixture(scope="module")
def template_dir(tmp_path_factory):
    return template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="module")
def two_hubs(tmp_path_factory, pg_cluster):
    """Two hub processes on one database and one folder, and the database (for tokens)."""
    folder = tmp_path_factory.mktemp("hubs")
    url = pg_cluster.new_database()
    db = PgHubDB(url)
    admin = db.create_token("admin", "管理", None)
    hubs = [HubProcess(folder / "hub", "--db", url).start(admin)]
    hubs.append(HubProcess(folder / "hub", "--db", url).start(admin))
    yield hubs, db, url, folder / "hub", admin
    for hub in hubs:
        hub.stop()
    db.close()


def hub_view(data: Path, url: str, name: str):
    """The hub's copy of incident `name`: a replica of one more process, caught up."""
    state = PgHubState(data, url)
    with state.incident(name) as inc:
        return state, inc


def play_over_two_hubs(folder, template_dir, history, hubs, db, name):
    offset, first, steps = history
    for n in range(3):
        shutil.copytree(template_dir / f"laptop{n}", folder / f"laptop{n}")
    devices = [Incident.open(folder / f"laptop{n}") for n in range(3)]
    for inc in devices:
        inc.conn.execute("PRAGMA synchronous=OFF")
    if offset:
        devices[2].clock = HybridClock(devices[2].clock.now(), wall=_wall(offset))
    tokens = [db.create_token("officer", f"laptop{n}", name) for n in range(3)]
    played = Played(devices)
    rng = random.Random(repr(history))  # which hub each sync goes through: fixed per history
    bundles = []

    def through_a_hub(n: int, batch: int = 500):
        hub = rng.choice(hubs)
        summary = sync(
            devices[n], hub.url, tokens[n], name, client=hub.client, batch=batch, media=False
        )
        assert summary.pending == []
        return summary

    for step in first:
        _step(played, step)
    for step in steps:
        if step[0] == "exchange":
            _, src, dst, limit = step
            through_a_hub(src, limit or 500)
            if dst != src:
                through_a_hub(dst, limit or 500)
        elif step[0] == "reversed":  # these two meet without a network: a bundle file
            _, src, dst = step
            if src != dst:
                path = folder / f"bundle-{len(bundles)}.gsb"
                export_bundle(devices[src], path)
                import_bundle(devices[dst], path)
                bundles.append(path)
        else:
            _step(played, step)
    for _ in range(10):
        moved = 0
        for n in range(3):
            s = through_a_hub(n)
            moved += s.sent + s.received
        if not moved:
            break
    return played, tokens


COUNTER = iter(range(1_000_000))


def busy(history) -> bool:
    """Histories long enough to matter here (the first ones drawn are the smallest)."""
    steps = history[2]
    return (
        len(steps) >= 15
        and sum(s[0] == "exchange" and s[1] != s[2] for s in steps) >= 3
        and any(s[0] == "reversed" and s[1] != s[2] for s in steps)
    )


@settings(
    replayable(10),
    suppress_health_check=[*replayable(10).suppress_health_check, HealthCheck.filter_too_much],
)
@given(history=histories().filter(busy))
def test_laptops_syncing_through_two_hub_processes_and_bundles_converge(
    template_dir, two_hubs, history
):
    hubs, db, url, data, admin = two_hubs
    name = f"事案{next(COUNTER)}"
    with tempfile.TemporaryDirectory() as folder:
        played, _ = play_over_two_hubs(Path(folder), template_dir, history, hubs, db, name)
        state, central = hub_view(data, url, name)
        try:
            devices = [*played.devices, central]
            dumps = [canonical_dump(inc) for inc in devices]
            assert dumps[0] == dumps[1] == dumps[2] == dumps[3]
            listed = [[c.id for c in list_conflicts(inc, include_settled=True)] for inc in devices]
            assert listed[0] == listed[1] == listed[2] == listed[3]
            assert len(set(listed[0])) == len(listed[0])
            stamps = [
                sorted(inc.conn.execute("SELECT origin, oseq, hlc, actor FROM changes"))
                for inc in devices
            ]
            assert stamps[0] == stamps[1] == stamps[2] == stamps[3]
            open_ids = sorted(c.id for c in list_conflicts(central))
            for hub in hubs:  # each process, caught up, lists the same conflicts
                r = hub.client.get(
                    f"/v1/incidents/{name}/conflicts", headers={"Authorization": f"Bearer {admin}"}
                )
                assert r.status_code == 200, r.text
                assert sorted(c["id"] for c in r.json()["conflicts"]) == open_ids
        finally:
            for inc in played.devices:
                inc.close()
            state.close()


def test_pushes_at_once_through_two_processes_lose_nothing_and_stamp_in_order(tmp_path, two_hubs):
    hubs, db, url, data, admin = two_hubs
    name = "同時送信"
    laptops = []
    for n in range(6):  # clocks 6 hours fast: the hub restamps every entry with its own clock
        inc = Incident.create(tmp_path / f"laptop{n}", name=name)
        inc.clock = HybridClock(wall=lambda: time.time_ns() // 1_000_000 + 6 * HOUR_MS)
        with inc.transaction():
            records.add_reports(
                inc,
                [
                    {"kind": "manual", "lon": 130.7, "lat": 32.8 + i / 1e4, "text": f"{n}-{i}"}
                    for i in range(150)
                ],
            )
        inc.close()
        laptops.append(tmp_path / f"laptop{n}")
    tokens = [db.create_token("officer", f"係{n}", name) for n in range(6)]
    first = Incident.open(laptops[0])
    sync(first, hubs[0].url, tokens[0], name, media=False)  # the incident exists, one report
    [rid] = first.conn.execute("SELECT id FROM reports LIMIT 1").fetchone()
    first.close()
    analyst = {"Authorization": f"Bearer {db.create_token('analyst', '分析', None)}"}
    errors: list[BaseException] = []

    def push(n: int):
        try:
            hub = hubs[n % 2]
            with Incident.open(laptops[n]) as inc, httpx.Client(base_url=hub.url) as client:
                for batch in (7, 13):  # many small pushes, interleaving with the others'
                    summary = sync(
                        inc, hub.url, tokens[n], name, client=client, batch=batch, media=False
                    )
                    assert summary.pending == []
        except BaseException as e:  # noqa: BLE001 - reported by the test's thread below
            errors.append(e)

    def verify(n: int):
        try:
            for i in range(20):
                status = ("verified", "actioned")[i % 2]
                r = hubs[n].client.post(
                    f"/v1/incidents/{name}/reports/{rid}/status",
                    json={"status": status},
                    headers=analyst,
                )
                assert r.status_code == 200, r.text
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=push, args=(n,)) for n in range(6)]
    threads += [threading.Thread(target=verify, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert errors == []
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT hseq, origin, oseq, hlc FROM entries WHERE incident = %s ORDER BY hseq",
            (name,),
        ).fetchall()
    keys = [(origin, oseq) for _, origin, oseq, _ in rows]
    assert len(keys) == len(set(keys))  # none twice
    by_origin: dict[str, list[int]] = {}
    for origin, oseq in keys:
        by_origin.setdefault(origin, []).append(oseq)
    hub_origin = db.meta("origin")
    assert len(by_origin) == 7  # six laptops and the hub (the analyst's verifications)
    for origin, oseqs in by_origin.items():  # none lost: each origin's entries, no gap
        expected = 150 if origin != hub_origin else len(oseqs)
        assert sorted(oseqs) == list(range(1, expected + 1)), origin
    assert len(by_origin[hub_origin]) >= 2
    stamps = [hlc for *_, hlc in rows]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)  # one clock, in order
    assert parse_stamp(stamps[-1])[0] < time.time() * 1000 + 60_000  # the hub's, not 6 h ahead
    state, central = hub_view(data, url, name)
    try:
        assert central.conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 900
        with Incident.open(laptops[3]) as late:
            sync(late, hubs[1].url, tokens[3], name, media=False)
            assert canonical_dump(late) == canonical_dump(central)
    finally:
        state.close()


def test_workers_share_one_database_and_tokens_are_managed_on_it(tmp_path, pg_url):
    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "gspace.cli", "hub", *args],
            env=ENV,
            capture_output=True,
            text=True,
            timeout=60,
        )

    data = tmp_path / "hub"
    made = cli(
        "token",
        "create",
        "--data",
        str(data),
        "--db",
        pg_url,
        "--role",
        "officer",
        "--name",
        "田中",
        "--incident",
        "熊本豪雨",
    )
    assert made.returncode == 0, made.stderr
    officer = made.stdout.strip()
    listed = cli("token", "list", "--data", str(data), "--db", pg_url)
    assert "officer\t田中\t熊本豪雨\tlive" in listed.stdout
    assert not (data / "hub.sqlite").exists()  # the state is in the database
    refused = cli("serve", "--data", str(data), "--workers", "2")
    assert refused.returncode != 0 and "--workers above 1 needs --db" in refused.stderr
    bad = cli(
        "serve", "--data", str(data), "--db", f"postgresql://postgres@127.0.0.1:{free_port()}/x"
    )
    assert bad.returncode == 1 and "cannot connect to the hub's PostgreSQL database" in bad.stderr
    assert "Traceback" not in bad.stderr
    hub = HubProcess(data, "--db", pg_url, "--workers", "2").start(officer)
    try:
        incs = []
        for n in range(4):
            inc = Incident.create(tmp_path / f"laptop{n}", name="熊本豪雨")
            with inc.transaction():
                records.add_reports(
                    inc,
                    [
                        {"kind": "manual", "lon": 130.7, "lat": 32.8, "text": f"報告{n}-{i}"}
                        for i in range(50)
                    ],
                )
            incs.append(inc)
        threads = [
            threading.Thread(
                target=sync, args=(inc, hub.url, officer, "熊本豪雨"), kwargs={"media": False}
            )
            for inc in incs
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        for inc in incs:
            sync(inc, hub.url, officer, "熊本豪雨", media=False)
        dumps = {canonical_dump(inc) for inc in incs}
        assert len(dumps) == 1
        assert incs[0].conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 200
        revoked = cli("token", "revoke", "--data", str(data), "--db", pg_url, "1")
        assert revoked.returncode == 0
        r = httpx.get(f"{hub.url}/v1/whoami", headers={"Authorization": f"Bearer {officer}"})
        assert r.status_code == 401  # revoked in the database: every worker refuses it
        for inc in incs:
            inc.close()
    finally:
        hub.stop()
    log = hub.log.read_text(encoding="utf-8", errors="replace")
    assert "2 process(es)" in log and officer not in log


def test_a_process_killed_mid_push_loses_nothing_and_its_replica_is_reused(tmp_path, pg_url):
    import signal

    data = tmp_path / "hub"
    db = PgHubDB(pg_url)
    officer = db.create_token("officer", "田中", "熊本豪雨")
    one = HubProcess(data, "--db", pg_url).start(officer)
    two = HubProcess(data, "--db", pg_url).start(officer)
    laptop = Incident.create(tmp_path / "laptop", name="熊本豪雨")
    with laptop.transaction():
        records.add_reports(
            laptop,
            [
                {"kind": "manual", "lon": 130.7, "lat": 32.8 + i / 1e5, "text": f"報告{i}"}
                for i in range(6000)
            ],
        )
    try:
        timers = []

        def progress(text):
            if "sending changes" in text and not timers:  # during the next batch
                timers.append(threading.Timer(0.15, one.proc.send_signal, (signal.SIGKILL,)))
                timers[0].start()

        with pytest.raises(SyncError, match="cannot reach the hub"):
            sync(laptop, one.url, officer, "熊本豪雨", batch=1000, progress=progress)
        timers[0].join()
        one.proc.wait(10)
        summary = sync(laptop, two.url, officer, "熊本豪雨", batch=1000)  # on, through the other
        assert summary.pending == []
        one = HubProcess(data, "--db", pg_url).start(
            officer
        )  # restarted: takes up the dead one's copy
        assert len(list((data / "replicas").iterdir())) == 2
        other = Incident.create(tmp_path / "other", name="熊本豪雨")
        sync(other, one.url, officer, "熊本豪雨")
        assert other.conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 6000
        assert canonical_dump(other) == canonical_dump(laptop)
        other.close()
        state, central = hub_view(data, pg_url, "熊本豪雨")
        try:
            assert canonical_dump(central) == canonical_dump(laptop)
            [count] = state.db._one(
                "SELECT count(*) FROM entries WHERE incident = %s", ("熊本豪雨",)
            )
            assert count == 6000
        finally:
            state.close()
    finally:
        laptop.close()
        one.stop()
        two.stop()
        db.close()
