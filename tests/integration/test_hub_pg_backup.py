"""`gspace hub backup|restore --db URL` for a hub on PostgreSQL (issue 17), through the real
commands, on the session's throw-away cluster (tests/pg_cluster.py): a backup taken while a real
hub process serves, restored into a new database served at the same address; the laptop that
synced after the backup notices, sends again what the restored hub lost, and ends with the
hub's canonical dump. A damaged dump, the wrong kind of backup, a database in use or not empty,
an unreachable server and a missing pg_dump are refused with one line, nothing changed."""

from __future__ import annotations

import json
import shutil

import psycopg
import pytest
from helpers import run_gspace
from hub_helpers import add_photo, photo_bytes
from hub_process import INCIDENT, HubProcess, free_port
from test_hub_backup_process import EN, add_reports
from test_hub_process import laptop_with_reports

from gspace.hub.backup import MANIFEST, PG_DUMP
from gspace.hub.pg_db import PgHubDB
from gspace.hub.pg_state import PgHubState
from gspace.sync.client import sync
from gspace.sync.dump import canonical_dump


def with_password(url: str, password: str) -> str:
    return url.replace("postgres@", f"postgres:{password}@", 1)


def hub_dump(data, url) -> str:
    """The hub's canonical dump: the incident as a new replica rebuilds it from the log."""
    state = PgHubState(data, url)
    try:
        with state.incident(INCIDENT) as inc:
            return canonical_dump(inc)
    finally:
        state.close()


def tables(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()[0]


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory, pg_cluster):
    """A hub on PostgreSQL backed up (with a password in the URL, which trust ignores) while
    it serves; laptop a then adds more, b and a sync; the hub is lost."""
    root = tmp_path_factory.mktemp("pgbackup")
    url = pg_cluster.new_database()
    db = PgHubDB(url)
    officer = db.create_token("officer", "田中", INCIDENT)
    db.close()
    hub = HubProcess(root / "hub", "--db", url).start(officer)
    a = laptop_with_reports(root / "a", 40)
    b = laptop_with_reports(root / "b", 10)
    try:
        old_photo = add_photo(a, photo_bytes(1))
        sync(a, hub.url, officer, INCIDENT)
        sync(b, hub.url, officer, INCIDENT)
        done = run_gspace(
            "hub",
            "backup",
            "--data",
            root / "hub",
            root / "backup",
            env={**EN, "GSPACE_HUB_DB": with_password(url, "s3cr3t-pw")},
        )
        assert done.returncode == 0, done.stderr
        assert "s3cr3t-pw" not in done.stderr + done.stdout
        add_reports(a, 5000, 15)
        new_photo = add_photo(a, photo_bytes(2), "q.jpg")
        sync(a, hub.url, officer, INCIDENT)
        sync(b, hub.url, officer, INCIDENT)
        assert canonical_dump(a) == canonical_dump(b)
    finally:
        hub.stop()
    yield {
        "root": root,
        "url": url,
        "officer": officer,
        "a": a,
        "b": b,
        "port": hub.port,
        "photos": (old_photo, new_photo),
    }
    a.close()
    b.close()


def test_a_restored_hub_on_postgresql_gets_back_what_it_lost(backed_up, pg_cluster):
    root, officer, a, b = (backed_up[k] for k in ("root", "officer", "a", "b"))
    old_photo, new_photo = backed_up["photos"]
    manifest = json.loads((root / "backup" / MANIFEST).read_text())
    assert manifest["store"] == "postgresql" and list(manifest["databases"]) == [PG_DUMP]
    assert manifest["incidents"][INCIDENT]["last"] > 0
    assert list(manifest["media"]) == [old_photo]
    new_url = pg_cluster.new_database()
    restored = root / "restored"
    done = run_gspace(
        "hub", "restore", "--data", restored, "--db", new_url, root / "backup", env=EN
    )
    assert done.returncode == 0, done.stderr
    assert "new epoch" in done.stderr.splitlines()[-1]
    assert (restored / "media" / old_photo[:2] / old_photo).is_file()
    assert len(hub_dump(restored, new_url)) < len(canonical_dump(a))  # it did lose something
    second = HubProcess(restored, "--db", new_url)
    second.port, second.url = backed_up["port"], f"http://127.0.0.1:{backed_up['port']}"
    second.start(officer)  # the tokens came back with the database
    try:
        summary = sync(b, second.url, officer, INCIDENT)
        assert summary.hub_restored and summary.pending == []
        sync(a, second.url, officer, INCIDENT)  # a has the photo b only knows by its hash
        sync(b, second.url, officer, INCIDENT)
        again = sync(b, second.url, officer, INCIDENT)
        assert not again.hub_restored and again.sent == 0 and again.received == 0
    finally:
        second.stop()
    assert hub_dump(restored, new_url) == canonical_dump(a) == canonical_dump(b)
    assert (restored / "media" / new_photo[:2] / new_photo).is_file()


