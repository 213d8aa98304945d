"""`hub.sqlite`: the hub's own state (not synced): its origin id and clock, its incidents,
tokens (only a SHA-256 of each, found by a short prefix), failed sign-ins per address,
entries whose stamps it replaced, and how many upload bytes it received.

Tokens are 256 random bits, so a plain SHA-256 is as good as a slow password hash against a
stolen database and keeps each request fast (a password hash costs ~160 ms here).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from gspace.errors import GspaceError

HUB_DB = "hub.sqlite"
ROLES = ("admin", "analyst", "officer", "volunteer")
PREFIX = 8  # characters of a token kept in clear to find its row
FAIL_WINDOW_S = 60
FAIL_LIMIT = 10  # failed authentications per address per window

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS incidents (
    name TEXT PRIMARY KEY, folder TEXT NOT NULL UNIQUE, created REAL NOT NULL, creator TEXT);
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY, prefix TEXT NOT NULL, hash TEXT NOT NULL, name TEXT NOT NULL,
    role TEXT NOT NULL, incident TEXT, created REAL NOT NULL, expires REAL,
    revoked REAL);
CREATE INDEX IF NOT EXISTS idx_tokens_prefix ON tokens (prefix);
CREATE TABLE IF NOT EXISTS auth_failures (
    address TEXT PRIMARY KEY, window REAL NOT NULL, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS restamps (
    incident TEXT NOT NULL, origin TEXT NOT NULL, old TEXT NOT NULL, new TEXT NOT NULL,
    PRIMARY KEY (incident, origin, old));
CREATE TABLE IF NOT EXISTS upload_bytes (sha256 TEXT PRIMARY KEY, received INTEGER NOT NULL);
"""


@dataclass(frozen=True)
class Token:
    id: int
    name: str
    role: str
    incident: str | None
    created: float
    expires: float | None
    revoked: float | None


TOKEN_ROWS = (
    "SELECT id, hash, name, role, incident, created, expires, revoked FROM tokens WHERE prefix = %s"
)


def live_token(rows, token: str) -> Token | None:
    """Among the rows of tokens sharing `token`'s prefix (TOKEN_ROWS), the live one it is."""
    now = time.time()
    for row in rows:
        if hmac.compare_digest(row[1], _digest(token)):
            found = Token(row[0], *row[2:])
            if found.revoked is not None or (found.expires and found.expires <= now):
                return None
            return found
    return None


