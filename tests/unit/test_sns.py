"""SNS posts: the real exports in ../shared/fixtures/sns, bad input, reposts and copies."""

from __future__ import annotations

import json

import orjson
import pytest
from helpers import metres, run_gspace

from gspace.errors import GspaceError
from gspace.ingest.sns import import_sns
from gspace.ingest.sns_formats import detect_format, html_to_text
from gspace.store import query
from gspace.store.incident import Incident


@pytest.fixture
def incident(tmp_path):
    with Incident.create(tmp_path / "incident") as inc:
        yield inc


def sns_reports(incident) -> dict[str, dict]:
    """source -> report, with properties decoded."""
    rows = query.reports(incident, query.ReportFilter(kinds=["sns"]))
    return {r["source"]: r for r in rows}


def x_key(status_id) -> str:
    return f"https://x.com/i/web/status/{status_id}"


def test_x_v1_search_posts_are_placed_exactly_at_their_coordinates(incident, fixtures):
    path = fixtures / "sns/x-v1/get_search_geocode.json"
    statuses = json.loads(path.read_text())["statuses"]
    summary = import_sns(incident, [path])
    originals = [s for s in statuses if "retweeted_status" not in s]
    retweets = [s for s in statuses if "retweeted_status" in s]
    assert summary.formats[str(path)] == "x-v1"
    assert (summary.imported, summary.reposts, summary.skipped) == (
        len(originals), len(retweets), 0
    )  # fmt: skip
    reports = sns_reports(incident)
    assert len(reports) == len(originals) == 14
    for status in originals:
        report = reports[x_key(status["id_str"])]
        assert [report["lon"], report["lat"]] == status["coordinates"]["coordinates"]
        assert report["location_source"] == "post"
        assert report["author"] == "@" + status["user"]["screen_name"]
    retweeted = reports[x_key(retweets[0]["retweeted_status"]["id_str"])]
    assert retweeted["properties"]["reposts"] == 1
    assert "&amp;" not in "".join(r["text"] for r in reports.values())  # entities decoded


def test_x_v1_place_only_post_is_placed_at_the_centre_of_its_place(incident, fixtures):
    path = fixtures / "sns/x-v1/get_status_with_place.json"
    status = json.loads(path.read_text())
    import_sns(incident, [path])
    [report] = sns_reports(incident).values()
    ring = status["place"]["bounding_box"]["coordinates"][0]
    w, s = min(p[0] for p in ring), min(p[1] for p in ring)
    e, n = max(p[0] for p in ring), max(p[1] for p in ring)
    assert report["location_source"] == "place"
    assert (report["lon"], report["lat"]) == pytest.approx(((w + e) / 2, (s + n) / 2))
    assert report["accuracy_m"] == pytest.approx(metres(s, w, n, e) / 2, rel=0.01)
    assert report["properties"]["place"] == "Chicago, IL"
    assert report["observed_at"] == "2018-10-13T20:15:27+00:00"


def test_x_v2_responses_points_places_and_a_broken_stream_line(incident, fixtures):
    geo = fixtures / "sns/x-v2/geo_tweets.jsonl"
    stream = fixtures / "sns/x-v2/streaming_output_with_error.jsonl"
    summary = import_sns(incident, [geo, stream])
    lines = [orjson.loads(line) for line in geo.read_bytes().splitlines()]
    good = []
    for line in stream.read_bytes().splitlines():
        try:
            good.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            pass
    assert len(good) == 7  # the eighth line is cut off
    reports = sns_reports(incident)
    assert summary.skipped == 1 and "not valid JSON" in summary.reasons[0][1]
    assert summary.reasons[0][0].endswith("streaming_output_with_error.jsonl:line 8")
    for response in lines + good:
        tweet = response["data"][0] if isinstance(response["data"], list) else response["data"]
        report = reports[x_key(tweet["id"])]
        point = (tweet.get("geo") or {}).get("coordinates")
        if point:  # GeoJSON order, [lon, lat], exactly as the post gives it
            assert [report["lon"], report["lat"]] == point["coordinates"]
            assert report["location_source"] == "post"
        else:
            [place] = response["includes"]["places"]
            w, s, e, n = place["geo"]["bbox"]
            assert report["location_source"] == "place"
            assert (report["lon"], report["lat"]) == pytest.approx(((w + e) / 2, (s + n) / 2))
    assert reports[x_key(lines[0]["data"][0]["id"])]["author"] == "@kamanonickname"


