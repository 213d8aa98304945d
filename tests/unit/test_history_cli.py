"""`gspace feature delete`, `gspace layer delete`, `gspace history` and `gspace history revert`
through the real entry point, on copies of the demo incident: what a delete takes out of
`gspace features` and exports, what the history lists, that reverting brings rows and values
back, and that all of it travels through real bundle files to another laptop."""

import json
import sqlite3

import pytest
from conflict_laptops import copies
from helpers import run_gspace


def gspace_ok(*args):
    result = run_gspace(*args)
    assert result.returncode == 0, result.stderr
    return result


def features_by_id(folder, *options):
    result = gspace_ok("features", folder, "--format", "jsonl", *options)
    return {f["id"]: f for f in map(json.loads, result.stdout.splitlines())}


def history_of(folder, ref):
    return json.loads(gspace_ok("history", folder, ref, "--format", "json").stdout)


def shelter(folder):
    """A shelter of the demo with a capacity, as `gspace features` prints it."""
    found = features_by_id(folder, "--kind", "shelter")
    return next(f for f in found.values() if f["attributes"].get("capacity"))


def exported_ids(folder, out):
    """The ids of the features in a GeoPackage export (one table per layer kind)."""
    gspace_ok("export", folder, out.with_suffix(".gpkg"))
    conn = sqlite3.connect(out.with_suffix(".gpkg"))
    try:
        tables = [t for (t,) in conn.execute("SELECT table_name FROM gpkg_contents")]
        return {
            i
            for t in tables
            if t in ("shelter", "water", "wifi")
            for (i,) in conn.execute(f'SELECT id FROM "{t}"')
        }
    finally:
        conn.close()


def send(source, target, tmp_path, name):
    """A real bundle from one laptop's folder to another's."""
    bundle = tmp_path / f"{name}.gsb"
    gspace_ok("bundle", "export", source, bundle)
    gspace_ok("bundle", "import", target, bundle)


def test_a_deleted_feature_leaves_lists_and_exports_and_a_revert_brings_it_back(
    demo_path, tmp_path
):
    before = shelter(demo_path)
    assert before["id"] in exported_ids(demo_path, tmp_path / "before.geojson")
    result = gspace_ok("feature", "delete", demo_path, before["ref"])
    assert result.stderr.startswith(f"{before['ref']} ({before['name']}): deleted")
    after = features_by_id(demo_path)
    assert before["id"] not in after
    assert before["id"] not in exported_ids(demo_path, tmp_path / "after.geojson")
    # deleting it again: it is gone, one line, exit 1
    again = run_gspace("feature", "delete", demo_path, before["ref"])
    assert again.returncode == 1
    assert again.stderr.strip() == f"gspace: no feature with id or reference {before['ref']!r}"

    listed = history_of(demo_path, before["ref"])
    assert listed["deleted"] is True and listed["id"] == before["id"]
    newest, *older = listed["changes"]
    assert newest["op"] == "delete" and older[-1]["op"] == "insert"
    assert [c["seq"] for c in listed["changes"]] == sorted(
        (c["seq"] for c in listed["changes"]), reverse=True
    )
    assert newest["actor"] and len(newest["origin"]) == 32
    table = gspace_ok("history", demo_path, before["ref"]).stdout.splitlines()
    assert table[0] == f"feature {before['ref']} ({before['name']}) (deleted)"
    assert table[1].split()[0] == str(newest["seq"]) and table[1].endswith("  delete")

    revert = gspace_ok("history", "revert", demo_path, str(newest["seq"]))
    assert revert.stderr.strip() == f"feature {before['ref']} ({before['name']}): put back restored"
    restored = features_by_id(demo_path)[before["id"]]
    assert restored == before  # every attribute as it was
    assert before["id"] in exported_ids(demo_path, tmp_path / "restored.geojson")
    assert history_of(demo_path, before["ref"])["changes"][0]["op"] == "restore"


