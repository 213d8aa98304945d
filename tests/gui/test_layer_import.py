"""A reference layer through the window: the import dialog, then markers on the map."""

import re

import pytest
from helpers import accept_message_box, run_js

SHELTERS = "122033_103_evacuation_space.csv"  # Ichikawa City, CP932, 121 sites


@pytest.fixture
def shelters_csv(fixtures):
    return fixtures / "layers" / SHELTERS


def test_a_cp932_shelter_csv_imported_through_the_dialog_shows_on_the_map(
    tmp_path, shelters_csv, open_main_window, qtbot
):
    from gspace.demo import make_demo

    make_demo(tmp_path / "demo").close()
    window = open_main_window(tmp_path / "demo")
    before = run_js(qtbot, window.map, "gspace.layers.features._ids.length")
    dialog = window.files.layer_dialog(shelters_csv)
    form = dialog.form
    assert "cp932" in form.encodingLabel.text()
    assert dialog.kind == "shelter"
    name_column = [
        form.previewTable.horizontalHeaderItem(c).text()
        for c in range(form.previewTable.columnCount())
    ].index("名称")
    assert form.previewTable.item(0, name_column).text() == "県立国分高校"
    mapping = dialog.mapping()
    assert (mapping["name"], mapping["lat"], mapping["lon"]) == ("名称", "緯度", "経度")
    window.files.start_layer_import(shelters_csv, dialog.choices())
    assert accept_message_box(qtbot) == "shelter: 121 added, 0 updated, 0 unchanged, 0 skipped"
    qtbot.waitUntil(
        lambda: run_js(qtbot, window.map, "gspace.layers.features._ids.length") == before + 121
    )
    assert window.layers.item_for("feature:shelter").text(1) == str(28 + 121)


def test_a_shelters_status_is_set_from_the_map_and_its_marker_changes_colour(
    demo_path, open_main_window, qtbot
):

    from gspace.store import query

    window = open_main_window(demo_path)
    shelter = next(f for f in window.features if f["kind"] == "shelter" and f["status"] == "open")
    window._map_clicked(shelter["id"])  # what a click on its marker does
    panel = window.detail.situation
    assert panel.isVisible()
    status = panel.editors["status"]
    assert [status.itemData(i) for i in range(status.count())] == [
        "not_opened",
        "open",
        "full",
        "closed",
        "unknown",
    ]
    status.setCurrentIndex(status.findData("full"))
    status.activated.emit(status.currentIndex())
    panel.editors["note"].setText("残り0人分")
    panel.editors["note"].editingFinished.emit()
    saved = next(f for f in query.features(window.incident) if f["id"] == shelter["id"])
    assert (saved["status"], saved["note"]) == ("full", "残り0人分")
    logged = window.incident.conn.execute(
        "SELECT data FROM changes WHERE row_id = ? AND op = 'update'", (shelter["id"],)
    ).fetchone()
    assert '"full"' in logged[0]
    fill = run_js(
        qtbot,
        window.map,
        f"""(() => {{ const l = gspace.layers.features;
        return l._styles[l._style[l._index.get('{shelter["id"]}')]].fill; }})()""",
    )
    assert fill == "#ef6c00"  # the shelter kind's colour for "full"


def test_a_report_shows_its_nearest_open_shelter_water_point_and_wifi(demo_path, open_main_window):
    window = open_main_window(demo_path)
    report = next(r for r in window.rows if r["lon"] is not None)
    window._list_selected(report["id"])
    lines = window.detail.values["nearest"].text().splitlines()
    assert [line.split(":")[0] for line in lines] == ["Shelters", "Water supply", "Free Wi-Fi"]
    assert all(line.endswith((" m", " km")) for line in lines[1:])
    # the nearest shelter is one with room, and says how much (demo shelters have a capacity)
    shelter, free = re.fullmatch(
        r"Shelters: (.+) — [\d.]+ k?m \(Free places (\d+)\)", lines[0]
    ).groups()
    named = [f for f in window.features if f["name"] == shelter and f["status"] == "open"]
    assert int(free) > 0 and any(
        int(free) == f["attributes"]["capacity"] - f["attributes"]["evacuees"] for f in named
    )


def test_a_reimport_goes_into_the_layer_of_the_same_file_and_a_nameless_file_is_flagged(
    tmp_path, shelters_csv, open_main_window, qtbot
):
    from gspace.demo import make_demo
    from gspace.ingest.layers import layers_of

    make_demo(tmp_path / "demo").close()
    window = open_main_window(tmp_path / "demo")
    dialog = window.files.layer_dialog(shelters_csv)
    assert dialog.intoBox.currentData() == SHELTERS  # a new layer named after the file
    assert dialog.nameWarning.isHidden()
    window.files.start_layer_import(shelters_csv, dialog.choices())
    accept_message_box(qtbot)
    [layer] = [x for x in layers_of(window.incident, "shelter") if x["name"] == SHELTERS]
    again = window.files.layer_dialog(shelters_csv)
    assert again.intoBox.currentData() == layer["id"]  # the same dataset: its own layer
    assert again.intoBox.currentText() == f"{SHELTERS} (121 features)"
    imported = next(f for f in window.features if f["attributes"].get("_sources"))
    window._map_clicked(imported["id"])
    assert window.detail.values["source"].text() == SHELTERS
    window.files.start_layer_import(shelters_csv, again.choices())
    assert accept_message_box(qtbot) == "shelter: 0 added, 0 updated, 121 unchanged, 0 skipped"
    # the name column left unchosen: the preview says so before anything is imported
    row = [
        again.form.mappingTable.item(i, 0).text() for i in range(again.form.mappingTable.rowCount())
    ]
    again.form.mappingTable.cellWidget(row.index("name"), 1).setCurrentIndex(0)
    assert again.nameWarning.isVisibleTo(again.form)
    assert "No column holds the names" in again.nameWarning.text()


def test_a_shelters_capacity_is_stored_as_a_number_from_the_panel(
    demo_path, open_main_window, qtbot
):

    from gspace.store import query

    window = open_main_window(demo_path)
    shelter = next(f for f in window.features if f["kind"] == "shelter")
    window._map_clicked(shelter["id"])
    panel = window.detail.situation
    capacity = panel.editors["capacity"]
    capacity.setText("abc")
    capacity.editingFinished.emit()
    assert panel.problem.text() == "capacity takes a whole number, not 'abc'"
    stored = next(f for f in query.features(window.incident) if f["id"] == shelter["id"])
    assert stored["attributes"] == shelter["attributes"]  # nothing saved
    capacity.setText("１,２００")
    capacity.editingFinished.emit()
    stored = next(f for f in query.features(window.incident) if f["id"] == shelter["id"])
    assert stored["attributes"]["capacity"] == 1200