def test_x_v2_flattened_tweets_attach_retweets_to_their_originals(incident, fixtures):
    path = fixtures / "sns/x-v2/flat.jsonl"
    tweets = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    retweets = [
        t for t in tweets if any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))
    ]
    originals = {r["id"] for t in retweets for r in t["referenced_tweets"]}
    own = {t["id"] for t in tweets} - {t["id"] for t in retweets}
    summary = import_sns(incident, [path])
    reports = sns_reports(incident)
    assert len(reports) == len(own | originals) == summary.imported
    assert summary.reposts == len(retweets)
    assert sum(r["properties"].get("reposts", 0) for r in reports.values()) == len(retweets)
    assert not any(r["text"].startswith("RT @") for r in reports.values())


def test_mastodon_statuses_become_plain_text_and_the_same_status_twice_is_one_report(
    incident, fixtures
):
    timeline = fixtures / "sns/mastodon/tag_timeline.json"
    statuses = json.loads(timeline.read_text())
    files = [
        timeline,
        fixtures / "sns/mastodon/status.json",
        fixtures / "sns/mastodon/statuses.json",
    ]
    summary = import_sns(incident, files)
    assert summary.imported == len(statuses) + 1 and summary.already == 1
    reports = sns_reports(incident)
    for status in statuses:
        report = reports[status["url"]]
        assert "<" not in report["text"] or "<" in html_to_text(status["content"])
        assert report["author"] == "@" + status["account"]["acct"]
        assert report["observed_at"].startswith(status["created_at"][:19])
    assert reports["https://mstdn.jp/test"]["text"] == "Test Status"


def test_html_to_text_keeps_paragraphs_and_decodes_entities():
    html = (
        '<p>家が<br/>倒壊 &amp; 火災</p><p><a href="x"><span class="invisible">https://</span>'
        "ex.jp</a> &lt;b&gt;</p>"
    )
    assert html_to_text(html) == "家が\n倒壊 & 火災\nhttps://ex.jp <b>"


def test_every_fixture_is_detected_and_importing_all_twice_adds_nothing(incident, fixtures):
    files = sorted((fixtures / "sns").glob("*/*"))
    first = import_sns(incident, files)
    assert detect_format(fixtures / "sns/x-v2/two_tweets.jsonl") == "x-v2"
    assert first.imported > 100
    count = query.count_reports(incident, query.ReportFilter())
    again = import_sns(incident, files)
    assert (again.imported, again.reposts) == (0, 0)
    assert again.already == first.imported + first.reposts + first.already
    assert query.count_reports(incident, query.ReportFilter()) == count


# -- bad input ---------------------------------------------------------------------------------
def test_a_truncated_json_array_keeps_the_records_before_the_cut(incident, fixtures, tmp_path):
    statuses = json.loads((fixtures / "sns/x-v1/get_search_geocode.json").read_text())["statuses"]
    text = json.dumps(statuses, indent=2)
    cut = text.index(statuses[5]["id_str"])  # inside the sixth status
    path = tmp_path / "cut.json"
    path.write_text(text[:cut])
    summary = import_sns(incident, [path])
    kept = [s for s in statuses[:5] if "retweeted_status" not in s]
    assert summary.imported == len(kept)
    assert summary.skipped == 1 and "cut off or damaged" in summary.reasons[0][1]


def test_binary_garbage_is_refused_with_one_line_and_changes_nothing(tmp_path):
    path = tmp_path / "posts.json"
    path.write_bytes(bytes(range(256)) * 100)
    run_gspace("init", tmp_path / "i", check=True)
    result = run_gspace("import", "sns", tmp_path / "i", path)
    assert result.returncode == 1
    assert result.stderr.strip() == "gspace: posts.json: binary data, not a post export"
    with Incident.open(tmp_path / "i") as inc:
        assert query.count_reports(inc, query.ReportFilter()) == 0


