"""Where a laptop stands with its hub, read from the incident's meta without asking the hub:
the remembered hub (`gspace sync` and the window's Hub settings keep the same keys), how many
changes wait to be acknowledged, the reasons the hub gave for those it refused, and when the
last sync ended. The window's status indicator shows this between syncs (no Qt here)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from gspace.store.incident import Incident
from gspace.sync.client import get_meta, meta_key
from gspace.sync.hub_messages import say


@dataclass
class HubStatus:
    url: str
    hub_incident: str
    waiting: int = 0  # changes the hub does not hold yet (refused ones included)
    refused: list[str] = field(default_factory=list)  # one line per change the hub refused
    synced_at: datetime | None = None  # the end of the last sync that went through


def remembered(inc: Incident) -> tuple[str, str] | None:
    """(hub URL, hub incident) this incident syncs with, or None before the first setting."""
    url = get_meta(inc, "hub_url")
    if not url:
        return None
    return url, get_meta(inc, "hub_incident") or inc.name


def remember(inc: Incident, url: str, hub_incident: str) -> None:
    """Keep the hub for this incident (the same meta keys as `gspace sync --hub`)."""
    with inc.transaction():
        inc.db["meta"].upsert({"key": "hub_url", "value": url.rstrip("/")}, pk="key")
        inc.db["meta"].upsert({"key": "hub_incident", "value": hub_incident}, pk="key")


def status(inc: Incident, url: str, hub_incident: str) -> HubStatus:
    # changes written since the last sync, or since the push cursor if that is further on (a
    # sync that stopped half-way), plus the ones the hub refused
    cursor = int(get_meta(inc, meta_key(url, hub_incident, "push"), "0") or 0)
    ended = int(get_meta(inc, meta_key(url, hub_incident, "synced_seq"), "0") or 0)
    [newer] = inc.conn.execute(
        "SELECT count(*) FROM changes WHERE seq > ?", (max(cursor, ended),)
    ).fetchone()
    try:
        pending = json.loads(get_meta(inc, meta_key(url, hub_incident, "pending"), "[]") or "[]")
    except ValueError:
        pending = []
    refused = [
        say(
            "pending",
            origin=str(p.get("origin", ""))[:8],
            oseq=p.get("oseq"),
            reason=p.get("reason"),
        )
        for p in pending
        if isinstance(p, dict)
    ]
    synced = get_meta(inc, meta_key(url, hub_incident, "synced"))
    try:
        synced_at = datetime.fromisoformat(synced) if synced else None
    except ValueError:
        synced_at = None
    return HubStatus(url.rstrip("/"), hub_incident, newer + len(refused), refused, synced_at)
