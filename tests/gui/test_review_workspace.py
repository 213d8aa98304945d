"""The review workspace: filters, the timeline, keyboard triage, bulk actions, merging,
dragging a marker, lasso selection, and undo of each, on the demo incident."""

from datetime import datetime

from helpers import run_js
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gspace.gui.labels import severity_label
from gspace.store import query
from gspace.store.query import ReportFilter

SHOWN_ON_MAP = "gspace.layers.reports.shownIds().length"


def statuses(window, ids):
    return [query.report(window.incident, i)["status"] for i in ids]


def listed_ids(window):
    return [r["id"] for r in window.reports.source.rows]


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    window.reports.setFocus()
    QTest.keyClick(window.reports, key, modifier)


def test_category_and_time_window_filter_the_list_and_the_map_alike(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    start, counts = window.report_set.hourly(ReportFilter())
    assert sum(counts) == 300 and window.timeline.histogram.counts == counts
    window.filters.choose(category="flooding")
    window.timeline.set_window_hours(10, 29)
    since, until = window.timeline.times()
    assert (until - since).total_seconds() == 20 * 3600 - 1
    expected = ReportFilter(categories=["flooding"], since=since, until=until)
    want = {r["id"] for r in query.reports(window.incident, expected)}
    located = sum(1 for i in want if query.report(window.incident, i)["lon"] is not None)
    assert want and located
    assert set(listed_ids(window)) == want
    qtbot.waitUntil(lambda: run_js(qtbot, window.map, SHOWN_ON_MAP) == located)
    assert window.current_filter().categories == ["flooding"]
    assert f"{len(want)} shown" in window.statusBar().currentMessage()
    # double-clicking the timeline shows all times again; Clear drops the category
    QTest.mouseDClick(window.timeline.histogram, Qt.MouseButton.LeftButton)
    assert window.timeline.times() == (None, None)
    everything = query.count_reports(window.incident, ReportFilter(categories=["flooding"]))
    assert len(listed_ids(window)) == everything
    window.filters.clear_button.click()
    assert len(listed_ids(window)) == 300
    qtbot.waitUntil(lambda: run_js(qtbot, window.map, SHOWN_ON_MAP) == 282)


def test_text_search_uses_the_same_filter_as_the_command_line(demo_path, open_main_window, qtbot):
    window = open_main_window(demo_path)
    window.filters.choose(search="避難所", status="new")
    want = {
        r["id"]
        for r in query.reports(window.incident, ReportFilter(search="避難所", statuses=["new"]))
    }
    assert want and set(listed_ids(window)) == want


def test_dragging_across_the_timeline_chooses_a_window_and_play_steps_it(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    histogram = window.timeline.histogram
    x1, x2 = histogram.x_of(5) + 2, histogram.x_of(8) + 2
    y = histogram.height() // 2
    QTest.mousePress(histogram, Qt.MouseButton.LeftButton, pos=_point(x1, y))
    QTest.mouseMove(histogram, _point(x2, y))
    QTest.mouseRelease(histogram, Qt.MouseButton.LeftButton, pos=_point(x2, y))
    assert histogram.window == (5, 8)
    since, until = window.timeline.times()
    assert set(listed_ids(window)) == {
        r["id"] for r in query.reports(window.incident, ReportFilter(since=since, until=until))
    }
    window.timeline.step()
    assert histogram.window == (6, 9)
    assert window.timeline.times()[0].timestamp() == since.timestamp() + 3600
    assert isinstance(since, datetime) and since.utcoffset().total_seconds() == 9 * 3600


def _point(x, y):
    from PySide6.QtCore import QPoint

    return QPoint(int(x), int(y))


def test_ten_reports_are_triaged_from_the_keyboard_and_undone(demo_path, open_main_window, qtbot):
    window = open_main_window(demo_path)
    window.filters.choose(status="new")
    press(qtbot, window, Qt.Key.Key_N)
    first = window.reports.current_id()
    assert first and window.detail._report_id == first
    done = []
    for n in range(10):
        done.append(window.reports.current_id())
        press(qtbot, window, Qt.Key.Key_V if n % 2 == 0 else Qt.Key.Key_R)
    assert len(set(done)) == 10
    assert statuses(window, done) == ["verified", "rejected"] * 5
    # they left the "new" list, and the list moved on to an unreviewed report
    assert not set(done) & set(listed_ids(window))
    assert query.report(window.incident, window.reports.current_id())["status"] == "new"
    for _ in range(10):
        press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert statuses(window, done) == ["new"] * 10
    assert set(done) <= set(listed_ids(window))
    press(
        qtbot,
        window,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert statuses(window, done[:1]) == ["verified"]


def test_a_selection_is_rejected_at_once_and_undone_at_once(demo_path, open_main_window, qtbot):
    window = open_main_window(demo_path)
    ids = listed_ids(window)[:25]
    before = statuses(window, ids)
    window.reports.select_ids(ids)
    press(qtbot, window, Qt.Key.Key_R)
    assert statuses(window, ids) == ["rejected"] * 25
    assert window.review.stack.count() == 1
    located = [i for i in ids if query.report(window.incident, i)["lon"] is not None]
    grey = run_js(
        qtbot,
        window.map,
        f"{located!r}.map(id => gspace.layers.reports._styles["
        "gspace.layers.reports._style[gspace.layers.reports._index.get(id)]].fill)",
    )
    assert set(grey) == {"#bdbdbd"}  # rejected reports are greyed on the map
    window.review.undo_action.trigger()
    assert statuses(window, ids) == before


def test_two_duplicates_are_merged_into_the_current_report_and_undone(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    photos = [r for r in window.rows if r["kind"] == "photo"][:2]
    keeper, other = (query.report(window.incident, r["id"]) for r in photos)
    window.reports.select_ids([keeper["id"], other["id"]], current=keeper["id"])
    press(qtbot, window, Qt.Key.Key_M)
    kept = query.report(window.incident, keeper["id"])
    assert kept["media"] == keeper["media"] + [
        m for m in other["media"] if m not in keeper["media"]
    ]
    assert kept["properties"]["merged"] == [other["id"]]
    merged = query.report(window.incident, other["id"])
    assert merged["status"] == "duplicate" and merged["properties"]["duplicate_of"] == keeper["id"]
    window.review.undo_action.trigger()
    assert query.report(window.incident, keeper["id"])["media"] == keeper["media"]
    assert query.report(window.incident, other["id"])["status"] == other["status"]


def _container_point(qtbot, window, lat, lon):
    return run_js(
        qtbot,
        window.map,
        f"(() => {{ const p = gspace.map.latLngToContainerPoint([{lat}, {lon}]); "
        "return [p.x, p.y]; })()",
    )


def _mouse(qtbot, window, kind, x, y, shift=False):
    """A mouse event on the map's container, as the page receives it from a real mouse."""
    run_js(
        qtbot,
        window.map,
        f"(() => {{ const c = gspace.map.getContainer(), r = c.getBoundingClientRect(); "
        f"c.dispatchEvent(new MouseEvent('{kind}', {{bubbles: true, button: 0, "
        f"clientX: r.left + {x}, clientY: r.top + {y}, shiftKey: {str(shift).lower()}}})); "
        "return 1; })()",
    )


def test_dragging_a_selected_marker_moves_the_report_and_undo_moves_it_back(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    target = next(r for r in window.rows if r["kind"] == "photo" and r["lon"] is not None)
    run_js(
        qtbot,
        window.map,
        f"gspace.map.setView([{target['lat']}, {target['lon']}], 17, {{animate: false}}); 1",
    )
    window.reports.select_id(target["id"])
    window._list_selected(target["id"])
    qtbot.waitUntil(
        lambda: run_js(qtbot, window.map, "[...gspace.layers.reports._selected]") == [target["id"]]
    )
    x, y = _container_point(qtbot, window, target["lat"], target["lon"])
    center = run_js(qtbot, window.map, "gspace.map.getCenter()")
    _mouse(qtbot, window, "mousedown", x, y)
    for step in range(1, 6):
        _mouse(qtbot, window, "mousemove", x + 12 * step, y + 8 * step)
    lat, lon = run_js(
        qtbot,
        window.map,
        f"(() => {{ const l = gspace.map.containerPointToLatLng([{x + 60}, {y + 40}]); "
        "return [l.lat, l.lng]; })()",
    )
    _mouse(qtbot, window, "mouseup", x + 60, y + 40)
    qtbot.waitUntil(
        lambda: query.report(window.incident, target["id"])["location_source"] == "manual"
    )
    moved = query.report(window.incident, target["id"])
    assert abs(moved["lat"] - lat) < 1e-6 and abs(moved["lon"] - lon) < 1e-6
    assert run_js(qtbot, window.map, "gspace.map.getCenter()") == center  # the map stayed
    assert "moved" in window.detail.history.text()
    window.review.undo_action.trigger()
    back = query.report(window.incident, target["id"])
    assert (back["lat"], back["lon"], back["location_source"]) == (
        target["lat"],
        target["lon"],
        target["location_source"],
    )
    ll = run_js(qtbot, window.map, f"gspace.layers.reports.latLngOf('{target['id']}')")
    assert abs(ll["lat"] - target["lat"]) < 1e-6 and abs(ll["lng"] - target["lon"]) < 1e-6


def test_a_lasso_on_the_map_selects_the_reports_inside_it_in_the_list(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    width, height = window.map.width(), window.map.height()
    square = [
        (width * 0.3, height * 0.3),
        (width * 0.7, height * 0.3),
        (width * 0.7, height * 0.7),
        (width * 0.3, height * 0.7),
    ]
    inside = run_js(
        qtbot,
        window.map,
        f"gspace.layers.reports.idsInside({[list(p) for p in square]!r})",
    )
    assert len(inside) > 5
    _mouse(qtbot, window, "mousedown", *square[0], shift=True)
    for x, y in [*square[1:], square[0]]:
        _mouse(qtbot, window, "mousemove", x, y, shift=True)
    _mouse(qtbot, window, "mouseup", *square[0], shift=True)
    qtbot.waitUntil(lambda: len(window.reports.selected_ids()) == len(inside))
    assert set(window.reports.selected_ids()) == set(inside)
    assert set(run_js(qtbot, window.map, "[...gspace.layers.reports._selected]")) == set(inside)
    press(qtbot, window, Qt.Key.Key_A)  # a bulk action on the lasso's reports
    assert set(statuses(window, inside)) == {"actioned"}


def test_the_detail_panel_edits_the_report_and_shows_who_changed_it(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    window.incident.actor = "tanaka"
    window.reports.selectRow(0)
    report_id = window.reports.current_id()
    before = severity_label(query.report(window.incident, report_id)["severity"]) or "—"
    qtbot.waitUntil(lambda: window.detail._report_id == report_id)
    box = window.detail.triage_boxes["severity"]
    box.setCurrentIndex(box.findData("high"))
    box.activated.emit(box.currentIndex())
    window.detail.report_note.setText("現地で確認済み")
    window.detail.report_note.editingFinished.emit()
    report = query.report(window.incident, report_id)
    assert (report["severity"], report["note"]) == ("high", "現地で確認済み")
    history = window.detail.history.text().splitlines()
    assert history[-1].endswith("tanaka: note — → “現地で確認済み”")  # what it was, what it is
    assert f"severity {before} → High" in history[-2]
    window.review.undo_action.trigger()
    window.review.undo_action.trigger()
    report = query.report(window.incident, report_id)
    assert report["note"] is None and window.detail.report_note.text() == ""
