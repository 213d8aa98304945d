"""Laptops that work offline and then exchange changes, for the sync tests (engine, bundle and
later the hub reuse it).

`laptops()` makes real incident folders; `exchange(src, dst)` moves what `src` holds to `dst`
the way a bundle or the hub does (changes.outgoing -> merge.apply_entries, one transaction);
`sync_all()` exchanges until every laptop holds everything. `histories()` (hypothesis) draws
what the laptops do offline and the order they exchange in; `play()` performs one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

from gspace.store.incident import Incident
from gspace.sync import changes, merge
from gspace.sync.clock import HybridClock


def laptops(folder: Path, n: int, *, clock_offsets_ms: tuple[int, ...] = ()) -> list[Incident]:
    """`n` laptops holding the same (empty) incident. A laptop's clock can be off by an offset
    (a laptop whose clock is hours off): its HybridClock reads the wall clock plus it."""
    out = []
    for i in range(n):
        inc = Incident.create(folder / f"laptop{i}", name="熊本豪雨")
        offset = clock_offsets_ms[i] if i < len(clock_offsets_ms) else 0
        if offset:
            inc.clock = _offset_clock(offset)
        out.append(inc)
    return out


def _offset_clock(offset_ms: int) -> HybridClock:
    import time

    return HybridClock(wall=lambda: time.time_ns() // 1_000_000 + offset_ms)


class Cursors:
    """What each laptop has already sent to each other one (local seq), as a bundle's
    `--since LAST` keeps it."""

    def __init__(self):
        self.sent: dict[tuple[str, str], int] = {}


def exchange(
    src: Incident, dst: Incident, cursors: Cursors | None = None, *, limit: int | None = None
) -> merge.ApplyResult:
    """Send what `src` holds (after the last cursor) to `dst`, applied in one transaction."""
    key = (str(src.path), str(dst.path))
    after = cursors.sent.get(key, 0) if cursors else 0
    sent = list(changes.outgoing(src, after, limit))
    with dst.transaction():
        result = merge.apply_entries(dst, [entry for _, entry in sent])
    if cursors is not None and sent:
        cursors.sent[key] = sent[-1][0]
    return result


def sync_all(devices: list[Incident], cursors: Cursors | None = None) -> None:
    """Exchange in rounds until no laptop learns anything new (duplicates only)."""
    for _ in count():
        learned = 0
        for src in devices:
            for dst in devices:
                if src is not dst:
                    result = exchange(src, dst, cursors)
                    learned += sum(v for k, v in result.counts.items() if k != "duplicate")
        if not learned:
            return


def replayable(examples: int):
    """Hypothesis settings of the convergence tests: the same histories on every run (CI
    replays them), no deadline for a history that syncs real stores, and function-scoped
    fixtures (a template folder) shared by the examples, which only read them."""
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


# -- random offline histories (hypothesis) ---------------------------------------------------
HOUR_MS = 3_600_000
POSTS = [f"https://x.example/status/{n}" for n in range(3)]
PHOTOS = [f"{n:064x}" for n in (0xA1, 0xB2)]
STATUSES = ("new", "verified", "actioned", "rejected")
FEATURE_STATUSES = ("open", "full", "closed")


def histories():
    """A strategy: (clock offset of the third laptop in ms, first steps, later steps). The
    laptops first add reports, posts and photos (the same post on several of them), meet once,
    then edit offline between partial exchanges. A step is one of
    ("report"|"post"|"old_post"|"photo", laptop, n), ("triage", laptop, pick, field, value),
    ("feature", laptop, pick, field, value), ("delete", laptop, pick),
    ("delete_feature", laptop, pick), ("settle", laptop, pick, take),
    ("exchange", src, dst, limit or None), ("reversed", src, dst) (all of it, newest first).
    Picks choose among what the laptop sees then."""
    from hypothesis import strategies as st

    laptop = st.integers(0, 2)
    pick = st.integers(0, 2)  # few rows: laptops often edit the same one
    create = st.one_of(
        st.tuples(st.just("report"), laptop, st.integers(0, 3)),
        st.tuples(st.just("post"), laptop, st.integers(0, len(POSTS) - 1)),
        st.tuples(st.just("old_post"), laptop, st.integers(0, len(POSTS) - 1)),
        st.tuples(st.just("photo"), laptop, st.integers(0, len(PHOTOS) - 1)),
    )
    triage = st.tuples(
        st.just("triage"),
        laptop,
        pick,
        st.sampled_from(("status", "note")),
        st.sampled_from(STATUSES),
    )
    feature = st.tuples(
        st.just("feature"),
        laptop,
        pick,
        st.sampled_from(("status", "attributes.capacity")),
        st.sampled_from(FEATURE_STATUSES),
    )
    later = st.one_of(
        triage,
        feature,
        triage,  # edits weigh more than the other steps
        feature,
        st.tuples(st.just("exchange"), laptop, laptop, st.one_of(st.none(), st.integers(1, 6))),
        st.tuples(st.just("reversed"), laptop, laptop),
        st.tuples(st.just("delete"), laptop, pick),
        st.tuples(st.just("delete_feature"), laptop, pick),
        st.tuples(st.just("settle"), laptop, pick, st.integers(1, 3)),
        create,
    )
    offsets = st.sampled_from((0, 3 * HOUR_MS, -5 * HOUR_MS))
    return st.tuples(
        offsets,
        st.lists(create, min_size=1, max_size=6),
        st.lists(later, min_size=8, max_size=30),
    )


def template(folder: Path) -> Path:
    """Three laptops that share a shelter layer of three features (made once, copied per
    history: a copy gets its own device id at its first write)."""
    from gspace.store import records

    devices = laptops(folder, 3)
    a = devices[0]
    with a.transaction():
        layer = records.add_layer(a, "shelter", "避難所", "test")
        records.add_features(
            a,
            layer,
            "shelter",
            [
                {
                    "name": f"避難所{n}",
                    "geometry": {"type": "Point", "coordinates": [130.70 + n / 100, 32.80]},
                    "status": "open",
                    "attributes": {"capacity": "100"},
                }
                for n in range(3)
            ],
        )
    sync_all(devices)
    for d in devices:
        d.close()
    return folder


@dataclass
class Op:
    """A write a laptop made, as the test saw it: what it knew then (ids of earlier ops)."""

    id: int
    laptop: int
    kind: str  # edit, delete, settle
    tbl: str
    row_id: str
    fields: dict
    stamp: tuple[str, str]
    base: dict | None
    known: frozenset


@dataclass
class Played:
    devices: list[Incident]
    ops: list[Op] = field(default_factory=list)


def play(folder: Path, template_dir: Path, history) -> Played:
    """Perform a history on copies of the template laptops, then exchange until all agree."""
    import shutil

    offset, first, steps = history
    for n in range(3):
        shutil.copytree(template_dir / f"laptop{n}", folder / f"laptop{n}")
    devices = [Incident.open(folder / f"laptop{n}") for n in range(3)]
    for inc in devices:  # commits need not reach the disk in a test (thousands of them)
        inc.conn.execute("PRAGMA synchronous=OFF")
    if offset:
        devices[2].clock = HybridClock(devices[2].clock.now(), wall=_wall(offset))
    played = Played(devices)
    cursors = Cursors()
    for step in first:
        _step(played, step)
    sync_all(devices, cursors)
    for step in steps:
        if step[0] == "exchange":
            _, src, dst, limit = step
            if src != dst:
                exchange(devices[src], devices[dst], cursors, limit=limit)
            continue
        if step[0] == "reversed":  # everything, newest first: entries before their rows
            if step[1] != step[2]:
                entries = [e for _, e in changes.outgoing(devices[step[1]])][::-1]
                with devices[step[2]].transaction():
                    merge.apply_entries(devices[step[2]], entries)
            continue
        _step(played, step)
    sync_all(devices, cursors)
    return played


def _wall(offset_ms: int):
    import time

    return lambda: time.time_ns() // 1_000_000 + offset_ms


def _known_ops(played: Played, inc: Incident) -> set[int]:
    have = set(inc.conn.execute("SELECT hlc, origin FROM changes").fetchall())
    return {op.id for op in played.ops if op.stamp in have}


def _visible(inc: Incident, tbl: str) -> list[str]:
    return [r[0] for r in inc.conn.execute(f"SELECT id FROM {tbl} WHERE deleted = 0 ORDER BY id")]


def _last_entry(inc: Incident):
    import json

    hlc, origin, base, data = inc.conn.execute(
        "SELECT hlc, origin, base, data FROM changes ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return (hlc, origin), (json.loads(base) if base else None), json.loads(data or "{}")


def _step(played: Played, step: tuple) -> None:
    from gspace.store import records
    from gspace.sync.conflicts import list_conflicts, settle

    kind, n = step[0], step[1]
    inc = played.devices[n]
    known = frozenset(_known_ops(played, inc))
    op: tuple | None = None
    with inc.transaction():
        if kind == "report":
            records.add_reports(
                inc,
                [
                    {
                        "kind": "manual",
                        "lon": 130.7,
                        "lat": 32.8 + step[2] / 100,
                        "text": f"報告{step[2]}",
                    }
                ],
            )
        elif kind in ("post", "old_post"):
            source = POSTS[step[2]]
            if not inc.conn.execute("SELECT 1 FROM reports WHERE source = ?", (source,)).fetchone():
                rid = records.post_id(source) if kind == "post" else None
                records.add_reports(
                    inc,
                    [{"id": rid, "kind": "sns", "source": source, "text": f"投稿{step[2]} {n}"}],
                )
        elif kind == "photo":
            sha = PHOTOS[step[2]]
            if records.add_media(inc, {"sha256": sha, "type": "image/jpeg", "size": 10}):
                records.add_reports(
                    inc,
                    [
                        {
                            "id": records.photo_id(sha),
                            "kind": "photo",
                            "source": f"DCIM/{n}.jpg",
                            "media": [sha],
                        }
                    ],
                )
        elif kind in ("triage", "delete"):
            ids = _visible(inc, "reports")
            if ids:
                rid = ids[step[2] % len(ids)]
                if kind == "triage":
                    value = step[4] if step[3] == "status" else f"メモ{step[4]}"
                    if records.update_report(inc, rid, **{step[3]: value}):
                        op = ("edit", "reports", rid, {step[3]: value})
                else:
                    records.delete_report(inc, rid)
                    op = ("delete", "reports", rid, {})
        elif kind in ("feature", "delete_feature"):
            ids = _visible(inc, "features")
            if ids:
                fid = ids[step[2] % len(ids)]
                if kind == "feature":
                    if step[3] == "status":
                        changed = records.update_feature(inc, fid, status=step[4])
                        fields = {"status": step[4]}
                    else:
                        [attrs] = inc.conn.execute(
                            "SELECT attributes FROM features WHERE id = ?", (fid,)
                        ).fetchone()
                        import json

                        attributes = {**json.loads(attrs), "capacity": step[4]}
                        changed = records.update_feature(inc, fid, attributes=attributes)
                        fields = {"attributes.capacity": step[4]}
                    if changed:
                        op = ("edit", "features", fid, fields)
                else:
                    records.delete_feature(inc, fid)
                    op = ("delete", "features", fid, {})
        elif kind == "settle":
            found = list_conflicts(inc)
            if found:
                conflict = found[step[2] % len(found)]
                take = (step[3] - 1) % len(conflict.values) + 1
                settle(inc, conflict.id, take=take)
                op = ("settle", conflict.tbl, conflict.row_id, {})
    if op is None:  # inserts are not tracked as ops
        return
    stamp, base, data = _last_entry(inc)
    fields = op[3] if op[0] != "settle" else {k: v for k, v in data.items() if k != "_settle"}
    played.ops.append(Op(len(played.ops), n, op[0], op[1], op[2], fields, stamp, base, known))
