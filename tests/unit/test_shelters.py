"""Shelter operations: each shelter's situation, the HQ overview and its totals, undo, history
(real municipal shelter lists from ../shared/fixtures/layers)."""

import csv
import io
import json
import re
from datetime import datetime, timedelta

import pytest

from gspace import shelters
from gspace.errors import GspaceError
from gspace.ingest.layers import import_layer
from gspace.store import query


@pytest.fixture
def matsuyama(layers_dir, incident):
    """Matsuyama's 390 evacuation spaces (capacities such as "50,700 ")."""
    import_layer(incident, layers_dir / "382019_evacuation_space.csv", "shelter")
    return incident


def by_name(incident, name):
    return next(f for f in query.features(incident, ["shelter"]) if f["name"] == name)


def test_overview_counts_a_shelter_as_its_situation_says(matsuyama):
    park = by_name(matsuyama, "城山公園")
    assert park["attributes"]["capacity"] == 50700
    before = shelters.overview(matsuyama)
    assert before.total.shelters == 390 and before.total.open == 0
    # almost all lie in 松山市 (a few on islands or the border: simplified boundaries)
    assert before.by_municipality["38201"].shelters > 370
    assert sum(t.shelters for t in before.by_municipality.values()) == 390
    assert before.names["38201"] == "愛媛県松山市"

    undo = shelters.set_situation(
        matsuyama,
        park["id"],
        status="open",
        fields={
            "evacuees": "1,200",
            "need_water": "urgent",
            "need_food": "needed",
            "need_other": "粉ミルク",
            "manager": "山田 太郎",
            "contact": "090-1234-5678",
        },
    )
    after = shelters.overview(matsuyama, stale_hours=3)
    state = next(s for s in after.shelters if s.id == park["id"])
    assert (state.status, state.evacuees, state.capacity) == ("open", 1200, 50700)
    assert state.free == 49500 and state.occupancy == pytest.approx(2.4)
    assert state.needs == {"water": "urgent", "food": "needed", "other": "粉ミルク"}
    assert state.urgent and not state.stale and state.age_hours < 0.1
    assert state.manager == "山田 太郎" and state.has_room
    assert after.total.open == 1 and after.total.evacuees == 1200 and after.total.free == 49500
    assert after.by_municipality["38201"].urgent == 1

    # the report ages: six hours later it is flagged for a three-hour limit
    later = shelters.overview(matsuyama, stale_hours=3, now=after.now + timedelta(hours=6))
    assert next(s for s in later.shelters if s.id == park["id"]).stale
    assert later.total.stale == 1

    # what set_situation returned undoes it
    assert undo["status"] == "unknown"
    shelters.set_situation(matsuyama, park["id"], **undo)
    restored = by_name(matsuyama, "城山公園")
    assert restored["status"] == "unknown"
    assert restored["attributes"] == park["attributes"]


def test_a_value_that_does_not_fit_changes_nothing(matsuyama):
    park = by_name(matsuyama, "城山公園")
    with pytest.raises(GspaceError, match="need_water takes one of none, needed, urgent"):
        shelters.set_situation(matsuyama, park["id"], fields={"need_water": "lots"})
    with pytest.raises(GspaceError, match="not a status of shelter"):
        shelters.set_situation(matsuyama, park["id"], status="opened")
    assert by_name(matsuyama, "城山公園") == park


def test_history_of_evacuees_comes_from_the_change_log(matsuyama):
    park = by_name(matsuyama, "城山公園")
    for count, at in ((100, "2026-11-30T08:00:00+09:00"), (250, "2026-11-30T12:00:00+09:00")):
        shelters.set_situation(
            matsuyama, park["id"], "open", {"evacuees": count, "reported_at": at}
        )
    assert shelters.history(matsuyama, park["id"]) == [
        ("2026-11-30T08:00:00+09:00", 100),
        ("2026-11-30T12:00:00+09:00", 250),
    ]


def test_filters_and_full_shelters(matsuyama):
    names = ["城山公園", "東雲公園"]
    for name, status in zip(names, ("open", "full"), strict=True):
        shelters.set_situation(matsuyama, by_name(matsuyama, name)["id"], status)
    view = shelters.overview(matsuyama, statuses=["open", "full"])
    assert sorted(s.name for s in view.shelters) == sorted(names)
    assert view.total.in_operation == 2 and view.total.open == 1
    assert [s.name for s in view.shelters if s.has_room] == ["城山公園"]
    assert shelters.overview(matsuyama, municipalities=["43101"]).total.shelters == 0
    assert isinstance(view.now, datetime)


