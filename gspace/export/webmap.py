"""The HTML web map: one self-contained file, built with folium, that opens with no network.

folium builds the page (map, base layers, layer control, outline base map). Leaflet and
markercluster come from the xstatic packages and are inlined, folium's CDN links removed.
Reports and features are not one folium object each (100,000 `folium.Marker`s take half a
minute to build and never draw); they travel as compact columns in one JSON block that
`resources/export/webmap.js` turns into clustered canvas markers whose popups are built on
click, with text set as text. Photo thumbnails are embedded as data URIs.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from pathlib import Path

import folium
import orjson
from branca.element import Element, MacroElement
from jinja2 import Template

from gspace.catalog import status_label
from gspace.export.legend import legend_sections
from gspace.export.situation import situation_text
from gspace.labels import categories_label, label, phrase
from gspace.mapdata import (
    OUTLINE_ATTRIBUTION,
    feature_style,
    municipal_geojson,
    outline,
    report_style,
)
from gspace.model import categories_of
from gspace.municipalities import CREDIT
from gspace.paths import resource
from gspace.refs import ref

BASE_MAPS = (  # (name ja, name en, URL, attribution, max zoom)
    (
        "地理院地図 淡色",
        "GSI pale",
        "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png",
        '<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>',
        18,
    ),
    (
        "地理院地図 標準",
        "GSI standard",
        "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png",
        '<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>',
        18,
    ),
    (
        "地理院 写真",
        "GSI aerial photo",
        "https://cyberjapandata.gsi.go.jp/xyz/seamlessphoto/{z}/{x}/{y}.jpg",
        '<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>',
        18,
    ),
    (
        "OpenStreetMap",
        "OpenStreetMap",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
        19,
    ),
)


def write_html(job, path: Path) -> None:
    data = page_data(job)
    center = data["center"]
    m = folium.Map(location=center, zoom_start=6, tiles=None, max_zoom=19, control_scale=True)
    m.default_js, m.default_css = [], []  # no CDN: Leaflet is inlined below
    # markercluster needs the map's own zoom range, and clusters every level in it: from all
    # of Japan (4) down to streets
    m.options["maxZoom"], m.options["minZoom"] = 19, 4
    root = m.get_root()
    root.title = job.title
    root.header.add_child(Element(_assets_html(data)), name="gspace_assets")
    tiles = [
        folium.TileLayer(
            url,
            attr=attribution,
            name=name_ja if job.lang == "ja" else name_en,
            max_zoom=max_zoom,
            max_native_zoom=18,
            show=False,
        )
        for name_ja, name_en, url, attribution, max_zoom in BASE_MAPS
    ]
    for tile in tiles:
        tile.add_to(m)
    # the outline and the municipal borders are drawn by webmap.js, in panes of their own
    blank = folium.FeatureGroup(name=phrase("outline", job.lang), overlay=False, show=False)
    blank.add_to(m)
    control = folium.LayerControl(collapsed=False)
    control.add_to(m)
    _Start(m, control, [*tiles, blank]).add_to(m)
    m.save(str(path))


class _Start(MacroElement):
    """Runs the page's own code once folium's map, layers and control exist."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        GS.start({{ this.map_name }}, {{ this.control_name }}, [{{ this.bases|join(', ') }}]);
        {% endmacro %}"""
    )

    def __init__(self, m, control, bases):
        super().__init__()
        self.map_name, self.control_name = m.get_name(), control.get_name()
        self.bases = [b.get_name() for b in bases]


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element: no '<' at all, so no '</script>'."""
    return orjson.dumps(value).replace(b"<", b"\\u003c").decode("utf-8")


