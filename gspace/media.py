"""Original files kept by content: `media/<first two hex digits>/<sha256><suffix>`.

A file is written under a temporary name, flushed to disk and renamed into place, so a crash
never leaves a half-written original behind a valid name, and a committed media row never
points at a file that is not on disk.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from PIL import Image, ImageOps

THUMBNAIL_PX = 256


def relative_path(sha256: str, suffix: str) -> str:
    """Where an original lives, relative to the incident folder (as stored in `media.path`)."""
    return f"media/{sha256[:2]}/{sha256}{suffix.lower()}"


def store_original(
    incident_dir: Path, data: bytes, suffix: str, durable: bool = True
) -> tuple[str, str]:
    """Keep `data` under its hash; returns (sha256, relative path). Writes nothing when the
    same bytes are already there. With `durable=False` the caller flushes to disk itself
    (`flush_to_disk`) before it commits rows that refer to the file."""
    sha = hashlib.sha256(data).hexdigest()
    relative = relative_path(sha, suffix)
    target = incident_dir / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.part")
        with open(partial, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        partial.replace(target)
    return sha, relative


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex (a photo's name wherever it is kept)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def flush_to_disk(paths: list[Path]) -> None:
    """Make written files durable: one sync for a whole batch where the system has it."""
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in paths:
        with open(path, "rb+") as f:
            os.fsync(f.fileno())


def register_heif() -> None:
    """Let Pillow open HEIC/HEIF (once per process: registering again costs milliseconds)."""
    if "HEIF" not in Image.OPEN:
        from pillow_heif import register_heif_opener

        register_heif_opener()


def thumbnail(image: Image.Image, size: int = THUMBNAIL_PX) -> bytes:
    """A JPEG thumbnail with the EXIF orientation applied."""
    image = ImageOps.exif_transpose(image)
    image.thumbnail((size, size))
    return jpeg_bytes(image)


def jpeg_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()
