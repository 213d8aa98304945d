"""A phone's folder as it comes: every file in it accounted for in the summary (issue 14)."""

from __future__ import annotations

import io
import re
import shutil
from datetime import datetime

import pytest
from helpers import run_gspace
from photo_files import dms, make_jpeg
from PIL import Image

from gspace.ingest.photo_files import kind_of_head
from gspace.store import query
from gspace.store.incident import Incident


def photo_with_gps(path, fmt: str, lat: float, lon: float, taken: datetime) -> None:
    """A PNG or WebP carrying EXIF GPS and time, as phones and editors write them."""
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    exif_ifd[0x9011] = "+09:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", dms(lat), "E", dms(lon)
    image = Image.new("RGB", (200, 150), (40, 90, 160))
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    path.write_bytes(out.getvalue())


def fake_video(brand: bytes) -> bytes:
    """The start of an ISO base media file (MP4, MOV): an ftyp box and an mdat box."""
    ftyp = b"ftyp" + brand + b"\x00\x00\x02\x00" + brand + b"isom"
    mdat = b"mdat" + bytes(64)
    return b"".join((len(box) + 4).to_bytes(4, "big") + box for box in (ftyp, mdat))


@pytest.fixture
def phone_folder(tmp_path, fixtures):
    folder = tmp_path / "DCIM"
    folder.mkdir()
    shutil.copy(fixtures / "photos" / "exiftool_t_images" / "GPS.jpg", folder / "IMG_0001.JPG")
    shutil.copy(
        fixtures / "photos" / "ianare_exif-samples" / "heic" / "IMG_5195.HEIC",
        folder / "IMG_0002.HEIC",
    )
    taken = datetime(2026, 11, 21, 9, 30)
    photo_with_gps(folder / "screenshot.png", "PNG", 32.7898, 130.7417, taken)
    photo_with_gps(folder / "shared.webp", "WEBP", 32.8031, 130.7079, taken)
    (folder / "IMG_0003.MOV").write_bytes(fake_video(b"qt  "))
    (folder / "clip.mp4").write_bytes(fake_video(b"mp42"))
    (folder / "sub").mkdir()
    (folder / "sub" / "notes.txt").write_text("避難所の様子\n", encoding="utf-8")
    make_jpeg(folder / "sub" / "no_suffix", lat=33.0, lon=131.0, seed=11)  # a JPEG all the same
    return folder


def test_every_file_of_a_phone_folder_is_accounted_for(tmp_path, phone_folder):
    incident = tmp_path / "inc"
    run_gspace("init", incident, check=True)
    missing = tmp_path / "card2"
    result = run_gspace("import", "photos", incident, phone_folder, missing)
    assert result.returncode == 0, result.stderr  # the rest was imported
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert f"gspace: {missing}: no such file or folder; check the name and the folder it is in" in (
        lines
    )
    listed = {line.split(": ")[0]: line.split(": ", 1)[1] for line in lines if line.startswith("/")}
    assert listed[str(phone_folder / "IMG_0003.MOV")] == "not imported: video"
    assert listed[str(phone_folder / "clip.mp4")] == "not imported: video"
    assert listed[str(phone_folder / "sub" / "notes.txt")] == "not imported: not an image"
    summary = lines[-1]
    assert summary == (
        "5 imported (0 need a location), 0 already imported, 0 skipped, "
        "3 not imported (2 videos, 1 other file), 1 not found"
    )
    counts = [int(n) for n in re.findall(r"(\d+) (?:imported|already|skipped|not)", summary)]
    files = [p for p in phone_folder.rglob("*") if p.is_file()]
    assert sum(counts) == len(files) + 1  # every file, and the path that does not exist

    with Incident.open(incident, write=False) as inc:
        reports = {r["source"].removeprefix(str(phone_folder) + "/"): r for r in query.reports(inc)}
        assert set(reports) == {
            "IMG_0001.JPG",
            "IMG_0002.HEIC",
            "screenshot.png",
            "shared.webp",
            "sub/no_suffix",
        }
        for name, (lat, lon) in {
            "screenshot.png": (32.7898, 130.7417),
            "shared.webp": (32.8031, 130.7079),
            "IMG_0002.HEIC": (39.051344, -94.288772),
        }.items():
            report = reports[name]
            assert report["location_source"] == "exif"
            assert (round(report["lat"], 4), round(report["lon"], 4)) == (
                round(lat, 4),
                round(lon, 4),
            )
        assert reports["screenshot.png"]["observed_at"] == "2026-11-21T09:30:00+09:00"
        assert reports["shared.webp"]["observed_at"] == "2026-11-21T09:30:00+09:00"
        types = dict(inc.conn.execute("SELECT type, count(*) FROM media GROUP BY type").fetchall())
        assert types == {"image/jpeg": 2, "image/heif": 1, "image/png": 1, "image/webp": 1}
        logged = dict(
            inc.conn.execute("SELECT outcome, count(*) FROM import_log GROUP BY outcome").fetchall()
        )
        assert logged == {"imported": 5, "not imported": 3, "not found": 1}


