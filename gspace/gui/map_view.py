"""The map: a Leaflet page in a QWebEngineView, fed through a QWebChannel bridge.

The page is assembled once per run in a temporary folder (our HTML/JS/CSS, the outline base
map, the municipal borders and names, Qt's qwebchannel.js) and loaded by file URL; Leaflet
comes from the xstatic package on disk. Nothing is fetched from the network. Data is pushed
as JSON over the channel, so updates never reload the page or lose the view.
"""

from __future__ import annotations

import atexit
import base64
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import xstatic.pkg.leaflet
from PySide6.QtCore import QFile, QObject, Qt, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage
from PySide6.QtWebEngineWidgets import QWebEngineView

from gspace.extent import Extent, core_extent
from gspace.gui import tile_scheme  # noqa: F401 (registers the gstile: scheme in time)
from gspace.gui.i18n import current_language
from gspace.mapdata import municipal_geojson
from gspace.municipalities import CREDIT
from gspace.paths import resource

PAGE_FILES = ("map.html", "map.css", "points.js", "municipalities.js", "map.js")


def build_page(folder: Path) -> Path:
    source = resource("map")
    for name in PAGE_FILES:
        text = (source / name).read_text(encoding="utf-8")
        leaflet = QUrl.fromLocalFile(xstatic.pkg.leaflet.BASE_DIR).toString()
        (folder / name).write_text(text.replace("{{LEAFLET}}", leaflet), encoding="utf-8")
    channel_js = QFile(":/qtwebchannel/qwebchannel.js")
    channel_js.open(QFile.OpenModeFlag.ReadOnly)
    (folder / "qwebchannel.js").write_bytes(bytes(channel_js.readAll()))
    outline = resource("basemap", "japan_prefectures.geojson").read_text(encoding="utf-8")
    (folder / "outline.js").write_text(f"window.GSPACE_OUTLINE = {outline};\n", encoding="utf-8")
    # every municipality once per run (~4 MB, a second to build): borders and names offline
    places = json.dumps(
        {"data": municipal_geojson(), "credit": CREDIT[current_language()]},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    (folder / "municipal_data.js").write_text(
        f"window.GSPACE_MUNICIPALITIES = {places};\n", encoding="utf-8"
    )
    return folder / "map.html"


class MapBridge(QObject):
    """The object the page sees as `bridge`. Signals go to the page; slots come from it."""

    layerData = Signal(str, str)
    layerPatch = Signal(str, str)
    shownChanged = Signal(str, str)
    groupVisible = Signal(str, bool)
    selectIds = Signal(str, bool)
    legendChanged = Signal(str)
    viewRequested = Signal(float, float, int)
    fitRequested = Signal(float, float, float, float)
    baseMapChanged = Signal(str)
    placingRequested = Signal(bool)
    creditChanged = Signal(str)  # the municipal borders' credit, in the window's language
    infoRequested = Signal(float, float, str)  # a popup of text lines at a point

    pageReady = Signal()
    pointClicked = Signal(str)
    layerDrawn = Signal(str, int)
    viewMoved = Signal(float, float, int)
    placeClicked = Signal(float, float)
    pointsLassoed = Signal(list)
    pointMoved = Signal(str, float, float)
    baseMapLoaded = Signal(str)
    contextRequested = Signal(float, float)  # right-click on the map: lat, lon

    def __init__(self, describe: Callable[[str], dict | None]):
        super().__init__()
        self._describe = describe

    @Slot()
    def ready(self) -> None:
        self.pageReady.emit()

    @Slot(str)
    def clicked(self, point_id: str) -> None:
        self.pointClicked.emit(point_id)

    @Slot(str, int)
    def drawn(self, layer: str, count: int) -> None:
        self.layerDrawn.emit(layer, count)

    @Slot(float, float, int)
    def viewChanged(self, lat: float, lon: float, zoom: int) -> None:  # noqa: N802 (JS name)
        self.viewMoved.emit(lat, lon, zoom)

    @Slot(float, float)
    def placeAt(self, lat: float, lon: float) -> None:  # noqa: N802 (JS name)
        self.placeClicked.emit(lat, lon)

    @Slot(str)
    def lassoed(self, ids_json: str) -> None:
        self.pointsLassoed.emit(json.loads(ids_json))

    @Slot(str, float, float)
    def moved(self, point_id: str, lat: float, lon: float) -> None:
        self.pointMoved.emit(point_id, lat, lon)

    @Slot(float, float)
    def contextAt(self, lat: float, lon: float) -> None:  # noqa: N802 (JS name)
        self.contextRequested.emit(lat, lon)

    @Slot(str)
    def tilesLoaded(self, source_id: str) -> None:  # noqa: N802 (JS name)
        self.baseMapLoaded.emit(source_id)

    @Slot(str, result=str)
    def popupFor(self, point_id: str) -> str:  # noqa: N802 (JS name)
        return json.dumps(self._describe(point_id), ensure_ascii=False)


class MapPage(QWebEnginePage):
    """Keeps the page's console errors, so tests and --debug can see script failures."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.errors: list[str] = []

    def javaScriptConsoleMessage(self, level, message, line, source):  # noqa: N802 (Qt name)
        if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
            self.errors.append(f"{Path(source).name}:{line}: {message}")


class MapView(QWebEngineView):
    """The map widget. Calls made before the page is ready are replayed when it is."""

    def __init__(self, describe: Callable[[str], dict | None], parent=None):
        super().__init__(parent)
        self.setPage(MapPage(self))
        self.setAcceptDrops(False)  # files and reports dropped here are the window's to handle
        # right-click is the map's own (bridge.contextRequested), not the browser's menu
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.bridge = MapBridge(describe)
        self._channel = QWebChannel(self.page())
        self._channel.registerObject("bridge", self.bridge)
        self.page().setWebChannel(self._channel)
        self.ready = False
        self._layers: dict[str, str] = {}
        self._shown: dict[str, str] = {}
        self._hidden: set[str] = set()
        self._legend = "[]"
        self._base_map = "null"
        self._base_maps_shown = 0
        self._credit = CREDIT[current_language()]
        self._view: tuple[float, float, int] | None = None
        self._extents: dict[str, Extent | None] = {}
        self.bridge.pageReady.connect(self._replay)
        folder = Path(tempfile.mkdtemp(prefix="gspace-map-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        self.load(QUrl.fromLocalFile(str(build_page(folder))))

    def _replay(self) -> None:
        self.ready = True
        for name, data in self._layers.items():
            self.bridge.layerData.emit(name, data)
            if name in self._shown:
                self.bridge.shownChanged.emit(name, self._shown[name])
        for group in self._hidden:
            self.bridge.groupVisible.emit(group, False)
        self.bridge.legendChanged.emit(self._legend)
        self.bridge.baseMapChanged.emit(self._base_map)
        self.set_view(*(self._view or (0.0, 0.0, -1)))

    def set_layer(self, name: str, data: dict) -> None:
        self._extents[name] = core_extent(data.get("lon", ()), data.get("lat", ()))
        self._layers[name] = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        self._shown.pop(name, None)  # the page shows all of a new layer's points
        if self.ready:
            self.bridge.layerData.emit(name, self._layers[name])

    def patch_layer(self, name: str, data: dict, removed: list[str]) -> None:
        """Some points of a layer changed (an edit); the rest stay as they are. Before the page
        is ready there is nothing to patch: the window sends the whole layer again."""
        if self.ready:
            payload = {**data, "removed": removed}
            self.bridge.layerPatch.emit(name, json.dumps(payload, ensure_ascii=False))

    def set_shown(self, name: str, bits: bytes | None) -> None:
        """Which points of a layer the filters let through: a bitmap in point order, or None
        for all of them."""
        self._shown[name] = "*" if bits is None else base64.b64encode(bits).decode()
        if self.ready:
            self.bridge.shownChanged.emit(name, self._shown[name])

    def set_group_visible(self, group: str, visible: bool) -> None:
        (self._hidden.discard if visible else self._hidden.add)(group)
        if self.ready:
            self.bridge.groupVisible.emit(group, visible)

    def set_legend(self, sections: list[dict]) -> None:
        self._legend = json.dumps(sections, ensure_ascii=False)
        if self.ready:
            self.bridge.legendChanged.emit(self._legend)

    def set_credit(self, lang: str) -> None:
        """The MLIT credit of the municipal borders in `lang` (View → Language switches it)."""
        self._credit = CREDIT[lang]
        if self.ready:
            self.bridge.creditChanged.emit(self._credit)

    def set_base_map(self, info: dict | None) -> None:
        """Tiles under the data: {id, url, attribution, minZoom, maxZoom}, or None for the
        outline only."""
        if info:
            # a new address each time: the browser's own cache never hides the tile store's
            # current tiles (a replaced MBTiles file, a cache that was emptied)
            self._base_maps_shown += 1
            info = {**info, "url": f"{info['url']}?v={self._base_maps_shown}"}
        self._base_map = json.dumps(info, ensure_ascii=False)
        if self.ready:
            self.bridge.baseMapChanged.emit(self._base_map)

    def show_info(self, lat: float, lon: float, info: dict) -> None:
        """A popup at (lat, lon): {title, lines}, plain text."""
        if self.ready:
            self.bridge.infoRequested.emit(lat, lon, json.dumps(info, ensure_ascii=False))

    def select(self, ids: list[str], pan: bool = True) -> None:
        if self.ready:
            self.bridge.selectIds.emit(json.dumps(ids), pan)

    def set_placing(self, on: bool) -> None:
        """The next click on the map places (emits bridge.placeClicked) instead of selecting."""
        if self.ready:
            self.bridge.placingRequested.emit(on)

    def lat_lon_at(self, x: int, y: int, callback: Callable[[float, float], None]) -> None:
        """The map coordinate under a point of this widget, given to `callback`."""
        self.page().runJavaScript(
            f"JSON.stringify(gspace.latLngAt({x}, {y}))",
            0,
            lambda result: callback(*json.loads(result)),
        )

    def bounds(self, callback: Callable[[tuple[float, float, float, float]], None]) -> None:
        """The view's (west, south, east, north), given to `callback`."""
        self.page().runJavaScript(
            "JSON.stringify(gspace.map.getBounds().toBBoxString().split(',').map(Number))",
            0,
            lambda result: callback(tuple(json.loads(result))),
        )

    def extent(self) -> Extent | None:
        """The area the map opens on: where the reports are (gspace.extent, as in the exported
        maps; far outliers left out), else the features."""
        return self._extents.get("reports") or self._extents.get("features")

    def set_view(self, lat: float, lon: float, zoom: int) -> None:
        """Centre and zoom; a negative zoom fits the reports' area (see extent())."""
        self._view = (lat, lon, zoom)
        if not self.ready:
            return
        area = self.extent() if zoom < 0 else None
        if area is not None:
            self.bridge.fitRequested.emit(*area.bbox)
        else:
            self.bridge.viewRequested.emit(lat, lon, zoom)
