"""The `.gsb` bundle file: what it holds, and the checks a bundle passes before anything of it
is written.

A bundle is a zip file:

    manifest.json          what the bundle is (see below); read first
    entries.jsonl          change-log entries (gspace.sync.changes.outgoing), one JSON a line
    layers/<name>.toml     the incident's own layer kinds (its `layers/` folder)
    media/<sha256>         originals, named by their SHA-256 only (no path, no suffix)
    thumbs/<sha256>        their list thumbnails (JPEG), so that the receiver decodes nothing

Why a zip rather than a tar: its directory is at the END of the file, so a bundle cut short on
its way to or from a USB stick is refused at once, before a byte is read (a tar just stops
early and looks whole); every member has a CRC-32 as well as our SHA-256; members are read in
any order (the manifest first, then each member checked against it); and every system opens
a zip for a person who wants to look inside. Photos are stored, not compressed (JPEGs do not
shrink), so writing one costs a copy; the entries are deflated at the fastest level.

The manifest (JSON):

    format, format_version      "gspace-bundle", 1: a reader refuses a newer format version
    incident                    {uid, name, timezone}: uid is how an incident is recognised on
                                every laptop (meta `incident_uid`); name and time zone are the
                                shared settings a joining laptop adopts
    origin                      the exporting device; entries of other devices are relayed
    schema                      the exporter's store schema (each entry carries its own too)
    seq                         [first, last] local sequence numbers of the entries, or null
    entries                     how many lines entries.jsonl has
    media                       {sha256: {suffix, size}}: the suffix (".jpg") is the only part
                                of a file name that travels; the receiver's path is recomputed
                                from the hash (gspace.media.relative_path)
    members                     {name: {sha256, size}} of every other member

A member name is checked against the forms above before anything is read: `../`, an absolute
path, a backslash, a NUL or any other name refuses the bundle.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from gspace.errors import GspaceError, file_message
from gspace.sync.bundle_text import say
from gspace.sync.rows import paused_gc

try:
    # zipfile computes the CRC-32 of every byte a bundle's members hold (1.6 GB of photos for
    # a big one) with zlib's crc32; ISA-L's gives the same values about five times faster.
    from isal import isal_zlib as fast_zlib

    zipfile.crc32 = fast_zlib.crc32
except ImportError:  # a set-up without it: zlib's, slower
    import zlib as fast_zlib

FORMAT = "gspace-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ENTRIES = "entries.jsonl"
CHUNK = 1 << 20
MEMBER_TIME = (2026, 1, 1, 0, 0, 0)  # members carry no time of their own

_HASH = re.compile(r"[0-9a-f]{64}")
_MEMBER = re.compile(
    r"entries\.jsonl|layers/[A-Za-z0-9][A-Za-z0-9_.-]{0,80}\.toml|(media|thumbs)/[0-9a-f]{64}"
)
SUFFIX = re.compile(r"(\.[A-Za-z0-9]{1,8})?")
ENTRY_KEYS = ("origin", "oseq", "tbl", "row_id", "op")


class BundleError(GspaceError):
    """A bundle refused as a whole, with the one line that says why; nothing was written."""


def is_unsafe(name: str) -> bool:
    """A member name that would reach outside a folder if it were ever used as a path."""
    parts = name.replace("\\", "/").split("/")
    return (
        "\0" in name
        or "\\" in name
        or name.startswith("/")
        or bool(re.match(r"[A-Za-z]:", name))
        or ".." in parts
    )


def is_known(name: str) -> bool:
    return name == MANIFEST or _MEMBER.fullmatch(name) is not None


def is_hash(text: object) -> bool:
    return isinstance(text, str) and _HASH.fullmatch(text) is not None


@dataclass
class Member:
    sha256: str
    size: int


@dataclass
class Manifest:
    incident: dict
    origin: str
    schema: int
    seq: list | None
    entries: int
    media: dict[str, dict]
    members: dict[str, Member]
    raw: dict = field(repr=False, default_factory=dict)

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "incident": self.incident,
                "origin": self.origin,
                "schema": self.schema,
                "seq": self.seq,
                "entries": self.entries,
                "media": self.media,
                "members": {
                    n: {"sha256": m.sha256, "size": m.size} for n, m in self.members.items()
                },
                **{k: v for k, v in self.raw.items() if k in ("exported_at", "gspace", "since")},
            },
            option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS,
        )


class HashingWriter:
    """A file-like wrapper that hashes and counts what goes through it. With a thread `pool`
    (photos: megabytes a chunk) each chunk is hashed in the pool while the zip computes its
    CRC and writes it: both release the GIL, so on two cores a photo costs about one pass
    instead of two. With `behind` the whole write (hash, the zip's deflate and CRC, the file
    write) happens in the pool while the caller makes the next chunk (the entries: Python
    builds them, the pool's work releases the GIL). Call member() before the target closes."""

    def __init__(self, target, pool: ThreadPoolExecutor | None = None, behind: bool = False):
        self.target, self.hash, self.size = target, hashlib.sha256(), 0
        self.pool, self.pending, self.behind = pool, None, behind

    def write(self, data) -> int:
        self.size += len(data)
        if self.pool is None:
            self._write(data)
            return len(data)
        if self.pending is not None:
            self.pending.result()  # in order, and at most one chunk waiting
        if self.behind:
            self.pending = self.pool.submit(self._write, data)
            return len(data)
        self.pending = self.pool.submit(self.hash.update, data)
        return len(data) if self.target is None else self.target.write(data)

    def _write(self, data) -> None:
        self.hash.update(data)
        if self.target is not None:  # None: only hashed
            self.target.write(data)

    def __enter__(self) -> HashingWriter:
        return self

    def __exit__(self, kind, *_) -> None:
        """The pool's last write done before the target closes (also when the caller fails:
        then its error is the one raised)."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            try:
                pending.result()
            except BaseException:
                if kind is None:
                    raise

    def member(self) -> Member:
        if self.pending is not None:
            self.pending.result()
            self.pending = None
        return Member(self.hash.hexdigest(), self.size)


class Deflated:
    """A file-like writer that deflates what it is given into `target` as a zip member's
    bytes (raw deflate, at the fastest level) and counts its CRC-32: `add_deflated` then puts
    them in a zip as they are. Call `close()` (the end of the stream) before using them."""

    def __init__(self, target):
        self.target, self.crc = target, 0
        self.deflate = fast_zlib.compressobj(1, fast_zlib.DEFLATED, -15)

    def write(self, data) -> int:
        self.crc = fast_zlib.crc32(data, self.crc)
        self.target.write(self.deflate.compress(data))
        return len(data)

    def close(self) -> None:
        self.target.write(self.deflate.flush())


def add_deflated(archive: zipfile.ZipFile, name: str, stream: Path, crc: int, size: int) -> None:
    """The member `name`, whose deflated bytes (`Deflated`) are the file `stream`, added to
    `archive` as they are instead of being deflated again. zipfile has no public way to do
    this: these are the steps of its own write of a member (ZipFile._open_to_write and
    _ZipWriteFile.close), with the sizes and CRC known from the start."""
    if archive._writing:
        raise ValueError("another member of the zip is being written")
    info = zipfile.ZipInfo(name, date_time=MEMBER_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    info.file_size, info.compress_size, info.CRC = size, stream.stat().st_size, crc
    archive.fp.seek(archive.start_dir)
    info.header_offset = archive.fp.tell()
    archive._writecheck(info)  # a name written twice, sizes beyond what the zip allows
    archive.fp.write(info.FileHeader(zip64=True))
    with open(stream, "rb") as source:
        shutil.copyfileobj(source, archive.fp, CHUNK)
    archive.start_dir = archive.fp.tell()
    archive.filelist.append(info)
    archive.NameToInfo[name] = info
    archive._didModify = True  # the central directory is written on close


def open_bundle(path: Path) -> zipfile.ZipFile:
    """The bundle's zip, its member names checked; BundleError for a file that is not one."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise BundleError(say("not bundle", path=path)) from None
    except OSError as e:
        raise BundleError(file_message(e, path)) from None
    names = archive.namelist()
    for name in names:
        if is_unsafe(name):
            archive.close()
            raise BundleError(say("unsafe name", path=path, name=name))
    if MANIFEST not in names:
        archive.close()
        raise BundleError(say("not bundle", path=path))
    for name in names:
        if not is_known(name):
            archive.close()
            raise BundleError(say("altered", path=path, detail=f"unexpected member {name!r}"))
    if len(set(names)) != len(names):
        archive.close()
        raise BundleError(say("altered", path=path, detail="a member appears twice"))
    return archive


def read_manifest(archive: zipfile.ZipFile, path: Path) -> Manifest:
    """The manifest, its form checked, and every member it lists present (and no other)."""

    def altered(detail: str) -> BundleError:
        return BundleError(say("altered", path=path, detail=detail))

    try:
        raw = orjson.loads(read_member(archive, MANIFEST, path))
    except orjson.JSONDecodeError:
        raise altered("the manifest is not JSON") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BundleError(say("not bundle", path=path))
    version = raw.get("format_version")
    if not isinstance(version, int):
        raise altered("no format version")
    if version > FORMAT_VERSION:
        raise BundleError(say("newer format", path=path, version=version))
    try:
        incident = raw["incident"]
        members = {
            name: Member(str(m["sha256"]), int(m["size"])) for name, m in raw["members"].items()
        }
        media = raw["media"]
        manifest = Manifest(
            incident={k: str(incident[k]) for k in ("uid", "name", "timezone")},
            origin=str(raw["origin"]),
            schema=int(raw["schema"]),
            seq=raw.get("seq"),
            entries=int(raw["entries"]),
            media={str(k): dict(v) for k, v in media.items()},
            members=members,
            raw=raw,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise altered("the manifest lacks a part") from None
    if ENTRIES not in members:
        raise altered(f"the manifest does not list {ENTRIES}")
    for sha, item in manifest.media.items():
        item["suffix"] = str(item.get("suffix", ""))
        if not is_hash(sha) or not SUFFIX.fullmatch(item["suffix"]):
            raise altered(f"media entry {sha[:80]!r}")
        if f"media/{sha}" not in members:
            raise altered(f"media {sha} listed without its file")
        size = item.get("size")
        if type(size) is not int or size != members[f"media/{sha}"].size:
            raise altered(f"media {sha}: size {str(size)[:20]!r}")
    listed, present = set(members), set(archive.namelist()) - {MANIFEST}
    for name in sorted(listed - present):
        if is_unsafe(name):
            raise BundleError(say("unsafe name", path=path, name=name))
        raise BundleError(say("truncated", path=path, detail=f"{name} is missing"))
    for name in sorted(present - listed):
        raise altered(f"{name} is not in the manifest")
    for name in present:
        if name.startswith("media/") and name[6:] not in manifest.media:
            raise altered(f"{name} is not in the manifest's media")
        if archive.getinfo(name).file_size != members[name].size:
            raise altered(
                f"{name} has {archive.getinfo(name).file_size} bytes, not {members[name].size}"
            )
    return manifest


def read_member(archive: zipfile.ZipFile, name: str, path: Path) -> bytes:
    """A small member whole; damage (CRC, a cut) is a BundleError."""
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, EOFError, zlib_error()) as e:
        raise BundleError(say("altered", path=path, detail=f"{name}: {e}")) from None
    except OSError as e:
        raise BundleError(file_message(e, path)) from None


def zlib_error():
    import zlib

    return zlib.error


def copy_member(archive: zipfile.ZipFile, name: str, path: Path, out=None, pool=None) -> Member:
    """Read a member through (into `out` when given), hashing it; damage is a BundleError."""
    try:
        # the pool hashes a chunk while it is written and the zip reads the next
        with archive.open(name) as source, HashingWriter(out, pool) as sink:
            while chunk := source.read(CHUNK):
                sink.write(chunk)
            member = sink.member()
    except (zipfile.BadZipFile, EOFError, zlib_error()) as e:
        raise BundleError(say("altered", path=path, detail=f"{name}: {e}")) from None
    except OSError as e:
        if e.filename is None:  # the bundle, not the file we write
            raise BundleError(say("truncated", path=path, detail=f"{name}: {e}")) from None
        raise
    return member


def check(member: Member, expected: Member, name: str, path: Path) -> None:
    if member.size != expected.size:
        raise BundleError(
            say("truncated", path=path, detail=f"{name}: {member.size} of {expected.size} bytes")
        )
    if member.sha256 != expected.sha256:
        raise BundleError(say("altered", path=path, detail=f"{name}: SHA-256 differs"))


def parse_entries(data: bytes, manifest: Manifest, path: Path) -> list[dict]:
    """entries.jsonl as entry dicts, each with the keys that identify it. The lines are read
    as one JSON array (a JSON line holds no raw newline): one parser call for 100,000 entries;
    only a bundle that fails is read line by line, to name the line."""
    text = data.rstrip(b"\n")
    try:
        with paused_gc():
            entries = orjson.loads(b"[" + text.replace(b"\n", b",") + b"]") if text else []
    except orjson.JSONDecodeError:
        entries = None
    required = set(ENTRY_KEYS)
    if entries is None or not all(isinstance(e, dict) and required <= e.keys() for e in entries):
        for number, line in enumerate(text.split(b"\n"), start=1):
            try:
                entry = orjson.loads(line)
            except orjson.JSONDecodeError:
                entry = None
            if not isinstance(entry, dict) or not required <= entry.keys():
                detail = f"{ENTRIES} line {number} is not a change"
                raise BundleError(say("altered", path=path, detail=detail))
    if len(entries) != manifest.entries:
        raise BundleError(
            say("truncated", path=path, detail=f"{len(entries)} of {manifest.entries} changes")
        )
    return entries
