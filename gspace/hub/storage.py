"""Photos kept by SHA-256, behind a small interface so an S3-compatible store can replace the
local folder later.

Every path is computed from a hash that has been checked to be 64 lowercase hex digits, never
from a name a client sent, so no request can reach outside DIR. Uploads grow in
`DIR/uploads/` (outside `media/`, where no sweep deletes them) and count only once complete:
the size and the SHA-256 of the bytes are recomputed, and a mismatch removes the partial file.
A photo received whole in one request is hashed from the bytes in memory (`sha256_of`), the
same bytes that were written and synced, instead of being read back from the disk.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, Protocol

from gspace.sync.faults import kill_point

_SHA = re.compile(r"[0-9a-f]{64}")
_READ = 1 << 20


class BadHash(ValueError):
    """Not a SHA-256 written as 64 lowercase hex digits."""


class Mismatch(ValueError):
    """The bytes received are not the ones announced (size or hash)."""


def checked(sha256: str) -> str:
    if not isinstance(sha256, str) or not _SHA.fullmatch(sha256):
        raise BadHash(sha256)
    return sha256


class MediaStore(Protocol):
    def has(self, sha256: str) -> bool: ...
    def size(self, sha256: str) -> int: ...
    def open(self, sha256: str) -> BinaryIO: ...
    def received(self, sha256: str) -> int: ...
    def append(self, sha256: str, offset: int, data: bytes | Sequence[bytes]) -> int: ...
    def complete(self, sha256: str, size: int, digest: str | None = None) -> None: ...


def sha256_of(pieces: Sequence[bytes]) -> str:
    """The SHA-256 of a body kept as the pieces it arrived in (hashlib lets other threads run
    while it hashes a piece, so the hub goes on receiving the next photo meanwhile)."""
    digest = hashlib.sha256()
    for piece in pieces:
        digest.update(piece)
    return digest.hexdigest()


class LocalMediaStore:
    """`DIR/media/<2 hex>/<sha256>` for complete files, `DIR/uploads/<sha256>.part` while one
    is being received."""

    def __init__(self, folder: Path):
        self.media = folder / "media"
        self.uploads = folder / "uploads"
        self.media.mkdir(parents=True, exist_ok=True)
        self.uploads.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        sha = checked(sha256)
        return self.media / sha[:2] / sha

    def partial(self, sha256: str) -> Path:
        return self.uploads / f"{checked(sha256)}.part"

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def size(self, sha256: str) -> int:
        return self.path(sha256).stat().st_size

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path(sha256), "rb")

    def received(self, sha256: str) -> int:
        """Bytes of an unfinished upload already on disk (0 when none)."""
        try:
            return self.partial(sha256).stat().st_size
        except FileNotFoundError:
            return 0

    def append(self, sha256: str, offset: int, data: bytes | Sequence[bytes]) -> int:
        """Write a chunk (bytes, or the pieces it arrived in: written one after the other,
        never joined into one copy) at `offset`, which must be where the partial file ends (a
        chunk resent after a lost answer is accepted where it overlaps: its bytes are written
        again at the same place), and sync it to disk. Returns the new length."""
        pieces = [data] if isinstance(data, bytes | bytearray | memoryview) else data
        length = sum(len(p) for p in pieces)
        path = self.partial(sha256)
        have = self.received(sha256)
        if offset > have:
            raise Mismatch(f"chunk at {offset} but only {have} bytes received")
        with open(path, "r+b" if path.exists() else "wb") as f:
            f.seek(offset)
            for piece in pieces:
                f.write(piece)
            f.truncate(max(have, offset + length))
            f.flush()
            os.fsync(f.fileno())
        return max(have, offset + length)

    def complete(self, sha256: str, size: int, digest: str | None = None) -> None:
        """Move a finished upload into the store after checking its size and hash; a
        mismatch removes the partial file (the client starts again from 0). `digest`: the
        hash of the partial file's bytes when the caller has just computed it from the very
        bytes it wrote there (the whole file in one request, under the upload's lock);
        otherwise the file is read and hashed here."""
        path = self.partial(sha256)
        if self.has(sha256):
            path.unlink(missing_ok=True)
            return
        if not path.exists():
            raise Mismatch("nothing was uploaded")
        if digest is None:
            hasher = hashlib.sha256()
            with open(path, "rb") as f:
                while block := f.read(_READ):
                    hasher.update(block)
            digest = hasher.hexdigest()
        actual = path.stat().st_size
        if actual != size or digest != sha256:
            path.unlink(missing_ok=True)
            raise Mismatch(
                f"the bytes received ({actual} bytes) do not match the announced size "
                f"({size}) and SHA-256"
            )
        kill_point("hub-upload-verified")
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)
