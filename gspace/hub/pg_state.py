"""One hub process among several on one PostgreSQL database and one DIR (issue 17: the hub
grows past one machine). Same interface as HubState, so the app does not know which it runs on.

- The truth is the change log in PostgreSQL (`entries`, pg_schema.py), shared by every
  process. A laptop's pull reads it by `hseq`, whichever process answers.
- Each process keeps a replica of each incident: an ordinary incident folder under
  DIR/replicas/<process>/, on which the sync engine runs unchanged. Before any use the replica
  catches up with the log: the entries after its cursor, each group applied in one
  merge.apply_entries call as the process that wrote it did (so the machine writes that group
  caused, e.g. duplicate marks, arrive with it instead of being made again here).
- A write (a push, an analyst's verify or settle, an upload chunk) runs in one PostgreSQL
  transaction holding pg_advisory_xact_lock for its incident: catch up, apply to the replica,
  append to the log every entry the replica now holds beyond it (and the entries it holds back
  for later, so the other replicas hold them too), move the shared clock, commit PostgreSQL,
  then the replica. A crash between the two commits leaves the replica behind the log, which
  it catches up with at its next use.
- The clock: each write starts from the later of the shared clock and its incident's newest
  stamp, and stores what it reached. Writes to one incident take turns (the lock), so their
  stamps only grow; a global row lock taken for the whole push would make writes to
  different incidents wait for each other too.
A replica's folder is locked (flock) while its process lives; a later process adopts an
unlocked one (a restart catches up from where it was) when it was made from this same log.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import orjson

from gspace.hub import protocol
from gspace.hub.db import FAIL_LIMIT
from gspace.hub.pg_db import PgHubDB
from gspace.hub.state import MAX_NAME
from gspace.hub.storage import LocalMediaStore
from gspace.store.incident import Incident
from gspace.sync import changes, merge
from gspace.sync.clock import HybridClock

REPLICAS = "replicas"
CURSOR = "hub_log_hseq"  # replica meta: the last log entry it holds
LOGGED = "hub_log_seq"  # replica meta: its local seq up to which the log holds everything
LOG_ID = "hub_log_id"


class PgHubState:
    def __init__(self, data: Path, url: str, wall=None, fail_limit: int = FAIL_LIMIT):
        self.data = Path(data)
        self.data.mkdir(parents=True, exist_ok=True)
        self.db = PgHubDB(url, fail_limit)
        self.media = LocalMediaStore(self.data)
        self.origin = self.db.meta("origin")
        self.log_id = self.db.meta("log_id")
        self.wall = wall
        self.clock = HybridClock(wall=wall)  # only for stamps outside a write (whoami, pull)
        self._guard = threading.RLock()  # one request of this process at a time on a replica
        self._open: dict[str, Incident] = {}
        self._within: dict[int, str] = {}  # thread -> the incident it is writing
        self.replica_dir, self._lockfile = _claim_replica_dir(self.data / REPLICAS)

    def close(self) -> None:
        for inc in self._open.values():
            inc.close()
        self._open.clear()
        self.db.close()
        self._lockfile.close()

    # -- the clock ---------------------------------------------------------------------------
    def now(self) -> str:
        """A stamp later than every stamp any process of the hub has given; stored, so the
        processes' later stamps are later still."""
        with self._guard:
            with self.db.conn() as c:
                [last] = c.execute("SELECT last FROM clock WHERE id = 1").fetchone()
                if last:
                    self.clock.observe(last)
                stamp = self.clock.now()
                c.execute("UPDATE clock SET last = greatest(last, %s) WHERE id = 1", (stamp,))
            return stamp

    # -- incidents -----------------------------------------------------------------------------
    def exists(self, name: str) -> bool:
        return self.db.incident_folder(name) is not None

    def create(self, name: str, creator: str) -> None:
        if self.exists(name):
            return
        if not name or len(name) > MAX_NAME or "\x00" in name:
            raise ValueError("an incident name must be 1 to 200 characters, without NUL")
        self.db.add_incident(name, uuid.uuid4().hex, creator)

    def _replica(self, name: str) -> Incident:
        inc = self._open.get(name)
        if inc is not None:
            return inc
        folder = self.db.incident_folder(name)
        path = self.replica_dir / folder
        if (path / "store.sqlite").exists():
            inc = Incident.open(path)
            known = inc.conn.execute("SELECT value FROM meta WHERE key = ?", (LOG_ID,)).fetchone()
            if known and known[0] == self.log_id:
                inc.clock = HybridClock(inc.clock.now(), wall=self.wall)
                self._open[name] = inc
                return inc
            inc.close()  # made from another database: start again
            shutil.rmtree(path)
        inc = Incident.create(path, name=name)
        with inc.transaction():  # changes made on the hub carry the hub's origin
            for key, value in (
                ("device_id", self.origin),
                (LOG_ID, self.log_id),
                (CURSOR, "0"),
                (LOGGED, "0"),
            ):
                inc.db["meta"].upsert({"key": key, "value": value}, pk="key")
        inc.device_id = self.origin
        inc.clock = HybridClock(wall=self.wall)
        self._open[name] = inc
        return inc

    def _catch_up(self, inc: Incident, name: str, conn) -> None:
        """Apply the log's entries this replica lacks, one group per apply_entries call."""
        cursor = int(_meta(inc, CURSOR))
        rows = conn.execute(
            "SELECT hseq, grp, entry FROM entries WHERE incident = %s AND hseq > %s ORDER BY hseq",
            (name, cursor),
        ).fetchall()
        start = 0
        while start < len(rows):
            end = start
            while end < len(rows) and rows[end][1] == rows[start][1]:
                end += 1
            group = [orjson.loads(r[2]) for r in rows[start:end]]
            with inc.transaction():
                merge.apply_entries(inc, group)
                _set_meta(inc, CURSOR, rows[end - 1][0])
                _set_meta(inc, LOGGED, changes.last_seq(inc))
            start = end

    @contextmanager
    def incident(self, name: str, actor: str | None = None):
        """The incident `name`, caught up and alone (its advisory lock held across all the
        hub's processes); what is written inside reaches the shared log, or nothing does."""
        if self._within.get(threading.get_ident()) is not None:
            yield from self._nested(name, actor)
            return
        with self._guard, self.db.transaction() as conn:
            inc = self._replica(name)
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(name),))
            self._catch_up(inc, name, conn)
            [shared] = conn.execute("SELECT last FROM clock WHERE id = 1").fetchone()
            if shared:  # the replica's clock has seen its own log; the others' stamps too
                inc.clock.observe(shared)
            held = _held_keys(inc)
            self._within[threading.get_ident()] = name
            before = inc.actor
            if actor is not None:
                inc.actor = actor
            try:
                with inc.transaction():
                    yield inc
                    if self._append(inc, name, conn, held):
                        conn.execute(
                            "UPDATE clock SET last = greatest(last, %s) WHERE id = 1",
                            (inc.clock.now(),),
                        )
                    conn.commit()  # PostgreSQL first: the replica can always catch up
            finally:
                inc.actor = before
                self._within.pop(threading.get_ident(), None)

    def _nested(self, name: str, actor: str | None):
        """incident() inside incident() on one thread: the outer write, if it is the same
        incident (as HubState's reentrant lock allows); another one would need a second lock
        in the same transaction, which nothing does."""
        if self._within[threading.get_ident()] != name:
            raise RuntimeError("one incident at a time per request on a PostgreSQL hub")
        inc = self._open[name]
        before = inc.actor
        if actor is not None:
            inc.actor = actor
        try:
            yield inc
        finally:
            inc.actor = before

    def _append(self, inc: Incident, name: str, conn, held_before: set) -> bool:
        """Log what the replica holds beyond the log; True when something was logged."""
        logged = int(_meta(inc, LOGGED))
        rows = [
            (e["origin"], e["oseq"], e["hlc"], orjson.dumps(e).decode())
            for _, e in changes.outgoing(inc, logged)
        ]
        for origin, oseq, schema, text in inc.conn.execute(
            "SELECT origin, oseq, schema, entry FROM held_entries"
        ):
            if (origin, oseq) not in held_before:  # held back here: the others hold it too
                e = {**orjson.loads(text), "schema": schema}
                rows.append((origin, oseq, e["hlc"], orjson.dumps(e).decode()))
        if not rows:
            return False
        [grp] = conn.execute("SELECT nextval('entry_groups')").fetchone()
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO entries (incident, grp, origin, oseq, hlc, entry) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                [(name, grp, *r) for r in rows],
            )
        [last] = conn.execute(
            "SELECT coalesce(max(hseq), 0) FROM entries WHERE incident = %s", (name,)
        ).fetchone()
        _set_meta(inc, CURSOR, last)
        _set_meta(inc, LOGGED, changes.last_seq(inc))
        return True

    # -- pull ------------------------------------------------------------------------------------
    def last(self, name: str) -> int:
        """The incident's newest hseq in the shared log: the end of the cursors its pulls give
        (hseq counts every incident's entries, so the replica's own seq is not it); read
        without the incident's lock, as a pull is."""
        [last] = self.db._one(
            "SELECT coalesce(max(hseq), 0) FROM entries WHERE incident = %s", (name,)
        )
        return last

    def pull(self, name: str, after: int, limit: int, skip_origin: str | None = None) -> dict:
        """The log's entries after `after` (a laptop's cursor: the log's hseq), in pages;
        those of `skip_origin` (the puller's own, protocol.pull) left out of the page, not out
        of the cursor."""
        with self.db.conn() as c:
            rows = c.execute(
                "SELECT hseq, entry, origin FROM entries WHERE incident = %s AND hseq > %s "
                "ORDER BY hseq LIMIT %s",
                (name, after, limit),
            ).fetchall()
            [last] = c.execute(
                "SELECT coalesce(max(hseq), 0) FROM entries WHERE incident = %s", (name,)
            ).fetchone()
        items = [  # the entries left out are not parsed
            (hseq, None if origin == skip_origin else orjson.loads(text), origin)
            for hseq, text, origin in rows
        ]
        return protocol.page(items, after, last, skip_origin)


def _meta(inc: Incident, key: str) -> str:
    row = inc.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else "0"


def _set_meta(inc: Incident, key: str, value) -> None:
    inc.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(value)))


def _held_keys(inc: Incident) -> set:
    return set(inc.conn.execute("SELECT origin, oseq FROM held_entries").fetchall())


def _lock_key(name: str) -> int:
    """A 64-bit advisory lock key for an incident's name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _claim_replica_dir(root: Path):
    """A replica folder for this process: one left by a process that ended (its lock is
    free), else a new one; returns it and its open lock file (held while this process lives)."""
    root.mkdir(parents=True, exist_ok=True)
    for path in sorted(root.iterdir()):
        lock = _try_lock(path)
        if lock is not None:
            return path, lock
    path = root / uuid.uuid4().hex
    path.mkdir()
    lock = _try_lock(path)
    assert lock is not None
    return path, lock


def _try_lock(path: Path):
    if not path.is_dir():
        return None
    f = open(path / "lock", "a+b")  # noqa: SIM115 - held open while the process lives
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        return None
    os.set_inheritable(f.fileno(), False)
    return f
