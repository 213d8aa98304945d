"""The merge engine, one rule at a time: laptops are real incident folders, entries move
between them with changes.outgoing and merge.apply_entries (what a bundle or the hub does)."""

from __future__ import annotations

import shutil

import pytest
from sync_histories import exchange, laptops, sync_all

from gspace.store import query, records
from gspace.store.incident import Incident
from gspace.sync import changes, merge
from gspace.sync.clock import format_stamp
from gspace.sync.conflicts import list_conflicts, settle
from gspace.sync.dump import canonical_dump


def report(**fields):
    return {"kind": "manual", "lon": 130.7, "lat": 32.8, "text": "道路が冠水", **fields}


@pytest.fixture
def three(tmp_path):
    devices = laptops(tmp_path, 3)
    yield devices
    for d in devices:
        d.close()


def add(inc, **fields) -> str:
    with inc.transaction():
        [rid] = records.add_reports(inc, [report(**fields)])
    return rid


def edit(inc, rid, **fields):
    with inc.transaction():
        records.update_report(inc, rid, **fields)


def status(inc, rid):
    return inc.conn.execute("SELECT status FROM reports WHERE id = ?", (rid,)).fetchone()[0]


def test_an_insert_and_an_edit_reach_another_laptop_with_indexes(three):
    a, b, _ = three
    rid = add(a, text="避難所に水がない")
    edit(a, rid, status="verified", lon=139.7, lat=35.7)
    result = exchange(a, b)
    assert result.counts["applied"] == 2
    found = query.reports(b, query.ReportFilter(bbox=(139, 35, 140, 36)))
    assert [(r["id"], r["status"]) for r in found] == [(rid, "verified")]
    assert b.conn.execute(
        "SELECT count(*) FROM reports_fts WHERE reports_fts MATCH '避難所'"
    ).fetchone() == (1,)
    assert canonical_dump(a) == canonical_dump(b)


def test_an_entry_received_twice_changes_nothing(three):
    a, b, _ = three
    rid = add(a)
    edit(a, rid, status="verified")
    exchange(a, b)
    before = canonical_dump(b)
    entries = [e for _, e in changes.outgoing(a)]
    with b.transaction():
        again = merge.apply_entries(b, entries)
    assert again.counts == {"duplicate": 2}
    assert canonical_dump(b) == before


def test_identical_edits_are_not_a_conflict(three):
    a, b, _ = three
    rid = add(a)
    exchange(a, b)
    edit(a, rid, status="verified")
    edit(b, rid, status="verified")
    sync_all(three)
    assert list_conflicts(a) == [] and list_conflicts(b) == []
    assert canonical_dump(a) == canonical_dump(b)


def test_three_laptops_editing_one_record_make_one_conflict_with_three_values(three):
    a, b, c = three
    rid = add(a)
    sync_all(three)
    edit(a, rid, status="verified")
    edit(b, rid, status="rejected")
    edit(c, rid, status="actioned")
    exchange(c, a)
    exchange(b, a)
    exchange(a, b)
    exchange(a, c)
    for inc in three:
        [conflict] = list_conflicts(inc)
        assert conflict.field == "status" and conflict.row_id == rid
        assert sorted(v["value"] for v in conflict.values) == ["actioned", "rejected", "verified"]
    assert len({canonical_dump(inc) for inc in three}) == 1
    # meanwhile the later (stamp, device) wins
    assert status(a, rid) == conflict.values[-1]["value"]
    with a.transaction():
        settle(a, conflict.id, take=1)
    sync_all(three)
    assert [list_conflicts(inc) for inc in three] == [[], [], []]
    assert {status(inc, rid) for inc in three} == {conflict.values[0]["value"]}
    assert len(list_conflicts(b, include_settled=True)) == 1


