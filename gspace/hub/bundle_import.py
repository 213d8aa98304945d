"""`gspace hub bundle import`: a USB bundle (.gsb) applied to one of the hub's incidents, which
laptops then pull like any change pushed to the hub (issue 17, "Client").

The bundle goes through the laptop's import unchanged (gspace.sync.bundle.import_bundle: the
whole bundle checked before anything is written, all or nothing, a second import changes
nothing), with what only the hub adds:
- a stamp more than a minute ahead of the hub's clock is replaced by the hub's clock, exactly
  as when the entry is pushed (gspace.hub.protocol), so a laptop with a fast clock cannot win
  through a USB stick what it cannot win over the network;
- a missing incident is created, but only registered in hub.sqlite once the bundle is in: a
  refused bundle leaves the hub as it was (no new incident);
- the photos, which the laptop's import places in the incident folder's `media/`, are moved
  into the hub's media store (by hash), where laptops download them from.
It may run while the hub serves: SQLite lets one writer at a time into each file. On a hub on
PostgreSQL (`--db`) the same import runs in a replica of its own, inside the write a push makes
there (_into_pg), so every hub process receives the bundle's entries through the shared log.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from gspace.hub import protocol
from gspace.hub.db import HUB_DB
from gspace.hub.state import INCIDENTS, MAX_NAME, HubState
from gspace.hub.storage import BadHash, checked
from gspace.store.incident import Incident
from gspace.sync.bundle import BundleError, ImportSummary, import_bundle

CREATOR = "bundle import"


def import_into_hub(
    data: Path, name: str, path: Path, progress=None, db: str | None = None
) -> ImportSummary:
    """Apply the bundle at `path` to the hub incident `name` (created if missing); with `db`
    (a PostgreSQL URL) on the hub whose state is in that database."""
    if not name or len(name) > MAX_NAME or "\x00" in name:
        raise BundleError("an incident name must be 1 to 200 characters, without NUL")
    if db is not None:
        return _into_pg(Path(data), name, path, progress, db)
    if not (Path(data) / HUB_DB).is_file() and (Path(data) / "replicas").is_dir():
        raise BundleError(
            "this hub keeps its state in PostgreSQL: give its database with --db URL (or "
            "GSPACE_HUB_DB)"
        )
    state = HubState(Path(data))
    try:
        if state.exists(name):
            with state.incident(name) as inc:
                summary = _apply(state, name, inc, path, progress)
            return summary
        folder = uuid.uuid4().hex
        inc = Incident.create(state.data / INCIDENTS / folder, name=name)
        try:
            with inc.transaction():  # changes the hub makes carry the hub's origin
                inc.db["meta"].upsert({"key": "device_id", "value": state.origin}, pk="key")
            inc.device_id, inc.clock = state.origin, state.clock
            summary = _apply(state, name, inc, path, progress)
        except BaseException:
            inc.close()
            shutil.rmtree(state.data / INCIDENTS / folder, ignore_errors=True)
            raise
        inc.close()
        state.db.add_incident(name, folder, CREATOR)  # last: a refused bundle adds nothing
        return summary
    finally:
        state.close()


def _into_pg(data: Path, name: str, path: Path, progress, url: str) -> ImportSummary:
    """On PostgreSQL: the import runs inside one write of this process' replica
    (PgHubState.incident), as a push does: the restamps, the incident if it is new and every
    entry the bundle brings reach the shared log in one PostgreSQL transaction, or nothing
    does. The photos are moved into the hub's store before that commit (an extra photo,
    named by its hash, harms nothing)."""
    from gspace.hub.pg_db import check_url
    from gspace.hub.pg_state import PgHubState

    if (data / HUB_DB).is_file():
        raise BundleError(
            f"the hub in {data} keeps its state in {HUB_DB}, not in PostgreSQL: import without --db"
        )
    state = PgHubState(data, check_url(url))
    try:
        with state.incident(name, create=CREATOR) as inc:
            return _apply(state, name, inc, path, progress)
    finally:
        state.close()


def _apply(state: HubState, name: str, inc: Incident, path: Path, progress) -> ImportSummary:
    def restamp(entries: list[dict]) -> list[dict]:
        out = list(entries)
        stamped = [
            (i, e)
            for i, e in enumerate(entries)
            if isinstance(e, dict)
            and isinstance(e.get("hlc"), str)
            and protocol._STAMP.fullmatch(e["hlc"])
        ]  # the others are the engine's to refuse
        for i, e in protocol._restamp(state, inc, name, stamped):
            out[i] = e
        return out

    summary = import_bundle(inc, path, progress=progress, prepare=restamp)
    _into_store(state, inc)
    return summary


def _into_store(state: HubState, inc: Incident) -> None:
    """Move the photos the import placed in the incident folder into the hub's store (also
    those a killed earlier import left there: whole, checked, named by their hash)."""
    moved = []
    for file in sorted(inc.media_dir.glob("??/*")):
        try:
            sha = checked(file.name.split(".", 1)[0])
        except BadHash:
            continue
        if state.media.has(sha):
            file.unlink()
        else:
            target = state.media.path(sha)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(file, target)
        moved.append(sha)
    if moved:
        with inc.transaction():  # as pushed rows: the file is the store's, not the folder's
            inc.conn.executemany(
                "UPDATE media SET path = NULL WHERE sha256 = ?", [(s,) for s in moved]
            )
