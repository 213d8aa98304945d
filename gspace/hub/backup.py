"""`gspace hub backup` and `gspace hub restore`: a consistent copy of a hub, taken while it runs.

A backup is a folder, not one archive: photos are most of a hub's bytes and never change (they
are named by their SHA-256), so a folder lets the next backup into the same place copy only the
photos that are new, lets `rsync` or a file-level copy carry it elsewhere, and lets a restore
read each file directly. The folder holds:

- `manifest.json`: what the backup holds (the hub's id and epoch, each incident's folder and
  last seq, every database and file with its size and SHA-256, every photo's size); written
  last, under a temporary name then renamed, so a folder without it is no backup;
- `db-<time>/`: `hub.sqlite` and `incidents/<folder>/store.sqlite`, copied with SQLite's backup
  API (each one a consistent snapshot even while the hub writes), and the incidents' small
  files (layer kinds); a new backup writes a new `db-…` folder and removes the old one only
  after its manifest is in place, so a backup killed half-way leaves the previous one whole;
- `media/<2 hex>/<sha256>`: the photos, checked against their hash while copied.

hub.sqlite is copied first, then the incidents it lists: an incident created after that is
not in this backup (its laptops push it again after a restore). Partial uploads are not kept.

`restore` checks everything (manifest, sizes and SHA-256 of databases, files and photos)
while it copies into a staging folder inside DIR, gives the restored hub a new epoch
(gspace/hub/epoch.py) so laptops that synced after the backup notice and push again, and only
then moves the result into place. A photo that fails its check is left out and named (a
laptop that has it sends it again); a database that fails refuses the restore.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from gspace.errors import GspaceError
from gspace.hub import epoch
from gspace.hub.db import HUB_DB
from gspace.hub.state import INCIDENTS
from gspace.hub.storage import checked
from gspace.media import file_sha256

MANIFEST = "manifest.json"
FORMAT = "gspace-hub-backup"
VERSION = 1
STORE = "store.sqlite"
STAGING = ".restoring"
POSTGRESQL = "postgresql"  # the manifest's "store" for a hub on PostgreSQL
PG_DUMP = "hub.pgdump"  # its database, as pg_dump --format=custom wrote it
_SKIP = {STORE, f"{STORE}-wal", f"{STORE}-shm", f"{STORE}-journal"}
_SKIP_DIRS = {".bundle-incoming", "media-partial"}
_READ = 1 << 20

Progress = Callable[[str], None]


class BackupError(GspaceError):
    """A backup that cannot be made or restored (one line, nothing changed)."""


@dataclass
class Result:
    incidents: int = 0
    media: int = 0
    media_copied: int = 0
    bytes_copied: int = 0
    skipped: list[str] = field(default_factory=list)  # one line each
    epoch: str = ""


# -- backup ---------------------------------------------------------------------------------
def backup(
    data: Path, out: Path, progress: Progress | None = None, db: str | None = None
) -> Result:
    """Back up the hub in `data` into the folder `out`; with `db` (a PostgreSQL URL) the hub
    whose state is in that database (pg_backup.py: pg_dump instead of SQLite's backup API)."""
    data, out = Path(data), Path(out)
    say = progress or (lambda _text: None)
    if db is None and not (data / HUB_DB).is_file():
        if (data / "replicas").is_dir():  # a hub on PostgreSQL (gspace/hub/pg_state.py)
            raise BackupError(
                f"the hub in {data} keeps its state in PostgreSQL: give its database with "
                "--db URL (or GSPACE_HUB_DB)"
            )
        raise BackupError(f"{data} is not a hub folder (no {HUB_DB})")
    if db is not None and (data / HUB_DB).is_file():
        raise BackupError(
            f"the hub in {data} keeps its state in {HUB_DB}, not in PostgreSQL: back it up "
            "without --db"
        )
    if db is not None:
        from gspace.hub import pg_backup

        pg_backup.check_ready(db, "pg_dump")  # one line, before anything is written
    if out.exists() and not all(_ours(p.name) for p in out.iterdir()):
        raise BackupError(f"{out} is not empty and is not a hub backup; give an empty folder")
    if out.resolve().is_relative_to(data.resolve()):
        raise BackupError(f"{out} is inside the hub's folder; put the backup elsewhere")
    snapshot = f"db-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:6]}"
    target = out / snapshot
    new = not out.exists()
    target.mkdir(parents=True)
    try:
        if db is not None:
            return pg_backup.backup_into(data, out, snapshot, db, say)
        return _backup(data, out, snapshot, say)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # a failed backup leaves the previous one
        if new:
            shutil.rmtree(out, ignore_errors=True)  # and no folder it made
        raise


def _ours(name: str) -> bool:
    """A name a backup folder holds (also one a failed backup left: photos, no manifest)."""
    return name in (MANIFEST, f".{MANIFEST}.tmp", "media") or name.startswith("db-")


def _backup(data: Path, out: Path, snapshot: str, say) -> Result:
    result = Result()
    target = out / snapshot
    databases: dict[str, dict] = {}
    files: dict[str, dict] = {}
    hub_copy = target / HUB_DB
    _copy_db(data / HUB_DB, hub_copy)
    databases[HUB_DB] = _member(hub_copy)
    conn = sqlite3.connect(hub_copy)
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        listed = conn.execute("SELECT name, folder FROM incidents ORDER BY name").fetchall()
    finally:
        conn.close()
    incidents = {}
    for name, folder in listed:
        source = data / INCIDENTS / folder
        relative = f"{INCIDENTS}/{_safe(folder)}"
        say(f"incident {name}")
        _copy_db(source / STORE, target / relative / STORE)
        databases[f"{relative}/{STORE}"] = _member(target / relative / STORE)
        with sqlite3.connect(target / relative / STORE) as copy:
            last = copy.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
        copy.close()
        incidents[name] = {"folder": folder, "last": last}
        for path in _small_files(source):
            name_in = f"{relative}/{path.relative_to(source).as_posix()}"
            (target / name_in).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / name_in)
            files[name_in] = _member(target / name_in)
    result.incidents = len(incidents)
    media = backup_media(data, out, result, say)
    result.epoch = meta.get(epoch.EPOCH) or ""
    finish(out, manifest_of(meta, snapshot, incidents, databases, files, media), snapshot)
    return result