def test_reverting_an_update_puts_the_old_values_back(demo_path):
    before = shelter(demo_path)
    status = "closed" if before["status"] != "closed" else "open"
    gspace_ok(
        "feature", "set", demo_path, before["ref"], "--status", status, "--field", "capacity=9"
    )
    assert features_by_id(demo_path)[before["id"]]["status"] == status
    update = history_of(demo_path, before["ref"])["changes"][0]
    assert update["op"] == "update"
    fields = {f["name"]: (f["old"], f["new"]) for f in update["fields"]}
    assert fields["status"] == (before["status"], status)
    capacity = before["attributes"]["capacity"]
    assert fields["attributes.capacity"] == (capacity, 9)
    table = gspace_ok("history", demo_path, before["ref"]).stdout
    assert f"        status {before['status']} -> {status}\n" in table
    assert f"        attributes.capacity {capacity} -> 9\n" in table

    result = gspace_ok("history", "revert", demo_path, str(update["seq"]))
    assert f"status {status} -> {before['status']}" in result.stderr
    assert f"attributes.capacity 9 -> {capacity}" in result.stderr
    assert features_by_id(demo_path)[before["id"]] == before
    # the revert is a change of its own, listed first; reverting the same change again is
    # a no-op said in one line
    assert history_of(demo_path, before["ref"])["changes"][0]["seq"] > update["seq"]
    again = gspace_ok("history", "revert", demo_path, str(update["seq"]))
    assert "nothing changed" in again.stderr


def test_a_deleted_layer_takes_its_features_along_and_a_revert_brings_them_back(
    demo_path, tmp_path
):
    water = features_by_id(demo_path, "--kind", "water")
    assert len(water) == 16
    layers = json.loads(gspace_ok("layer", "list", demo_path, "--format", "json").stdout)
    [layer] = [entry for entry in layers if entry["kind"] == "water"]
    result = gspace_ok("layer", "delete", demo_path, layer["name"])
    assert f"deleted with its {len(water)} features" in result.stderr
    assert features_by_id(demo_path, "--kind", "water") == {}
    assert not set(water) & exported_ids(demo_path, tmp_path / "map.geojson")
    some = next(iter(water.values()))
    # a feature of a deleted layer is gone for every command
    gone = run_gspace("feature", "set", demo_path, some["ref"], "--status", "closed")
    assert gone.returncode == 1 and "no feature with id or reference" in gone.stderr
    listed = gspace_ok("layer", "list", demo_path).stdout
    assert "water" not in listed
    assert "(deleted)" in gspace_ok("layer", "list", demo_path, "--all").stdout

    history = history_of(demo_path, layer["ref"])
    assert history["table"] == "layers" and history["deleted"] is True
    gspace_ok("history", "revert", demo_path, str(history["changes"][0]["seq"]))
    assert features_by_id(demo_path, "--kind", "water") == water


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["history", "INC", "ZZZZ-ZZZZ"], 1, "no report, feature or layer with reference"),
        (["history", "revert", "INC", "999999"], 1, "no change 999999"),
        (["history", "revert", "INC", "five"], 2, "'five' is not a valid integer"),
        (["layer", "delete", "INC", "no such layer"], 1, "no layer with id or name"),
        (["feature", "delete", "INC", "!!"], 2, "is not an id or a reference"),
    ],
)
def test_unknown_refs_and_numbers_are_one_line_and_change_nothing(demo_path, args, code, words):
    store = demo_path / "store.sqlite"
    before = store.read_bytes()
    result = run_gspace(*[demo_path if a == "INC" else a for a in args])
    assert result.returncode == code, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    if code == 1:
        assert len(result.stderr.strip().splitlines()) == 1
    assert store.read_bytes() == before