def test_jsonl_with_garbage_lines_and_a_10_mb_line_imports_the_good_lines(incident, tmp_path):
    good = [
        {"id": str(n), "text": f"益城町で断水 {n}", "created_at": "2026-11-24T09:00:00+09:00",
         "author_id": "1"}
        for n in range(3)
    ]  # fmt: skip
    path = tmp_path / "stream.jsonl"
    with path.open("wb") as f:
        f.write(orjson.dumps({"data": good[0]}) + b"\n")
        f.write(b"\x89PNG\r\x1a\x00\x00 garbage \xff\xfe\n")
        f.write(b'{"data": {"id": "9", "text": "' + b"x" * (10 * 1024 * 1024) + b"\n")
        f.write(orjson.dumps({"data": good[1]}) + b"\n")
        f.write(b'{"errors": [{"title": "Operational Disconnect"}]}\n')
        f.write(b'{"data": {"id": "7", "text": ""}}\n')
        f.write(orjson.dumps({"data": good[2]}) + b"\n")
    summary = import_sns(incident, [path], fmt="x-v2")
    assert summary.imported == 3
    assert [w.split(":")[-1] for w, _ in summary.reasons] == [
        "line 2", "line 3", "line 5", "line 6"
    ]  # fmt: skip
    assert "Operational Disconnect" in summary.reasons[2][1]
    reports = sns_reports(incident)
    assert all(r["location_source"] == "geoparsed" for r in reports.values())
    assert {r["properties"]["place_name"] for r in reports.values()} == {"熊本県益城町"}


def test_a_cp932_csv_with_japanese_headers(incident, tmp_path):
    path = tmp_path / "投稿.csv"
    rows = [
        "ID,日時,投稿者,本文,緯度,経度",
        "1,2026/11/24 09:30,@kumamoto_taro,#救助 益城町宮園 2階に3人取り残されています,,",
        "2,2026/11/24 09:40,@hanako,給水車が来ました,32.7921,130.8175",
        "3,2026/11/24 09:45,@x,,,",
        "4,not a time,@y,停電しています,north,east",
    ]
    path.write_bytes("\r\n".join(rows).encode("cp932"))
    summary = import_sns(incident, [path])
    assert summary.formats[str(path)] == "csv"
    assert summary.imported == 3
    assert [r for _, r in summary.reasons] == [
        "no text",
        "coordinates are not numbers (north, east); imported without",
    ]
    reports = sns_reports(incident)
    rescue = reports["post:1"]
    assert rescue["category"] == "rescue" and rescue["severity"] == "high"
    assert rescue["location_source"] == "geoparsed"
    assert rescue["observed_at"] == "2026-11-24T09:30:00+09:00"  # the incident's time zone
    water = reports["post:2"]
    assert (water["lon"], water["lat"], water["location_source"]) == (130.8175, 32.7921, "post")
    assert water["category"] == "water_outage"
    assert reports["post:4"]["observed_at"] is None


