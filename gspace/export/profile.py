"""What an export may carry: `internal` keeps everything, `public` is safe to hand to anyone.

The public profile works by keeping only what is known to be safe (a list of fields and
properties), so a field added later stays out of public maps until someone decides otherwise:
no author names or handles (also masked in the text), no source file paths or post URLs, no
rejected reports, rescue requests moved to a ~100 m grid (a person's exact position is not
published), and embedded photos re-encoded without EXIF (no GPS, camera or owner). Features
(shelters, water points, ...) keep their place, name, address and status and only the
attributes their kind lists as `public` (layers/*.toml): a shelter's person in charge, their
contact and every note stay internal, in every format.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from gspace.catalog import LayerKind
from gspace.model import REPORT_STATUSES, categories_of
from gspace.store import query
from gspace.store.incident import Incident

PROFILES = ("internal", "public")
PUBLIC_FIELDS = (
    "id",
    "kind",
    "lon",
    "lat",
    "location_source",
    "accuracy_m",
    "muni_code",  # a ward or town: no closer to a person than the map itself
    "municipality",
    "observed_at",
    "category",
    "severity",
    "status",
    "text",
    "media",
    "properties",
)
PUBLIC_PROPERTIES = ("reposts", "place_name", "direction")
PUBLIC_FEATURE_FIELDS = (
    "id",
    "layer_id",
    "kind",
    "name",
    "address",
    "geometry",
    "lon",
    "lat",
    "status",
    "muni_code",
    "municipality",
)
PUBLIC_STATUSES = tuple(s for s in REPORT_STATUSES if s != "rejected")
RESCUE_GRID_DEG = 0.001  # 111 m of latitude, ~90 m of longitude in Japan
DISPLAY_PX = 1600
ORIENTATION = 0x0112
HANDLE = re.compile(r"@[A-Za-z0-9_]{1,30}(?:@[A-Za-z0-9.-]+)?")


@dataclass(frozen=True)
class Profile:
    name: str = "internal"

    @property
    def public(self) -> bool:
        return self.name == "public"

    def report_filter(self, filt: query.ReportFilter | None) -> query.ReportFilter:
        filt = filt or query.ReportFilter()
        if not self.public:
            return filt
        statuses = [s for s in (filt.statuses or REPORT_STATUSES) if s in PUBLIC_STATUSES]
        return replace(filt, statuses=statuses or [query.NOTHING])

    def reports(
        self, incident: Incident, filt: query.ReportFilter | None, order: str = query.TIME_ORDER
    ) -> Iterator[dict]:
        """The reports an export shows, each already made fit for the profile."""
        for row in query.reports(incident, self.report_filter(filt), order):
            yield self.report(row)

    def count(self, incident: Incident, filt: query.ReportFilter | None) -> int:
        return query.count_reports(incident, self.report_filter(filt))

    def report(self, row: dict) -> dict:
        if not self.public:
            return row
        kept = {k: row.get(k) for k in PUBLIC_FIELDS}
        kept["author"] = kept["source"] = kept["received_at"] = None
        kept["text"] = HANDLE.sub("@…", row.get("text") or "") or None
        kept["properties"] = {
            k: v for k, v in (row.get("properties") or {}).items() if k in PUBLIC_PROPERTIES
        }
        if "rescue" in categories_of(row.get("category")) and row.get("lon") is not None:
            kept["lon"], kept["lat"] = (_snap(row["lon"]), _snap(row["lat"]))
            kept["accuracy_m"] = max(row.get("accuracy_m") or 0, 100.0)
        return kept

    def feature(self, row: dict, kind: LayerKind | None) -> dict:
        """A feature as the profile lets it out: public keeps PUBLIC_FEATURE_FIELDS and the
        attributes in its kind's `public` list (none for a kind that has no such list); no
        note, no source file path."""
        if not self.public:
            return row
        allowed = set(kind.public or ()) if kind else set()
        kept = {k: row.get(k) for k in PUBLIC_FEATURE_FIELDS}
        kept["note"] = kept["source"] = None
        kept["attributes"] = {
            k: v for k, v in (row.get("attributes") or {}).items() if k in allowed
        }
        return kept

    def image(self, data: bytes) -> bytes:
        """An image to embed: as stored for internal maps; for public ones re-encoded without
        any metadata (EXIF with GPS, XMP, comments), turned upright first."""
        if not self.public:
            return data
        # Pillow loads when an image is made, not with every command that names a profile
        from PIL import Image, ImageOps

        from gspace import media

        with Image.open(io.BytesIO(data)) as image:
            return media.jpeg_bytes(ImageOps.exif_transpose(image))

    def display_copy(self, path: Path, max_px: int = DISPLAY_PX) -> bytes:
        """A photo at screen size (JPEG, upright); internal copies keep the original's EXIF,
        public ones carry none."""
        from PIL import Image, ImageOps

        from gspace import media

        media.register_heif()
        with Image.open(path) as image:
            image.draft("RGB", (max_px, max_px))  # JPEG: decode at a fraction of the size
            if self.public:
                return media.thumbnail(image, max_px)
            exif = image.getexif()
            upright = ImageOps.exif_transpose(image).convert("RGB")
        upright.thumbnail((max_px, max_px))
        exif.pop(ORIENTATION, None)  # the pixels are upright now
        out = io.BytesIO()
        upright.save(out, "JPEG", quality=85, exif=exif.tobytes())
        return out.getvalue()


def _snap(value: float) -> float:
    return round(round(value / RESCUE_GRID_DEG) * RESCUE_GRID_DEG, 6)
