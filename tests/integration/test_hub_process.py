"""The hub as a real process (uvicorn on 127.0.0.1) and laptops killed mid-sync (issue 17,
"Faults"): a client SIGKILLed in the middle of a push and of a photo upload, and the hub
SIGKILLed while it applies a push. After syncing again nothing is lost, nothing is there
twice, and a resumed upload sends only the bytes the hub lacked (the hub counts them)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from hub_helpers import add_photo, photo_bytes
from hub_process import ENV, INCIDENT, HubProcess, free_port, hub_incident, tokens

from gspace.hub.db import HubDB
from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync import changes
from gspace.sync.client import SyncError, sync
from gspace.sync.dump import canonical_dump


@pytest.fixture
def hub_dir(tmp_path):
    return tmp_path / "hub"


def laptop_with_reports(path: Path, n: int) -> Incident:
    inc = Incident.create(path, name=INCIDENT)
    with inc.transaction():
        records.add_reports(
            inc,
            [
                {"kind": "manual", "lon": 130.7, "lat": 32.8 + i / 1e5, "text": f"報告{i}"}
                for i in range(n)
            ],
        )
    return inc


CLIENT = textwrap.dedent(
    """
    import os, signal, sys
    from gspace.store.incident import Incident
    from gspace.sync.client import sync
    path, url, token, kill_at, batch, chunk = sys.argv[1:7]
    seen = []
    def progress(text):
        seen.append(text)
        if kill_at in text and len([t for t in seen if kill_at in t]) >= 2:
            os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no flush: as a power cut
    inc = Incident.open(path)
    sync(inc, url, token, "熊本豪雨", batch=int(batch), chunk=int(chunk), progress=progress)
    sys.exit(3)  # not killed: the test's kill point was not reached
    """
)


def run_client_until_killed(
    laptop: Path, url: str, token: str, kill_at: str, batch=100, chunk=256 * 1024
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, str(laptop), url, token, kill_at, str(batch), str(chunk)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr


def test_a_client_killed_mid_push_then_synced_again_loses_nothing_and_sends_nothing_twice(
    tmp_path, hub_dir
):
    officer, _ = tokens(hub_dir)
    hub = HubProcess(hub_dir).start(officer)
    try:
        laptop_with_reports(tmp_path / "laptop", 1000).close()
        run_client_until_killed(tmp_path / "laptop", hub.url, officer, "sending changes")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "gspace.cli",
                "sync",
                str(tmp_path / "laptop"),
                "--hub",
                hub.url,
                "--token",
                officer,
                "--hub-incident",
                INCIDENT,
            ],
            env={**ENV, "XDG_CONFIG_HOME": str(tmp_path / "config")},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "0 pending" in done.stderr
        stored = tmp_path / "config" / "gspace" / "hub-tokens.json"
        assert stored.stat().st_mode & 0o777 == 0o600
        with Incident.open(tmp_path / "laptop") as laptop, hub_incident(hub_dir) as central:
            assert officer.encode() not in (tmp_path / "laptop" / "store.sqlite").read_bytes()
            assert changes.last_seq(central) == changes.last_seq(laptop) == 1000
            assert central.conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 1000
            assert canonical_dump(central) == canonical_dump(laptop)
        again = subprocess.run(  # remembered: hub, incident and token
            [sys.executable, "-m", "gspace.cli", "sync", str(tmp_path / "laptop")],
            env={**ENV, "XDG_CONFIG_HOME": str(tmp_path / "config")},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert again.returncode == 0 and "0 sent, 0 received" in again.stderr, again.stderr
    finally:
        hub.stop()
    log = hub.log.read_text(encoding="utf-8", errors="replace")
    assert "POST /v1/incidents" in log and officer not in log


def test_a_client_killed_mid_upload_resumes_with_only_the_missing_bytes(tmp_path, hub_dir):
    officer, _ = tokens(hub_dir)
    hub = HubProcess(hub_dir).start(officer)
    try:
        laptop = Incident.create(tmp_path / "laptop", name=INCIDENT)
        data = photo_bytes(7, size=3_000_000)
        sha = add_photo(laptop, data)
        laptop.close()
        run_client_until_killed(tmp_path / "laptop", hub.url, officer, "uploading photo")
        before = HubDB(hub_dir).uploaded(sha)
        assert 0 < before < len(data)
        with Incident.open(tmp_path / "laptop") as laptop:
            summary = sync(laptop, hub.url, officer, INCIDENT, chunk=256 * 1024)
        assert summary.photos_up == 1 and summary.bytes_up == len(data) - before
        assert HubDB(hub_dir).uploaded(sha) == len(data)  # each byte sent once
        assert (hub_dir / "media" / sha[:2] / sha).read_bytes() == data
        assert not list((hub_dir / "uploads").iterdir())  # no partial left
    finally:
        hub.stop()


def test_a_hub_killed_while_it_applies_a_push_loses_nothing(tmp_path, hub_dir):
    officer, _ = tokens(hub_dir)
    hub = HubProcess(hub_dir).start(officer)
    laptop = laptop_with_reports(tmp_path / "laptop", 6000)
    try:
        timers = []

        def progress(text):
            if "sending changes" in text and not timers:
                timers.append(threading.Timer(0.15, hub.kill))  # during the next batch
                timers[0].start()

        with pytest.raises(SyncError, match="cannot reach the hub"):
            sync(laptop, hub.url, officer, INCIDENT, batch=1000, progress=progress)
        timers[0].join()
        hub = HubProcess(hub_dir)
        hub.start(officer)
        summary = sync(laptop, hub.url, officer, INCIDENT, batch=1000)
        assert summary.pending == []
        with hub_incident(hub_dir) as central:
            assert changes.last_seq(central) == changes.last_seq(laptop) == 6000
            assert canonical_dump(central) == canonical_dump(laptop)
    finally:
        laptop.close()
        hub.stop()


def test_plain_http_on_a_network_address_needs_the_flag_and_warns(tmp_path):
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "gspace.cli",
            "hub",
            "serve",
            "--data",
            str(tmp_path / "h"),
            "--host",
            "0.0.0.0",
            "--port",
            str(free_port()),
        ],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    assert "refusing plain HTTP on 0.0.0.0" in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.parametrize(
    "lang,expected",
    [("C.UTF-8", "cannot reach the hub at"), ("ja_JP.UTF-8", "に接続できません")],
)
def test_an_unreachable_hub_is_one_line_in_the_users_language(tmp_path, lang, expected):
    Incident.create(tmp_path / "laptop", name=INCIDENT).close()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gspace.cli",
            "sync",
            str(tmp_path / "laptop"),
            "--hub",
            f"http://127.0.0.1:{free_port()}",
            "--token",
            "t",
        ],
        env={**ENV, "LANG": lang, "XDG_CONFIG_HOME": str(tmp_path / "config")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert expected in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
