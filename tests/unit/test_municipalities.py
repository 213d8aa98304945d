"""The municipality of each located report and feature: derived from its position by
point-in-polygon on each device (store version 6), on insert, on a move and by the migration of
an older store, and never logged as a change of the row."""

from __future__ import annotations

import json

import pytest
import sqlite_utils

from gspace.errors import GspaceError
from gspace.municipalities import find
from gspace.store import query, records
from gspace.store.incident import Incident
from gspace.store.schema import SCHEMA_VERSION, migrate

# points whose municipality anyone can check on a map
SUIZENJI = (130.7345, 32.7920)  # 熊本市中央区 水前寺
KENGUN = (130.7680, 32.7890)  # 熊本市東区 健軍
MASHIKI = (130.8162, 32.7916)  # 益城町 宮園
SAPPORO_STATION = (141.3508, 43.0687)  # 札幌市北区
AT_SEA = (131.5, 32.0)


def report(lon=None, lat=None, **fields):
    return {"kind": "sns", "text": "停電", "lon": lon, "lat": lat, **fields}


@pytest.fixture
def incident(tmp_path):
    with Incident.create(tmp_path / "inc", name="試験") as inc:
        yield inc


def munis(inc, table="reports"):
    return [r[0] for r in inc.conn.execute(f"SELECT muni_code FROM {table} ORDER BY 1")]


def test_reports_and_features_get_their_municipality_when_written(incident):
    with incident.transaction():
        ids = records.add_reports(
            incident,
            [report(*SUIZENJI), report(*KENGUN), report(*MASHIKI), report(*AT_SEA), report()],
        )
        layer = records.add_layer(incident, "shelter", "避難所", "test")
        records.add_features(
            incident,
            layer,
            "shelter",
            [
                {"name": "健軍小", "lon": KENGUN[0], "lat": KENGUN[1]},
                {"name": "宮園", "geometry": {"type": "Point", "coordinates": list(MASHIKI)}},
                {"name": "位置なし"},
            ],
        )
    rows = {r["id"]: r for r in query.reports(incident)}
    assert [(rows[i]["muni_code"], rows[i]["municipality"]) for i in ids] == [
        ("43101", "熊本県熊本市中央区"),
        ("43102", "熊本県熊本市東区"),
        ("43443", "熊本県益城町"),
        (None, None),
        (None, None),
    ]
    features = {f["name"]: f for f in query.features(incident)}
    assert features["健軍小"]["municipality"] == "熊本県熊本市東区"
    assert features["宮園"]["muni_code"] == "43443"
    assert features["位置なし"]["muni_code"] is None


def test_a_moved_report_or_feature_is_placed_again_without_logging_it(incident):
    with incident.transaction():
        [rid] = records.add_reports(incident, [report(*SUIZENJI)])
        layer = records.add_layer(incident, "shelter", "避難所", "test")
        [fid] = records.add_features(
            incident, layer, "shelter", [{"name": "x", "lon": KENGUN[0], "lat": KENGUN[1]}]
        )
    with incident.transaction():
        previous = records.update_report(incident, rid, lon=MASHIKI[0], lat=MASHIKI[1])
        records.update_feature(
            incident, fid, geometry={"type": "Point", "coordinates": list(SAPPORO_STATION)}
        )
    assert query.report(incident, rid)["muni_code"] == "43443"
    assert [f["municipality"] for f in query.features(incident)] == ["北海道札幌市北区"]
    assert "muni_code" not in previous
    for data, prior in incident.conn.execute("SELECT data, prior FROM changes WHERE op='update'"):
        assert "muni_code" not in json.loads(data) and "muni_code" not in json.loads(prior)
    with incident.transaction():  # undo: back where it was, and in its ward again
        records.update_report(incident, rid, **previous)
        records.update_report(incident, rid, status="verified")  # not a move: kept
    assert query.report(incident, rid)["muni_code"] == "43101"
    with incident.transaction():
        records.update_report(incident, rid, lon=None, lat=None)
    assert query.report(incident, rid)["muni_code"] is None


def test_a_store_made_before_municipalities_is_filled_when_opened(tmp_path):
    folder = tmp_path / "old"
    (folder / "media").mkdir(parents=True)
    db = sqlite_utils.Database(folder / "store.sqlite")
    migrate(db, to=5)
    for rid, (lon, lat) in enumerate([SUIZENJI, KENGUN, AT_SEA], start=1):
        db["reports"].insert(
            {"rid": rid, "id": f"r{rid}", "kind": "sns", "status": "new", "lon": lon, "lat": lat}
        )
    db["reports"].insert({"rid": 4, "id": "r4", "kind": "sns", "status": "new"})
    db["features"].insert({"fid": 1, "id": "f1", "kind": "shelter", "lon": 130.8162, "lat": 32.79})
    db.close()
    with Incident.open(folder) as inc:
        assert SCHEMA_VERSION >= 6
        version = inc.conn.execute("SELECT value FROM meta WHERE key='schema_version'")
        assert int(version.fetchone()[0]) == SCHEMA_VERSION
        codes = dict(inc.conn.execute("SELECT id, muni_code FROM reports"))
        assert codes == {"r1": "43101", "r2": "43102", "r3": None, "r4": None}
        assert munis(inc, "features") == ["43443"]
        assert inc.conn.execute("SELECT count(*) FROM changes").fetchone()[0] == 0
        kumamoto = query.ReportFilter(municipalities=[m.code for m in find("熊本市")])
        assert query.count_reports(inc, kumamoto) == 2
        plan = " ".join(
            str(r)
            for r in inc.conn.execute(
                "EXPLAIN QUERY PLAN SELECT rid FROM reports WHERE muni_code IN ('43101')"
            )
        )
        assert "idx_reports_muni" in plan


