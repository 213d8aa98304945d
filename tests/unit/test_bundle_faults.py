"""A bundle import killed (SIGKILL, as a power cut or `kill -9`) at every point where it writes
leaves the incident as it was or fully merged, never in between; running the same command
again completes it, and the result equals an import that was never interrupted (issue 16,
"Faults"). The real `gspace bundle import` runs in a subprocess; GSPACE_TEST_KILL_AT names the
point (gspace.sync.faults.kill_point)."""

from __future__ import annotations

import shutil
import signal
import time
from contextlib import suppress
from pathlib import Path

import pytest
from bundle_files import laptops_apart, state
from helpers import run_gspace

from gspace.store.incident import Incident
from gspace.sync.bundle import KILL_POINTS, STAGING


@pytest.fixture(scope="module")
def laptops(tmp_path_factory):
    """b joined a's incident, then wrote a post; a then took photos: a.gsb brings b photos,
    reports and a post. `new` is an empty incident that joins with a.gsb."""
    root = tmp_path_factory.mktemp("faults")
    laptops_apart(root)
    Incident.create(root / "new").close()
    merged = {}
    for name in ("b", "new"):  # the uninterrupted imports
        shutil.copytree(root / name, root / f"{name}-merged")
        assert (
            run_gspace("bundle", "import", root / f"{name}-merged", root / "a.gsb").returncode == 0
        )
        merged[name] = state(root / f"{name}-merged")
    return root, merged


def kill_and_rerun(laptops, tmp_path, name, point, env=None):
    root, merged = laptops
    target = tmp_path / name
    shutil.copytree(root / name, target)
    before = state(target)
    killed = run_gspace(
        "bundle",
        "import",
        target,
        root / "a.gsb",
        env={"GSPACE_TEST_KILL_AT": point, **(env or {})},
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr  # the point was reached
    dump, media, layers = state(target)
    assert dump in (before[0], merged[name][0])  # as before or fully merged
    if dump == before[0]:
        # at most whole photos no row refers to yet (content-addressed, used by the re-run)
        assert set(before[1]) <= set(media) <= set(merged[name][1])
    else:
        assert media == merged[name][1]
    again = run_gspace("bundle", "import", target, root / "a.gsb")
    assert again.returncode == 0, again.stderr
    assert state(target) == merged[name]
    assert not (target / STAGING).exists()
    with Incident.open(target, write=False) as inc:
        paths = [r[0] for r in inc.conn.execute("SELECT path FROM media")]
    assert all((target / p).is_file() for p in paths)
    return dump == before[0]


@pytest.mark.parametrize("point", KILL_POINTS)
def test_an_import_killed_anywhere_leaves_the_store_whole_and_a_rerun_completes_it(
    laptops, tmp_path, point
):
    untouched = kill_and_rerun(laptops, tmp_path, "b", point)
    assert untouched == (KILL_POINTS.index(point) < KILL_POINTS.index("committed"))


@pytest.mark.parametrize("point", ["staging", "applied", "renamed-one", "meta", "committed"])
def test_a_joining_laptop_killed_while_it_joins(laptops, tmp_path, point):
    kill_and_rerun(laptops, tmp_path, "new", point)
    with Incident.open(tmp_path / "new", write=False) as inc:
        assert inc.name == "熊本地震"


def helpers_running() -> list[str]:
    """The pids of second processes checking a bundle's photos (Linux's /proc)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with suppress(OSError):
            if b"gspace.sync.bundle_stage" in cmdline.read_bytes():
                found.append(cmdline.parent.name)
    return found


@pytest.mark.parametrize("point", ["begun", "applied", "renamed-one", "meta", "committed"])
def test_an_import_whose_photos_a_second_process_checks_killed_anywhere(laptops, tmp_path, point):
    """The same with every photo checked by a second process while the entries are applied
    (bundle_stage.py, made to start from 0 bytes): the store is left whole, the second process
    stops by itself once the import is gone, and a rerun completes it."""
    assert not helpers_running()
    kill_and_rerun(laptops, tmp_path, "b", point, env={"GSPACE_TEST_BESIDE_FROM": "0"})
    for _ in range(50):  # it looks for its parent between photos
        if not helpers_running():
            break
        time.sleep(0.1)
    assert not helpers_running()
