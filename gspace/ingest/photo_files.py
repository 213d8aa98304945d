"""Finding the photos of an import, and accounting for every other file met on the way.

A phone's or camera's folder holds more than photos: videos, sidecar files, `.DS_Store`,
AppleDouble `._` files. Every file named or found below a named folder gets an outcome, so that
the summary adds up to what the user handed over: a photo to read (JPEG, HEIC/HEIF, TIFF, PNG,
WebP), or a file not imported with its reason (a video, not an image), or a path that does not
exist. Files with a photo's suffix go to the reader as they are (a damaged one is skipped there
with its own reason); others are told by their first bytes (a JPEG saved without a suffix is
still a photo), and videos also by their suffix, so that a large video is never read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

PHOTO_SUFFIXES = {
    ".jpg",
    ".jpeg",
    ".jpe",
    ".heic",
    ".heif",
    ".hif",
    ".tif",
    ".tiff",
    ".png",
    ".webp",
}
VIDEO_SUFFIXES = {
    ".mov",
    ".mp4",
    ".m4v",
    ".3gp",
    ".3g2",
    ".avi",
    ".mts",
    ".m2ts",
    ".mkv",
    ".webm",
    ".wmv",
    ".mpg",
    ".mpeg",
    ".lrv",
    ".insv",
}
# ISO base media ("ftyp") major brands of still images; any other is a video (MP4, MOV, 3GP)
IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}
HEAD = 512

# outcomes before reading (the reader adds imported, already imported, skipped)
PHOTO = None
VIDEO = ("not imported", "video")
OTHER = ("not imported", "not an image")


def find_photos(paths: Iterable[str | Path]) -> Iterator[tuple[str, tuple[str, str] | None]]:
    """(path, None) for every photo to read, (path, (outcome, reason)) for every other file
    named or found below a named folder. Folders are walked recursively, following links to
    folders but never into a folder twice (a link loop is reported once)."""
    seen: set[str] = set()
    for given in paths:
        yield from _walk(Path(given), str(given), seen, named=True)


def _walk(
    path: Path, shown: str, seen: set[str], named: bool
) -> Iterator[tuple[str, tuple[str, str] | None]]:
    try:
        is_dir = path.is_dir()
        exists = path.exists()
    except OSError as e:  # ELOOP for a link that points at itself
        yield shown, ("skipped", f"cannot open: {e.strerror or e}")
        return
    if not exists:
        if path.is_symlink():
            yield shown, ("skipped", "symlink loop or broken link")
        else:
            yield shown, ("not found", "no such file or folder")
        return
    if not is_dir:
        yield shown, kind_of_file(path)
        return
    real = os.path.realpath(path)
    if real in seen:
        yield shown, ("skipped", "symlink loop: this folder was already walked")
        return
    seen.add(real)
    try:
        children = sorted(path.iterdir())
    except OSError as e:
        yield shown, ("skipped", f"cannot list folder: {e.strerror or e}")
        return
    for child in children:
        yield from _walk(child, os.path.join(shown, child.name), seen, named=False)


def kind_of_file(path: Path) -> tuple[str, str] | None:
    """PHOTO (None) for a file to read as a photo, else (outcome, reason)."""
    suffix = path.suffix.lower()
    if suffix in PHOTO_SUFFIXES:
        return PHOTO
    if suffix in VIDEO_SUFFIXES:
        return VIDEO
    try:
        with open(path, "rb") as f:
            head = f.read(HEAD)
    except OSError as e:
        return ("skipped", f"cannot read: {e.strerror or e}")
    return kind_of_head(head)


def kind_of_head(head: bytes) -> tuple[str, str] | None:
    """What a file is from its first bytes: a photo Pillow reads, a video, or neither."""
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")):
        return PHOTO
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return PHOTO
    if head[4:8] == b"ftyp":
        return PHOTO if head[8:12] in IMAGE_BRANDS else VIDEO
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):  # QuickTime without ftyp
        return VIDEO
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return VIDEO
    if head.startswith((b"\x1a\x45\xdf\xa3", b"\x00\x00\x01\xba", b"\x30\x26\xb2\x75")):
        return VIDEO  # Matroska/WebM, MPEG program stream, ASF/WMV
    if len(head) > 188 and head[0] == 0x47 and head[188] == 0x47:
        return VIDEO  # MPEG transport stream (AVCHD .MTS)
    return OTHER
