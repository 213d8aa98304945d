"""What the window's sync indicator reads between syncs (gspace.sync.hub_status) and what the
client gives it: changes waiting and the hub's reasons for refusing some, the time of the last
sync, a laptop clock measured against the hub's, a sync stopped half-way, and one-word kinds of
failure (issue 17, item 6)."""

from __future__ import annotations

import time

import pytest
from hub_helpers import URL, Hub

from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync import changes
from gspace.sync.client import SyncCancelled, SyncError, get_meta, meta_key
from gspace.sync.clock import HybridClock
from gspace.sync.hub_status import remember, remembered, status

INCIDENT = "熊本豪雨"


@pytest.fixture
def hub(tmp_path):
    h = Hub(tmp_path / "hub")
    yield h
    h.close()


def add_reports(inc: Incident, n: int, text: str = "報告") -> None:
    with inc.transaction():
        records.add_reports(
            inc,
            [{"kind": "manual", "lon": 130.7, "lat": 32.8, "text": f"{text}{i}"} for i in range(n)],
        )


def test_waiting_changes_the_last_sync_and_the_reasons_of_refused_ones(tmp_path, hub):
    a = Incident.create(tmp_path / "a", name=INCIDENT)
    assert remembered(a) is None
    remember(a, URL + "/", INCIDENT)
    assert remembered(a) == (URL, INCIDENT)
    add_reports(a, 3)
    before = status(a, URL, INCIDENT)
    assert (before.waiting, before.refused, before.synced_at) == (3, [], None)
    token = hub.token()
    hub.sync(a, token)
    after = status(a, URL, INCIDENT)
    assert after.waiting == 0 and after.refused == []
    assert abs(after.synced_at.timestamp() - time.time()) < 60
    with a.transaction():  # an entry with a damaged stamp: the hub refuses it
        a.conn.execute(
            "INSERT INTO changes (hlc, origin, oseq, tbl, row_id, op, data, base, actor) "
            "VALUES ('000000000000001', ?, 99, 'reports', 'nope', 'update', "
            "'{\"status\": \"verified\"}', '{}', 'x')",
            (a.device_id,),
        )
    add_reports(a, 1, "後")
    assert status(a, URL, INCIDENT).waiting == 2
    hub.sync(a, token)
    refused = status(a, URL, INCIDENT)
    assert refused.waiting == 1
    assert len(refused.refused) == 1 and "not a gspace stamp" in refused.refused[0]
    add_reports(a, 2, "新")
    assert status(a, URL, INCIDENT).waiting == 3


def test_a_cancelled_sync_keeps_the_batches_the_hub_acknowledged(tmp_path, hub):
    a = Incident.create(tmp_path / "a", name=INCIDENT)
    add_reports(a, 5)
    said = []

    def progress(text):
        said.append(text)

    with pytest.raises(SyncCancelled) as stopped:
        hub.sync(a, hub.token(), batch=2, progress=progress, cancel=lambda: len(said) >= 1)
    assert stopped.value.kind == "cancelled"
    assert int(get_meta(a, meta_key(URL, INCIDENT, "push"))) == 2  # the first batch
    assert changes.last_seq(hub.incident()) == 2
    assert status(a, URL, INCIDENT).waiting == 3
    hub.sync(a, hub.token())
    assert changes.last_seq(hub.incident()) == 5


def test_a_fast_laptop_clock_is_measured_against_the_hubs(tmp_path, hub):
    a = Incident.create(tmp_path / "a", name=INCIDENT)
    a.clock = HybridClock(wall=lambda: time.time_ns() // 1_000_000 + 3 * 3_600_000)
    summary = hub.sync(a, hub.token())  # nothing to send, so nothing restamped
    assert summary.restamped == 0
    assert 2.9 * 3_600_000 < summary.clock_offset_ms < 3.1 * 3_600_000


def test_failures_have_a_kind_the_window_can_show(tmp_path, hub):
    a = Incident.create(tmp_path / "a", name=INCIDENT)
    with pytest.raises(SyncError) as refused:
        hub.sync(a, "not-a-token")
    assert refused.value.kind == "unauthorized"
    with pytest.raises(SyncError) as offline:
        from gspace.sync.client import sync

        sync(a, "http://127.0.0.1:9", "x", INCIDENT)
    assert offline.value.kind == "unreachable"
