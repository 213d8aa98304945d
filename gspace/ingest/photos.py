"""Importing photos as photo reports.

Each file is read once: hashed, copied into `media/` under its SHA-256 (written under a
temporary name, then renamed), its metadata read (`exif.read_meta`) and a thumbnail made (the
camera's embedded EXIF thumbnail when there is one, else a draft-mode decode). That work runs
in worker processes; the main process writes the media rows, reports and import-log rows of a
batch of photos in one transaction. A photo therefore lands whole or not at all: a copied file
whose transaction never committed (cancel, crash, kill) is an orphan, and every import starts
by sweeping orphans away, so running the same import again finishes the rest.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from gspace.ingest.exif import PhotoMeta, read_meta
from gspace.ingest.gpx import Track
from gspace.ingest.interrupt import worker_pool
from gspace.ingest.photo_files import PHOTO_SUFFIXES, find_photos
from gspace.media import (
    THUMBNAIL_PX,
    flush_to_disk,
    jpeg_bytes,
    register_heif,
    store_original,
)
from gspace.store import records
from gspace.store.incident import Incident

__all__ = ["PHOTO_SUFFIXES", "ImportSummary", "Outcome", "import_photos", "prepare"]
BATCH = 50  # photos per transaction
TYPES = {
    "JPEG": "image/jpeg",
    "HEIF": "image/heif",
    "TIFF": "image/tiff",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
}
SUFFIXES = {"PNG": ".png", "WEBP": ".webp", "TIFF": ".tif", "HEIF": ".heic"}
# Image.transpose steps for EXIF orientations 2-8 (what ImageOps.exif_transpose does).
ORIENT = {
    2: [Image.Transpose.FLIP_LEFT_RIGHT],
    3: [Image.Transpose.ROTATE_180],
    4: [Image.Transpose.FLIP_TOP_BOTTOM],
    5: [Image.Transpose.TRANSPOSE],
    6: [Image.Transpose.ROTATE_270],
    7: [Image.Transpose.TRANSVERSE],
    8: [Image.Transpose.ROTATE_90],
}


@dataclass
class Outcome:
    path: str
    outcome: str  # imported, already imported, skipped, not imported, not found
    reason: str | None = None
    report_id: str | None = None
    located: bool = False


@dataclass
class ImportSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    cancelled: bool = False
    total: int = 0  # photos found (files to read), whether or not they were reached

    def count(self, outcome: str, reason: str | None = None) -> int:
        return sum(
            1
            for o in self.outcomes
            if o.outcome == outcome and (reason is None or o.reason == reason)
        )

    def kept(self) -> int:
        """Photos of this import that are in the incident now."""
        return self.count("imported") + self.count("already imported")

    def line(self) -> str:
        """Every file counted: imported, already imported, skipped (a photo that cannot be
        read), not imported (videos, other files), not found."""
        imported = self.count("imported")
        unlocated = sum(1 for o in self.outcomes if o.outcome == "imported" and not o.located)
        text = (
            f"{imported} imported ({unlocated} need a location), "
            f"{self.count('already imported')} already imported, "
            f"{self.count('skipped')} skipped"
        )
        if not_imported := self.count("not imported"):
            videos = self.count("not imported", "video")
            others = not_imported - videos
            parts = [f"{videos} video{'s' * (videos != 1)}"] if videos else []
            parts += [f"{others} other file{'s' * (others != 1)}"] if others else []
            text += f", {not_imported} not imported ({', '.join(parts)})"
        if missing := self.count("not found"):
            text += f", {missing} not found"
        return text + (" — cancelled" if self.cancelled else "")


# -- one photo (runs in a worker process) --------------------------------------------------
def _orient(image: Image.Image, orientation: int | None) -> Image.Image:
    for step in ORIENT.get(orientation or 1, []):
        image = image.transpose(step)
    return image


def _thumbnail(data: bytes, meta: PhotoMeta, image: Image.Image) -> bytes | None:
    """The camera's embedded thumbnail when there is one (no full decode), else a draft decode;
    None when the pixels cannot be decoded (a truncated file keeps its metadata)."""
    if meta.thumbnail:
        try:
            small = Image.open(io.BytesIO(meta.thumbnail))
            small.load()
            small = _orient(small, meta.orientation)
            small.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            return jpeg_bytes(small)
        except Exception:  # noqa: BLE001 (image decoders raise many kinds on damaged data)
            pass
    try:
        image.draft("RGB", (THUMBNAIL_PX * 2, THUMBNAIL_PX * 2))
        image = ImageOps.exif_transpose(image)
        image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        return jpeg_bytes(image)
    except Exception:  # noqa: BLE001 (a truncated or damaged image keeps its metadata)
        return None


def prepare(path: str, incident_dir: str) -> dict:
    """Read, hash, copy and describe one photo; returns {"skip": reason} for a bad file."""
    try:
        return _prepare(path, incident_dir)
    except Exception as e:  # noqa: BLE001 (one hostile file must not stop an import)
        return {"skip": f"unreadable: {type(e).__name__}: {e}"}


def _prepare(path: str, incident_dir: str) -> dict:
    register_heif()
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return {"skip": f"cannot read: {e.strerror or e}"}
    if not data:
        return {"skip": "empty file"}
    meta = read_meta(data)
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return {"skip": "not an image, or too damaged to read"}
    except Image.DecompressionBombError as e:
        return {"skip": f"decompression bomb: {e}"}
    if width * height > Image.MAX_IMAGE_PIXELS:
        return {
            "skip": f"decompression bomb: {width}×{height} pixels is over the limit "
            f"of {Image.MAX_IMAGE_PIXELS}"
        }
    thumbnail = _thumbnail(data, meta, image)
    # made durable by the writer, one sync per batch, before its rows are committed
    suffix = Path(path).suffix or SUFFIXES.get(image.format or "", ".jpg")  # a file without one
    sha, relative = store_original(Path(incident_dir), data, suffix, durable=False)
    return {
        "sha256": sha,
        "size": len(data),
        "width": width,
        "height": height,
        "type": TYPES.get(image.format or "", "application/octet-stream"),
        "path": relative,
        "thumbnail": thumbnail,
        "meta": meta,
    }


# -- the import ----------------------------------------------------------------------------
def sweep_orphans(incident: Incident) -> int:
    """Delete media files no media row refers to (left by an import that never committed)."""
    known = {row[0] for row in incident.conn.execute("SELECT path FROM media")}
    removed = 0
    for file in incident.media_dir.rglob("*"):
        relative = file.relative_to(incident.path).as_posix()
        if file.is_file() and relative not in known:
            file.unlink()
            removed += 1
    return removed


def _report(
    item: dict,
    path: str,
    track: Track | None,
    zone: tzinfo,
    camera_offset: timedelta | None,
) -> dict:
    meta: PhotoMeta = item["meta"]
    observed_at, time_source = meta.observed_at(zone, camera_offset)
    lat, lon, source, accuracy = meta.lat, meta.lon, "exif", None
    if lat is None:
        source = "none"
        if track and observed_at:
            found = track.locate(datetime.fromisoformat(observed_at))
            if found:
                (lat, lon), source, accuracy = found, "gpx", 25.0
    properties = {
        k: v
        for k, v in {
            "altitude": meta.altitude,
            "direction": meta.direction,
            "orientation": meta.orientation,
            "make": meta.make,
            "model": meta.model,
            "time_source": time_source,
            "thumbnail": "embedded" if meta.thumbnail else "decoded",
        }.items()
        if v is not None
    }
    return {
        "id": records.photo_id(item["sha256"]),
        "kind": "photo",
        "lat": lat,
        "lon": lon,
        "location_source": source,
        "accuracy_m": accuracy,
        "observed_at": observed_at,
        "source": path,
        "media": [item["sha256"]],
        "properties": properties,
    }


class _Writer:
    """Commits prepared photos in batches: media row, report and log rows in one transaction."""

    def __init__(self, incident: Incident, track, camera_offset, summary: ImportSummary):
        self.incident, self.track, self.camera_offset = incident, track, camera_offset
        self.summary, self.pending = summary, []
        self.run_id = str(uuid.uuid4())
        self.known = {row[0] for row in incident.conn.execute("SELECT sha256 FROM media")}

    def add(self, path: str, item: dict) -> None:
        self.pending.append((path, item))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        inc, now = self.incident, self.incident.now()
        flush_to_disk([inc.path / item["path"] for _, item in self.pending if "path" in item])
        outcomes, reports = [], []
        with inc.transaction():
            for path, item in self.pending:
                outcome, report = self._one(path, item)
                outcomes.append(outcome)
                if report:
                    reports.append((outcome, report))
            ids = records.add_reports(inc, [report for _, report in reports])
            for (outcome, _), report_id in zip(reports, ids, strict=True):
                outcome.report_id = report_id
            inc.conn.executemany(
                "INSERT INTO import_log (run_id, at, importer, path, outcome, reason, record_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (self.run_id, now, "photos", o.path, o.outcome, o.reason, o.report_id)
                    for o in outcomes
                ],
            )
        self.summary.outcomes += outcomes
        self.pending = []

    def _one(self, path: str, item: dict) -> tuple[Outcome, dict | None]:
        """The outcome of one prepared file, and the report to add for it (if any)."""
        if "skip" in item:
            return Outcome(path, item.get("outcome", "skipped"), item["skip"]), None
        if item["sha256"] in self.known:
            return Outcome(
                path, "already imported", "the same photo is already in the incident"
            ), None
        meta: PhotoMeta = item["meta"]
        records.add_media(
            self.incident,
            {
                "sha256": item["sha256"],
                "type": item["type"],
                "size": item["size"],
                "width": item["width"],
                "height": item["height"],
                "exif": meta.tags,
                "thumbnail": item["thumbnail"],
                "path": item["path"],
            },
        )
        self.known.add(item["sha256"])
        report = _report(item, path, self.track, self.incident.timezone, self.camera_offset)
        reason = None if item["thumbnail"] else "pixels unreadable (truncated?): no thumbnail"
        return Outcome(path, "imported", reason, None, report["lat"] is not None), report


def import_photos(
    incident: Incident,
    paths: Iterable[str | Path],
    *,
    gpx: str | None = None,
    camera_offset: timedelta | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportSummary:
    """Import the photos in `paths` (files or folders). `progress(done, total, path)` is called
    after each file; when `cancelled()` turns true the import stops after committing what is
    ready. Returns what happened to each file."""
    track = Track.read(gpx) if gpx else None
    sweep_orphans(incident)
    found = list(find_photos(paths))
    todo = [(p, None) for p, kind in found if kind is None]
    summary = ImportSummary(total=len(todo))
    writer = _Writer(incident, track, camera_offset, summary)
    for path, kind in found:
        if kind is not None:
            writer.add(path, {"outcome": kind[0], "skip": kind[1]})
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    done = len(found) - len(todo)
    for path, item in _prepared([p for p, _ in todo], str(incident.path), jobs):
        writer.add(path, item)
        done += 1
        if progress:
            progress(done, len(found), path)
        if cancelled and cancelled():
            summary.cancelled = True
            break
    writer.flush()
    if summary.cancelled:
        sweep_orphans(incident)
    return summary


def _prepared(paths: list[str], incident_dir: str, jobs: int) -> Iterator[tuple[str, dict]]:
    """prepare() over `paths` in order, in `jobs` worker processes (inline for one job), with a
    bounded number of files in flight so memory stays flat."""
    if jobs <= 1 or len(paths) < 4:
        for path in paths:
            yield path, prepare(path, incident_dir)
        return
    with worker_pool(jobs) as pool:
        window: list[tuple[str, Future]] = []
        queue = iter(paths)
        try:
            for path in queue:
                window.append((path, pool.submit(prepare, path, incident_dir)))
                # results are small (the file itself stays in the worker), so many may wait
                # while the main process syncs and commits a batch: the workers never idle
                if len(window) >= jobs * 32:
                    first, future = window.pop(0)
                    yield first, future.result()
            for path, future in window:
                yield path, future.result()
        finally:
            for _, future in window:
                future.cancel()
