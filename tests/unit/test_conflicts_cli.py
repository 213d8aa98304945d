"""`gspace conflicts` and `gspace conflicts settle` through the real entry point, on three
laptops (copies of the demo incident) that changed one report's status while apart and then
merged with the real sync engine (tests/conflict_laptops.py)."""

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conflict_laptops import EDITS, copies, deleted_and_edited, meet, three_laptops
from helpers import run_gspace

from gspace.refs import ref
from gspace.store import records
from gspace.store.incident import Incident


@pytest.fixture
def laptops(demo_template, tmp_path):
    folders, report_id = three_laptops(demo_template, tmp_path)
    meet(folders)
    return folders, report_id


def listed(folder, *options):
    result = run_gspace("conflicts", folder, "--format", "json", *options)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def status_of(folder, report_id):
    with Incident.open(folder, write=False) as inc:
        return inc.conn.execute("SELECT status FROM reports WHERE id = ?", (report_id,)).fetchone()[
            0
        ]


def test_three_laptops_list_one_conflict_with_three_numbered_values(laptops):
    folders, report_id = laptops
    with Incident.open(folders[0], write=False) as inc:
        text = inc.conn.execute("SELECT text FROM reports WHERE id = ?", (report_id,)).fetchone()[0]
    result = run_gspace("conflicts", folders[0])
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "1 conflict open"
    lines = result.stdout.splitlines()
    assert len(lines) == 4, result.stdout
    heading = lines[0].split("  ")
    assert heading[1] == f"report {ref(report_id)} ({text[:30]})" and heading[2] == "status"
    # each value numbered, in stamp order, with who wrote it and when (Asia/Tokyo: JST)
    for line, (number, (actor, status, _minutes)) in zip(
        lines[1:], enumerate(EDITS, 1), strict=True
    ):
        match = re.fullmatch(
            rf"  {number}  {status}  by {actor} \(([0-9a-f]{{8}})\), "
            r"(\d{4}-\d\d-\d\d \d\d:\d\d) JST",
            line,
        )
        assert match, line
    times = [re.search(r"(\d{4}-\d\d-\d\d \d\d:\d\d) JST", line)[1] for line in lines[1:]]
    first, third = (datetime.strptime(t, "%Y-%m-%d %H:%M") for t in (times[0], times[2]))
    assert (third - first).total_seconds() / 60 in (17, 18, 19)
    devices = {re.search(r"\(([0-9a-f]{8})\)", line)[1] for line in lines[1:]}
    assert len(devices) == 3  # three laptops, three devices
    # every laptop lists the same conflict, the same way
    every = [listed(f) for f in folders]
    assert every[0] == every[1] == every[2]
    [conflict] = every[0]
    assert conflict["row_id"] == report_id and conflict["field"] == "status"
    assert [v["value"] for v in conflict["values"]] == [status for _, status, _ in EDITS]
    at = datetime.fromisoformat(conflict["values"][0]["at"])
    assert at.utcoffset() == datetime.now(ZoneInfo("Asia/Tokyo")).utcoffset()
    assert lines[0].startswith(conflict["id"][:8] + "  ")


def test_settling_takes_a_listed_value_and_the_settlement_syncs(laptops):
    folders, report_id = laptops
    [conflict] = listed(folders[1])
    result = run_gspace("conflicts", "settle", folders[1], conflict["id"][:6].upper(), "--take", 2)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("status: settled as actioned")
    assert status_of(folders[1], report_id) == "actioned"
    assert listed(folders[1]) == []
    assert [c["id"] for c in listed(folders[1], "--all")] == [conflict["id"]]
    # the other laptops still have it open until they meet; then all agree
    assert len(listed(folders[0])) == 1
    meet(folders)
    for folder in folders:
        assert listed(folder) == []
        assert status_of(folder, report_id) == "actioned"


