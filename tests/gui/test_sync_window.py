"""Syncing from the window (issue 17, item 6): File → Hub settings…, the Sync button, the status
bar's indicator and the clock banner, against a real hub process (uvicorn on 127.0.0.1, as
tests/integration/test_hub_process.py starts it) and real incident folders (copies of the demo,
each its own device)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conflict_laptops import copies
from helpers import ROOT

from gspace.hub.db import HubDB
from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync.client import sync
from gspace.sync.clock import HybridClock

INCIDENT = "熊本豪雨"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HubProcess:
    def __init__(self, data: Path):
        self.data, self.port = data, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        db = HubDB(data)
        try:
            self.officer = db.create_token("officer", "田中", INCIDENT)
            self.other = db.create_token("officer", "佐藤", INCIDENT)
        finally:
            db.close()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8", "LC_ALL": ""}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gspace.cli", "hub", "serve", "--data", str(data)]
            + ["--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                headers = {"Authorization": f"Bearer {self.officer}"}
                if httpx.get(f"{self.url}/v1/whoami", headers=headers).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("the hub did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture
def keep_tokens(tmp_path, monkeypatch):
    """Tokens in a file under the test's folder (as on a machine without a keyring)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return tmp_path / "xdg" / "gspace" / "hub-tokens.json"


@pytest.fixture
def hub(tmp_path):
    h = HubProcess(tmp_path / "hub")
    yield h
    h.stop()


def set_hub(window, url: str, token: str, hub_incident: str = INCIDENT, seconds: int = 0):
    """Fill in File → Hub settings… as a user would, and press OK."""
    from gspace.gui.hub_dialog import HubDialog

    dialog = HubDialog(window)
    dialog.url_edit.setText(url)
    dialog.incident_edit.setText(hub_incident)
    dialog.token_edit.setText(token)
    dialog.interval_box.setValue(seconds)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.error.text()
    window.sync.settings_changed()


def press_sync(window, qtbot, state: str = "ok"):
    with qtbot.waitSignal(
        window.sync.stateChanged, timeout=120_000, check_params_cb=lambda s: s == state
    ):
        window.sync.sync_action.trigger()


def add_report(path: Path, text: str, clock_ahead_ms: int = 0) -> str:
    with Incident.open(path) as inc:
        if clock_ahead_ms:
            inc.clock = HybridClock(
                inc.conn.execute("SELECT max(hlc) FROM changes").fetchone()[0],
                wall=lambda: time.time_ns() // 1_000_000 + clock_ahead_ms,
            )
        with inc.transaction():
            [rid] = records.add_reports(
                inc, [{"kind": "manual", "lon": 130.72, "lat": 32.79, "text": text}]
            )
    return rid


def test_the_sync_button_sends_this_laptops_report_and_brings_another_laptops(
    demo_template, tmp_path, open_main_window, qtbot, hub, keep_tokens
):
    (mine, other), _ = copies(demo_template, tmp_path, 2)
    theirs = add_report(other, "県道冠水 通行止め(別の端末)")
    with Incident.open(other) as inc:
        sync(inc, hub.url, hub.other, INCIDENT)
    ours = add_report(mine, "橋の損傷(この端末)")
    window = open_main_window(mine)
    assert window.sync.indicator.text() == "No hub set up"
    set_hub(window, hub.url, hub.officer)
    assert "not synced yet" in window.sync.indicator.text()
    assert "change(s) pending" in window.sync.indicator.text()
    assert window.sync.sync_action in window.toolbar.actions()
    press_sync(window, qtbot)
    # the other laptop's report is in the list and on the map; ours is on the hub
    assert theirs in {r["id"] for r in window.rows}
    with Incident.open(other) as inc:
        sync(inc, hub.url, hub.other, INCIDENT)
        assert inc.conn.execute("SELECT text FROM reports WHERE id = ?", (ours,)).fetchone()
    text = window.sync.indicator.text()
    assert text.startswith("Up to date · last sync ") and "pending" not in text
    assert "Last successful sync:" in window.sync.indicator.toolTip()
    # the token is kept for the user, never in the incident
    assert hub.officer in keep_tokens.read_text()
    assert keep_tokens.stat().st_mode & 0o777 == 0o600
    window.incident.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for name in ("store.sqlite", "store.sqlite-wal"):
        stored = mine / name
        if stored.exists():
            assert hub.officer.encode() not in stored.read_bytes()
    # an edit made now is pending until the next sync
    add_report(mine, "追加の報告")
    window.sync.refresh()
    assert "1 change(s) pending" in window.sync.indicator.text()
    # and goes with the next sync by itself (every second here)
    with qtbot.waitSignal(window.sync.synced, timeout=60_000):
        set_hub(window, hub.url, "", seconds=1)
    assert "pending" not in window.sync.indicator.text()