def _data_uri(path: Path, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _assets_html(data: dict) -> str:
    from xstatic.pkg import leaflet, leaflet_markercluster

    leaflet_dir, cluster_dir = Path(leaflet.BASE_DIR), Path(leaflet_markercluster.BASE_DIR)
    # leaflet.css names its images by relative URL: inline them too, or the page would ask
    # the file system for them.
    leaflet_css = re.sub(
        r"url\(images/([\w.-]+\.png)\)",
        lambda match: f"url({_data_uri(leaflet_dir / 'images' / match[1], 'image/png')})",
        (leaflet_dir / "leaflet.css").read_text("utf-8"),
    )
    styles = [
        leaflet_css,
        (cluster_dir / "MarkerCluster.css").read_text("utf-8"),
        (cluster_dir / "MarkerCluster.Default.css").read_text("utf-8"),
        resource("export", "webmap.css").read_text("utf-8"),
    ]
    scripts = [
        (leaflet_dir / "leaflet.js").read_text("utf-8"),
        (cluster_dir / "leaflet.markercluster.js").read_text("utf-8"),
        resource("map", "municipalities.js").read_text("utf-8"),
        resource("export", "webmap.js").read_text("utf-8"),
    ]
    return (
        "".join(f"<style>{css}</style>\n" for css in styles)
        + f'<script type="application/json" id="gs-data">{_script_json(data)}</script>\n'
        + "".join(f"<script>{_no_close(js)}</script>\n" for js in scripts)
    )


def _no_close(js: str) -> str:
    return js.replace("</script", "<\\/script")


class _Vocabulary:
    """Repeated values (labels, styles) kept once; rows carry their index."""

    def __init__(self) -> None:
        self.values: list = []
        self._index: dict = {}

    def __call__(self, value) -> int:
        key = tuple(value.items()) if isinstance(value, dict) else value
        if key not in self._index:
            self._index[key] = len(self.values)
            self.values.append(value)
        return self._index[key]


def page_data(job) -> dict:
    lang = job.lang
    styles = _Vocabulary()
    reports = _report_columns(job, styles)
    features, shapes, feature_kinds = _feature_columns(job, styles)
    area = job.map_extent(
        (reports["lon"], reports["lat"]), (features.pop("_lons"), features.pop("_lats"))
    )
    bounds = [[area.south, area.west], [area.north, area.east]]
    kinds = reports.pop("_kinds")
    return {
        "title": job.title,
        "subtitle": job.subtitle(job.reports_written, job.reports_written - len(reports["id"])),
        "lang": lang,
        "timezone": str(job.incident.timezone),
        "epoch": reports.pop("_epoch"),
        "attribution": OUTLINE_ATTRIBUTION,
        "outline": outline(),
        "municipalities": _municipalities(area),
        "municipalCredit": CREDIT[lang],
        "municipalLayer": phrase("municipalities", lang),
        "center": list(area.center),
        "bounds": bounds,
        "styles": styles.values,
        "reportKinds": kinds,
        "photos": reports.pop("_photos"),
        "legend": legend_sections(
            job, reports.pop("_categories"), {k["id"] for k in kinds}, feature_kinds
        ),
        "reports": reports,
        "features": features,
        "featureKinds": feature_kinds,
        "shapes": shapes,
        "fields": {k: phrase(k, lang) for k in FIELDS},
    }


def _municipalities(area) -> dict:
    """Borders and names around the map's area: a margin of half its size (at least ~30 km)
    for panning, not all of Japan; coarser coordinates when the area is a country or more."""
    margin = max(0.3, (area.east - area.west) / 2, (area.north - area.south) / 2)
    large = area.east - area.west > 5 or area.north - area.south > 5
    return municipal_geojson(area.bbox, margin=margin, digits=3 if large else 4)


FIELDS = ("status", "category", "severity", "location", "author", "id")
VOCABULARIES = {  # column -> (label group, row key)
    "status": ("status", "status"),
    "severity": ("severity", "severity"),
    "source": ("location_source", "location_source"),
}


def _report_columns(job, styles: _Vocabulary) -> dict:
    lang = job.lang
    vocab = {name: _Vocabulary() for name in (*VOCABULARIES, "category", "author")}
    names = ("id", "lon", "lat", "kind", "style", "time", "text", "photo", *vocab)
    columns: dict[str, list] = {name: [] for name in names}
    photos: list[str] = []
    photo_index: dict[str, int] = {}  # sha256 -> index in photos: a photo is embedded once
    kinds: dict[str, dict] = {}
    used_categories: set[str] = set()
    epoch = None
    for row in job.reports():
        if row.get("lon") is None:
            continue
        moment = datetime.fromisoformat(row["observed_at"]) if row["observed_at"] else None
        if moment is not None and epoch is None:
            epoch = int(moment.timestamp()) // 60 * 60
        kind = kinds.get(row["kind"])
        if kind is None:
            label_ = label("kind", row["kind"], lang)
            kind = kinds[row["kind"]] = {"id": row["kind"], "label": label_, "count": 0}
            kind["index"] = len(kinds) - 1
        kind["count"] += 1
        used_categories.update(categories_of(row["category"]))
        columns["id"].append(ref(row["id"]))
        columns["lon"].append(round(row["lon"], 6))
        columns["lat"].append(round(row["lat"], 6))
        columns["kind"].append(kind["index"])
        columns["style"].append(styles(report_style(row["kind"], row["category"], row["status"])))
        columns["time"].append(None if moment is None else round((moment.timestamp() - epoch) / 60))
        columns["text"].append(row["text"] or "")
        for name, (group, key) in VOCABULARIES.items():
            columns[name].append(vocab[name](label(group, row[key], lang)))
        columns["category"].append(vocab["category"](categories_label(row["category"], lang)))
        columns["author"].append(vocab["author"](row.get("author") or ""))
        columns["photo"].append(_photo(job, row, photos, photo_index))
    if job.profile.public:  # nothing to show, so not even the column
        del columns["author"], vocab["author"]
    return {
        **columns,
        "vocab": {name: v.values for name, v in vocab.items()},
        "_kinds": list(kinds.values()),
        "_photos": photos,
        "_epoch": epoch or 0,
        "_categories": used_categories,
    }


def _photo(job, row: dict, photos: list[str], index: dict[str, int]) -> int:
    """The index of the report's first photo among the embedded ones, -1 without a photo."""
    if not row["media"]:
        return -1
    sha = row["media"][0]
    if sha not in index:
        data = job.image(sha)
        index[sha] = len(photos) if data else -1
        if data:
            photos.append("data:image/jpeg;base64," + base64.b64encode(data).decode("ascii"))
    return index[sha]


def _feature_columns(job, styles: _Vocabulary) -> tuple[dict, list, dict]:
    columns: dict[str, list] = {
        k: []
        for k in (
            "lon", "lat", "kind", "style", "name", "status", "situation", "address", "note", "ref"
        )
    }  # fmt: skip
    shapes: list[dict] = []
    kinds: dict[str, str] = {}
    lons, lats = [], []
    for row in job.features():
        kind = job.catalog.get(row["kind"])
        kinds.setdefault(row["kind"], kind.label(job.lang) if kind else row["kind"])
        style = styles(feature_style(kind, row["status"]))
        info = {
            "kind": row["kind"],
            "name": row["name"] or "",
            "status": status_label(kind, row["status"], job.lang),
            "situation": situation_text(row, kind, job.lang, job.incident.timezone),
            "address": row["address"] or "",
            "note": row["note"] or "",
            "ref": ref(row["id"]),
        }
        geometry = row.get("geometry")
        if geometry and geometry.get("type") != "Point":
            shapes.append({**info, "style": style, "geometry": geometry})
        elif row.get("lon") is not None:
            columns["lon"].append(round(row["lon"], 6))
            columns["lat"].append(round(row["lat"], 6))
            columns["style"].append(style)
            for key, value in info.items():
                columns[key].append(value)
        if row.get("lon") is not None:
            lons.append(row["lon"])
            lats.append(row["lat"])
    columns["_lons"], columns["_lats"] = lons, lats
    return columns, shapes, kinds
