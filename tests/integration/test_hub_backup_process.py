"""`gspace hub backup` while a real hub process serves and a laptop keeps syncing with it, then
`gspace hub restore` into a new folder served at the same address (issue 17): the laptop that
synced after the backup notices, sends again what the restored hub lost, and the hub ends with
the same canonical dump as every laptop (nothing lost)."""

from __future__ import annotations

import threading

from helpers import EN, run_gspace
from hub_helpers import add_photo, photo_bytes
from test_hub_process import INCIDENT, HubProcess, hub_incident, laptop_with_reports, tokens

from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync.client import sync
from gspace.sync.dump import canonical_dump


def add_reports(inc: Incident, start: int, n: int) -> None:
    with inc.transaction():
        records.add_reports(
            inc,
            [
                {"kind": "manual", "lon": 130.7, "lat": 32.9 + i / 1e5, "text": f"追加{i}"}
                for i in range(start, start + n)
            ],
        )


def test_backup_of_a_running_hub_restored_loses_nothing(tmp_path):
    data = tmp_path / "hub"
    officer, _ = tokens(data)
    hub = HubProcess(data).start(officer)
    a = laptop_with_reports(tmp_path / "a", 200)
    b = laptop_with_reports(tmp_path / "b", 50)
    try:
        add_photo(a, photo_bytes(1, 2_000_000))
        sync(a, hub.url, officer, INCIDENT)
        sync(b, hub.url, officer, INCIDENT)
        # b keeps writing and syncing while the backup runs
        stop, errors = threading.Event(), []

        def busy():
            n = 1000
            other = Incident.open(b.path)
            try:
                while not stop.is_set():
                    add_reports(other, n, 20)
                    n += 20
                    sync(other, hub.url, officer, INCIDENT)
            except Exception as e:  # reported below, not lost in the thread
                errors.append(e)
            finally:
                other.close()

        writer = threading.Thread(target=busy)
        writer.start()
        try:
            done = run_gspace("hub", "backup", "--data", data, tmp_path / "backup", env=EN)
        finally:
            stop.set()
            writer.join(60)
        assert done.returncode == 0, done.stderr
        assert errors == []
        # after the backup: a writes more and a new photo; b and a sync; then the hub is lost
        add_reports(a, 5000, 30)
        new_photo = add_photo(a, photo_bytes(2, 1_000_000), "q.jpg")
        sync(a, hub.url, officer, INCIDENT)
        sync(b, hub.url, officer, INCIDENT)
        sync(a, hub.url, officer, INCIDENT)
        assert canonical_dump(a) == canonical_dump(b)
    finally:
        hub.stop()
    restored = tmp_path / "restored"
    done = run_gspace("hub", "restore", "--data", restored, tmp_path / "backup", env=EN)
    assert done.returncode == 0, done.stderr
    with hub_incident(restored) as inc:
        assert len(canonical_dump(inc)) < len(canonical_dump(a))  # the hub did lose something
    second = HubProcess(restored)
    second.port, second.url = hub.port, hub.url  # the same address the laptops know
    second.start(officer)
    try:
        done = run_gspace(
            "sync",
            b.path,
            "--hub",
            second.url,
            "--token",
            officer,
            "--hub-incident",
            INCIDENT,
            env={**EN, "XDG_CONFIG_HOME": str(tmp_path / "config")},  # the token kept there
        )
        assert done.returncode == 0, done.stderr
        told = [line for line in done.stderr.splitlines() if "restored from a backup" in line]
        assert len(told) == 1 and "pending" in done.stderr.splitlines()[-1]
        sync(a, second.url, officer, INCIDENT)
        sync(b, second.url, officer, INCIDENT)
    finally:
        second.stop()
    with hub_incident(restored) as inc:
        assert canonical_dump(inc) == canonical_dump(a) == canonical_dump(b)
    assert (restored / "media" / new_photo[:2] / new_photo).is_file()
    a.close()
    b.close()