def test_settling_with_another_value(laptops):
    folders, report_id = laptops
    [conflict] = listed(folders[0])
    bad = run_gspace("conflicts", "settle", folders[0], conflict["id"], "--value", "done")
    assert bad.returncode == 1 and "unknown status 'done'" in bad.stderr
    assert len(listed(folders[0])) == 1
    good = run_gspace("conflicts", "settle", folders[0], conflict["id"], "--value", "new")
    assert good.returncode == 0, good.stderr
    assert status_of(folders[0], report_id) == "new"
    assert listed(folders[0]) == []


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["ffffffffff", "--take", "1"], 1, "no conflict with id 'ffffffffff'"),
        (["ID", "--take", "4"], 1, "has 3 values: take 1 to 3, not 4"),
        (["ID", "--take", "0"], 1, "has 3 values: take 1 to 3, not 0"),
        (["ID"], 2, "give --take N or --value V"),
        (["ID", "--take", "1", "--value", "new"], 2, "give --take N or --value V"),
    ],
)
def test_settle_refuses_what_it_cannot_do_and_changes_nothing(laptops, args, code, words):
    folders, report_id = laptops
    [conflict] = listed(folders[0])
    args = [conflict["id"][:8] if a == "ID" else a for a in args]
    result = run_gspace("conflicts", "settle", folders[0], *args)
    assert result.returncode == code, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr
    if code == 1:
        assert len(result.stderr.strip().splitlines()) == 1
    assert listed(folders[0]) == [conflict]


def test_no_conflicts(demo_path):
    result = run_gspace("conflicts", demo_path)
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr.strip() == "0 conflicts open"
    assert listed(demo_path) == []


def report_count(folder):
    result = run_gspace("reports", folder, "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    return len(result.stdout.splitlines())


@pytest.mark.parametrize("keep", ["delete", "edit"])
def test_a_row_deleted_on_one_laptop_and_edited_on_another(demo_template, tmp_path, keep):
    folders, report_id = deleted_and_edited(demo_template, tmp_path)
    meet(folders)
    # the delete stands on both laptops until someone decides; the edit is kept in the conflict
    assert [report_count(f) for f in folders] == [299, 299]
    table = run_gspace("conflicts", folders[1]).stdout.splitlines()
    assert table[0].endswith("  deleted") and len(table) == 3
    assert table[1].startswith("  1  deleted  by 避難所班 佐藤 (")
    assert table[2].startswith("  2  note=現地で確認、けが人2名, status=verified  by 本部 山田 (")
    [conflict] = listed(folders[1])
    assert conflict["kind"] == "delete" and conflict["field"] == "deleted"
    refused = run_gspace("conflicts", "settle", folders[1], conflict["id"], "--value", "x")
    assert refused.returncode == 1 and "take the delete or one of the edits" in refused.stderr
    take = 1 if keep == "delete" else 2
    result = run_gspace("conflicts", "settle", folders[1], conflict["id"], "--take", take)
    assert result.returncode == 0, result.stderr
    expected = "kept deleted" if keep == "delete" else "restored with note=現地で確認"
    assert expected in result.stderr
    meet(folders)
    for folder in folders:
        assert listed(folder) == []
        assert report_count(folder) == (299 if keep == "delete" else 300)
    if keep == "edit":
        assert status_of(folders[0], report_id) == "verified"


def test_a_shelter_whose_status_two_laptops_changed(demo_template, tmp_path):
    folders, _report_id = copies(demo_template, tmp_path, 2)
    with Incident.open(folders[0], write=False) as inc:
        shelter, name, now = inc.conn.execute(
            "SELECT id, name, status FROM features WHERE kind = 'shelter' ORDER BY id LIMIT 1"
        ).fetchone()
    first, second = [s for s in ("open", "full", "closed") if s != now][:2]
    for folder, (actor, value) in zip(folders, [("A", first), ("B", second)], strict=True):
        with Incident.open(folder) as inc, inc.transaction():
            inc.actor = actor
            records.update_feature(inc, shelter, status=value)
    meet(folders)
    lines = run_gspace("conflicts", folders[0]).stdout.splitlines()
    assert lines[0].endswith(f"  feature {ref(shelter)} ({name[:30]})  status")
    assert sorted(line.split("  ")[2] for line in lines[1:]) == sorted([first, second])
    [conflict] = listed(folders[0])
    bad = run_gspace("conflicts", "settle", folders[0], conflict["id"], "--value", "available")
    assert bad.returncode == 1 and "'available' is not a status of shelter (use " in bad.stderr
    good = run_gspace("conflicts", "settle", folders[0], conflict["id"], "--value", now)
    assert good.returncode == 0, good.stderr
    features = json.loads(run_gspace("features", folders[0], "--kind", "shelter").stdout)
    [settled] = [f for f in features["features"] if f["id"] == shelter]
    assert settled["properties"]["status"] == now
    assert listed(folders[0]) == []
