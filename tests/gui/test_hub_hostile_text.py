"""Text synced in through the hub is as untrusted as text imported on this laptop (issue 17,
"Security"): a report and a shelter written on laptop A with markup, a spreadsheet formula and
a KML CDATA end reach laptop B through the hub, and on B they stay text in the window (detail
panel and map popup, no script run) and in every export (CSV cell guarded, KML escaped, web
map as data)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

from helpers import popup_lines, run_js
from hub_helpers import Hub
from PySide6.QtCore import Qt

from gspace.export import ExportJob, export
from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync.dump import canonical_dump

MARKUP = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil.example","開く")'
CDATA = "]]><script>alert(2)</script>"
KML = "{http://www.opengis.net/kml/2.2}"


def test_hostile_text_synced_through_the_hub_stays_text(tmp_path, open_main_window, qtbot):
    hub = Hub(tmp_path / "hub")
    officer = hub.token("officer")
    try:
        with Incident.create(tmp_path / "a", name="熊本豪雨") as a:
            with a.transaction():
                [report_id] = records.add_reports(
                    a,
                    [
                        {
                            "kind": "sns",
                            "lon": 130.7,
                            "lat": 32.8,
                            "text": MARKUP,
                            "author": FORMULA,
                            "note": CDATA,
                            "observed_at": "2026-11-20T10:00:00+09:00",
                        }
                    ],
                )
                layer = records.add_layer(a, "shelter", CDATA, "a.csv")
                records.add_features(
                    a, layer, "shelter", [{"lon": 130.71, "lat": 32.81, "name": MARKUP}]
                )
            hub.sync(a, officer)
            with Incident.create(tmp_path / "b", name="熊本豪雨") as b:
                hub.sync(b, officer)
                assert canonical_dump(b) == canonical_dump(a)
                export(ExportJob(b, tmp_path / "r.csv", lang="ja"))
                export(ExportJob(b, tmp_path / "map.kml"))
                export(ExportJob(b, tmp_path / "map.html"))
    finally:
        hub.close()

    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text("utf-8-sig"))))
    cells = [v for row in rows for v in row.values()]
    assert "'" + FORMULA in cells and FORMULA not in cells

    root = ET.parse(tmp_path / "map.kml").getroot()  # CDATA's end did not break the file
    text = " ".join(d.text or "" for d in root.iter(f"{KML}description"))
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "<img src=x" not in text

    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert MARKUP not in page and "<script>alert(2)" not in page

    window = open_main_window(tmp_path / "b")
    window.reports.selectRow(0)
    qtbot.waitUntil(lambda: window.detail.text.text() == MARKUP)
    assert window.detail.text.textFormat() == Qt.TextFormat.PlainText
    assert window.detail.values["author"].text() == FORMULA
    assert MARKUP in popup_lines(qtbot, window, report_id, 32.8, 130.7)
    assert run_js(qtbot, window.map, "document.querySelectorAll('.leaflet-popup img').length") == 0
    qtbot.wait(300)
    assert run_js(qtbot, window.map, "window.alerted") is False
