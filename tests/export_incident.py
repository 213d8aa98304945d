"""An incident for export tests: the demo plus reports whose export a test can check exactly."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from photo_files import make_jpeg

from gspace.ingest.photos import import_photos
from gspace.store import query, records
from gspace.store.incident import Incident

HOSTILE = "<img src=x onerror=alert(1)>"
RESCUE = {"lon": 130.712345, "lat": 32.791234, "author": "@tanaka_taro"}
PHOTO = {"lat": 32.80321, "lon": 130.70789}


def make_export_incident(demo_template: Path, target: Path) -> Path:
    shutil.copytree(demo_template, target)
    with Incident.open(target) as inc:
        photo = make_jpeg(
            target.parent / "camera" / "IMG_0001.JPG",
            lat=PHOTO["lat"],
            lon=PHOTO["lon"],
            taken=datetime(2026, 11, 21, 9, 30),
            size=(1200, 900),
        )
        import_photos(inc, [photo], jobs=1)
        with inc.transaction():
            records.add_reports(
                inc,
                [
                    {
                        "kind": "sns",
                        "lon": 130.70,
                        "lat": 32.80,
                        "location_source": "post",
                        "observed_at": "2026-11-21T10:00:00+09:00",
                        "author": "@attacker",
                        "text": HOSTILE,
                        "category": "other",
                        "status": "new",
                        "source": "post:hostile",
                    },
                    {
                        "kind": "sns",
                        "lon": RESCUE["lon"],
                        "lat": RESCUE["lat"],
                        "location_source": "post",
                        "accuracy_m": 10.0,
                        "observed_at": "2026-11-21T10:05:00+09:00",
                        "author": RESCUE["author"],
                        "text": "@tanaka_taro 助けて 2階に3人 #救助",
                        "category": "rescue",
                        "severity": "high",
                        "status": "new",
                        "source": "https://x.com/i/web/status/1",
                        "properties": {"author_name": "田中太郎"},
                    },
                    {
                        "kind": "sns",
                        "lon": 130.69,
                        "lat": 32.79,
                        "location_source": "post",
                        "observed_at": "2026-11-21T10:10:00+09:00",
                        "author": "@someone",
                        "text": "却下されるべき誤報",
                        "category": "fire",
                        "status": "rejected",
                        "source": "post:rejected",
                    },
                ],
            )
        assert query.count_reports(inc, query.ReportFilter(search="tanaka_taro")) == 1
    return target


# A geotag at lat 88 (a broken GPS fix), a worldwide photo set (a trip's photos imported by
# mistake) and a shelter layer of another city: none of them may set a map's first view.
WORLD = [
    (-74.0, 40.7),
    (2.35, 48.86),
    (151.2, -33.87),
    (-43.2, -22.9),
    (37.6, 55.75),
    (100.5, 13.75),
    (-122.4, 37.77),
    (18.4, -33.9),
    (-0.13, 51.5),
    (139.7, 35.68),
    (144.96, -37.8),
    (77.2, 28.6),
]
FAR_SHELTER = (141.35, 43.06)  # Sapporo


def add_far_reports(path: Path) -> int:
    """Add the stray reports and a far shelter layer; returns how many reports were added."""
    rows = [
        {
            "kind": "photo",
            "lon": lon,
            "lat": lat,
            "location_source": "exif",
            "observed_at": "2026-11-20T08:00:00+09:00",
            "category": "other",
            "status": "new",
            "source": f"photo:world{i}",
        }
        for i, (lon, lat) in enumerate([(130.71, 88.0), *WORLD])
    ]
    with Incident.open(path) as inc, inc.transaction():
        records.add_reports(inc, rows)
        layer = records.add_layer(inc, "shelter", "札幌市避難所", "sapporo.csv")
        records.add_features(
            inc,
            layer,
            "shelter",
            [
                {
                    "name": "札幌市役所",
                    "lon": FAR_SHELTER[0],
                    "lat": FAR_SHELTER[1],
                    "geometry": None,
                }
            ],
        )
    return len(rows)
