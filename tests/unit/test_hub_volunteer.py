"""Volunteer submissions through a real hub in the test process (issue 18): invites and the
phones that join them, reports with photos sent by the phone's own id, and the abuse a public
link invites (oversized, fake and truncated images, wrong and revoked tokens, another
incident, floods, hostile text that must stay text at HQ)."""

from __future__ import annotations

import csv
import hashlib
import io
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from hub_helpers import Hub
from photo_files import make_jpeg

from gspace.export import ExportJob, export
from gspace.store.incident import Incident

INCIDENT = "熊本豪雨"
OTHER = "別の事案"
KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture
def hub(tmp_path):
    h = Hub(tmp_path / "hub")
    h.state.create(INCIDENT, "test")
    h.state.create(OTHER, "test")
    yield h
    h.close()


def invite(hub, incident=INCIDENT, **options) -> str:
    _, secret = hub.app.state.volunteer.create_invite(incident, **options)
    return secret


def join(hub, secret: str) -> str:
    r = hub.client().post(f"/v/{secret}/join")
    assert r.status_code == 201, r.text
    return r.json()["token"]


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def jpeg(tmp_path, seed: int = 0, **exif) -> bytes:
    return make_jpeg(tmp_path / f"p{seed}.jpg", seed=seed, **exif).read_bytes()


def upload(hub, token: str, data: bytes, incident=INCIDENT, chunk: int = 50_000):
    """Send a photo as the page does (status, chunks, complete); the last answer."""
    sha = hashlib.sha256(data).hexdigest()
    url = f"/v1/incidents/{incident}/volunteer/uploads/{sha}"
    r = hub.client().get(url, headers=auth(token))
    if r.status_code != 200:
        return r
    offset = r.json()["received"]
    while offset < len(data):
        part = data[offset : offset + chunk]
        r = hub.client().put(url, params={"offset": offset}, content=part, headers=auth(token))
        if r.status_code != 200:
            return r
        offset += len(part)
    return hub.client().post(f"{url}/complete", params={"size": len(data)}, headers=auth(token))


def send(hub, token: str, client_id: str, incident=INCIDENT, **fields):
    body = {"id": client_id, "comment": "道路が冠水", "category": "flooding", **fields}
    return hub.client().post(
        f"/v1/incidents/{incident}/volunteer/reports", json=body, headers=auth(token)
    )


def reports(hub, incident=INCIDENT) -> list:
    return (
        hub.incident(incident)
        .conn.execute(
            "SELECT id, kind, status, lon, lat, location_source, accuracy_m, text, category, "
            "media, author FROM reports ORDER BY rid"
        )
        .fetchall()
    )


# -- invites ---------------------------------------------------------------------------------
def test_each_phone_gets_its_own_token_up_to_the_devices_cap(hub):
    secret = invite(hub, devices=2, name="避難所A")
    page = hub.client().get(f"/v/{secret}")
    assert page.status_code == 200 and "被害報告" in page.text and INCIDENT in page.text
    one, two = join(hub, secret), join(hub, secret)
    assert one != two
    names = [hub.client().get("/v1/whoami", headers=auth(t)).json() for t in (one, two)]
    assert [n["name"] for n in names] == ["volunteer:避難所A#1", "volunteer:避難所A#2"]
    assert {n["role"] for n in names} == {"volunteer"}
    assert {n["incident"] for n in names} == {INCIDENT}
    third = hub.client().post(f"/v/{secret}/join")
    assert third.status_code == 410 and "上限" in third.json()["detail"]
    assert hub.client().get(f"/v/{secret}").status_code == 200  # joined phones reopen it


@pytest.mark.parametrize("state", ["revoked", "expired", "corrupt"])
def test_a_dead_link_shows_a_page_saying_why_and_never_a_form(hub, state):
    secret = invite(hub, days=None if state != "expired" else 1)
    vdb = hub.app.state.volunteer
    [found] = vdb.invites(INCIDENT)
    if state == "revoked":
        vdb.revoke_invite(found.id)
    elif state == "expired":
        vdb._run("UPDATE invites SET expires = 1 WHERE id = ?", (found.id,))
    else:
        secret = secret[:-3] + ("AAA" if not secret.endswith("AAA") else "BBB")
    r = hub.client().get(f"/v/{secret}")
    assert r.status_code == (404 if state == "corrupt" else 410)
    assert "<form" not in r.text and "<input" not in r.text and "<script" not in r.text
    word = {"revoked": "取り消され", "expired": "有効期限", "corrupt": "無効"}[state]
    assert word in r.text and "link" in r.text
    assert hub.client().post(f"/v/{secret}/join").status_code in (404, 410)


