"""Writing a bundle (the import side and the format are described in bundle.py and
bundle_format.py), and how an incident is recognised on every laptop.

Export writes the entries that `gspace.sync.changes.outgoing` gives, the originals and
thumbnails they refer to, the incident's shared settings (name, time zone, its own layer kinds)
and a manifest with the SHA-256 of every member, under a temporary name renamed only when the
bundle is whole: a bundle with the real name is always complete. Each photo is hashed as it is
copied, so a file damaged on this laptop's disk is left out (and named), not passed on.

An incident is recognised by its uid (meta `incident_uid`): made when first needed from the
identity of the incident's first change, so that copies of one incident folder agree on it,
and taken from a bundle by a new, empty incident (that is how a laptop joins an incident).
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
from pathlib import Path

from gspace import __version__
from gspace.errors import GspaceError, Interrupted
from gspace.store.incident import Incident
from gspace.store.schema import SCHEMA_VERSION
from gspace.sync.bundle_entries import (
    EntriesProcess,
    inserted_photos,
    worth_a_process,
    write_entries,
)
from gspace.sync.bundle_format import (
    CHUNK,
    ENTRIES,
    MANIFEST,
    MEMBER_TIME,
    SUFFIX,
    HashingWriter,
    Manifest,
    Member,
    add_deflated,
)
from gspace.sync.bundle_text import say
from gspace.sync.clock import format_stamp

Progress = Callable[[str, int, int], None]  # (stage, done, total)
LAST_EXPORT = "bundle_exported_seq"  # meta: the last local seq a bundle of this laptop held
UID = "incident_uid"
_NAMESPACE = uuid.UUID("6f1d3c52-4b8e-4d7a-9a51-0c2f6b1e9d34")
LAYER_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,80}\.toml")


# -- incident identity --------------------------------------------------------------------------
def incident_uid(incident: Incident, create: bool = False) -> str | None:
    """The incident's uid: meta `incident_uid`, else derived from its first change (copies of
    one folder agree), else, with `create`, a new one. With `create` it is remembered."""
    row = incident.conn.execute("SELECT value FROM meta WHERE key = ?", (UID,)).fetchone()
    if row:
        return row[0]
    first = incident.conn.execute("SELECT origin, hlc FROM changes ORDER BY seq LIMIT 1").fetchone()
    uid = uuid.uuid5(_NAMESPACE, f"{first[0]}:{first[1]}").hex if first else None
    if create:
        uid = uid or uuid.uuid4().hex
        incident.set_meta(UID, uid)
    return uid


def is_empty(incident: Incident) -> bool:
    """No change and no row: a new incident, which may join the incident of a bundle."""
    return not any(
        incident.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
        for table in ("changes", "reports", "features", "layers", "media")
    )


# -- export -------------------------------------------------------------------------------------
@dataclass
class ExportSummary:
    path: Path
    entries: int = 0
    seq: tuple[int, int] | None = None
    media: int = 0
    kinds: int = 0
    size: int = 0
    since: str = "everything"
    missing: list[str] = field(default_factory=list)  # hashes with no file on this laptop
    damaged: list = field(default_factory=list)  # files that no longer match their hash

    def lines(self) -> list[str]:
        out = [say("missing photo", sha=sha) for sha in self.missing]
        out += [say("damaged photo", path=p) for p in self.damaged]
        if not self.entries and self.since != "everything":
            last = self.since == "LAST"
            since = "the last bundle" if last else self.since
            since_ja = "前回のバンドル" if last else self.since
            return [*out, say("exported nothing", path=self.path, since=since, since_ja=since_ja)]
        first, last = self.seq or ("-", "-")
        size = f"{self.size / 1e6:,.1f} MB"
        out.append(
            say(
                "exported",
                path=self.path,
                entries=self.entries,
                first=first,
                last=last,
                media=self.media,
                kinds=self.kinds,
                size=size,
            )
        )
        return out


def parse_since(incident: Incident, since: str | datetime | None) -> tuple[int, str | None, str]:
    """(after local seq, smallest stamp, how to name it) for `--since LAST|DATE|None`."""
    if since is None:
        return 0, None, "everything"
    if isinstance(since, str) and since.strip().upper() == "LAST":
        row = incident.conn.execute(
            "SELECT value FROM meta WHERE key = ?", (LAST_EXPORT,)
        ).fetchone()
        return (int(row[0]) if row else 0), None, "LAST"
    when = since
    if isinstance(since, str):
        try:
            when = datetime.fromisoformat(since.strip())
        except ValueError:
            raise GspaceError(say("bad since", value=since)) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=incident.timezone)
    return 0, format_stamp(int(when.timestamp() * 1000), 0), when.isoformat()


def export_bundle(
    incident: Incident,
    out_path: str | Path,
    since: str | datetime | None = None,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> ExportSummary:
    """Write a bundle of the incident's changes (all, or those after the last bundle this
    laptop exported: "LAST", or written since a date) with the photos they need."""
    out_path = Path(out_path)
    after, stamp, label = parse_since(incident, since)
    uid = incident_uid(incident, create=incident.writable)
    skip: dict[str, str] = {}  # sha -> path of a photo found damaged
    while True:  # again without a photo found damaged while it was being copied (rare)
        partial = out_path.with_name(f".{out_path.name}.{os.getpid()}.part")
        try:
            summary, top = _write(
                incident, partial, uid, (after, stamp, label), skip, progress, cancel
            )
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        if not summary.damaged:
            break
        skip.update(summary.damaged)
        partial.unlink(missing_ok=True)
    summary.damaged = sorted(skip.values())
    summary.path, summary.since = out_path, label
    partial.replace(out_path)
    summary.size = out_path.stat().st_size
    if incident.writable and top > after:
        incident.set_meta(LAST_EXPORT, str(top))
    return summary


def _write(incident, partial, uid, since, skip, progress, cancel):
    after, stamp, label = since
    summary = ExportSummary(partial)
    # deflated at the fastest level by default (text); photos and thumbnails are stored
    with (
        zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        ThreadPoolExecutor(1, thread_name_prefix="gspace-bundle") as pool,
        ThreadPoolExecutor(1, thread_name_prefix="gspace-flush") as flusher,
    ):
        threads = (pool, _Writeback(archive, flusher))
        members: dict[str, Member] = {}
        media, written = {}, None
        if worth_a_process(incident, after):
            with EntriesProcess(incident, after, stamp) as child:
                early = inserted_photos(incident, after, stamp)
                media = _write_photos(
                    incident, archive, early, skip, summary, members, progress, cancel, threads
                )
                written = child.result(cancel)
                if written is not None:
                    add_deflated(archive, ENTRIES, child.target, written.crc, written.member.size)
                    members[ENTRIES] = written.member
        if written is None:
            with (
                archive.open(ENTRIES, "w", force_zip64=True) as raw,
                # deflated and hashed while the next lines are made
                HashingWriter(raw, pool, behind=True) as out,
            ):
                written = write_entries(incident.conn, after, stamp, out, progress, cancel)
                members[ENTRIES] = out.member()
        done = set(media) | set(summary.missing) | {sha for sha, _ in summary.damaged}
        rest = {sha: None for sha in written.wanted if sha not in done}
        media |= _write_photos(
            incident, archive, rest, skip, summary, members, progress, cancel, threads
        )
        summary.entries = written.entries
        first, last, top = written.first, written.last, written.top
        kinds = incident.path / "layers"
        for kind in sorted(kinds.glob("*.toml")) if kinds.is_dir() else ():
            if LAYER_FILE.fullmatch(kind.name):
                data = kind.read_bytes()
                name = f"layers/{kind.name}"
                archive.writestr(name, data)
                members[name] = Member(digest_of(data), len(data))
                summary.kinds += 1
        manifest = Manifest(
            incident={"uid": uid or "", "name": incident.name, "timezone": str(incident.timezone)},
            origin=incident.device_id,
            schema=SCHEMA_VERSION,
            seq=[first, last] if first is not None else None,
            entries=summary.entries,
            media=media,
            members=members,
            raw={"exported_at": incident.now(), "gspace": __version__, "since": label},
        )
        archive.writestr(MANIFEST, manifest.to_json())
    summary.seq = (first, last) if first is not None else None
    with open(partial, "rb+") as f:
        os.fsync(f.fileno())
    return summary, top


def _write_photos(incident, archive, wanted, skip, summary, members, progress, cancel, threads):
    pool, writeback = threads
    media: dict[str, dict] = {}
    total = len(wanted)
    buffers = (memoryview(bytearray(CHUNK)), memoryview(bytearray(CHUNK)))
    for done, sha in enumerate(wanted, start=1):
        row = incident.conn.execute(
            "SELECT path, thumbnail FROM media WHERE sha256 = ?", (sha,)
        ).fetchone()
        path = incident.path / row[0] if row and row[0] else None
        if sha in skip:
            continue
        if path is None or not _inside(incident.path, path) or not path.is_file():
            summary.missing.append(sha)
            continue
        suffix = path.suffix if SUFFIX.fullmatch(path.suffix) else ""
        info = zipfile.ZipInfo(f"media/{sha}", date_time=MEMBER_TIME)
        with archive.open(info, "w", force_zip64=True) as raw, open(path, "rb", 0) as source:
            out = HashingWriter(raw, pool)
            for n in count():
                # two buffers in turn (one is hashed while the other is read): no new megabyte
                # of memory for each chunk of 1.6 GB of photos
                if not (size := source.readinto(buffers[n % 2])):
                    break
                out.write(buffers[n % 2][:size])
        member = out.member()
        if member.sha256 != sha:
            summary.damaged.append((sha, str(path)))
            continue
        members[f"media/{sha}"] = member
        media[sha] = {"suffix": suffix, "size": member.size}
        if row[1]:
            archive.writestr(f"thumbs/{sha}", row[1], compress_type=zipfile.ZIP_STORED)
            members[f"thumbs/{sha}"] = Member(digest_of(row[1]), len(row[1]))
        summary.media += 1
        writeback.grew(member.size)
        if progress:
            progress("media", done, total)
        if cancel and cancel():
            raise Interrupted(say("export cancelled"))
    return media


class _Writeback:
    """The bundle flushed to disk in the background as its photos are written: the fsync that
    ends the export then waits for the last few hundred megabytes only (for 1.6 GB of photos
    it took 0.85 s at the end). The flushes only start what the final fsync would do anyway."""

    STEP = 256 << 20

    def __init__(self, archive: zipfile.ZipFile, flusher: ThreadPoolExecutor):
        self.fd, self.flusher, self.grown, self.job = archive.fp.fileno(), flusher, 0, None

    def grew(self, size: int) -> None:
        self.grown += size
        if self.grown >= self.STEP and (self.job is None or self.job.done()):
            self.grown = 0
            self.job = self.flusher.submit(_flush, self.fd)


def _flush(fd: int) -> None:
    with suppress(OSError):  # the final fsync reports a disk that fails
        getattr(os, "fdatasync", os.fsync)(fd)


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True
