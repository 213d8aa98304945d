"""Bundles: an incident's changes and the photos they need, carried between laptops on a USB
stick, with no network (`gspace bundle export|import`, and the window's File menu).

`export_bundle` (bundle_export.py) writes one; the file format and its checks are in
bundle_format.py. `import_bundle` checks the WHOLE bundle before it writes anything the store
can see: a bundle cut short, altered, from another incident, or naming a file outside the
incident is refused with one line and the incident stays as it was. Then, in this order, so
that a kill at any moment leaves the store as it was or fully merged:

1. every photo is verified by its SHA-256 while the ones this incident lacks are copied into a
   staging folder (`.bundle-incoming/` in the incident); new layer kinds are written whole
   under a temporary name, then renamed;
2. one transaction applies every entry (`gspace.sync.merge.apply_entries`, which holds entries
   of a newer schema) — for a large bundle while a second process does step 1 (bundle_stage.py:
   the transaction then waits for every photo to be found whole, and for the layer kinds,
   before anything else; a damaged photo rolls it back); then, before it commits, the photos
   whose rows are now there are renamed into `media/` under the path their hash gives (a
   file name in a bundle never reaches the file system) and flushed to disk, the bundle's
   media rows get that path and their thumbnail, and a laptop joining an incident takes the
   incident's uid, name and time zone.
   A photo whose row was held waits: importing the bundle again after the update brings it.

A kill before the commit leaves only whole, content-addressed photo files that no row
refers to (the next bundle import uses them; the next photo import sweeps them). Importing a
bundle again changes nothing: the engine answers "duplicate" for every entry it holds, and the
photos are there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from gspace.catalog import read_kind
from gspace.errors import GspaceError, Interrupted
from gspace.media import flush_to_disk, relative_path
from gspace.store.incident import Incident
from gspace.sync.bundle_export import (
    UID,
    ExportSummary,
    Progress,
    digest_of,
    export_bundle,
    incident_uid,
    is_empty,
)
from gspace.sync.bundle_format import (
    ENTRIES,
    SUFFIX,
    BundleError,
    Manifest,
    Member,
    check,
    is_hash,
    open_bundle,
    parse_entries,
    read_manifest,
    read_member,
)
from gspace.sync.bundle_stage import StagedPhotos
from gspace.sync.bundle_text import say
from gspace.sync.faults import kill_point
from gspace.sync.rows import paused_gc

__all__ = [
    "BundleError",
    "ExportSummary",
    "ImportSummary",
    "export_bundle",
    "import_bundle",
    "incident_uid",
]
STAGING = ".bundle-incoming"
# seconds the store may stay locked, after the entries are applied, for a second process to
# finish checking the photos (bundle_stage.py) before the entries are applied again later
LOCK_WAIT = 5.0
# where an import may be killed, in order (tests/unit/test_bundle_faults.py kills it at each)
KILL_POINTS = (
    "opened",  # the manifest read
    "staging",  # the first photo copied into the staging folder
    "verified",  # every member checked; nothing written yet
    "layers",  # new layer kinds in place
    "begun",  # the transaction open
    "applied",  # every entry applied (not committed)
    "renamed-one",  # the first photo renamed into media/
    "renamed",  # every photo in media/
    "flushed",  # the photos on disk
    "media-rows",  # paths and thumbnails of the media rows
    "meta",  # a joining incident's uid, name and time zone written
    "committed",  # the transaction committed
    "done",  # the staging folder removed
)


# -- import -------------------------------------------------------------------------------------
class _PhotosComeSlowly(Exception):
    pass


@dataclass
class ImportSummary:
    path: Path
    name: str = ""
    origin: str = ""
    entries: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    media_added: int = 0
    media_known: int = 0
    kinds_added: list[str] = field(default_factory=list)
    joined: bool = False
    held: list[str] = field(default_factory=list)  # one line each
    rejected: list[str] = field(default_factory=list)  # one line each
    notes: list[str] = field(default_factory=list)
    changed_ids: dict[str, set] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [*self.notes, *self.held, *self.rejected]
        counts = {
            k: self.counts.get(k, 0)
            for k in ("applied", "duplicate", "conflict", "held", "rejected")
        }
        out.append(
            say(
                "imported",
                path=self.path,
                entries=self.entries,
                media=self.media_added,
                known=self.media_known,
                **counts,
            )
        )
        return out


@paused_gc()  # 100,000 entries stay alive through the import: collecting would rescan them
def import_bundle(
    incident: Incident,
    in_path: str | Path,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    prepare: Callable[[list[dict]], list[dict]] | None = None,
) -> ImportSummary:
    """Merge a bundle into the incident, all or nothing; BundleError (one line) when the bundle
    is refused, Interrupted when `cancel()` said so before anything was written. `prepare`
    (the hub's: stamps far ahead of its clock replaced) sees the entries just before they are
    applied and returns them, as many and in the same order."""
    from gspace.sync.merge import apply_entries

    in_path = Path(in_path)
    staging = incident.path / STAGING
    shutil.rmtree(staging, ignore_errors=True)  # what a killed import left
    summary = ImportSummary(in_path)
    photos = None
    try:
        with open_bundle(in_path) as archive:
            manifest = read_manifest(archive, in_path)
            kill_point("opened")
            summary.name, summary.origin = manifest.incident["name"], manifest.origin
            joining = _check_incident(incident, manifest, in_path, summary)
            data = read_member(archive, ENTRIES, in_path)
            check(Member(digest_of(data), len(data)), manifest.members[ENTRIES], ENTRIES, in_path)
            entries = parse_entries(data, manifest, in_path)
            del data
            kinds, thumbs = _read_small(archive, manifest, in_path, incident, summary)
            photos = StagedPhotos(incident, manifest, in_path, staging)
            photos.begin(archive, progress, cancel)  # checked now, or beside the entries
        if cancel and cancel():
            raise Interrupted(say("cancelled"))
    except BaseException:
        if photos is not None:
            photos.stop()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    kill_point("verified")
    # the staged photos go to disk while the entries are applied (writing 1.6 GB waits for the
    # disk, applying is Python's work): the flush before the commit then has little left to do
    flushing = _flush_meanwhile([staging / sha for sha in photos.staged or ()])
    # -- from here on, writing: each step leaves the store as before or fully merged
    try:
        if not photos.beside:
            _place_kinds(incident, staging, kinds, summary)
        prepared = [_receivable(entry, manifest) for entry in entries]
        if prepare:
            prepared = prepare(prepared)
        if progress:
            progress("apply", 0, len(prepared))

        def apply_and_place(wait: float | None):
            with incident.bulk(), incident.transaction():
                kill_point("begun")
                result = apply_entries(incident, prepared)
                kill_point("applied")
                if wait is not None and not photos.ready(wait, progress, cancel):
                    raise _PhotosComeSlowly  # rolls the transaction back
                staged = photos.finish(progress, cancel)  # every photo whole, or no commit
                if photos.beside:
                    _place_kinds(incident, staging, kinds, summary)
                flushing.join()
                _place_media(incident, staging, staged, summary)
                summary.media_known = len(manifest.media) - len(staged)
                _fix_media_rows(incident, manifest, thumbs)
                kill_point("media-rows")
                if joining:
                    _join(incident, manifest)
                    summary.joined = True
                    summary.notes.append(
                        say("joined", name=manifest.incident["name"], uid=manifest.incident["uid"])
                    )
                kill_point("meta")
            return result

        try:
            result = apply_and_place(LOCK_WAIT)
        except _PhotosComeSlowly:
            # read from a slow stick, the photos are still being checked: the store is not kept
            # locked for them (a hub serves from it meanwhile); the entries go in again after
            photos.finish(progress, cancel)
            result = apply_and_place(None)
        kill_point("committed")
    finally:
        photos.stop()
        flushing.join()  # done with the staged files before they are removed
        shutil.rmtree(staging, ignore_errors=True)
    if progress:
        progress("apply", len(prepared), len(prepared))
    _summarise(summary, entries, result)
    kill_point("done")
    return summary


def _check_incident(incident: Incident, manifest: Manifest, path: Path, summary) -> bool:
    """True when the incident is new and empty and joins the bundle's; BundleError when the
    bundle is from another incident."""
    theirs = manifest.incident
    if is_empty(incident) and not _uid_in_meta(incident, theirs["uid"]):
        try:
            ZoneInfo(theirs["timezone"])
        except (ValueError, KeyError, OSError):
            raise BundleError(
                say("altered", path=path, detail=f"time zone {theirs['timezone']!r}")
            ) from None
        return bool(theirs["uid"])
    ours = incident_uid(incident)
    if not theirs["uid"] or ours != theirs["uid"]:
        raise BundleError(
            say(
                "other incident",
                path=path,
                theirs=f"{theirs['name']}, {theirs['uid'][:8] or '?'}",
                ours=f"{incident.name}, {(ours or '?')[:8]}",
            )
        )
    for setting, ja, mine in (
        ("name", "名前", incident.name),
        ("timezone", "時間帯", str(incident.timezone)),
    ):
        if theirs[setting] != mine:
            summary.notes.append(
                say(
                    "setting differs",
                    setting=setting,
                    setting_ja=ja,
                    theirs=theirs[setting],
                    ours=mine,
                )
            )
    return False


def _uid_in_meta(incident: Incident, uid: str) -> bool:
    row = incident.conn.execute("SELECT value FROM meta WHERE key = ?", (UID,)).fetchone()
    return bool(row) and row[0] == uid


def _read_small(archive, manifest, path, incident, summary):
    """Layer kinds to add (name -> bytes, each checked as a kind) and thumbnails (sha ->
    bytes), every member checked against the manifest."""
    kinds: dict[str, bytes] = {}
    thumbs: dict[str, bytes] = {}
    for name, expected in manifest.members.items():
        if name.startswith("thumbs/"):
            data = read_member(archive, name, path)
            check(Member(digest_of(data), len(data)), expected, name, path)
            thumbs[name[7:]] = data
        elif name.startswith("layers/"):
            data = read_member(archive, name, path)
            check(Member(digest_of(data), len(data)), expected, name, path)
            file = name[7:]
            with tempfile.TemporaryDirectory() as folder:  # read_kind reads a file
                probe = Path(folder) / file
                probe.write_bytes(data)
                try:
                    read_kind(probe)
                except GspaceError as e:
                    detail = str(e).split(": ")[-1]
                    raise BundleError(
                        say("bad layer kind", path=path, name=file, detail=detail)
                    ) from None

            local = incident.path / "layers" / file
            if not local.exists():
                kinds[file] = data
            elif local.read_bytes() != data:
                summary.notes.append(say("kind differs", name=file[:-5]))
    return kinds, thumbs


def _place_kinds(incident: Incident, staging: Path, kinds: dict[str, bytes], summary) -> None:
    for name, data in kinds.items():
        _place(staging / f"kind-{name}", incident.path / "layers" / name, data)
        summary.kinds_added.append(name[:-5])
    kill_point("layers")


def _place_media(incident: Incident, staging: Path, staged: dict[str, Path], summary) -> None:
    """Rename the checked photos into media/ (inside the transaction, before it commits, so a
    row never points at a file that is not there). A photo whose media row did not arrive (its
    entry held for a newer gspace) is not kept: importing the bundle again after the update
    brings it."""
    placed = []
    for sha, target in staged.items():
        if not incident.conn.execute("SELECT 1 FROM media WHERE sha256 = ?", (sha,)).fetchone():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / sha, target)
        placed.append(target)
        if len(placed) == 1:
            kill_point("renamed-one")
    summary.media_added = len(placed)
    kill_point("renamed")
    if placed:
        flush_to_disk(placed)
    kill_point("flushed")


def _flush_meanwhile(paths: list[Path]) -> threading.Thread:
    """A thread that flushes `paths` to disk (its failure is the later flush's to report)."""

    def flush() -> None:
        with suppress(OSError):
            if paths:
                flush_to_disk(paths)

    thread = threading.Thread(target=flush, name="gspace-flush", daemon=True)
    thread.start()
    return thread


def _place(temporary: Path, target: Path, data: bytes) -> None:
    """A small file written whole under a temporary name, then renamed into place."""
    temporary.parent.mkdir(parents=True, exist_ok=True)
    with open(temporary, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temporary, target)


def _receivable(entry: dict, manifest: Manifest) -> dict:
    """A media entry as this laptop applies it: its path computed from the hash (the sender's
    path never reaches the file system or the store), no thumbnail inside it."""
    if entry.get("tbl") != "media" or not isinstance(entry.get("data"), dict):
        return entry
    data = dict(entry["data"])
    data.pop("thumbnail", None)
    if "path" in data:
        sha = str(entry.get("row_id", ""))
        suffix = (manifest.media.get(sha) or {}).get("suffix")
        if suffix is None:
            sent = os.path.splitext(str(data["path"] or ""))[1]
            suffix = sent if SUFFIX.fullmatch(sent) else ""
        data["path"] = relative_path(sha, suffix) if is_hash(sha) else None
    return {**entry, "data": data}


def _fix_media_rows(incident: Incident, manifest: Manifest, thumbs: dict[str, bytes]) -> None:
    """The bundle's photos' rows: path recomputed from the hash where the row has none that
    holds the file, and the thumbnail where the row has none."""
    for sha, item in manifest.media.items():
        row = incident.conn.execute(
            "SELECT path, thumbnail IS NULL FROM media WHERE sha256 = ?", (sha,)
        ).fetchone()
        if row is None:
            continue
        path, no_thumb = row
        if not path or not (incident.path / path).is_file():
            incident.conn.execute(
                "UPDATE media SET path = ? WHERE sha256 = ?",
                (relative_path(sha, item["suffix"]), sha),
            )
        if no_thumb and sha in thumbs:
            incident.conn.execute(
                "UPDATE media SET thumbnail = ? WHERE sha256 = ?", (thumbs[sha], sha)
            )


def _join(incident: Incident, manifest: Manifest) -> None:
    """A new incident takes the bundle's identity, name and time zone (inside the caller's
    transaction, with the entries)."""
    theirs = manifest.incident
    for key, value in (
        (UID, theirs["uid"]),
        ("name", theirs["name"]),
        ("timezone", theirs["timezone"]),
    ):
        incident.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
    incident.name, incident.timezone = theirs["name"], ZoneInfo(theirs["timezone"])


def _summarise(summary: ImportSummary, entries: list[dict], result) -> None:
    summary.entries = len(entries)
    summary.counts = dict(result.counts)
    summary.changed_ids = dict(getattr(result, "changed_ids", {}) or {})
    for entry, (outcome, reason) in zip(entries, result.outcomes, strict=True):
        what = f"{entry.get('tbl')} {entry.get('row_id')} ({entry.get('op')})"
        if outcome == "held":
            summary.held.append(say("held", what=what, schema=entry.get("schema", "?")))
        elif outcome == "rejected":
            summary.rejected.append(say("rejected", what=what, reason=reason))
