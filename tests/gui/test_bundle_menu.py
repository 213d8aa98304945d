"""File → Export bundle… / Import bundle… and a .gsb dropped on the window: the real bundle
core in the background, between real incident folders (three laptops that changed one report's
status while apart, tests/conflict_laptops.py)."""

from conflict_laptops import three_laptops
from helpers import drop
from PySide6.QtCore import QMimeData, QPoint, QUrl

from gspace.store import query
from gspace.store.incident import Incident
from gspace.sync.bundle import export_bundle, import_bundle


def drop_files(window, paths) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    drop(window, mime, QPoint(700, 450))


def test_a_dropped_bundle_is_merged_and_its_conflict_shown(
    demo_template, tmp_path, open_main_window, qtbot
):
    folders, report_id = three_laptops(demo_template, tmp_path)
    with Incident.open(folders[0]) as inc:
        export_bundle(inc, tmp_path / "laptop-1.gsb")
    window = open_main_window(folders[1])
    assert not window.conflicts.indicator.isVisible()
    assert query.report(window.incident, report_id)["status"] == "actioned"
    drop_files(window, [tmp_path / "laptop-1.gsb"])
    [job] = window.files.imports
    with qtbot.waitSignal(job.done, timeout=60_000) as done:
        pass
    summary = done.args[0]
    assert summary.counts.get("conflict", 0) >= 1
    text = job.summary_box.text()
    assert f"{summary.counts['applied']} change(s) applied" in text
    assert "conflict(s) to settle" in text and "View → Conflicts" in text
    # the window read everything again: the conflict is there, and the status bar says so
    qtbot.waitUntil(lambda: window.conflicts.indicator.isVisible())
    assert window.conflicts.indicator.text() == "conflicts: 1"
    [conflict] = window.conflicts.conflicts
    assert conflict.row_id == report_id and [c.value for c in conflict.choices] == [
        "verified",
        "actioned",
    ]
    # an edit made now is later than everything the bundle brought
    last = window.incident.conn.execute("SELECT max(hlc) FROM changes").fetchone()[0]
    assert window.incident.clock.now() > last
    # dropping the same bundle again changes nothing
    drop_files(window, [tmp_path / "laptop-1.gsb"])
    [again] = window.files.imports
    with qtbot.waitSignal(again.done, timeout=60_000) as second:
        pass
    assert second.args[0].counts.get("applied", 0) == 0
    assert "0 change(s) applied" in again.summary_box.text()


def test_file_menu_exports_a_bundle_another_laptop_imports(
    demo_template, tmp_path, open_main_window, qtbot
):
    folders, report_id = three_laptops(demo_template, tmp_path)
    window = open_main_window(folders[2])
    menu = [a.text() for a in window.file_menu.actions()]
    assert "Export &bundle…" in menu and "Import b&undle…" in menu
    out = tmp_path / "usb" / "laptop-3.gsb"
    out.parent.mkdir()
    job = window.bundles.export(out)
    with qtbot.waitSignal(job.done, timeout=60_000) as done:
        pass
    assert done.args[0].entries > 0 and out.stat().st_size > 0
    assert "change(s) written" in job.summary_box.text()
    with Incident.open(folders[0]) as inc:
        summary = import_bundle(inc, out)
        assert summary.counts.get("conflict", 0) >= 1
        status = inc.conn.execute(
            "SELECT status FROM reports WHERE id = ?", (report_id,)
        ).fetchone()[0]
    assert status == "rejected"  # laptop 3's change is the latest