def test_a_second_run_accounts_for_the_same_files_again(tmp_path, phone_folder):
    incident = tmp_path / "inc"
    run_gspace("init", incident, check=True)
    run_gspace("import", "photos", incident, phone_folder, check=True)
    again = run_gspace("import", "photos", incident, phone_folder)
    assert again.returncode == 0
    assert again.stderr.strip().splitlines()[-1] == (
        "0 imported (0 need a location), 5 already imported, 0 skipped, "
        "3 not imported (2 videos, 1 other file)"
    )


def test_nothing_given_exists_is_an_error_in_the_users_language(tmp_path):
    incident = tmp_path / "inc"
    run_gspace("init", incident, check=True)
    english = run_gspace("import", "photos", incident, tmp_path / "a.jpg", tmp_path / "DCIM")
    assert english.returncode == 1
    assert english.stderr.splitlines() == [
        f"gspace: {tmp_path / name}: no such file or folder; check the name and the folder it is in"
        for name in ("a.jpg", "DCIM")
    ]
    japanese = run_gspace(
        "import", "photos", incident, tmp_path / "a.jpg", env={"LANG": "ja_JP.UTF-8"}
    )
    assert japanese.returncode == 1
    assert japanese.stderr.splitlines() == [
        f"gspace: {tmp_path / 'a.jpg'}: "
        "そのファイルまたはフォルダーはありません。名前と場所を確かめてください"
    ]
    with Incident.open(incident, write=False) as inc:
        assert inc.conn.execute("SELECT count(*) FROM import_log").fetchone()[0] == 0


def test_a_video_named_on_the_command_line_is_not_read_as_a_photo(tmp_path):
    clip = tmp_path / "VID_0001.mp4"
    clip.write_bytes(fake_video(b"isom"))
    incident = tmp_path / "inc"
    run_gspace("init", incident, check=True)
    result = run_gspace("import", "photos", incident, clip)
    assert result.returncode == 0
    assert f"{clip}: not imported: video" in result.stderr.splitlines()


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (fake_video(b"qt  "), "video"),
        (fake_video(b"mp42"), "video"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", None),
        (b"\x1a\x45\xdf\xa3" + bytes(40), "video"),  # Matroska / WebM
        (b"RIFF\x00\x00\x00\x00AVI LIST", "video"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", None),
        (b"\x89PNG\r\n\x1a\n" + bytes(8), None),
        (b"\xff\xd8\xff\xe1", None),
        ("避難所の様子".encode(), "not an image"),
        (b"", "not an image"),
    ],
)
def test_files_are_told_by_their_first_bytes(head, kind):
    found = kind_of_head(head)
    assert (found[1] if found else None) == kind
