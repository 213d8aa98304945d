"""Live shelter-status feeds: snapshots built from real municipal shelter lists update the
stored shelters (never add any), in the snapshot's own time order, and list what they cannot
use."""

import csv
import io
import json
import os
import signal
import subprocess
import time

import pytest
from helpers import gspace_command, run_gspace

from gspace import shelters
from gspace.ingest.layers import import_layer
from gspace.ingest.status_feed import import_status, parse_feed_time, snapshot_stamp
from gspace.store import query

FEED_COLUMNS = ["避難所名", "市区町村名", "開設状況", "混雑状況", "避難者数", "更新日時"]


@pytest.fixture
def two_cities(layers_dir, incident):
    """Ichikawa (CP932, 121 shelters) and Matsuyama (390, with capacities)."""
    import_layer(incident, layers_dir / "122033_103_evacuation_space.csv", "shelter")
    import_layer(incident, layers_dir / "382019_evacuation_space.csv", "shelter")
    return incident


def write_csv(path, rows, encoding="cp932", columns=FEED_COLUMNS):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def situation(incident):
    return {
        s.name: (s.status, s.evacuees, s.crowding)
        for s in shelters.overview(incident).shelters
        if s.status != "unknown"
    }


def test_snapshots_update_in_their_own_time_order(two_cities, tmp_path):
    inc = two_cities
    count = sum(query.feature_counts(inc).values())
    first = write_csv(
        tmp_path / "status_1000.csv",
        [
            ["城山公園", "松山市", "開設", "空いています", "120", "2026/11/30 10:00"],
            ["東雲公園", "松山市", "開設", "混雑", "4,700", "2026/11/30 10:00"],
            ["大町小学校", "市川市", "開設", "やや混雑", "85", "2026年11月30日 10時00分"],
            ["県立国分高校", "市川市", "未開設", "", "", "2026-11-30 10:00"],
            ["架空小学校", "市川市", "開設", "空いています", "10", "2026/11/30 10:00"],
            ["大柏小学校", "市川市", "開設", "空いています", "たくさん", "2026/11/30 10:00"],
        ],
    )
    summary = import_status(inc, first)
    assert summary.encoding == "cp932"
    assert (summary.rows, summary.updated, summary.older) == (6, 4, 0)
    assert summary.unmatched == [(6, "no shelter is called '架空小学校' in that municipality")]
    assert summary.skipped == [(7, "evacuees takes a whole number, not 'たくさん'")]
    assert situation(inc) == {
        "城山公園": ("open", 120, "empty"),
        "東雲公園": ("open", 4700, "crowded"),
        "大町小学校": ("open", 85, "moderate"),
        "県立国分高校": ("not_opened", None, None),
    }
    park = next(s for s in shelters.overview(inc).shelters if s.name == "城山公園")
    assert park.reported_at == "2026-11-30T10:00:00+09:00"  # read in the incident's zone
    assert park.free == 50700 - 120

    # the next snapshot, from a prefecture portal: JSON with English snake_case names
    second = tmp_path / "status_1200.json"
    second.write_text(
        json.dumps(
            {
                "shelters": [
                    {
                        "shelter_name": "城山公園",
                        "opening_status": "open",
                        "crowding": "crowded",
                        "evacuees": 3000,
                        "updated_at": "2026-11-30T12:00:00+09:00",
                    },
                    {
                        "shelter_name": "東雲公園",
                        "opening_status": "full",
                        "crowding": "full",
                        "evacuees": 4800,
                        "updated_at": "2026-11-30T03:00:00Z",
                    },
                    {
                        "shelter_name": "大町小学校",
                        "opening_status": "open",
                        "crowding": "moderate",
                        "evacuees": 85,
                        "updated_at": "2026-11-30T12:00:00",
                    },
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    summary = import_status(inc, second)
    assert (summary.updated, summary.confirmed, summary.older) == (2, 1, 0)
    assert situation(inc)["城山公園"] == ("open", 3000, "crowded")
    assert situation(inc)["東雲公園"] == ("full", 4800, "full")

    # a snapshot from 11:00 arrives late: it changes nothing
    late = write_csv(
        tmp_path / "status_1100.csv",
        [
            ["城山公園", "松山市", "閉鎖", "空いています", "5", "2026/11/30 11:00"],
            ["大町小学校", "市川市", "閉鎖", "", "0", "2026/11/30 11:00"],
        ],
    )
    before = situation(inc)
    summary = import_status(inc, late)
    assert (summary.updated, summary.older) == (0, 2)
    assert situation(inc) == before

    # nothing added, and every change kept in the change log
    assert sum(query.feature_counts(inc).values()) == count
    park_id = park.id
    assert shelters.history(inc, park_id) == [
        ("2026-11-30T10:00:00+09:00", 120),
        ("2026-11-30T12:00:00+09:00", 3000),
    ]
    logged = inc.conn.execute(
        "SELECT count(*) FROM changes WHERE row_id = ? AND op = 'update'", (park_id,)
    ).fetchone()[0]
    assert logged == 2


def test_times_and_stamps():
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    assert parse_feed_time("2026/11/30 9:05", tokyo).isoformat() == "2026-11-30T09:05:00+09:00"
    assert parse_feed_time("２０２６年１１月３０日 ９時０５分", tokyo).hour == 9
    assert parse_feed_time("2026-11-30T00:05:00Z", tokyo).astimezone(tokyo).hour == 9
    assert parse_feed_time("yesterday", tokyo) is None
    early = snapshot_stamp(parse_feed_time("2026-11-30 10:00", tokyo))
    late = snapshot_stamp(parse_feed_time("2026-11-30 10:01", tokyo))
    assert early < late and early.endswith(".00000")


def test_the_command_lists_what_it_cannot_use(two_cities, tmp_path):
    path = two_cities.path
    two_cities.close()
    feed = write_csv(
        tmp_path / "feed.csv",
        [
            ["城山公園", "松山市", "開設", "混雑", "200", "2026/11/30 10:00"],
            ["どこにもない避難所", "松山市", "開設", "混雑", "1", "2026/11/30 10:00"],
            ["東雲公園", "松山市", "営業中", "混雑", "1", "2026/11/30 10:00"],
        ],
    )
    result = run_gspace("import", "status", path, feed)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert (
        "feed.csv:3: not matched: no shelter is called 'どこにもない避難所' in that municipality"
        in lines
    )
    assert "feed.csv:4: skipped: unknown opening status '営業中'" in lines
    assert lines[-1].startswith("feed.csv: 3 rows: 1 shelters updated")
    nothing = run_gspace("import", "status", path)
    assert nothing.returncode == 2 and "--watch" in nothing.stderr


def test_a_watch_folder_imports_each_snapshot_once(two_cities, tmp_path):
    path = two_cities.path
    two_cities.close()
    drop = tmp_path / "drop"
    drop.mkdir()
    write_csv(drop / "a.csv", [["城山公園", "松山市", "開設", "混雑", "200", "2026/11/30 10:00"]])
    old = time.time() - 60
    os.utime(drop / "a.csv", (old, old))
    process = subprocess.Popen(
        [
            *gspace_command(),
            "import",
            "status",
            str(path),
            "--watch",
            str(drop),
            "--interval",
            "0.5",
        ],
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        time.sleep(4)
        write_csv(
            drop / "b.csv", [["城山公園", "松山市", "満員", "満員", "900", "2026/11/30 11:00"]]
        )
        (drop / "copy of a.csv").write_bytes((drop / "a.csv").read_bytes())
        time.sleep(5)
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert err.count("1 shelters updated") == 2  # a.csv, then b.csv; its copy not again
    assert "2 snapshots imported" in err and "Traceback" not in err
    from gspace.store.incident import Incident

    with Incident.open(path) as inc:
        assert situation(inc)["城山公園"] == ("full", 900, "full")


def test_one_look_into_a_watch_folder_takes_each_file_once(two_cities, tmp_path):
    from gspace.ingest.status_watch import import_new

    drop = tmp_path / "drop"
    drop.mkdir()
    write_csv(drop / "a.csv", [["城山公園", "松山市", "開設", "混雑", "200", "2026/11/30 10:00"]])
    (drop / "broken.json").write_text("{not json", encoding="utf-8")
    (drop / "notes.pdf").write_bytes(b"%PDF")  # not a snapshot: left alone
    old = time.time() - 60
    for path in drop.iterdir():
        os.utime(path, (old, old))
    heard = []
    assert import_new(two_cities, drop, report=lambda p, s, e: heard.append((p.name, e))) == 1
    assert heard[0] == ("a.csv", None)
    assert heard[1][0] == "broken.json" and heard[1][1].startswith("broken.json")
    assert import_new(two_cities, drop) == 0  # remembered, even the broken one
    assert situation(two_cities)["城山公園"] == ("open", 200, "crowded")


def test_two_laptops_importing_snapshots_in_either_order_end_with_the_newest(layers_dir, tmp_path):
    """The snapshot's own time decides across laptops too: laptop A imports the 11:00 snapshot;
    laptop B, later and without it, the 10:30 one and then the 10:00 one (older than what B
    has: nothing changes). B's writes are the later ones by the wall clock, yet after the two
    exchange their changes both hold the 11:00 values, and no conflict is listed."""
    import shutil

    from conflict_laptops import meet

    from gspace.store.incident import Incident
    from gspace.sync.conflicts import list_conflicts

    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    with Incident.create(a_dir) as inc:
        import_layer(inc, layers_dir / "382019_evacuation_space.csv", "shelter")
    shutil.copytree(a_dir, b_dir)  # the same incident on a second laptop

    def snapshot(name, evacuees, crowding, at):
        rows = [["城山公園", "松山市", "開設", crowding, evacuees, at]]
        return write_csv(tmp_path / name, rows, encoding="utf-8")

    s10 = snapshot("s10.csv", "120", "空いています", "2026-11-30 10:00")
    s1030 = snapshot("s1030.csv", "300", "やや混雑", "2026-11-30 10:30")
    s11 = snapshot("s11.csv", "450", "混雑", "2026-11-30 11:00")
    with Incident.open(a_dir) as inc:
        assert import_status(inc, s11).updated == 1
    with Incident.open(b_dir) as inc:
        assert import_status(inc, s1030).updated == 1
        assert import_status(inc, s10).older == 1
        assert situation(inc)["城山公園"] == ("open", 300, "moderate")
    meet([a_dir, b_dir])
    for folder in (a_dir, b_dir):
        with Incident.open(folder) as inc:
            assert situation(inc)["城山公園"] == ("open", 450, "crowded")
            assert list_conflicts(inc) == []
