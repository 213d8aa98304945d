"""What an analyst does on the hub itself (issue 17, roles): verify a report and settle a
conflict; the laptops receive both at their next sync, with the analyst's name as the actor."""

from __future__ import annotations

import pytest
from hub_helpers import Hub

from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync.conflicts import list_conflicts
from gspace.sync.dump import canonical_dump

INCIDENT = "熊本豪雨"


@pytest.fixture
def hub(tmp_path):
    h = Hub(tmp_path / "hub")
    yield h
    h.close()


def test_an_analyst_verifies_and_settles_on_the_hub_and_the_laptops_follow(tmp_path, hub):
    a = Incident.create(tmp_path / "a", name=INCIDENT)
    b = Incident.create(tmp_path / "b", name=INCIDENT)
    ta, tb = hub.token(name="田中"), hub.token(name="佐藤")
    analyst = {"Authorization": f"Bearer {hub.token('analyst', '分析担当', None)}"}
    with a.transaction():
        first, second = records.add_reports(
            a,
            [
                {"kind": "manual", "lon": 130.7, "lat": 32.8, "text": "一"},
                {"kind": "manual", "lon": 130.7, "lat": 32.81, "text": "二"},
            ],
        )
    hub.sync(a, ta)
    hub.sync(b, tb)
    with a.transaction():
        records.update_report(a, second, note="水が引いた")
    with b.transaction():
        records.update_report(b, second, note="まだ冠水")
    hub.sync(a, ta)
    hub.sync(b, tb)
    url = f"/v1/incidents/{INCIDENT}"
    r = hub.client().post(
        f"{url}/reports/{first}/status", json={"status": "verified"}, headers=analyst
    )
    assert r.status_code == 200
    [conflict] = hub.client().get(f"{url}/conflicts", headers=analyst).json()["conflicts"]
    assert sorted(v["value"] for v in conflict["values"]) == ["まだ冠水", "水が引いた"]
    take = 1 + [v["value"] for v in conflict["values"]].index("まだ冠水")
    r = hub.client().post(
        f"{url}/conflicts/{conflict['id']}/settle", json={"take": take}, headers=analyst
    )
    assert r.status_code == 200, r.text
    hub.sync(a, ta)
    hub.sync(b, tb)
    for inc in (a, b):
        row = inc.conn.execute("SELECT status FROM reports WHERE id = ?", (first,)).fetchone()
        assert row[0] == "verified"
        note = inc.conn.execute("SELECT note FROM reports WHERE id = ?", (second,)).fetchone()
        assert note[0] == "まだ冠水"
        assert list_conflicts(inc) == []  # settled everywhere
        [actor] = inc.conn.execute(
            "SELECT actor FROM changes WHERE row_id = ? AND op = 'update'", (first,)
        ).fetchone()
        assert actor == "分析担当"
    assert canonical_dump(a) == canonical_dump(b) == canonical_dump(hub.incident())
