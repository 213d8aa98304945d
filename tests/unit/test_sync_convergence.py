"""Convergence (issue 16 acceptance): three laptops edit offline at random (new reports and
photos, the same post imported on two of them, old-style duplicates, triage, feature status and
attributes, deletes, conflicting and identical edits, settlements, a laptop whose clock is hours
off), exchange in random orders, partly and repeatedly, then until all agree. Afterwards all
three hold the same canonical dump, list every conflict once, and the conflicts are the ones
the history made: never for identical edits, always for edits made from the same value, and
always for an edit the deleting laptop had not seen."""

from __future__ import annotations

import tempfile
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given
from sync_histories import histories, play, replayable, template

from gspace.sync.conflicts import list_conflicts
from gspace.sync.dump import canonical_dump

EXAMPLES = int(__import__("os").environ.get("GSPACE_SYNC_EXAMPLES", "500"))


@pytest.fixture(scope="module")
def template_dir(tmp_path_factory):
    return template(tmp_path_factory.mktemp("template"))


def concurrent(x, y) -> bool:
    return x.id not in y.known and y.id not in x.known


def check(played) -> None:
    devices, ops = played.devices, played.ops
    written = {op.stamp for op in ops}

    def same_base(x, y) -> bool:
        """Based on the same write, or both on an insert (two laptops that imported the same
        post each based their edit on their own insert: the same value)."""
        for f in x.fields:
            bx, by = (x.base or {}).get(f), (y.base or {}).get(f)
            if bx != by and not (tuple(bx or ()) not in written and tuple(by or ()) not in written):
                return False
        return True

    dumps = [canonical_dump(inc) for inc in devices]
    for other in dumps[1:]:
        if other != dumps[0]:
            import difflib

            diff = difflib.unified_diff(dumps[0].splitlines(), other.splitlines(), lineterm="")
            raise AssertionError("the laptops differ:\n" + "\n".join(list(diff)[:40]))
    listed = [list_conflicts(inc, include_settled=True) for inc in devices]
    ids = [[c.id for c in found] for found in listed]
    assert len(set(ids[0])) == len(ids[0])  # each listed once
    assert ids[0] == ids[1] == ids[2]
    for inc in devices:  # nothing waits: every entry found its row
        assert inc.conn.execute("SELECT count(*) FROM held_entries").fetchone() == (0,)
    by_stamp = {op.stamp: op for op in ops}
    edits = [c for c in listed[0] if c.kind == "edit"]
    deletes = [c for c in listed[0] if c.kind == "delete"]
    for c in edits:
        values = {repr(v["value"]) for v in c.values}
        assert len(values) >= 2, f"a conflict of identical values: {c}"
        writes = [by_stamp[(v["hlc"], v["origin"])] for v in c.values]
        for w in writes:  # each value competes with a different one its laptop had not seen
            assert any(
                concurrent(w, x) and w.fields.get(c.field) != x.fields.get(c.field) for x in writes
            ), f"{w} is in a conflict without a concurrent different value: {c}"
    stamps_in = {}
    for c in edits:
        for v in c.values:
            stamps_in.setdefault((c.tbl, c.row_id, c.field), set()).add((v["hlc"], v["origin"]))
    user = [op for op in ops if op.kind in ("edit", "settle") and op.base]
    for x, y in combinations(user, 2):
        if (x.tbl, x.row_id) != (y.tbl, y.row_id):
            continue
        for f in set(x.fields) & set(y.fields) - {"deleted"}:
            one_base = x.base.get(f) == y.base.get(f)
            if one_base and x.fields[f] != y.fields[f] and x.laptop != y.laptop:
                assert {x.stamp, y.stamp} <= stamps_in.get((x.tbl, x.row_id, f), set()), (
                    f"no conflict for edits from the same value: {x} {y}"
                )
    deleted_edits = {(v["hlc"], v["origin"]) for c in deletes for v in c.values}
    for d in [op for op in ops if op.kind == "delete"]:
        for e in [op for op in ops if op.kind == "edit"]:
            if (e.tbl, e.row_id) != (d.tbl, d.row_id) or not concurrent(d, e):
                continue
            twin = any(  # the same edit made twice: the deleting laptop had seen one of them
                o.id in d.known and o.fields == e.fields and same_base(o, e)
                for o in ops
                if (o.tbl, o.row_id) == (e.tbl, e.row_id)
            )
            if not twin:
                assert e.stamp in deleted_edits, f"an edit concurrent with {d} not kept: {e}"


@replayable(EXAMPLES)
@given(history=histories())
def test_three_laptops_converge_whatever_they_do_and_however_they_exchange(template_dir, history):
    with tempfile.TemporaryDirectory() as folder:
        played = play(Path(folder), template_dir, history)
        try:
            check(played)
        finally:
            for inc in played.devices:
                inc.close()
