"""`gspace report set`: triage from the command line, through the real entry point, on a copy
of the demo incident; what it wrote is read back with `gspace reports` and the change log."""

import getpass
import json
import sqlite3

import pytest
from helpers import run_gspace, tree_digest


def reports_by_ref(folder):
    result = run_gspace("reports", folder, "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    return {r["ref"]: r for r in map(json.loads, result.stdout.splitlines())}


def stored_note(folder, report_id):
    conn = sqlite3.connect(folder / "store.sqlite")
    try:
        return conn.execute("SELECT note FROM reports WHERE id = ?", (report_id,)).fetchone()[0]
    finally:
        conn.close()


def change_count(folder):
    conn = sqlite3.connect(folder / "store.sqlite")
    try:
        return conn.execute("SELECT count(*) FROM changes").fetchone()[0]
    finally:
        conn.close()


def test_report_set_changes_the_report_through_the_change_log(demo_path):
    before = reports_by_ref(demo_path)
    ref, report = next((r, v) for r, v in before.items() if v["status"] == "new")
    result = run_gspace(
        "report",
        "set",
        demo_path,
        ref.lower().replace("-", ""),  # typed loosely
        "--status",
        "verified",
        "--category",
        "rescue, fire,rescue",
        "--severity",
        "high",
        "--note",
        "現地確認 (消防)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == (
        f"{ref} ({report['text'][:30]}): category, note, severity, status changed"
    )
    after = reports_by_ref(demo_path)
    changed = after[ref]
    assert (changed["status"], changed["category"], changed["severity"]) == (
        "verified",
        "rescue,fire",
        "high",
    )
    assert stored_note(demo_path, report["id"]) == "現地確認 (消防)"  # not in exports
    # nothing else moved: every other report is as it was
    assert {r: v for r, v in after.items() if r != ref} == {
        r: v for r, v in before.items() if r != ref
    }
    conn = sqlite3.connect(demo_path / "store.sqlite")
    actor, op, data, prior = conn.execute(
        "SELECT actor, op, data, prior FROM changes WHERE row_id = ? ORDER BY seq DESC",
        (report["id"],),
    ).fetchone()
    conn.close()
    assert (actor, op) == (getpass.getuser(), "update")
    assert json.loads(data)["status"] == "verified"
    assert json.loads(prior)["status"] == "new"

    # the same values again change nothing and log nothing
    logged = change_count(demo_path)
    again = run_gspace("report", "set", demo_path, ref, "--status", "verified")
    assert again.returncode == 0 and again.stderr.strip().endswith(": nothing changed")
    assert change_count(demo_path) == logged

    # "" removes a category, severity or note
    cleared = run_gspace(
        "report", "set", demo_path, ref, "--category", "", "--severity", "", "--note", ""
    )
    assert cleared.returncode == 0, cleared.stderr
    row = reports_by_ref(demo_path)[ref]
    assert (row["category"], row["severity"], stored_note(demo_path, report["id"])) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    "option, value, english, japanese",
    [
        ("--status", "done", "unknown status 'done'; use one of new, verified", "状態 'done'"),
        ("--severity", "urgent", "unknown severity 'urgent'; use one of low", "重要度 'urgent'"),
        ("--category", "rescue,fir", "unknown category 'fir'; use one or more", "分類 'fir'"),
    ],
)
def test_a_bad_value_is_refused_in_the_users_language_and_changes_nothing(
    demo_path, option, value, english, japanese
):
    ref = next(iter(reports_by_ref(demo_path)))
    digest = tree_digest(demo_path)
    for lang, words in (("C.UTF-8", english), ("ja_JP.UTF-8", japanese)):
        result = run_gspace(
            "report", "set", demo_path, ref, option, value, env={"LANG": lang, "LC_ALL": ""}
        )
        assert result.returncode == 2, result.stderr
        assert words in result.stderr and option in result.stderr
        assert "Traceback" not in result.stderr
    assert tree_digest(demo_path) == digest


def test_report_set_needs_a_value_and_a_report_that_exists(demo_path):
    ref = next(iter(reports_by_ref(demo_path)))
    digest = tree_digest(demo_path)
    nothing = run_gspace("report", "set", demo_path, ref)
    assert nothing.returncode == 2
    assert "give at least one of --status, --category, --severity, --note" in nothing.stderr
    missing = run_gspace("report", "set", demo_path, "0000-0000-0000", "--status", "verified")
    assert missing.returncode == 1
    assert missing.stderr.strip() == "gspace: no report with id or reference '0000-0000-0000'"
    malformed = run_gspace("report", "set", demo_path, "report #1", "--status", "verified")
    assert malformed.returncode == 2 and "is not an id or a reference" in malformed.stderr
    assert tree_digest(demo_path) == digest
