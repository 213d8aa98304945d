"""What the hub keeps for volunteer submissions (issue 18), beside its own tables: in
`hub.sqlite` on HubDB's connection and lock, or in the hub's PostgreSQL database (PgHubDB, the
tables of step 2 of pg_schema.py). One implementation for both: the SQL is written once with `?`
placeholders (turned into `%s` for psycopg) and only statements both databases understand
(`ON CONFLICT`, `RETURNING`); HubDB's tables are left as they are:

- invites: one link shared by many people, kept like a token (a short prefix in clear to find
  the row, a SHA-256 of the rest), with an expiry, a cap on the phones that may join and a
  revocation time;
- phones: each phone that joined an invite gets its own volunteer token (a normal row of
  `tokens`, role volunteer, scoped to the invite's incident), so limits and receipts are per
  phone and revoking an invite can revoke its phones too;
- uploads and receipts of each phone: which photos it finished uploading (the hub never tells a
  phone about any other upload) and which reports it sent, by the id the phone made (a retry
  answers the same receipt instead of making a second report);
- rate counters, per token and per address, in fixed one-minute windows. On PostgreSQL they
  are a table (one upsert per request), so every process of the hub counts against the same
  limit; on SQLite the hub is one process and they stay in memory (a durable write per request
  would make every phone wait for the disk; a restart forgets at most a minute of counts).

Idempotence holds across processes: a receipt's key is (phone token, the id the phone made) and
a second insert of it does nothing, and a phone joins inside a transaction holding its invite's
row, so two processes never give out more phones than the invite allows.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from gspace.errors import GspaceError

PREFIX = 8
RATE_WINDOW_S = 60

_SCHEMA = """
CREATE TABLE IF NOT EXISTS invites (
    id INTEGER PRIMARY KEY, prefix TEXT NOT NULL, hash TEXT NOT NULL, name TEXT NOT NULL,
    incident TEXT NOT NULL, created REAL NOT NULL, expires REAL, devices INTEGER,
    revoked REAL, creator TEXT);
CREATE INDEX IF NOT EXISTS idx_invites_prefix ON invites (prefix);
CREATE TABLE IF NOT EXISTS invite_phones (
    token_id INTEGER PRIMARY KEY, invite_id INTEGER NOT NULL, n INTEGER NOT NULL,
    joined REAL NOT NULL);
CREATE TABLE IF NOT EXISTS volunteer_uploads (
    token_id INTEGER NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, info TEXT NOT NULL,
    PRIMARY KEY (token_id, sha256));
CREATE TABLE IF NOT EXISTS volunteer_reports (
    token_id INTEGER NOT NULL, client_id TEXT NOT NULL, report_id TEXT NOT NULL,
    incident TEXT NOT NULL, sent REAL NOT NULL, photos INTEGER NOT NULL,
    PRIMARY KEY (token_id, client_id));
