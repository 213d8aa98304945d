"""Volunteer phones on a hub of real processes (issues 18 and 17), `gspace hub serve` under
uvicorn on 127.0.0.1:
- two processes on one PostgreSQL database and one folder: a phone joins through one, uploads
  and sends through the other, retries through the first and gets the same receipt (one
  report); an invite's device cap and a phone's rate limit hold across both processes; a laptop
  syncing through either gets the report and its photo;
- `gspace hub invite --db URL` (and `invite list`, `invite revoke --phones`) on that database;
- the access log, of a SQLite hub and of `--workers 2` on PostgreSQL, never holds an invite's
  secret nor a token after a phone opened the link, joined and sent a report."""

from __future__ import annotations

import hashlib
import time

import httpx
from helpers import run_gspace
from hub_process import HubProcess, tokens
from photo_files import make_jpeg

from gspace.hub.pg_db import PgHubDB
from gspace.store.incident import Incident
from gspace.sync.client import sync

INCIDENT = "熊本豪雨"


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def invite(hub: HubProcess, admin: str, **body) -> str:
    r = hub.client.post(f"/v1/incidents/{INCIDENT}/invites", json=body, headers=auth(admin))
    assert r.status_code == 201, r.text
    return r.json()["invite"]


def upload(client: httpx.Client, token: str, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    url = f"/v1/incidents/{INCIDENT}/volunteer/uploads/{sha}"
    assert client.get(url, headers=auth(token)).json()["received"] == 0
    r = client.put(url, params={"offset": 0}, content=data, headers=auth(token))
    assert r.status_code == 200, r.text
    r = client.post(f"{url}/complete", params={"size": len(data)}, headers=auth(token))
    assert r.status_code == 200, r.text
    return sha


def send(client: httpx.Client, token: str, client_id: str, **fields) -> httpx.Response:
    body = {"id": client_id, "comment": "道路が冠水", "category": "flooding", **fields}
    return client.post(
        f"/v1/incidents/{INCIDENT}/volunteer/reports", json=body, headers=auth(token)
    )


def test_a_phone_joins_through_one_process_sends_through_the_other_and_retries(tmp_path, pg_url):
    db = PgHubDB(pg_url)
    admin = db.create_token("admin", "管理", None)
    data = tmp_path / "hub"
    one = HubProcess(data, "--db", pg_url).start(admin)
    two = HubProcess(data, "--db", pg_url).start(admin)
    try:
        r = one.client.post("/v1/incidents", json={"name": INCIDENT}, headers=auth(admin))
        assert r.status_code == 201, r.text
        secret = invite(two, admin, devices=1, name="避難所A")
        r = one.client.post(f"/v/{secret}/join")
        assert r.status_code == 201, r.text
        phone = r.json()["token"]
        full = two.client.post(f"/v/{secret}/join")  # the cap counts the other's phone
        assert full.status_code == 410 and "上限" in full.json()["detail"]
        photo = make_jpeg(tmp_path / "p.jpg", seed=1, lat=32.80321, lon=130.70789).read_bytes()
        sha = upload(two.client, phone, photo)
        first = send(two.client, phone, "phone-made-1", photos=[sha])
        assert first.status_code == 201, first.text
        again = send(one.client, phone, "phone-made-1", photos=[sha])  # the answer was lost
        assert again.status_code == 200 and again.json() == first.json()
        listed = one.client.get(
            f"/v1/incidents/{INCIDENT}/volunteer/reports", headers=auth(phone)
        ).json()["receipts"]
        assert [x["report"] for x in listed] == [first.json()["report"]]
        laptop = Incident.create(tmp_path / "laptop", name=INCIDENT)
        officer = db.create_token("officer", "本部", INCIDENT)
        summary = sync(laptop, one.url, officer, INCIDENT, client=one.client)
        assert summary.photos_down == 1
        got = laptop.conn.execute(
            "SELECT id, kind, text, category, author, location_source, lon, lat FROM reports"
        ).fetchall()
        assert len(got) == 1
        rid, kind, text, category, author, source, lon, lat = got[0]
        assert rid == first.json()["report"] and kind == "volunteer" and text == "道路が冠水"
        assert (category, author, source) == ("flooding", "volunteer:避難所A#1", "exif")
        assert abs(lon - 130.70789) < 1e-5 and abs(lat - 32.80321) < 1e-5
        [path] = laptop.conn.execute("SELECT path FROM media WHERE sha256 = ?", (sha,)).fetchone()
        assert (laptop.path / path).read_bytes() == photo
        laptop.close()
    finally:
        one.stop()
        two.stop()
        db.close()


def test_a_phone_s_rate_limit_is_shared_by_the_processes(tmp_path, pg_url):
    db = PgHubDB(pg_url)
    admin = db.create_token("admin", "管理", None)
    data = tmp_path / "hub"
    hubs = [HubProcess(data, "--db", pg_url).start(admin) for _ in range(2)]
    try:
        hubs[0].client.post("/v1/incidents", json={"name": INCIDENT}, headers=auth(admin))
        phone = hubs[1].client.post(f"/v/{invite(hubs[0], admin)}/join").json()["token"]
        if time.time() % 60 > 45:  # the counts are per one-minute window: start in a fresh one
            time.sleep(61 - time.time() % 60)
        url = f"/v1/incidents/{INCIDENT}/volunteer/reports"
        codes = [hubs[n % 2].client.get(url, headers=auth(phone)).status_code for n in range(130)]
        assert codes[:120] == [200] * 120  # the default: 120 requests per phone per minute
        assert set(codes[120:]) == {429}  # each process alone has seen only 65
    finally:
        for hub in hubs:
            hub.stop()
        db.close()


def test_the_invite_commands_work_on_the_database(tmp_path, pg_url):
    db = PgHubDB(pg_url)
    admin = db.create_token("admin", "管理", None)
    data = tmp_path / "hub"
    hub = HubProcess(data, "--db", pg_url).start(admin)
    try:
        hub.client.post("/v1/incidents", json={"name": INCIDENT}, headers=auth(admin))
        made = run_gspace(
            "hub", "invite", "--data", data, "--db", pg_url, "--incident", INCIDENT,
            "--name", "避難所B", "--devices", "5", "--base-url", hub.url, check=True,
        )  # fmt: skip
        link = made.stdout.strip()
        assert link.startswith(hub.url + "/v/")
        phone = hub.client.post(link + "/join").json()["token"]
        assert send(hub.client, phone, "cli-test-1").status_code == 201
        listed = run_gspace("hub", "invite", "list", "--data", data, "--db", pg_url, check=True)
        [line] = listed.stdout.splitlines()
        assert line.split("\t")[:5] == ["1", "避難所B", INCIDENT, "live", "1/5"]
        revoked = run_gspace(
            "hub", "invite", "revoke", "--data", data, "--db", pg_url, "--phones", "1", check=True
        )
        assert "revoked invite 1 and 1 phone(s)" in revoked.stderr
        assert send(hub.client, phone, "cli-test-2").status_code == 401
        assert hub.client.post(link + "/join").status_code == 410
    finally:
        hub.stop()
        db.close()


def _open_join_send(hub: HubProcess, admin: str) -> tuple[str, str]:
    r = hub.client.post("/v1/incidents", json={"name": INCIDENT}, headers=auth(admin))
    assert r.status_code == 201, r.text
    secret = invite(hub, admin)
    assert hub.client.get(f"/v/{secret}").status_code == 200
    assert hub.client.get(f"/v/{secret}/area").status_code in (200, 204)
    phone = hub.client.post(f"/v/{secret}/join").json()["token"]
    assert send(hub.client, phone, "log-test-1").status_code == 201
    assert hub.client.get(f"/v/{secret[:-3]}AAA").status_code == 404  # a mistyped link too
    return secret, phone


def _assert_clean_log(hub: HubProcess, secret: str, phone: str, admin: str) -> None:
    deadline = time.time() + 10
    while "/volunteer/reports" not in hub.log.read_text() and time.time() < deadline:
        time.sleep(0.1)
    log = hub.log.read_text()
    assert '"GET /v/*** HTTP/1.1" 200' in log and '"POST /v/***/join HTTP/1.1" 201' in log
    assert "/volunteer/reports HTTP/1.1" in log  # the other requests are logged as they were
    for secret_text in (secret, secret[:8], secret[:-3], phone, phone[:8], admin):
        assert secret_text not in log


def test_the_access_log_never_holds_an_invite_secret_or_a_token(tmp_path):
    data = tmp_path / "hub"
    _, admin = tokens(data)
    hub = HubProcess(data).start(admin)
    try:
        secret, phone = _open_join_send(hub, admin)
    finally:
        hub.stop()
    _assert_clean_log(hub, secret, phone, admin)


def test_the_access_log_of_every_worker_on_postgresql_holds_no_secret(tmp_path, pg_url):
    db = PgHubDB(pg_url)
    admin = db.create_token("admin", "管理", None)
    db.close()
    hub = HubProcess(tmp_path / "hub", "--db", pg_url, "--workers", "2").start(admin)
    try:
        secrets = [_open_join_send(hub, admin)]
        for n in range(5):  # several connections: both workers answer some of them
            with httpx.Client(base_url=hub.url, timeout=60) as client:
                r = client.post(f"/v1/incidents/{INCIDENT}/invites", json={}, headers=auth(admin))
                secret = r.json()["invite"]
                assert client.get(f"/v/{secret}").status_code == 200
                phone = client.post(f"/v/{secret}/join").json()["token"]
                assert send(client, phone, f"log-test-{n + 2}").status_code == 201
                secrets.append((secret, phone))
    finally:
        hub.stop()
    for secret, phone in secrets:
        _assert_clean_log(hub, secret, phone, admin)