def test_restoring_into_a_database_in_use_keeps_what_was_there(backed_up, pg_cluster, tmp_path):
    root = backed_up["root"]
    url = pg_cluster.new_database()
    run_gspace("hub", "restore", "--data", tmp_path / "h", "--db", url, root / "backup", check=True)
    holder = psycopg.connect(url)  # a hub process still on it
    try:
        done = run_gspace(
            "hub", "restore", "--data", tmp_path / "h", "--db", url, root / "backup", env=EN
        )
        assert done.returncode == 1 and "not empty" in done.stderr
        done = run_gspace(
            "hub", "restore", "--force", "--data", tmp_path / "h", "--db", url, root / "backup",
            env=EN,
        )  # fmt: skip
        assert done.returncode == 1 and "in use" in done.stderr
        assert "Traceback" not in done.stderr
    finally:
        holder.close()
    before = tables(url)
    done = run_gspace(
        "hub", "restore", "--force", "--data", tmp_path / "h", "--db", url, root / "backup",
        env=EN,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert tables(url) == before
    with psycopg.connect(url) as conn:
        [aside] = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'replaced_%'"
        ).fetchall()
        kept = conn.execute(f'SELECT count(*) FROM "{aside[0]}".entries').fetchone()[0]
        assert kept == conn.execute("SELECT count(*) FROM entries").fetchone()[0] > 0


def test_refusals_are_one_line_and_change_nothing(backed_up, pg_cluster, tmp_path):
    root, url = backed_up["root"], backed_up["url"]
    copy = tmp_path / "backup"
    shutil.copytree(root / "backup", copy)
    manifest = json.loads((copy / MANIFEST).read_text())
    dump = copy / manifest["snapshot"] / PG_DUMP
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    fresh = pg_cluster.new_database()
    free = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"
    half = pg_cluster.new_database()  # looks like a hub (an entries table), is not one
    with psycopg.connect(half, autocommit=True) as conn:
        conn.execute("CREATE TABLE entries (hseq bigint)")
    cases = [
        (("backup", "--data", root / "hub", "--db", half, tmp_path / "b3"), "database refused"),
        (("restore", "--data", tmp_path / "r", "--db", fresh, copy), "does not match"),
        (("restore", "--data", tmp_path / "r", root / "backup"), "--db URL"),
        (("restore", "--data", tmp_path / "r", "--db", free, root / "backup"), "cannot connect"),
        (("backup", "--data", root / "hub", "--db", free, tmp_path / "b1"), "cannot connect"),
        (("backup", "--data", root / "hub", tmp_path / "b2"), "--db URL"),
    ]
    for args, expected in cases:
        done = run_gspace("hub", *args, env=EN)
        assert done.returncode == 1, (args, done.stderr)
        assert expected in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert tables(fresh) == 0
    assert not (tmp_path / "b1").exists() and not (tmp_path / "b2").exists()
    # a backup of a hub on hub.sqlite is not restored into PostgreSQL
    from hub_helpers import Hub

    Hub(tmp_path / "sqlite-hub").close()
    run_gspace("hub", "backup", "--data", tmp_path / "sqlite-hub", tmp_path / "sb", check=True)
    done = run_gspace(
        "hub", "restore", "--data", tmp_path / "r", "--db", fresh, tmp_path / "sb", env=EN
    )
    assert done.returncode == 1 and "without --db" in done.stderr
    # PostgreSQL's client tools not installed (not on the PATH)
    for args in (
        ("backup", "--data", root / "hub", "--db", url, tmp_path / "b3"),
        ("restore", "--data", tmp_path / "r", "--db", fresh, root / "backup"),
    ):
        done = run_gspace("hub", *args, env={**EN, "PATH": str(tmp_path)})
        assert done.returncode == 1 and "is missing" in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "b3").exists() and tables(fresh) == 0


def test_a_dump_holding_more_than_a_hub_writes_is_not_restored(backed_up, pg_cluster, tmp_path):
    """pg_restore runs the SQL a dump holds: a backup whose dump (and manifest, by someone who
    knew how) gained a function or a trigger is refused with one line before anything runs."""
    import hashlib
    import subprocess

    root = backed_up["root"]
    copy = tmp_path / "backup"
    shutil.copytree(root / "backup", copy)
    tampered = pg_cluster.new_database()
    run_gspace("hub", "restore", "--data", tmp_path / "t", "--db", tampered, copy, check=True)
    with psycopg.connect(tampered, autocommit=True) as conn:
        conn.execute("CREATE FUNCTION public.planted() RETURNS int LANGUAGE sql AS 'SELECT 1'")
    manifest = json.loads((copy / MANIFEST).read_text())
    dump = copy / manifest["snapshot"] / PG_DUMP
    subprocess.run(
        [shutil.which("pg_dump"), "--format=custom", f"--file={dump}", f"--dbname={tampered}"],
        check=True,
    )
    data = dump.read_bytes()
    manifest["databases"][PG_DUMP] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (copy / MANIFEST).write_text(json.dumps(manifest))
    fresh = pg_cluster.new_database()
    done = run_gspace("hub", "restore", "--data", tmp_path / "r", "--db", fresh, copy, env=EN)
    assert done.returncode == 1, done.stderr
    assert "FUNCTION public planted" in done.stderr and "not restored" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert tables(fresh) == 0