class HubDB:
    """One connection guarded by a lock (the hub's request threads share it)."""

    def __init__(self, folder: Path, fail_limit: int = FAIL_LIMIT):
        self.fail_limit = fail_limit
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / HUB_DB
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA busy_timeout=5000")
        self.lock = threading.RLock()
        self._counts: sqlite3.Connection | None = None  # count_upload's
        with self.lock:
            self.conn.executescript(_SCHEMA)
            if self.meta("origin") is None:
                self.set_meta("origin", uuid.uuid4().hex)

    def close(self) -> None:
        if self._counts is not None:
            self._counts.close()
        self.conn.close()

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.lock:
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def meta_default(self, key: str, value: str) -> str:
        """The value of `key`, set to `value` first if it has none."""
        with self.lock:
            self.conn.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (key, value))
        return self.meta(key)

    # -- incidents -----------------------------------------------------------------------------
    def incident_folder(self, name: str) -> str | None:
        row = self.conn.execute("SELECT folder FROM incidents WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def add_incident(self, name: str, folder: str, creator: str) -> None:
        """Record a new incident whose folder (a random id, never made from the name) exists."""
        with self.lock:
            self.conn.execute(
                "INSERT INTO incidents VALUES (?, ?, ?, ?)", (name, folder, time.time(), creator)
            )

    def incidents(self) -> list[tuple[str, str]]:
        return self.conn.execute("SELECT name, folder FROM incidents ORDER BY name").fetchall()

    # -- tokens --------------------------------------------------------------------------------
    def create_token(
        self, role: str, name: str, incident: str | None = None, days: float | None = None
    ) -> str:
        """A new token, returned once; only its hash is kept."""
        check_new_token(role, name, incident)
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self.lock:
            self.conn.execute(
                "INSERT INTO tokens (prefix, hash, name, role, incident, created, expires) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    token[:PREFIX],
                    _digest(token),
                    name,
                    role,
                    incident,
                    now,
                    None if days is None else now + days * 86400,
                ),
            )
        return token

    def tokens(self) -> list[Token]:
        rows = self.conn.execute(
            "SELECT id, name, role, incident, created, expires, revoked FROM tokens ORDER BY id"
        ).fetchall()
        return [Token(*r) for r in rows]

    def revoke(self, token_id: int) -> bool:
        with self.lock:
            cursor = self.conn.execute(
                "UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                (time.time(), token_id),
            )
        return cursor.rowcount == 1

    def check(self, token: str) -> Token | None:
        """The live token this text is, or None (unknown, revoked or expired)."""
        return live_token(
            self.conn.execute(TOKEN_ROWS.replace("%s", "?"), (token[:PREFIX],)), token
        )

    # -- failed authentications ----------------------------------------------------------------
    def blocked(self, address: str) -> bool:
        row = self.conn.execute(
            "SELECT window, count FROM auth_failures WHERE address = ?", (address,)
        ).fetchone()
        return bool(row) and row[0] > time.time() - FAIL_WINDOW_S and row[1] >= self.fail_limit

    def failed(self, address: str) -> None:
        now = time.time()
        with self.lock:
            row = self.conn.execute(
                "SELECT window, count FROM auth_failures WHERE address = ?", (address,)
            ).fetchone()
            if row is None or row[0] <= now - FAIL_WINDOW_S:
                window, count = now, 1
            else:
                window, count = row[0], row[1] + 1
            self.conn.execute(
                "INSERT OR REPLACE INTO auth_failures VALUES (?, ?, ?)", (address, window, count)
            )

    # -- restamped entries -----------------------------------------------------------------------
    def restamps(self, incident: str, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """(old stamp, origin) -> the stamp the hub gave that entry instead, for those of
        `pairs` it replaced."""
        by_origin: dict[str, list[str]] = {}
        for old, origin in pairs:
            by_origin.setdefault(origin, []).append(old)
        out = {}
        for origin, olds in by_origin.items():
            for start in range(0, len(olds), 500):
                part = olds[start : start + 500]
                marks = ", ".join("?" * len(part))
                for old, new in self.conn.execute(
                    "SELECT old, new FROM restamps WHERE incident = ? AND origin = ? "
                    f"AND old IN ({marks})",
                    (incident, origin, *part),
                ):
                    out[(old, origin)] = new
        return out

    def add_restamps(self, incident: str, rows: list[tuple[str, str, str]]) -> None:
        with self.lock:
            self.conn.executemany(
                "INSERT OR IGNORE INTO restamps VALUES (?, ?, ?, ?)",
                [(incident, origin, old, new) for origin, old, new in rows],
            )

    # -- upload counters (what a resumed upload really sent) -------------------------------------
    def count_upload(self, sha256: str, size: int) -> None:
        """Add to the bytes an upload carried (what a resumed upload really sent). Committed
        on a connection of its own that does not wait for the disk: a second disk sync per
        photo chunk (the chunk's file is synced already) cost more than the chunk's hash
        check. WAL keeps the count consistent through a killed process; the hub's next
        ordinary commit makes it durable."""
        with self.lock:
            if self._counts is None:
                self._counts = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False
                )
                self._counts.execute("PRAGMA busy_timeout=5000")
                self._counts.execute("PRAGMA synchronous=NORMAL")
            self._counts.execute(
                "INSERT INTO upload_bytes VALUES (?, ?) ON CONFLICT (sha256) "
                "DO UPDATE SET received = received + excluded.received",
                (sha256, size),
            )

    def uploaded(self, sha256: str) -> int:
        row = self.conn.execute(
            "SELECT received FROM upload_bytes WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return row[0] if row else 0


def check_new_token(role: str, name: str, incident: str | None) -> None:
    """Refuse a token that could not be used (both stores of the hub call this)."""
    if role not in ROLES:
        raise GspaceError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    if not name.strip():
        raise GspaceError("a token needs a --name (who uses it: it becomes the changes' actor)")
    if role in ("officer", "volunteer") and not incident:
        raise GspaceError(f"a {role} token needs --incident NAME")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