"""


@dataclass(frozen=True)
class Invite:
    id: int
    name: str
    incident: str
    created: float
    expires: float | None
    devices: int | None
    revoked: float | None
    phones: int = 0

    def state(self, now: float | None = None) -> str:
        now = time.time() if now is None else now
        if self.revoked is not None:
            return "revoked"
        if self.expires is not None and self.expires <= now:
            return "expired"
        if self.devices is not None and self.phones >= self.devices:
            return "full"
        return "live"


class VolunteerDB:
    def __init__(self, db):
        """`db`: the hub's HubDB (SQLite) or PgHubDB (PostgreSQL, already migrated)."""
        self.db = db
        self.pg = not hasattr(db, "lock")
        self._rates: dict[str, tuple[float, int]] = {}
        self._rates_lock = threading.Lock()
        self._swept = 0.0
        if not self.pg:
            with db.lock:
                db.conn.executescript(_SCHEMA)

    # -- the SQL adaptor -----------------------------------------------------------------------
    def _all(self, sql: str, args=()) -> list[tuple]:
        if self.pg:
            return [tuple(r) for r in self.db._all(sql.replace("?", "%s"), args)]
        return self.db.conn.execute(sql, args).fetchall()

    def _one(self, sql: str, args=()) -> tuple | None:
        if self.pg:
            row = self.db._one(sql.replace("?", "%s"), args)
            return None if row is None else tuple(row)
        return self.db.conn.execute(sql, args).fetchone()

    def _run(self, sql: str, args=()) -> None:
        if self.pg:
            self.db._run(sql.replace("?", "%s"), args)
        else:
            with self.db.lock:
                self.db.conn.execute(sql, args)

    @contextmanager
    def _write(self, invite_id: int | None = None):
        """The calls inside as one write: under HubDB's lock, or in one PostgreSQL transaction
        (joined by every call this thread makes, HubDB's too) holding the invite's row."""
        if not self.pg:
            with self.db.lock:
                yield
            return
        if getattr(self.db._local, "tx", None) is not None:  # already inside one: join it
            self._lock_invite(invite_id)
            yield
            return
        with self.db.transaction() as conn:
            self._lock_invite(invite_id)
            yield
            conn.commit()

    def _lock_invite(self, invite_id: int | None) -> None:
        if invite_id is not None:
            self._one("SELECT id FROM invites WHERE id = ? FOR UPDATE", (invite_id,))

    # -- invites -------------------------------------------------------------------------------
    def create_invite(
        self,
        incident: str,
        name: str | None = None,
        days: float | None = None,
        devices: int | None = None,
        creator: str | None = None,
    ) -> tuple[int, str]:
        """A new invite to `incident`: (its id, the secret for its link, shown only now)."""
        if self.db.incident_folder(incident) is None:
            raise GspaceError(f"no incident {incident!r} on this hub")
        if devices is not None and devices < 1:
            raise GspaceError("--devices must be at least 1")
        if days is not None and days <= 0:
            raise GspaceError("--expires must be a positive number of days")
        if name is not None and (not name.strip() or len(name) > 100 or "\x00" in name):
            raise GspaceError("an invite name must be 1 to 100 characters")
        secret = secrets.token_urlsafe(18)
        now = time.time()
        with self._write():
            [invite_id] = self._one(
                "INSERT INTO invites (prefix, hash, name, incident, created, expires, devices, "
                "creator) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    secret[:PREFIX],
                    _digest(secret),
                    name or "",
                    incident,
                    now,
                    None if days is None else now + days * 86400,
                    devices,
                    creator,
                ),
            )
            if not name:
                self._run(
                    "UPDATE invites SET name = ? WHERE id = ?", (f"invite{invite_id}", invite_id)
                )
        return invite_id, secret

    def invites(self, incident: str | None = None) -> list[Invite]:
        sql = (
            "SELECT i.id, i.name, i.incident, i.created, i.expires, i.devices, i.revoked, "
            "(SELECT count(*) FROM invite_phones p WHERE p.invite_id = i.id) FROM invites i "
        )
        if incident is None:
            rows = self._all(sql + "ORDER BY i.id")
        else:
            rows = self._all(sql + "WHERE i.incident = ? ORDER BY i.id", (incident,))
        return [Invite(*r) for r in rows]

    def find_invite(self, secret: str) -> Invite | None:
        """The invite this secret opens, whatever its state, or None (unknown or corrupt)."""
        if not isinstance(secret, str) or not 16 <= len(secret) <= 64:
            return None
        for row in self._all("SELECT id, hash FROM invites WHERE prefix = ?", (secret[:PREFIX],)):
            if hmac.compare_digest(row[1], _digest(secret)):
                return self.invite(row[0])
        return None

    def invite(self, invite_id: int) -> Invite | None:
        found = [i for i in self.invites() if i.id == invite_id]
        return found[0] if found else None

    def revoke_invite(self, invite_id: int, phones: bool = False) -> int | None:
        """Revoke an invite (no new phone joins); with `phones`, also the tokens of the phones
        that joined. Returns how many phones were revoked, None for an unknown invite."""
        with self._write(invite_id):
            if self.invite(invite_id) is None:
                return None
            self._run(
                "UPDATE invites SET revoked = ? WHERE id = ? AND revoked IS NULL",
                (time.time(), invite_id),
            )
            revoked = 0
            if phones:
                for (token_id,) in self._all(
                    "SELECT token_id FROM invite_phones WHERE invite_id = ?", (invite_id,)
                ):
                    revoked += self.db.revoke(token_id)
        return revoked

    def join(self, invite: Invite) -> tuple[str, str]:
        """A new phone on a live invite: (its volunteer token, the token's name). Raises
        GspaceError with the invite's state when no phone may join."""
        with self._write(invite.id):
            current = self.invite(invite.id)
            if current is None or current.state() != "live":
                raise GspaceError(current.state() if current else "unknown")
            n = current.phones + 1
            name = f"volunteer:{current.name}#{n}"
            token = self.db.create_token("volunteer", name, current.incident)
            token_id = self.db.check(token).id
            self._run(
                "INSERT INTO invite_phones VALUES (?, ?, ?, ?)",
                (token_id, current.id, n, time.time()),
            )
        return token, name

    # -- rates ---------------------------------------------------------------------------------
    def hit(self, key: str, limit: int) -> bool:
        """Count one request for `key` in its one-minute window; False once over `limit`.
        Shared by the hub's processes on PostgreSQL (one upsert), in memory on SQLite (see the
        module's docstring)."""
        now = time.time()
        if self.pg:
            window = int(now // RATE_WINDOW_S)
            [count] = self._one(
                "INSERT INTO volunteer_rates (key, win, count) VALUES (?, ?, 1) "
                "ON CONFLICT (key) DO UPDATE SET count = CASE WHEN volunteer_rates.win = "
                "excluded.win THEN volunteer_rates.count + 1 ELSE 1 END, win = excluded.win "
                "RETURNING count",
                (key, window),
            )
            if now - self._swept > RATE_WINDOW_S:  # forget finished windows, once a minute
                self._swept = now
                self._run("DELETE FROM volunteer_rates WHERE win < ?", (window,))
            return count <= limit
        with self._rates_lock:
            window, count = self._rates.get(key, (now, 0))
            if window <= now - RATE_WINDOW_S:
                window, count = now, 0
            self._rates[key] = (window, count + 1)
            if len(self._rates) > 100_000:  # forget finished windows
                self._rates = {k: v for k, v in self._rates.items() if v[0] > now - RATE_WINDOW_S}
        return count + 1 <= limit

    # -- a phone's uploads and reports ---------------------------------------------------------
    def uploaded(self, token_id: int, sha256: str) -> str | None:
        """The JSON description of a photo this phone finished uploading, else None."""
        row = self._one(
            "SELECT info FROM volunteer_uploads WHERE token_id = ? AND sha256 = ?",
            (token_id, sha256),
        )
        return row[0] if row else None

    def add_upload(self, token_id: int, sha256: str, size: int, info: str) -> None:
        self._run(
            "INSERT INTO volunteer_uploads VALUES (?, ?, ?, ?) ON CONFLICT (token_id, sha256) "
            "DO UPDATE SET size = excluded.size, info = excluded.info",
            (token_id, sha256, size, info),
        )

    def uploaded_bytes(self, token_id: int) -> int:
        return int(
            self._one(
                "SELECT coalesce(sum(size), 0) FROM volunteer_uploads WHERE token_id = ?",
                (token_id,),
            )[0]
        )

    def receipt(self, token_id: int, client_id: str) -> tuple | None:
        return self._one(
            "SELECT client_id, report_id, sent, photos FROM volunteer_reports "
            "WHERE token_id = ? AND client_id = ?",
            (token_id, client_id),
        )

    def add_receipt(
        self, token_id: int, client_id: str, report_id: str, incident: str, photos: int
    ) -> None:
        """Record a report's receipt; the same (phone, id) a second time, from any process,
        keeps the first one."""
        self._run(
            "INSERT INTO volunteer_reports VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (token_id, client_id) DO NOTHING",
            (token_id, client_id, report_id, incident, time.time(), photos),
        )

    def receipts(self, token_id: int) -> list[tuple]:
        return self._all(
            "SELECT client_id, report_id, sent, photos FROM volunteer_reports "
            "WHERE token_id = ? ORDER BY sent",
            (token_id,),
        )

    def report_count(self, token_id: int) -> int:
        return int(
            self._one("SELECT count(*) FROM volunteer_reports WHERE token_id = ?", (token_id,))[0]
        )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
