"""Photo import: real camera files against exiftool, generated bad files, interruption, GPX."""

import csv
import os
import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from helpers import gspace_command, metres, run_gspace, tree_digest
from photo_files import make_jpeg
from PIL import Image

from gspace.ingest.exif import read_meta
from gspace.ingest.photos import import_photos
from gspace.store import query
from gspace.store.incident import Incident

JST = timezone(timedelta(hours=9))

# Files whose DateTimeOriginal exiftool takes from somewhere gspace does not read: exiftool
# prefers these sources over (or has them instead of) the EXIF DateTimeOriginal tag.
TIME_ELSEWHERE = {
    "exiftool_t_images/PhotoMechanic.jpg": "IPTC DateCreated + TimeCreated",
    "exiftool_t_images/ExifTool.jpg": "IPTC DateCreated + TimeCreated, preferred over EXIF",
    "exiftool_t_images/CasioQVCI.jpg": "Casio maker notes",
    "ianare_exif-samples/jpg/exif-org/olympus-d320l.jpg": "an EXIF block exifread cannot find",
    "ianare_exif-samples/jpg/exif-org/sony-powershota5.jpg": "an EXIF block exifread cannot find",
    "ianare_exif-samples/jpg/Reconyx_HC500_Hyperfire.jpg": "Reconyx maker notes",
}


@pytest.fixture(scope="module")
def oracle(fixtures):
    photos = fixtures / "photos"
    rows = list(csv.DictReader(open(photos / "exiftool_oracle.csv", encoding="utf-8")))
    return photos, rows


@pytest.fixture(scope="module")
def imported(oracle, tmp_path_factory):
    fixtures, rows = oracle
    incident = Incident.create(tmp_path_factory.mktemp("photos") / "inc")
    summary = import_photos(incident, [fixtures], jobs=2)
    by_source = {
        Path(r["source"]).relative_to(fixtures).as_posix(): r for r in query.reports(incident)
    }
    yield incident, summary, by_source, rows
    incident.close()


def test_every_fixture_photo_is_imported_once(imported):
    incident, summary, by_source, rows = imported
    assert summary.count("imported") == len(rows) == len(by_source)
    assert summary.count("skipped") == 0


def test_positions_equal_exiftool_and_photos_without_gps_are_unlocated(imported):
    _, _, by_source, rows = imported
    for row in rows:
        report = by_source[row["SourceFile"]]
        if row["GPSLatitude"]:
            assert report["location_source"] == "exif", row["SourceFile"]
            assert abs(report["lat"] - float(row["GPSLatitude"])) < 1e-6, row["SourceFile"]
            assert abs(report["lon"] - float(row["GPSLongitude"])) < 1e-6, row["SourceFile"]
        else:
            assert report["lat"] is None and report["location_source"] == "none", row["SourceFile"]
    assert sum(1 for r in rows if r["GPSLatitude"]) == 23


def test_altitude_direction_and_orientation_equal_exiftool(imported):
    _, _, by_source, rows = imported
    for row in rows:
        properties = by_source[row["SourceFile"]]["properties"]
        for column, key in (("GPSAltitude", "altitude"), ("GPSImgDirection", "direction")):
            if row[column]:
                assert abs(properties[key] - float(row[column])) < 1e-6, row["SourceFile"]
        if row["Orientation"]:  # no tag means upright, which exiftool may print as 1
            assert properties.get("orientation", 1) == int(row["Orientation"]), row["SourceFile"]


def test_times_equal_exiftool_except_where_it_reads_other_sources(oracle):
    fixtures, rows = oracle
    for row in rows:
        expected = row["DateTimeOriginal"][:19].replace("-", ":").replace("T", " ")
        meta = read_meta((fixtures / row["SourceFile"]).read_bytes())
        ours = meta.taken or (meta.xmp_time.strftime("%Y:%m:%d %H:%M:%S") if meta.xmp_time else "")
        if row["SourceFile"] in TIME_ELSEWHERE:
            assert ours[:19] != expected
        elif expected:
            assert ours[:19] == expected, row["SourceFile"]


