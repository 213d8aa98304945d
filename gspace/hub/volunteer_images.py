"""The hub's check of a photo a phone sent: decoded whole with Pillow, whatever its name or
declared type, so a file that is not an image, or a truncated one, is refused with a message
the volunteer can act on. The bytes are kept as sent (EXIF included, for HQ: the public
export profile strips it)."""

from __future__ import annotations

import base64
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from gspace.ingest.exif import PhotoMeta, read_meta
from gspace.ingest.photos import TYPES
from gspace.media import register_heif, thumbnail


class BadImage(ValueError):
    """Not a photo the hub accepts; the text says why, in Japanese and English."""


def examine(path: Path) -> dict:
    """{type, width, height, thumbnail (base64 JPEG)} of the image at `path`, fully decoded;
    BadImage when it is not an image, is damaged or truncated, or is a decompression bomb."""
    register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                kind = TYPES.get(image.format or "")
                if kind is None:
                    raise BadImage(
                        f"この形式の画像は受け付けていません（{image.format}） / "
                        f"{image.format} images are not accepted (JPEG, HEIC, PNG, WebP)"
                    )
                image.load()
                small = thumbnail(image)  # now, while decoded: the report needs no second decode
    except BadImage:
        raise
    except (UnidentifiedImageError, SyntaxError):
        raise BadImage("写真（画像）ではありません / this file is not a photo") from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise BadImage("画像が大きすぎます / the image has too many pixels") from None
    except (OSError, ValueError, EOFError):
        raise BadImage(
            "写真が途中で切れているか壊れています。もう一度送ってください / "
            "the photo is truncated or damaged; send it again"
        ) from None
    return {
        "type": kind,
        "width": width,
        "height": height,
        "thumbnail": base64.b64encode(small).decode(),
    }


def describe(path: Path, sha256: str, info: dict) -> tuple[dict, PhotoMeta]:
    """The media row of an accepted photo (with its EXIF and a thumbnail; no path: on the hub
    the file is in the media store) and the metadata read from it."""
    data = path.read_bytes()
    meta = read_meta(data)
    row = {
        "sha256": sha256,
        "type": info["type"],
        "size": len(data),
        "width": info["width"],
        "height": info["height"],
        "exif": meta.tags,
        "thumbnail": base64.b64decode(info["thumbnail"]),
        "path": None,
    }
    return row, meta
