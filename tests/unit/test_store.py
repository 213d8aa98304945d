import json
import sqlite3

import pytest
import sqlite_utils

from gspace.errors import GspaceError
from gspace.store import query, records
from gspace.store.incident import Incident
from gspace.store.schema import SCHEMA_VERSION, migrate


def report(**fields):
    return {"kind": "sns", "text": "テスト", "observed_at": "2026-11-20T10:00:00+09:00", **fields}


@pytest.fixture
def incident(tmp_path):
    with Incident.create(tmp_path / "inc", name="試験") as inc:
        yield inc


def changes(inc):
    return inc.conn.execute("SELECT tbl, row_id, op, data FROM changes ORDER BY seq").fetchall()


def test_init_creates_a_wal_store_with_media_folder_and_schema(tmp_path):
    with Incident.create(tmp_path / "inc", name="熊本") as inc:
        assert inc.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = set(sqlite_utils.Database(inc.conn).table_names())
        assert {
            "reports",
            "media",
            "layers",
            "features",
            "import_log",
            "changes",
            "meta",
            "reports_rtree",
            "features_rtree",
            "reports_fts",
        } <= tables
        assert inc.name == "熊本" and len(inc.device_id) == 32
    assert (tmp_path / "inc" / "media").is_dir()


def test_every_write_lands_in_the_change_log_with_clock_and_origin(incident):
    with incident.transaction():
        [rid] = records.add_reports(incident, [report(lon=130.7, lat=32.8)])
        records.update_report(incident, rid, status="verified")
        records.delete_report(incident, rid)
    log = changes(incident)
    assert [(t, r, op) for t, r, op, _ in log] == [
        ("reports", rid, "insert"),
        ("reports", rid, "update"),
        ("reports", rid, "delete"),
    ]
    assert json.loads(log[1][3]) == {"status": "verified"}
    stamps = [r[0] for r in incident.conn.execute("SELECT hlc FROM changes ORDER BY seq")]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3
    # the row keeps the stamp of its insert; later writes have a clock per field
    row = incident.conn.execute("SELECT deleted, hlc, origin FROM reports").fetchone()
    assert row == (1, stamps[0], incident.device_id)
    clocks = incident.conn.execute("SELECT field, hlc FROM field_clocks ORDER BY field")
    assert clocks.fetchall() == [("deleted", stamps[2]), ("status", stamps[1])]


def test_the_row_as_first_written_is_rebuilt_from_the_prior_values_of_its_updates(incident):
    with incident.transaction():
        [rid] = records.add_reports(incident, [report(lon=130.7, lat=32.8, category="fire")])
    first = query.report(incident, rid)
    with incident.transaction():
        records.update_report(incident, rid, status="verified", category="flooding")
        records.update_report(incident, rid, category="fire,flooding", lon=130.8)
    rebuilt = query.report(incident, rid)
    updates = incident.conn.execute(
        "SELECT prior FROM changes WHERE row_id = ? AND op = 'update' ORDER BY seq DESC", (rid,)
    )
    for (prior,) in updates:
        rebuilt.update(json.loads(prior))
    derived = ("muni_code", "municipality")  # from the position, on each device
    assert {k: v for k, v in rebuilt.items() if k not in derived} == {
        k: v for k, v in first.items() if k not in derived
    }
    [(data,)] = incident.conn.execute("SELECT data FROM changes WHERE op = 'insert'")
    assert data is None  # an insert is not copied into the log: the row holds it


def test_a_failed_transaction_leaves_no_row_index_or_change(incident):
    with pytest.raises(sqlite3.IntegrityError), incident.transaction():
        records.add_reports(
            incident, [report(id="same", lon=1.0, lat=2.0), report(id="same", lon=1.0, lat=2.0)]
        )
    counts = [
        incident.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("reports", "reports_rtree", "reports_fts", "changes")
    ]
    assert counts == [0, 0, 0, 0]


def test_indexes_follow_moves_text_edits_and_deletions(incident):
    with incident.transaction():
        [rid] = records.add_reports(incident, [report(lon=130.7, lat=32.8, text="断水が続く")])
        records.update_report(incident, rid, lon=139.7, lat=35.7, text="停電しています")
    near_tokyo = query.ReportFilter(bbox=(139.0, 35.0, 140.0, 36.0))
    assert [r["id"] for r in query.reports(incident, near_tokyo)] == [rid]
    assert query.count_reports(incident, query.ReportFilter(bbox=(130, 32, 131, 33))) == 0
    assert query.count_reports(incident, query.ReportFilter(search="停電しています")) == 1
    assert query.count_reports(incident, query.ReportFilter(search="断水が続く")) == 0
    with incident.transaction():
        records.delete_report(incident, rid)
    assert query.count_reports(incident, near_tokyo) == 0
    assert (
        incident.conn.execute(
            "SELECT count(*) FROM reports_fts WHERE reports_fts MATCH '\"停電し\"'"
        ).fetchone()[0]
        == 0
    )


def test_unknown_status_is_refused(incident):
    with incident.transaction():
        [rid] = records.add_reports(incident, [report()])
    with pytest.raises(GspaceError, match="unknown status 'done'"):
        records.update_report(incident, rid, status="done")


def test_a_version_1_store_is_migrated_on_open_and_its_rows_indexed(tmp_path):
    folder = tmp_path / "old"
    (folder / "media").mkdir(parents=True)
    db = sqlite_utils.Database(folder / "store.sqlite")
    migrate(db, to=1)
    db["reports"].insert(
        {
            "rid": 1,
            "id": "r1",
            "kind": "sns",
            "status": "new",
            "lon": 130.7,
            "lat": 32.8,
            "text": "橋が落ちています",
            "deleted": 0,
        }
    )
    db.close()
    with Incident.open(folder) as inc:
        version = inc.conn.execute("SELECT value FROM meta WHERE key='schema_version'")
        assert int(version.fetchone()[0]) == SCHEMA_VERSION
        assert query.count_reports(inc, query.ReportFilter(bbox=(130, 32, 131, 33))) == 1
        assert query.count_reports(inc, query.ReportFilter(search="橋が落ち")) == 1


def test_bulk_insert_crosses_batches_with_consistent_keys(incident):
    rows = [report(lon=130 + i * 1e-4, lat=32.0, text=f"報告{i:05d}") for i in range(12_001)]
    with incident.transaction():
        ids = records.add_reports(incident, rows)
    assert len(set(ids)) == 12_001
    assert incident.conn.execute("SELECT count(*) FROM reports_rtree").fetchone()[0] == 12_001
    assert query.count_reports(incident, query.ReportFilter(search="報告12000")) == 1
    assert incident.conn.execute("SELECT count(*) FROM changes").fetchone()[0] == 12_001


def test_features_keep_geometry_status_and_a_bounding_box(incident):
    line = {"type": "LineString", "coordinates": [[130.0, 32.0], [131.0, 33.0]]}
    with incident.transaction():
        layer = records.add_layer(incident, "generic", "通行止め", "test")
        [fid] = records.add_features(
            incident,
            layer,
            "generic",
            [{"name": "国道57号", "geometry": line, "status": "unknown"}],
        )
        records.update_feature(incident, fid, status="closed", note="崩落")
    [feature] = query.features(incident, bbox=(130.9, 32.9, 131.5, 33.5))
    assert feature["geometry"] == line and feature["status"] == "closed"
    assert (feature["lon"], feature["lat"]) == (130.5, 32.5)
    assert [op for _, _, op, _ in changes(incident)] == ["insert", "insert", "update"]