def test_revoking_with_phones_stops_the_phones_that_joined(hub, tmp_path):
    secret = invite(hub)
    before, after = join(hub, secret), join(hub, secret)
    [found] = hub.app.state.volunteer.invites(INCIDENT)
    admin = hub.token("analyst", "分析", None)
    r = hub.client().delete(f"/v1/incidents/{INCIDENT}/invites/{found.id}", headers=auth(admin))
    assert r.json() == {"revoked": found.id, "phones_revoked": 0}
    assert send(hub, before, "phone-report-1").status_code == 201  # joined phones go on
    r = hub.client().delete(
        f"/v1/incidents/{INCIDENT}/invites/{found.id}", params={"phones": True}, headers=auth(admin)
    )
    assert r.json()["phones_revoked"] == 2
    for token in (before, after):
        assert send(hub, token, "phone-report-2").status_code == 401


def test_an_analyst_creates_and_lists_invites_over_http(hub):
    analyst = hub.token("analyst", "分析", None)
    r = hub.client().post(
        f"/v1/incidents/{INCIDENT}/invites",
        json={"name": "掲示板", "devices": 50, "expires_days": 3},
        headers=auth(analyst),
    )
    assert r.status_code == 201
    link = r.json()["link"]
    assert link.startswith("http://hub.test/v/") and r.json()["name"] == "掲示板"
    assert hub.client().get(link).status_code == 200
    listed = hub.client().get(f"/v1/incidents/{INCIDENT}/invites", headers=auth(analyst)).json()
    [one] = listed["invites"]
    assert (one["name"], one["devices"], one["state"]) == ("掲示板", 50, "live")
    assert r.json()["invite"] not in str(listed)  # only the hash is kept
    r = hub.client().post("/v1/incidents/ない事案/invites", json={}, headers=auth(analyst))
    assert r.status_code == 404


# -- reports ---------------------------------------------------------------------------------
def test_a_report_with_photos_reaches_a_laptop_at_its_next_sync(hub, tmp_path):
    token = join(hub, invite(hub))
    gps = jpeg(tmp_path, 1, lat=32.80321, lon=130.70789, taken=datetime(2026, 11, 21, 9, 30))
    plain = jpeg(tmp_path, 2)
    for data in (gps, plain):
        assert upload(hub, token, data).status_code == 200
    r = send(hub, token, "a1b2c3d4e5", photos=[hashlib.sha256(gps).hexdigest()])
    assert r.status_code == 201, r.text
    receipt = r.json()
    r = send(
        hub,
        token,
        "f6g7h8i9j0",
        photos=[hashlib.sha256(plain).hexdigest()],
        lon=130.75,
        lat=32.77,
        location_source="device",
        accuracy_m=12.5,
        category="building_damage",
    )
    assert r.status_code == 201, r.text
    laptop = Incident.create(tmp_path / "laptop", name=INCIDENT)
    officer = hub.token("officer", "本部", INCIDENT)
    summary = hub.sync(laptop, officer)
    assert summary.photos_down == 2
    got = laptop.conn.execute(
        "SELECT id, kind, status, lon, lat, location_source, accuracy_m, category, media, author "
        "FROM reports ORDER BY location_source"
    ).fetchall()
    assert len(got) == 2
    device, exif = got
    assert device[1:8] == ("volunteer", "new", 130.75, 32.77, "device", 12.5, "building_damage")
    assert exif[1:3] == ("volunteer", "new") and exif[5] == "exif"
    assert abs(exif[3] - 130.70789) < 1e-5 and abs(exif[4] - 32.80321) < 1e-5
    assert exif[0] == receipt["report"] and exif[9] == "volunteer:invite1#1"
    [(path, tags)] = laptop.conn.execute(
        "SELECT path, exif FROM media WHERE sha256 = ?", (hashlib.sha256(gps).hexdigest(),)
    ).fetchall()
    assert (laptop.path / path).read_bytes() == gps  # the bytes as sent, EXIF kept
    assert "GPS" in tags
    laptop.close()


def test_a_retry_answers_the_same_receipt_and_two_phones_make_two_reports(hub, tmp_path):
    secret = invite(hub)
    one, two = join(hub, secret), join(hub, secret)
    data = jpeg(tmp_path, 3)
    sha = hashlib.sha256(data).hexdigest()
    for token in (one, two):
        assert upload(hub, token, data).status_code == 200
    first = send(hub, one, "same-id-123", photos=[sha])
    again = send(hub, one, "same-id-123", photos=[sha])
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    other = send(hub, two, "same-id-123", photos=[sha])  # a forwarded photo, another phone
    assert other.status_code == 201 and other.json()["report"] != first.json()["report"]
    assert len(reports(hub)) == 2
    receipts = (
        hub.client()
        .get(f"/v1/incidents/{INCIDENT}/volunteer/reports", headers=auth(one))
        .json()["receipts"]
    )
    assert [r["report"] for r in receipts] == [first.json()["report"]]
    assert receipts[0]["ref"] and receipts[0]["sent"].endswith("+00:00")


