"""A large bundle's photos are checked and staged by a second process while the entries are
applied (gspace/sync/bundle_stage.py): the same incident as an import that checks them first,
the same refusal for a damaged photo with nothing of the bundle left, a cancel that leaves the
incident as it was, and the photos checked here when the process fails. BESIDE_FROM is set
to 0 so that a few small photos take that way."""

from __future__ import annotations

import shutil
import sys

import pytest
from bundle_files import KIND, laptops_apart, members, state, write_bundle

from gspace.errors import Interrupted
from gspace.store.incident import Incident
from gspace.sync import bundle, bundle_stage, merge, side_process
from gspace.sync.bundle import STAGING, BundleError, import_bundle


@pytest.fixture(scope="module")
def laptops(tmp_path_factory):
    """a.gsb: a's photos, posts and a layer kind, for b (which joined with first.gsb) and
    for a new laptop; `here`: what an import that checks the photos first makes of them."""
    root = tmp_path_factory.mktemp("beside")
    laptops_apart(root, KIND)
    shutil.copytree(root / "b", root / "b-here")
    with Incident.open(root / "b-here") as inc:
        import_bundle(inc, root / "a.gsb")
    with Incident.create(root / "new-here") as inc:
        import_bundle(inc, root / "a.gsb")
    return root, {name: state(root / f"{name}-here") for name in ("b", "new")}


@pytest.fixture
def beside(monkeypatch):
    """The photos go to a second process; the list says each process started."""
    monkeypatch.setattr(bundle_stage, "BESIDE_FROM", 0)
    started, start = [], side_process.start

    def spy(module, *args, **kwargs):
        started.append(process := start(module, *args, **kwargs))
        return process

    monkeypatch.setattr(side_process, "start", spy)
    return started


def test_photos_checked_beside_the_entries_make_the_same_incident(laptops, tmp_path, beside):
    root, here = laptops
    shutil.copytree(root / "b", tmp_path / "b")
    shown = []
    with Incident.open(tmp_path / "b") as b:
        summary = import_bundle(b, root / "a.gsb", progress=lambda *p: shown.append(p))
    with Incident.create(tmp_path / "new") as new:
        joined = import_bundle(new, root / "a.gsb")
    checked = [(done, total) for stage, done, total in shown if stage == "verify"]
    assert checked and checked[-1][0] == checked[-1][1] > 0  # every byte of the photos
    assert len(beside) == 2 and all(p is not None and p.returncode == 0 for p in beside)
    assert state(tmp_path / "b") == here["b"] and state(tmp_path / "new") == here["new"]
    assert (summary.media_added, summary.kinds_added) == (4, ["charging"])
    assert joined.joined and joined.media_added == 6
    assert not (tmp_path / "b" / STAGING).exists() and not (tmp_path / "new" / STAGING).exists()


def flip_a_photo_byte(root, out):
    """A byte of a stored photo flipped on the stick: the zip's CRC-32 tells, in the process."""
    contents = members(root / "a.gsb")
    name = next(n for n in sorted(contents) if n.startswith("media/"))
    data = bytearray((root / "a.gsb").read_bytes())
    data[data.find(contents[name][1000:1040])] ^= 0xFF
    out.write_bytes(bytes(data))


def swap_a_photo(root, out):
    """Another picture under a photo's name, the manifest rewritten to match: the name (its
    SHA-256) tells, in this process once the other has hashed it."""
    contents = members(root / "a.gsb")
    name = next(n for n in sorted(contents) if n.startswith("media/"))
    contents[name] = contents[name][:-100] + b"\0" * 100
    write_bundle(out, contents)


@pytest.mark.parametrize("build", [flip_a_photo_byte, swap_a_photo])
def test_a_damaged_photo_found_beside_refuses_the_bundle_after_the_entries_were_applied(
    laptops, tmp_path, beside, monkeypatch, build
):
    root, _ = laptops
    shutil.copytree(root / "b", tmp_path / "b")
    build(root, tmp_path / "bad.gsb")
    applied, apply = [], merge.apply_entries
    monkeypatch.setattr(merge, "apply_entries", lambda *a: applied.append(1) or apply(*a))
    before = state(tmp_path / "b")
    with Incident.open(tmp_path / "b") as b, pytest.raises(BundleError) as refused:
        import_bundle(b, tmp_path / "bad.gsb")
    assert applied and len(beside) == 1  # refused after the entries, by the process's finding
    line = str(refused.value)
    assert "\n" not in line and "the bundle has been altered or damaged (media/" in line, line
    assert state(tmp_path / "b") == before  # the entries rolled back, no photo, no layer kind
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == sorted(
        p.name for p in (root / "b").iterdir()
    )


def test_a_cancel_while_the_photos_are_checked_beside_leaves_the_incident_as_it_was(
    laptops, tmp_path, beside
):
    root, _ = laptops
    shutil.copytree(root / "b", tmp_path / "b")
    before = state(tmp_path / "b")
    asked = []  # the first question comes before anything is written; the next while waiting
    with Incident.open(tmp_path / "b") as b, pytest.raises(Interrupted):
        import_bundle(b, root / "a.gsb", cancel=lambda: asked.append(1) or len(asked) > 1)
    assert len(beside) == 1 and beside[0].poll() is not None  # stopped
    assert state(tmp_path / "b") == before
    assert not (tmp_path / "b" / STAGING).exists()


def test_when_the_process_fails_the_photos_are_checked_here(laptops, tmp_path, beside, monkeypatch):
    root, here = laptops
    shutil.copytree(root / "b", tmp_path / "b")
    monkeypatch.setattr(sys, "executable", shutil.which("false"))  # starts, answers nothing
    locked, check_here = [], bundle_stage.StagedPhotos._here
    with Incident.open(tmp_path / "b") as b:
        monkeypatch.setattr(  # the photos checked here with the store unlocked
            bundle_stage.StagedPhotos,
            "_here",
            lambda s, *a: locked.append(b.conn.in_transaction) or check_here(s, *a),
        )
        summary = import_bundle(b, root / "a.gsb")
    assert len(beside) == 1 and beside[0].returncode != 0 and locked == [False]
    assert summary.media_added == 4 and state(tmp_path / "b") == here["b"]


def test_photos_that_come_slowly_do_not_keep_the_store_locked(
    laptops, tmp_path, beside, monkeypatch
):
    """When the process has not checked every photo LOCK_WAIT seconds after the entries are
    applied (a slow stick), the transaction is rolled back, the photos are waited for with the
    store unlocked, and the entries applied again: the same incident in the end."""
    root, here = laptops
    shutil.copytree(root / "b", tmp_path / "b")
    asked = []  # the answer after the entries: "not yet"
    monkeypatch.setattr(bundle_stage.StagedPhotos, "ready", lambda s, w, p, c: asked.append(w))
    applied, apply = [], merge.apply_entries
    monkeypatch.setattr(merge, "apply_entries", lambda *a: applied.append(1) or apply(*a))
    locked = []
    with Incident.open(tmp_path / "b") as b:
        finish = bundle_stage.StagedPhotos.finish
        monkeypatch.setattr(
            bundle_stage.StagedPhotos,
            "finish",
            lambda s, *a: locked.append(b.conn.in_transaction) or finish(s, *a),
        )
        summary = import_bundle(b, root / "a.gsb")
    assert asked == [bundle.LOCK_WAIT] and len(applied) == 2 and locked[0] is False
    assert summary.media_added == 4 and summary.kinds_added == ["charging"]
    assert state(tmp_path / "b") == here["b"]