def test_an_edit_made_after_seeing_another_is_not_a_conflict_whatever_order(three):
    """A writes x; B, having seen x, writes y. C gets y before x: still no conflict."""
    a, b, c = three
    rid = add(a)
    sync_all(three)
    edit(a, rid, status="verified")
    exchange(a, b)
    edit(b, rid, status="actioned")
    b_entries = [e for _, e in changes.outgoing(b)]
    a_entries = [e for _, e in changes.outgoing(a)]
    with c.transaction():
        merge.apply_entries(c, [e for e in b_entries if e["origin"] == b.device_id])
        merge.apply_entries(c, a_entries)
    assert list_conflicts(c) == []
    assert status(c, rid) == "actioned"


def test_delete_against_a_concurrent_edit_keeps_the_row_deleted_and_the_edit(three):
    a, b, _ = three
    rid = add(a)
    sync_all(three)
    with a.transaction():
        records.delete_report(a, rid)
    edit(b, rid, status="verified", note="確認済み")
    sync_all(three)
    for inc in three:
        assert query.report(inc, rid) is None  # deleted rows never come back by themselves
        [conflict] = list_conflicts(inc)
        assert conflict.kind == "delete"
        edits = [v["value"] for v in conflict.values if v["value"]]
        assert edits == [{"status": "verified", "note": "確認済み"}]
    take = next(n for n, v in enumerate(conflict.values, 1) if v["value"])
    with b.transaction():
        settle(b, conflict.id, take=take)
    sync_all(three)
    for inc in three:
        assert query.report(inc, rid)["status"] == "verified"
        assert list_conflicts(inc) == []
    assert len({canonical_dump(inc) for inc in three}) == 1


def test_the_same_post_imported_on_two_laptops_is_one_report(three):
    a, b, _ = three
    source = "https://x.example/status/1"
    with a.transaction():
        [ra] = records.add_reports(
            a, [report(id=records.post_id(source), kind="sns", source=source)]
        )
    with b.transaction():
        [rb] = records.add_reports(
            b, [report(id=records.post_id(source), kind="sns", source=source, text="別の本文")]
        )
    assert ra == rb
    edit(a, ra, status="verified")
    sync_all(three)
    for inc in three:
        assert inc.conn.execute("SELECT count(*), status FROM reports").fetchone() == (
            1,
            "verified",
        )
        assert list_conflicts(inc) == []
    assert len({canonical_dump(inc) for inc in three}) == 1


def test_old_duplicates_of_a_post_meet_and_the_larger_id_becomes_a_duplicate(three):
    a, b, _ = three
    source = "https://x.example/status/2"
    ra = add(a, kind="sns", source=source)
    rb = add(b, kind="sns", source=source)
    sync_all(three)
    small, large = sorted([ra, rb])
    for inc in three:
        found = {r["id"]: r for r in query.reports(inc, query.ReportFilter())}
        assert found[large]["status"] == "duplicate"
        assert found[large]["properties"]["duplicate_of"] == small
        assert found[small]["status"] == "new"
        assert list_conflicts(inc) == []
    assert len({canonical_dump(inc) for inc in three}) == 1


def test_revert_puts_back_what_a_received_edit_overwrote(three):
    a, b, _ = three
    rid = add(a)
    sync_all(three)
    edit(b, rid, note="自分のメモ")
    exchange(b, a)
    seq = changes.last_seq(a)
    with a.transaction():
        merge.revert(a, seq)
    assert query.report(a, rid)["note"] is None
    exchange(a, b)
    assert query.report(b, rid)["note"] is None


def test_entries_of_a_newer_schema_are_held_then_applied(three):
    a, b, _ = three
    rid = add(a)
    entries = [e for _, e in changes.outgoing(a)]
    entries[0]["schema"] = 99
    with b.transaction():
        result = merge.apply_entries(b, entries)
    assert result.outcomes == [("held", "written by a newer gspace (schema 99)")]
    assert [e["row_id"] for e in merge.held(b)] == [rid]
    assert query.report(b, rid) is None
    b.conn.execute("UPDATE held_entries SET schema = 7")  # as after an upgrade
    with b.transaction():
        merge.apply_held(b)
    assert query.report(b, rid) is not None and merge.held(b) == []