# -- abuse -----------------------------------------------------------------------------------
def test_an_oversized_photo_is_refused_and_nothing_is_kept(hub, tmp_path):
    hub.app.state.volunteer_limits.photo_bytes = 100_000
    token = join(hub, invite(hub))
    data = jpeg(tmp_path, 4, size=(800, 600))
    assert len(data) > 100_000
    r = upload(hub, token, data)
    assert r.status_code == 413 and "MB" in r.json()["detail"]
    big = b"x" * (9 << 20)  # over the hub's chunk limit, refused before any route runs
    url = f"/v1/incidents/{INCIDENT}/volunteer/uploads/{hashlib.sha256(big).hexdigest()}"
    r = hub.client().put(url, params={"offset": 0}, content=big, headers=auth(token))
    assert r.status_code == 413
    assert not list(hub.state.media.media.rglob("*.*"))


def test_photo_bytes_per_phone_are_limited_unfinished_uploads_included(hub, tmp_path):
    hub.app.state.volunteer_limits.token_bytes = 60_000
    token = join(hub, invite(hub))
    first, second = jpeg(tmp_path, 5, size=(200, 150)), jpeg(tmp_path, 6, size=(400, 300))
    assert upload(hub, token, first).status_code == 200
    r = upload(hub, token, second + b"\0" * 60_000)
    assert r.status_code == 413 and "容量" in r.json()["detail"]
    other = join(hub, invite(hub))  # many abandoned halves of different "photos"
    codes = []
    for n in range(5):
        url = f"/v1/incidents/{INCIDENT}/volunteer/uploads/{hashlib.sha256(bytes([n])).hexdigest()}"
        r = hub.client().put(url, params={"offset": 0}, content=b"z" * 20_000, headers=auth(other))
        codes.append(r.status_code)
    assert codes == [200, 200, 200, 413, 413]


