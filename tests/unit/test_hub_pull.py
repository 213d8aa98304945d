"""A laptop's pull leaves out its own entries (issue 17, "Speed"): it has them, and the hub's
stamps for them came back in the push answers; its cursor still moves past them."""

from __future__ import annotations

from hub_helpers import Hub

from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync.dump import canonical_dump

INCIDENT = "熊本豪雨"


def test_the_hub_leaves_the_pullers_own_entries_out_of_the_page(tmp_path):
    hub = Hub(tmp_path / "hub")
    try:
        a = Incident.create(tmp_path / "a", name=INCIDENT)
        with a.transaction():
            records.add_reports(
                a,
                [{"kind": "manual", "lon": 130.7, "lat": 32.8, "text": f"{i}"} for i in range(30)],
            )
        token = hub.token()
        assert hub.sync(a, token).received == 0
        auth = {"Authorization": f"Bearer {token}"}
        url = f"/v1/incidents/{INCIDENT}/pull"
        own = hub.client().get(url, params={"origin": a.device_id}, headers=auth).json()
        every = hub.client().get(url, headers=auth).json()
        assert own["entries"] == [] and own["next"] == every["next"] == every["last"]
        assert len(every["entries"]) == 30
        b = Incident.create(tmp_path / "b", name=INCIDENT)
        assert hub.sync(b, token).received == 30
        assert canonical_dump(a) == canonical_dump(b) == canonical_dump(hub.incident())
    finally:
        hub.close()
