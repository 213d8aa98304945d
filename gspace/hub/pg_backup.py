"""`gspace hub backup|restore --db URL`: the same backup folder for a hub whose state is in
PostgreSQL (pg_state.py), with the database taken by PostgreSQL's own tools.

- backup: `pg_dump --format=custom` writes `db-<time>/hub.pgdump`, checked by its size and
  SHA-256 in the manifest like the SQLite files. It reads the snapshot of a transaction this
  module holds open (`pg_export_snapshot`, `pg_dump --snapshot`), so the manifest's incidents
  and their last log entry are exactly those of the dump, taken while the hub serves. The
  photos are copied as for a hub on hub.sqlite (backup.backup_media). The manifest says
  `"store": "postgresql"`; a backup of one kind is not restored as the other.
- restore: into a new, empty database, or with --force into the hub's own one, whose tables
  are first moved into a schema `replaced_<time>` (kept, never dropped) once no other session
  uses it. `pg_restore --single-transaction --exit-on-error`: all of it or nothing. Then, in
  one transaction, the restored hub gets a new epoch (epoch.py: laptops that synced after the
  backup notice and push again), a new origin (its next own changes are not numbered as the
  ones laptops hold from after the backup) and a new log id (the replicas the hub's processes
  keep in DIR/replicas/ were made from the lost log: each one is rebuilt from the restored
  log at its next use).
The URL may hold a password: it reaches the tools without it on their command line (libpq's
key=value form in --dbname, the password in PGPASSWORD) and is never printed.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from gspace.errors import GspaceError
from gspace.hub import epoch
from gspace.hub.backup import (
    PG_DUMP,
    POSTGRESQL,
    BackupError,
    Result,
    _member,
    _safe,
    backup_media,
    finish,
    manifest_of,
    restore_media,
)
from gspace.hub.db import HUB_DB
from gspace.hub.pg_db import check_url, connect
from gspace.hub.pg_schema import migrate
from gspace.media import file_sha256

TIMEOUT_S = 6 * 3600  # a dump or a restore of a large hub takes a while; a hung one does not


def check_ready(url: str, tool: str) -> None:
    """One line when `tool` is missing, the URL is not PostgreSQL's or its database cannot be
    reached (before anything is written)."""
    _tool(tool)
    connect(check_url(url)).close()


def _tool(name: str) -> str:
    """pg_dump or pg_restore, from the PATH (Debian's postgresql-client puts them there)."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is missing: install PostgreSQL's client tools (Debian: apt-get install "
            "postgresql-client)"
        )
    return found


def _libpq(url: str) -> tuple[str, dict, str | None]:
    """(connection string without the password, environment for the tools, password)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        params = conninfo_to_dict(url)
    except Exception:  # psycopg.ProgrammingError; its text may repeat the URL
        raise GspaceError("--db is not a valid PostgreSQL URL") from None
    password = params.pop("password", None)
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if password:
        env["PGPASSWORD"] = str(password)
    return make_conninfo(**{k: str(v) for k, v in params.items()}), env, password


def _run(command: list[str], env: dict, password: str | None, what: str) -> str:
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise BackupError(f"{what} failed: {type(e).__name__}") from None
    if done.returncode != 0:
        lines = [ln.strip() for ln in done.stderr.splitlines() if ln.strip()]
        errors = [ln for ln in lines if "error" in ln.lower()] or lines or ["no message"]
        reason = errors[0]
        if password:
            reason = reason.replace(password, "***")
        raise BackupError(f"{what} failed: {reason}")
    return done.stdout


# -- backup ---------------------------------------------------------------------------------
def _database_errors(function):
    """The database's refusals (permissions, a dropped connection) as one line, not a
    traceback: psycopg's errors name no password."""

    @functools.wraps(function)
    def wrapped(*args, **kwargs):
        import psycopg

        try:
            return function(*args, **kwargs)
        except psycopg.Error as e:
            reason = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise BackupError(f"the database refused: {reason}") from None

    return wrapped


@_database_errors
def backup_into(data: Path, out: Path, snapshot: str, url: str, say) -> Result:
    pg_dump = _tool("pg_dump")
    dsn, env, password = _libpq(url)
    result = Result()
    conn = connect(url)
    try:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        if conn.execute("SELECT to_regclass('public.entries')").fetchone()[0] is None:
            raise BackupError("the database holds no gspace hub (no hub tables); check --db")
        [exported] = conn.execute("SELECT pg_export_snapshot()").fetchone()
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        incidents = {
            name: {"folder": folder, "last": int(last)}
            for name, folder, last in conn.execute(
                "SELECT i.name, i.folder, coalesce(max(e.hseq), 0) FROM incidents i "
                "LEFT JOIN entries e ON e.incident = i.name GROUP BY i.name, i.folder "
                "ORDER BY i.name"
            ).fetchall()
        }
        say("pg_dump")
        dump = out / snapshot / PG_DUMP
        _run(
            [
                pg_dump,
                "--format=custom",
                f"--snapshot={exported}",
                f"--file={dump}",
                f"--dbname={dsn}",
            ],
            env,
            password,
            "pg_dump",
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    result.incidents = len(incidents)
    databases = {PG_DUMP: _member(dump)}
    media = backup_media(data, out, result, say)
    result.epoch = meta.get(epoch.EPOCH) or ""
    manifest = manifest_of(meta, snapshot, incidents, databases, {}, media, store=POSTGRESQL)
    finish(out, manifest, snapshot)
    return result


# -- restore --------------------------------------------------------------------------------
@_database_errors
def restore_from(source: Path, data: Path, manifest: dict, url: str, force: bool, say) -> Result:
    check_ready(url, "pg_restore")
    if (data / HUB_DB).is_file():
        raise BackupError(
            f"{data} holds a hub on {HUB_DB}; restore a hub on PostgreSQL into its own folder"
        )
    if data.exists() and not data.is_dir():
        raise BackupError(f"{data} exists and is not a folder")
    dump = source / _safe(str(manifest.get("snapshot", ""))) / PG_DUMP
    member = manifest["databases"][PG_DUMP]
    if not dump.is_file():
        raise BackupError(f"the backup is incomplete: {PG_DUMP} is missing")
    if (
        not isinstance(member, dict)
        or dump.stat().st_size != member.get("size")
        or file_sha256(dump) != member.get("sha256")
    ):
        raise BackupError(f"the backup is damaged: {PG_DUMP} does not match its SHA-256")
    pg_restore = _tool("pg_restore")
    dsn, env, password = _libpq(url)
    listed = _run([pg_restore, "--list", str(dump)], env, None, f"reading the backup's {PG_DUMP}")
    hub_only = _hub_objects(listed)
    say("database checked")
    aside = _make_room(url, force)
    handle, name = tempfile.mkstemp(prefix="gspace-restore-", suffix=".list")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:  # the backup may be read-only
            f.write(hub_only)
        _run(
            [
                pg_restore,
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                f"--use-list={name}",
                f"--dbname={dsn}",
                str(dump),
            ],
            env,
            password,
            "pg_restore",
        )
    except BaseException:
        if aside:
            try:
                _put_back(url, aside)
            except Exception:
                raise BackupError(
                    f"pg_restore failed, and the hub's tables could not be put back: they are in "
                    f'schema {aside}; drop schema public and rename "{aside}" to public by hand'
                ) from None
        raise
    finally:
        Path(name).unlink(missing_ok=True)
    result = Result(incidents=len(manifest["incidents"]))
    try:
        result.epoch = _new_identity(url)  # at once: a restored log must not be served as the old
    except Exception:
        raise BackupError(
            "the database was restored but its new identity was not written: run the same "
            "restore again with --force before the hub serves"
        ) from None
    say("database restored")
    data.mkdir(parents=True, exist_ok=True)
    restore_media(source, data, manifest, result, say)
    return result


# what a hub's database holds (pg_schema.py): tables with their rows, sequences, indexes and
# constraints in schema public. A dump is SQL run by pg_restore: anything else in it (a
# function, a trigger, an extension, another schema) was not written by a hub.
_HUB_OBJECTS = (
    "TABLE DATA", "TABLE", "SEQUENCE SET", "SEQUENCE OWNED BY", "SEQUENCE", "INDEX",
    "CONSTRAINT", "FK CONSTRAINT", "DEFAULT",
)  # fmt: skip


def _hub_objects(listed: str) -> str:
    """pg_restore's table of contents kept to a hub's own objects (--use-list); BackupError
    naming the first other object."""
    kept = []
    for line in listed.splitlines():
        if not line.strip() or line.lstrip().startswith(";"):
            continue
        _, _, entry = line.partition(";")
        words = entry.split()  # catalog oid, object oid, type words, schema, name, owner
        described = " ".join(words[2:])
        if not any(described.startswith(f"{kind} public ") for kind in _HUB_OBJECTS):
            if described.startswith(("COMMENT - SCHEMA public", "SCHEMA - public")):
                continue  # the schema itself exists in every database
            raise BackupError(
                f"the backup holds something a hub's database does not ({described[:60]}): "
                "not restored"
            )
        kept.append(line)
    return "\n".join(kept) + "\n"


def _make_room(url: str, force: bool) -> str | None:
    """None when the database is empty; with --force the schema `replaced_<time>` its tables
    were moved into; else one line."""
    conn = connect(url)
    try:
        [tables] = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public'"
        ).fetchone()
        if not tables:
            return None
        if not force:
            raise BackupError(
                "the database is not empty; restore into a new, empty database, or give --force "
                "(the hub's processes stopped; its tables are moved into a schema replaced_<time>, "
                "not deleted)"
            )
        [others] = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ).fetchone()
        if others:
            raise BackupError(
                f"the database is in use ({others} other session(s)): stop the hub's processes "
                "first"
            )
        aside = f"replaced_{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
        with conn.transaction():
            conn.execute(f'ALTER SCHEMA public RENAME TO "{aside}"')
            conn.execute("CREATE SCHEMA public")
        return aside
    finally:
        conn.close()


