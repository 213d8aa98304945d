"""`gspace hub invite`, `invite list` and `invite revoke` as an administrator types them: the
link printed is the one the QR codes hold (read back by zbarimg), and it opens the page."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from helpers import run_gspace
from hub_helpers import Hub

INCIDENT = "熊本豪雨"


@pytest.fixture
def hub_dir(tmp_path):
    hub = Hub(tmp_path / "hub")
    hub.state.create(INCIDENT, "test")
    hub.close()
    return tmp_path / "hub"


@pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbar-tools (scripts/setup.sh) missing")
def test_an_invite_prints_its_link_and_a_qr_code_that_holds_it(hub_dir, tmp_path):
    png = tmp_path / "poster.png"
    r = run_gspace(
        "hub",
        "invite",
        "--data",
        hub_dir,
        "--incident",
        INCIDENT,
        "--name",
        "避難所A",
        "--base-url",
        "https://192.168.1.10:8780/",
        "--devices",
        "30",
        "--expires",
        "7",
        "--qr",
        png,
        check=True,
    )
    link = r.stdout.strip()
    assert link.startswith("https://192.168.1.10:8780/v/") and "\n" not in link
    assert "█" in r.stderr or "▀" in r.stderr  # the QR code drawn in the terminal
    read = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
    assert read.stdout.strip() == link
    hub = Hub(hub_dir)
    try:
        path = link.removeprefix("https://192.168.1.10:8780")
        assert hub.client().get(path).status_code == 200
        assert hub.client().post(path + "/join").status_code == 201
    finally:
        hub.close()
    listed = run_gspace("hub", "invite", "list", "--data", hub_dir, check=True).stdout
    [line] = listed.splitlines()
    assert line.split("\t")[:5] == ["1", "避難所A", INCIDENT, "live", "1/30"]
    assert link.rsplit("/", 1)[1] not in listed


def test_revoking_an_invite_and_its_phones(hub_dir):
    link = run_gspace("hub", "invite", "--data", hub_dir, "--incident", INCIDENT, check=True)
    path = "/v/" + link.stdout.strip().rsplit("/", 1)[1]
    assert "--base-url" in link.stderr  # the default address is only good on the hub itself
    hub = Hub(hub_dir)
    try:
        token = hub.client().post(path + "/join").json()["token"]
    finally:
        hub.close()
    r = run_gspace("hub", "invite", "revoke", "--data", hub_dir, "--phones", "1", check=True)
    assert "1 phone" in r.stderr
    hub = Hub(hub_dir)
    try:
        assert hub.client().get(path).status_code == 410
        whoami = hub.client().get("/v1/whoami", headers={"Authorization": f"Bearer {token}"})
        assert whoami.status_code == 401
    finally:
        hub.close()
    listed = run_gspace("hub", "invite", "list", "--data", hub_dir, check=True).stdout
    assert "\trevoked\t" in listed


@pytest.mark.parametrize(
    "args,message",
    [
        (["--incident", "ない事案"], "no incident"),
        (["--incident", INCIDENT, "--base-url", "hub:8780"], "--base-url must start"),
        (["--incident", INCIDENT, "--devices", "0"], "--devices"),
    ],
)
def test_bad_invites_are_one_clear_line(hub_dir, args, message):
    r = run_gspace("hub", "invite", "--data", hub_dir, *args)
    assert r.returncode != 0 and message in r.stderr and "Traceback" not in r.stderr


def test_no_hub_folder_is_a_clear_error(tmp_path):
    r = run_gspace("hub", "invite", "--data", tmp_path / "nothing", "--incident", INCIDENT)
    assert r.returncode != 0 and "no hub in" in r.stderr and "Traceback" not in r.stderr
    r = run_gspace("hub", "invite", "revoke", "--data", tmp_path, "9")
    assert r.returncode != 0 and "no hub" in r.stderr