def test_a_copied_incident_folder_gets_a_new_device_id(tmp_path):
    with Incident.create(tmp_path / "a") as a:
        add(a)
        first = a.device_id
    shutil.copytree(tmp_path / "a", tmp_path / "copy")
    with Incident.open(tmp_path / "a") as a, Incident.open(tmp_path / "copy") as copy:
        rid = add(copy)  # the copy is found at its first write (reading writes nothing)
        add(a)
        assert a.device_id == first
        assert copy.device_id != first
        [(origin, oseq)] = copy.conn.execute(
            "SELECT origin, oseq FROM changes WHERE row_id = ?", (rid,)
        ).fetchall()
        assert (origin, oseq) == (copy.device_id, 1)


def _old_store(folder, version: int) -> str:
    """A store written by the gspace of schema `version`: a report inserted (a full copy in
    the log before schema 5, none since), then triaged (whole JSON columns in the update)."""
    import json

    import sqlite_utils

    from gspace.store.schema import migrate

    (folder / "media").mkdir(parents=True)
    db = sqlite_utils.Database(folder / "store.sqlite")
    migrate(db, to=version)
    device = "d" * 32
    db["meta"].insert_all(
        [{"key": "device_id", "value": device}, {"key": "name", "value": "古い"}], pk="key"
    )
    first = {"category": "flooding", "properties": json.dumps({"network": "x"}), "note": None}
    row = {
        "rid": 1,
        "id": "r1",
        "kind": "sns",
        "status": "new",
        "lon": 130.7,
        "lat": 32.8,
        "text": "橋が落ちています",
        "source": "https://x.example/1",
        "media": "[]",
        "deleted": 0,
        **first,
    }
    later = {"status": "verified", "properties": json.dumps({"network": "x", "checked": True})}
    db["reports"].insert({**row, **later, "hlc": "001700000000002.00000", "origin": device})
    insert_data = None if version >= 5 else json.dumps({**row, "hlc": None})
    changes = [
        ("001700000000001.00000", "insert", insert_data, None),
        (
            "001700000000002.00000",
            "update",
            json.dumps(later),
            json.dumps({"status": "new", "properties": first["properties"]})
            if version >= 5
            else None,
        ),
    ]
    for hlc, op, data, prior in changes:
        values = {"hlc": hlc, "origin": device, "tbl": "reports", "row_id": "r1", "op": op}
        values["data"] = data
        if version >= 4:
            values["actor"] = "yamada"
        if version >= 5:
            values["prior"] = prior
        db["changes"].insert(values)
    db.close()
    return device


@pytest.mark.parametrize("version", [4, 5, 6])
def test_stores_of_every_earlier_schema_sync_after_the_upgrade(tmp_path, version):
    device = _old_store(tmp_path / "old", version)
    with Incident.open(tmp_path / "old") as old, Incident.create(tmp_path / "new") as new:
        assert old.device_id == device  # not a copy: the same store, first opened here
        entries = [e for _, e in changes.outgoing(old)]
        assert [(e["origin"], e["oseq"], e["op"]) for e in entries] == [
            (device, 1, "insert"),
            (device, 2, "update"),
        ]
        insert, update = entries
        assert insert["data"]["status"] == "new" and insert["data"]["category"] == "flooding"
        assert insert["data"]["properties"] == {"network": "x"}
        assert update["data"]["status"] == "verified"
        assert update["data"]["properties.checked"] is True
        assert old.conn.execute("SELECT hlc FROM reports").fetchone() == ("001700000000001.00000",)
        exchange(old, new)
        assert canonical_dump(old) == canonical_dump(new)
        assert query.report(new, "r1")["status"] == "verified"
        edit(old, "r1", status="actioned")  # the old device goes on numbering its entries
        assert [e["oseq"] for _, e in changes.outgoing(old, changes.last_seq(old) - 1)] == [3]


