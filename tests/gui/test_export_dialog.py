"""File → Export: the form, then an export of exactly what the window shows."""

import json

from helpers import accept_message_box

from gspace.model import categories_of
from gspace.store import query


def test_export_dialog_follows_the_format_and_file_name(demo_path, open_main_window, tmp_path):
    from gspace.gui.export_dialog import ExportDialog

    window = open_main_window(demo_path)
    dialog = ExportDialog(window, "熊本 地震", 300, tmp_path)
    form = dialog.form
    assert dialog.path.suffix == ".html" and dialog.path.parent == tmp_path
    form.formatBox.setCurrentIndex(form.formatBox.findData(".pdf"))
    assert dialog.path.suffix == ".pdf" and form.paperBox.isEnabled()
    form.fileEdit.setText(str(tmp_path / "map.gpkg"))
    assert form.formatBox.currentData() == ".gpkg" and not form.paperBox.isEnabled()
    assert "300 report" in form.scopeValue.text()
    assert dialog.choices()["title"] == "熊本 地震"


def test_export_writes_the_categories_and_layers_the_window_shows(
    demo_path, open_main_window, qtbot, tmp_path
):
    from PySide6.QtCore import Qt

    window = open_main_window(demo_path)
    for group in ("category:rescue", "category:fire", "feature:wifi", "report:manual"):
        window.layers.item_for(group).setCheckState(0, Qt.CheckState.Unchecked)
    out = tmp_path / "shown.geojson"
    choices = {"out": out, "title": "", "profile": "internal", "paper": "a3"}
    window.files.export(choices)
    assert accept_message_box(qtbot).startswith(f"Wrote {out}: ")
    written = [f["properties"] for f in json.loads(out.read_text("utf-8"))["features"]]
    shown = [
        r
        for r in window.rows
        if r["kind"] != "manual" and not {"rescue", "fire"}.issuperset(categories_of(r["category"]))
    ]
    assert sorted(p["id"] for p in written) == sorted(r["id"] for r in shown)
    assert sorted(r["id"] for r in window.reports.source.rows) == sorted(r["id"] for r in shown)
    for p in written:
        assert not {"rescue", "fire"}.issuperset(categories_of(p["category"]))
    assert {p["kind"] for p in written} == {"photo", "sns"}
    # the GeoPackage carries the ticked reference layers only
    gpkg = tmp_path / "shown.gpkg"
    window.files.export({**choices, "out": gpkg})
    accept_message_box(qtbot)
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(gpkg)}
    assert "wifi" not in layers and {"shelter", "water"} <= layers
    assert query.count_reports(window.incident, window.current_filter()) == len(written)


def test_export_summary_counts_the_reports_far_outside_the_map(
    demo_path, open_main_window, qtbot, tmp_path
):
    from export_incident import add_far_reports

    added = add_far_reports(demo_path)
    window = open_main_window(demo_path)
    out = tmp_path / "map.html"
    window.files.export({"out": out, "title": "", "profile": "internal", "paper": "a3"})
    message = accept_message_box(qtbot)
    assert message.startswith(f"Wrote {out}: ")
    assert f"{added} reports lie far outside the map's area." in message


def test_export_summary_counts_the_reports_left_out_of_a_kml(
    demo_path, open_main_window, qtbot, tmp_path
):
    import zipfile

    window = open_main_window(demo_path)
    unlocated = sum(1 for r in window.rows if r["lat"] is None)
    assert unlocated  # the demo has reports that still need a location
    for suffix in (".kml", ".kmz"):
        out = tmp_path / f"map{suffix}"
        window.files.export({"out": out, "title": "", "profile": "internal", "paper": "a3"})
        message = accept_message_box(qtbot)
        written = len(window.rows) - unlocated
        assert message.startswith(f"Wrote {out}: {written} reports, ")
        assert f"{unlocated} reports had no location and were left out." in message
        kml = out.read_bytes() if suffix == ".kml" else zipfile.ZipFile(out).read("doc.kml")
        assert kml.count(b"<Placemark") >= written
    # a GeoJSON writes every report: nothing to say
    out = tmp_path / "all.geojson"
    window.files.export({"out": out, "title": "", "profile": "internal", "paper": "a3"})
    assert "no location" not in accept_message_box(qtbot)
