// The in-app map: outline base map, reference features and reports, talking to Python over
// QWebChannel. Data updates replace the layers' data; the page is never reloaded.
"use strict";

// Shift+drag draws a lasso (selection), so Leaflet's shift-drag box zoom is off.
const map = L.map("map", {
  minZoom: 4, maxZoom: 19, zoomControl: true, worldCopyJump: false, boxZoom: false,
});
map.setView([36.5, 137.5], 5);
map.attributionControl.setPrefix(false);

// The outline lies under the tiles (Leaflet's tile pane is at z-index 200): where no tile can
// be had, offline and uncached, it still shows where things are.
map.createPane("gsOutline").style.zIndex = 150;
const outline = L.geoJSON(window.GSPACE_OUTLINE, {
  interactive: false,
  pane: "gsOutline",
  style: { color: "#7d8a96", weight: 1, fillColor: "#f4f1e8", fillOpacity: 1 },
  attribution: "outline: japanmap (Apache-2.0)",
}).addTo(map);
// Municipal borders over the tiles and names from zoom 9 (municipalities.js), with their credit.
const municipalities = gsMunicipalities(
  map, window.GSPACE_MUNICIPALITIES.data, window.GSPACE_MUNICIPALITIES.credit,
).addTo(map);

map.createPane("gsFeatures").style.zIndex = 450;
map.createPane("gsReports").style.zIndex = 460;
const layers = {
  features: new PointLayer({ pane: "gsFeatures" }).addTo(map),
  reports: new PointLayer({ pane: "gsReports" }).addTo(map),
};
let bridge = null;

// The base map: tiles through the gstile: scheme (the local tile store), or none.
let baseMap = null;
function setBaseMap(info) {
  if (baseMap) baseMap.remove();
  baseMap = null;
  if (!info) return;
  baseMap = L.tileLayer(info.url, {
    minZoom: 0, maxZoom: 19, minNativeZoom: info.minZoom, maxNativeZoom: info.maxZoom,
    attribution: info.attribution,
  }).addTo(map);
  baseMap.on("load", () => { if (bridge) bridge.tilesLoaded(info.id); });
}

const Legend = L.Control.extend({
  options: { position: "bottomright" },
  onAdd: function () {
    this._div = L.DomUtil.create("div", "gs-legend");
    L.DomEvent.disableClickPropagation(this._div);
    L.DomEvent.disableScrollPropagation(this._div);
    return this._div;
  },
  // sections: [{title, items: [{label, shape, fill, stroke}]}]; labels are set as text, never HTML
  update: function (sections) {
    this._div.replaceChildren();
    sections.forEach((section) => {
      const h = document.createElement("h4");
      h.textContent = section.title;
      this._div.appendChild(h);
      section.items.forEach((item) => {
        const row = document.createElement("div");
        const swatch = document.createElement("canvas");
        swatch.width = 16; swatch.height = 16;
        const ctx = swatch.getContext("2d");
        if (item.shape === "badge") {
          drawBadge(ctx, 8, 8);
        } else {
          ctx.beginPath(); drawShape(ctx, item.shape, 8, 8, 5);
          ctx.fillStyle = item.fill; ctx.fill(); ctx.strokeStyle = item.stroke; ctx.stroke();
        }
        row.appendChild(swatch);
        row.appendChild(document.createTextNode(item.label));
        this._div.appendChild(row);
      });
    });
  },
});
const legend = new Legend().addTo(map);

// A popup of plain text lines: {title, lines} (set as text, never HTML).
function openInfo(latlng, info) {
  const box = document.createElement("div");
  const title = document.createElement("div");
  title.className = "gs-popup-title";
  title.textContent = info.title;
  box.appendChild(title);
  info.lines.forEach((line) => {
    const div = document.createElement("div");
    div.className = "gs-popup-line";
    div.textContent = line;
    box.appendChild(div);
  });
  L.popup({ maxWidth: 320 }).setLatLng(latlng).setContent(box).openOn(map);
}

function showPopup(id, latlng) {
  bridge.popupFor(id, (json) => {
    const info = JSON.parse(json);
    if (info) openInfo(latlng, info);
  });
}

let placing = false;
let gesture = null; // a lasso or a marker drag in progress: {kind, ...}
let justGestured = false; // the click that ends a gesture selects nothing