def test_the_same_entries_in_any_order_give_the_same_store(tmp_path):
    import itertools

    devices = laptops(tmp_path / "src", 3)
    a, b, c = devices
    rid = add(a)
    sync_all(devices)
    edit(a, rid, status="verified", note="A")
    edit(b, rid, status="rejected")
    with c.transaction():
        records.delete_report(c, rid)
    batches = [[e for _, e in changes.outgoing(d)] for d in devices]
    dumps = set()
    for n, order in enumerate(itertools.permutations(range(3))):
        with Incident.create(tmp_path / f"r{n}") as r:
            for i in order:
                with r.transaction():
                    merge.apply_entries(r, batches[i])
            dumps.add(canonical_dump(r))
            assert query.report(r, rid) is None
            assert {c.kind for c in list_conflicts(r)} == {"edit", "delete"}
    assert len(dumps) == 1
    for d in devices:
        d.close()


def test_a_laptop_whose_clock_is_hours_off_still_merges_by_what_it_saw(tmp_path):
    """Laptop B's clock is 5 hours behind: its edit made after seeing A's still wins (its
    stamp is past A's because it observed it), and no conflict is made."""
    a, b = laptops(tmp_path, 2, clock_offsets_ms=(0, -5 * 3_600_000))
    rid = add(a)
    edit(a, rid, status="verified")
    exchange(a, b)
    edit(b, rid, status="actioned")
    exchange(b, a)
    assert status(a, rid) == status(b, rid) == "actioned"
    assert list_conflicts(a) == list_conflicts(b) == []
    assert canonical_dump(a) == canonical_dump(b)
    for d in (a, b):
        d.close()


def test_changes_are_relayed_from_laptop_to_laptop(three):
    """A's report reaches C through B (A -> B -> C by USB), edits and all."""
    a, b, c = three
    rid = add(a)
    edit(a, rid, status="verified")
    exchange(a, b)
    edit(b, rid, note="Bが確認")
    result = exchange(b, c)
    assert result.counts["applied"] == 3
    assert query.report(c, rid)["status"] == "verified"
    assert query.report(c, rid)["note"] == "Bが確認"
    origins = [o for (o,) in c.conn.execute("SELECT origin FROM changes ORDER BY seq")]
    assert origins == [a.device_id, a.device_id, b.device_id]
    exchange(c, a)  # A gets B's note from C; its own entries come back as duplicates
    assert canonical_dump(a) == canonical_dump(b) == canonical_dump(c)


def test_a_machine_write_with_a_stamp_leaves_fields_changed_later_alone(three):
    """A status feed's snapshot (update_report(stamp=...)) does not overwrite what an analyst
    changed after the snapshot was taken, and is never a conflict."""
    a, b, _ = three
    rid = add(a)
    snapshot = a.clock.now()
    edit(a, rid, note="現地確認済み")
    with a.transaction():
        previous = records.update_report(a, rid, stamp=snapshot, note="フィード", status="actioned")
    assert previous == {"status": "new"}
    assert query.report(a, rid)["note"] == "現地確認済み"
    exchange(a, b)
    assert query.report(b, rid)["status"] == "actioned" and list_conflicts(b) == []


