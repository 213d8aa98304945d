from datetime import datetime, timedelta, timezone

import pytest

from gspace.errors import GspaceError
from gspace.store import query, records
from gspace.store.incident import Incident

JST = timezone(timedelta(hours=9))

ROWS = [
    # (kind, category, status, observed_at, lon, lat, text)
    ("sns", "rescue", "new", "2026-11-20T21:30:00+09:00", 130.70, 32.80, "#救助 2階に3人"),
    (
        "sns",
        "water_outage,supplies",
        "verified",
        "2026-11-20T13:00:00+00:00",
        130.75,
        32.79,
        '断水と物資不足 50% off "quoted"',
    ),
    ("photo", "fire", "rejected", "2026-11-21T08:00:00+09:00", 139.70, 35.68, "火災の写真"),
    ("manual", "other", "new", "2026-11-19T09:00:00+09:00", None, None, "電話で受付_位置不明"),
]


@pytest.fixture(scope="module")
def incident(tmp_path_factory):
    inc = Incident.create(tmp_path_factory.mktemp("q") / "inc")
    with inc.transaction():
        records.add_reports(
            inc,
            [
                {
                    "kind": k,
                    "category": c,
                    "status": s,
                    "observed_at": t,
                    "lon": x,
                    "lat": y,
                    "text": text,
                }
                for k, c, s, t, x, y, text in ROWS
            ],
        )
    yield inc
    inc.close()


def texts(incident, **filters):
    return [r["text"] for r in query.reports(incident, query.ReportFilter(**filters))]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [3, 0, 1, 2]),  # time order across offsets: 13:00Z is 22:00 JST, after 21:30 JST
        ({"kinds": ["sns"]}, [0, 1]),
        ({"kinds": ["sns", "manual"]}, [3, 0, 1]),
        ({"statuses": ["new"]}, [3, 0]),
        ({"categories": ["supplies"]}, [1]),
        ({"categories": ["fire", "rescue"]}, [0, 2]),
        ({"since": datetime(2026, 11, 20, 21, 45, tzinfo=JST)}, [1, 2]),
        ({"until": datetime(2026, 11, 20, 21, 30, tzinfo=JST)}, [3, 0]),
        ({"bbox": (130.0, 32.0, 131.0, 33.0)}, [0, 1]),
        ({"located": False}, [3]),
        ({"located": True, "kinds": ["photo"]}, [2]),
        ({"search": "救助"}, [0]),  # two characters: below the trigram index, still found
        ({"search": "物資不足"}, [1]),
        ({"search": "断水 物資"}, [1]),  # every term must occur
        ({"search": "断水 火災"}, []),
        ({"search": "50%"}, [1]),  # LIKE wildcards are literal
        ({"search": "_位置"}, [3]),
        ({"search": '"quoted"'}, [1]),  # quotes cannot break out of the FTS query
    ],
    ids=lambda v: str(v),
)
def test_filters(incident, filters, expected):
    assert texts(incident, **filters) == [ROWS[i][6] for i in expected]


def test_count_matches_rows(incident):
    filt = query.ReportFilter(kinds=["sns"], bbox=(130, 32, 131, 33))
    assert query.count_reports(incident, filt) == len(list(query.reports(incident, filt))) == 2


def test_times_without_offset_are_read_in_the_incident_zone(incident):
    assert query.parse_time("2026-11-20T21:30", incident.timezone) == datetime(
        2026, 11, 20, 21, 30, tzinfo=JST
    )
    assert query.parse_time("2026-11-20", incident.timezone).utcoffset() == timedelta(hours=9)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("130,32,131", "not a bounding box"),
        ("a,b,c,d", "not a bounding box"),
        ("131,32,130,33", "west > east"),
    ],
)
def test_bad_bbox(value, message):
    with pytest.raises(GspaceError, match=message):
        query.parse_bbox(value)


def test_bad_time(incident):
    with pytest.raises(GspaceError, match="not a date or time"):
        query.parse_time("yesterday", incident.timezone)