map.on("click", (e) => {
  if (justGestured) { justGestured = false; return; }
  if (placing) {
    placing = false;
    map.getContainer().style.cursor = "";
    if (bridge) bridge.placeAt(e.latlng.lat, e.latlng.lng);
    return;
  }
  const id = layers.reports.hit(e.containerPoint, 9) || layers.features.hit(e.containerPoint, 9);
  if (!id || !bridge) return;
  bridge.clicked(id);
  showPopup(id, e.latlng);
});
// Right-click anywhere: the window offers what can be asked about that point.
map.on("contextmenu", (e) => {
  if (bridge) bridge.contextAt(e.latlng.lat, e.latlng.lng);
});
map.on("moveend", () => {
  if (bridge) {
    const c = map.getCenter();
    bridge.viewChanged(c.lat, c.lng, map.getZoom());
  }
});
// Gestures are caught in the capture phase, before Leaflet's own dragging sees the mouse.
const container = map.getContainer();
function eventLatLng(e) { return map.mouseEventToLatLng(e); }
function eventPoint(e) { return map.mouseEventToContainerPoint(e); }
container.addEventListener("mousedown", (e) => {
  if (e.button !== 0 || placing || !bridge) return;
  const point = eventPoint(e);
  if (e.shiftKey) {
    gesture = { kind: "lasso", points: [[point.x, point.y]],
      line: L.polyline([eventLatLng(e)], { color: "#1565c0", weight: 2, dashArray: "4 4", interactive: false }).addTo(map) };
  } else {
    const id = layers.reports.hitSelected(point, 9);
    if (!id) return;
    gesture = { kind: "drag", id: id, moved: false };
  }
  e.stopPropagation(); e.preventDefault();
}, true);
container.addEventListener("mousemove", (e) => {
  if (!gesture) {
    container.style.cursor = placing ? "crosshair" : (layers.reports.hitSelected(eventPoint(e), 9) ? "move" : "");
    return;
  }
  e.stopPropagation();
  if (gesture.kind === "lasso") {
    const point = eventPoint(e);
    gesture.points.push([point.x, point.y]); gesture.line.addLatLng(eventLatLng(e));
  } else {
    gesture.moved = true; layers.reports.moveTo(gesture.id, eventLatLng(e));
  }
}, true);
container.addEventListener("mouseup", (e) => {
  if (!gesture) return;
  e.stopPropagation();
  const done = gesture;
  gesture = null; justGestured = true;
  setTimeout(() => { justGestured = false; }, 0);
  if (done.kind === "lasso") {
    done.line.remove();
    if (done.points.length > 2) bridge.lassoed(JSON.stringify(layers.reports.idsInside(done.points)));
  } else if (done.moved) {
    const ll = eventLatLng(e);
    bridge.moved(done.id, ll.lat, ll.lng);
  }
}, true);

Object.entries(layers).forEach(([name, layer]) => {
  layer.on("drawn", (e) => { if (bridge) bridge.drawn(name, e.count); });
});

// A fit asked for before the view has its real size (the window is still being laid out)
// waits for the first resize, or it would zoom to fit a few pixels.
// The box comes from Python (gspace.extent: where the reports are, far outliers left out);
// without one, everything drawn.
let pendingFit = false;
let fitBox = null;
function fitAll(box) {
  if (box !== undefined) fitBox = box;
  const size = map.getSize();
  if (size.x < 100 || size.y < 100) { pendingFit = true; return; }
  pendingFit = false;
  const b = fitBox || layers.reports.bounds() || layers.features.bounds();
  if (b) map.fitBounds(L.latLngBounds(b).pad(0.05), { maxZoom: 16 });
}
map.on("resize", () => { if (pendingFit) fitAll(); });

// Called from Python (also usable from tests through runJavaScript).
window.gspace = {
  // Where a point of the view (in pixels) is on the map, for drops from the window.
  latLngAt: function (x, y) {
    const ll = map.containerPointToLatLng([x, y]);
    return [ll.lat, ll.lng];
  },
  openInfo: function (lat, lon, info) { openInfo(L.latLng(lat, lon), info); },
  setPlacing: function (on) {
    placing = on;
    map.getContainer().style.cursor = on ? "crosshair" : "";
  },
  map: map, layers: layers, legend: legend, outline: outline, fitAll: fitAll,
  municipalities: municipalities,
  baseMap: () => baseMap,
  select: function (ids, pan) {
    layers.reports.select(ids); layers.features.select(ids);
    if (pan && ids.length) {
      const ll = layers.reports.latLngOf(ids[0]) || layers.features.latLngOf(ids[0]);
      if (ll && !map.getBounds().contains(ll)) map.panTo(ll);
    }
  },
};

new QWebChannel(qt.webChannelTransport, (channel) => {
  const b = channel.objects.bridge;
  b.layerData.connect((name, json) => layers[name].setData(JSON.parse(json)));
  b.layerPatch.connect((name, json) => layers[name].patch(JSON.parse(json)));
  b.shownChanged.connect((name, bits) => layers[name].setShown(bits === "*" ? null : bits));
  b.groupVisible.connect((group, visible) => {
    const base = { outline: outline, municipalities: municipalities }[group];
    if (base) {
      if (visible) base.addTo(map); else base.remove();
      return;
    }
    layers.reports.setGroupVisible(group, visible); layers.features.setGroupVisible(group, visible);
  });
  b.selectIds.connect((json, pan) => window.gspace.select(JSON.parse(json), pan));
  b.legendChanged.connect((json) => legend.update(JSON.parse(json)));
  b.viewRequested.connect((lat, lon, zoom) => {
    if (zoom < 0) fitAll(null); else map.setView([lat, lon], zoom);
  });
  b.fitRequested.connect((w, s, e, n) => fitAll([[s, w], [n, e]]));
  b.placingRequested.connect((on) => window.gspace.setPlacing(on));
  b.baseMapChanged.connect((json) => setBaseMap(JSON.parse(json)));
  b.creditChanged.connect((text) => municipalities.setCredit(text));
  b.infoRequested.connect((lat, lon, json) => window.gspace.openInfo(lat, lon, JSON.parse(json)));
  bridge = b;
  b.ready();
});
