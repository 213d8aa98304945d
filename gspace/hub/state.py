"""What one hub process holds: hub.sqlite, the media store, its clock, and its incidents open
(each an ordinary incident folder under DIR/incidents/, whose device id is the hub's origin).

Requests run on threads: one lock lets a push, a pull or an analyst's write run alone (SQLite
allows one writer per file, each incident's connection is shared, and the clock is one). Several
processes on one database: pg_state.PgHubState (`hub serve --db postgresql://…`).
"""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

from gspace.hub.db import FAIL_LIMIT, HubDB
from gspace.hub.storage import LocalMediaStore
from gspace.store.incident import Incident
from gspace.sync.clock import HybridClock

INCIDENTS = "incidents"
MAX_NAME = 200


class HubState:
    def __init__(self, data: Path, wall=None, fail_limit: int = FAIL_LIMIT):
        self.data = Path(data)
        self.db = HubDB(self.data, fail_limit)
        self.media = LocalMediaStore(self.data)
        self.origin = self.db.meta("origin")
        self._open: dict[str, Incident] = {}
        self._guard = threading.RLock()  # one writer at a time: SQLite's rule, and one clock
        last = ""
        for name, _ in self.db.incidents():
            inc = self._incident(name)
            last = max(
                last, inc.conn.execute("SELECT coalesce(max(hlc), '') FROM changes").fetchone()[0]
            )
        self.clock = HybridClock(last or None, wall=wall)
        for inc in self._open.values():
            inc.clock = self.clock  # one clock for the hub, whatever the incident

    def close(self) -> None:
        for inc in self._open.values():
            inc.close()
        self.db.close()

    def now(self) -> str:
        """A stamp of the hub's clock (under the lock: request threads share the clock)."""
        with self._guard:
            return self.clock.now()

    def exists(self, name: str) -> bool:
        return self.db.incident_folder(name) is not None

    def _incident(self, name: str) -> Incident:
        inc = self._open.get(name)
        if inc is None:
            folder = self.db.incident_folder(name)
            inc = Incident.open(self.data / INCIDENTS / folder)
            if hasattr(self, "clock"):
                inc.clock = self.clock
            self._open[name] = inc
        return inc

    def create(self, name: str, creator: str) -> None:
        """A new incident named `name` (any text: its folder is a random id)."""
        with self._guard:
            if self.exists(name):
                return
            if not name or len(name) > MAX_NAME or "\x00" in name:
                raise ValueError("an incident name must be 1 to 200 characters, without NUL")
            folder = uuid.uuid4().hex
            inc = Incident.create(self.data / INCIDENTS / folder, name=name)
            with inc.transaction():  # changes the hub makes carry the hub's origin
                inc.db["meta"].upsert({"key": "device_id", "value": self.origin}, pk="key")
            inc.device_id = self.origin
            inc.clock = self.clock
            self.db.add_incident(name, folder, creator)  # last: a crash leaves no half incident
            self._open[name] = inc

    def pull(self, name: str, after: int, limit: int, skip_origin: str | None = None) -> dict:
        """A page of the incident's log after a laptop's cursor (protocol.pull)."""
        from gspace.hub import protocol

        with self.incident(name) as inc:
            return protocol.pull(inc, after, limit, skip_origin=skip_origin)

    def last(self, name: str) -> int:
        """The newest seq of the incident's log: the end of the cursors its pulls give."""
        from gspace.sync.changes import last_seq

        with self.incident(name) as inc:
            return last_seq(inc)

    @contextmanager
    def incident(self, name: str, actor: str | None = None):
        """The incident `name`, alone (its lock held); changes made inside carry `actor`."""
        with self._guard:
            inc = self._incident(name)
            before = inc.actor
            if actor is not None:
                inc.actor = actor
            try:
                yield inc
            finally:
                inc.actor = before