def manifest_of(meta, snapshot, incidents, databases, files, media, **store) -> dict:
    """What a backup holds (`store`: the kind of database, when not hub.sqlite)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        **store,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "hub": meta.get("origin"),
        "epoch": meta.get(epoch.EPOCH),
        "snapshot": snapshot,
        "incidents": incidents,
        "databases": databases,
        "files": files,
        "media": media,
    }


def backup_media(data: Path, out: Path, result: Result, say) -> dict[str, int]:
    """Copy the hub's photos into `out/media/` (those already there from an earlier backup are
    kept), each checked against its hash; returns sha -> size of every photo the backup holds.
    The same for a hub on hub.sqlite and on PostgreSQL (pg_backup.py)."""
    media: dict[str, int] = {}
    for path in sorted((data / "media").glob("??/*")):
        try:
            sha = checked(path.name)
        except ValueError:
            continue
        kept = out / "media" / sha[:2] / sha
        if kept.is_file() and kept.stat().st_size == path.stat().st_size:
            media[sha] = kept.stat().st_size  # already in an earlier backup here
            continue
        size = _copy_checked(path, kept, sha)
        if size is None:
            result.skipped.append(f"photo {sha[:12]}… in the hub does not match its SHA-256")
            continue
        media[sha] = size
        result.media_copied += 1
        result.bytes_copied += size
        if result.media_copied % 100 == 0:
            say(f"{result.media_copied} photos copied")
    result.media = len(media)
    return media


def finish(out: Path, manifest: dict, snapshot: str) -> None:
    """Write the manifest (last: a folder without it is no backup), then remove the older
    snapshots."""
    _write_atomic(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    for old in out.glob("db-*"):
        if old.name != snapshot and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def _copy_db(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the backup API reads one snapshot)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        src.execute("PRAGMA busy_timeout=10000")
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one file, nothing beside it
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as e:
        raise BackupError(f"cannot copy {source}: {e}") from None


def _small_files(folder: Path):
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if relative.parts[0] in _SKIP_DIRS or path.name in _SKIP:
            continue
        if path.is_file() and not path.is_symlink():
            yield path


def _copy_checked(source: Path, target: Path, sha: str) -> int | None:
    """Copy under a temporary name, hashing on the way; rename only if the hash matches."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
    digest, size = hashlib.sha256(), 0
    try:
        with open(source, "rb") as src, open(temporary, "wb") as dst:
            while block := src.read(_READ):
                digest.update(block)
                dst.write(block)
                size += len(block)
            dst.flush()
            os.fsync(dst.fileno())
        if digest.hexdigest() != sha:
            temporary.unlink()
            return None
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
    return size