def test_a_store_from_before_shelter_operations_is_migrated(tmp_path):
    """Version 8: a shelter's `occupancy` becomes `evacuees` (also in what its source said, so a
    re-import does not take it for an edit) and a water point's `source_type` `supply_method`;
    statuses stay, and nothing enters the change log."""
    import sqlite_utils

    from gspace.store.incident import Incident
    from gspace.store.schema import migrate

    folder = tmp_path / "old"
    (folder / "media").mkdir(parents=True)
    db = sqlite_utils.Database(folder / "store.sqlite")
    migrate(db, to=6)
    imported = {"name": "体育館", "attributes": {"occupancy": 40, "capacity": 300}}
    db["features"].insert_all(
        [
            {
                "fid": 1,
                "id": "s1",
                "kind": "shelter",
                "status": "full",
                "name": "体育館",
                "attributes": json.dumps(
                    {"occupancy": 320, "capacity": 300, "_imported": imported}
                ),
            },
            {
                "fid": 2,
                "id": "w1",
                "kind": "water",
                "status": "available",
                "attributes": '{"source_type": "給水車"}',
            },
            {"fid": 3, "id": "g1", "kind": "generic", "attributes": '{"occupancy": "x"}'},
        ]
    )
    db.close()
    with Incident.open(folder) as inc:
        rows = {f["id"]: f for f in query.features(inc)}
        assert rows["s1"]["status"] == "full"
        assert rows["s1"]["attributes"]["evacuees"] == 320
        assert "occupancy" not in rows["s1"]["attributes"]
        assert rows["s1"]["attributes"]["_imported"]["attributes"] == {
            "evacuees": 40,
            "capacity": 300,
        }
        assert rows["w1"]["attributes"] == {"supply_method": "給水車"}
        assert rows["g1"]["attributes"] == {"occupancy": "x"}  # other kinds keep their columns
        assert inc.conn.execute("SELECT count(*) FROM changes").fetchone()[0] == 0
        assert shelters.overview(inc).total.evacuees == 320


def test_the_shelters_command_in_three_formats(matsuyama):
    from helpers import run_gspace

    park, east = by_name(matsuyama, "城山公園"), by_name(matsuyama, "東雲公園")
    shelters.set_situation(
        matsuyama,
        park["id"],
        "open",
        {"evacuees": 700, "need_water": "urgent", "need_other": "=HYPERLINK(\"http://x\")",
         "reported_at": (datetime.now(matsuyama.timezone) - timedelta(hours=10)).isoformat()},
    )  # fmt: skip
    shelters.set_situation(matsuyama, east["id"], "full", {"evacuees": 4800})
    path = matsuyama.path
    matsuyama.close()

    table = run_gspace("shelters", path, "--status", "open,full", "--stale", "6", check=True)
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["ref", "name", "status"]
    [park_line] = [line for line in lines if "城山公園" in line]
    assert "700/50700" in park_line and "water!" in park_line and park_line.endswith("!")
    assert "10 h 0 min !" in park_line or "10 h 1 min !" in park_line  # the report's age
    assert lines[-1].startswith("total: 2 shelters, 1 open (1 full), 5500 evacuees, 50000 free")
    assert table.stderr.strip() == "2 shelters: 1 open, 5500 evacuees, 50000 free places, 1 stale"

    ja = run_gspace("shelters", path, "--status", "open", "--stale", "6", "--lang", "ja")
    [park_line] = [line for line in ja.stdout.splitlines() if "城山公園" in line]
    assert "10時間0分 !" in park_line or "10時間1分 !" in park_line  # no "h" in Japanese

    rows = run_gspace("shelters", path, "--format", "csv", "--sort", "evacuees", check=True)
    records = list(csv.DictReader(io.StringIO(rows.stdout.lstrip("\ufeff"))))
    assert [r["name"] for r in records[:2]] == ["東雲公園", "城山公園"]
    assert records[1]["need_other"] == '\'=HYPERLINK("http://x")'  # not a formula
    assert records[1]["need_water"] == "urgent" and records[1]["free"] == "50000"

    document = json.loads(
        run_gspace(
            "shelters", path, "--format", "json", "--municipality", "松山市", check=True
        ).stdout
    )
    assert document["total"]["evacuees"] == 5500 and document["total"]["in_operation"] == 2
    [matsuyama_totals] = [m for m in document["municipalities"] if m["muni_code"] == "38201"]
    assert matsuyama_totals["municipality"] == "愛媛県松山市"
    assert {s["name"] for s in document["shelters"] if s["status"] != "unknown"} == {
        "城山公園",
        "東雲公園",
    }
    bad = run_gspace("shelters", path, "--status", "opened")
    assert bad.returncode == 2 and "use not_opened, open, full, closed, unknown" in bad.stderr


