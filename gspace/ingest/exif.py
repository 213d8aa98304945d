"""Reading a photo's metadata with exifread, defensively.

Every tag may be missing, empty, malformed or have a zero denominator; a bad tag yields None
for that value, never an exception. GPS positions are sanity-checked (degree, minute and second
ranges, no NaN, not exactly 0,0, which cameras write when they have no fix), so scrambled EXIF
does not produce a plausible-looking position.
"""

from __future__ import annotations

import io
import logging
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo

import exifread

logging.getLogger("exifread").setLevel(logging.CRITICAL)  # it logs every odd tag it meets

XMP_DATE = re.compile(
    rb"(?:exif:DateTimeOriginal|photoshop:DateCreated|xmp:CreateDate)"
    rb"(?:=\"([^\"]+)\"|>([^<]+)<)"
)
XMP_ORIENTATION = re.compile(rb"tiff:Orientation(?:=\"([1-8])\"|>([1-8])<)")
EXIF_TIME = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


@dataclass
class PhotoMeta:
    lat: float | None = None
    lon: float | None = None
    altitude: float | None = None
    direction: float | None = None  # camera bearing, degrees from true or magnetic north
    taken: str | None = None  # the camera's DateTimeOriginal as written, "YYYY:MM:DD HH:MM:SS"
    offset: str | None = None  # OffsetTimeOriginal, "+09:00"
    gps_time: datetime | None = None  # GPSDateStamp + GPSTimeStamp, UTC
    xmp_time: datetime | None = None  # XMP date (with or without offset)
    orientation: int | None = None
    make: str | None = None
    model: str | None = None
    thumbnail: bytes | None = None  # the camera's embedded EXIF thumbnail
    tags: dict[str, str] = field(default_factory=dict)

    def observed_at(
        self, zone: tzinfo, camera_offset: timedelta | None = None
    ) -> tuple[str | None, str]:
        """When the photo was taken, ISO 8601 with offset, and how that was decided.

        DateTimeOriginal with OffsetTimeOriginal, else an XMP date with an offset, else the GPS
        time (UTC), else DateTimeOriginal read with `camera_offset` or in `zone`.
        """
        local = _exif_datetime(self.taken)
        if local and self.offset:
            return local.replace(tzinfo=_offset(self.offset)).isoformat(), "exif"
        if self.xmp_time and self.xmp_time.tzinfo:
            return self.xmp_time.isoformat(), "xmp"
        if self.gps_time:
            return self.gps_time.isoformat(), "gps"
        naive = local or self.xmp_time
        if naive:
            zone_used = timezone(camera_offset) if camera_offset is not None else zone
            return naive.replace(tzinfo=zone_used).isoformat(), "camera clock"
        return None, "none"