def test_observed_at_uses_the_offset_else_gps_time_else_the_incident_zone(imported):
    _, _, by_source, _ = imported
    # a phone photo with OffsetTimeOriginal
    assert by_source["exiftool_t_images/Google.jpg"]["observed_at"] == "2023-10-06T22:53:51+02:00"
    # no offset but a GPS clock: the GPS time, in UTC (here 7 s off the camera's own clock)
    assert by_source["exiftool_t_images/Apple.jpg"]["observed_at"] == "2016-09-28T17:17:58+00:00"
    assert by_source["exiftool_t_images/Apple.jpg"]["properties"]["time_source"] == "gps"
    # neither: the camera's clock read in the incident's time zone
    plain = by_source["ianare_exif-samples/jpg/Canon_40D.jpg"]
    assert plain["observed_at"] == "2008-05-30T15:56:01+09:00"


def test_importing_the_same_photos_again_adds_nothing(imported, oracle):
    incident, _, _, rows = imported
    again = import_photos(incident, [oracle[0]], jobs=1)
    assert again.count("already imported") == len(rows) and again.count("imported") == 0
    assert query.count_reports(incident) == len(rows)


# -- generated bad files -------------------------------------------------------------------
def truncated(path: Path, keep: float) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def bomb(path: Path) -> Path:
    """A small JPEG whose header claims 60000×60000 pixels."""
    make_jpeg(path, seed=5)
    data = bytearray(path.read_bytes())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = (60000).to_bytes(2, "big") * 2
    path.write_bytes(bytes(data))
    return path


def test_bad_files_are_skipped_with_a_reason_and_good_ones_imported(tmp_path):
    folder = tmp_path / "card"
    make_jpeg(folder / "good.jpg", lat=32.8, lon=130.7, seed=1)
    make_jpeg(
        folder / "cut.jpg",
        lat=32.81,
        lon=130.71,
        size=(1600, 1200),
        seed=2,
        taken=datetime(2026, 11, 20, 10, 0),
        offset="+09:00",
    )
    truncated(folder / "cut.jpg", 0.5)  # pixels cut mid-image: metadata survives
    make_jpeg(folder / "head.jpg", seed=3)
    truncated(folder / "head.jpg", 0.02)  # cut inside the header
    (folder / "noise.jpg").write_bytes(os.urandom(5000))
    (folder / "notes.jpg").write_text("not a photo at all")
    (folder / "empty.jpg").write_bytes(b"")
    bomb(folder / "bomb.jpg")
    (folder / "dead.jpg").symlink_to(folder / "missing.jpg")
    (folder / "self.jpg").symlink_to(folder / "self.jpg")
    (folder / "again").symlink_to(folder)  # a folder link back to itself
    make_jpeg(
        folder / "scrambled.jpg", seed=4, gps_raw={1: "N", 2: (200, 75, 0), 3: "E", 4: (130, 0, 0)}
    )
    make_jpeg(folder / "nofix.jpg", lat=0.0, lon=0.0, seed=6)
    make_jpeg(folder / "noposition.jpg", seed=7, gps_raw={0: b"\x02\x03\x00\x00", 6: 10})
    with Incident.create(tmp_path / "inc") as incident:
        summary = import_photos(incident, [folder], jobs=1)
        outcomes = {Path(o.path).name: o for o in summary.outcomes}
        reasons = {name: o.reason for name, o in outcomes.items() if o.outcome == "skipped"}
        assert set(reasons) == {
            "head.jpg",
            "noise.jpg",
            "notes.jpg",
            "empty.jpg",
            "bomb.jpg",
            "dead.jpg",
            "self.jpg",
            "again",
        }
        assert "empty file" in reasons["empty.jpg"]
        assert "decompression bomb" in reasons["bomb.jpg"]
        assert "not an image" in reasons["noise.jpg"] and "not an image" in reasons["notes.jpg"]
        assert "symlink loop" in reasons["again"]
        assert all(reason and "\n" not in reason for reason in reasons.values())
        imported = {name for name, o in outcomes.items() if o.outcome == "imported"}
        assert imported == {"good.jpg", "cut.jpg", "scrambled.jpg", "nofix.jpg", "noposition.jpg"}
        cut = next(r for r in query.reports(incident) if r["source"].endswith("cut.jpg"))
        assert (round(cut["lat"], 6), round(cut["lon"], 6)) == (32.81, 130.71)
        assert cut["observed_at"] == "2026-11-20T10:00:00+09:00"
        assert query.media_thumbnail(incident, cut["media"][0]) is None  # placeholder
        assert "pixels unreadable" in outcomes["cut.jpg"].reason
        unlocated = {
            Path(r["source"]).name
            for r in query.reports(incident, query.ReportFilter(located=False))
        }
        assert unlocated == {"scrambled.jpg", "nofix.jpg", "noposition.jpg"}
        logged = incident.conn.execute(
            "SELECT outcome, count(*) FROM import_log GROUP BY outcome"
        ).fetchall()
        assert dict(logged) == {"imported": 5, "skipped": 8}


