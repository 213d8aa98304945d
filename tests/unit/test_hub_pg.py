"""The in-process hub tests again, with the hub's state in PostgreSQL (issue 17: `hub serve
--db postgresql://…`): the same tests, imported from their modules, with a `hub` fixture that
runs on a new database of the session's throw-away cluster (tests/pg_cluster.py). Then what
only PostgreSQL has: versioned migrations, two hub states (as two processes) on one database
and one folder sharing the log, the clock and the tokens, and a replica that missed a commit
catching up."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
import test_hub_analyst
import test_hub_security
import test_hub_sync
import test_hub_volunteer
from hub_helpers import Hub
from hypothesis import given
from sync_histories import histories, replayable
from test_hub_analyst import test_an_analyst_verifies_and_settles_on_the_hub_and_the_laptops_follow
from test_hub_convergence import play_over_hub, template_dir
from test_hub_security import (
    INCIDENT,
    test_every_operation_lets_its_roles_in,
    test_every_operation_refuses_a_missing_revoked_or_expired_token_and_other_roles,
)
from test_hub_sync import (
    add_report,
    laptop,
    status,
    test_a_laptop_six_hours_fast_is_restamped_and_cannot_beat_a_newer_edit,
    test_a_resent_batch_and_a_repeated_pull_change_nothing,
    test_a_resumed_upload_sends_only_the_missing_bytes,
    test_an_entry_the_hub_refuses_stays_queued_with_its_reason,
    test_an_update_before_its_row_is_held_on_the_hub_until_the_row_comes,
    test_bytes_that_do_not_match_the_hash_are_refused_and_dropped,
    test_two_laptops_share_reports_and_photos_and_the_token_name_is_the_actor,
)
from test_hub_volunteer import (
    test_a_dead_link_shows_a_page_saying_why_and_never_a_form,
    test_a_flood_from_one_phone_is_cut_off_and_others_go_on,
    test_a_report_with_photos_reaches_a_laptop_at_its_next_sync,
    test_a_retry_answers_the_same_receipt_and_two_phones_make_two_reports,
    test_each_phone_gets_its_own_token_up_to_the_devices_cap,
    test_revoking_with_phones_stops_the_phones_that_joined,
    test_wrong_or_revoked_tokens_and_another_incident_are_refused,
)

from gspace.hub.pg_schema import LATEST
from gspace.hub.pg_state import CURSOR, PgHubState
from gspace.store import records
from gspace.sync.conflicts import list_conflicts
from gspace.sync.dump import canonical_dump

IMPORTED = [  # run here on PostgreSQL (pytest collects them in this module, with its `hub`)
    test_an_analyst_verifies_and_settles_on_the_hub_and_the_laptops_follow,
    test_every_operation_lets_its_roles_in,
    test_every_operation_refuses_a_missing_revoked_or_expired_token_and_other_roles,
    test_a_laptop_six_hours_fast_is_restamped_and_cannot_beat_a_newer_edit,
    test_a_resent_batch_and_a_repeated_pull_change_nothing,
    test_a_resumed_upload_sends_only_the_missing_bytes,
    test_an_entry_the_hub_refuses_stays_queued_with_its_reason,
    test_an_update_before_its_row_is_held_on_the_hub_until_the_row_comes,
    test_bytes_that_do_not_match_the_hash_are_refused_and_dropped,
    test_two_laptops_share_reports_and_photos_and_the_token_name_is_the_actor,
]
VOLUNTEER = [  # join, submit, retry = the same receipt, a flood cut off, another incident refused
    test_a_dead_link_shows_a_page_saying_why_and_never_a_form,
    test_a_flood_from_one_phone_is_cut_off_and_others_go_on,
    test_a_report_with_photos_reaches_a_laptop_at_its_next_sync,
    test_a_retry_answers_the_same_receipt_and_two_phones_make_two_reports,
    test_each_phone_gets_its_own_token_up_to_the_devices_cap,
    test_revoking_with_phones_stops_the_phones_that_joined,
    test_wrong_or_revoked_tokens_and_another_incident_are_refused,
]
assert {f.__module__ for f in VOLUNTEER} == {test_hub_volunteer.__name__}
assert {f.__module__ for f in IMPORTED} == {
    test_hub_analyst.__name__,
    test_hub_security.__name__,
    test_hub_sync.__name__,
}
EXAMPLES = 20
_ = template_dir  # the convergence test's fixture, used here too


@pytest.fixture
def hub(request, tmp_path, pg_cluster):
    if request.function in (
        test_every_operation_lets_its_roles_in,
        test_every_operation_refuses_a_missing_revoked_or_expired_token_and_other_roles,
    ):
        h = request.getfixturevalue("security_hub")
        yield h
        return
    h = Hub(tmp_path / "hub", db=pg_cluster.new_database())
    if request.function in VOLUNTEER:  # the volunteer tests' own fixture, on PostgreSQL
        h.state.create(test_hub_volunteer.INCIDENT, "test")
        h.state.create(test_hub_volunteer.OTHER, "test")
    yield h
    h.close()


@pytest.fixture(scope="module")
def security_hub(tmp_path_factory, pg_cluster):
    h = Hub(tmp_path_factory.mktemp("hub"), fail_limit=1_000_000, db=pg_cluster.new_database())
    h.state.create(INCIDENT, "test")
    h.state.create("別の事案", "test")
    yield h
    h.close()


def test_the_schema_is_migrated_once_and_a_newer_one_is_refused(tmp_path, pg_url):
    import psycopg

    from gspace.errors import GspaceError

    first = PgHubState(tmp_path / "a", pg_url)
    second = PgHubState(tmp_path / "b", pg_url)  # the second process finds it migrated
    try:
        assert first.origin == second.origin  # one hub, one origin id, whatever the process
        with psycopg.connect(pg_url, autocommit=True) as conn:
            rows = conn.execute("SELECT version FROM schema_version").fetchall()
            assert rows == [(v,) for v in range(1, LATEST + 1)]
            conn.execute("INSERT INTO schema_version VALUES (%s)", (LATEST + 1,))
        with pytest.raises(GspaceError, match="newer gspace"):
            PgHubState(tmp_path / "c", pg_url)
    finally:
        first.close()
        second.close()


def test_two_hub_processes_on_one_database_share_everything(tmp_path, pg_url):
    one = Hub(tmp_path / "hub", db=pg_url)
    two = Hub(tmp_path / "hub", db=pg_url)  # the same folder: its own replica
    try:
        assert one.state.replica_dir != two.state.replica_dir
        a, b = laptop(tmp_path, 0), laptop(tmp_path, 1)
        token_a = one.token(name="田中")
        token_b = two.token(name="佐藤")  # made by one process, known to the other
        rid = add_report(a, "道路冠水")
        one.sync(a, token_a)
        two.sync(b, token_b)  # the entries pushed to one are pulled from two
        assert status(b, rid) == "new"
        with b.transaction():
            records.update_report(b, rid, status="verified")
        two.sync(b, token_b)
        one.sync(a, token_a)
        assert status(a, rid) == "verified"
        dumps = {canonical_dump(x) for x in (a, b, one.incident(), two.incident())}
        assert len(dumps) == 1
        stamps = [one.state.now(), two.state.now(), one.state.now()]
        assert stamps == sorted(stamps) and len(set(stamps)) == 3  # one clock for both
    finally:
        one.close()
        two.close()


def test_a_replica_that_missed_its_commit_catches_up_from_the_log(tmp_path, pg_url):
    hub = Hub(tmp_path / "hub", db=pg_url)
    try:
        a, b = laptop(tmp_path, 0), laptop(tmp_path, 1)
        token = hub.token()
        add_report(a, "一件目")
        hub.sync(a, token)
        replica = hub.incident()
        before = sqlite3.connect(":memory:")
        replica.conn.backup(before)
        add_report(a, "二件目")
        hub.sync(a, token)
        before.backup(replica.conn)  # the replica as if it had died before its own commit
        assert replica.conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
        hub.sync(b, token)
        assert b.conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 2
        assert canonical_dump(hub.incident()) == canonical_dump(a) == canonical_dump(b)
        assert (
            int(
                replica.conn.execute("SELECT value FROM meta WHERE key = ?", (CURSOR,)).fetchone()[
                    0
                ]
            )
            == 2
        )
    finally:
        hub.close()


@replayable(EXAMPLES)
@given(history=histories())
def test_laptops_syncing_through_a_hub_on_postgresql_converge(template_dir, pg_cluster, history):
    url = pg_cluster.new_database()
    with tempfile.TemporaryDirectory() as folder:
        played, hub, _ = play_over_hub(Path(folder), template_dir, history, db=url)
        try:
            devices = [*played.devices, hub.incident()]
            dumps = [canonical_dump(inc) for inc in devices]
            assert dumps[0] == dumps[1] == dumps[2] == dumps[3]
            listed = [[c.id for c in list_conflicts(inc, include_settled=True)] for inc in devices]
            assert listed[0] == listed[1] == listed[2] == listed[3]
        finally:
            for inc in played.devices:
                inc.close()
            hub.close()


def test_an_incident_opened_again_inside_its_own_write_joins_it(tmp_path, pg_url):
    hub = Hub(tmp_path / "hub", db=pg_url)
    try:
        hub.state.create(INCIDENT, "test")
        with hub.state.incident(INCIDENT, actor="外") as outer:
            with hub.state.incident(INCIDENT, actor="内") as inner:
                assert inner is outer and inner.actor == "内"
                with inner.transaction():
                    [rid] = records.add_reports(
                        inner, [{"kind": "manual", "lon": 130.7, "lat": 32.8, "text": "入れ子"}]
                    )
            assert outer.actor == "外"
        page = hub.state.pull(INCIDENT, 0, 10)
        assert [e["entry"]["row_id"] for e in page["entries"]] == [rid]
        assert page["entries"][0]["entry"]["actor"] == "内"
    finally:
        hub.close()


def test_a_laptop_syncing_again_is_not_taken_for_a_restore_when_the_hub_has_other_incidents(
    tmp_path, pg_url
):
    """The shared log's hseq counts every incident's entries: a laptop's pull cursor (an hseq)
    is compared with its incident's newest hseq. Compared with the replica's own seq, as it
    was, every sync after the first looked like a restored hub: the laptop sent all it holds
    again, pulled from 0 and was told the hub had been restored."""
    hub = Hub(tmp_path / "hub", db=pg_url)
    try:
        other, mine = laptop(tmp_path, 0), laptop(tmp_path, 1)
        for i in range(5):
            add_report(other, f"別の事案{i}")
        hub.sync(other, hub.token(incident="別の事案"), "別の事案")
        token = hub.token()
        add_report(mine, "一件目")
        assert hub.sync(mine, token).sent == 1
        add_report(mine, "二件目")
        again = hub.sync(mine, token)
        assert (again.hub_restored, again.sent, again.received) == (False, 1, 0)
        quiet = hub.sync(mine, token)
        assert (quiet.hub_restored, quiet.sent, quiet.received) == (False, 0, 0)
        r = hub.client().get(
            "/v1/incidents/熊本豪雨/epoch", headers={"Authorization": f"Bearer {token}"}
        )
        assert r.json()["last"] == hub.state.pull("熊本豪雨", 0, 10)["last"]
    finally:
        hub.close()
