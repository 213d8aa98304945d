"""The photos of a bundle being imported: every one checked against its SHA-256, the ones this
incident lacks copied into the staging folder on the way (bundle.py says what happens to them
next).

For a small bundle this happens before the entries are applied. From `BESIDE_FROM` bytes of
photos on, a second process (side_process.py) reads, checks and copies them, and flushes the
copies to disk, while this one applies the entries (Python's work; the photos are the disk's
and the hashes'): the import then takes the longer of the two instead of their sum. The
transaction that applies the entries commits only once every photo is whole; a photo found
damaged refuses the bundle as before, and the transaction is rolled back. If the process fails
for any other reason, the photos are checked here after all.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from gspace.errors import Interrupted
from gspace.media import file_sha256, flush_to_disk, relative_path
from gspace.sync import side_process
from gspace.sync.bundle_format import (
    BundleError,
    Manifest,
    Member,
    check,
    copy_member,
    open_bundle,
)
from gspace.sync.bundle_text import say
from gspace.sync.faults import kill_point

if TYPE_CHECKING:
    from gspace.store.incident import Incident

# bytes of photos from which a second process checks them (the fault tests set it to 0)
BESIDE_FROM = int(os.environ.get("GSPACE_TEST_BESIDE_FROM") or 256 << 20)
_WAITING = object()  # no answer from the process yet
JOBS = ".photos.json"  # in the staging folder: the photos the process checks, [[sha, copy?]]
DONE = ".photos-done"  # and how many bytes of them it has checked


class StagedPhotos:
    """The bundle's photos: `begin` checks them (or starts the process that does), `finish`
    returns {sha: where it goes in media/} of those staged, once every photo is checked."""

    def __init__(self, incident: Incident, manifest: Manifest, path: Path, staging: Path):
        self.manifest, self.path, self.staging = manifest, path, staging
        self.targets = {
            sha: _media_target(incident, sha, item["suffix"])
            for sha, item in sorted(manifest.media.items())
        }
        self.total = sum(item["size"] for item in manifest.media.values())
        self.staged: dict[str, Path] | None = None
        self.process, self.reply = None, _WAITING

    def begin(self, archive, progress=None, cancel=None) -> None:
        if self.total >= BESIDE_FROM:
            jobs = self.staging / JOBS
            self.staging.mkdir(parents=True, exist_ok=True)
            jobs.write_bytes(
                orjson.dumps([[sha, t is not None] for sha, t in self.targets.items()])
            )
            self.process = side_process.start(__name__, str(self.path), str(self.staging))
        if self.process is None:
            self.staged = self._here(archive, progress, cancel)

    @property
    def beside(self) -> bool:
        """Checked by the second process: not known whole before `finish`."""
        return self.process is not None

    def ready(self, within: float, progress=None, cancel=None) -> bool:
        """Whether `finish` has what it needs without reading a photo (waiting for the
        process's answer at most `within` seconds): not when the process failed."""
        if self.staged is None and self.reply is _WAITING:
            try:
                self.reply = side_process.answer(
                    self.process, cancel, say("cancelled"), within, self._progress(progress)
                )
            except TimeoutError:
                return False
        return self.staged is not None or self.reply is not None and "failed" not in self.reply

    def finish(self, progress=None, cancel=None) -> dict[str, Path]:
        if self.staged is None:
            if self.reply is _WAITING:
                self.reply = side_process.answer(
                    self.process, cancel, say("cancelled"), waiting=self._progress(progress)
                )
            answer = self.reply
            if answer is not None and "refused" in answer:
                raise BundleError(str(answer["refused"]))
            try:
                members = {sha: Member(*answer["members"][sha]) for sha in self.targets}
            except (TypeError, KeyError):  # it failed: check them here
                with open_bundle(self.path) as archive:
                    self.staged = self._here(archive, progress, cancel)
                return self.staged
            for sha, member in members.items():
                self._check(sha, member)
            self.staged = {sha: t for sha, t in self.targets.items() if t is not None}
            if progress:
                progress("verify", self.total, self.total)
        return self.staged

    def stop(self) -> None:
        side_process.stop(self.process)

    def _progress(self, progress):
        """What the process has checked so far (it writes the bytes done to DONE), shown."""

        def show() -> None:
            with suppress(OSError, ValueError):  # not yet written, or being written
                progress("verify", int((self.staging / DONE).read_text()), self.total)

        return show if progress else None

    def _here(self, archive, progress, cancel) -> dict[str, Path]:
        with ThreadPoolExecutor(1, thread_name_prefix="gspace-hash") as pool:
            staged, done = {}, 0
            for sha, target in self.targets.items():
                member = _copy(archive, sha, self.path, self.staging if target else None, pool)
                if target is not None:
                    staged[sha] = target
                    if len(staged) == 1:
                        kill_point("staging")
                self._check(sha, member)
                done += member.size
                if progress:
                    progress("verify", done, self.total)
                if cancel and cancel():
                    raise Interrupted(say("cancelled"))
        return staged

    def _check(self, sha: str, member: Member) -> None:
        name = f"media/{sha}"
        check(member, self.manifest.members[name], name, self.path)
        if member.sha256 != sha:
            raise BundleError(say("altered", path=self.path, detail=f"{name}: SHA-256 differs"))


def _copy(archive, sha: str, path: Path, staging: Path | None, pool) -> Member:
    """The photo `sha` read through, hashed, and copied into `staging` when given."""
    name = f"media/{sha}"
    if staging is None:  # already here: only checked
        return copy_member(archive, name, path, pool=pool)
    staging.mkdir(parents=True, exist_ok=True)
    with open(staging / sha, "wb") as out:
        return copy_member(archive, name, path, out, pool)


def _media_target(incident: Incident, sha: str, suffix: str) -> Path | None:
    """Where a photo goes, from its hash; None when the incident already has it."""
    row = incident.conn.execute("SELECT path FROM media WHERE sha256 = ?", (sha,)).fetchone()
    if row and row[0] and (incident.path / row[0]).is_file():
        return None
    target = incident.path / relative_path(sha, suffix)
    return None if target.is_file() and file_sha256(target) == sha else target


def _check_beside(path: str, staging: str) -> Callable:
    """The second process's work: the photos the staging folder's JOBS lists read, hashed
    and (copy) staged and flushed; {"members": {sha: [sha256, size]}}, or {"refused": the
    line} for a bundle found damaged."""

    def work(parent_gone) -> dict:
        jobs = orjson.loads((Path(staging) / JOBS).read_bytes())
        members, copies = {}, []
        try:
            with (
                open_bundle(Path(path)) as archive,
                ThreadPoolExecutor(1, thread_name_prefix="gspace-hash") as pool,
            ):
                done = 0
                for sha, copy in jobs:
                    if parent_gone():
                        raise Interrupted("")
                    member = _copy(archive, sha, Path(path), Path(staging) if copy else None, pool)
                    members[sha] = [member.sha256, member.size]
                    if copy:
                        copies.append(Path(staging) / sha)
                    done += member.size
                    (Path(staging) / DONE).write_text(str(done))
        except BundleError as e:
            return {"refused": str(e)}
        if copies:
            flush_to_disk(copies)  # on disk before the entries' transaction commits
        return {"members": members}

    return work


if __name__ == "__main__":
    side_process.serve(_check_beside(*sys.argv[1:]))