def test_the_indicator_says_offline_token_refused_and_what_the_hub_refused(
    demo_template, tmp_path, open_main_window, qtbot, keep_tokens
):
    [mine], _ = copies(demo_template, tmp_path, 1)
    window = open_main_window(mine)
    from gspace.gui.hub_dialog import HubDialog

    dialog = HubDialog(window)  # what is missing is said in one line; the dialog stays open
    for url, token, said in (
        ("hub.example", "t", "Give the hub's address"),
        ("ftp://hub.example", "t", "Give the hub's address"),
        ("https://hub.example:8780", "", "Give the token"),
    ):
        dialog.url_edit.setText(url)
        dialog.token_edit.setText(token)
        dialog.accept()
        assert said in dialog.error.text() and dialog.result() != dialog.DialogCode.Accepted
    assert window.sync.indicator.text() == "No hub set up"
    nobody = f"http://127.0.0.1:{free_port()}"
    set_hub(window, nobody, "some-token")
    press_sync(window, qtbot, "unreachable")
    text = window.sync.indicator.text()
    assert text.startswith("Offline · ") and "change(s) pending" in text
    assert "Error" not in text and "Exception" not in text
    hub = HubProcess(tmp_path / "hub")
    try:
        set_hub(window, hub.url, "not-a-real-token")
        press_sync(window, qtbot, "unauthorized")
        assert window.sync.indicator.text().startswith("Token refused")
        set_hub(window, hub.url, hub.officer)
        stopped = window.sync.stateChanged
        with qtbot.waitSignal(stopped, timeout=60_000, check_params_cb=lambda s: s != "syncing"):
            assert window.sync.sync_now()
            window.sync.cancel_button.click()  # stops after the first batch at the latest
        assert window.sync.state == "cancelled"
        assert window.sync.indicator.text().startswith("Sync cancelled")
        assert not window.sync.cancel_button.isVisible()
        with window.incident.transaction():  # a damaged entry in the log: the hub refuses it
            window.incident.conn.execute(
                "INSERT INTO changes (hlc, origin, oseq, tbl, row_id, op, data, base, actor) "
                "VALUES ('000000000000001', ?, 99999, 'reports', 'nope', 'update', "
                "'{\"status\": \"verified\"}', '{}', 'x')",
                (window.incident.device_id,),
            )
        set_hub(window, hub.url, hub.officer)
        press_sync(window, qtbot)
    finally:
        hub.stop()
    text = window.sync.indicator.text()
    assert text.startswith("Synced · 1 change(s) pending · last sync"), text
    tip = window.sync.indicator.toolTip()
    assert "Refused by the hub" in tip and "not a gspace stamp" in tip


def test_a_laptop_clock_hours_fast_brings_up_the_banner(
    demo_template, tmp_path, open_main_window, qtbot, hub, keep_tokens
):
    [mine], _ = copies(demo_template, tmp_path, 1)
    add_report(mine, "時計の進んだ端末の報告", clock_ahead_ms=6 * 3_600_000)
    window = open_main_window(mine)
    assert not window.sync.banner.isVisible()
    set_hub(window, hub.url, hub.officer)
    press_sync(window, qtbot)
    assert window.sync.banner.isVisible()
    text = window.sync.banner.label.text()
    assert "clock is about 6.0 hours ahead of the hub's" in text
    assert "gave 1 change(s) its own time" in text
    assert window.sync.banner.label.textFormat().name == "PlainText"
    from gspace.gui import i18n

    i18n.install("ja")
    qtbot.waitUntil(lambda: "約 6.0 時間進んでいます" in window.sync.banner.label.text())
    assert window.sync.indicator.text().startswith("最新 · 最終同期 ")
    assert window.sync.sync_action.text() == "今すぐ同期(&Y)"