def test_japanese_locale_speaks_japanese(demo_path):
    feature = shelter(demo_path)
    env = {"LANG": "ja_JP.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
    result = run_gspace("feature", "delete", demo_path, feature["ref"], env=env)
    assert result.returncode == 0 and "削除しました" in result.stderr
    listed = run_gspace("history", demo_path, feature["ref"], env=env)
    assert "(削除済み)" in listed.stdout and "  削除\n" in listed.stdout
    missing = run_gspace("history", "revert", demo_path, "999999", env=env)
    assert missing.returncode == 1 and "変更 999999 はありません" in missing.stderr


def test_deletes_and_reverts_travel_in_bundles(demo_template, tmp_path):
    (a, b), _ = copies(demo_template, tmp_path, 2)
    feature = shelter(a)
    gspace_ok("feature", "delete", a, feature["ref"])
    gspace_ok("feature", "set", a, shelter(a)["ref"], "--note", "毛布が不足")
    send(a, b, tmp_path, "a1")
    assert feature["id"] not in features_by_id(b)
    assert history_of(b, feature["ref"])["changes"][0]["op"] == "delete"
    # the revert is made on B and comes back to A
    delete = history_of(b, feature["ref"])["changes"][0]
    gspace_ok("history", "revert", b, str(delete["seq"]))
    send(b, a, tmp_path, "b1")
    assert features_by_id(a)[feature["id"]] == feature
    # a layer deleted on A is gone on B, and its revert brings it back on both
    layers = json.loads(gspace_ok("layer", "list", a, "--format", "json").stdout)
    wifi = next(entry for entry in layers if entry["kind"] == "wifi")
    gspace_ok("layer", "delete", a, wifi["ref"])
    send(a, b, tmp_path, "a2")
    assert features_by_id(b, "--kind", "wifi") == {}
    seq = history_of(a, wifi["ref"])["changes"][0]["seq"]
    gspace_ok("history", "revert", a, str(seq))
    send(a, b, tmp_path, "a3")
    assert len(features_by_id(b, "--kind", "wifi")) == wifi["features"]


def conflicts_of(folder):
    return json.loads(gspace_ok("conflicts", folder, "--format", "json").stdout)


def test_a_feature_deleted_on_one_laptop_while_edited_on_another(demo_template, tmp_path):
    """A deletes a shelter while B (not yet met) edits it: after bundles both ways it stays
    deleted on both and both list one "delete" conflict; restoring it on one reaches the other
    with B's edit."""
    (a, b), _ = copies(demo_template, tmp_path, 2)
    feature = shelter(a)
    gspace_ok("feature", "delete", a, feature["ref"])
    gspace_ok("feature", "set", b, feature["ref"], "--status", "full", "--note", "満員")
    send(a, b, tmp_path, "a1")
    send(b, a, tmp_path, "b1")
    for laptop in (a, b):
        assert feature["id"] not in features_by_id(laptop)
        [conflict] = conflicts_of(laptop)
        assert conflict["kind"] == "delete" and conflict["row_id"] == feature["id"]
    assert conflicts_of(a) == conflicts_of(b)
    # restored on A by reverting its delete: synced to B, with B's edit kept in its fields
    delete = next(c for c in history_of(a, feature["ref"])["changes"] if c["op"] == "delete")
    gspace_ok("history", "revert", a, str(delete["seq"]))
    send(a, b, tmp_path, "a2")
    for laptop in (a, b):
        restored = features_by_id(laptop)[feature["id"]]
        assert restored["status"] == "full" and restored["note"] == "満員"
    conn = sqlite3.connect(b / "store.sqlite")
    try:
        [deleted] = conn.execute(
            "SELECT deleted FROM features WHERE id = ?", (feature["id"],)
        ).fetchone()
    finally:
        conn.close()
    assert deleted == 0


def test_the_history_of_a_report_and_reverting_its_triage(demo_path):
    reports = gspace_ok("reports", demo_path, "--status", "new", "--format", "jsonl")
    report = json.loads(reports.stdout.splitlines()[0])
    gspace_ok("report", "set", demo_path, report["ref"], "--status", "verified", "--note", "確認済")
    listed = history_of(demo_path, report["ref"])
    assert listed["table"] == "reports" and listed["deleted"] is False
    triage = listed["changes"][0]
    fields = {f["name"]: (f["old"], f["new"]) for f in triage["fields"]}
    assert fields == {"status": ("new", "verified"), "note": (None, "確認済")}
    table = gspace_ok("history", demo_path, report["ref"][:9]).stdout.splitlines()
    assert table[0].startswith(f"report {report['ref']} (")
    assert "        status new -> verified" in table and "        note - -> 確認済" in table
    gspace_ok("history", "revert", demo_path, str(triage["seq"]))
    after = gspace_ok("reports", demo_path, "--format", "jsonl").stdout.splitlines()
    [again] = [r for r in map(json.loads, after) if r["id"] == report["id"]]
    assert again["status"] == "new" and again.get("note") is None


def test_a_deleted_report_leaves_the_reports_and_a_revert_brings_it_back(demo_path):
    before = {
        r["id"]: r
        for r in map(
            json.loads, gspace_ok("reports", demo_path, "--format", "jsonl").stdout.splitlines()
        )
    }
    report = next(iter(before.values()))
    result = gspace_ok("report", "delete", demo_path, report["ref"])
    assert ": deleted (gspace history revert INCIDENT " in result.stderr
    after = gspace_ok("reports", demo_path, "--format", "jsonl")
    assert report["id"] not in after.stdout and after.stderr.strip() == f"{len(before) - 1} reports"
    delete = history_of(demo_path, report["ref"])["changes"][0]
    assert delete["op"] == "delete"
    gspace_ok("history", "revert", demo_path, str(delete["seq"]))
    again = gspace_ok("reports", demo_path, "--format", "jsonl").stdout.splitlines()
    assert [r for r in map(json.loads, again) if r["id"] == report["id"]] == [report]
