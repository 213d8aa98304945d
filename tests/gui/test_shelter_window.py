"""Shelter operations in the window: the situation edited from the detail panel and undone, the
HQ overview's totals and stale flags, the map's occupancy colours and urgent-need badges, the
nearest shelters with room."""

from collections import Counter
from datetime import datetime, timedelta

from helpers import run_js
from PySide6.QtCore import Qt

from gspace import shelters
from gspace.gui.shelter_map import FULL_COLOR, OCCUPANCY_BANDS, occupancy_color
from gspace.gui.shelters_dock import COLUMNS, ID_ROLE, STALE_COLOR
from gspace.nearest import distance_text
from gspace.store import query


def stored(window, feature_id):
    return query.feature(window.incident, feature_id)


def page_style(qtbot, window, feature_id):
    """The style the map page holds for a feature's point."""
    return run_js(
        qtbot,
        window.map,
        f"""(() => {{ const l = gspace.layers.features;
        return l._styles[l._style[l._index.get('{feature_id}')]]; }})()""",
    )


def totals_line(window):
    """The overview's line for the whole incident: open, evacuees, free places."""
    item = window.shelters.dock.totals.topLevelItem(0)
    return [int(item.text(c)) for c in (1, 2, 3)]


def type_into(editor, text):
    editor.setText(text)
    editor.editingFinished.emit()


def an_open_shelter(window):
    return next(
        f
        for f in window.features
        if f["kind"] == "shelter" and f["status"] == "open" and f["attributes"].get("capacity")
    )