def _put_back(url: str, aside: str) -> None:
    """A failed restore into the hub's own database leaves it as it was."""
    conn = connect(url)
    try:
        with conn.transaction():
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute(f'ALTER SCHEMA "{aside}" RENAME TO public')
    finally:
        conn.close()


def _new_identity(url: str) -> str:
    """A new epoch (recording each incident's last log entry as restored: the base laptops
    pull again from), origin and log id, in one transaction."""
    conn = connect(url)
    try:
        migrate(conn)  # a backup of an older gspace's schema
        with conn.transaction():
            bases = {
                name: int(last)
                for name, last in conn.execute(
                    "SELECT i.name, coalesce(max(e.hseq), 0) FROM incidents i "
                    "LEFT JOIN entries e ON e.incident = i.name GROUP BY i.name"
                ).fetchall()
            }
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            new, lineage = epoch.next_epoch(
                meta.get(epoch.EPOCH), meta.get(epoch.LINEAGE), bases, at
            )
            for key, value in (
                (epoch.EPOCH, new),
                (epoch.LINEAGE, lineage),
                ("origin", uuid.uuid4().hex),
                ("log_id", uuid.uuid4().hex),
            ):
                conn.execute(
                    "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = %s",
                    (key, value, value),
                )
        return new
    finally:
        conn.close()
