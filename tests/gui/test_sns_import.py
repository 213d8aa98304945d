"""SNS posts through the window: the preview, the import, category filters, hostile text."""

import json

import orjson
from helpers import accept_message_box, popup_lines, run_js
from PySide6.QtCore import Qt

from gspace.ingest.sns import import_sns
from gspace.store.incident import Incident

HOSTILE = "<img src=x onerror=alert(1)>"


def test_the_preview_shows_format_counts_and_posts_then_the_import_maps_them(
    tmp_path, fixtures, open_main_window, qtbot
):
    from gspace.demo import make_demo
    from gspace.gui.sns_import import SnsImportDialog

    make_demo(tmp_path / "demo").close()
    window = open_main_window(tmp_path / "demo")
    before = window.reports.model().rowCount()
    path = fixtures / "sns/x-v1/get_search_geocode.json"
    dialog = SnsImportDialog(window, [path])
    form = dialog.form
    assert form.detectedValue.text() == "get_search_geocode.json: x-v1"
    counts = form.countsValue.text().splitlines()
    assert counts[:2] == ["15 post(s)", "15 with coordinates"]  # the retweet's original included
    assert "1 repost(s), attached to their originals" in counts
    first = json.loads(path.read_text())["statuses"][0]
    assert form.previewTable.item(0, 2).text() == first["text"].replace("&amp;", "&")
    window.files.run(dialog_job := _job(window, path))
    assert accept_message_box(qtbot).splitlines()[:3] == [
        "14 post(s) imported",
        "14 placed on the map",
        "0 need(s) a location",
    ]
    qtbot.waitUntil(lambda: window.reports.model().rowCount() == before + 14)
    assert run_js(qtbot, window.map, "gspace.layers.reports._ids.length") == before + 14 - 18
    assert dialog_job not in window.files.imports


def _job(window, path):
    from gspace.gui.sns_import import sns_import

    return sns_import(window, window.incident.path, [path])


def write_posts(path, posts):
    path.write_bytes(b"\n".join(orjson.dumps({"data": p}) for p in posts))
    return path


POSTS = [
    {"id": "1", "text": "#救助 益城町宮園 2階に3人", "author_id": "u"},
    {"id": "2", "text": "益城町で断水、給水車はどこ", "author_id": "u"},
    {"id": "3", "text": "西原村で断水", "author_id": "u"},
    {"id": "4", "text": "益城町 家屋倒壊、下敷きの人がいます", "author_id": "u"},
]


def test_category_filters_narrow_map_and_list_together(tmp_path, open_main_window, qtbot):
    with Incident.create(tmp_path / "inc") as inc:
        import_sns(inc, [write_posts(tmp_path / "p.jsonl", POSTS)])
    window = open_main_window(tmp_path / "inc")

    def shown():
        return (
            run_js(qtbot, window.map, "gspace.layers.reports.shownIds().length"),
            window.reports.model().rowCount(),
        )

    assert shown() == (4, 4)
    assert window.layers.item_for("category:water_outage").text(1) == "2"
    assert window.layers.item_for("category:rescue").text(1) == "2"
    window.layers.item_for("category:water_outage").setCheckState(0, Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: shown() == (2, 2))
    # a report in two categories stays while one of them is ticked
    window.layers.item_for("category:rescue").setCheckState(0, Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: shown() == (1, 1))
    assert window.reports.model().index(0, 0).data(Qt.ItemDataRole.UserRole + 1) is not None
    window.layers.item_for("category:water_outage").setCheckState(0, Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: shown() == (3, 3))


def test_a_hostile_post_is_text_in_the_detail_panel_and_the_map_popup(
    tmp_path, open_main_window, qtbot
):
    hostile_url = 'https://x.example/"><img src=x onerror=alert(2)>'
    path = tmp_path / "posts.csv"
    path.write_text(
        "id,text,author,url,lat,lon\n"
        f'1,"{HOSTILE}","<b>@x</b>","{hostile_url.replace(chr(34), chr(34) * 2)}",32.8,130.7\n',
        encoding="utf-8",
    )
    with Incident.create(tmp_path / "inc") as inc:
        assert import_sns(inc, [path]).imported == 1
    window = open_main_window(tmp_path / "inc")
    window.reports.selectRow(0)
    detail = window.detail
    qtbot.waitUntil(lambda: detail.text.text() == HOSTILE)
    assert detail.text.textFormat() == Qt.TextFormat.PlainText
    assert detail.values["author"].text() == "<b>@x</b>"
    link = detail.values["link"].text()
    assert "<img" not in link and "&lt;img src=x onerror=alert(2)&gt;" in link
    assert detail.values["placed"].text() == "the coordinates in the post"
    report_id = window.selected_id
    lines = popup_lines(qtbot, window, report_id, 32.8, 130.7)
    assert HOSTILE in lines and "<b>@x</b>" in lines
    assert run_js(qtbot, window.map, "document.querySelectorAll('.leaflet-popup img').length") == 0
    assert run_js(qtbot, window.map, "document.querySelectorAll('.leaflet-popup b').length") == 0
    qtbot.wait(300)
    assert run_js(qtbot, window.map, "window.alerted") is False


def test_a_geoparsed_post_says_where_it_was_placed_and_an_ambiguous_one_why_not(
    tmp_path, open_main_window, qtbot
):
    posts = [
        {"id": "1", "text": "益城町宮園で火事", "author_id": "u"},
        {"id": "2", "text": "伊達市で停電", "author_id": "u"},
    ]
    with Incident.create(tmp_path / "inc") as inc:
        import_sns(inc, [write_posts(tmp_path / "p.jsonl", posts)])
    window = open_main_window(tmp_path / "inc")
    texts = {}
    for row in range(2):
        window.reports.selectRow(row)
        qtbot.waitUntil(lambda: window.detail.text.text() != "")
        texts[window.detail.text.text()] = window.detail.values["placed"].text()
    assert texts["益城町宮園で火事"] == "a place named in its text: 熊本県益城町"
    assert texts["伊達市で停電"].startswith("伊達市 is the name of places in 北海道, 福島県")
