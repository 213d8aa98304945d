"""Original files kept by content: `media/<first two hex digits>/<sha256><suffix>`.

A file is written under a temporary name and renamed into place, so a crash never leaves a
half-written original behind a valid name.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from PIL import Image, ImageOps

from gspace.incident import Incident

THUMBNAIL_PX = 256


def media_path(incident: Incident, sha256: str, suffix: str) -> Path:
    return incident.media_dir / sha256[:2] / f"{sha256}{suffix.lower()}"


def write_original(incident: Incident, data: bytes, suffix: str) -> tuple[str, Path]:
    sha = hashlib.sha256(data).hexdigest()
    target = media_path(incident, sha, suffix)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        with open(partial, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        partial.replace(target)
    return sha, target


def thumbnail(image: Image.Image, size: int = THUMBNAIL_PX) -> bytes:
    """A JPEG thumbnail with the EXIF orientation applied."""
    image = ImageOps.exif_transpose(image)
    image.thumbnail((size, size))
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()
