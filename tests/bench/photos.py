"""Benchmark: photo import against the tools users would use instead (not run by CI).

    .venv/bin/python tests/bench/photos.py [--count 1000] [--jobs 2]

Makes its own corpus of phone-size photos (4032×3024, 2–4 MB, EXIF GPS and time; half carry an
embedded EXIF thumbnail, as phones write) and prints, measured in the same run:
  (a) metadata-only scan: gspace's reader on every core vs `exiftool -n -fast2 -csv`;
  (b) full import (hash, copy, thumbnail, store) of the photos with embedded thumbnails vs
      `sha256sum` of the same files on every core, the floor that content addressing needs;
  (c) the same for photos without an embedded thumbnail vs a plain Pillow draft-mode
      thumbnail loop on every core;
  (d) peak memory of the import (its own process plus its workers).
Needs exiftool (Debian: libimage-exiftool-perl) and piexif.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import piexif
from PIL import Image

WIDTH, HEIGHT = 4032, 3024


def base_images(count: int = 8) -> list[tuple[bytes, bytes]]:
    """(JPEG without EXIF, 160×120 thumbnail) pairs: noisy enough to weigh 2–4 MB."""
    result = []
    for i in range(count):
        noise = Image.merge("RGB", [Image.effect_noise((WIDTH, HEIGHT), 12 + i) for _ in range(3)])
        gradient = Image.linear_gradient("L").rotate(i * 40).resize((WIDTH, HEIGHT))
        image = Image.blend(gradient.convert("RGB"), noise, 0.5)
        full, thumb = io.BytesIO(), io.BytesIO()
        image.save(full, "JPEG", quality=90)
        small = image.copy()
        small.thumbnail((160, 120))
        small.save(thumb, "JPEG", quality=80)
        result.append((full.getvalue(), thumb.getvalue()))
    return result


def exif_bytes(i: int, with_thumbnail: bytes | None) -> bytes:
    rng = random.Random(i)
    lat, lon = 32.7 + rng.random() * 0.2, 130.6 + rng.random() * 0.2

    def dms(value):
        micro = round(value * 3600 * 1_000_000)
        d, rest = divmod(micro, 3600 * 1_000_000)
        m, s = divmod(rest, 60 * 1_000_000)
        return ((d, 1), (m, 1), (s, 1_000_000))

    exif = {
        "0th": {piexif.ImageIFD.Make: b"BenchPhone", piexif.ImageIFD.Orientation: 1},
        "Exif": {
            piexif.ExifIFD.DateTimeOriginal: f"2026:11:20 {i % 24:02d}:{i % 60:02d}:00".encode()
        },
        "GPS": {
            piexif.GPSIFD.GPSLatitudeRef: b"N",
            piexif.GPSIFD.GPSLatitude: dms(lat),
            piexif.GPSIFD.GPSLongitudeRef: b"E",
            piexif.GPSIFD.GPSLongitude: dms(lon),
        },
        "1st": {},
        "thumbnail": None,
    }
    if with_thumbnail:
        exif["1st"] = {piexif.ImageIFD.Compression: 6}
        exif["thumbnail"] = with_thumbnail
    return piexif.dump(exif)


def make_corpus(folder: Path, count: int) -> tuple[Path, Path]:
    bases = base_images()
    thumbs, plain = folder / "with_thumbnail", folder / "without_thumbnail"
    for sub in (thumbs, plain):
        sub.mkdir(parents=True)
    for i in range(count):
        jpeg, thumb = bases[i % len(bases)]
        embedded = i % 2 == 0
        out = io.BytesIO()
        piexif.insert(exif_bytes(i, thumb if embedded else None), jpeg, out)
        ((thumbs if embedded else plain) / f"IMG_{i:05d}.JPG").write_bytes(out.getvalue())
    return thumbs, plain


def files(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.iterdir())


def warm(paths: list[str]) -> None:
    for path in paths:
        Path(path).read_bytes()


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def draft_thumbnail(path: str) -> int:
    with Image.open(path) as image:
        image.draft("RGB", (512, 512))
        image.thumbnail((256, 256))
        return image.width


IMPORT = """
import json, resource, sys
from gspace.store.incident import Incident
from gspace.ingest.photos import import_photos
with Incident.create(sys.argv[1]) as incident:
    summary = import_photos(incident, [sys.argv[2]], jobs=int(sys.argv[3]))
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"imported": summary.count("imported"), "own_kb": own, "worker_kb": workers}))
"""


def gspace_import(folder: Path, incident: Path, jobs: int) -> tuple[float, dict]:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", IMPORT, str(incident), str(folder), str(jobs)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return time.perf_counter() - start, json.loads(out)


def scan(paths: list[str], jobs: int) -> None:
    from gspace.ingest.exif import read_meta_file

    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(read_meta_file, paths, chunksize=32))


def report(label: str, ours: float, tool: str, theirs: float, target: str) -> None:
    print(
        f"{label:22s} gspace {ours:6.0f} /s   {tool:15s} {theirs:6.0f} /s   "
        f"ratio {ours / theirs:5.2f}x  (target >= {target})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        # made in a child process that exits: the memory it takes is not counted below
        # (Linux children inherit their parent's peak RSS figure)
        with ProcessPoolExecutor(1) as pool:
            thumbs, plain = pool.submit(make_corpus, folder / "corpus", args.count).result()
        every = files(thumbs) + files(plain)
        size = sum(Path(p).stat().st_size for p in every) / len(every) / 1e6
        print(
            f"corpus: {len(every)} photos {WIDTH}×{HEIGHT}, {size:.1f} MB on average, "
            f"made in {time.perf_counter() - started:.0f} s; {args.jobs} cores"
        )
        warm(every)

        ours = timed(lambda: scan(every, args.jobs))
        tool = timed(
            lambda: subprocess.run(
                [
                    "exiftool",
                    "-n",
                    "-fast2",
                    "-csv",
                    "-GPSLatitude",
                    "-GPSLongitude",
                    "-DateTimeOriginal",
                    "-r",
                    str(folder / "corpus"),
                ],
                capture_output=True,
                check=True,
            )
        )
        n = len(every)
        report("(a) metadata scan", n / ours, "exiftool -fast2", n / tool, "8x")

        with_thumbs = files(thumbs)
        warm(with_thumbs)
        floor = timed(
            lambda: subprocess.run(
                f"printf '%s\\0' {folder}/corpus/with_thumbnail/* | xargs -0 -n 50 -P {args.jobs} "
                "sha256sum > /dev/null",
                shell=True,
                check=True,
            )
        )
        took, stats_b = gspace_import(thumbs, folder / "b", args.jobs)
        n = len(with_thumbs)
        report("(b) import, embedded", n / took, "sha256sum", n / floor, "0.3x")

        without = files(plain)
        warm(without)
        with ProcessPoolExecutor(args.jobs) as pool:
            floor = timed(lambda: list(pool.map(draft_thumbnail, without, chunksize=8)))
        took, stats_c = gspace_import(plain, folder / "c", args.jobs)
        n = len(without)
        report("(c) import, decoded", n / took, "Pillow draft", n / floor, "0.8x")

        worst = max((stats_b, stats_c), key=lambda s: s["own_kb"] + args.jobs * s["worker_kb"])
        own, worker = worst["own_kb"] / 1024, worst["worker_kb"] / 1024
        print(
            f"(d) peak memory of an import: {own + args.jobs * worker:.0f} MB = process "
            f"{own:.0f} MB + {args.jobs} workers × {worker:.0f} MB  (target < 500 MB)"
        )
        assert stats_b["imported"] + stats_c["imported"] == args.count


if __name__ == "__main__":
    main()
