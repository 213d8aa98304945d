"""The volunteer page in headless Chromium on a phone-sized screen, against the hub under uvicorn
on 127.0.0.1 (issue 18): a volunteer opens the invite link, sends a photo with GPS and one
placed by a tap on the map, loses the connection (the page's requests aborted), queues a third,
and sees it sent when the connection is back, without reloading; a laptop then syncs and has
the three reports with their photos and locations.

Run twice: on https://hub.lan (mapped to 127.0.0.1) with the hub's own CA (gspace hub cert)
trusted by the browser, a secure context (the phone's location is used, and the service worker
lets the link open again while the hub is down: a fourth report waits on the phone until the
hub is back) and on http://hub.lan (mapped to 127.0.0.1: plain HTTP as on a LAN, where the
page says what it cannot do and offers the map)."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from datetime import datetime

import httpx
import pytest
from helpers import CHROMIUM_ARGS, chromium
from photo_files import make_jpeg

from gspace.hub.app import create_app
from gspace.hub.tls import make_certificates
from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync.client import sync

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
uvicorn = pytest.importorskip("uvicorn")

INCIDENT = "熊本豪雨"
PHONE = {"lat": 32.7898, "lon": 130.7417, "accuracy": 15}
GPS = {"lat": 32.80321, "lon": 130.70789}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """The hub's app under uvicorn on one port, which a test can stop and start again (the
    hub going away and coming back)."""

    def __init__(self, asgi, tls=None):
        self.asgi, self.port, self.server, self.thread = asgi, free_port(), None, None
        self.tls = tls  # gspace.hub.tls.Made, for HTTPS

    def start(self) -> None:
        config = uvicorn.Config(
            self.asgi,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            ssl_certfile=str(self.tls.cert) if self.tls else None,
            ssl_keyfile=str(self.tls.key) if self.tls else None,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                return
            time.sleep(0.05)
        raise AssertionError("the hub did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def served(tmp_path, request):
    """A hub with the incident (one located report, so the map has its city's outline) and an
    invite, under uvicorn on 127.0.0.1 (over HTTPS with the hub's own CA for origin https)."""
    tls = None
    if request.node.callspec.params["origin"] == "https":
        tls = make_certificates(tmp_path / "hub", ["hub.lan"])
    asgi, app = create_app(tmp_path / "hub")
    state = app.state.hub
    state.create(INCIDENT, "test")
    with state.incident(INCIDENT) as inc, inc.transaction():
        records.add_reports(inc, [{"kind": "manual", "lon": 130.71, "lat": 32.80, "text": "既存"}])
    _, secret = app.state.volunteer.create_invite(INCIDENT, "避難所A")
    hub = Served(asgi, tls)
    hub.start()
    yield hub, secret, state
    hub.stop()
    state.close()


def trusting_home(tmp_path, ca) -> dict:
    """A HOME whose NSS database trusts the hub's CA (what a volunteer does once on a phone:
    Chromium on Linux reads its trusted CAs from ~/.pki/nssdb)."""
    certutil = shutil.which("certutil")
    if not certutil:
        if os.environ.get("GSPACE_REQUIRE_FIXTURES"):
            pytest.fail("certutil is not installed (libnss3-tools: scripts/setup.sh)")
        pytest.skip("certutil (libnss3-tools) is not installed")
    home = tmp_path / "home"
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run([certutil, "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True)
    subprocess.run(
        [certutil, "-d", f"sql:{nssdb}", "-A", "-n", "gspace hub", "-t", "C,,", "-i", str(ca)],
        check=True,
    )
    return {**os.environ, "HOME": str(home)}


def wait_for(page, expression: str, seconds: float = 15) -> None:
    """Poll a page expression (page.evaluate is not subject to the page's CSP, unlike
    wait_for_function)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, expression
        time.sleep(0.2)


def sent_count(page) -> int:
    return page.locator("#receipts li.sent").count()


@pytest.mark.parametrize("origin", ["https", "lan"])
def test_a_volunteer_sends_three_reports_one_while_offline_and_hq_gets_them(
    served, tmp_path, origin
):
    hub, secret, state = served
    port = hub.port
    scheme = "https" if origin == "https" else "http"
    link = f"{scheme}://hub.lan:{port}/v/{secret}"
    env = trusting_home(tmp_path, hub.tls.ca) if origin == "https" else None
    gps_photo = make_jpeg(tmp_path / "IMG_0001.JPG", seed=1, taken=datetime(2026, 11, 21, 9), **GPS)
    plain_photo = make_jpeg(tmp_path / "IMG_0002.JPG", seed=2, size=(1600, 1200))
    args = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP hub.lan 127.0.0.1"]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=args, env=env)
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="ja-JP",
            geolocation={"latitude": PHONE["lat"], "longitude": PHONE["lon"], "accuracy": 15},
            permissions=["geolocation"],
        )
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(link)
        expect(page.locator("#category option")).to_have_count(12)
        notice = page.locator("#notice")
        if origin == "lan":
            assert notice.is_visible() and "地図で指定" in notice.inner_text()
            assert page.locator("#here").is_disabled()
        else:
            assert not notice.is_visible()

        # 1: a photo with GPS
        page.set_input_files("#pick", str(gps_photo))
        expect(page.locator("#where")).to_contain_text("写真のGPS")
        page.fill("#comment", "橋が流されています")
        page.select_option("#category", "building_damage")
        page.screenshot(path=str(tmp_path / f"compose-{origin}.png"), full_page=True)
        page.click("#send")
        expect(page.locator("#receipts li.sent")).to_have_count(1)

        # 2: a photo without GPS, placed by a tap on the map (the city's outline is drawn)
        page.set_input_files("#pick", str(plain_photo))
        page.fill("#comment", "道路が冠水")
        page.click("#tap")
        expect(page.locator("#map path").first).to_be_visible()
        page.locator("#map").click(position={"x": 180, "y": 120})
        assert "地図で指定" in page.inner_text("#where")
        page.click("#send")
        expect(page.locator("#receipts li.sent")).to_have_count(2)

        # 3: the connection is lost: the report waits on the phone, then goes by itself
        page.route("**/v1/**", lambda route: route.abort("internetdisconnected"))
        page.fill("#comment", "給水が必要です")
        page.select_option("#category", "water_outage")
        if origin == "https":
            page.click("#here")
            expect(page.locator("#where")).to_contain_text("現在地")
        page.click("#send")
        page.wait_for_selector("#receipts li.queued")
        assert "未送信" in page.locator("#receipts li.queued").inner_text()
        time.sleep(5)  # a retry happened meanwhile, and failed
        assert sent_count(page) == 2
        page.unroute("**/v1/**")
        expect(page.locator("#receipts li.sent")).to_have_count(3, timeout=20_000)
        receipts = page.locator("#receipts li.sent .state").all_inner_texts()
        assert all("送信済み" in r and "参照" in r for r in receipts)
        page.screenshot(path=str(tmp_path / f"receipts-{origin}.png"), full_page=True)
        expected = 3
        if origin == "https":  # the page also opens while the hub cannot be reached
            wait_for(page, "navigator.serviceWorker.ready.then(r => !!r.active)")
            wait_for(page, "caches.match(location.pathname).then(r => !!r)")
            hub.stop()
            page.reload()
            expect(page.locator("#receipts li.sent")).to_have_count(3)
            page.fill("#comment", "電話が通じません")
            page.click("#send")
            expect(page.locator("#receipts li.queued")).to_have_count(1)
            time.sleep(5)
            expect(page.locator("#receipts li.queued")).to_have_count(1)
            hub.start()
            expect(page.locator("#receipts li.sent")).to_have_count(4, timeout=20_000)
            expected = 4
        assert errors == []
        browser.close()

    laptop = Incident.create(tmp_path / "laptop", name=INCIDENT)
    officer = state.db.create_token("officer", "本部", INCIDENT)
    url = f"{scheme}://localhost:{port}"
    verify = ssl.create_default_context(cafile=str(hub.tls.ca)) if hub.tls else True
    client = httpx.Client(base_url=url, verify=verify, timeout=30)
    summary = sync(laptop, url, officer, INCIDENT, client=client)
    client.close()
    assert summary.photos_down == 2
    rows = laptop.conn.execute(
        "SELECT text, kind, status, lon, lat, location_source, accuracy_m, category, media "
        "FROM reports WHERE kind = 'volunteer' ORDER BY received_at, rid"
    ).fetchall()
    by_text = {r[0]: r for r in rows}
    assert len(rows) == expected and {r[1:3] for r in rows} == {("volunteer", "new")}
    bridge, road, water = (
        by_text["橋が流されています"],
        by_text["道路が冠水"],
        by_text["給水が必要です"],
    )
    assert bridge[5] == "exif" and bridge[7] == "building_damage"
    assert abs(bridge[3] - GPS["lon"]) < 1e-4 and abs(bridge[4] - GPS["lat"]) < 1e-4
    assert road[5] == "manual" and 129 < road[3] < 132 and 31 < road[4] < 34
    if origin == "https":
        assert water[5] == "device" and water[6] == 15
        assert abs(water[3] - PHONE["lon"]) < 1e-6 and abs(water[4] - PHONE["lat"]) < 1e-6
    else:
        assert water[5] == "none" and water[3] is None
    assert water[7] == "water_outage" and water[8] == "[]"
    for photo, row in ((gps_photo, bridge), (plain_photo, road)):
        sha = hashlib.sha256(photo.read_bytes()).hexdigest()
        assert row[8] == f'["{sha}"]'
        [(path,)] = laptop.conn.execute("SELECT path FROM media WHERE sha256 = ?", (sha,))
        assert (laptop.path / path).read_bytes() == photo.read_bytes()
    laptop.close()
