"""The window's invite requests (gspace.sync.invites) against a real hub in the test process:
what they return, and the one-word kinds of failure the window turns into one line."""

from __future__ import annotations

import httpx
import pytest
from hub_helpers import URL, Hub

from gspace.sync.invites import InviteClient, InviteError

INCIDENT = "熊本豪雨"


@pytest.fixture
def hub(tmp_path):
    h = Hub(tmp_path / "hub")
    h.state.create(INCIDENT, "test")
    yield h
    h.close()


def kind_of(call) -> str:
    with pytest.raises(InviteError) as failed:
        call()
    return failed.value.kind


def test_an_analyst_lists_makes_and_revokes_invites(hub):
    client = InviteClient(URL, hub.token("analyst", "分析"), INCIDENT, client=hub.client())
    assert client.role() == "analyst"
    assert client.invites() == []
    made = client.create("https://192.168.1.10:8780/", "避難所A", days=2, devices=5)
    assert made.name == "避難所A"
    assert made.link.startswith("https://192.168.1.10:8780/v/")
    [listed] = client.invites()
    assert (listed.id, listed.name, listed.phones, listed.devices, listed.state) == (
        made.id,
        "避難所A",
        0,
        5,
        "live",
    )
    assert listed.expires is not None
    secret = made.link.rsplit("/", 1)[1]
    phone = hub.client().post(f"/v/{secret}/join").json()["token"]
    assert client.invites()[0].phones == 1
    assert client.revoke(made.id, phones=True) == 1
    assert client.invites()[0].state == "revoked"
    who = hub.client().get("/v1/whoami", headers={"Authorization": f"Bearer {phone}"})
    assert who.status_code == 401
    assert kind_of(lambda: client.revoke(made.id + 100)) == "no invite"


def test_failures_are_one_word_kinds(hub):
    officer = InviteClient(URL, hub.token("officer"), INCIDENT, client=hub.client())
    assert officer.role() == "officer"
    assert kind_of(officer.invites) == "forbidden"
    wrong = InviteClient(URL, "not-a-token", INCIDENT, client=hub.client())
    assert kind_of(wrong.role) == "unauthorized"
    admin = InviteClient(URL, hub.token("admin", incident=None), "無い事案", client=hub.client())
    assert kind_of(lambda: admin.create(URL)) == "no incident"
    analyst = InviteClient(URL, hub.token("analyst", "分析"), INCIDENT, client=hub.client())
    assert kind_of(lambda: analyst.create(URL, devices=0)) == "refused"
    with httpx.Client(base_url="http://127.0.0.1:9") as nowhere:  # the discard port: refused
        away = InviteClient("http://127.0.0.1:9", "t", INCIDENT, client=nowhere)
        assert kind_of(away.role) == "unreachable"