def test_embedded_thumbnail_is_used_and_turned_upright(tmp_path):
    path = make_jpeg(tmp_path / "phone.jpg", size=(400, 300), thumbnail=True, seed=9)
    with Incident.create(tmp_path / "inc") as incident:
        import_photos(incident, [path], jobs=1)
        [report] = query.reports(incident)
        assert report["properties"]["thumbnail"] == "embedded"
        thumb = Image.open(
            __import__("io").BytesIO(query.media_thumbnail(incident, report["media"][0]))
        )
        assert thumb.size == (160, 120)


# -- interruption --------------------------------------------------------------------------
def test_an_import_killed_midway_finishes_on_the_second_run_without_duplicates(tmp_path):
    folder = tmp_path / "card"
    good = 160
    for i in range(good):
        make_jpeg(
            folder / f"IMG_{i:04d}.jpg",
            size=(1024, 768),
            seed=100 + i,
            lat=32.7 + i * 1e-4,
            lon=130.7,
        )
    run_gspace("init", tmp_path / "inc", check=True)
    store = tmp_path / "inc" / "store.sqlite"
    process = subprocess.Popen(
        [*gspace_command(), "import", "photos", str(tmp_path / "inc"), str(folder), "--jobs", "1"],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    committed = 0
    while time.monotonic() < deadline and process.poll() is None and committed == 0:
        time.sleep(0.02)
        with sqlite3.connect(store) as conn:
            committed = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        conn.close()
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 0 < committed < good, "the kill must land mid-import"
    result = run_gspace("import", "photos", tmp_path / "inc", folder)
    assert result.returncode == 0, result.stderr
    with Incident.open(tmp_path / "inc", write=False) as incident:
        sources = [r["source"] for r in query.reports(incident)]
        assert len(sources) == len(set(sources)) == good
        media_rows = {row[0] for row in incident.conn.execute("SELECT path FROM media")}
    on_disk = {
        p.relative_to(tmp_path / "inc").as_posix()
        for p in (tmp_path / "inc" / "media").rglob("*")
        if p.is_file()
    }
    assert on_disk == media_rows and len(media_rows) == good


# -- GPX -----------------------------------------------------------------------------------
def test_photos_without_gps_are_placed_on_a_gpx_track_with_the_camera_offset(tmp_path):
    start = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 10:00 in Japan
    track = [
        (start + timedelta(minutes=i), 32.80 + i * 0.001, 130.70 + i * 0.0015) for i in range(30)
    ]
    points = "".join(
        f'<trkpt lat="{lat}" lon="{lon}"><time>{t:%Y-%m-%dT%H:%M:%SZ}</time></trkpt>'
        for t, lat, lon in track
    )
    gpx = tmp_path / "track.gpx"
    gpx.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="test" '
        'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
        f"{points}</trkseg></trk></gpx>",
        encoding="utf-8",
    )
    # the camera clock runs in Japan time and writes no offset
    shots = {
        "a.jpg": timedelta(minutes=3, seconds=30),
        "b.jpg": timedelta(minutes=17, seconds=12),
        "late.jpg": timedelta(hours=3),
    }
    for i, (name, after) in enumerate(shots.items()):
        make_jpeg(
            tmp_path / "card" / name,
            taken=(start + after).astimezone(JST).replace(tzinfo=None),
            seed=i,
        )
    result = run_gspace("init", tmp_path / "inc", check=True)
    result = run_gspace(
        "import",
        "photos",
        tmp_path / "inc",
        tmp_path / "card",
        "--gpx",
        gpx,
        "--time-offset",
        "+09:00",
    )
    assert result.returncode == 0, result.stderr
    with Incident.open(tmp_path / "inc", write=False) as incident:
        placed = {Path(r["source"]).name: r for r in query.reports(incident)}
    for name in ("a.jpg", "b.jpg"):
        minutes = shots[name].total_seconds() / 60
        expected = (32.80 + minutes * 0.001, 130.70 + minutes * 0.0015)
        report = placed[name]
        assert report["location_source"] == "gpx"
        assert metres(report["lat"], report["lon"], *expected) < 5
    assert placed["late.jpg"]["lat"] is None  # after the track ended: left for placing by hand