def _ratio(value) -> float | None:
    try:
        number = float(value.num) / float(value.den) if hasattr(value, "den") else float(value)
    except (ZeroDivisionError, TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _values(tag) -> list:
    values = getattr(tag, "values", None)
    return list(values) if isinstance(values, (list, tuple)) else []


def _text(tag) -> str | None:
    if tag is None:
        return None
    text = str(tag.printable if hasattr(tag, "printable") else tag).strip().strip("\x00")
    return text or None


def _coordinate(tag, ref, limit: float) -> float | None:
    parts = [_ratio(v) for v in _values(tag)[:3]]
    if len(parts) == 0 or any(p is None for p in parts):
        return None
    degrees, minutes, seconds = (parts + [0.0, 0.0])[:3]
    # 60 itself occurs as a rounding artefact; anything beyond is scrambled data
    if not (0 <= degrees <= limit and 0 <= minutes <= 60 and 0 <= seconds <= 60):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if value > limit:
        return None
    return -value if (_text(ref) or "").upper()[:1] in ("S", "W") else value


def _gps_time(tags: dict) -> datetime | None:
    date = _text(tags.get("GPS GPSDate"))
    stamp = [_ratio(v) for v in _values(tags.get("GPS GPSTimeStamp"))[:3]]
    if not date or len(stamp) != 3 or any(v is None for v in stamp):
        return None
    try:
        day = datetime.strptime(date[:10].replace("-", ":"), "%Y:%m:%d")
        hours, minutes, seconds = stamp
        if not (0 <= hours < 24 and 0 <= minutes < 60 and 0 <= seconds < 61):
            return None
        return (day + timedelta(hours=hours, minutes=minutes, seconds=int(seconds))).replace(
            tzinfo=UTC
        )
    except ValueError:
        return None


def _exif_datetime(text: str | None) -> datetime | None:
    match = EXIF_TIME.match(text or "")
    if not match:
        return None
    try:
        return datetime(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _offset(text: str) -> timezone:
    sign, hours, minutes = OFFSET.match(text).groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-delta if sign == "-" else delta)


def _xmp_time(head: bytes) -> datetime | None:
    for match in XMP_DATE.finditer(head):
        value = (match.group(1) or match.group(2) or b"").decode("ascii", "ignore").strip()
        if "T" not in value:  # a date alone does not place a photo in time
            continue
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            continue
    return None


HEAD = 262_144  # where XMP packets are looked for


def read_meta(data: bytes) -> PhotoMeta:
    """Everything gspace uses from a photo's metadata; never raises for bad metadata."""
    tags = _tags(io.BytesIO(data))
    if not tags and (exif := webp_exif(data)):  # exifread reads PNG's eXIf, not WebP's EXIF
        tags = _tags(io.BytesIO(exif))
    return _meta(tags, data[:HEAD])


def webp_exif(data: bytes) -> bytes | None:
    """The TIFF-structured EXIF of a WebP file (its RIFF "EXIF" chunk), or None."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    at = 12
    while at + 8 <= len(data):
        kind, size = data[at : at + 4], int.from_bytes(data[at + 4 : at + 8], "little")
        if kind == b"EXIF":
            chunk = data[at + 8 : at + 8 + size]
            return chunk[6:] if chunk.startswith(b"Exif\x00\x00") else chunk
        at += 8 + size + (size & 1)  # chunks are padded to an even size
    return None


def read_meta_file(path: str) -> PhotoMeta:
    """The same without the thumbnail, reading only as much of the file as the metadata needs
    (a scan, no import)."""
    with open(path, "rb") as f:
        head = _jpeg_xmp(f)
        f.seek(0)
        if head is None:
            head = f.read(HEAD)
            f.seek(0)
        return _meta(_tags(f, thumbnail=False), head)


def _jpeg_xmp(f) -> bytes | None:
    """The XMP segments of a JPEG, found by walking its segment headers (b"" when it has none);
    None when the file is not a JPEG."""
    if f.read(2) != b"\xff\xd8":
        return None
    found = b""
    while True:
        marker = f.read(4)
        if len(marker) < 4 or marker[0] != 0xFF or marker[1] in (0xDA, 0xD9):
            return found
        length = int.from_bytes(marker[2:4], "big") - 2
        if marker[1] == 0xE1:
            segment = f.read(length)
            if segment.startswith(b"http://ns.adobe.com/xap/1.0/"):
                found += segment
        else:
            f.seek(length, 1)


def _tags(source, thumbnail: bool = True) -> dict:
    try:
        return exifread.process_file(source, details=False, extract_thumbnail=thumbnail)
    except Exception:  # noqa: BLE001 (exifread raises many kinds on hostile files)
        return {}


def _meta(tags: dict, head: bytes) -> PhotoMeta:
    meta = PhotoMeta()
    lat = _coordinate(tags.get("GPS GPSLatitude"), tags.get("GPS GPSLatitudeRef"), 90)
    lon = _coordinate(tags.get("GPS GPSLongitude"), tags.get("GPS GPSLongitudeRef"), 180)
    if lat is not None and lon is not None and (lat, lon) != (0.0, 0.0):
        meta.lat, meta.lon = lat, lon
    altitude = _ratio((_values(tags.get("GPS GPSAltitude")) or [None])[0])
    if altitude is not None:
        below = (_values(tags.get("GPS GPSAltitudeRef")) or [0])[0] == 1
        meta.altitude = -altitude if below else altitude
    direction = _ratio((_values(tags.get("GPS GPSImgDirection")) or [None])[0])
    meta.direction = direction if direction is not None and 0 <= direction <= 360 else None
    meta.taken = _text(tags.get("EXIF DateTimeOriginal"))
    offset = _text(tags.get("EXIF OffsetTimeOriginal"))
    meta.offset = offset if offset and OFFSET.match(offset) else None
    meta.gps_time = _gps_time(tags)
    meta.xmp_time = _xmp_time(head)
    orientation = (_values(tags.get("Image Orientation")) or [None])[0]
    if not (isinstance(orientation, int) and 1 <= orientation <= 8):
        found = XMP_ORIENTATION.search(head)
        orientation = int(found.group(1) or found.group(2)) if found else None
    meta.orientation = orientation
    meta.make, meta.model = _text(tags.get("Image Make")), _text(tags.get("Image Model"))
    thumbnail = tags.get("JPEGThumbnail")
    meta.thumbnail = (
        thumbnail if isinstance(thumbnail, bytes) and thumbnail[:2] == b"\xff\xd8" else None
    )
    meta.tags = {
        k: v
        for k, v in (
            (k, _text(t))
            for k, t in tags.items()
            if k != "JPEGThumbnail" and not k.startswith("MakerNote")
        )
        if v and len(v) < 200
    }
    return meta
