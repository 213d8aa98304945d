"""The hub's PostgreSQL schema as numbered steps (versioned migrations).

`schema_version` holds the last step applied. Every process of the hub runs `migrate` when it
starts; an advisory lock makes the processes that start together apply each step once, and
each step runs in its own transaction, so a step interrupted half-way is not recorded and runs
again. Add a step at the end; never edit one that was released.

Step 1 holds what hub.sqlite holds (meta with the hub's origin id, incidents, tokens, failed
sign-ins, restamps, upload counters) plus what several processes must share:
- `clock`: the hub's clock (the last stamp any process gave), so the stamps of all processes
  move forward together;
- `entries`: each incident's change log, the truth every process replicates. `hseq` orders it
  (a laptop's pull cursor); `grp` groups the entries one write appended, which a replica
  applies together, as the writing process did; (incident, origin, oseq) is an entry's
  identity, so the same entry is never logged twice.

Step 2 holds the volunteer submissions (volunteer_db.py: invites, the phones that joined, their
uploads and receipts, the same columns as in hub.sqlite) and the volunteer rate counters, which
all the processes share (one row per token or address, its one-minute window and count).
"""

from __future__ import annotations

import uuid

_LOCK = 0x6773_7061_6365  # pg_advisory_xact_lock key of migrations ("gspace")

STEPS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE meta (key text PRIMARY KEY, value text);
        CREATE TABLE incidents (
            name text PRIMARY KEY, folder text NOT NULL UNIQUE,
            created double precision NOT NULL, creator text);
        CREATE TABLE tokens (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, prefix text NOT NULL,
            hash text NOT NULL, name text NOT NULL, role text NOT NULL, incident text,
            created double precision NOT NULL, expires double precision,
            revoked double precision);
        CREATE INDEX tokens_prefix ON tokens (prefix);
        CREATE TABLE auth_failures (
            address text PRIMARY KEY, since double precision NOT NULL, count integer NOT NULL);
        CREATE TABLE restamps (
            incident text NOT NULL, origin text NOT NULL, old text NOT NULL, new text NOT NULL,
            PRIMARY KEY (incident, origin, old));
        CREATE TABLE upload_bytes (sha256 text PRIMARY KEY, received bigint NOT NULL);
        CREATE TABLE clock (id integer PRIMARY KEY CHECK (id = 1), last text NOT NULL);
        INSERT INTO clock VALUES (1, '');
        CREATE SEQUENCE entry_groups;
        CREATE TABLE entries (
            hseq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            incident text NOT NULL REFERENCES incidents (name),
            grp bigint NOT NULL, origin text NOT NULL, oseq bigint NOT NULL,
            hlc text NOT NULL, entry text NOT NULL,
            UNIQUE (incident, origin, oseq));
        CREATE INDEX entries_incident ON entries (incident, hseq);
        """,
    ),
    (
        2,
        """
        CREATE TABLE invites (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, prefix text NOT NULL,
            hash text NOT NULL, name text NOT NULL, incident text NOT NULL,
            created double precision NOT NULL, expires double precision, devices integer,
            revoked double precision, creator text);
        CREATE INDEX invites_prefix ON invites (prefix);
        CREATE TABLE invite_phones (
            token_id bigint PRIMARY KEY, invite_id bigint NOT NULL, n integer NOT NULL,
            joined double precision NOT NULL);
        CREATE TABLE volunteer_uploads (
            token_id bigint NOT NULL, sha256 text NOT NULL, size bigint NOT NULL,
            info text NOT NULL, PRIMARY KEY (token_id, sha256));
        CREATE TABLE volunteer_reports (
            token_id bigint NOT NULL, client_id text NOT NULL, report_id text NOT NULL,
            incident text NOT NULL, sent double precision NOT NULL, photos integer NOT NULL,
            PRIMARY KEY (token_id, client_id));
        CREATE TABLE volunteer_rates (
            key text PRIMARY KEY, win bigint NOT NULL, count integer NOT NULL);
        """,
    ),
]

LATEST = STEPS[-1][0]


def migrate(conn) -> int:
    """Bring the database to the latest step (conn: a psycopg connection, not in a
    transaction); returns the version it was at. Refuses a database of a newer gspace."""
    from gspace.errors import GspaceError

    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")
        row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
        start = row[0] or 0
        if start > LATEST:
            raise GspaceError(
                f"the hub's database was written by a newer gspace (schema {start}; this gspace "
                f"knows up to {LATEST}): update gspace"
            )
        for version, sql in STEPS:
            if version > start:
                with conn.transaction():
                    conn.execute(sql)
                    conn.execute("INSERT INTO schema_version VALUES (%s)", (version,))
        for key in ("origin", "log_id"):  # the hub's origin id; the identity of this log
            conn.execute(
                "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                (key, uuid.uuid4().hex),
            )
    return start
