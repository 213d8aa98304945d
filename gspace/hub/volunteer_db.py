"""What the hub keeps for volunteer submissions (issue 18), beside its own tables in
`hub.sqlite` and on the same connection and lock (HubDB's tables are left as they are):

- invites: one link shared by many people, kept like a token (a short prefix in clear to find
  the row, a SHA-256 of the rest), with an expiry, a cap on the phones that may join and a
  revocation time;
- phones: each phone that joined an invite gets its own volunteer token (a normal row of
  `tokens`, role volunteer, scoped to the invite's incident), so limits and receipts are per
  phone and revoking an invite can revoke its phones too;
- uploads and receipts of each phone: which photos it finished uploading (the hub never tells a
  phone about any other upload) and which reports it sent, by the id the phone made (a retry
  answers the same receipt instead of making a second report);
- rate counters, per token and per address, in fixed one-minute windows (in memory).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from gspace.errors import GspaceError
from gspace.hub.db import HubDB

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
    def __init__(self, db: HubDB):
        self.db, self.conn, self.lock = db, db.conn, db.lock
        self._rates: dict[str, tuple[float, int]] = {}
        self._rates_lock = threading.Lock()
        with self.lock:
            self.conn.executescript(_SCHEMA)

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
        with self.lock:
            cursor = self.conn.execute(
                "INSERT INTO invites (prefix, hash, name, incident, created, expires, devices, "
                "creator) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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
            invite_id = cursor.lastrowid
            if not name:
                self.conn.execute(
                    "UPDATE invites SET name = ? WHERE id = ?", (f"invite{invite_id}", invite_id)
                )
        return invite_id, secret

    def invites(self, incident: str | None = None) -> list[Invite]:
        rows = self.conn.execute(
            "SELECT i.id, i.name, i.incident, i.created, i.expires, i.devices, i.revoked, "
            "(SELECT count(*) FROM invite_phones p WHERE p.invite_id = i.id) FROM invites i "
            "WHERE ? IS NULL OR i.incident = ? ORDER BY i.id",
            (incident, incident),
        ).fetchall()
        return [Invite(*r) for r in rows]

    def find_invite(self, secret: str) -> Invite | None:
        """The invite this secret opens, whatever its state, or None (unknown or corrupt)."""
        if not isinstance(secret, str) or not 16 <= len(secret) <= 64:
            return None
        for row in self.conn.execute(
            "SELECT id, hash FROM invites WHERE prefix = ?", (secret[:PREFIX],)
        ):
            if hmac.compare_digest(row[1], _digest(secret)):
                return self.invite(row[0])
        return None

    def invite(self, invite_id: int) -> Invite | None:
        found = [i for i in self.invites() if i.id == invite_id]
        return found[0] if found else None

    def revoke_invite(self, invite_id: int, phones: bool = False) -> int | None:
        """Revoke an invite (no new phone joins); with `phones`, also the tokens of the phones
        that joined. Returns how many phones were revoked, None for an unknown invite."""
        with self.lock:
            if self.invite(invite_id) is None:
                return None
            self.conn.execute(
                "UPDATE invites SET revoked = ? WHERE id = ? AND revoked IS NULL",
                (time.time(), invite_id),
            )
            revoked = 0
            if phones:
                for (token_id,) in self.conn.execute(
                    "SELECT token_id FROM invite_phones WHERE invite_id = ?", (invite_id,)
                ).fetchall():
                    revoked += self.db.revoke(token_id)
        return revoked

    def join(self, invite: Invite) -> tuple[str, str]:
        """A new phone on a live invite: (its volunteer token, the token's name). Raises
        GspaceError with the invite's state when no phone may join."""
        with self.lock:
            current = self.invite(invite.id)
            if current is None or current.state() != "live":
                raise GspaceError(current.state() if current else "unknown")
            n = current.phones + 1
            name = f"volunteer:{current.name}#{n}"
            token = self.db.create_token("volunteer", name, current.incident)
            token_id = self.db.check(token).id
            self.conn.execute(
                "INSERT INTO invite_phones VALUES (?, ?, ?, ?)",
                (token_id, current.id, n, time.time()),
            )
        return token, name

    # -- rates ---------------------------------------------------------------------------------
    def hit(self, key: str, limit: int) -> bool:
        """Count one request for `key` in its one-minute window; False once over `limit`.
        Kept in memory: a durable write per request would make every phone wait for the disk
        (a restart forgets at most a minute of counts)."""
        now = time.time()
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
        row = self.conn.execute(
            "SELECT info FROM volunteer_uploads WHERE token_id = ? AND sha256 = ?",
            (token_id, sha256),
        ).fetchone()
        return row[0] if row else None

    def add_upload(self, token_id: int, sha256: str, size: int, info: str) -> None:
        with self.lock:
            self.conn.execute(
                "INSERT OR REPLACE INTO volunteer_uploads VALUES (?, ?, ?, ?)",
                (token_id, sha256, size, info),
            )

    def uploaded_bytes(self, token_id: int) -> int:
        return self.conn.execute(
            "SELECT coalesce(sum(size), 0) FROM volunteer_uploads WHERE token_id = ?",
            (token_id,),
        ).fetchone()[0]

    def receipt(self, token_id: int, client_id: str) -> tuple | None:
        return self.conn.execute(
            "SELECT client_id, report_id, sent, photos FROM volunteer_reports "
            "WHERE token_id = ? AND client_id = ?",
            (token_id, client_id),
        ).fetchone()

    def add_receipt(
        self, token_id: int, client_id: str, report_id: str, incident: str, photos: int
    ) -> None:
        with self.lock:
            self.conn.execute(
                "INSERT INTO volunteer_reports VALUES (?, ?, ?, ?, ?, ?)",
                (token_id, client_id, report_id, incident, time.time(), photos),
            )

    def receipts(self, token_id: int) -> list[tuple]:
        return self.conn.execute(
            "SELECT client_id, report_id, sent, photos FROM volunteer_reports "
            "WHERE token_id = ? ORDER BY sent",
            (token_id,),
        ).fetchall()

    def report_count(self, token_id: int) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM volunteer_reports WHERE token_id = ?", (token_id,)
        ).fetchone()[0]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
