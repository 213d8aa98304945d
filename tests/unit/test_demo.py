import io

from PIL import Image

from gspace.demo import MANUAL_REPORTS, NAME, PHOTO_REPORTS, SNS_REPORTS, UNLOCATED
from gspace.store import query
from gspace.store.incident import Incident


def dms(values) -> float:
    d, m, s = (float(v) for v in values)
    return d + m / 60 + s / 3600


def test_demo_is_labelled_fictional_and_has_every_kind_of_content(demo_path):
    with Incident.open(demo_path, write=False) as inc:
        assert "架空" in inc.name and "fictional" in inc.name and inc.name == NAME
        rows = list(query.reports(inc))
        assert len(rows) == PHOTO_REPORTS + SNS_REPORTS + MANUAL_REPORTS
        assert sum(r["lon"] is None for r in rows) == UNLOCATED
        assert {r["kind"] for r in rows} == {"photo", "sns", "manual"}
        assert any("#救助" in r["text"] for r in rows)
        counts = query.feature_counts(inc)
        assert set(counts) == {"shelter", "water", "wifi"} and min(counts.values()) > 10
        statuses = {f["status"] for f in query.features(inc, ["shelter"])}
        assert {"open", "full"} <= statuses


def test_demo_photos_are_real_jpegs_whose_exif_gps_matches_the_report(demo_path):
    with Incident.open(demo_path, write=False) as inc:
        photos = list(query.reports(inc, query.ReportFilter(kinds=["photo"])))
        assert len(photos) == PHOTO_REPORTS
        for report in photos[:10]:
            [sha] = report["media"]
            path = (
                demo_path
                / inc.conn.execute("SELECT path FROM media WHERE sha256 = ?", (sha,)).fetchone()[0]
            )
            image = Image.open(io.BytesIO(path.read_bytes()))
            gps = image.getexif().get_ifd(0x8825)
            assert abs(dms(gps[2]) - report["lat"]) < 1e-6
            assert abs(dms(gps[4]) - report["lon"]) < 1e-6
            assert query.media_thumbnail(inc, sha)[:2] == b"\xff\xd8"


def test_demo_is_the_same_every_time(demo_path, tmp_path):
    from gspace.demo import make_demo

    def content(path):
        with Incident.open(path, write=False) as inc:
            return [(r["id"], r["text"], r["lon"], r["status"]) for r in query.reports(inc)]

    with make_demo(tmp_path / "again"):
        pass
    assert content(demo_path) == content(tmp_path / "again")
