"""Three laptops that only ever meet through bundle FILES converge (issue 16, "Convergence",
over the bundle transport): they work offline at random (posts, the same post on two of them,
photos, triage, deletes), pass bundles in random orders — everything, or `--since LAST`, which
leaves gaps a later bundle must fill — and, once every laptop has had a bundle of everything
from every other, all three hold the same canonical dump (rows, field clocks, conflicts) and the
same photo files; and the engine's own histories (tests/sync_histories.py) played with every
exchange made by a bundle file pass the engine's checks. Fewer examples than the engine's
in-process test: each one writes real files.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import sync_histories
from bundle_files import state
from hypothesis import given
from hypothesis import strategies as st
from photo_files import make_jpeg
from test_sync_convergence import check

from gspace.ingest.photos import import_photos
from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync.bundle import export_bundle, import_bundle

LAPTOPS = 3
STATUSES = ("new", "verified", "actioned", "rejected")
laptop = st.integers(0, LAPTOPS - 1)
actions = st.one_of(
    st.tuples(st.just("post"), laptop, st.integers(0, 5)),  # the same post on two laptops
    st.tuples(st.just("photo"), laptop, st.integers(0, 3)),  # the same photo on two laptops
    st.tuples(st.just("status"), laptop, st.integers(0, 20), st.sampled_from(STATUSES)),
    st.tuples(st.just("text"), laptop, st.integers(0, 20), st.sampled_from(["浸水", "断水"])),
    st.tuples(st.just("delete"), laptop, st.integers(0, 20)),
    st.tuples(st.just("send"), laptop, laptop, st.booleans()),
    st.tuples(st.just("send"), laptop, laptop, st.booleans()),
)


def do(folder: Path, paths: list[Path], action: tuple, sent: list[int]) -> None:
    kind, who, *rest = action
    with Incident.open(paths[who]) as inc:
        if kind == "send":
            target, last = rest
            if target == who:
                return
            bundle = folder / f"bundle-{len(sent)}.gsb"
            export_bundle(inc, bundle, since="LAST" if last else None)
            sent.append(1)
            with Incident.open(paths[target]) as other:
                import_bundle(other, bundle)
        elif kind == "post":
            source = f"https://sns.example/posts/{rest[0]}"
            report = records.post_id(source, "2026-11-20T10:00:00+09:00")
            if inc.conn.execute("SELECT 1 FROM reports WHERE id = ?", (report,)).fetchone():
                return  # an importer finds the post it already has
            with inc.transaction():
                records.add_reports(
                    inc,
                    [
                        {
                            "id": report,
                            "kind": "sns",
                            "lon": 130.7 + rest[0] / 100,
                            "lat": 32.8,
                            "text": f"投稿 {rest[0]}",
                            "observed_at": "2026-11-20T10:00:00+09:00",
                            "source": source,
                        }
                    ],
                )
        elif kind == "photo":
            photo = make_jpeg(
                folder / f"in-{who}" / f"IMG_{rest[0]}.JPG", lat=32.8, lon=130.7, seed=rest[0]
            )
            import_photos(inc, [photo], jobs=1)
        else:
            ids = [r[0] for r in inc.conn.execute("SELECT id FROM reports WHERE deleted = 0")]
            if not ids:
                return
            report = sorted(ids)[rest[0] % len(ids)]
            with inc.transaction():
                if kind == "status":
                    records.update_report(inc, report, status=rest[1])
                elif kind == "text":
                    records.update_report(inc, report, text=rest[1])
                else:
                    records.delete_report(inc, report)


@sync_histories.replayable(30)
@given(st.lists(actions, min_size=1, max_size=12))
def test_laptops_that_exchange_bundle_files_in_any_order_converge(history):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = [folder / f"laptop{n}" for n in range(LAPTOPS)]
        with Incident.create(paths[0], name="熊本豪雨") as first:
            export_bundle(first, folder / "join.gsb")
        for path in paths[1:]:  # the others join with a bundle
            with Incident.create(path) as inc:
                import_bundle(inc, folder / "join.gsb")
        sent: list[int] = []
        for action in history:
            do(folder, paths, action, sent)
        for _ in range(2):  # a bundle of everything from each to each, twice round
            for src in range(LAPTOPS):
                for dst in range(LAPTOPS):
                    do(folder, paths, ("send", src, dst, False), sent)
        states = [state(path) for path in paths]
        assert states[0] == states[1] == states[2]
        with Incident.open(paths[0], write=False) as inc:  # and again changes nothing
            export_bundle(inc, folder / "last.gsb")
        with Incident.open(paths[1]) as inc:
            again = import_bundle(inc, folder / "last.gsb")
        assert set(again.counts) <= {"duplicate"} and state(paths[1]) == states[1]


# -- the engine's histories (tests/sync_histories.py), every exchange made by a bundle FILE ---
class _ByBundle:
    """`sync_histories.exchange` done the way laptops do it without a network: `src` writes a
    bundle file (everything; a partial exchange of the history is `--since LAST`, which leaves
    out what this laptop sent to others before) and `dst` imports it."""

    def __init__(self, folder: Path):
        self.folder, self.count = folder, 0

    def __call__(self, src, dst, cursors=None, *, limit=None):
        self.count += 1
        bundle = self.folder / f"{self.count}.gsb"
        export_bundle(src, bundle, since="LAST" if limit else None)
        summary = import_bundle(dst, bundle)
        bundle.unlink()
        return summary


@pytest.fixture(scope="module")
def template_dir(tmp_path_factory):
    return sync_histories.template(tmp_path_factory.mktemp("template"))


@sync_histories.replayable(50)
@given(history=sync_histories.histories())
def test_the_engines_histories_converge_through_bundle_files(template_dir, history, monkeypatch):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "usb").mkdir()
        by_bundle = _ByBundle(folder / "usb")
        monkeypatch.setattr(sync_histories, "exchange", by_bundle)
        played = sync_histories.play(folder, template_dir, history)
        try:
            assert by_bundle.count >= 6  # at least one round of bundles between all three
            check(played)  # the engine's own checks: same dumps, each conflict once, no spurious
        finally:
            for inc in played.devices:
                inc.close()