@pytest.mark.parametrize("what", ["text named .jpg", "truncated JPEG", "wrong announced size"])
def test_what_is_not_a_whole_image_is_refused_with_a_clear_message(hub, tmp_path, what):
    token = join(hub, invite(hub))
    good = jpeg(tmp_path, 7, size=(640, 480))
    data = {
        "text named .jpg": b"<?php system($_GET['c']); ?>" * 100,
        "truncated JPEG": good[: len(good) // 2],
        "wrong announced size": good,
    }[what]
    sha = hashlib.sha256(data).hexdigest()
    url = f"/v1/incidents/{INCIDENT}/volunteer/uploads/{sha}"
    hub.client().put(url, params={"offset": 0}, content=data, headers=auth(token))
    size = len(data) + (1 if what == "wrong announced size" else 0)
    r = hub.client().post(f"{url}/complete", params={"size": size}, headers=auth(token))
    assert r.status_code == 422
    detail = r.json()["detail"]
    expected = {
        "text named .jpg": "写真（画像）ではありません",
        "truncated JPEG": "途中で切れている",
        "wrong announced size": "壊れました",
    }[what]
    assert expected in detail and "Traceback" not in detail
    assert not hub.state.media.has(sha)
    r = send(hub, token, "refused-photo", photos=[sha])
    assert r.status_code == 422 and "not uploaded" in r.json()["detail"]
    assert reports(hub) == []


def test_uploads_of_others_stay_invisible_to_a_phone(hub, tmp_path):
    secret = invite(hub)
    one, two = join(hub, secret), join(hub, secret)
    data = jpeg(tmp_path, 8, size=(640, 480))
    sha = hashlib.sha256(data).hexdigest()
    url = f"/v1/incidents/{INCIDENT}/volunteer/uploads/{sha}"
    hub.client().put(url, params={"offset": 0}, content=data[:1000], headers=auth(one))
    assert hub.client().get(url, headers=auth(two)).json() == {"received": 0, "complete": False}
    assert upload(hub, one, data).status_code == 200
    assert hub.client().get(url, headers=auth(two)).json() == {"received": 0, "complete": False}
    r = send(hub, two, "not-mine-1", photos=[sha])  # a hash it did not send itself
    assert r.status_code == 422
    for path in ("/v1/incidents/{}/media/missing", "/v1/incidents/{}/uploads/" + sha):
        r = hub.client().request(
            "POST" if "missing" in path else "GET",
            path.format(INCIDENT),
            json={"sha256": [sha]},
            headers=auth(two),
        )
        assert r.status_code == 403


def test_wrong_or_revoked_tokens_and_another_incident_are_refused(hub, tmp_path):
    secret = invite(hub)
    token = join(hub, secret)
    assert send(hub, "made-up-token-" + "x" * 30, "abcdefgh").status_code == 401
    assert send(hub, token, "abcdefgh", incident=OTHER).status_code == 403
    other_phone = join(hub, invite(hub, OTHER))
    assert send(hub, other_phone, "abcdefgh", incident=INCIDENT).status_code == 403
    officer = hub.token("officer", "本部", INCIDENT)
    assert send(hub, officer, "abcdefgh").status_code == 403
    [found] = hub.app.state.volunteer.invites(INCIDENT)
    hub.app.state.volunteer.revoke_invite(found.id, phones=True)
    assert send(hub, token, "abcdefgh").status_code == 401
    assert reports(hub) == [] and reports(hub, OTHER) == []


def test_a_flood_from_one_phone_is_cut_off_and_others_go_on(hub):
    limits = hub.app.state.volunteer_limits
    limits.per_token_per_minute, limits.per_address_per_minute = 10, 40
    secret = invite(hub)
    flooder, neighbour = join(hub, secret), join(hub, secret)
    codes = [send(hub, flooder, f"flood-{n:04d}").status_code for n in range(15)]
    assert codes[:10] == [201] * 10 and set(codes[10:]) == {429}
    assert send(hub, neighbour, "calm-0001").status_code == 201
    assert len(reports(hub)) == 11
    phones = [join(hub, secret) for _ in range(4)]  # the address's own limit
    codes = [
        send(hub, p, f"many-{n}-{i}").status_code for i, p in enumerate(phones) for n in range(8)
    ]
    assert 429 in codes and codes.count(201) < 32


def test_reports_per_phone_and_photos_per_report_are_limited(hub, tmp_path):
    limits = hub.app.state.volunteer_limits
    limits.reports_per_token, limits.photos_per_report = 2, 1
    token = join(hub, invite(hub))
    shas = []
    for seed in (9, 10):
        data = jpeg(tmp_path, seed)
        upload(hub, token, data)
        shas.append(hashlib.sha256(data).hexdigest())
    r = send(hub, token, "two-photos", photos=shas)
    assert r.status_code == 422 and "1枚まで" in r.json()["detail"]
    assert send(hub, token, "report-0001").status_code == 201
    assert send(hub, token, "report-0002").status_code == 201
    r = send(hub, token, "report-0003")
    assert r.status_code == 429 and "上限" in r.json()["detail"]
    assert send(hub, token, "report-0001").status_code == 200  # a retry is still answered


def test_bad_fields_are_refused(hub):
    token = join(hub, invite(hub))
    for fields in (
        {"category": "alien_invasion"},
        {"lon": 130.7},
        {"lon": 130.7, "lat": 32.8, "location_source": "gpx"},
        {"lon": 200, "lat": 32.8, "location_source": "manual"},
        {"comment": "x" * 2001},
        {"comment": "", "category": None},
        {"observed_at": "yesterday"},
    ):
        r = send(hub, token, "bad-fields-1", **fields)
        assert r.status_code == 422, fields
    r = hub.client().post(
        f"/v1/incidents/{INCIDENT}/volunteer/reports",
        json={"id": "../../x", "comment": "a"},
        headers=auth(token),
    )
    assert r.status_code == 422
    assert reports(hub) == []


HOSTILE = '=HYPERLINK("http://evil.example","click")<script>alert(1)</script>]]>&amp;'


def test_hostile_comment_text_stays_text_at_hq_and_in_exports(hub, tmp_path):
    token = join(hub, invite(hub))
    r = send(
        hub, token, "hostile-01", comment=HOSTILE, lon=130.7, lat=32.8, location_source="manual"
    )
    assert r.status_code == 201
    laptop = Incident.create(tmp_path / "laptop", name=INCIDENT)
    hub.sync(laptop, hub.token("officer", "本部", INCIDENT))
    [(text,)] = laptop.conn.execute("SELECT text FROM reports").fetchall()
    assert text == HOSTILE
    export(ExportJob(laptop, tmp_path / "r.csv"))
    export(ExportJob(laptop, tmp_path / "r.kml"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    [row] = rows
    assert "'" + HOSTILE in row.values()  # a spreadsheet shows it, never runs it
    root = ET.parse(tmp_path / "r.kml").getroot()
    texts = [e.text or "" for e in root.iter()]
    assert any(HOSTILE in t for t in texts)  # parsed back as the same text
    assert not list(root.iter("script")) and not list(root.iter(f"{KML}script"))
    laptop.close()


def test_joins_from_one_address_are_limited(hub):
    hub.app.state.volunteer_limits.joins_per_address_per_minute = 3
    secret = invite(hub)
    codes = [hub.client().post(f"/v/{secret}/join").status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    [found] = hub.app.state.volunteer.invites(INCIDENT)
    assert found.phones == 3
