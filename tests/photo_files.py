"""Writing test JPEGs with exactly the EXIF a test needs (Pillow writes the tags)."""

from __future__ import annotations

import io
import random
from datetime import datetime
from pathlib import Path

from PIL import Image
from PIL.TiffImagePlugin import IFDRational


def rational(value: float) -> IFDRational:
    return IFDRational(round(value * 1_000_000), 1_000_000)


def dms(value: float) -> tuple:
    micro = round(abs(value) * 3600 * 1_000_000)  # millionths of an arc second
    degrees, rest = divmod(micro, 3600 * 1_000_000)
    minutes, micro_seconds = divmod(rest, 60 * 1_000_000)
    return IFDRational(degrees), IFDRational(minutes), IFDRational(micro_seconds, 1_000_000)


def make_jpeg(
    path: Path,
    *,
    lat: float | None = None,
    lon: float | None = None,
    gps_raw: dict | None = None,
    taken: datetime | None = None,
    offset: str | None = None,
    size: tuple[int, int] = (320, 240),
    seed: int = 0,
    thumbnail: bool = False,
    direction: float | None = None,
) -> Path:
    """A JPEG whose pixels differ by `seed` (so hashes differ) with the given EXIF."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    image.putpixel((0, 0), (seed % 256, seed // 256 % 256, 7))
    if size[0] * size[1] > 100_000:  # noise so that big files are really big
        image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    if taken:
        exif_ifd = exif.get_ifd(0x8769)
        exif_ifd[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
        if offset:
            exif_ifd[0x9011] = offset
    gps = exif.get_ifd(0x8825) if (lat is not None or gps_raw or direction is not None) else None
    if lat is not None:
        gps[1], gps[2] = ("N" if lat >= 0 else "S"), dms(lat)
        gps[3], gps[4] = ("E" if lon >= 0 else "W"), dms(lon)
    if direction is not None:
        gps[16], gps[17] = "T", rational(direction)
    for tag, value in (gps_raw or {}).items():
        gps[tag] = value
    out = io.BytesIO()
    if thumbnail:
        small = image.copy()
        small.thumbnail((160, 120))
        buffer = io.BytesIO()
        small.save(buffer, "JPEG")
        image.save(out, "JPEG", quality=85, exif=exif)
        data = _with_thumbnail(out.getvalue(), exif, buffer.getvalue(), image)
    else:
        image.save(out, "JPEG", quality=85, exif=exif)
        data = out.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _with_thumbnail(_plain: bytes, exif: Image.Exif, thumb: bytes, image: Image.Image) -> bytes:
    """Re-save with IFD1 carrying an embedded JPEG thumbnail (what phones write)."""
    import piexif

    exif_dict = piexif.load(exif.tobytes())
    exif_dict["1st"] = {piexif.ImageIFD.Compression: 6}
    exif_dict["thumbnail"] = thumb
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=piexif.dump(exif_dict))
    return out.getvalue()