def _member(path: Path) -> dict:
    return {"size": path.stat().st_size, "sha256": file_sha256(path)}


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def _safe(relative: str) -> str:
    """A relative path from a manifest, refused if it could leave the folder."""
    p = PurePosixPath(relative)
    if (
        not relative
        or "\x00" in relative
        or "\\" in relative
        or p.is_absolute()
        or any(part in ("..", "", ".") for part in relative.split("/"))
    ):
        raise BackupError(f"the backup names a path outside its folder: {relative!r}")
    return relative


# -- restore --------------------------------------------------------------------------------
def read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_bytes())
    except FileNotFoundError:
        raise BackupError(f"{source} is not a hub backup (no {MANIFEST})") from None
    except (OSError, ValueError) as e:
        raise BackupError(f"{source}/{MANIFEST} cannot be read: {e}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not a gspace hub backup")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"{source} is a hub backup of format {manifest.get('version')}; this gspace reads "
            f"format {VERSION}: update gspace"
        )
    for key in ("databases", "files", "media", "incidents"):
        if not isinstance(manifest.get(key), dict):
            raise BackupError(f"{source}/{MANIFEST} is damaged ({key})")
    needed = PG_DUMP if manifest.get("store") == POSTGRESQL else HUB_DB
    if needed not in manifest["databases"]:
        raise BackupError(f"{source}/{MANIFEST} is damaged (no {needed})")
    return manifest


def _check_kind(source: Path, manifest: dict, db: str | None) -> None:
    """A backup of a hub on PostgreSQL restores into PostgreSQL, one of hub.sqlite into a
    folder: the two are not converted into each other."""
    on_pg = manifest.get("store") == POSTGRESQL
    if on_pg and db is None:
        raise BackupError(
            f"{source} is a backup of a hub on PostgreSQL: restore it with --db URL (a new, "
            "empty database)"
        )
    if db is not None and not on_pg:
        raise BackupError(
            f"{source} is a backup of a hub on {HUB_DB}: restore it without --db (it cannot be "
            "restored into PostgreSQL)"
        )


def restore(
    source: Path,
    data: Path,
    force: bool = False,
    progress: Progress | None = None,
    db: str | None = None,
):
    """Restore the backup `source` into the hub folder `data`; with `db`, a backup of a hub
    on PostgreSQL into that database (pg_backup.py)."""
    source, data = Path(source), Path(data)
    say = progress or (lambda _text: None)
    manifest = read_manifest(source)
    _check_kind(source, manifest, db)
    if db is not None:
        from gspace.hub import pg_backup

        return pg_backup.restore_from(source, data, manifest, db, force, say)
    snapshot = source / _safe(str(manifest.get("snapshot", "")))
    if data.exists() and not data.is_dir():
        raise BackupError(f"{data} exists and is not a folder")
    busy = [p.name for p in data.iterdir() if p.name != STAGING] if data.exists() else []
    if busy and not force:
        raise BackupError(
            f"{data} is not empty; restore into a new folder, or give --force (the hub must be "
            "stopped; what is there now is moved aside, not deleted)"
        )
    staging = data / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    result = Result(incidents=len(manifest["incidents"]))
    try:
        for group in ("databases", "files"):
            for relative, member in sorted(manifest[group].items()):
                _restore_file(snapshot, staging, _safe(relative), member)
        for relative in manifest["databases"]:
            _integrity(staging / relative)
        say("databases checked")
        restore_media(source, data, manifest, result, say)
        bases = {name: int(i.get("last", 0)) for name, i in manifest["incidents"].items()}
        result.epoch = _new_identity(staging, manifest, bases)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _move_into_place(data, staging, busy)
    return result


