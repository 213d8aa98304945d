"""Sync survives faults at every step (issue 17, "Faults"): the laptop's client or the hub
SIGKILLed at 21 chosen points during push, pull, photo upload and download, and connections
cut in the middle of a request or a response by a proxy on 127.0.0.1.

Each case: laptop B has synced 150 reports and a photo with the hub; laptop A (300 reports,
two photos) syncs and the fault strikes; the killed side is started again, A syncs again, B
syncs, A syncs once more. Then every change is on all three exactly once (identical canonical
dumps; each origin's entries numbered 1..n with no gap or double), every photo is whole on all
three and nowhere half (no partial file left), and each uploaded byte reached the hub once."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cutting_proxy import CuttingProxy
from hub_helpers import add_photo, photo_bytes
from hub_process import ENV, INCIDENT, HubProcess, hub_incident, tokens

from gspace.hub.db import HubDB
from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync.client import PARTIAL, SyncError, sync
from gspace.sync.dump import canonical_dump

BATCH = 100
CHUNK = 128 * 1024
PHOTO = 600_000  # five chunks
A_REPORTS, B_REPORTS = 300, 150

# (where, point): the client or hub killed when it reaches the point (`@N`: the N-th time)
KILLS = [
    ("client", "client-push-answered@1"),
    ("client", "client-push-answered@2"),
    ("client", "client-push-saved@2"),
    ("client", "client-pull-received@1"),
    ("client", "client-pull-applied@1"),
    ("client", "client-pull-saved@1"),
    ("client", "client-upload-chunk@2"),
    ("client", "client-upload-done@1"),
    ("client", "client-download-block@2"),
    ("client", "client-download-moved@1"),
    ("hub", "hub-push-received@2"),
    ("hub", "hub-push-restamped@2"),
    ("hub", "hub-push-applied@2"),
    ("hub", "hub-push-committed@2"),
    ("hub", "hub-pull-read@1"),
    ("hub", "hub-upload-written@2"),
    ("hub", "hub-upload-counted@2"),
    ("hub", "hub-upload-verified@1"),
    ("hub", "hub-upload-moved@1"),
    ("hub", "hub-push-applied@1"),
    ("hub", "hub-upload-counted@7"),  # the second photo
]
# (request trigger, side, bytes forwarded before the cut)
CUTS = [
    (b"/push", "request", 4000),  # mid-way through a batch of entries
    (b"/push", "response", 300),  # the batch applied, its answers lost
    (b"/pull?", "response", 5000),  # mid-way through a page of entries
    (b"PUT /v1/", "request", 60_000),  # mid-way through a photo's chunk
    (b"/media/", "response", 200_000),  # mid-way through a photo's download
]

CLIENT = textwrap.dedent(
    """
    import sys
    from gspace.store.incident import Incident
    from gspace.sync.client import sync
    path, url, token, batch, chunk = sys.argv[1:6]
    with Incident.open(path) as inc:
        sync(inc, url, token, "熊本豪雨", batch=int(batch), chunk=int(chunk))
    sys.exit(3)  # not killed: the test's kill point was not reached
    """
)


def laptop(path: Path, count: int, photos: list[bytes], tag: str) -> Incident:
    inc = Incident.create(path, name=INCIDENT)
    with inc.transaction():
        rows = [
            {"kind": "manual", "lon": 130.7, "lat": 32.8 + i / 1e5, "text": f"{tag}の報告{i}"}
            for i in range(count)
        ]
        records.add_reports(inc, rows)
    for i, data in enumerate(photos):
        add_photo(inc, data, name=f"{tag}{i}.jpg")
    return inc


@pytest.fixture
def world(tmp_path):
    """The hub (B's changes and photo on it) and laptop A not yet synced."""
    hub_dir = tmp_path / "hub"
    officer, _ = tokens(hub_dir)
    hub = HubProcess(hub_dir).start(officer)
    b = laptop(tmp_path / "b", B_REPORTS, [photo_bytes(100, PHOTO)], "B")
    sync(b, hub.url, officer, INCIDENT, batch=BATCH, chunk=CHUNK)
    a_photos = [photo_bytes(1, PHOTO), photo_bytes(2, PHOTO)]
    a = laptop(tmp_path / "a", A_REPORTS, a_photos, "A")
    a.close()
    yield hub, officer, b, tmp_path / "a", [hashlib.sha256(p).hexdigest() for p in a_photos]
    b.close()
    hub.stop()


def sync_in_subprocess(path: Path, url: str, token: str, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-c", CLIENT, str(path), url, token, str(BATCH), str(CHUNK)],
        env={**ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.parametrize("where,point", KILLS, ids=[p for _, p in KILLS])
def test_a_sync_killed_at_any_point_then_run_again_loses_nothing(world, where, point):
    hub, officer, b, a_path, a_shas = world
    kill = {"GSPACE_TEST_KILL_AT": point}
    if where == "client":
        done = sync_in_subprocess(a_path, hub.url, officer, kill)
        assert done.returncode == -signal.SIGKILL, done.stderr
    else:
        hub.stop()
        hub.start(officer, env=kill)
        done = sync_in_subprocess(a_path, hub.url, officer)
        assert hub.proc.wait(30) == -signal.SIGKILL, done.stderr
        assert "cannot reach the hub" in done.stderr or done.returncode == 1, done.stderr
        hub.start(officer)
    settle_and_check(hub, hub.url, officer, b, a_path, a_shas, hub_killed_writing=point)


@pytest.mark.parametrize("trigger,side,after", CUTS, ids=[f"{t.decode()}-{s}" for t, s, _ in CUTS])
def test_a_connection_cut_mid_request_or_response_loses_nothing(world, trigger, side, after):
    hub, officer, b, a_path, a_shas = world
    proxy = CuttingProxy(hub.port)
    try:
        proxy.cut_once(trigger, side, after)
        with Incident.open(a_path) as a, pytest.raises(SyncError, match="cannot reach the hub"):
            sync(a, proxy.url, officer, INCIDENT, batch=BATCH, chunk=CHUNK)
        assert proxy.cuts == 1
        settle_and_check(hub, proxy.url, officer, b, a_path, a_shas)
    finally:
        proxy.close()


def settle_and_check(hub, url, officer, b, a_path, a_shas, hub_killed_writing=""):
    with Incident.open(a_path) as a:
        first = sync(a, url, officer, INCIDENT, batch=BATCH, chunk=CHUNK)
        assert first.pending == []
        sync(b, hub.url, officer, INCIDENT, batch=BATCH, chunk=CHUNK)
        last = sync(a, url, officer, INCIDENT, batch=BATCH, chunk=CHUNK)
        assert (last.sent, last.received, last.photos_up, last.photos_down) == (0, 0, 0, 0)
        with hub_incident(hub.data) as central:
            expected = A_REPORTS + B_REPORTS + 3  # and the three photo reports
            for inc in (a, b, central):
                assert inc.conn.execute("SELECT count(*) FROM reports").fetchone()[0] == expected
                assert_each_change_once(inc)
            for inc in (a, b):  # the hub keeps its photos in its own store, checked below
                assert_photos_whole(inc)
            assert canonical_dump(a) == canonical_dump(central) == canonical_dump(b)
    hub_media = sorted(p.name for p in (hub.data / "media").rglob("*") if p.is_file())
    assert len(hub_media) == 3 and all(
        hashlib.sha256((hub.data / "media" / n[:2] / n).read_bytes()).hexdigest() == n
        for n in hub_media
    )
    assert not list((hub.data / "uploads").iterdir()), "a partial upload was left on the hub"
    db = HubDB(hub.data)
    try:
        received = [db.uploaded(sha) for sha in a_shas]
    finally:
        db.close()
    # the hub counts what it received: each byte once; a chunk written by a hub killed before
    # it counted it is on disk already, and the laptop does not send it again
    lost_count = CHUNK if hub_killed_writing.startswith("hub-upload-written") else 0
    assert sorted(received) == sorted([PHOTO - lost_count, PHOTO]), received


def assert_each_change_once(inc: Incident) -> None:
    for origin, count, top in inc.conn.execute(
        "SELECT origin, count(*), max(oseq) FROM changes GROUP BY origin"
    ):
        assert count == top, f"{origin}: {count} entries numbered up to {top}"


def assert_photos_whole(inc: Incident) -> None:
    rows = inc.conn.execute("SELECT sha256, path FROM media").fetchall()
    assert len(rows) == 3
    for sha, path in rows:
        assert path, f"photo {sha[:12]} not on this device"
        assert hashlib.sha256((inc.path / path).read_bytes()).hexdigest() == sha
    partial = inc.path / PARTIAL
    assert not partial.exists() or not list(partial.iterdir()), "a partial download was left"
