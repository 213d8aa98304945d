"""A bundle imported into the hub (`gspace hub bundle import`, issue 17): its changes reach
laptops at their next sync and its photos the hub's photo store; a bad bundle is refused with
one line through the real command and the hub is left as it was (no new incident, no file)."""

from __future__ import annotations

import sqlite3

import pytest
from bundle_files import FIELD_INCIDENT as INCIDENT
from bundle_files import add_posts
from helpers import EN, run_gspace, tree_digest
from hub_helpers import Hub

from gspace.hub.bundle_import import import_into_hub
from gspace.store.incident import Incident
from gspace.sync.bundle import export_bundle
from gspace.sync.dump import canonical_dump


def test_a_bundle_into_the_hub_is_pulled_by_a_laptop(tmp_path, field_laptop):
    root, shas = field_laptop
    hub_dir = tmp_path / "hub"
    Hub(hub_dir).close()  # a hub folder, as `hub serve` leaves it
    done = run_gspace(
        "hub",
        "bundle",
        "import",
        "--data",
        hub_dir,
        "--incident",
        INCIDENT,
        root / "a.gsb",
        env=EN,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    hub = Hub(hub_dir)
    try:
        assert all(hub.state.media.has(sha) for sha in shas)
        assert not list(hub.incident().media_dir.rglob("*.*"))  # not left in the folder
        b = Incident.create(tmp_path / "b", name=INCIDENT)
        summary = hub.sync(b, hub.token(name="佐藤"))
        assert summary.photos_down == len(shas) and summary.pending == []
        with Incident.open(root / "a", write=False) as a:
            assert canonical_dump(b) == canonical_dump(a) == canonical_dump(hub.incident())
        for sha in shas:
            [path] = b.conn.execute("SELECT path FROM media WHERE sha256 = ?", (sha,)).fetchone()
            assert (b.path / path).is_file()
        b.close()
    finally:
        hub.close()
    again = import_into_hub(hub_dir, INCIDENT, root / "a.gsb")  # twice changes nothing
    assert again.counts.get("applied", 0) == 0


def test_a_far_future_stamp_in_a_bundle_is_taken_at_the_hubs_clock(tmp_path):
    import time

    from gspace.sync.clock import HybridClock, parse_stamp

    with Incident.create(tmp_path / "fast", name=INCIDENT) as fast:
        fast.clock = HybridClock(wall=lambda: time.time_ns() // 1_000_000 + 6 * 3_600_000)
        add_posts(fast, ["時計が進んでいる"])
        export_bundle(fast, tmp_path / "fast.gsb")
    Hub(tmp_path / "hub").close()
    import_into_hub(tmp_path / "hub", INCIDENT, tmp_path / "fast.gsb")
    hub = Hub(tmp_path / "hub")
    try:
        [newest] = hub.incident().conn.execute("SELECT max(hlc) FROM changes").fetchone()
        assert parse_stamp(newest)[0] < time.time_ns() // 1_000_000 + 60_000
    finally:
        hub.close()


def cut(source, out):
    data = source.read_bytes()
    out.write_bytes(data[: len(data) // 2])


def altered(source, out):
    data = bytearray(source.read_bytes())
    data[len(data) // 3] ^= 0xFF
    out.write_bytes(bytes(data))


def not_a_bundle(source, out):
    out.write_text("hello")


@pytest.mark.parametrize("damage", [cut, altered, not_a_bundle])
def test_a_bad_bundle_is_refused_in_one_line_and_the_hub_is_unchanged(
    tmp_path, field_laptop, damage
):
    root, _ = field_laptop
    hub_dir = tmp_path / "hub"
    Hub(hub_dir).close()
    before = {k: v for k, v in tree_digest(hub_dir).items() if not k.startswith("hub.sqlite")}
    damage(root / "a.gsb", tmp_path / "bad.gsb")
    done = run_gspace(
        "hub",
        "bundle",
        "import",
        "--data",
        hub_dir,
        "--incident",
        INCIDENT,
        tmp_path / "bad.gsb",
        env=EN,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    after = {k: v for k, v in tree_digest(hub_dir).items() if not k.startswith("hub.sqlite")}
    assert after == before
    with sqlite3.connect(hub_dir / "hub.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == 0
    conn.close()


def test_a_bundle_from_another_incident_is_refused_and_the_hub_incident_unchanged(
    tmp_path, field_laptop
):
    root, _ = field_laptop
    hub_dir = tmp_path / "hub"
    Hub(hub_dir).close()
    import_into_hub(hub_dir, INCIDENT, root / "a.gsb")
    with Incident.create(tmp_path / "other", name="別の事案") as other:
        add_posts(other, ["別の事案の投稿"])
        export_bundle(other, tmp_path / "other.gsb")
    hub = Hub(hub_dir)
    before = canonical_dump(hub.incident())
    hub.close()
    done = run_gspace(
        "hub",
        "bundle",
        "import",
        "--data",
        hub_dir,
        "--incident",
        INCIDENT,
        tmp_path / "other.gsb",
        env=EN,
    )
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    hub = Hub(hub_dir)
    try:
        assert canonical_dump(hub.incident()) == before
    finally:
        hub.close()
