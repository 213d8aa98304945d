"""The exported web map opened in headless Chromium with the network blocked: it draws every
report, asks for nothing outside the file, and shows hostile text as text."""

from __future__ import annotations

import pytest
from export_incident import HOSTILE, make_export_incident
from helpers import CHROMIUM_ARGS, chromium

from gspace.export import ExportJob, export
from gspace.store import query
from gspace.store.incident import Incident

playwright = pytest.importorskip("playwright.sync_api")

# What the report layers have on the map: clusters (with their counts) and single markers.
ON_MAP = """() => {
  const out = {clusters: 0, inClusters: 0, single: 0, total: 0};
  Object.entries(GS.layers).filter(([k]) => k.startsWith("report:")).forEach(([k, layer]) => {
    out.total += layer.getLayers().length;
    layer._featureGroup.eachLayer((item) => {
      if (item.getChildCount) { out.clusters += 1; out.inClusters += item.getChildCount(); }
      else out.single += 1;
    });
  });
  out.clusterIcons = document.querySelectorAll(".marker-cluster").length;
  out.shownCounts = [...document.querySelectorAll(".marker-cluster span")]
    .reduce((sum, s) => sum + Number(s.textContent), 0);
  out.icons = document.querySelectorAll(".leaflet-marker-icon.gs-pt").length;
  return out;
}"""

OPEN_POPUP = "(text) => GS.openReport(GS.data.reports.text.indexOf(text))"