def test_a_situation_edited_in_the_panel_is_stored_totalled_drawn_and_undone(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    window.shelters.occupancy_action.setChecked(True)
    shelter = an_open_shelter(window)
    capacity = shelter["attributes"]["capacity"]
    open_count, evacuees, free = totals_line(window)
    window._map_clicked(shelter["id"])  # what a click on its marker does
    panel = window.detail.situation
    assert panel.isVisible()
    assert run_js(qtbot, window.map, "1") == 1
    before = page_style(qtbot, window, shelter["id"])
    assert before["fill"] == occupancy_color(window.shelters.states[shelter["id"]])

    evacuees_now = capacity * 9 // 10  # 90 %: orange
    type_into(panel.editors["evacuees"], f"{evacuees_now:,}")  # "630" or "1,260" as typed
    saved = stored(window, shelter["id"])
    assert saved["attributes"]["evacuees"] == evacuees_now
    assert saved["attributes"]["reported_at"]  # the time of the last report: now
    # shown in the incident's zone, to the minute, and set by the edits, not typed
    shown = panel.editors["reported_at"]
    when = datetime.fromisoformat(saved["attributes"]["reported_at"])
    local = when.astimezone(window.incident.timezone)
    assert shown.text() == local.strftime("%Y-%m-%d %H:%M %Z")  # not "...T12:27:03+09:00"
    assert shown.isReadOnly()
    added = evacuees_now - (shelter["attributes"].get("evacuees") or 0)
    assert totals_line(window) == [open_count, evacuees + added, free - added]
    qtbot.waitUntil(
        lambda: page_style(qtbot, window, shelter["id"])["fill"] == OCCUPANCY_BANDS[2][1]
    )
    panel.editors["need_water"].setCurrentIndex(panel.editors["need_water"].findData("urgent"))
    panel.editors["need_water"].activated.emit(0)
    assert stored(window, shelter["id"])["attributes"]["need_water"] == "urgent"
    qtbot.waitUntil(lambda: page_style(qtbot, window, shelter["id"]).get("badge") is True)
    row = window.shelters.dock.model.position[shelter["id"]]
    needs = window.shelters.dock.model.index(row, COLUMNS.index("needs")).data()
    assert needs.startswith("Water!")  # urgent ones first
    # the panel's own values follow, and the chart has the new count
    assert window.detail.situation.editors["evacuees"].text() == str(evacuees_now)
    assert window.detail.situation.chart.points[-1][1] == evacuees_now

    assert window.review.undo_action.text() == f"Undo Change the situation of {shelter['name']}"
    window.review.undo_action.trigger()  # the need
    window.review.undo_action.trigger()  # the evacuees
    back = stored(window, shelter["id"])
    assert back["attributes"] == shelter["attributes"]  # as it was, reported_at too
    assert totals_line(window) == [open_count, evacuees, free]
    qtbot.waitUntil(lambda: page_style(qtbot, window, shelter["id"]) == before)
    window.review.redo_action.trigger()
    assert stored(window, shelter["id"])["attributes"]["evacuees"] == evacuees_now
    # every write, the undo included, went through the change log
    logged = window.incident.conn.execute(
        "SELECT count(*) FROM changes WHERE row_id = ? AND op = 'update'", (shelter["id"],)
    ).fetchone()[0]
    assert logged == 5
    assert window.map.page().errors == []


def test_a_value_that_does_not_fit_is_refused_in_the_panel(demo_path, open_main_window):
    window = open_main_window(demo_path)
    shelter = an_open_shelter(window)
    window._map_clicked(shelter["id"])
    panel = window.detail.situation
    type_into(panel.editors["evacuees"], "abc")
    assert panel.problem.text() == "evacuees takes a whole number, not 'abc'"
    assert stored(window, shelter["id"])["attributes"] == shelter["attributes"]
    assert window.review.stack.count() == 0
    panel.editors["status"].setCurrentIndex(panel.editors["status"].findData("full"))
    panel.editors["status"].activated.emit(0)
    assert stored(window, shelter["id"])["status"] == "full"
    assert panel.problem.isHidden()


def test_the_overview_flags_stale_reports_and_selects_on_the_map(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    opened = [f for f in window.features if f["kind"] == "shelter" and f["status"] == "open"]
    now = datetime.now(window.incident.timezone)
    old, fresh = opened[0], opened[1]
    for feature, hours in ((old, 5), (fresh, 1)):
        when = (now - timedelta(hours=hours)).isoformat(timespec="seconds")
        shelters.set_situation(window.incident, feature["id"], fields={"reported_at": when})
    window.load_data(reports=False)
    dock = window.shelters.dock
    window.docks["shelters"].show()
    dock.set_stale_hours(3)
    model = dock.model

    def age_cell(feature):
        return model.index(model.position[feature["id"]], COLUMNS.index("age"))

    assert age_cell(old).data(Qt.ItemDataRole.BackgroundRole) == STALE_COLOR
    assert age_cell(old).data(Qt.ItemDataRole.DecorationRole) is not None
    assert age_cell(old).data().startswith("5 h ") and age_cell(old).data().endswith(" min")
    window.set_language("ja")  # the ages follow View -> Language, like the rest of the dock
    qtbot.waitUntil(lambda: age_cell(old).data().startswith("5時間"))
    assert age_cell(old).data().endswith("分") and " h" not in age_cell(old).data()
    window.set_language("en")
    qtbot.waitUntil(lambda: age_cell(old).data().startswith("5 h "))
    assert age_cell(fresh).data(Qt.ItemDataRole.BackgroundRole) is None
    dock.stale_box.setValue(6)  # the age is a setting, remembered
    assert age_cell(old).data(Qt.ItemDataRole.BackgroundRole) is None
    assert window.settings.value("shelters/stale_hours") in (6, "6")
    dock.stale_box.setValue(3)
    dock.stale_only.setChecked(True)
    shown = {dock.proxy.index(r, 0).data(ID_ROLE) for r in range(dock.proxy.rowCount())}
    assert old["id"] in shown and fresh["id"] not in shown
    dock.stale_only.setChecked(False)
    dock.table.sortByColumn(COLUMNS.index("evacuees"), Qt.SortOrder.DescendingOrder)
    shown = [dock.proxy.index(r, 0).data(ID_ROLE) for r in range(dock.proxy.rowCount())]
    occupancy = [model.rows[model.position[i]].occupancy for i in shown]
    known = [o for o in occupancy if o is not None]
    assert known == sorted(known, reverse=True) and len(shown) == len(model.rows)
    dock.search.setText(old["name"])
    assert old["id"] in {dock.proxy.index(r, 0).data(ID_ROLE) for r in range(dock.proxy.rowCount())}
    assert dock.proxy.rowCount() < len(model.rows)
    # a row chosen in the overview is the shelter chosen on the map and in the panel
    row = next(
        r for r in range(dock.proxy.rowCount()) if dock.proxy.index(r, 0).data(ID_ROLE) == old["id"]
    )
    dock.table.selectRow(row)
    assert window.detail.title.text() == old["name"]
    qtbot.waitUntil(
        lambda: run_js(qtbot, window.map, "[...gspace.layers.features._selected]") == [old["id"]]
    )


def test_colouring_by_occupancy_is_remembered_and_the_legend_says_it(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    shelter = an_open_shelter(window)
    capacity = shelter["attributes"]["capacity"]
    shelters.set_situation(window.incident, shelter["id"], fields={"evacuees": str(capacity)})
    window.load_data(reports=False)
    kind_open = window.catalog["shelter"].status("open").color
    qtbot.waitUntil(lambda: page_style(qtbot, window, shelter["id"])["fill"] == kind_open)
    window.shelters.occupancy_action.trigger()
    qtbot.waitUntil(lambda: page_style(qtbot, window, shelter["id"])["fill"] == FULL_COLOR)
    legend = run_js(qtbot, window.map, "document.querySelector('.gs-legend').textContent")
    assert "Shelter occupancy" in legend and "80–100 %" in legend
    window.close()
    from gspace.gui.settings import app_settings

    assert app_settings().value("shelters/by_occupancy", type=bool) is True


def test_nearest_shelters_with_room_skip_full_ones_for_a_report_and_a_clicked_point(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    report = next(r for r in window.rows if r["lon"] is not None)
    window._list_selected(report["id"])
    lines = window.detail.values["nearest"].text().splitlines()
    [shelter_line] = [line for line in lines if line.startswith("Shelters:")]
    [(nearest, metres)] = window.shelters.nearest_with_room(report["lon"], report["lat"], 1)
    said = f"Shelters: {nearest.name} — {distance_text(metres)} (Free places {nearest.free})"
    assert shelter_line == said
    shelters.set_situation(window.incident, nearest.id, fields={"evacuees": str(nearest.capacity)})
    window.load_data(reports=False)
    window._list_selected(report["id"])
    again = window.detail.values["nearest"].text()
    assert said not in again and "Shelters: " in again  # full: the next one with room
    nearest_name = f"{nearest.name} — {distance_text(metres)}"
    # right-click on the map, then "Nearest shelters with room here"
    with qtbot.waitSignal(window.map.bridge.contextRequested) as right_click:
        run_js(
            qtbot,
            window.map,
            f"gspace.map.fire('contextmenu', {{latlng: L.latLng({report['lat']}, "
            f"{report['lon']})}}); 1",
        )
    assert right_click.args == [report["lat"], report["lon"]]
    menu = window.shelters.menu  # the menu the right-click opened there
    assert menu.isVisible()
    [action] = menu.actions()
    assert action.text() == "Nearest shelters with room here"
    action.trigger()

    def popup():
        return run_js(
            qtbot, window.map, "document.querySelector('.leaflet-popup')?.textContent ?? ''"
        )

    qtbot.waitUntil(lambda: "Free places" in popup())
    assert popup().startswith("Nearest shelters with room (Shelters)")
    assert nearest_name not in popup()  # full now
    assert window.map.page().errors == []


def snapshot(path, rows):
    """A prefecture-style status snapshot (CP932 CSV, Japanese columns)."""
    lines = ["避難所名,開設状況,混雑状況,避難者数,更新日時", *(",".join(r) for r in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    return path


def test_a_status_snapshot_from_the_file_menu_and_the_watch_folder(
    demo_path, open_main_window, qtbot, tmp_path
):
    from helpers import accept_message_box

    from gspace.gui.settings_dialog import apply_settings, settings_form

    window = open_main_window(demo_path)
    named = Counter(f["name"] for f in window.features if f["kind"] == "shelter")
    first, second = [f for f in window.features if named.get(f["name"]) == 1][:2]
    now = datetime.now(window.incident.timezone).replace(microsecond=0)
    stamp = (now - timedelta(minutes=30)).strftime("%Y/%m/%d %H:%M")
    path = snapshot(
        tmp_path / "status_1.csv",
        [
            (first["name"], "開設", "混雑", "150", stamp),
            ("存在しない小学校", "開設", "空いています", "3", stamp),
        ],
    )
    window.files.import_status(path)
    text = accept_message_box(qtbot)
    assert "1 shelters updated" in text and "1 not matched" in text
    model = window.shelters.dock.model
    row = model.rows[model.position[first["id"]]]
    assert (row.status, row.evacuees, row.crowding) == ("open", 150, "crowded")
    assert window.shelters.dock.totals.topLevelItem(0).text(2) == str(
        sum(s.evacuees or 0 for s in model.rows)
    )

    folder = tmp_path / "feed"
    folder.mkdir()
    form = settings_form(window)
    form.watchEdit.setText(str(folder))
    apply_settings(window, form)
    later = now.strftime("%Y/%m/%d %H:%M")
    snapshot(folder / "status_2.csv", [(second["name"], "開設", "やや混雑", "42", later)])
    qtbot.waitUntil(lambda: model.rows[model.position[second["id"]]].evacuees == 42, timeout=30_000)
    assert "status_2.csv: 1 rows: 1 shelters updated" in window.statusBar().currentMessage()
    from gspace.gui.settings import app_settings

    assert app_settings().value("shelters/watch_folder") == str(folder)


def test_a_water_points_situation_is_edited_and_undone_likewise(demo_path, open_main_window):
    window = open_main_window(demo_path)
    water = next(f for f in window.features if f["kind"] == "water")
    window._map_clicked(water["id"])
    panel = window.detail.situation
    assert {"status", "hours", "supply_method", "note"} <= set(panel.editors)
    assert "evacuees" not in panel.editors and panel.chart.isHidden()
    status = panel.editors["status"]
    status.setCurrentIndex(status.findData("unavailable"))
    status.activated.emit(status.currentIndex())
    type_into(panel.editors["hours"], "9:00-17:00")
    type_into(panel.editors["supply_method"], "給水車")
    saved = stored(window, water["id"])
    assert saved["status"] == "unavailable"
    assert (saved["attributes"]["hours"], saved["attributes"]["supply_method"]) == (
        "9:00-17:00",
        "給水車",
    )
    type_into(panel.editors["note"], "bad\x07note")  # a control character: refused, one line
    assert panel.problem.text() == "the note holds a control character (U+0007)"
    assert stored(window, water["id"])["note"] == water.get("note")
    type_into(panel.editors["note"], "給水車は14時に到着")
    assert stored(window, water["id"])["note"] == "給水車は14時に到着"
    assert panel.problem.isHidden()
    window.review.undo_action.trigger()  # the note, and the time of the report it set
    undone = stored(window, water["id"])
    assert undone["note"] == water.get("note")
    assert undone["attributes"]["supply_method"] == "給水車"
    for _ in range(3):
        window.review.undo_action.trigger()
    back = stored(window, water["id"])
    assert (back["status"], back["attributes"]) == (water["status"], water["attributes"])
    assert back["note"] == water.get("note")
