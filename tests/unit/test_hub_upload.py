"""Photo uploads in as few requests as the protocol allows (issue 17, "Speed"): the hub's list
of missing photos says how much of each it already holds, and the chunk that reaches the
photo's size completes it; bytes that do not match the hash are refused there too."""

from __future__ import annotations

import pytest
from hub_helpers import Hub, add_photo, photo_bytes

from gspace.store.incident import Incident

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
