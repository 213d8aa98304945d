"""Photo uploads in as few requests as the protocol allows (issue 17, "Speed"): the hub's list
of missing photos says how much of each it already holds, and the chunk that reaches the
photo's size completes it; bytes that do not match the hash are refused there too. A chunk's
body is counted against the limit while it streams in, and a laptop sends two photos at once."""

from __future__ import annotations

import threading
import time
from urllib.parse import quote

import anyio
import pytest
from hub_helpers import Hub, add_photo, photo_bytes

from gspace.store.incident import Incident
from gspace.sync.client import SyncCancelled

INCIDENT = "熊本豪雨"


@pytest.fixture
def hub(tmp_path):
    h = Hub(tmp_path / "hub")
    yield h
    h.close()


def test_one_put_per_photo_and_a_partial_resumes_without_asking(tmp_path, hub):
    a = Incident.create(tmp_path / "a", name=INCIDENT)
    token = hub.token()
    whole, partial = photo_bytes(1, 400_000), photo_bytes(2, 400_000)
    sha_whole, sha_partial = add_photo(a, whole), add_photo(a, partial, "q.jpg")
    hub.sync(a, token, media=False)
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/v1/incidents/{INCIDENT}/uploads/{sha_partial}"
    hub.client().put(url, params={"offset": 0}, content=partial[:100_000], headers=auth)
    r = hub.client().post(
        f"/v1/incidents/{INCIDENT}/media/missing",
        json={"sha256": sorted([sha_whole, sha_partial])},
        headers=auth,
    )
    assert r.json() == {
        "missing": sorted([sha_whole, sha_partial]),
        "received": {sha_partial: 100_000},
    }
    seen = []
    hub.client().event_hooks["request"].append(lambda req: seen.append((req.method, req.url.path)))
    summary = hub.sync(a, token)
    uploads = sorted((m, p) for m, p in seen if "/uploads/" in p)
    assert uploads == sorted(
        ("PUT", f"/v1/incidents/{INCIDENT}/uploads/{sha}") for sha in (sha_whole, sha_partial)
    )
    assert summary.photos_up == 2 and summary.bytes_up == 400_000 + 300_000
    assert hub.state.media.path(sha_whole).read_bytes() == whole
    assert hub.state.media.path(sha_partial).read_bytes() == partial
    assert not list((hub.folder / "uploads").iterdir())


def test_a_last_chunk_that_does_not_match_the_hash_is_refused(tmp_path, hub):
    a = Incident.create(tmp_path / "a", name=INCIDENT)
    token = hub.token()
    data = photo_bytes(3, 200_000)
    sha = add_photo(a, data)
    hub.sync(a, token, media=False)
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/v1/incidents/{INCIDENT}/uploads/{sha}"
    forged = b"\xff" + data[1:]
    r = hub.client().put(url, params={"offset": 0, "size": len(data)}, content=forged, headers=auth)
    assert r.status_code == 422 and "do not match" in r.json()["detail"]
    assert not hub.state.media.has(sha)
    assert not list((hub.folder / "uploads").iterdir())
    assert hub.sync(a, token).photos_up == 1 and hub.state.media.path(sha).read_bytes() == data


def put_streamed(hub, token: str, sha: str, pieces: list[bytes], end: bool = True) -> list:
    """PUT a chunk straight to the ASGI app as a client streams it: no Content-Length, the
    pieces in separate messages, then the end of the body (or, `end=False`, the client
    going away). Returns the messages the hub sent back."""
    path = f"/v1/incidents/{INCIDENT}/uploads/{sha}"
    messages = [{"type": "http.request", "body": p, "more_body": True} for p in pieces]
    messages.append(
        {"type": "http.request", "body": b"", "more_body": False}
        if end
        else {"type": "http.disconnect"}
    )
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PUT",
        "scheme": "http",
        "path": path,
        "raw_path": quote(path).encode(),
        "root_path": "",
        "query_string": b"offset=0",
        "headers": [(b"host", b"hub.test"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("hub.test", 80),
    }
    anyio.run(hub.asgi, scope, receive, send)
    return sent


def test_a_streamed_chunk_is_refused_once_it_grows_past_the_limit_and_a_cut_one_is_dropped(
    tmp_path,
):
    hub = Hub(tmp_path / "hub", max_chunk=5_000)
    try:
        a = Incident.create(tmp_path / "a", name=INCIDENT)
        token = hub.token()
        data = photo_bytes(4, 12_000)
        sha = add_photo(a, data)
        hub.sync(a, token, media=False)
        too_big = put_streamed(hub, token, sha, [b"z" * 2_000] * 3)  # no length declared
        assert too_big[0]["status"] == 413
        assert b"larger than 5000 bytes" in too_big[1]["body"]
        cut = put_streamed(hub, token, sha, [data[:2_000]], end=False)  # the Wi-Fi drops
        assert cut == [] or cut[0]["status"] >= 400
        assert not list((hub.folder / "uploads").iterdir())  # nothing of either was kept
        assert hub.state.db.uploaded(sha) == 0
        summary = hub.sync(a, token, chunk=4_000)
        assert summary.photos_up == 1 and summary.bytes_up == 12_000
        assert hub.state.media.path(sha).read_bytes() == data
    finally:
        hub.close()


def test_photos_go_two_at_once_and_a_cancel_keeps_the_photos_the_hub_acknowledged(tmp_path, hub):
    a = Incident.create(tmp_path / "a", name=INCIDENT)
    token = hub.token()
    photos = {add_photo(a, photo_bytes(10 + n, 150_000), f"{n}.jpg"): n for n in range(6)}
    hub.sync(a, token, media=False)
    in_flight, most, lock = [0], [0], threading.Lock()

    def sent(request):
        if request.method == "PUT":
            with lock:
                in_flight[0] += 1
                most[0] = max(most[0], in_flight[0])
            time.sleep(0.05)  # a slow link: the second photo starts before the first ends

    def answered(response):
        if response.request.method == "PUT":
            with lock:
                in_flight[0] -= 1

    hooks = hub.client().event_hooks
    hooks["request"].append(sent)
    hooks["response"].append(answered)
    said, threads = [], set()

    def progress(text):
        said.append(text)
        threads.add(threading.get_ident())

    with pytest.raises(SyncCancelled):
        hub.sync(a, token, progress=progress, cancel=lambda: "uploading" in " ".join(said))
    assert most[0] == 2  # two photos in flight, never more
    assert threads == {threading.get_ident()}  # the window hears from its own thread only
    whole = [sha for sha in photos if hub.state.media.has(sha)]
    assert 1 <= len(whole) < 6  # stopped after the photo in flight, the others not started
    assert all(hub.state.db.uploaded(sha) == 150_000 for sha in whole)
    summary = hub.sync(a, token)
    assert summary.photos_up == 6 - len(whole) and summary.bytes_up == 150_000 * summary.photos_up
    for sha, n in photos.items():
        assert hub.state.media.path(sha).read_bytes() == photo_bytes(10 + n, 150_000)
        assert hub.state.db.uploaded(sha) == 150_000  # every byte sent once
    assert not list((hub.folder / "uploads").iterdir())
