"""Convergence over the hub (issue 17 acceptance): the engine's generated histories
(tests/sync_histories.py), with every exchange going through the in-process hub: the sending
laptop syncs (push, then pull), then the receiving one. Afterwards the three laptops and the
hub hold the same canonical dump and list the same conflicts, each once, none of identical
values. The third laptop's clock is sometimes hours off: the hub restamps its fast entries and
every device ends with the hub's stamps."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hub_helpers import Hub
from hypothesis import given
from sync_histories import Played, _step, _wall, histories, replayable, template

from gspace.store.incident import Incident
from gspace.sync.clock import HybridClock
from gspace.sync.conflicts import list_conflicts
from gspace.sync.dump import canonical_dump

EXAMPLES = int(os.environ.get("GSPACE_HUB_EXAMPLES", "300"))


@pytest.fixture(scope="module")
def template_dir(tmp_path_factory):
    return template(tmp_path_factory.mktemp("template"))


def play_over_hub(
    folder: Path, template_dir: Path, history, **options
) -> tuple[Played, Hub, list[str]]:
    offset, first, steps = history
    for n in range(3):
        shutil.copytree(template_dir / f"laptop{n}", folder / f"laptop{n}")
    devices = [Incident.open(folder / f"laptop{n}") for n in range(3)]
    for inc in devices:
        inc.conn.execute("PRAGMA synchronous=OFF")
    if offset:
        devices[2].clock = HybridClock(devices[2].clock.now(), wall=_wall(offset))
    hub = Hub(folder / "hub", durable=False, **options)
    tokens = [hub.token(name=f"laptop{n}") for n in range(3)]
    played = Played(devices)

    def sync(n: int, batch: int = 500):
        summary = hub.sync(devices[n], tokens[n], batch=batch, media=False)
        assert summary.pending == []
        return summary

    for step in first:
        _step(played, step)
    for step in steps:
        if step[0] == "exchange":
            _, src, dst, limit = step
            sync(src, limit or 500)
            if dst != src:
                sync(dst, limit or 500)
            continue
        _step(played, step)
    for _ in range(10):
        moved = 0
        for n in range(3):
            s = sync(n)
            moved += s.sent + s.received
        if not moved:
            break
    return played, hub, tokens


@replayable(EXAMPLES)
@given(history=histories())
def test_laptops_syncing_through_the_hub_converge(template_dir, history):
    with tempfile.TemporaryDirectory() as folder:
        played, hub, _ = play_over_hub(Path(folder), template_dir, history)
        try:
            devices = [*played.devices, hub.incident()]
            dumps = [canonical_dump(inc) for inc in devices]
            assert dumps[0] == dumps[1] == dumps[2] == dumps[3]
            listed = [[c.id for c in list_conflicts(inc, include_settled=True)] for inc in devices]
            assert listed[0] == listed[1] == listed[2] == listed[3]
            assert len(set(listed[0])) == len(listed[0])
            for c in list_conflicts(devices[0], include_settled=True):
                if c.kind == "edit":
                    assert len({repr(v["value"]) for v in c.values}) >= 2, c
            stamps = [
                sorted(inc.conn.execute("SELECT origin, oseq, hlc, actor FROM changes"))
                for inc in devices
            ]
            assert stamps[0] == stamps[1] == stamps[2] == stamps[3]
        finally:
            for inc in played.devices:
                inc.close()
            hub.close()