def restore_media(source: Path, data: Path, manifest: dict, result: Result, say) -> None:
    """The backup's photos into `data/media/`, each checked against its hash; one that fails
    is left out and named in `result.skipped` (a laptop that has it sends it again)."""
    media_dir = data / "media"
    for sha, size in sorted(manifest["media"].items()):
        checked_sha = checked(sha)
        target = media_dir / sha[:2] / sha
        result.media += 1
        if target.is_file() and target.stat().st_size == size and file_sha256(target) == sha:
            continue
        got = None
        kept = source / "media" / sha[:2] / sha
        if kept.is_file():
            got = _copy_checked(kept, target, checked_sha)
        if got is None:
            result.skipped.append(
                f"photo {sha[:12]}… is missing or damaged in the backup; left out (a laptop "
                "that has it sends it again at its next sync)"
            )
            continue
        result.media_copied += 1
        result.bytes_copied += got
        if result.media_copied % 100 == 0:
            say(f"{result.media_copied} photos restored")


def _new_identity(staging: Path, manifest: dict, bases: dict[str, int]) -> str:
    """A new epoch, and new device ids for the hub and each incident: the restored hub must
    not number its own next changes as the ones it made after the backup, which laptops hold
    (they would take a new change for one they have and drop it)."""
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for info in manifest["incidents"].values():
        store = staging / INCIDENTS / _safe(str(info.get("folder", ""))) / STORE
        if store.is_file():
            with sqlite3.connect(store) as conn:
                conn.execute(
                    "UPDATE meta SET value = ? WHERE key = 'device_id'", (uuid.uuid4().hex,)
                )
                conn.execute("DELETE FROM meta WHERE key = 'device_fingerprint'")
            conn.close()
    conn = sqlite3.connect(staging / HUB_DB)
    try:
        with conn:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'origin'", (uuid.uuid4().hex,))
            return epoch.restored(conn, bases, at)
    finally:
        conn.close()


def _restore_file(snapshot: Path, staging: Path, relative: str, member: dict) -> None:
    source, target = snapshot / relative, staging / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not source.is_file():
        raise BackupError(f"the backup is incomplete: {relative} is missing")
    shutil.copyfile(source, target)
    if (
        not isinstance(member, dict)
        or target.stat().st_size != member.get("size")
        or file_sha256(target) != member.get("sha256")
    ):
        raise BackupError(f"the backup is damaged: {relative} does not match its SHA-256")


def _integrity(path: Path) -> None:
    try:
        with sqlite3.connect(path) as conn:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
        conn.close()
    except sqlite3.Error as e:
        raise BackupError(f"the backup's {path.name} is damaged: {e}") from None
    if ok != "ok":
        raise BackupError(f"the backup's {path.name} is damaged: {ok}")


def _move_into_place(data: Path, staging: Path, busy: list[str]) -> None:
    """The hub's databases and incidents in place of the staged ones; what was there before
    (with --force) is moved into `replaced-<time>/`, never deleted. Photos stay (they are
    named by their hash: an extra one harms nothing)."""
    aside = data / f"replaced-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
    for name in busy:
        if name in ("media",) or name.startswith("replaced-"):
            continue
        aside.mkdir(exist_ok=True)
        os.replace(data / name, aside / name)
    for path in staging.iterdir():
        os.replace(path, data / path.name)
    staging.rmdir()
