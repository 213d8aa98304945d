"""The hub's epoch: which history its sequence numbers belong to (issue 17, "backup/restore").

A laptop remembers two cursors per hub incident: the hub's local seq it has pulled up to, and
its own seq it has pushed up to. Both are only meaningful for the history the hub had when the
laptop synced. A hub restored from a backup has lost what came after the backup, and its seqs
go on from there with other entries, so neither "the hub's `last` is below my cursor" (the hub
may have received more since) nor "the hub has fewer entries" (an incident may just be new) can
tell a laptop that its cursors are stale. So every hub carries a random epoch id in
`hub.sqlite`; `gspace hub restore` gives the restored hub a new one and records a restore
(the epoch the backup was taken in, the new epoch, and each incident's last seq in the backup:
up to there the restored history is the one the laptop saw). A laptop that remembers another
epoch walks these records back to its own: it pulls again from the smallest base on the way
(from 0 if its epoch is not in the lineage: another hub at the same address), and pushes
everything again from its start (the hub answers "duplicate" for what it still has).
"""

from __future__ import annotations

import json
import uuid

EPOCH = "epoch"
LINEAGE = "lineage"  # JSON list of {"from": epoch or null, "to": epoch, "at": time, "bases"}


def ensure(db) -> str:
    """The hub's epoch, made on first use (hubs older than epochs get one when they start)."""
    epoch = db.meta(EPOCH)
    if epoch is None:  # the first of several hub processes starting together wins
        epoch = db.meta_default(EPOCH, uuid.uuid4().hex)
    return epoch


def lineage(db) -> list[dict]:
    text = db.meta(LINEAGE)
    try:
        found = json.loads(text) if text else []
    except ValueError:
        return []
    return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []


def restored(conn, bases: dict[str, int], at: str) -> str:
    """Give the hub whose `hub.sqlite` is open on `conn` (a restored copy, not yet served) a new
    epoch, recording the restore; returns the new epoch."""

    def meta(key):
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    new, text = next_epoch(meta(EPOCH), meta(LINEAGE), bases, at)
    conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [(EPOCH, new), (LINEAGE, text)])
    return new


def next_epoch(before: str | None, lineage_text: str | None, bases: dict[str, int], at: str):
    """(new epoch, new lineage as JSON) for a hub restored from epoch `before` (hub.sqlite and
    PostgreSQL write them each in their own way)."""
    try:
        records = json.loads(lineage_text or "[]")
    except ValueError:
        records = []
    if not isinstance(records, list):
        records = []
    new = uuid.uuid4().hex
    records.append({"from": before, "to": new, "at": at, "bases": bases})
    return new, json.dumps(records, ensure_ascii=False)


def describe(db, incident: str, last: int) -> dict:
    """What a laptop needs to check its cursors for `incident` (the `/epoch` route)."""
    return {
        "epoch": ensure(db),
        "last": last,
        "restores": [
            {
                "from": r.get("from"),
                "to": r.get("to"),
                "base": int((r.get("bases") or {}).get(incident, 0)),
            }
            for r in lineage(db)
        ],
    }


def pull_from(seen: str | None, current: dict, cursor: int) -> int | None:
    """Where a laptop that last synced in epoch `seen` with pull cursor `cursor` must pull from
    on the hub `current` describes (the `/epoch` answer); None when its cursors still hold
    (then nothing is pushed again either).

    `seen` None is a laptop that synced before epochs existed (or never): its epoch is the
    first one of the lineage. A hub whose `last` is below the cursor in the laptop's own epoch
    was copied back by hand, not with `gspace hub restore`: everything again, from 0."""
    by_target = {r["to"]: r for r in current["restores"]}
    epoch, base, walked = current["epoch"], cursor, False
    while epoch != seen:
        step = by_target.pop(epoch, None)  # pop: a damaged lineage cannot loop
        if step is None:
            if seen is not None:
                return 0  # not this hub's history: another hub at the same address
            break  # the first epoch, which a laptop without one synced in
        base, epoch, walked = min(base, step["base"]), step["from"], True
    if not walked:
        return 0 if cursor > current["last"] else None
    return base