def test_a_batch_of_stamped_feature_writes_does_what_one_write_at_a_time_does(three):
    """records.update_features (status feeds) writes what update_feature(stamp=...) writes one
    row at a time: the same values, R*Tree entries, field clocks and change entries; a field an
    analyst changed after the snapshot stays, a snapshot older than the import still fills."""
    a, b, _ = three
    with a.transaction():
        layer = records.add_layer(a, "shelter", "避難所", "test")
        ids = records.add_features(
            a,
            layer,
            "shelter",
            [
                {"name": f"第{i}避難所", "lon": 130.7 + i / 100, "lat": 32.8,
                 "status": "not_opened", "attributes": {"capacity": 100}}
                for i in range(4)
            ],
        )  # fmt: skip
    before_edit = a.clock.now()
    with a.transaction():
        records.update_feature(
            a, ids[0], note="現地確認済み", attributes={"capacity": 100, "crowding": "crowded"}
        )
    after_edit = a.clock.now()
    exchange(a, b)
    point = {"type": "Point", "coordinates": [131.25, 33.5]}
    writes = [
        (ids[0], before_edit, {"status": "open", "attributes": {"capacity": 100,
                                                                "crowding": "empty",
                                                                "evacuees": 10}}),
        (ids[1], format_stamp(1, 0), {"status": "open"}),
        (ids[2], after_edit, {"geometry": point, "attributes": {"capacity": 100, "evacuees": 5}}),
        (ids[3], after_edit, {"status": "not_opened"}),
    ]  # fmt: skip
    with a.transaction():
        batched = records.update_features(a, writes)
    with b.transaction():
        one_by_one = [records.update_feature(b, i, stamp=s, **c) for i, s, c in writes]
    assert batched == one_by_one and batched[3] == {}

    def state(inc):
        rows = inc.conn.execute(
            "SELECT id, status, note, attributes, geometry, lon, lat, muni_code FROM features "
            "ORDER BY id"
        ).fetchall()
        boxes = inc.conn.execute(
            "SELECT f.id, r.min_lon, r.max_lon, r.min_lat, r.max_lat FROM features_rtree r "
            "JOIN features f ON f.fid = r.fid ORDER BY f.id"
        ).fetchall()
        clocks = inc.conn.execute(
            "SELECT row_id, field, hlc FROM field_clocks ORDER BY row_id, field"
        ).fetchall()
        entries = inc.conn.execute(
            "SELECT hlc, row_id, op, data, prior, base FROM changes WHERE tbl = 'features' "
            "AND op = 'update' ORDER BY seq"
        ).fetchall()
        return rows, boxes, clocks, entries

    (*stored, entries) = state(a)
    assert stored == list(state(b)[:3])
    # the analyst's edit, then one entry per changed row (B holds the edit as received)
    assert len(entries) == 1 + 3 and entries[1:] == state(b)[3][1:]
    crowding = "SELECT json_extract(attributes, '$.crowding') FROM features WHERE id = ?"
    assert a.conn.execute(crowding, (ids[0],)).fetchone() == ("crowded",)
    statuses = {f["id"]: f["status"] for f in query.features(a)}
    assert [statuses[i] for i in ids] == ["open", "open", "not_opened", "not_opened"]
    [(west, south)] = a.conn.execute(
        "SELECT r.min_lon, r.min_lat FROM features_rtree r JOIN features f ON f.fid = r.fid "
        "WHERE f.id = ?",
        (ids[2],),
    ).fetchall()
    assert (round(west, 3), round(south, 3)) == (131.25, 33.5)


def test_a_deleted_layer_hides_its_features_everywhere(three):
    a, b, _ = three
    with a.transaction():
        layer = records.add_layer(a, "shelter", "避難所", "test")
        records.add_features(a, layer, "shelter", [{"name": "一小", "lon": 130.7, "lat": 32.8}])
    exchange(a, b)
    assert len(list(query.features(b))) == 1
    with a.transaction():
        records.delete_layer(a, layer)
    exchange(a, b)
    assert list(query.features(a)) == list(query.features(b)) == []
    with b.transaction():
        records.restore(b, "layers", layer)
    exchange(b, a)
    assert [f["name"] for f in query.features(a)] == ["一小"]


def test_an_edit_that_arrives_before_its_row_waits_for_it(three):
    a, b, _ = three
    rid = add(a)
    edit(a, rid, status="verified")
    insert, update = [e for _, e in changes.outgoing(a)]
    with b.transaction():
        early = merge.apply_entries(b, [update])
    assert early.outcomes == [("held", f"waits for its report {rid}, not received yet")]
    with b.transaction():
        merge.apply_entries(b, [insert])
    assert status(b, rid) == "verified" and merge.held(b) == []
    assert canonical_dump(a) == canonical_dump(b)
