"""`gspace hub bundle import --db URL` into a hub on PostgreSQL (issue 17), through the real
command while a real hub process serves, on the session's throw-away cluster: the bundle's
entries reach the shared log (a laptop pulls them and its photos from the hub process), a
second import changes nothing, a damaged bundle changes nothing (no incident, no entry, no
photo), and a far-future stamp is taken at the hub's clock as a push's would be."""

from __future__ import annotations

import time

import psycopg
from bundle_files import FIELD_INCIDENT as INCIDENT
from bundle_files import add_posts
from helpers import EN, run_gspace
from hub_process import HubProcess

from gspace.hub.bundle_import import import_into_hub
from gspace.hub.pg_db import PgHubDB
from gspace.store.incident import Incident
from gspace.sync.bundle import export_bundle
from gspace.sync.client import sync
from gspace.sync.clock import HybridClock, parse_stamp
from gspace.sync.dump import canonical_dump


def log(url: str) -> tuple[int, int, list]:
    """(incidents, entries, the entries' identities in the log's order)."""
    with psycopg.connect(url) as conn:
        [incidents] = conn.execute("SELECT count(*) FROM incidents").fetchone()
        rows = conn.execute("SELECT origin, oseq FROM entries ORDER BY hseq").fetchall()
    return incidents, len(rows), rows


def hub_import(data, url, bundle):
    return run_gspace(
        "hub", "bundle", "import", "--data", data, "--db", url, "--incident", INCIDENT, bundle,
        env=EN,
    )  # fmt: skip


def damaged(source, out):
    data = bytearray(source.read_bytes())
    data[len(data) // 3] ^= 0xFF
    out.write_bytes(bytes(data))


def test_a_bundle_into_a_hub_on_postgresql_reaches_laptops_once(tmp_path, pg_cluster, field_laptop):
    root, shas = field_laptop
    url = pg_cluster.new_database()
    db = PgHubDB(url)
    officer = db.create_token("officer", "佐藤", INCIDENT)
    db.close()
    data = tmp_path / "hub"
    hub = HubProcess(data, "--db", url).start(officer)
    try:
        for bad in ("cut", "altered"):
            path = tmp_path / f"{bad}.gsb"
            if bad == "cut":
                path.write_bytes((root / "a.gsb").read_bytes()[:-4000])
            else:
                damaged(root / "a.gsb", path)
            done = hub_import(data, url, path)
            assert done.returncode == 1, done.stderr
            assert len(done.stderr.strip().splitlines()) == 1, done.stderr
            assert log(url)[:2] == (0, 0)  # no incident, no entry
            assert not list((data / "replicas").glob("*/*/store.sqlite"))  # no replica left
            assert not list((data / "media").rglob("*.*")) and not any(
                p.is_file() for p in (data / "media").rglob("*")
            )
        done = hub_import(data, url, root / "a.gsb")  # while the hub process serves
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        incidents, entries, first = log(url)
        assert incidents == 1 and entries > 0
        assert all((data / "media" / s[:2] / s).is_file() for s in shas)
        b = Incident.create(tmp_path / "b", name=INCIDENT)
        summary = sync(b, hub.url, officer, INCIDENT)
        assert summary.pending == [] and summary.photos_down == len(shas)
        with Incident.open(root / "a", write=False) as a:
            assert canonical_dump(b) == canonical_dump(a)
        for sha in shas:
            [path] = b.conn.execute("SELECT path FROM media WHERE sha256 = ?", (sha,)).fetchone()
            assert (b.path / path).is_file()
        done = hub_import(data, url, root / "a.gsb")  # twice changes nothing
        assert done.returncode == 0, done.stderr
        assert log(url) == (incidents, entries, first)
        again = sync(b, hub.url, officer, INCIDENT)
        assert again.received == 0 and again.sent == 0
        b.close()
    finally:
        hub.stop()


def test_a_far_future_stamp_in_a_bundle_is_taken_at_the_hubs_clock_on_postgresql(tmp_path, pg_url):
    with Incident.create(tmp_path / "fast", name=INCIDENT) as fast:
        fast.clock = HybridClock(wall=lambda: time.time_ns() // 1_000_000 + 6 * 3_600_000)
        add_posts(fast, ["時計が進んでいる"])
        export_bundle(fast, tmp_path / "fast.gsb")
    summary = import_into_hub(tmp_path / "hub", INCIDENT, tmp_path / "fast.gsb", db=pg_url)
    assert summary.counts.get("applied", 0) > 0
    with psycopg.connect(pg_url) as conn:
        [newest] = conn.execute("SELECT max(hlc) FROM entries").fetchone()
        [restamped] = conn.execute("SELECT count(*) FROM restamps").fetchone()
    assert parse_stamp(newest)[0] < time.time_ns() // 1_000_000 + 60_000
    assert restamped > 0


def test_the_wrong_kind_of_hub_is_refused_in_one_line(tmp_path, pg_url, field_laptop):
    from hub_helpers import Hub

    root, _ = field_laptop
    Hub(tmp_path / "sqlite-hub").close()
    done = hub_import(tmp_path / "sqlite-hub", pg_url, root / "a.gsb")
    assert done.returncode == 1 and "without --db" in done.stderr, done.stderr
    Hub(tmp_path / "pg-hub", db=pg_url).close()  # a folder a hub on PostgreSQL used
    done = run_gspace(
        "hub", "bundle", "import", "--data", tmp_path / "pg-hub", "--incident", INCIDENT,
        root / "a.gsb", env=EN,
    )  # fmt: skip
    assert done.returncode == 1 and "--db URL" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