def test_a_filter_by_municipality_passes_the_reports_inside_it(incident):
    with incident.transaction():
        records.add_reports(
            incident, [report(*SUIZENJI), report(*KENGUN), report(*KENGUN), report(*MASHIKI)]
        )

    def count(name):
        codes = [m.code for m in find(name)]
        return query.count_reports(incident, query.ReportFilter(municipalities=codes))

    assert count("43102") == 2
    assert count("熊本市東区") == count("熊本県熊本市東区") == 2
    assert count("熊本市") == 3  # a city with wards: all its wards
    assert count("益城町") == count("上益城郡益城町") == 1
    assert count("熊本県東区") == 2  # a bare ward, decided by its prefecture
    assert count("北海道伊達市") == 0


@pytest.mark.parametrize(
    ("name", "candidates"),
    [
        ("東区", ["熊本県熊本市東区 (43102)", "北海道札幌市東区 (01103)"]),
        ("伊達市", ["北海道伊達市 (01233)", "福島県伊達市 (07213)"]),
        ("北海道泊村", ["北海道古宇郡泊村 (01403)", "北海道国後郡泊村 (01696)"]),
        ("大阪府北区", ["大阪府大阪市北区 (27127)", "大阪府堺市北区 (27146)"]),
    ],
)
def test_an_ambiguous_name_is_refused_with_its_candidates(name, candidates):
    with pytest.raises(GspaceError, match=f"^{name} is ambiguous: ") as refused:
        find(name)
    for candidate in candidates:
        assert candidate in str(refused.value)


def test_an_unknown_name_or_code_is_refused():
    with pytest.raises(GspaceError, match="no municipality has the code 99999"):
        find("99999")
    with pytest.raises(GspaceError, match="no municipality is called 熊本村"):
        find("熊本村")


def test_the_demo_incidents_reports_lie_in_the_wards_of_kumamoto(tmp_path):
    from collections import Counter

    from gspace.demo import make_demo

    with make_demo(tmp_path / "demo") as inc:
        located = [r for r in query.reports(inc) if r["lon"] is not None]
        where = Counter(r["municipality"] for r in located)
    wards = {m.qualified for m in find("熊本市")}
    assert None not in where
    # most of the demo happens in the city, in each of its five wards
    in_city = sum(n for name, n in where.items() if name in wards)
    assert in_city > len(located) / 2 and wards <= where.keys(), where


def test_posts_naming_each_ward_are_imported_into_that_ward_and_filtered_by_it(tmp_path):
    """Ward-level geoparsing through the real SNS import, then `--municipality` on its
    reports: by code, by the city (all its wards) and each ward by name."""
    from helpers import run_gspace

    wards = [*find("熊本市"), *find("札幌市"), *find("横浜市")]
    assert len(wards) == 5 + 10 + 18
    posts = tmp_path / "posts.jsonl"
    with posts.open("w", encoding="utf-8") as f:
        for n, ward in enumerate(wards):
            status = {
                "id_str": str(1_900_000_000_000_000_000 + n),
                "created_at": "Mon Nov 16 10:00:00 +0000 2026",
                "user": {"screen_name": f"user{n}"},
                "text": f"{ward.name}で断水が続いています #{n}",
            }
            f.write(json.dumps(status, ensure_ascii=False) + "\n")
    run_gspace("init", tmp_path / "inc", check=True)
    run_gspace("import", "sns", tmp_path / "inc", posts, check=True)

    def listed(name):
        result = run_gspace(
            "reports", tmp_path / "inc", "--municipality", name, "--format", "jsonl"
        )
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    with Incident.open(tmp_path / "inc", write=False) as inc:
        for ward in wards:  # each ward by its name, as --municipality resolves it
            codes = [m.code for m in find(ward.name)]
            [row] = query.reports(inc, query.ReportFilter(municipalities=codes))
            assert (row["muni_code"], row["municipality"]) == (ward.code, ward.qualified)
            assert row["location_source"] == "geoparsed" and ward.name in row["text"]
    assert len(listed("横浜市")) == 18
    assert {r["muni_code"] for r in listed("札幌市")} == {
        w.code for w in wards if w.city == "札幌市"
    }
    assert [r["municipality"] for r in listed("43105")] == ["熊本県熊本市北区"]


def test_exports_carry_the_municipality_of_reports_and_features(demo_path, tmp_path):
    import csv
    import sqlite3

    from helpers import run_gspace

    out = tmp_path / "map.gpkg"
    run_gspace("export", demo_path, out, "--municipality", "熊本市東区", check=True)
    with sqlite3.connect(out) as gpkg:
        reports = set(gpkg.execute("SELECT muni_code, municipality FROM reports"))
        shelters = dict(gpkg.execute("SELECT name, municipality FROM shelter"))
    assert reports == {("43102", "熊本県熊本市東区")}
    assert shelters["宮園総合体育館"] == "熊本県益城町"
    table = tmp_path / "public.csv"
    run_gspace("export", demo_path, table, "--profile", "public", "--lang", "en", check=True)
    with table.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    located = [r for r in rows if r["Longitude"]]  # headers in the export's language
    assert {r["Municipality"] for r in located} >= {"熊本県熊本市中央区", "熊本県益城町"}
    assert all(r["Municipality code"] == "" for r in rows if not r["Longitude"])
