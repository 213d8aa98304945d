"""The hub's own state in PostgreSQL (`hub serve --db postgresql://…`): what HubDB keeps in
hub.sqlite, with the same methods, so the app and the CLI use either one.

Connections come from a small pool (request threads each take one for a call). Inside
`transaction()` (a push, an analyst's write: pg_state.py) the thread's calls join that one
transaction, so restamps and upload counters commit or roll back with the entries.
"""

from __future__ import annotations

import secrets
import threading
import time
from contextlib import contextmanager

from gspace.errors import GspaceError
from gspace.hub.db import (
    FAIL_LIMIT,
    FAIL_WINDOW_S,
    PREFIX,
    TOKEN_ROWS,
    Token,
    _digest,
    check_new_token,
    live_token,
)
from gspace.hub.pg_schema import migrate

POOL = 8  # idle connections kept per process


def connect(url: str):
    """A psycopg connection to `url`, or one clear line (the URL, which may hold a
    password, is not repeated)."""
    try:
        import psycopg
    except ImportError:
        raise GspaceError(
            "the hub on PostgreSQL needs psycopg: pip install 'gspace[hub]'"
        ) from None
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as e:
        reason = (str(e).strip().splitlines() or [type(e).__name__])[-1]
        raise GspaceError(f"cannot connect to the hub's PostgreSQL database: {reason}") from None


class PgHubDB:
    def __init__(self, url: str, fail_limit: int = FAIL_LIMIT):
        self.url, self.fail_limit = url, fail_limit
        self._idle: list = []
        self._lock = threading.Lock()
        self._local = threading.local()
        conn = connect(url)
        try:
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        self._idle.append(conn)

    def close(self) -> None:
        with self._lock:
            for conn in self._idle:
                conn.close()
            self._idle.clear()

    # -- connections -----------------------------------------------------------------------
    def _take(self):
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None or conn.closed or conn.broken:
            conn = connect(self.url)
        return conn

    def _give(self, conn) -> None:
        if conn.closed or conn.broken or conn.info.transaction_status != 0:  # 0: idle
            conn.close()
            return
        with self._lock:
            if len(self._idle) < POOL:
                self._idle.append(conn)
                return
        conn.close()

    @contextmanager
    def conn(self):
        """The thread's transaction connection if it is in one, else a pooled autocommit one."""
        tx = getattr(self._local, "tx", None)
        if tx is not None:
            yield tx
            return
        conn = self._take()
        try:
            yield conn
        finally:
            self._give(conn)

    @contextmanager
    def transaction(self):
        """One transaction for the calls this thread makes inside; yields its connection.
        The caller commits (`conn.commit()`) when it is ready; anything else rolls back."""
        conn = self._take()
        conn.autocommit = False
        self._local.tx = conn
        try:
            yield conn
        finally:
            self._local.tx = None
            if not conn.closed and not conn.broken:
                conn.rollback()  # nothing when committed
                conn.autocommit = True
            self._give(conn)

    def _one(self, sql: str, args=()):
        with self.conn() as c:
            return c.execute(sql, args).fetchone()

    def _all(self, sql: str, args=()) -> list:
        with self.conn() as c:
            return c.execute(sql, args).fetchall()

    def _run(self, sql: str, args=()) -> int:
        with self.conn() as c:
            return c.execute(sql, args).rowcount

    # -- meta --------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = %s", (key,))
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._run(
            "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = %s",
            (key, value, value),
        )

    def meta_default(self, key: str, value: str) -> str:
        """The value of `key`, set to `value` first if it has none (one row whichever hub
        process comes first)."""
        self._run("INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO NOTHING", (key, value))
        return self.meta(key)

    # -- incidents -----------------------------------------------------------------------------
    def incident_folder(self, name: str) -> str | None:
        row = self._one("SELECT folder FROM incidents WHERE name = %s", (name,))
        return row[0] if row else None

    def add_incident(self, name: str, folder: str, creator: str) -> None:
        """Record a new incident (two processes creating it at once: the first one wins)."""
        self._run(
            "INSERT INTO incidents VALUES (%s, %s, %s, %s) ON CONFLICT (name) DO NOTHING",
            (name, folder, time.time(), creator),
        )

    def incidents(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in self._all("SELECT name, folder FROM incidents ORDER BY name")]

    # -- tokens --------------------------------------------------------------------------------
    def create_token(
        self, role: str, name: str, incident: str | None = None, days: float | None = None
    ) -> str:
        """A new token, returned once; only its hash is kept."""
        check_new_token(role, name, incident)
        token = secrets.token_urlsafe(32)
        now = time.time()
        self._run(
            "INSERT INTO tokens (prefix, hash, name, role, incident, created, expires) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
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
        rows = self._all(
            "SELECT id, name, role, incident, created, expires, revoked FROM tokens ORDER BY id"
        )
        return [Token(*r) for r in rows]

    def revoke(self, token_id: int) -> bool:
        return (
            self._run(
                "UPDATE tokens SET revoked = %s WHERE id = %s AND revoked IS NULL",
                (time.time(), token_id),
            )
            == 1
        )

    def check(self, token: str) -> Token | None:
        """The live token this text is, or None (unknown, revoked or expired)."""
        return live_token(self._all(TOKEN_ROWS, (token[:PREFIX],)), token)

    # -- failed authentications ----------------------------------------------------------------
    def blocked(self, address: str) -> bool:
        row = self._one("SELECT since, count FROM auth_failures WHERE address = %s", (address,))
        return bool(row) and row[0] > time.time() - FAIL_WINDOW_S and row[1] >= self.fail_limit

    def failed(self, address: str) -> None:
        now = time.time()
        old = now - FAIL_WINDOW_S
        self._run(  # one statement: processes counting the same address at once add up
            "INSERT INTO auth_failures VALUES (%s, %s, 1) ON CONFLICT (address) DO UPDATE SET "
            "count = CASE WHEN auth_failures.since <= %s THEN 1 "
            "ELSE auth_failures.count + 1 END, "
            "since = CASE WHEN auth_failures.since <= %s THEN excluded.since "
            "ELSE auth_failures.since END",
            (address, now, old, old),
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
            for old, new in self._all(
                "SELECT old, new FROM restamps WHERE incident = %s AND origin = %s "
                "AND old = ANY(%s)",
                (incident, origin, olds),
            ):
                out[(old, origin)] = new
        return out

    def add_restamps(self, incident: str, rows: list[tuple[str, str, str]]) -> None:
        with self.conn() as c, c.cursor() as cur:
            cur.executemany(
                "INSERT INTO restamps VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                [(incident, origin, old, new) for origin, old, new in rows],
            )

    # -- upload counters ---------------------------------------------------------------------------
    def count_upload(self, sha256: str, size: int) -> None:
        self._run(
            "INSERT INTO upload_bytes VALUES (%s, %s) ON CONFLICT (sha256) "
            "DO UPDATE SET received = upload_bytes.received + excluded.received",
            (sha256, size),
        )

    def uploaded(self, sha256: str) -> int:
        row = self._one("SELECT received FROM upload_bytes WHERE sha256 = %s", (sha256,))
        return row[0] if row else 0


def check_url(url: str) -> str:
    """`url` if it names PostgreSQL, else one clear line."""
    if not url.startswith(("postgresql://", "postgres://")):
        raise GspaceError("--db takes a PostgreSQL URL: postgresql://USER@HOST:PORT/DATABASE")
    return url
