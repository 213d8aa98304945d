"""The review window's report set: what a filter and a time window show, and reports per hour,
agree with the command line's queries."""

from datetime import datetime
from zoneinfo import ZoneInfo

from gspace import triage
from gspace.review import HOUR, ReportSet
from gspace.store import query
from gspace.store.query import ReportFilter

TOKYO = ZoneInfo("Asia/Tokyo")


def test_filters_and_time_windows_match_the_same_sql_query(demo_path):
    from gspace.store.incident import Incident

    with Incident.open(demo_path) as inc:
        reports = ReportSet(inc)
        assert reports.matching(ReportFilter()) is None
        since = datetime(2026, 11, 21, 9, tzinfo=TOKYO)
        until = datetime(2026, 11, 21, 21, tzinfo=TOKYO)
        for filt in (
            ReportFilter(since=since, until=until),
            ReportFilter(categories=["flooding"], since=since),
            ReportFilter(kinds=["sns"], statuses=["new"], until=until),
            ReportFilter(search="避難所", located=True),
        ):
            want = {r["id"] for r in query.reports(inc, filt)}
            got = {reports.by_rid[k]["id"] for k in reports.matching(filt)}
            assert got == want and want, filt


def test_reports_per_hour_count_every_timed_report_once_and_follow_edits(demo_path):
    from gspace.store.incident import Incident

    with Incident.open(demo_path) as inc:
        reports = ReportSet(inc)
        start, counts = reports.hourly(ReportFilter())
        assert sum(counts) == sum(1 for r in reports.rows if r["observed_ts"] is not None)
        first = min(r["observed_ts"] for r in reports.rows if r["observed_ts"])
        assert start <= first < start + HOUR
        new = ReportFilter(statuses=["new"])
        before = sum(reports.hourly(new)[1])
        some = [r["id"] for r in reports.rows if r["status"] == "new"][:3]
        triage.set_fields(inc, some, status="verified")
        rows = reports.refresh(some)
        assert [r["status"] for r in rows] == ["verified"] * 3
        assert sum(reports.hourly(new)[1]) == before - 3
