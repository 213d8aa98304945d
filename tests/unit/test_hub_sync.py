"""Laptops syncing through the hub in the test process (issue 17): push then pull with answers
per entry, idempotent resends, refused entries kept queued with their reason, a laptop whose
clock is hours fast, and photos that move by hash in resumable chunks."""

from __future__ import annotations

import json
import time

import pytest
from hub_helpers import Hub, add_photo, photo_bytes

from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync import changes
from gspace.sync.client import get_meta, meta_key
from gspace.sync.clock import HybridClock, parse_stamp
from gspace.sync.dump import canonical_dump

HOUR_MS = 3_600_000


@pytest.fixture
def hub(tmp_path):
    h = Hub(tmp_path / "hub")
    yield h
    h.close()


def laptop(tmp_path, n: int, offset_ms: int = 0) -> Incident:
    inc = Incident.create(tmp_path / f"laptop{n}", name="熊本豪雨")
    if offset_ms:
        inc.clock = HybridClock(wall=lambda: time.time_ns() // 1_000_000 + offset_ms)
    return inc


def add_report(inc: Incident, text: str) -> str:
    with inc.transaction():
        [rid] = records.add_reports(
            inc, [{"kind": "manual", "lon": 130.7, "lat": 32.8, "text": text}]
        )
    return rid


def status(inc: Incident, rid: str) -> str:
    return inc.conn.execute("SELECT status FROM reports WHERE id = ?", (rid,)).fetchone()[0]


def test_two_laptops_share_reports_and_photos_and_the_token_name_is_the_actor(tmp_path, hub):
    a, b = laptop(tmp_path, 0), laptop(tmp_path, 1)
    token_a, token_b = hub.token(name="田中"), hub.token(name="佐藤")
    rid = add_report(a, "道路冠水")
    data = photo_bytes(1)
    sha = add_photo(a, data)
    first = hub.sync(a, token_a)
    assert (first.sent, first.photos_up, first.pending) == (len(list(changes.outgoing(a))), 1, [])
    second = hub.sync(b, token_b)
    assert second.received == first.sent and second.photos_down == 1
    [path] = b.conn.execute("SELECT path FROM media WHERE sha256 = ?", (sha,)).fetchone()
    assert (b.path / path).read_bytes() == data
    assert status(b, rid) == "new"
    dumps = {canonical_dump(a), canonical_dump(b), canonical_dump(hub.incident())}
    assert len(dumps) == 1
    actors = {r[0] for r in hub.incident().conn.execute("SELECT actor FROM changes")}
    assert actors == {"田中"}
    assert {r[0] for r in a.conn.execute("SELECT actor FROM changes")} == {"田中"}
    with b.transaction():
        records.update_report(b, rid, status="verified")
    hub.sync(b, token_b)
    hub.sync(a, token_a)
    assert status(a, rid) == "verified"
    [actor] = a.conn.execute(
        "SELECT actor FROM changes WHERE row_id = ? AND op = 'update'", (rid,)
    ).fetchone()
    assert actor == "佐藤"


def test_a_resent_batch_and_a_repeated_pull_change_nothing(tmp_path, hub):
    a, b = laptop(tmp_path, 0), laptop(tmp_path, 1)
    token = hub.token()
    for n in range(5):
        add_report(a, f"報告{n}")
    hub.sync(a, token, batch=2)
    entries = [e for _, e in changes.outgoing(a)]
    before = canonical_dump(hub.incident())
    r = hub.client().post(
        "/v1/incidents/熊本豪雨/push",
        json={"entries": entries},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert [x["outcome"] for x in r.json()["answers"]] == ["duplicate"] * len(entries)
    assert canonical_dump(hub.incident()) == before
    hub.sync(b, token)
    got = canonical_dump(b)
    with b.transaction():  # as if the pull's cursor had been lost in a crash
        b.db["meta"].upsert(
            {"key": meta_key("http://hub.test", "熊本豪雨", "pull"), "value": "0"}, pk="key"
        )
    again = hub.sync(b, token)
    assert (again.received, again.sent) == (0, 0)
    assert canonical_dump(b) == got == canonical_dump(hub.incident())
    assert changes.last_seq(hub.incident()) == len(entries)


def test_an_entry_the_hub_refuses_stays_queued_with_its_reason(tmp_path, hub):
    a = laptop(tmp_path, 0)
    token = hub.token()
    add_report(a, "一件目")
    with a.transaction():  # an entry with a damaged stamp (a damaged log)
        a.conn.execute(
            "INSERT INTO changes (hlc, origin, oseq, tbl, row_id, op, data, base, actor) "
            "VALUES ('000000000000001', ?, 99, 'reports', 'nope', 'update', "
            "'{\"status\": \"verified\"}', '{}', 'x')",
            (a.device_id,),
        )
    rid = add_report(a, "二件目")
    summary = hub.sync(a, token)
    reason = "the entry's stamp is not a gspace stamp"
    assert len(summary.pending) == 1 and reason in summary.pending[0]
    hub_ids = {r[0] for r in hub.incident().conn.execute("SELECT id FROM reports")}
    assert rid in hub_ids  # later entries were still sent
    key = meta_key("http://hub.test", "熊本豪雨", "push")
    [refused] = a.conn.execute("SELECT seq FROM changes WHERE row_id = 'nope'").fetchone()
    assert int(get_meta(a, key)) == refused - 1
    pending = json.loads(get_meta(a, meta_key("http://hub.test", "熊本豪雨", "pending")))
    assert [p["reason"] for p in pending] == [reason]
    again = hub.sync(a, token)
    assert len(again.pending) == 1 and again.sent == 0  # resent, refused again, nothing twice
    assert changes.last_seq(hub.incident()) == 2  # two reports, no copies


def test_an_update_before_its_row_is_held_on_the_hub_until_the_row_comes(tmp_path, hub):
    a, b = laptop(tmp_path, 0), laptop(tmp_path, 1)
    token = hub.token()
    rid = add_report(a, "順番違い")
    with a.transaction():
        records.update_report(a, rid, status="verified")
    [(_, insert), (_, update)] = list(changes.outgoing(a))
    auth = {"Authorization": f"Bearer {token}"}
    url = "/v1/incidents/熊本豪雨/push"
    r = hub.client().post(url, json={"entries": [update]}, headers=auth)
    assert r.json()["answers"][0]["outcome"] == "held"
    r = hub.client().post(url, json={"entries": [insert]}, headers=auth)
    assert r.json()["answers"][0]["outcome"] == "applied"
    hub.sync(a, token)
    hub.sync(b, token)
    assert status(b, rid) == status(hub.incident(), rid) == "verified"


def test_a_laptop_six_hours_fast_is_restamped_and_cannot_beat_a_newer_edit(tmp_path, hub):
    a, fast = laptop(tmp_path, 0), laptop(tmp_path, 1, offset_ms=6 * HOUR_MS)
    token_a, token_f = hub.token(name="田中"), hub.token(name="鈴木")
    rid = add_report(a, "避難所の様子")
    hub.sync(a, token_a)
    hub.sync(fast, token_f)
    with fast.transaction():
        records.update_report(fast, rid, status="rejected")
    [stamp] = fast.conn.execute("SELECT max(hlc) FROM changes").fetchone()
    assert parse_stamp(stamp)[0] > time.time() * 1000 + 5 * HOUR_MS
    summary = hub.sync(fast, token_f)
    assert summary.restamped == 1 and summary.clock_ahead_ms > 5 * HOUR_MS
    hub_clock = parse_stamp(hub.state.clock.now())[0]
    assert hub_clock < time.time() * 1000 + 60_000  # the hub's clock did not jump ahead
    hub.sync(a, token_a)
    assert status(a, rid) == "rejected"
    with a.transaction():  # a newer edit, made after the fast laptop's
        records.update_report(a, rid, status="verified")
    hub.sync(a, token_a)
    hub.sync(fast, token_f)
    assert status(fast, rid) == status(a, rid) == status(hub.incident(), rid) == "verified"
    stamps = [
        sorted(inc.conn.execute("SELECT origin, oseq, hlc FROM changes").fetchall())
        for inc in (a, fast, hub.incident())
    ]
    assert stamps[0] == stamps[1] == stamps[2]
    assert canonical_dump(a) == canonical_dump(fast) == canonical_dump(hub.incident())
    assert "conflict" not in canonical_dump(a)  # each edit was based on the one before


def test_a_resumed_upload_sends_only_the_missing_bytes(tmp_path, hub):
    a = laptop(tmp_path, 0)
    token = hub.token()
    data = photo_bytes(2, size=1_000_000)
    sha = add_photo(a, data)
    hub.sync(a, token, media=False)
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/v1/incidents/熊本豪雨/uploads/{sha}"
    r = hub.client().put(url, params={"offset": 0}, content=data[:300_000], headers=auth)
    assert r.json() == {"received": 300_000, "complete": False}
    summary = hub.sync(a, token, chunk=256 * 1024)
    assert summary.photos_up == 1 and summary.bytes_up == 700_000
    assert hub.state.db.uploaded(sha) == 1_000_000  # every byte once
    assert hub.state.media.path(sha).read_bytes() == data
    assert not list((hub.folder / "uploads").iterdir())


def test_bytes_that_do_not_match_the_hash_are_refused_and_dropped(tmp_path, hub):
    a = laptop(tmp_path, 0)
    token = hub.token()
    data = photo_bytes(3)
    sha = add_photo(a, data)
    hub.sync(a, token, media=False)
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/v1/incidents/熊本豪雨/uploads/{sha}"
    forged = b"\xff" + data[1:]
    hub.client().put(url, params={"offset": 0}, content=forged, headers=auth)
    r = hub.client().post(url + "/complete", params={"size": len(data)}, headers=auth)
    assert r.status_code == 422 and "do not match" in r.json()["detail"]
    assert not hub.state.media.has(sha)
    assert hub.client().get(url, headers=auth).json() == {"received": 0, "complete": False}
    summary = hub.sync(a, token)  # the laptop's real bytes go through afterwards
    assert summary.photos_up == 1 and hub.state.media.path(sha).read_bytes() == data


def test_a_download_resumes_from_the_partial_file(tmp_path, hub):
    a, b = laptop(tmp_path, 0), laptop(tmp_path, 1)
    token = hub.token()
    data = photo_bytes(4, size=500_000)
    sha = add_photo(a, data)
    hub.sync(a, token)
    hub.sync(b, token, media=False)
    partial = b.path / "media-partial" / f"{sha}.part"
    partial.parent.mkdir()
    partial.write_bytes(data[:123_456])
    summary = hub.sync(b, token)
    assert summary.photos_down == 1 and not partial.exists()
    [path] = b.conn.execute("SELECT path FROM media WHERE sha256 = ?", (sha,)).fetchone()
    assert path.startswith("media/") and (b.path / path).read_bytes() == data
