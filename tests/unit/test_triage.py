"""Triage edits: each lands in the change log with its author, and its inverse undoes it."""

import json
from zoneinfo import ZoneInfo

import pytest

from gspace import triage
from gspace.errors import GspaceError
from gspace.store import query, records
from gspace.store.incident import Incident


@pytest.fixture
def incident(tmp_path):
    with Incident.create(tmp_path / "inc", name="試験") as inc:
        inc.actor = "佐藤"
        yield inc


def add(inc, **fields):
    row = {"kind": "sns", "text": "道路が冠水", "observed_at": "2026-11-20T10:00:00+09:00"}
    with inc.transaction():
        return records.add_reports(inc, [{**row, **fields}])[0]


def test_a_bulk_status_change_is_one_edit_and_its_inverse_restores_every_report(incident):
    ids = [add(incident, status=s) for s in ("new", "new", "verified")]
    undo = triage.set_fields(incident, ids, status="rejected")
    assert {query.report(incident, i)["status"] for i in ids} == {"rejected"}
    assert undo == {
        ids[0]: {"status": "new"},
        ids[1]: {"status": "new"},
        ids[2]: {"status": "verified"},
    }
    redo = triage.apply(incident, undo)
    assert [query.report(incident, i)["status"] for i in ids] == ["new", "new", "verified"]
    assert set(redo) == set(ids)
    ops = incident.conn.execute(
        "SELECT count(*) FROM changes WHERE op = 'update' AND actor = '佐藤'"
    ).fetchone()[0]
    assert ops == 6  # three changes, three undone: all logged, nothing rewritten


def test_fields_that_already_have_the_value_are_not_logged_or_undone(incident):
    rid = add(incident, status="verified", severity="high")
    undo = triage.set_fields(incident, [rid], status="verified", severity="low", note="現地確認")
    assert undo == {rid: {"severity": "high", "note": None}}
    assert query.report(incident, rid)["note"] == "現地確認"


def test_bad_values_are_refused_before_anything_is_written(incident):
    rid = add(incident)
    before = incident.conn.execute("SELECT count(*) FROM changes").fetchone()[0]
    with pytest.raises(GspaceError, match="unknown status"):
        triage.set_fields(incident, [rid], status="done")
    with pytest.raises(GspaceError, match="cannot be edited in: text"):
        triage.apply(incident, {rid: {"text": "書き換え"}})
    with pytest.raises(GspaceError, match="no report"):
        triage.set_fields(incident, [rid, "missing"], status="verified")
    assert query.report(incident, rid)["status"] == "new"  # the transaction rolled back
    assert incident.conn.execute("SELECT count(*) FROM changes").fetchone()[0] == before


def test_moving_a_report_updates_its_spatial_index_and_undo_puts_it_back(incident):
    rid = add(incident, lon=130.70, lat=32.80, location_source="post", accuracy_m=10.0)
    undo = triage.move(incident, rid, 32.81234567891, 130.7123456789)
    moved = query.report(incident, rid)
    assert (moved["lat"], moved["lon"], moved["location_source"]) == (
        32.8123457,
        130.7123457,
        "manual",
    )
    assert moved["accuracy_m"] is None
    near_new = query.ReportFilter(bbox=(130.71, 32.81, 130.72, 32.82))
    assert [r["id"] for r in query.reports(incident, near_new)] == [rid]
    triage.apply(incident, undo)
    back = query.report(incident, rid)
    assert (back["lat"], back["lon"], back["location_source"], back["accuracy_m"]) == (
        32.80,
        130.70,
        "post",
        10.0,
    )
    assert query.count_reports(incident, near_new) == 0


def test_merging_keeps_the_others_media_categories_and_links_and_undo_separates_them(incident):
    keeper = add(incident, media=["a" * 64], category="flooding", source="IMG_1.JPG")
    other = add(
        incident,
        media=["b" * 64, "a" * 64],
        category="road_blocked",
        source="https://example.jp/post/1",
        properties={"url": "https://example.jp/post/1"},
    )
    undo = triage.merge(incident, keeper, [other, keeper])
    kept, dup = query.report(incident, keeper), query.report(incident, other)
    assert kept["media"] == ["a" * 64, "b" * 64]
    assert kept["category"] == "flooding,road_blocked"
    assert kept["properties"]["merged"] == [other]
    assert kept["properties"]["links"] == ["https://example.jp/post/1"]
    assert dup["status"] == "duplicate" and dup["properties"]["duplicate_of"] == keeper
    assert dup["media"] == ["b" * 64, "a" * 64]  # the duplicate keeps its own media too
    triage.apply(incident, undo)
    kept, dup = query.report(incident, keeper), query.report(incident, other)
    assert (kept["media"], kept["category"], kept["properties"]) == (["a" * 64], "flooding", {})
    assert dup["status"] == "new" and "duplicate_of" not in dup["properties"]
    with pytest.raises(GspaceError, match="at least two"):
        triage.merge(incident, keeper, [keeper])


def test_history_says_who_changed_what_and_when_in_the_incident_time_zone(incident):
    rid = add(incident)
    triage.set_fields(incident, [rid], status="verified")
    incident.actor = "田中"
    triage.set_fields(incident, [rid], note="救助要請あり", severity="high")
    entries = triage.history(incident, rid, ZoneInfo("Asia/Tokyo"))
    assert [(e["op"], e["actor"]) for e in entries] == [
        ("insert", "佐藤"),
        ("update", "佐藤"),
        ("update", "田中"),
    ]
    assert entries[1]["fields"] == {"status": "verified"}
    assert entries[1]["prior"] == {"status": "new"}
    assert entries[2]["fields"] == {"note": "救助要請あり", "severity": "high"}
    assert entries[2]["prior"] == {"note": None, "severity": None}
    assert entries[2]["at"].utcoffset().total_seconds() == 9 * 3600
    assert entries[0]["fields"] == entries[0]["prior"] == {}  # the row itself holds the insert


def test_a_version_3_store_gains_notes_and_actors_when_opened(tmp_path):
    from gspace.store.schema import migrate

    with Incident.create(tmp_path / "inc") as inc:
        pass
    import sqlite3

    import sqlite_utils

    conn = sqlite3.connect(tmp_path / "old.sqlite", isolation_level=None)
    migrate(sqlite_utils.Database(conn), to=3)
    conn.execute("INSERT INTO meta VALUES ('name', 'old')")
    conn.execute(
        "INSERT INTO reports (rid, id, kind, status, text) VALUES (1, 'r1', 'sns', 'new', 'x')"
    )
    conn.close()
    (tmp_path / "inc" / "store.sqlite").unlink()
    (tmp_path / "old.sqlite").rename(tmp_path / "inc" / "store.sqlite")
    with Incident.open(tmp_path / "inc") as inc:
        triage.set_fields(inc, ["r1"], note="確認")
        assert query.report(inc, "r1")["note"] == "確認"
        data = inc.conn.execute("SELECT data FROM changes WHERE row_id = 'r1'").fetchone()[0]
        assert json.loads(data) == {"note": "確認"}
