"""An incident for export tests: the demo plus reports whose export a test can check exactly."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from photo_files import make_jpeg

from gspace import query, records
from gspace.incident import Incident
from gspace.ingest.photos import import_photos

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