def test_the_nearest_shelter_is_one_with_room(matsuyama):
    from gspace.catalog import incident_catalog
    from gspace.nearest import nearest_places

    catalog = incident_catalog(matsuyama.path)
    castle, east = by_name(matsuyama, "城山公園"), by_name(matsuyama, "東雲公園")
    lon, lat = castle["lon"] + 0.0005, castle["lat"]  # a point (a click) beside the castle park
    assert [p.kind for p in nearest_places(matsuyama, lon, lat, catalog, ["shelter"])] == []
    shelters.set_situation(matsuyama, east["id"], "open", {"evacuees": 4700})
    shelters.set_situation(matsuyama, castle["id"], "open", {"evacuees": 50700})  # no room
    [place] = nearest_places(matsuyama, lon, lat, catalog, ["shelter"])
    assert place.feature["name"] == "東雲公園" and place.free == 100
    assert 800 < place.metres < 1500
    shelters.set_situation(matsuyama, castle["id"], None, {"evacuees": 50000})
    [place] = nearest_places(matsuyama, lon, lat, catalog, ["shelter"])
    assert place.feature["name"] == "城山公園" and place.free == 700 and place.metres < 100
    shelters.set_situation(matsuyama, castle["id"], None, {"crowding": "full"})
    assert (
        nearest_places(matsuyama, lon, lat, catalog, ["shelter"])[0].feature["name"] == "東雲公園"
    )
    shelters.set_situation(matsuyama, castle["id"], "full", {"crowding": ""})
    assert (
        nearest_places(matsuyama, lon, lat, catalog, ["shelter"])[0].feature["name"] == "東雲公園"
    )


def test_the_support_map_kinds(layers_dir):
    from gspace.catalog import load_catalog

    catalog = load_catalog()
    for kind, ja in (("bathhouse", "入浴施設"), ("charging", "充電スポット"),
                     ("supply_depot", "救援物資拠点")):  # fmt: skip
        known = catalog[kind]
        assert known.title["ja"] == ja and known.title["en"]
        assert known.usable and known.statuses[-1].id == "unknown"
        assert all(s.label["ja"] and s.label["en"] for s in known.statuses)
        assert "hours" in known.fields and set(known.public) <= set(known.fields)
    assert "manager" not in catalog["supply_depot"].public
    assert catalog["shelter"].public and "manager" not in catalog["shelter"].public


def test_refresh_after_an_edit_equals_a_new_overview(matsuyama):
    view = shelters.overview(matsuyama, stale_hours=2)
    park = by_name(matsuyama, "城山公園")
    shelters.set_situation(matsuyama, park["id"], "open", {"evacuees": 300, "need_food": "urgent"})
    refreshed = shelters.refresh(matsuyama, view, [park["id"]], now=view.now)
    again = shelters.overview(matsuyama, stale_hours=2, now=view.now)
    assert refreshed.total == again.total and refreshed.total.evacuees == 300
    assert refreshed.by_municipality == again.by_municipality
    assert refreshed.shelters == again.shelters


def test_the_command_knows_the_overview_sorts_and_formats():
    from gspace import cli_shelters
    from gspace.export import shelter_lists

    assert cli_shelters.SORTS == shelter_lists.SORTS
    assert cli_shelters.FORMATS == shelter_lists.FORMATS


@pytest.mark.parametrize(
    ("seconds", "en", "ja"),
    [
        (None, "-", "-"),
        (-5, "0 min", "0分"),  # a report a little in the future (clocks differ): just now
        (40 * 60 + 59, "40 min", "40分"),
        (5 * 3600 + 10 * 60, "5 h 10 min", "5時間10分"),
        (47 * 3600 + 59 * 60, "47 h 59 min", "47時間59分"),
        (51 * 3600, "2 d 3 h", "2日3時間"),
    ],
)
def test_the_age_of_a_report_in_both_languages(seconds, en, ja):
    assert shelters.age_text(seconds, "en") == en
    assert shelters.age_text(seconds, None) == en  # the command without --lang
    assert shelters.age_text(seconds, "ja") == ja


def test_a_report_time_is_shown_in_the_incidents_zone(matsuyama):
    zone = matsuyama.timezone  # Asia/Tokyo
    assert shelters.time_text("2026-11-30T02:03:42+00:00", zone) == "2026-11-30 11:03 JST"
    assert shelters.time_text("2026-11-30T11:03:42+09:00", zone) == "2026-11-30 11:03 JST"
    # without an offset: a time of the incident's zone
    assert shelters.time_text("2026-11-30 11:03", zone) == "2026-11-30 11:03 JST"
    assert shelters.time_text("yesterday", zone) == "yesterday"  # not a time: shown as it is
    assert shelters.time_text(None, zone) == ""


def test_a_note_is_written_checked_and_undone_with_the_situation(matsuyama):
    park = by_name(matsuyama, "城山公園")
    undo = shelters.set_situation(matsuyama, park["id"], fields={"evacuees": "40"}, note="A\r\nB")
    written = by_name(matsuyama, "城山公園")
    assert written["note"] == "A\nB" and written["attributes"]["evacuees"] == 40
    assert undo["note"] == (park["note"] or "")  # the note comes back with the undo
    for bad, why in (("x\x00y", "control character (U+0000)"), (12, "a note is text, not int")):
        with pytest.raises(GspaceError, match=re.escape(why)):
            shelters.set_situation(matsuyama, park["id"], status="open", note=bad)
    with pytest.raises(GspaceError, match="longer than 10000 characters"):
        shelters.set_situation(matsuyama, park["id"], note="あ" * 10_001)
    assert by_name(matsuyama, "城山公園") == written  # nothing written, the status neither
    shelters.set_situation(matsuyama, park["id"], **undo)
    assert by_name(matsuyama, "城山公園") == park
