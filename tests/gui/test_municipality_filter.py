"""The municipality of reports and features in the window: a choice in the filter bar (each
municipality the reports lie in, and a city with wards as a whole) and a line in the detail
panel."""

from gspace.store import query
from gspace.store.query import ReportFilter


def listed_ids(window):
    return [r["id"] for r in window.reports.source.rows]


def test_the_filter_bar_offers_the_municipalities_of_the_reports(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    box = window.filters.municipality
    labels = [box.itemText(i) for i in range(box.count())]
    wards = [f"熊本市{w}" for w in ("中央区", "東区", "西区", "南区", "北区")]
    assert labels[0] == "All municipalities"
    assert labels[1].startswith("熊本市 (all wards) (")
    assert [label.rsplit(" (", 1)[0] for label in labels[2:]] == [*wards, "益城町"]
    # one ward: the list is what `--municipality 熊本市東区` prints
    window.filters.choose(municipality="43102")
    east = {r["id"] for r in query.reports(window.incident, ReportFilter(municipalities=["43102"]))}
    assert east and set(listed_ids(window)) == east
    assert window.current_filter().municipalities == ["43102"]
    # the city as a whole: every ward, not 益城町
    window.filters.choose(municipality=box.itemData(1))
    city = set(listed_ids(window))
    assert east < city
    assert {query.report(window.incident, i)["municipality"][3:] for i in city} == set(wards)
    window.filters.clear_button.click()
    assert len(listed_ids(window)) == 300


def test_the_detail_panel_names_the_municipality_of_a_report_and_a_feature(
    demo_path, open_main_window, qtbot
):
    window = open_main_window(demo_path)
    window.filters.choose(municipality="43443")
    window.reports.selectRow(0)
    report_id = window.reports.current_id()
    qtbot.waitUntil(lambda: window.detail._report_id == report_id)
    assert window.detail.values["municipality"].text() == "熊本県益城町 (43443)"
    assert window.detail.names["municipality"].text() == "Municipality"
    feature = next(f for f in window.features if f["muni_code"] == "43102")
    window._show(feature["id"])
    assert window.detail.values["municipality"].text() == "熊本県熊本市東区 (43102)"
    window.set_language("ja")
    qtbot.waitUntil(lambda: window.detail.names["municipality"].text() == "市区町村")
    box = window.filters.municipality
    assert box.itemText(0) == "すべての市区町村" and box.itemText(1).startswith("熊本市（全区）")
    window.set_language("en")