def test_a_csv_without_a_text_column_names_the_option(incident, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(GspaceError, match="--text-column"):
        import_sns(incident, [path])
    path.write_text("a,b\nhello fire,2\n", encoding="utf-8")
    assert import_sns(incident, [path], mapping={"text": "a"}).imported == 1


# -- reposts and copies ------------------------------------------------------------------------
def test_a_boost_and_a_copy_attach_to_the_original(incident, tmp_path):
    original = {
        "id": "1", "url": "https://m.example/@a/1", "created_at": "2026-11-24T00:00:00Z",
        "content": "<p>熊本市東区で家屋が倒壊、道路が通れません</p>",
        "account": {"acct": "a", "display_name": "A"},
    }  # fmt: skip
    boost = {"id": "2", "url": "https://m.example/@b/2", "content": "", "reblog": original,
             "account": {"acct": "b"}, "created_at": "2026-11-24T00:05:00Z"}  # fmt: skip
    copy = {
        **original, "id": "3", "url": "https://m.example/@c/3", "account": {"acct": "c"},
        "content": "<p>熊本市東区で家屋が倒壊、 道路が通れません https://t.co/x</p>",
    }  # fmt: skip
    path = tmp_path / "statuses.json"
    path.write_text(json.dumps([original, boost, copy]))
    summary = import_sns(incident, [path])
    assert (summary.imported, summary.reposts) == (1, 2)
    [report] = sns_reports(incident).values()
    assert report["properties"]["reposts"] == 2
    assert report["category"] == "building_damage,road_blocked"
    via = incident.conn.execute("SELECT source, via FROM reposts ORDER BY source").fetchall()
    assert via == [("https://m.example/@b/2", "repost"), ("https://m.example/@c/3", "copy")]
    # the attachments went through the change log
    logged = incident.conn.execute("SELECT count(*) FROM changes WHERE tbl = 'reposts'")
    assert logged.fetchone()[0] == 2


def test_copies_attach_across_batches_and_imports_but_not_to_a_deleted_report(
    incident, tmp_path, monkeypatch
):
    from gspace.ingest import digests, sns
    from gspace.store import records

    monkeypatch.setattr(sns, "BATCH", 50)
    monkeypatch.setattr(digests, "_MERGE_AT", 70)  # the in-memory digests merge mid-import
    texts = [f"断水が続いています 給水所 {n} 番" for n in range(200)]
    first = tmp_path / "first.jsonl"  # ends with copies of the first five and the last five
    posts = [{"id": str(n), "text": t} for n, t in enumerate(texts)] + [
        {"id": f"r{n}", "text": f"RT @a: {texts[n]}"} for n in (*range(5), *range(195, 200))
    ]
    first.write_bytes(b"\n".join(map(orjson.dumps, posts)))
    summary = import_sns(incident, [first], fmt="x-v2", jobs=1)
    assert (summary.imported, summary.reposts) == (200, 10)
    by_text = {r["text"]: r["id"] for r in sns_reports(incident).values()}
    with incident.transaction():
        records.delete_report(incident, by_text[texts[7]])
    second = tmp_path / "second.jsonl"  # the same words, reposted by others later
    second.write_bytes(b"\n".join(orjson.dumps({"id": f"c{n}", "text": f"{t} https://t.co/{n}"})
                                  for n, t in enumerate(texts)))  # fmt: skip
    summary = import_sns(incident, [second], fmt="x-v2", jobs=1)
    assert (summary.imported, summary.reposts) == (1, 199)  # the deleted one's copy is new
    attached = dict(incident.conn.execute("SELECT source, report_id FROM reposts"))
    assert attached[x_key("c3")] == by_text[texts[3]] and x_key("c7") not in attached
    assert attached[x_key("c150")] == by_text[texts[150]]


def test_the_cli_imports_and_reports_a_summary(tmp_path, fixtures):
    run_gspace("init", tmp_path / "i", check=True)
    result = run_gspace(
        "import", "sns", tmp_path / "i", fixtures / "sns/x-v1/get_search_geocode.json", check=True
    )
    assert "14 imported (14 post placed, 0 without a location), 1 reposts attached" in result.stderr
    out = run_gspace("reports", tmp_path / "i", "--kind", "sns", "--located", "yes", check=True)
    assert len(json.loads(out.stdout)["features"]) == 14


def test_cancel_keeps_the_batches_written_and_progress_counts_bytes(incident, tmp_path):
    from gspace.ingest.sns import BATCH

    path = tmp_path / "many.jsonl"
    lines = [{"id": str(n), "text": f"停電 {n}", "author_id": "1"} for n in range(BATCH * 3)]
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    seen = []
    summary = import_sns(
        incident,
        [path],
        fmt="x-v2",
        jobs=2,
        progress=lambda done, total, _path: seen.append((done, total)),
        cancelled=lambda: len(seen) >= 1,
    )
    assert summary.cancelled and summary.imported == BATCH
    assert query.count_reports(incident, query.ReportFilter()) == BATCH
    assert 0 < seen[0][0] <= seen[0][1] == path.stat().st_size
    again = import_sns(incident, [path], fmt="x-v2")  # the rest, and nothing twice
    assert (again.imported, again.already) == (BATCH * 2, BATCH)
