"""Volunteer invites from the window (issue 18, item 1): File → Volunteer invites… against a
real hub process on 127.0.0.1: an invite made in the dialog is on the hub, its QR code on the
screen and in the saved PNG decodes (zbarimg) to its link, the PDF poster (pdftotext) has the
link and the Japanese title, revoking it (and its phones) makes the link page say so, an
officer's token leaves the action disabled, and an unreachable hub is one line."""

from __future__ import annotations

import re
import shutil
import subprocess

import httpx
import pytest
from hub_process import INCIDENT, HubProcess, free_port
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from gspace.hub.db import HubDB

BASE = "http://192.168.1.10:8780"  # the hub's address as phones would reach it


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def keep_tokens(tmp_path, monkeypatch):
    """Tokens in a file under the test's folder (as on a machine without a keyring)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


@pytest.fixture
def hub(tmp_path):
    data = tmp_path / "hub"
    db = HubDB(data)
    try:
        admin = db.create_token("admin", "管理", None)
        analyst = db.create_token("analyst", "分析", INCIDENT)
        officer = db.create_token("officer", "田中", INCIDENT)
    finally:
        db.close()
    h = HubProcess(data).start(admin)
    assert h.client.post("/v1/incidents", json={"name": INCIDENT}, headers=auth(admin)).is_success
    h.admin, h.analyst, h.officer = admin, analyst, officer
    yield h
    h.stop()


def set_hub(window, qtbot, url: str, token: str) -> str:
    """File → Hub settings… filled in as a user would; the role the hub then tells."""
    from gspace.gui.hub_dialog import HubDialog

    dialog = HubDialog(window)
    dialog.url_edit.setText(url)
    dialog.incident_edit.setText(INCIDENT)
    dialog.token_edit.setText(token)
    dialog.interval_box.setValue(0)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.error.text()
    window.sync.settings_changed()
    with qtbot.waitSignal(window.invites.roleKnown, timeout=30_000) as known:
        window.invites.check_role()
    return known.args[0]


def decode_qr(png) -> str:
    out = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True)
    return out.stdout.strip()


@pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbarimg (zbar-tools) is not installed")
def test_an_analyst_makes_an_invite_shows_its_qr_prints_a_poster_and_revokes_it(
    demo_template, tmp_path, open_main_window, qtbot, hub, keep_tokens, monkeypatch
):
    laptop = tmp_path / "laptop"
    shutil.copytree(demo_template, laptop)
    window = open_main_window(laptop)
    assert set_hub(window, qtbot, hub.url, hub.analyst) == "analyst"
    assert window.invites.action.isEnabled()

    window.invites.action.trigger()
    dialog = window.invites.dialog
    with qtbot.waitSignal(dialog.listed, timeout=30_000) as first:
        pass  # the list asked for when the dialog opened arrives while this waits
    assert first.args[0] == [] and not dialog.error.isVisible()
    dialog.name_edit.setText("避難所A")
    dialog.days_box.setValue(7)
    dialog.cap_box.setValue(50)
    dialog.base_edit.setText(BASE + "/")
    with qtbot.waitSignal(dialog.created, timeout=30_000) as made:
        dialog.create_button.click()
    link = made.args[0].link
    assert link.startswith(BASE + "/v/") and dialog.link_edit.text() == link
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=30_000)
    row = [dialog.table.item(0, c).text() for c in range(4)]
    assert row[0] == "避難所A" and row[1] == "0 / 50" and row[3] == "open", row

    # the hub lists it (as `gspace hub invite list` would)
    [listed] = hub.client.get(f"/v1/incidents/{INCIDENT}/invites", headers=auth(hub.admin)).json()[
        "invites"
    ]
    assert (listed["name"], listed["devices"], listed["state"]) == ("避難所A", 50, "live")

    # the QR on the screen, grabbed as the user sees it, decodes to the link
    shown = tmp_path / "screen.png"
    assert dialog.qr_label.grab().save(str(shown))
    assert dialog.qr_label.width() >= 300
    assert decode_qr(shown) == link
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == link
    saved = tmp_path / "qr.png"
    assert dialog.save_qr(saved) and decode_qr(saved) == link

    poster = tmp_path / "poster.pdf"
    assert dialog.save_poster(poster)
    text = subprocess.run(
        ["pdftotext", "-layout", str(poster), "-"], capture_output=True, text=True
    ).stdout
    assert "写真で被害を報告してください" in text and "Please report damage" in text
    assert link in text
    assert "Open until" in text
    pages = subprocess.run(["pdfinfo", str(poster)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", pages, re.M), pages

    # a phone joins through the link; revoking the invite with its phones stops both
    path = link[len(BASE) :]
    phone = hub.client.post(path + "/join").json()["token"]
    assert hub.client.get("/v1/whoami", headers=auth(phone)).status_code == 200
    dialog.table.selectRow(0)
    dialog.revoke_phones.setChecked(True)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(dialog.revoked, timeout=30_000):
        dialog.revoke_button.click()
    qtbot.waitUntil(lambda: dialog.table.item(0, 3).text() == "revoked", timeout=30_000)
    page = hub.client.get(path)
    assert page.status_code == 410 and "このリンクは取り消されました" in page.text
    assert hub.client.get("/v1/whoami", headers=auth(phone)).status_code == 401

    # the address for phones is remembered for the next invite
    dialog.close()
    window.invites.action.trigger()
    again = window.invites.dialog
    assert again.base_edit.text() == BASE
    # closed before the hub answers its list: the answer finds no dialog, and nothing breaks
    # (pytest-qt fails the test on any exception raised in the event loop)
    again.close()
    qtbot.wait(1500)


def test_an_officers_token_leaves_the_action_disabled_with_the_reason(
    demo_template, tmp_path, open_main_window, qtbot, hub, keep_tokens
):
    laptop = tmp_path / "laptop"
    shutil.copytree(demo_template, laptop)
    window = open_main_window(laptop)
    assert not window.invites.action.isEnabled()  # no hub set up yet
    assert set_hub(window, qtbot, hub.url, hub.officer) == "officer"
    assert not window.invites.action.isEnabled()
    assert "analyst" in window.invites.action.toolTip()
    assert "officer" in window.invites.action.toolTip()
    from gspace.gui import i18n

    i18n.install("ja")
    qtbot.waitUntil(lambda: window.invites.action.text() == "ボランティア招待(&V)…")
    assert "分析担当" in window.invites.action.toolTip()
    assert not window.invites.action.isEnabled()
    assert window.invites.action in window.file_menu.actions()


def test_an_unreachable_hub_is_one_line_in_the_dialog(
    demo_template, tmp_path, open_main_window, qtbot, keep_tokens
):
    laptop = tmp_path / "laptop"
    shutil.copytree(demo_template, laptop)
    window = open_main_window(laptop)
    url = f"http://127.0.0.1:{free_port()}"
    assert set_hub(window, qtbot, url, "some-token") == ""  # the role cannot be asked
    assert window.invites.action.isEnabled()
    window.invites.action.trigger()
    dialog = window.invites.dialog
    qtbot.waitUntil(dialog.error.isVisible, timeout=30_000)
    assert dialog.error.text() == "Cannot reach the hub: check the network."
    with httpx.Client() as client:  # nothing listens there: the line was not made up
        with pytest.raises(httpx.ConnectError):
            client.get(url)