def test_cli_lists_each_skipped_file_and_a_summary(tmp_path):
    make_jpeg(tmp_path / "card" / "ok.jpg", lat=35.0, lon=135.0)
    (tmp_path / "card" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0garbage")
    run_gspace("init", tmp_path / "inc", check=True)
    result = run_gspace("import", "photos", tmp_path / "inc", tmp_path / "card")
    assert result.returncode == 0
    lines = result.stderr.strip().splitlines()
    assert any(
        line.startswith(str(tmp_path / "card" / "broken.jpg")) and "skipped" in line
        for line in lines
    )
    assert lines[-1] == "1 imported (0 need a location), 0 already imported, 1 skipped"


def test_cancel_keeps_whole_photos_only_and_a_second_run_finishes(tmp_path):
    folder = tmp_path / "card"
    for i in range(12):
        make_jpeg(folder / f"IMG_{i:02d}.jpg", lat=33.0 + i * 1e-3, lon=131.0, seed=300 + i)
    seen = []
    with Incident.create(tmp_path / "inc") as incident:
        first = import_photos(
            incident,
            [folder],
            jobs=1,
            progress=lambda done, total, path: seen.append(done),
            cancelled=lambda: len(seen) >= 5,
        )
        assert first.cancelled and first.count("imported") == 5
        assert seen == [1, 2, 3, 4, 5]
        media = {row[0] for row in incident.conn.execute("SELECT path FROM media")}
        on_disk = {
            p.relative_to(incident.path).as_posix()
            for p in incident.media_dir.rglob("*")
            if p.is_file()
        }
        assert on_disk == media and len(media) == 5
        second = import_photos(incident, [folder], jobs=1)
        assert (second.count("imported"), second.count("already imported")) == (7, 5)
        assert query.count_reports(incident) == 12


def test_tiff_photos_are_read_too(tmp_path):
    jpeg = make_jpeg(tmp_path / "src.jpg", lat=35.681236, lon=139.767125, seed=11)
    with Image.open(jpeg) as image:
        image.save(tmp_path / "scan.tif", exif=image.getexif())
    with Incident.create(tmp_path / "inc") as incident:
        summary = import_photos(incident, [tmp_path / "scan.tif"], jobs=1)
        assert summary.count("imported") == 1
        [report] = query.reports(incident)
        assert (round(report["lat"], 6), round(report["lon"], 6)) == (35.681236, 139.767125)
        assert query.media_row(incident, report["media"][0])["type"] == "image/tiff"


def test_a_broken_gpx_track_stops_the_import_before_anything_changes(tmp_path):
    make_jpeg(tmp_path / "card" / "a.jpg", seed=1)
    (tmp_path / "track.gpx").write_text("<gpx><trk><trkseg><trkpt lat=", encoding="utf-8")
    run_gspace("init", tmp_path / "inc", check=True)
    before = tree_digest(tmp_path / "inc")
    result = run_gspace(
        "import", "photos", tmp_path / "inc", tmp_path / "card", "--gpx", tmp_path / "track.gpx"
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("gspace: cannot read GPX track")
    assert len(result.stderr.strip().splitlines()) == 1
    assert tree_digest(tmp_path / "inc") == before