@pytest.fixture(scope="module")
def web_map(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("webmap")
    path = make_export_incident(demo_template, folder / "incident")
    with Incident.open(path, write=False) as inc:
        export(ExportJob(inc, folder / "map.html", title="検証用 <b>地図</b>"))
        located = query.count_reports(inc, query.ReportFilter(located=True))
    return folder / "map.html", located


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_offline(browser, path):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, offline=True)
    page = context.new_page()
    seen = {"requests": [], "left": [], "dialogs": [], "errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))

    def only_the_file(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            seen["left"].append(route.request.url)
            route.abort()

    page.route("**/*", only_the_file)
    page.goto(path.as_uri())
    page.wait_for_function("window.GS && GS.loaded", timeout=30_000)
    return page, seen


def test_web_map_draws_every_report_offline_and_requests_nothing(browser, web_map):
    path, located = web_map
    page, seen = open_offline(browser, path)
    shown = page.evaluate(ON_MAP)
    assert shown["total"] == located
    assert shown["inClusters"] + shown["single"] == located
    assert shown["clusters"] == shown["clusterIcons"] > 0
    assert shown["shownCounts"] == shown["inClusters"]
    assert shown["icons"] >= shown["single"]
    # the title is text, the outline base map is drawn, the legend names categories
    assert page.inner_text(".gs-title") == "検証用 <b>地図</b>"
    assert page.evaluate("document.querySelectorAll('.gs-title b').length") == 0
    assert page.evaluate("document.querySelectorAll('path').length") > located // 10
    assert "救助" in page.inner_text(".gs-legend")
    assert seen["left"] == [] and seen["errors"] == []
    assert {u.split(":")[0] for u in seen["requests"]} <= {"file", "data"}
    page.context.close()


def test_hostile_report_text_shows_as_text_in_its_popup(browser, web_map):
    path, _ = web_map
    page, seen = open_offline(browser, path)
    page.evaluate(OPEN_POPUP, HOSTILE)
    assert page.inner_text(".leaflet-popup-content .gs-text") == HOSTILE
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert seen["dialogs"] == [] and seen["errors"] == []
    page.context.close()


def test_photo_report_popup_shows_its_embedded_thumbnail(browser, web_map):
    path, _ = web_map
    page, seen = open_offline(browser, path)
    text = page.evaluate("GS.data.reports.text[GS.data.reports.photo.findIndex((p) => p >= 0)]")
    page.evaluate(OPEN_POPUP, text)
    page.wait_for_function("document.querySelector('.gs-photo')?.naturalWidth > 0")
    assert page.evaluate("document.querySelector('.gs-photo').src").startswith("data:image/jpeg")
    assert seen["left"] == []
    page.context.close()


def test_first_view_frames_the_kumamoto_reports_not_strays(browser, demo_template, tmp_path):
    from export_incident import add_far_reports

    path = make_export_incident(demo_template, tmp_path / "incident")
    added = add_far_reports(path)
    with Incident.open(path, write=False) as inc:
        job = export(ExportJob(inc, tmp_path / "map.html"))
    assert job.outliers == added
    page, seen = open_offline(browser, tmp_path / "map.html")
    west, south, east, north = page.evaluate(
        "GS.map.getBounds().toBBoxString().split(',').map(Number)"
    )
    # city scale around Kumamoto city: under 100 km across
    assert (east - west) * 111.32 * 0.84 < 100 and (north - south) * 110.57 < 100
    assert west < 130.71 < east and south < 32.80 < north
    assert seen["errors"] == []
    page.context.close()


MUNICIPAL_NAMES = "[...document.querySelectorAll('.gs-muni-name')].map((e) => e.textContent)"


def test_municipal_borders_and_names_show_offline_at_city_zoom(browser, web_map):
    path, _ = web_map
    page, seen = open_offline(browser, path)
    # only the area around the reports is embedded, not all 1,900 municipalities of Japan
    embedded = page.evaluate("GS.data.municipalities.features.map((f) => f.properties.name)")
    assert "熊本市中央区" in embedded and "札幌市中央区" not in embedded and len(embedded) < 150
    page.evaluate("GS.map.setView([32.803, 130.708], 12, {animate: false})")
    page.wait_for_function(f"{MUNICIPAL_NAMES}.includes('熊本市中央区')")
    label = page.locator(".gs-muni-name span", has_text="熊本市中央区")
    assert label.is_visible()
    assert "国土数値情報" in page.inner_text(".leaflet-control-attribution")
    # drawn on the canvas of their own pane: some of its pixels are not blank
    assert (
        page.evaluate(
            """() => {
          const c = document.querySelector('.leaflet-gsMuniBorders-pane canvas');
          const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i]) n++;
          return n;
        }"""
        )
        > 1000
    )
    page.evaluate("GS.map.setZoom(8, {animate: false})")
    page.wait_for_function(f"{MUNICIPAL_NAMES}.length === 0")  # no names below zoom 9
    # turned off in the layer control: borders, names and their credit go
    page.evaluate("GS.map.setZoom(12, {animate: false}); GS.map.removeLayer(GS.municipalities)")
    assert page.evaluate(MUNICIPAL_NAMES) == []
    assert "国土数値情報" not in page.inner_text(".leaflet-control-attribution")
    assert seen["errors"] == [] and seen["left"] == []
    page.context.close()


def boxes_overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_popup_opened_under_the_title_box_is_fully_visible(browser, web_map):
    path, _ = web_map
    page, seen = open_offline(browser, path)
    page.set_viewport_size({"width": 900, "height": 640})
    text = page.evaluate("GS.data.reports.text[GS.data.reports.photo.findIndex((p) => p >= 0)]")
    page.evaluate(OPEN_POPUP, text)
    page.evaluate("GS.map.closePopup()")
    header = page.locator(".gs-header").bounding_box()
    # move the map so the report sits right under the title box, then open its popup
    page.evaluate(
        """([text, x, y]) => {
          const m = GS.markers[GS.data.reports.text.indexOf(text)];
          const at = GS.map.latLngToContainerPoint(m.getLatLng());
          GS.map.panBy([at.x - x, at.y - y], {animate: false});
          GS.openPopup(m);
        }""",
        [text, header["x"] + header["width"] / 2, header["y"] + header["height"] - 5],
    )
    page.wait_for_function("document.querySelector('.gs-photo')?.naturalWidth > 0")
    page.wait_for_timeout(600)  # the pan that makes room for the popup
    popup = page.locator(".leaflet-popup-content-wrapper").bounding_box()
    assert not boxes_overlap(popup, page.locator(".gs-header").bounding_box())
    assert popup["y"] >= 0 and popup["y"] + popup["height"] <= 640
    # the title box folds to one line, and unfolds again
    page.click(".gs-fold")
    folded = page.locator(".gs-header").bounding_box()
    assert folded["height"] < header["height"] and not page.locator(".gs-subtitle").is_visible()
    page.click(".gs-fold")
    assert page.locator(".gs-subtitle").is_visible()
    assert seen["errors"] == []
    page.context.close()


def test_reference_symbols_sit_above_report_clusters_in_neutral_greys(browser, web_map):
    path, _ = web_map
    page, _ = open_offline(browser, path)
    z = page.evaluate(
        """() => ({
          features: +getComputedStyle(document.querySelector('.leaflet-gsFeatures-pane')).zIndex,
          clusters: +getComputedStyle(document.querySelector('.marker-cluster').parentNode).zIndex,
          colours: [...document.querySelectorAll('.marker-cluster div')]
            .map((d) => getComputedStyle(d).backgroundColor),
        })"""
    )
    assert z["features"] > z["clusters"]
    for colour in z["colours"]:  # greys: red, green and blue alike
        r, g, b = (int(v) for v in colour[colour.index("(") + 1 :].split(",")[:3])
        assert max(r, g, b) - min(r, g, b) <= 8, colour
    page.context.close()
