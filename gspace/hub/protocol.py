"""The hub's side of push and pull (issue 17, "Protocol" and "Clocks").

Push: the entries a laptop sends are applied with the engine unchanged, one transaction per
batch, and answered one by one (applied, duplicate, conflict, held, rejected + reason) with
the stamp and actor the hub holds for each, so the laptop can make its copy the same:
- an entry the hub holds already is a duplicate, answered with the hub's version;
- a new entry records the token's name as its actor;
- a stamp more than a minute ahead of the hub's clock is replaced by the hub's clock (in the
  batch's order), remembered in hub.sqlite, and later entries' bases that name the old stamp
  are rewritten to the new one. The hub's clock never moves to a far-future stamp.
Pull: everything after the laptop's cursor (the hub's local seq), in order, in pages.
"""

from __future__ import annotations

import re
import time

from gspace.hub.state import HubState
from gspace.store.incident import Incident
from gspace.sync import changes, merge
from gspace.sync.clock import parse_stamp
from gspace.sync.faults import kill_point

AHEAD_MS = 60_000
MAX_ENTRIES = 5000  # per push batch
MAX_PULL = 5000
_STAMP = re.compile(r"\d{15}\.\d{5}")
ACKNOWLEDGED = ("applied", "duplicate", "conflict", "held")


def push(state: HubState, inc: Incident, name: str, entries: list, actor: str) -> list[dict]:
    answers: list[dict | None] = [None] * len(entries)
    held = _held(inc, entries)
    fresh: list[tuple[int, dict]] = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or not isinstance(e.get("hlc"), str):
            fresh.append((i, e))
        elif not _STAMP.fullmatch(e["hlc"]):
            answers[i] = _answer(e, "rejected", "the entry's stamp is not a gspace stamp")
        elif (e.get("origin"), e.get("oseq")) in held:
            hlc, who = held[(e["origin"], e["oseq"])]
            answers[i] = {"outcome": "duplicate", "reason": "", "hlc": hlc, "actor": who}
        else:
            fresh.append((i, {**e, "actor": actor}))
    kill_point("hub-push-received")
    fresh = _restamp(state, inc, name, fresh)
    kill_point("hub-push-restamped")
    if fresh:
        with inc.transaction():
            result = merge.apply_entries(inc, [e for _, e in fresh])
            kill_point("hub-push-applied")
        kill_point("hub-push-committed")
        for (i, e), (outcome, reason) in zip(fresh, result.outcomes, strict=True):
            answers[i] = _answer(e, outcome, reason)
    return answers  # type: ignore[return-value]


def _answer(e, outcome: str, reason: str) -> dict:
    ok = isinstance(e, dict)
    return {
        "outcome": outcome,
        "reason": reason,
        "hlc": e.get("hlc") if ok else None,
        "actor": e.get("actor") if ok else None,
    }


def _held(inc: Incident, entries: list) -> dict[tuple[str, int], tuple[str, str]]:
    found = {}
    for e in entries:
        if (
            isinstance(e, dict)
            and isinstance(e.get("origin"), str)
            and isinstance(e.get("oseq"), int)
        ):
            row = inc.conn.execute(
                "SELECT hlc, actor FROM changes WHERE origin = ? AND oseq = ?",
                (e["origin"], e["oseq"]),
            ).fetchone()
            if row:
                found[(e["origin"], e["oseq"])] = (row[0], row[1] or "")
    return found


def _restamp(
    state: HubState, inc: Incident, name: str, fresh: list[tuple[int, dict]]
) -> list[tuple[int, dict]]:
    """Replace far-future stamps by the hub's clock (the incident's: on PostgreSQL the one
    all the hub's processes share), and bases naming replaced stamps."""
    limit = time.time_ns() // 1_000_000 + AHEAD_MS
    wanted = set()
    for _, e in fresh:
        if isinstance(e, dict):
            wanted.add(_pair([e.get("hlc"), e.get("origin")]))
            wanted.update(_pair(c) for c in _clocks(e))
    wanted.discard(None)
    moved = state.db.restamps(name, wanted)
    new_rows = []
    out = []
    for i, e in fresh:
        if not isinstance(e, dict) or not isinstance(e.get("origin"), str):
            out.append((i, e))
            continue
        key = (e["hlc"], e["origin"])
        if key not in moved and parse_stamp(e["hlc"])[0] > limit:
            moved[key] = inc.clock.now()
            new_rows.append((e["origin"], e["hlc"], moved[key]))
        e = dict(e)
        if key in moved:
            e["hlc"] = moved[key]
        if isinstance(e.get("base"), dict):
            e["base"] = {f: _moved(c, moved) for f, c in e["base"].items()}
        data = e.get("data")
        if isinstance(data, dict) and isinstance(data.get("_settle"), dict):
            settle = data["_settle"]
            if isinstance(settle.get("covers"), list):
                covers = [_moved(c, moved) for c in settle["covers"]]
                e["data"] = {**data, "_settle": {**settle, "covers": covers}}
        out.append((i, e))
    if new_rows:  # kept before the entries are applied: a resent batch reuses them
        state.db.add_restamps(name, new_rows)
    return out


def _pair(clock) -> tuple[str, str] | None:
    if isinstance(clock, list) and len(clock) == 2 and all(isinstance(c, str) for c in clock):
        return clock[0], clock[1]
    return None


def _moved(clock, moved: dict):
    pair = _pair(clock)
    return [moved[pair], pair[1]] if pair in moved else clock


def _clocks(e: dict) -> list:
    """The [stamp, origin] pairs an entry names: its bases and its settlement's covers."""
    found = list(e["base"].values()) if isinstance(e.get("base"), dict) else []
    data = e.get("data")
    settle = data.get("_settle") if isinstance(data, dict) else None
    if isinstance(settle, dict) and isinstance(settle.get("covers"), list):
        found += settle["covers"]
    return found


def pull(inc: Incident, after: int, limit: int, skip_origin: str | None = None) -> dict:
    """A page of entries after `after`; those of `skip_origin` (the puller's own, which it
    has: the hub's stamps for them came back in the push answers) are left out of the page,
    not out of the cursor."""
    items = list(changes.outgoing(inc, after, min(limit, MAX_PULL)))
    last = changes.last_seq(inc)
    kill_point("hub-pull-read")
    return page([(seq, e, e.get("origin")) for seq, e in items], after, last, skip_origin)


def page(items: list[tuple[int, dict, str]], after: int, last: int, skip_origin: str | None):
    """A pull's answer from (seq, entry, origin) in order after `after`, `last` the log's
    newest seq: `skip_origin`'s entries are left out of the page, not out of the cursor."""
    return {
        "entries": [
            {"seq": seq, "entry": entry}
            for seq, entry, origin in items
            if skip_origin is None or origin != skip_origin
        ],
        "next": items[-1][0] if items else max(0, min(after, last)),
        "last": last,
        "more": bool(items) and items[-1][0] < last,
    }
